// Polylines: vertex handles and midpoint handles that insert a vertex.

import { type PolylineGeom, midpoints, polylineInsertVertex, polylineMoveVertex } from "../../core/shapes";
import { type Region, handle, strokePath, sx, sy } from "./region";

export const polylineRegion: Region<PolylineGeom> = {
  outline(path, g, v) {
    g.points.forEach((p, i) => (i ? path.lineTo(sx(v, p.x), sy(v, p.y)) : path.moveTo(sx(v, p.x), sy(v, p.y))));
  },
  draw(ctx, g, v, style) {
    ctx.beginPath();
    g.points.forEach((p, i) => (i ? ctx.lineTo(sx(v, p.x), sy(v, p.y)) : ctx.moveTo(sx(v, p.x), sy(v, p.y))));
    strokePath(ctx, { ...style, selected: style.selected });
  },
  handles(g) {
    return [
      ...g.points.map((p, i) => handle("vertex", p, i)),
      ...midpoints(g.points, false).map((p, i) => handle("midpoint", p, i, "copy")),
    ];
  },
  drag(start, h, p) {
    if (h.kind === "midpoint") return polylineInsertVertex(start, h.index, p);
    return polylineMoveVertex(start, h.index, p);
  },
};
