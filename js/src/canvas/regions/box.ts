// Bounding boxes: four corner and four edge handles; a drag keeps the opposite side fixed.

import type { BoxGeom, Pt } from "../../core/shapes";
import { type Handle, type Region, fillPath, handle, strokePath, sx, sy } from "./region";

const CORNER_CURSORS = ["nwse-resize", "nesw-resize", "nwse-resize", "nesw-resize"];

export function boxHandles(g: { x: number; y: number; w: number; h: number }): Handle[] {
  const { x, y, w, h } = g;
  const corners: Pt[] = [
    { x, y },
    { x: x + w, y },
    { x: x + w, y: y + h },
    { x, y: y + h },
  ];
  const edges: Pt[] = [
    { x: x + w / 2, y },
    { x: x + w, y: y + h / 2 },
    { x: x + w / 2, y: y + h },
    { x, y: y + h / 2 },
  ];
  return [
    ...corners.map((p, i) => handle("corner", p, i, CORNER_CURSORS[i])),
    ...edges.map((p, i) => handle("edge", p, i, i % 2 ? "ew-resize" : "ns-resize")),
  ];
}

/** Drag a corner (0 top-left, clockwise) or an edge (0 top, clockwise) of an axis-aligned box. */
export function dragBox<G extends { x: number; y: number; w: number; h: number }>(start: G, h: Handle, p: Pt): G {
  let x0 = start.x;
  let y0 = start.y;
  let x1 = start.x + start.w;
  let y1 = start.y + start.h;
  if (h.kind === "corner") {
    if (h.index === 0 || h.index === 3) x0 = p.x;
    else x1 = p.x;
    if (h.index === 0 || h.index === 1) y0 = p.y;
    else y1 = p.y;
  } else if (h.kind === "edge") {
    if (h.index === 0) y0 = p.y;
    else if (h.index === 1) x1 = p.x;
    else if (h.index === 2) y1 = p.y;
    else x0 = p.x;
  }
  return { ...start, x: Math.min(x0, x1), y: Math.min(y0, y1), w: Math.abs(x1 - x0), h: Math.abs(y1 - y0) };
}

export const boxRegion: Region<BoxGeom> = {
  outline(path, g, v) {
    path.rect(Math.round(sx(v, g.x)) + 0.5, Math.round(sy(v, g.y)) + 0.5, Math.round(g.w * v.scale), Math.round(g.h * v.scale));
  },
  draw(ctx, g, v, style) {
    ctx.beginPath();
    ctx.rect(Math.round(sx(v, g.x)) + 0.5, Math.round(sy(v, g.y)) + 0.5, Math.round(g.w * v.scale), Math.round(g.h * v.scale));
    fillPath(ctx, style);
    strokePath(ctx, style);
  },
  handles: (g) => boxHandles(g),
  drag: dragBox,
};
