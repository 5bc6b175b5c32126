// Writing one horizontal run of mask pixels and noting in a dirty rectangle what actually changed.

import { growRect, type DirtyRect } from "./rect";

/** Set pixels x0..x1 (exclusive, clipped to the row) of row y to value; grow `dirty` by the changed ones. */
export function writeSpan(mask: Uint8Array, width: number, y: number, x0: number, x1: number, value: 0 | 1, dirty: DirtyRect): void {
  const start = Math.max(0, x0);
  const end = Math.min(width, x1);
  if (end <= start) return;
  const row = y * width;
  let first = -1;
  let last = -1;
  for (let x = start; x < end; x++) {
    if (mask[row + x] !== value) {
      mask[row + x] = value;
      if (first < 0) first = x;
      last = x;
    }
  }
  if (first >= 0) growRect(dirty, y, first, last + 1);
}
