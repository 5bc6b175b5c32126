import { describe, expect, it } from "vitest";
import { type Planes, halvable, halveInto } from "../src/media/halfSize";

/** The reference conversion in floating point (ITU formulas), one YUV sample to RGB. */
function rgb(y: number, u: number, v: number, kr: number, kb: number, full: boolean): [number, number, number] {
  const kg = 1 - kr - kb;
  const yy = full ? y : ((y - 16) * 255) / 219;
  const cb = ((u - 128) * (full ? 1 : 255 / 224));
  const cr = ((v - 128) * (full ? 1 : 255 / 224));
  const clamp = (x: number) => Math.max(0, Math.min(255, Math.round(x)));
  return [clamp(yy + 2 * (1 - kr) * cr), clamp(yy - ((2 * kb * (1 - kb)) / kg) * cb - ((2 * kr * (1 - kr)) / kg) * cr), clamp(yy + 2 * (1 - kb) * cb)];
}

function unpack(word: number): [number, number, number, number] {
  return [word & 255, (word >>> 8) & 255, (word >>> 16) & 255, word >>> 24];
}

/** A picture of `width` x `height` with luma `luma(x, y)` and chroma `chroma(cx, cy)` at chroma resolution, as I420. */
function i420(width: number, height: number, luma: (x: number, y: number) => number, chroma: (x: number, y: number) => [number, number], stride = width + 3) {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const cstride = cw + 1;
  const ySize = stride * height;
  const data = new Uint8Array(ySize + 2 * cstride * ch);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * stride + x] = luma(x, y);
  for (let y = 0; y < ch; y++)
    for (let x = 0; x < cw; x++) {
      const [u, v] = chroma(x, y);
      data[ySize + y * cstride + x] = u;
      data[ySize + cstride * ch + y * cstride + x] = v;
    }
  const layout = [
    { offset: 0, stride },
    { offset: ySize, stride: cstride },
    { offset: ySize + cstride * ch, stride: cstride },
  ];
  return { data, layout, cw, ch, cstride, ySize };
}

const lumaOf = (x: number, y: number) => (16 + x * 23 + y * 41) % 236;
const chromaOf = (x: number, y: number): [number, number] => [(40 + x * 53 + y * 17) % 200 + 20, (220 - x * 31 - y * 29 + 400) % 200 + 20];

describe("halveInto", () => {
  it("converts each 2x2 block of luma with its chroma sample (BT.709, limited range)", () => {
    const { data, layout } = i420(8, 6, lumaOf, chromaOf);
    const out = new Uint32Array(4 * 3);
    halveInto({ format: "I420", width: 8, height: 6, data, layout, matrix: "bt709", fullRange: false }, out);
    for (let y = 0; y < 3; y++)
      for (let x = 0; x < 4; x++) {
        const mean = (lumaOf(2 * x, 2 * y) + lumaOf(2 * x + 1, 2 * y) + lumaOf(2 * x, 2 * y + 1) + lumaOf(2 * x + 1, 2 * y + 1)) / 4;
        const [u, v] = chromaOf(x, y);
        const want = rgb(Math.round(mean + 1e-9), u, v, 0.2126, 0.0722, false);
        const [r, g, b, a] = unpack(out[y * 4 + x]);
        expect(a).toBe(255);
        for (const [got, w] of [[r, want[0]], [g, want[1]], [b, want[2]]]) expect(Math.abs(got - w)).toBeLessThanOrEqual(1);
      }
  });

  it("uses the matrix and range the picture says", () => {
    const grey = i420(2, 2, () => 128, () => [200, 60]);
    const at = (matrix: string, fullRange: boolean) => {
      const out = new Uint32Array(1);
      halveInto({ format: "I420", width: 2, height: 2, data: grey.data, layout: grey.layout, matrix, fullRange }, out);
      return unpack(out[0]).slice(0, 3);
    };
    const cases: [string, boolean, number, number][] = [
      ["bt709", false, 0.2126, 0.0722],
      ["smpte170m", false, 0.299, 0.114],
      ["bt470bg", true, 0.299, 0.114],
      ["bt2020-ncl", false, 0.2627, 0.0593],
    ];
    for (const [matrix, full, kr, kb] of cases) {
      const want = rgb(128, 200, 60, kr, kb, full);
      const got = at(matrix, full);
      for (let i = 0; i < 3; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(1);
    }
    // An unknown or missing matrix is taken as BT.709 (HD video).
    expect(at("", false)).toEqual(at("bt709", false));
    // Different matrices give different colours: the test above would notice one ignored.
    expect(at("bt709", false)).not.toEqual(at("smpte170m", false));
  });

  it("gives the same pixels from NV12, I422 and I444 planes of the same picture", () => {
    const w = 6;
    const h = 4;
    const src = i420(w, h, lumaOf, chromaOf);
    const base = new Uint32Array((w >> 1) * (h >> 1));
    halveInto({ format: "I420", width: w, height: h, data: src.data, layout: src.layout }, base);

    // NV12: the same luma, then U and V interleaved.
    const nv = new Uint8Array(w * h + src.cw * 2 * src.ch);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) nv[y * w + x] = lumaOf(x, y);
    for (let y = 0; y < src.ch; y++)
      for (let x = 0; x < src.cw; x++) {
        const [u, v] = chromaOf(x, y);
        nv[w * h + y * src.cw * 2 + 2 * x] = u;
        nv[w * h + y * src.cw * 2 + 2 * x + 1] = v;
      }
    const fromNv = new Uint32Array(base.length);
    halveInto({ format: "NV12", width: w, height: h, data: nv, layout: [{ offset: 0, stride: w }, { offset: w * h, stride: src.cw * 2 }] }, fromNv);
    expect([...fromNv]).toEqual([...base]);

    // I422 and I444: chroma at full height (and width), each sample repeating the 4:2:0 one it covers.
    for (const [format, xs, ys] of [["I422", 1, 0], ["I444", 0, 0]] as const) {
      const cw = w >> xs;
      const ch = h >> ys;
      const planes = new Uint8Array(w * h + 2 * cw * ch);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) planes[y * w + x] = lumaOf(x, y);
      for (let y = 0; y < ch; y++)
        for (let x = 0; x < cw; x++) {
          const [u, v] = chromaOf((x << xs) >> 1, (y << ys) >> 1);
          planes[w * h + y * cw + x] = u;
          planes[w * h + cw * ch + y * cw + x] = v;
        }
      const out = new Uint32Array(base.length);
      const p: Planes = {
        format,
        width: w,
        height: h,
        data: planes,
        layout: [
          { offset: 0, stride: w },
          { offset: w * h, stride: cw },
          { offset: w * h + cw * ch, stride: cw },
        ],
      };
      halveInto(p, out);
      expect([...out]).toEqual([...base]);
    }
  });

  it("drops the last row and column of an odd-sized picture", () => {
    const { data, layout } = i420(5, 3, lumaOf, chromaOf);
    const out = new Uint32Array(2);
    halveInto({ format: "I420", width: 5, height: 3, data, layout }, out);
    const even = i420(4, 2, lumaOf, chromaOf);
    const want = new Uint32Array(2);
    halveInto({ format: "I420", width: 4, height: 2, data: even.data, layout: even.layout }, want);
    expect([...out]).toEqual([...want]);
  });

  it("refuses formats it cannot read and an output too small", () => {
    expect(halvable("I420")).toBe(true);
    expect(halvable("NV12")).toBe(true);
    expect(halvable("I420P10")).toBe(false);
    expect(halvable("RGBX")).toBe(false);
    expect(halvable(null)).toBe(false);
    const { data, layout } = i420(4, 4, lumaOf, chromaOf);
    expect(() => halveInto({ format: "RGBA", width: 4, height: 4, data, layout }, new Uint32Array(4))).toThrow(/RGBA/);
    expect(() => halveInto({ format: "I420", width: 4, height: 4, data, layout }, new Uint32Array(3))).toThrow(/3 pixels, not 4/);
  });
});
