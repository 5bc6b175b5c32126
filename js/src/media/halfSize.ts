// Decoded video pictures at half their size, in RGB, for a view that shows them at half size or
// less (a 1920x1080 video in a 960-pixel canvas). Without a GPU, drawing a decoded picture makes
// the browser convert all of its pixels from YUV and then scale them down: about 15 ms a 1080p
// frame on two cores, the whole budget of a 60 Hz display. Halving reads the picture's planes
// (`VideoFrame.copyTo`) and converts each 2x2 block of luma with its one chroma sample (4:2:0
// chroma is already half size) into one RGB pixel: a quarter of the pixels, no scaling pass, and
// drawing the result costs under a millisecond.

/** The pixel formats halved here (8 bits a sample); others are drawn as decoded. */
const CHROMA: Record<string, { planes: number; interleaved: boolean; xShift: number; yShift: number }> = {
  I420: { planes: 3, interleaved: false, xShift: 1, yShift: 1 },
  I420A: { planes: 3, interleaved: false, xShift: 1, yShift: 1 },
  I422: { planes: 3, interleaved: false, xShift: 1, yShift: 0 },
  I444: { planes: 3, interleaved: false, xShift: 0, yShift: 0 },
  NV12: { planes: 2, interleaved: true, xShift: 1, yShift: 1 },
};

/** Luma weights (Kr, Kb) of the matrices a decoder reports. BT.709 when none is said (HD video). */
const MATRIX: Record<string, [number, number]> = {
  bt709: [0.2126, 0.0722],
  bt470bg: [0.299, 0.114],
  smpte170m: [0.299, 0.114],
  "bt2020-ncl": [0.2627, 0.0593],
};

export interface Planes {
  format: string;
  width: number;
  height: number;
  data: Uint8Array;
  layout: readonly { offset: number; stride: number }[];
  matrix?: string | null;
  fullRange?: boolean | null;
}

/** Whether pictures of this format can be halved. */
export function halvable(format: string | null): boolean {
  return format !== null && format in CHROMA;
}

/**
 * Convert `planes` into `out` at half size (width >> 1 by height >> 1, RGBA in memory order, one
 * 32-bit word a pixel on a little-endian machine, as every browser is). Each output pixel is the
 * mean of a 2x2 block of luma with the chroma sample over it.
 */
export function halveInto(planes: Planes, out: Uint32Array): void {
  const chroma = CHROMA[planes.format];
  if (!chroma) throw new Error(`cannot halve pictures in ${planes.format}`);
  const w = planes.width >> 1;
  const h = planes.height >> 1;
  if (out.length < w * h) throw new Error(`the output holds ${out.length} pixels, not ${w * h}`);
  const [kr, kb] = MATRIX[planes.matrix ?? ""] ?? MATRIX.bt709;
  const kg = 1 - kr - kb;
  const full = planes.fullRange === true;
  // 16-bit fixed point: (Y - yOff) * yk + c * chroma weight, then >> 16.
  const ys = full ? 1 : 255 / 219;
  const cs = full ? 1 : 255 / 224;
  const yOff = full ? 0 : 16;
  const F = 65536;
  const yk = Math.round(ys * F);
  const rv = Math.round(2 * (1 - kr) * cs * F);
  const bu = Math.round(2 * (1 - kb) * cs * F);
  const gu = Math.round(((2 * kb * (1 - kb)) / kg) * cs * F);
  const gv = Math.round(((2 * kr * (1 - kr)) / kg) * cs * F);
  const { data, layout } = planes;
  const yO = layout[0].offset;
  const yS = layout[0].stride;
  const uO = layout[1].offset;
  const uS = layout[1].stride;
  const vO = chroma.interleaved ? uO + 1 : layout[2].offset;
  const vS = chroma.interleaved ? uS : layout[2].stride;
  // Chroma sample of output pixel (x, y): column (2x >> xShift) * step, row 2y >> yShift.
  const cx = chroma.interleaved ? 2 : 2 >> chroma.xShift;
  let k = 0;
  for (let y = 0; y < h; y++) {
    const r0 = yO + 2 * y * yS;
    const r1 = r0 + yS;
    const cy = (2 * y) >> chroma.yShift;
    const ur = uO + cy * uS;
    const vr = vO + cy * vS;
    for (let x = 0; x < w; x++) {
      const x2 = 2 * x;
      const luma = (data[r0 + x2] + data[r0 + x2 + 1] + data[r1 + x2] + data[r1 + x2 + 1] + 2) >> 2;
      const u = data[ur + x * cx] - 128;
      const v = data[vr + x * cx] - 128;
      const c = (luma - yOff) * yk + 32768;
      let r = (c + rv * v) >> 16;
      let g = (c - gu * u - gv * v) >> 16;
      let b = (c + bu * u) >> 16;
      r = r < 0 ? 0 : r > 255 ? 255 : r;
      g = g < 0 ? 0 : g > 255 ? 255 : g;
      b = b < 0 ? 0 : b > 255 ? 255 : b;
      out[k++] = (0xff000000 | (b << 16) | (g << 8) | r) >>> 0;
    }
  }
}

/** Halves decoded pictures one at a time, where it runs (its buffers are reused). */
export class HalfCanvas {
  private buffer = new Uint8Array(0);
  private canvas: OffscreenCanvas | null = null;
  private context: OffscreenCanvasRenderingContext2D | null = null;
  private image: ImageData | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** Whether pictures can be halved here at all. */
  static available(): boolean {
    return typeof OffscreenCanvas !== "undefined" && typeof ImageData !== "undefined";
  }

  /** `picture` at half size, or null when it cannot be halved (its format, or it was closed meanwhile). */
  halve(picture: VideoFrame): Promise<ImageBitmap | null> {
    const next = this.queue.then(() => this.run(picture));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(picture: VideoFrame): Promise<ImageBitmap | null> {
    const rect = picture.visibleRect;
    if (!halvable(picture.format) || !rect || rect.width < 2 || rect.height < 2) return null;
    let layout: PlaneLayout[];
    try {
      const size = picture.allocationSize();
      if (this.buffer.length < size) this.buffer = new Uint8Array(size);
      layout = await picture.copyTo(this.buffer);
    } catch {
      return null; // closed (dropped from the cache) before it was read
    }
    const w = rect.width >> 1;
    const h = rect.height >> 1;
    if (!this.canvas || this.canvas.width !== w || this.canvas.height !== h) {
      this.canvas = new OffscreenCanvas(w, h);
      this.context = this.canvas.getContext("2d");
      this.image = new ImageData(w, h);
    }
    if (!this.context || !this.image) return null;
    halveInto(
      {
        format: picture.format!,
        width: rect.width,
        height: rect.height,
        data: this.buffer,
        layout,
        matrix: picture.colorSpace?.matrix,
        fullRange: picture.colorSpace?.fullRange,
      },
      new Uint32Array(this.image.data.buffer),
    );
    this.context.putImageData(this.image, 0, 0);
    return this.canvas.transferToImageBitmap();
  }
}
