// Window and level: volume values to grey levels, exactly as labelspace.media._volume.apply_window
// maps them in the kernel (float64 arithmetic, which is a JavaScript number's), so a slice painted
// here has the pixels a pipeline would compute from the same values and window.

/** The values of a slice as they travel (see protocol/messages.ts SliceResponse). */
export type SliceValues = Int16Array | Uint16Array | Float32Array;

/** A display window in the volume's values (Hounsfield units for CT). */
export interface Window {
  center: number;
  width: number;
}

/**
 * The grey level (0..255) of one value: t = (v - low) / width with low = center - width / 2,
 * clipped to 0..1, then floor(t * 255 + 0.5). NaN gives 0, and so does every value when the width
 * is not positive.
 */
export function windowValue(v: number, center: number, width: number): number {
  if (!(width > 0)) return 0;
  const low = center - width / 2;
  let t = (v - low) / width;
  if (t < 0) t = 0;
  else if (t > 1) t = 1;
  else if (t !== t) return 0; // NaN: neither comparison holds
  // floor(x + 0.5), as numpy computes it: Math.round differs on 0.49999999999999994.
  return Math.floor(t * 255 + 0.5);
}

/** Opaque grey RGBA pixels as little-endian 32-bit words, one per level. */
const GREYS = (() => {
  const out = new Uint32Array(256);
  const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  for (let g = 0; g < 256; g++) out[g] = little ? (0xff000000 | (g << 16) | (g << 8) | g) >>> 0 : ((g << 24) | (g << 16) | (g << 8) | 0xff) >>> 0;
  return out;
})();

/** Integer slices spanning at most this many values are windowed through a table of their levels. */
const TABLE_SPAN = 1 << 17;

/**
 * Window a slice into RGBA pixels (`out` viewed as 32-bit words, one per value, same length).
 * `low` and `high` (the slice's smallest and largest value, when known) let an integer slice be
 * windowed through a table made once per call: each value is then one lookup.
 */
export function windowInto(values: SliceValues, window: Window, out: Uint32Array, low: number | null = null, high: number | null = null): void {
  const n = Math.min(values.length, out.length);
  const { center, width } = window;
  if (!(width > 0)) {
    out.fill(GREYS[0], 0, n);
    return;
  }
  if (!(values instanceof Float32Array) && low !== null && high !== null && high >= low && high - low < TABLE_SPAN) {
    const table = new Uint32Array(high - low + 1);
    for (let v = low; v <= high; v++) table[v - low] = GREYS[windowValue(v, center, width)];
    for (let i = 0; i < n; i++) {
      const k = values[i] - low;
      // A value outside the header's range (it should not be) is windowed directly.
      out[i] = k >= 0 && k < table.length ? table[k] : GREYS[windowValue(values[i], center, width)];
    }
    return;
  }
  const start = center - width / 2;
  for (let i = 0; i < n; i++) {
    let t = (values[i] - start) / width;
    if (t < 0) t = 0;
    else if (t > 1) t = 1;
    else if (t !== t) t = 0;
    out[i] = GREYS[Math.floor(t * 255 + 0.5)];
  }
}

/** The grey level stored in a pixel word written by windowInto (its red channel). */
export function greyOf(pixel: number): number {
  return new Uint8Array(new Uint32Array([pixel]).buffer)[0];
}

/** Pointer pixels a drag needs to move the window across the whole value range. */
export const DRAG_SPAN = 512;

/**
 * The window after a window/level drag of dx, dy screen pixels from `start`: right widens it, down
 * raises its center (the picture darkens), both by the value range per DRAG_SPAN pixels. The width
 * stays positive.
 */
export function dragWindow(start: Window, dx: number, dy: number, range: [number, number]): Window {
  const span = Math.max(range[1] - range[0], 1e-6);
  const step = span / DRAG_SPAN;
  return { center: start.center + dy * step, width: Math.max(start.width + dx * step, span / 10000) };
}
