// Bitmasks: drawn as a tinted bitmap (cached per mask, covering only the mask's bounds; a mask being
// painted gets a full-size bitmap updated a dirty rectangle at a time). No handles: masks are edited
// with the brush, the eraser and polygon fill.

import { type DirtyRect, maskBounds } from "../../core/mask";
import type { BitmaskGeom } from "../../core/shapes";
import { type Region, sx, sy } from "./region";

interface Painted {
  canvas: HTMLCanvasElement;
  x: number;
  y: number;
  color: string;
}

const painted = new WeakMap<Uint8Array, Painted>();

function rgb(color: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(color);
  return m ? [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)] : [255, 0, 0];
}

function fillRect(p: Painted, g: BitmaskGeom, r: DirtyRect): void {
  const w = r.x1 - r.x0;
  const h = r.y1 - r.y0;
  if (w <= 0 || h <= 0) return;
  const ctx = p.canvas.getContext("2d")!;
  const image = ctx.createImageData(w, h);
  const data = new Uint32Array(image.data.buffer);
  const [cr, cg, cb] = rgb(p.color);
  // ImageData is RGBA in memory: little-endian words hold ABGR.
  const on = (255 << 24) | (cb << 16) | (cg << 8) | cr;
  for (let y = 0; y < h; y++) {
    const row = (r.y0 + y) * g.width + r.x0;
    const out = y * w;
    for (let x = 0; x < w; x++) if (g.mask[row + x]) data[out + x] = on;
  }
  ctx.putImageData(image, r.x0 - p.x, r.y0 - p.y);
}

function paint(g: BitmaskGeom, color: string, full: boolean): Painted {
  const box = full ? { x: 0, y: 0, w: g.width, h: g.height } : maskBounds(g.mask, g.width, g.height) ?? { x: 0, y: 0, w: 0, h: 0 };
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, box.w);
  canvas.height = Math.max(1, box.h);
  const p: Painted = { canvas, x: box.x, y: box.y, color };
  fillRect(p, g, { x0: box.x, y0: box.y, x1: box.x + box.w, y1: box.y + box.h });
  return p;
}

/** Make `g`'s bitmap full-size so that strokes can update it in place (call before painting). */
export function startPainting(g: BitmaskGeom, color: string): void {
  painted.set(g.mask, paint(g, color, true));
}

/** Repaint the part of a mask being painted that a stroke changed. */
export function repaintMask(g: BitmaskGeom, dirty: DirtyRect): void {
  const p = painted.get(g.mask);
  if (!p) return;
  const ctx = p.canvas.getContext("2d")!;
  const x0 = Math.max(dirty.x0, p.x);
  const y0 = Math.max(dirty.y0, p.y);
  const x1 = Math.min(dirty.x1, p.x + p.canvas.width);
  const y1 = Math.min(dirty.y1, p.y + p.canvas.height);
  if (x1 <= x0 || y1 <= y0) return;
  ctx.clearRect(x0 - p.x, y0 - p.y, x1 - x0, y1 - y0);
  fillRect(p, g, { x0, y0, x1, y1 });
}

export const bitmaskRegion: Region<BitmaskGeom> = {
  draw(ctx, g, v, style) {
    let p = painted.get(g.mask);
    if (!p || p.color !== style.color) {
      p = paint(g, style.color, false);
      painted.set(g.mask, p);
    }
    if (p.canvas.width <= 1 && p.canvas.height <= 1 && p.x === 0 && p.y === 0 && !g.mask[0]) return;
    ctx.save();
    ctx.imageSmoothingEnabled = false;
    ctx.globalAlpha = style.selected ? 0.6 : style.prediction ? 0.3 : 0.42;
    ctx.drawImage(p.canvas, sx(v, p.x), sy(v, p.y), p.canvas.width * v.scale, p.canvas.height * v.scale);
    ctx.restore();
    if (style.selected || style.prediction) {
      ctx.beginPath();
      ctx.rect(Math.round(sx(v, p.x)) + 0.5, Math.round(sy(v, p.y)) + 0.5, Math.round(p.canvas.width * v.scale), Math.round(p.canvas.height * v.scale));
      ctx.lineWidth = 1;
      ctx.strokeStyle = style.color;
      ctx.setLineDash([3, 3]);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  },
  handles: () => [],
  drag: (start) => start,
};
