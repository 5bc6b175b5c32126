import { describe, expect, it } from "vitest";
import type { Pt } from "../src/core/shapes";
import {
  type DirtyRect,
  decodeRle,
  emptyRect,
  encodeRle,
  fillPolygon,
  fillRings,
  isEmptyRect,
  maskArea,
  maskBounds,
  stampDisc,
  stampSegment,
  unionRect,
} from "../src/core/mask";

/** A small deterministic random number generator (mulberry32) so failures can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The reference encoding: read column by column, runs starting with zeros. */
function naiveEncode(mask: Uint8Array, width: number, height: number): number[] {
  const counts: number[] = [];
  let current = 0;
  let run = 0;
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const v = mask[y * width + x] ? 1 : 0;
      if (v !== current) {
        counts.push(run);
        run = 0;
        current = v;
      }
      run++;
    }
  }
  counts.push(run);
  return counts;
}

/** How many 8-connected pieces the set pixels make. */
function pieces(mask: Uint8Array, width: number, height: number): number {
  const seen = new Uint8Array(mask.length);
  let count = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    count++;
    const stack = [start];
    seen[start] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % width;
      const y = Math.floor(i / width);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          const j = ny * width + nx;
          if (nx >= 0 && ny >= 0 && nx < width && ny < height && mask[j] && !seen[j]) {
            seen[j] = 1;
            stack.push(j);
          }
        }
      }
    }
  }
  return count;
}

const setPixels = (mask: Uint8Array, width: number): [number, number][] =>
  Array.from(mask).flatMap((v, i) => (v ? [[i % width, Math.floor(i / width)] as [number, number]] : []));

describe("RLE as the model writes it", () => {
  it("matches fixtures printed by Python's BitmaskCoordinates", () => {
    // cd /work/main && .venv/bin/python: rng = np.random.default_rng(7); m = rng.random((5, 7)) < 0.4;
    // m[0, 0] = m[4, 6] = True; coordinates_to_wire(BitmaskCoordinates(m)) printed these counts
    // (and pycocotools.mask.decode of them gives m back: COCO's uncompressed RLE).
    const rows = [
      [1, 0, 0, 1, 1, 0, 1],
      [0, 0, 0, 1, 1, 1, 0],
      [0, 0, 0, 0, 0, 0, 1],
      [1, 0, 1, 1, 0, 0, 0],
      [0, 0, 0, 1, 1, 1, 1],
    ];
    const counts = [0, 1, 2, 1, 9, 1, 1, 2, 1, 4, 2, 1, 1, 1, 2, 2, 1, 1, 1, 1];
    const mask = Uint8Array.from(rows.flat());
    expect(encodeRle(mask, 7, 5)).toEqual(counts);
    expect(decodeRle(counts, 7, 5)).toEqual(mask);
    // All clear and all set, 3 wide and 2 high: [6] and [0, 6].
    expect(encodeRle(new Uint8Array(6), 3, 2)).toEqual([6]);
    expect(encodeRle(new Uint8Array(6).fill(1), 3, 2)).toEqual([0, 6]);
    expect(decodeRle([0, 6], 3, 2)).toEqual(new Uint8Array(6).fill(1));
  });

  it("round trips random masks, empty, full and first or last pixel set", () => {
    const random = rng(42);
    const sizes: [number, number][] = [[1, 1], [1, 9], [9, 1], [7, 5], [16, 16], [33, 17], [64, 3]];
    for (const [w, h] of sizes) {
      const cases: Uint8Array[] = [new Uint8Array(w * h), new Uint8Array(w * h).fill(1)];
      const first = new Uint8Array(w * h);
      first[0] = 1;
      const last = new Uint8Array(w * h);
      last[w * h - 1] = 1;
      cases.push(first, last);
      for (const density of [0.05, 0.5, 0.95]) cases.push(Uint8Array.from({ length: w * h }, () => (random() < density ? 1 : 0)));
      // A blob away from the edges, where encoding skips the empty rows and columns.
      const blob = new Uint8Array(w * h);
      for (let y = Math.floor(h / 3); y < Math.ceil((2 * h) / 3); y++) for (let x = Math.floor(w / 3); x < Math.ceil((2 * w) / 3); x++) blob[y * w + x] = random() < 0.7 ? 1 : 0;
      cases.push(blob);
      for (const mask of cases) {
        const counts = encodeRle(mask, w, h);
        expect(counts).toEqual(naiveEncode(mask, w, h));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(w * h);
        expect(counts.slice(1).every((c) => c > 0)).toBe(true); // maximal runs: only the first may be 0
        expect(decodeRle(counts, w, h)).toEqual(mask);
      }
    }
    // Nonzero is set; read column by column, [[0, 2], [0, 255]] is 0, 0, 1, 1.
    expect(encodeRle(Uint8Array.from([0, 2, 0, 255]), 2, 2)).toEqual([2, 2]);
    expect(encodeRle(Uint8Array.from([3, 0, 0, 1]), 2, 2)).toEqual([0, 1, 2, 1]);
  });

  it("decoding accepts zero runs in the middle and typed arrays", () => {
    // Column by column 0, 0, 0, 1: the last pixel read is the bottom right.
    expect(decodeRle(Int32Array.from([1, 0, 2, 1]), 2, 2)).toEqual(Uint8Array.from([0, 0, 0, 1]));
    expect(decodeRle([1, 1, 2], 2, 2)).toEqual(Uint8Array.from([0, 0, 1, 0])); // the second read is (0, 1)
  });

  it("decoding refuses counts that do not add up, negative or fractional runs", () => {
    expect(() => decodeRle([5], 2, 2)).toThrow(/add up to height \* width = 4, they add up to 5/);
    expect(() => decodeRle([5, -1], 2, 2)).toThrow(/non-negative/);
    expect(() => decodeRle([1.5, 2.5], 2, 2)).toThrow(/whole/);
    expect(() => decodeRle([4], 0, 4)).toThrow(/positive whole width and height/);
    expect(() => encodeRle(new Uint8Array(3), 2, 2)).toThrow(/3 pixels/);
  });

  it("is fast on a 3840 x 2160 mask", () => {
    const w = 3840;
    const h = 2160;
    const blob = new Uint8Array(w * h);
    stampDisc(blob, w, h, 1900, 1000, 400, 1);
    const noisy = new Uint8Array(w * h);
    const random = rng(1);
    for (let i = 0; i < noisy.length; i += 1 + Math.floor(random() * 64)) noisy[i] = 1;
    const full = new Uint8Array(w * h).fill(1);
    const time = (label: string, f: () => unknown): void => {
      f(); // warm up
      const t0 = performance.now();
      const runs = 5;
      for (let i = 0; i < runs; i++) f();
      console.log(`${label}: ${((performance.now() - t0) / runs).toFixed(1)} ms`);
    };
    const empty = new Uint8Array(w * h);
    time("encode 3840x2160 empty", () => encodeRle(empty, w, h));
    time("encode 3840x2160 disc r=400", () => encodeRle(blob, w, h));
    time("encode 3840x2160 sparse noise", () => encodeRle(noisy, w, h));
    time("encode 3840x2160 all set", () => encodeRle(full, w, h));
    const counts = encodeRle(noisy, w, h);
    time(`decode 3840x2160 sparse noise (${counts.length} runs)`, () => decodeRle(counts, w, h));
    const back = decodeRle(counts, w, h);
    let differ = 0;
    for (let i = 0; i < back.length; i++) if (back[i] !== noisy[i]) differ++;
    expect(differ).toBe(0);
    expect(encodeRle(full, w, h)).toEqual([0, w * h]);
    expect(encodeRle(blob, w, h)).toEqual(naiveEncode(blob, w, h));
  });
});

describe("brush and eraser", () => {
  it("a disc sets the pixels whose centres are within the radius; the eraser clears them", () => {
    const w = 20;
    const h = 20;
    const mask = new Uint8Array(w * h);
    const dirty = stampDisc(mask, w, h, 10, 10, 3, 1);
    const expected: [number, number][] = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (Math.hypot(x + 0.5 - 10, y + 0.5 - 10) <= 3) expected.push([x, y]);
    expect(setPixels(mask, w)).toEqual(expected);
    expect(dirty).toEqual({ x0: 7, y0: 7, x1: 13, y1: 13 });
    // Erase a smaller disc in the middle: a ring is left.
    const erased = stampDisc(mask, w, h, 10, 10, 1.5, 0);
    expect(erased).toEqual({ x0: 9, y0: 9, x1: 11, y1: 11 }); // (8, 9)'s centre is 1.58 away
    const left = new Set(setPixels(mask, w).map(([x, y]) => `${x},${y}`));
    for (const [x, y] of expected) expect(left.has(`${x},${y}`)).toBe(Math.hypot(x + 0.5 - 10, y + 0.5 - 10) > 1.5);
    // Stamping again changes nothing: an empty dirty rect.
    expect(isEmptyRect(stampDisc(mask, w, h, 10, 10, 1.5, 0))).toBe(true);
  });

  it("a tiny brush still paints the pixel under the pointer; discs are clipped to the image", () => {
    const mask = new Uint8Array(100);
    expect(stampDisc(mask, 10, 10, 3.9, 4.1, 0.1, 1)).toEqual({ x0: 3, y0: 4, x1: 4, y1: 5 });
    expect(setPixels(mask, 10)).toEqual([[3, 4]]);
    const corner = new Uint8Array(100);
    const d = stampDisc(corner, 10, 10, 0, 0, 2, 1);
    expect(d).toEqual({ x0: 0, y0: 0, x1: 2, y1: 2 });
    expect(maskArea(corner)).toBe(3); // (0,0), (1,0), (0,1): (1,1)'s centre is 2.12 away
    expect(isEmptyRect(stampDisc(new Uint8Array(100), 10, 10, -50, -50, 3, 1))).toBe(true);
  });

  it("a disc touches only its bounding square", () => {
    const w = 3840;
    const h = 2160;
    const mask = new Uint8Array(w * h);
    // A sentinel value (2) outside the disc's square must survive: the stamp never writes there.
    mask.fill(2);
    for (let y = 95; y <= 105; y++) mask.fill(0, y * w + 95, y * w + 106);
    stampDisc(mask, w, h, 100.5, 100.5, 5, 1);
    let touchedOutside = 0;
    for (let i = 0; i < mask.length; i++) {
      const x = i % w;
      const y = Math.floor(i / w);
      if ((x < 95 || x > 105 || y < 95 || y > 105) && mask[i] !== 2) touchedOutside++;
    }
    expect(touchedOutside).toBe(0);
  });

  it("a fast stroke leaves no gaps", () => {
    const w = 200;
    const h = 120;
    for (const [a, b] of [
      [{ x: 5, y: 5 }, { x: 195, y: 115 }],
      [{ x: 10.3, y: 100.7 }, { x: 180.2, y: 3.1 }],
      [{ x: 20, y: 60 }, { x: 190, y: 60 }],
      [{ x: 100, y: 2 }, { x: 100, y: 118 }],
    ] as [Pt, Pt][]) {
      for (const radius of [0, 0.5, 1, 4]) {
        const mask = new Uint8Array(w * h);
        const dirty = stampSegment(mask, w, h, a, b, radius, 1);
        // No gaps: the painted pixels are one 8-connected piece holding both ends' pixels and, from a
        // radius of 1 (any pixel the segment crosses has its centre within 0.71), every pixel crossed.
        expect(pieces(mask, w, h)).toBe(1);
        for (const p of [a, b]) expect(mask[Math.floor(p.y) * w + Math.floor(p.x)]).toBe(1);
        if (radius >= 1) {
          for (let t = 0; t <= 1; t += 1 / 2000) {
            const x = Math.floor(a.x + t * (b.x - a.x));
            const y = Math.floor(a.y + t * (b.y - a.y));
            expect(mask[y * w + x]).toBe(1);
          }
        }
        // Every set pixel is within the (at least half-pixel) radius of the segment, or under an end.
        const r = Math.max(0.5, radius);
        for (const [x, y] of setPixels(mask, w)) {
          const dx = b.x - a.x;
          const dy = b.y - a.y;
          const t = Math.max(0, Math.min(1, ((x + 0.5 - a.x) * dx + (y + 0.5 - a.y) * dy) / (dx * dx + dy * dy)));
          const d = Math.hypot(a.x + t * dx - x - 0.5, a.y + t * dy - y - 0.5);
          const underEnd = [a, b].some((p) => Math.floor(p.x) === x && Math.floor(p.y) === y);
          expect(d <= r + 1e-9 || underEnd).toBe(true);
        }
        const box = maskBounds(mask, w, h)!;
        expect(dirty).toEqual({ x0: box.x, y0: box.y, x1: box.x + box.w, y1: box.y + box.h });
      }
    }
  });

  it("brush strokes then an eraser stroke leave the expected pixels", () => {
    const w = 40;
    const h = 20;
    const mask = new Uint8Array(w * h);
    stampSegment(mask, w, h, { x: 5, y: 10 }, { x: 35, y: 10 }, 3, 1);
    const painted = maskArea(mask);
    expect(maskBounds(mask, w, h)).toEqual({ x: 2, y: 7, w: 36, h: 6 });
    const dirty = stampSegment(mask, w, h, { x: 20.5, y: 0 }, { x: 20.5, y: 20 }, 1, 0);
    expect(dirty).toEqual({ x0: 19, y0: 7, x1: 22, y1: 13 });
    expect(maskArea(mask)).toBe(painted - 18);
    for (let y = 0; y < h; y++) for (let x = 19; x <= 21; x++) expect(mask[y * w + x]).toBe(0);
    expect(mask[10 * w + 18]).toBe(1);
    expect(mask[10 * w + 22]).toBe(1);
  });
});

describe("polygon fill", () => {
  it("a rectangle sets exactly its pixels", () => {
    const w = 12;
    const h = 10;
    const mask = new Uint8Array(w * h);
    const dirty = fillPolygon(mask, w, h, [{ x: 2, y: 3 }, { x: 7, y: 3 }, { x: 7, y: 8 }, { x: 2, y: 8 }], 1);
    const expected: [number, number][] = [];
    for (let y = 3; y < 8; y++) for (let x = 2; x < 7; x++) expected.push([x, y]);
    expect(setPixels(mask, w)).toEqual(expected);
    expect(dirty).toEqual({ x0: 2, y0: 3, x1: 7, y1: 8 });
    expect(isEmptyRect(fillPolygon(mask, w, h, [{ x: 2, y: 3 }, { x: 7, y: 3 }, { x: 7, y: 8 }], 1))).toBe(true); // all set already
  });

  it("fills by pixel centres, even-odd, clipped to the image", () => {
    const w = 10;
    const h = 10;
    const tri = new Uint8Array(w * h);
    fillPolygon(tri, w, h, [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 0, y: 10 }], 1);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expect(tri[y * w + x]).toBe(x + 0.5 + (y + 0.5) < 10 ? 1 : 0);
    const holed = new Uint8Array(w * h);
    fillRings(holed, w, h, [[{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }, { x: 0, y: 10 }], [{ x: 3, y: 3 }, { x: 7, y: 3 }, { x: 7, y: 7 }, { x: 3, y: 7 }]], 1);
    expect(maskArea(holed)).toBe(100 - 16);
    expect(holed[5 * w + 5]).toBe(0);
    const big = new Uint8Array(w * h);
    fillPolygon(big, w, h, [{ x: -50, y: -50 }, { x: 50, y: -50 }, { x: 50, y: 50 }, { x: -50, y: 50 }], 1);
    expect(maskArea(big)).toBe(100);
    const dirty = fillPolygon(big, w, h, [{ x: 1, y: 1 }, { x: 3, y: 1 }, { x: 3, y: 3 }, { x: 1, y: 3 }], 0);
    expect(dirty).toEqual({ x0: 1, y0: 1, x1: 3, y1: 3 });
    expect(maskArea(big)).toBe(96);
  });
});

describe("bounds and rectangles", () => {
  it("maskBounds finds the set pixels' box, null when none", () => {
    const w = 13;
    const h = 7;
    const mask = new Uint8Array(w * h);
    expect(maskBounds(mask, w, h)).toBeNull();
    mask[2 * w + 9] = 1;
    expect(maskBounds(mask, w, h)).toEqual({ x: 9, y: 2, w: 1, h: 1 });
    mask[5 * w + 1] = 1;
    mask[3 * w + 12] = 1;
    expect(maskBounds(mask, w, h)).toEqual({ x: 1, y: 2, w: 12, h: 4 });
    // A mask that is a view into a larger buffer at an odd offset.
    const buffer = new Uint8Array(w * h + 3);
    buffer.set(mask, 3);
    expect(maskBounds(buffer.subarray(3), w, h)).toEqual({ x: 1, y: 2, w: 12, h: 4 });
    const random = rng(9);
    for (let k = 0; k < 50; k++) {
      const m = Uint8Array.from({ length: w * h }, () => (random() < 0.03 ? 1 : 0));
      const px = setPixels(m, w);
      const box = maskBounds(m, w, h);
      if (!px.length) expect(box).toBeNull();
      else {
        const xs = px.map((p) => p[0]);
        const ys = px.map((p) => p[1]);
        expect(box).toEqual({ x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs) + 1, h: Math.max(...ys) - Math.min(...ys) + 1 });
      }
    }
  });

  it("unionRect ignores empty rectangles", () => {
    const a: DirtyRect = { x0: 1, y0: 2, x1: 3, y1: 4 };
    const b: DirtyRect = { x0: 5, y0: 0, x1: 6, y1: 3 };
    expect(unionRect(a, b)).toEqual({ x0: 1, y0: 0, x1: 6, y1: 4 });
    expect(unionRect(a, emptyRect())).toEqual(a);
    expect(unionRect(emptyRect(), b)).toEqual(b);
    expect(isEmptyRect(unionRect(emptyRect(), { x0: 5, y0: 5, x1: 5, y1: 9 }))).toBe(true);
  });
});
