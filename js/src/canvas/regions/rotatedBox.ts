// Rotatable bounding boxes: corner handles resize along the box's own axes, a handle above the top
// edge rotates it about its centre (theta in degrees, clockwise, as the label model keeps it).

import { type RotatedBoxGeom, resizeRotated, rotateHandle, rotatedCorners, thetaFromHandle } from "../../core/shapes";
import { type Region, fillPath, handle, strokePath, sx, sy } from "./region";

/** Screen pixels between the top edge and the rotate handle. */
export const ROTATE_OFFSET = 24;

export const rotatedBoxRegion: Region<RotatedBoxGeom> = {
  outline(path, g, v) {
    rotatedCorners(g).forEach((p, i) => (i ? path.lineTo(sx(v, p.x), sy(v, p.y)) : path.moveTo(sx(v, p.x), sy(v, p.y))));
    path.closePath();
  },
  draw(ctx, g, v, style) {
    const corners = rotatedCorners(g);
    ctx.beginPath();
    corners.forEach((p, i) => (i ? ctx.lineTo(sx(v, p.x), sy(v, p.y)) : ctx.moveTo(sx(v, p.x), sy(v, p.y))));
    ctx.closePath();
    fillPath(ctx, style);
    strokePath(ctx, style);
    if (style.selected) {
      // The stem from the top edge to the rotate handle.
      const a = corners[0];
      const b = corners[1];
      const r = rotateHandle(g, ROTATE_OFFSET / v.scale);
      ctx.beginPath();
      ctx.moveTo(sx(v, (a.x + b.x) / 2), sy(v, (a.y + b.y) / 2));
      ctx.lineTo(sx(v, r.x), sy(v, r.y));
      ctx.lineWidth = 1;
      ctx.strokeStyle = style.color;
      ctx.stroke();
    }
  },
  handles(g, v) {
    return [
      ...rotatedCorners(g).map((p, i) => handle("corner", p, i, "crosshair")),
      handle("rotate", rotateHandle(g, ROTATE_OFFSET / v.scale), 0, "grab"),
    ];
  },
  drag(start, h, p) {
    if (h.kind === "rotate") return { ...start, theta: thetaFromHandle(start, p) };
    return resizeRotated(start, h.index, p);
  },
};
