// A volume's frames painted here from its values at full bit depth. The kernel sends each slice's
// values once (`_slice`: int16, uint16 or float32, maybe deflated); they are kept, bounded in
// bytes, and painted through the current window into canvases. A new window repaints what is kept
// (no round trip to the kernel), once per animation frame however often it is set. Reformats (the
// volume cut along its rows, axis 1, and its columns, axis 2) are fetched and kept the same way.

import type { MediaResponse, SliceRequest, SliceResponse } from "../protocol/messages";
import { type SliceValues, type Window, windowInto } from "../volume/window";
import { bytesOf } from "./bytes";
import type { FrameSource, Invoke } from "./frames";

export type VolumeMedia = Extract<MediaResponse, { kind: "volume" }>;

/** One cut of the volume: `height` rows of `width` values. */
export interface Slice {
  axis: number;
  index: number;
  width: number;
  height: number;
  values: SliceValues;
  min: number | null;
  max: number | null;
}

export interface VolumeHost {
  invoke: Invoke;
  say(message: string, error?: boolean): void;
}

export type VolumeEvent = { kind: "window" } | { kind: "requests" } | { kind: "slice"; axis: number; index: number };

/** Values kept, at most (a 512x512 int16 slice is 512 KiB: about 500 slices). */
export const CACHE_BYTES = 256 << 20;
/** Canvases frames are painted into, taken in turn (a frame arriving late never repaints the one on screen). */
const CANVASES = 3;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const TYPES = { int16: Int16Array, uint16: Uint16Array, float32: Float32Array } as const;

type Canvas = HTMLCanvasElement | OffscreenCanvas;

function newCanvas(width: number, height: number): Canvas {
  if (typeof document !== "undefined") {
    const c = document.createElement("canvas");
    c.width = width;
    c.height = height;
    return c;
  }
  return new OffscreenCanvas(width, height);
}

/** The values of a `_slice` answer, in a buffer of their own (aligned, little-endian read). */
export async function decodeSlice(header: SliceResponse, buffer: DataView): Promise<SliceValues> {
  let bytes: Uint8Array = bytesOf(buffer);
  if (header.encoding === "zlib") {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream("deflate"));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  } else if (header.encoding === "raw") bytes = bytes.slice();
  else throw new Error(`unknown slice encoding ${JSON.stringify(header.encoding)}`);
  const Type = TYPES[header.dtype];
  if (!Type) throw new Error(`unknown slice type ${JSON.stringify(header.dtype)}`);
  const count = header.width * header.height;
  if (bytes.byteLength !== count * Type.BYTES_PER_ELEMENT) {
    throw new Error(`a ${header.width}x${header.height} ${header.dtype} slice takes ${count * Type.BYTES_PER_ELEMENT} bytes, ${bytes.byteLength} came`);
  }
  if (LITTLE_ENDIAN) return new Type(bytes.buffer as ArrayBuffer, bytes.byteOffset, count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Type(count);
  for (let i = 0; i < count; i++) {
    out[i] = header.dtype === "int16" ? view.getInt16(i * 2, true) : header.dtype === "uint16" ? view.getUint16(i * 2, true) : view.getFloat32(i * 4, true);
  }
  return out;
}

/** ImageData kept per canvas, so that repainting allocates nothing. */
const pixels = new WeakMap<Canvas, { image: ImageData; words: Uint32Array }>();

/** Paint a slice through a window into a canvas of its size (resized when it is not); returns the milliseconds it took. */
export function paintSlice(slice: Slice, window: Window, canvas: Canvas): number {
  const t0 = performance.now();
  if (canvas.width !== slice.width || canvas.height !== slice.height) {
    canvas.width = slice.width;
    canvas.height = slice.height;
  }
  let kept = pixels.get(canvas);
  if (!kept || kept.image.width !== slice.width || kept.image.height !== slice.height) {
    const image = new ImageData(slice.width, slice.height);
    kept = { image, words: new Uint32Array(image.data.buffer) };
    pixels.set(canvas, kept);
  }
  windowInto(slice.values, window, kept.words, slice.min, slice.max);
  const ctx = canvas.getContext("2d") as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  ctx?.putImageData(kept.image, 0, 0);
  return performance.now() - t0;
}

export class VolumeFrames implements FrameSource {
  readonly kind = "volume" as const;
  window: Window;
  /** `_slice` requests sent so far. */
  requests = 0;
  /** Milliseconds the last painting of a frame took (windowing and putting its pixels). */
  paintMs = 0;
  private readonly slices = new Map<string, Promise<Slice | null>>();
  private readonly sizes = new Map<string, number>();
  private bytes = 0;
  private readonly canvases: { canvas: Canvas; slice: Slice | null }[] = [];
  private turn = 0;
  private readonly listeners = new Set<(e: VolumeEvent) => void>();
  private repaintScheduled = false;
  private closed = false;
  private filling = false;
  /** Whether the volume is on screen: only then is the rest of it read in the background (not for a row fetched ahead). */
  private shown = false;
  private around = 0;
  /** Slices asked for by the view (not by the background reading) and not yet here. */
  private foreground = 0;
  /** Background reading waiting for those to come. */
  private quiet: (() => void)[] = [];

  constructor(
    private readonly host: VolumeHost,
    readonly row: number,
    readonly space: string,
    readonly media: VolumeMedia,
  ) {
    this.window = { center: media.window[0], width: media.window[1] };
    const [, height, width] = media.shape;
    for (let i = 0; i < CANVASES; i++) this.canvases.push({ canvas: newCanvas(width, height), slice: null });
  }

  get frames(): number {
    return this.media.shape[0];
  }

  on(listener: (e: VolumeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: VolumeEvent): void {
    for (const l of this.listeners) l(e);
  }

  /**
   * The values of slice `index` along `axis` (0: a frame, 1: a row of every frame, 2: a column of
   * every frame); null if none came. `background`: asked for by the background reading, which
   * waits while slices the view asked for are on their way.
   */
  slice(axis: number, index: number, background = false): Promise<Slice | null> {
    const key = `${axis}/${index}`;
    let p = this.slices.get(key);
    if (p) {
      this.slices.delete(key);
      this.slices.set(key, p);
      return p;
    }
    const request: SliceRequest = { row: this.row, space: this.space, axis, index };
    this.requests++;
    this.emit({ kind: "requests" });
    p = this.host.invoke<SliceResponse>("_slice", request).then(async ([header, buffers]) => {
      if (header.error || !buffers.length) {
        this.host.say(header.error || `No values came for slice ${index} of ${this.space}.`, true);
        this.slices.delete(key);
        return null;
      }
      const values = await decodeSlice(header, buffers[0]);
      const slice: Slice = { axis, index, width: header.width, height: header.height, values, min: header.min, max: header.max };
      if (this.slices.get(key) === p) {
        this.sizes.set(key, values.byteLength);
        this.bytes += values.byteLength;
        this.evict();
      }
      this.emit({ kind: "slice", axis, index });
      return slice;
    });
    p.catch(() => this.slices.delete(key));
    this.slices.set(key, p);
    if (!background) {
      this.foreground++;
      const done = () => {
        if (--this.foreground > 0) return;
        const quiet = this.quiet;
        this.quiet = [];
        for (const resolve of quiet) resolve();
      };
      p.then(done, done);
    }
    return p;
  }

  /** Until no slice the view asked for is on its way (the background reading then goes on). */
  private async untilQuiet(): Promise<void> {
    while (this.foreground > 0 && !this.closed) await new Promise<void>((resolve) => this.quiet.push(resolve));
  }

  /** Forget the slices used longest ago while more than CACHE_BYTES are kept (those on their way stay). */
  private evict(): void {
    for (const key of this.slices.keys()) {
      if (this.bytes <= CACHE_BYTES) return;
      const size = this.sizes.get(key);
      if (size === undefined) continue;
      this.slices.delete(key);
      this.sizes.delete(key);
      this.bytes -= size;
    }
  }

  /** Bytes of values kept. */
  get keptBytes(): number {
    return this.bytes;
  }

  async frame(frame: number): Promise<CanvasImageSource | null> {
    const slice = await this.slice(0, frame);
    if (!slice || this.closed) return null;
    const held = this.canvases[this.turn];
    this.turn = (this.turn + 1) % this.canvases.length;
    held.slice = slice;
    this.paintMs = paintSlice(slice, this.window, held.canvas);
    // The slices either side, for a step back as well as forward.
    if (frame > 0) void this.slice(0, frame - 1).catch(() => undefined);
    this.around = frame;
    if (this.shown && !this.filling) void this.fill();
    return held.canvas as CanvasImageSource;
  }

  /** The volume is on screen: read the rest of it in the background from the slice shown. */
  show(): void {
    this.shown = true;
    if (!this.filling) void this.fill();
  }

  /**
   * Read the rest of the volume in the background, one slice at a time, nearest the slice shown
   * first, while the cache has room: then any slice change is painted from values already here.
   * It pauses while a slice the view asked for is on its way, so that slice's answer and its
   * inflating do not share the kernel and the page's thread with the next background slice.
   */
  private async fill(): Promise<void> {
    this.filling = true;
    try {
      for (;;) {
        await this.untilQuiet();
        if (this.closed) return;
        let next = -1;
        for (let d = 1; d < this.frames && next < 0; d++) {
          for (const f of [this.around + d, this.around - d]) {
            if (f >= 0 && f < this.frames && !this.slices.has(`0/${f}`)) {
              next = f;
              break;
            }
          }
        }
        const size = this.media.shape[1] * this.media.shape[2] * 4;
        if (next < 0 || this.bytes + 2 * size > CACHE_BYTES) return;
        if ((await this.slice(0, next, true).catch(() => null)) === null) return;
      }
    } finally {
      this.filling = false;
    }
  }

  prefetch(from: number, count: number): void {
    const last = Math.min(this.frames - 1, from + count - 1);
    for (let f = Math.max(0, from); f <= last; f++) void this.slice(0, f).catch(() => undefined);
  }

  /** Show the volume through another window: what is painted is repainted at the next animation frame, from the values kept. */
  setWindow(window: Window): void {
    if (!Number.isFinite(window.center) || !Number.isFinite(window.width)) return;
    this.window = { center: window.center, width: window.width };
    if (this.repaintScheduled) return;
    this.repaintScheduled = true;
    const repaint = () => {
      this.repaintScheduled = false;
      if (this.closed) return;
      // Only the canvas last handed out is on screen; the others are repainted when handed out.
      const held = this.canvases[(this.turn + this.canvases.length - 1) % this.canvases.length];
      if (held.slice) this.paintMs = paintSlice(held.slice, this.window, held.canvas);
      this.emit({ kind: "window" });
    };
    if (typeof requestAnimationFrame === "function") requestAnimationFrame(repaint);
    else setTimeout(repaint, 0);
  }

  close(): void {
    this.closed = true;
    this.slices.clear();
    this.sizes.clear();
    this.bytes = 0;
    this.listeners.clear();
  }
}
