// Whole-mask operations on row-major 0/1 masks: bounds of the set pixels, shifting and resizing.

import type { Bounds } from "./geom";

function firstSet(mask: Uint8Array): number {
  const n = mask.length;
  let i = 0;
  if (mask.byteOffset % 4 === 0) {
    const words = new Uint32Array(mask.buffer, mask.byteOffset, n >> 2);
    let w = 0;
    while (w < words.length && words[w] === 0) w++;
    i = w * 4;
  }
  while (i < n && mask[i] === 0) i++;
  return i < n ? i : -1;
}

function lastSet(mask: Uint8Array): number {
  const n = mask.length;
  let i = n - 1;
  while (i >= 0 && (i + 1) % 4 !== 0 && mask[i] === 0) i--;
  if (i >= 0 && mask[i] !== 0) return i;
  if (mask.byteOffset % 4 === 0) {
    const words = new Uint32Array(mask.buffer, mask.byteOffset, (i + 1) >> 2);
    let w = words.length - 1;
    while (w >= 0 && words[w] === 0) w--;
    i = w * 4 + 3;
  }
  while (i >= 0 && mask[i] === 0) i--;
  return i;
}

/** The first and last rows holding a set pixel, or null when none is set. */
export function setRows(mask: Uint8Array, width: number, height: number): [number, number] | null {
  const pixels = mask.subarray(0, width * height);
  const first = firstSet(pixels);
  if (first < 0) return null;
  return [Math.floor(first / width), Math.floor(lastSet(pixels) / width)];
}

/** The smallest box holding every set pixel, in whole pixels; null when none is set. */
export function maskBounds(mask: Uint8Array, width: number, height: number): Bounds | null {
  const first = firstSet(mask.subarray(0, width * height));
  if (first < 0) return null;
  const last = lastSet(mask.subarray(0, width * height));
  const y0 = Math.floor(first / width);
  const y1 = Math.floor(last / width);
  let x0 = first - y0 * width;
  let x1 = last - y1 * width;
  if (x0 > x1) [x0, x1] = [x1, x0];
  for (let y = y0; y <= y1; y++) {
    const row = y * width;
    for (let x = 0; x < x0; x++) {
      if (mask[row + x] !== 0) {
        x0 = x;
        break;
      }
    }
    for (let x = width - 1; x > x1; x--) {
      if (mask[row + x] !== 0) {
        x1 = x;
        break;
      }
    }
  }
  return { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
}

/** A new mask moved by whole pixels dx, dy; what moves off the image is lost. */
export function shiftMask(mask: Uint8Array, width: number, height: number, dx: number, dy: number): Uint8Array {
  const sx = Math.round(dx);
  const sy = Math.round(dy);
  const out = new Uint8Array(width * height);
  const x0 = Math.max(0, sx);
  const x1 = Math.min(width, width + sx);
  if (x1 <= x0) return out;
  for (let y = Math.max(0, sy); y < Math.min(height, height + sy); y++) {
    const from = (y - sy) * width + (x0 - sx);
    out.set(mask.subarray(from, from + (x1 - x0)), y * width + x0);
  }
  return out;
}

/** A new width x height mask with the old one at its top-left, cropped or padded with zeros. */
export function resizeMask(mask: Uint8Array, width: number, height: number, newWidth: number, newHeight: number): Uint8Array {
  const out = new Uint8Array(newWidth * newHeight);
  const w = Math.min(width, newWidth);
  for (let y = 0; y < Math.min(height, newHeight); y++) out.set(mask.subarray(y * width, y * width + w), y * newWidth);
  return out;
}

/** How many pixels are set. */
export function maskArea(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) n++;
  return n;
}
