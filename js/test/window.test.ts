// The browser's window must give the kernel's pixels: every expected level below was computed with
// labelspace.media._volume.apply_window on the same values (float values as float32, as they travel).

import { describe, expect, it } from "vitest";
import { DRAG_SPAN, dragWindow, greyOf, windowInto, windowValue } from "../src/volume/window";

// [values, [center, width], levels from apply_window]
const REFERENCE: [number[], [number, number], number[]][] = [
  [[-1024, -160, 0, 40, 240, 3071], [40, 400], [0, 0, 102, 128, 255, 255]],
  // t * 255 on a half (25.5, 76.5, 127.5, 178.5, 229.5) rounds up
  [[-33, 0, 1, 7, 10, 30], [0, 20], [0, 128, 140, 217, 255, 255]],
  [[-8, -4, 4, 8], [0, 20], [26, 77, 179, 230]],
  [[0.5, 1.5, 2.5, 127.5, 254.5], [127.5, 255], [1, 2, 3, 128, 255]],
  [[1.0, NaN, Infinity, -Infinity, -0.25], [0.5, 1.0], [255, 0, 255, 0, 0]],
  [[0.10000000149011612, 0.20000000298023224, 0.33329999446868896, 0.699999988079071], [0.4, 0.6], [0, 43, 99, 255]],
  [[-1.25, 0.0, 2.75, 1.0000000150474662e30], [1.0, 7.5], [51, 94, 187, 255]],
  [[5, 6, 7], [6, -10], [0, 0, 0]],
  [[5, 6, 7], [6, 0], [0, 0, 0]],
  [[-50, 3, 17], [1, 3], [0, 255, 255]],
  [[0, 1000, 32768, 65535], [32768, 65535], [0, 4, 128, 255]],
  [[-600, -1350, 150, 100], [-600, 1500], [128, 0, 255, 247]],
];

const levels = (out: Uint32Array) => Array.from(out, greyOf);

describe("window", () => {
  it.each(REFERENCE)("%j through %j gives the kernel's levels", (values, [center, width], expected) => {
    expect(values.map((v) => windowValue(v, center, width))).toEqual(expected);
  });

  it("windows whole slices of every type as value by value", () => {
    for (const [values, [center, width], expected] of REFERENCE) {
      const integer = values.every((v) => Number.isInteger(v));
      const slices = integer
        ? [values.every((v) => v >= -32768 && v < 32768) ? Int16Array.from(values) : Uint16Array.from(values)]
        : [Float32Array.from(values)];
      for (const slice of slices) {
        const out = new Uint32Array(slice.length);
        const finite = values.filter(Number.isFinite);
        // through the table (integers with their range) and directly (no range given)
        windowInto(slice, { center, width }, out, integer ? Math.min(...finite) : null, integer ? Math.max(...finite) : null);
        expect(levels(out)).toEqual(expected);
        out.fill(7);
        windowInto(slice, { center, width }, out);
        expect(levels(out)).toEqual(expected);
      }
    }
  });

  it("paints opaque grey pixels", () => {
    const out = new Uint32Array(1);
    windowInto(Int16Array.of(40), { center: 40, width: 400 }, out, 40, 40);
    expect([...new Uint8Array(out.buffer)]).toEqual([128, 128, 128, 255]);
  });

  it("a drag right widens the window, down raises its center, by the range per span", () => {
    const start = { center: 40, width: 400 };
    expect(dragWindow(start, DRAG_SPAN / 4, 0, [-1024, 3072])).toEqual({ center: 40, width: 1424 });
    expect(dragWindow(start, 0, -DRAG_SPAN / 8, [-1024, 3072])).toEqual({ center: -472, width: 400 });
    expect(dragWindow(start, -10 * DRAG_SPAN, 0, [-1024, 3072]).width).toBeGreaterThan(0);
  });
});
