// Halving decoded pictures (halfSize.ts) in a worker, so the page's thread only draws them: the
// conversion of a 1080p picture takes several milliseconds that stepping and playing need for
// drawing. Where a worker cannot start (no OffscreenCanvas in workers, a page that forbids workers
// made from a script), the pictures are halved on the page's thread instead.

import { HalfCanvas } from "./halfSize";

/** The worker's script, put here by the build (build.mjs); absent in unit tests. */
declare const LABELSPACE_HALF_WORKER: string;

export class Halver {
  private worker: Worker | null = null;
  private local: HalfCanvas | null = null;
  private readonly pending = new Map<number, (bitmap: ImageBitmap | null) => void>();
  private count = 0;

  static available(): boolean {
    return HalfCanvas.available();
  }

  constructor() {
    if (typeof LABELSPACE_HALF_WORKER !== "string" || typeof Worker === "undefined") return;
    try {
      const url = URL.createObjectURL(new Blob([LABELSPACE_HALF_WORKER], { type: "text/javascript" }));
      this.worker = new Worker(url);
      URL.revokeObjectURL(url);
    } catch {
      this.worker = null;
      return;
    }
    this.worker.onmessage = (e: MessageEvent<{ id: number; bitmap: ImageBitmap | null }>) => {
      const resolve = this.pending.get(e.data.id);
      this.pending.delete(e.data.id);
      if (resolve) resolve(e.data.bitmap);
      else e.data.bitmap?.close();
    };
    // A worker that fails (it could not load, say): halve here from now on; what it had is not halved.
    this.worker.onerror = () => this.stopWorker();
  }

  /** `picture` at half size, or null when it cannot be halved (its format, or it was closed meanwhile). */
  halve(picture: VideoFrame): Promise<ImageBitmap | null> {
    if (!this.worker) return (this.local ??= new HalfCanvas()).halve(picture);
    let copy: VideoFrame;
    try {
      copy = picture.clone(); // the same pixels, without copying them; the worker closes it
    } catch {
      return Promise.resolve(null); // closed meanwhile
    }
    const id = ++this.count;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.worker!.postMessage({ id, picture: copy }, [copy]);
    });
  }

  close(): void {
    this.stopWorker();
  }

  private stopWorker(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const resolve of this.pending.values()) resolve(null);
    this.pending.clear();
  }
}
