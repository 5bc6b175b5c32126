// Polygons with holes and several parts: a handle on every vertex and on every edge's midpoint
// (dragging one inserts a vertex there).

import { type PolygonGeom, midpoints, polygonInsertVertex, polygonMoveVertex } from "../../core/shapes";
import { type Handle, type Region, fillPath, handle, strokePath, sx, sy } from "./region";

export const polygonRegion: Region<PolygonGeom> = {
  outline(path, g, v) {
    for (const part of g.parts) {
      for (const ring of part) {
        ring.forEach((p, i) => (i ? path.lineTo(sx(v, p.x), sy(v, p.y)) : path.moveTo(sx(v, p.x), sy(v, p.y))));
        path.closePath();
      }
    }
  },
  draw(ctx, g, v, style) {
    ctx.beginPath();
    for (const part of g.parts) {
      for (const ring of part) {
        ring.forEach((p, i) => (i ? ctx.lineTo(sx(v, p.x), sy(v, p.y)) : ctx.moveTo(sx(v, p.x), sy(v, p.y))));
        ctx.closePath();
      }
    }
    fillPath(ctx, style, "evenodd");
    strokePath(ctx, style);
  },
  handles(g) {
    const out: Handle[] = [];
    g.parts.forEach((part, pi) =>
      part.forEach((ring, ri) => {
        ring.forEach((p, i) => out.push(handle("vertex", p, i, "move", pi, ri)));
        midpoints(ring, true).forEach((p, i) => out.push(handle("midpoint", p, i, "copy", pi, ri)));
      }),
    );
    return out;
  },
  drag(start, h, p) {
    if (h.kind === "midpoint") return polygonInsertVertex(start, h.part, h.ring, h.index, p);
    return polygonMoveVertex(start, h.part, h.ring, h.index, p);
  },
};
