// The mask brush and eraser: stamping a disc, and a stroke between two pointer positions (the
// capsule around the segment, so a fast drag leaves no gaps). A pixel is painted when its centre
// (x + 0.5, y + 0.5) is within the radius; the pixel under the pointer is always painted, so even a
// tiny brush paints. Only the rows and columns of the stamp's bounding box are touched.

import type { Pt } from "./geom";
import { emptyRect, growRect, type DirtyRect } from "./rect";
import { writeSpan } from "./span";

function stampPixel(mask: Uint8Array, width: number, height: number, p: Pt, value: 0 | 1, dirty: DirtyRect): void {
  const x = Math.floor(p.x);
  const y = Math.floor(p.y);
  if (x < 0 || y < 0 || x >= width || y >= height) return;
  const i = y * width + x;
  if (mask[i] !== value) {
    mask[i] = value;
    growRect(dirty, y, x, x + 1);
  }
}

/** Set (1, brush) or clear (0, eraser) the pixels of a disc; returns the area that changed. */
export function stampDisc(mask: Uint8Array, width: number, height: number, cx: number, cy: number, radius: number, value: 0 | 1): DirtyRect {
  const dirty = emptyRect();
  const r = Math.max(0, radius);
  const r2 = r * r;
  const yStart = Math.max(0, Math.ceil(cy - r - 0.5));
  const yEnd = Math.min(height - 1, Math.floor(cy + r - 0.5));
  for (let y = yStart; y <= yEnd; y++) {
    const dy = y + 0.5 - cy;
    const rest = r2 - dy * dy;
    if (rest < 0) continue;
    const half = Math.sqrt(rest);
    writeSpan(mask, width, y, Math.ceil(cx - half - 0.5), Math.floor(cx + half - 0.5) + 1, value, dirty);
  }
  stampPixel(mask, width, height, { x: cx, y: cy }, value, dirty);
  return dirty;
}

/**
 * Set or clear every pixel within `radius` (at least half a pixel) of the segment ab: one step of
 * a stroke. Returns the area that changed.
 */
export function stampSegment(mask: Uint8Array, width: number, height: number, a: Pt, b: Pt, radius: number, value: 0 | 1): DirtyRect {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return stampDisc(mask, width, height, a.x, a.y, radius, value);
  const dirty = emptyRect();
  const r = Math.max(0.5, radius);
  const r2 = r * r;
  const inside = (px: number, py: number): boolean => {
    const t = Math.min(1, Math.max(0, ((px - a.x) * dx + (py - a.y) * dy) / len2));
    const ex = a.x + t * dx - px;
    const ey = a.y + t * dy - py;
    return ex * ex + ey * ey <= r2;
  };
  const yStart = Math.max(0, Math.ceil(Math.min(a.y, b.y) - r - 0.5));
  const yEnd = Math.min(height - 1, Math.floor(Math.max(a.y, b.y) + r - 0.5));
  for (let y = yStart; y <= yEnd; y++) {
    const yc = y + 0.5;
    // The part of the segment within r of this row's centre line bounds the pixels to test.
    let t0 = 0;
    let t1 = 1;
    if (dy !== 0) {
      const u = (yc - r - a.y) / dy;
      const v = (yc + r - a.y) / dy;
      t0 = Math.max(0, Math.min(u, v));
      t1 = Math.min(1, Math.max(u, v));
      if (t0 > t1) continue;
    } else if (Math.abs(yc - a.y) > r) continue;
    const xa = a.x + t0 * dx;
    const xb = a.x + t1 * dx;
    let lo = Math.max(0, Math.ceil(Math.min(xa, xb) - r - 0.5));
    let hi = Math.min(width - 1, Math.floor(Math.max(xa, xb) + r - 0.5));
    while (lo <= hi && !inside(lo + 0.5, yc)) lo++;
    while (hi >= lo && !inside(hi + 0.5, yc)) hi--;
    if (lo <= hi) writeSpan(mask, width, y, lo, hi + 1, value, dirty);
  }
  stampPixel(mask, width, height, a, value, dirty);
  stampPixel(mask, width, height, b, value, dirty);
  return dirty;
}
