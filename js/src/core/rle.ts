// Bitmask run-length encoding exactly as the model keeps it (BitmaskCoordinates in
// labelspace/model/coordinates.py): COCO's uncompressed RLE, read column by column (Fortran
// order) over the whole height x width image, runs alternating 0s and 1s and starting with 0s (a
// mask whose first pixel is set starts with a 0 run). Runs are maximal; no run follows the last.
// Masks in the front end are row-major: mask[y * width + x].

import { setRows } from "./bitmap";

function checkSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`A mask needs a positive whole width and height, got ${width} x ${height}.`);
  }
}

/** Which byte of a 32-bit word comes first in memory: the low one on (nearly) every machine. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function grow(a: Int32Array): Int32Array {
  const bigger = new Int32Array(a.length * 2);
  bigger.set(a);
  return bigger;
}

/**
 * The RLE counts of a row-major mask (nonzero is set). A run ends wherever, reading column by
 * column, a pixel differs from the one before it: inside a column, a pixel differing from the one
 * above it. Those are found row by row, four pixels at a time (rows padded to whole words if need
 * be; the differing bytes of a word picked out of the XOR), so the mask is read in memory order;
 * the changes are then put in column order.
 */
export function encodeRle(mask: Uint8Array, width: number, height: number): number[] {
  checkSize(width, height);
  if (mask.length !== width * height) {
    throw new RangeError(`The mask has ${mask.length} pixels, not ${width} x ${height} = ${width * height}.`);
  }
  const rows = setRows(mask, width, height);
  if (!rows) return [width * height];
  const stride = (width + 3) & ~3;
  let src = mask;
  if (stride !== width || mask.byteOffset % 4 !== 0) {
    src = new Uint8Array(stride * height);
    for (let y = 0; y < height; y++) src.set(mask.subarray(y * width, (y + 1) * width), y * stride);
  }
  const words = new Uint32Array(src.buffer, src.byteOffset, (stride * height) >> 2);
  const perRow = stride >> 2;
  // Where runs change, as row-major positions y * stride + x, and how many in each column.
  let changes: Int32Array = new Int32Array(1 << 14);
  let n = 0;
  const perColumn = new Int32Array(width);
  // Row 0: the pixel read before (x, 0) is the bottom of column x - 1 (0 before the first pixel).
  for (let x = 0; x < width; x++) {
    const before = x === 0 ? false : src[(height - 1) * stride + x - 1] !== 0;
    if (src[x] !== 0 !== before) {
      if (n === changes.length) changes = grow(changes);
      changes[n++] = x;
      perColumn[x]++;
    }
  }
  // Rows above the first set one and below the one after the last set one change nothing.
  for (let y = Math.max(1, rows[0]), last = Math.min(height - 1, rows[1] + 1); y <= last; y++) {
    const row = y * stride;
    for (let k = y * perRow, end = k + perRow; k < end; k++) {
      let diff = words[k] ^ words[k - perRow];
      while (diff !== 0) {
        const bit = 31 - Math.clz32(diff & -diff);
        diff &= ~(0xff << (bit & 24));
        const i = (k << 2) + (LITTLE_ENDIAN ? bit >> 3 : 3 - (bit >> 3));
        if (src[i] !== 0 !== (src[i - stride] !== 0)) {
          if (n === changes.length) changes = grow(changes);
          changes[n++] = i;
          perColumn[i - row]++;
        }
      }
    }
  }
  // Counting sort of the changes by column (rows stay in order), then runs between them.
  const start = new Int32Array(width + 1);
  for (let x = 0; x < width; x++) start[x + 1] = start[x] + perColumn[x];
  const ys = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    const y = (changes[c] / stride) | 0;
    ys[start[changes[c] - y * stride]++] = y;
  }
  const counts: number[] = new Array(n + 1);
  let previous = 0;
  for (let x = 0, c = 0; x < width; x++) {
    for (const end = start[x]; c < end; c++) {
      const p = x * height + ys[c];
      counts[c] = p - previous;
      previous = p;
    }
  }
  counts[n] = width * height - previous;
  return counts;
}

/** A row-major mask (0/1) from RLE counts; throws unless they are whole, non-negative and add up to width * height. */
export function decodeRle(counts: ArrayLike<number>, width: number, height: number): Uint8Array {
  checkSize(width, height);
  const total = width * height;
  let sum = 0;
  for (let k = 0; k < counts.length; k++) {
    const n = counts[k];
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      throw new RangeError(`RLE count ${k} must be a non-negative whole number, got ${String(n)}.`);
    }
    sum += n;
  }
  if (sum !== total) {
    throw new RangeError(`RLE counts must add up to height * width = ${total}, they add up to ${sum}.`);
  }
  const mask = new Uint8Array(total);
  let pos = 0;
  for (let k = 0; k < counts.length; k++) {
    let n = counts[k];
    if (k % 2 === 1) {
      let x = Math.floor(pos / height);
      let y = pos - x * height;
      while (n > 0) {
        const len = Math.min(n, height - y);
        for (let i = y * width + x, end = (y + len) * width + x; i < end; i += width) mask[i] = 1;
        n -= len;
        x++;
        y = 0;
      }
    }
    pos += counts[k];
  }
  return mask;
}
