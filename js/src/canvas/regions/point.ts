// Points: a ring and a dot; the whole point is its own handle.

import type { PointGeom } from "../../core/shapes";
import { type Region, handle, strokePath, sx, sy } from "./region";

export const POINT_RADIUS = 5;

export const pointRegion: Region<PointGeom> = {
  draw(ctx, g, v, style) {
    const x = sx(v, g.x);
    const y = sy(v, g.y);
    ctx.beginPath();
    ctx.arc(x, y, POINT_RADIUS, 0, Math.PI * 2);
    strokePath(ctx, style);
    ctx.beginPath();
    ctx.arc(x, y, 1.5, 0, Math.PI * 2);
    ctx.fillStyle = style.color;
    ctx.fill();
  },
  handles: (g) => [handle("vertex", { x: g.x, y: g.y }, 0)],
  drag: (start, _h, p) => ({ ...start, x: p.x, y: p.y }),
};
