// Where the pictures of a row's spaces come from. The kernel says how each space's media travel
// (`_media`): a video as compressed packets decoded here by WebCodecs, a volume as slices of values
// windowed here, anything else as encoded images (`_image`). A source that cannot work in this
// browser (no WebCodecs, a codec it cannot decode, a decoder error) falls back to encoded images.

import { reduceImage } from "../canvas/stage";
import type { ImageRequest, ImageResponse, MediaResponse, VideoPart } from "../protocol/messages";
import { bytesOf } from "./bytes";
import { VideoFrames } from "./videoFrames";

export type Invoke = <T>(name: string, msg?: unknown) => Promise<[T, DataView[]]>;

/** The frames of one space. */
export interface FrameSource {
  readonly kind: "frames" | "video" | "volume";
  /** Frame `frame`, ready to draw; null when none came (the reason has been said). */
  frame(frame: number): Promise<CanvasImageSource | null>;
  /** Get frames `from` to `from + count - 1` ready ahead of need. */
  prefetch(from: number, count: number): void;
  /**
   * While playing: the frame to show next when the clock says `due` and `after` is on screen. A
   * source that decodes in order gives the latest frame it has ready up to `due`, or the one after
   * `after` when none is (asking for `due` would drop what it is decoding); others give `due`.
   */
  playable?(after: number, due: number): number;
  close(): void;
}

/** Makes the source of a volume (volumeFrames.ts); null keeps volumes as encoded images. */
/** `invoke` is the sources' own (what it receives is counted). */
export type VolumeFactory = (row: number, space: string, media: Extract<MediaResponse, { kind: "volume" }>, invoke: Invoke) => FrameSource | null;

export interface FrameSourcesHost {
  invoke: Invoke;
  say(message: string, error?: boolean): void;
  /** The scale an image of this size is drawn at when fitted (a reduced copy is kept below 0.5). */
  fitScale(width: number, height: number): number;
  volume?: VolumeFactory;
}

const IMAGE_CACHE = 48;


/** Encoded images (`_image`), kept in one cache for every space. */
export class ImageFrames {
  private readonly images = new Map<string, Promise<ImageBitmap | null>>();

  constructor(private readonly host: FrameSourcesHost) {}

  image(row: number, space: string, frame: number): Promise<ImageBitmap | null> {
    const key = `${row}/${space}/${frame}`;
    let p = this.images.get(key);
    if (p) {
      this.images.delete(key);
      this.images.set(key, p);
      return p;
    }
    const request: ImageRequest = { row, space, frame };
    p = this.host.invoke<ImageResponse>("_image", request).then(async ([response, buffers]) => {
      if (response.error || !buffers.length) {
        this.host.say(response.error || `No image came for ${space}.`, true);
        this.images.delete(key);
        return null;
      }
      const bitmap = await createImageBitmap(new Blob([bytesOf(buffers[0])], { type: response.mime }));
      // The whole image fitted into the canvas: a copy that size is what most frames draw.
      await reduceImage(bitmap, this.host.fitScale(bitmap.width, bitmap.height));
      return bitmap;
    });
    p.catch(() => this.images.delete(key));
    this.images.set(key, p);
    while (this.images.size > IMAGE_CACHE) {
      const oldest = this.images.keys().next().value as string;
      this.images.get(oldest)?.then((b) => b?.close()).catch(() => undefined);
      this.images.delete(oldest);
    }
    return p;
  }

  source(row: number, space: string): FrameSource {
    return {
      kind: "frames",
      frame: (f) => this.image(row, space, f),
      prefetch: (from, count) => {
        for (let f = from; f < from + count; f++) void this.image(row, space, f).catch(() => undefined);
      },
      close: () => undefined,
    };
  }

  close(): void {
    for (const p of this.images.values()) p.then((b) => b?.close()).catch(() => undefined);
    this.images.clear();
  }
}

/** The sources of the spaces of the rows shown, found once per space. */
export class FrameSources {
  private readonly sources = new Map<string, Promise<FrameSource>>();
  private readonly settled = new Map<string, FrameSource>();
  readonly images: ImageFrames;
  /** Bytes of buffers received, by command (what the benchmark compares with the video's bitrate). */
  readonly received = new Map<string, number>();
  private readonly host: FrameSourcesHost;

  constructor(host: FrameSourcesHost) {
    const invoke: Invoke = async <T>(name: string, msg?: unknown) => {
      const answer = await host.invoke<T>(name, msg);
      const bytes = answer[1].reduce((sum, b) => sum + b.byteLength, 0);
      this.received.set(name, (this.received.get(name) ?? 0) + bytes);
      return answer;
    };
    this.host = { ...host, invoke };
    this.images = new ImageFrames(this.host);
  }

  /** The source of a space; `kind` is the space's kind when known ("image" needs no question to the kernel). */
  source(row: number, space: string, kind?: string): Promise<FrameSource> {
    const key = `${row}/${space}`;
    let p = this.sources.get(key);
    if (!p) {
      p = kind === "image" ? Promise.resolve(this.images.source(row, space)) : this.find(row, space, kind === "video");
      this.sources.set(key, p);
      void p.then((s) => this.sources.get(key) === p && this.settled.set(key, s));
    }
    return p;
  }

  /** A space's source if it is already found (null while the kernel is asked). */
  now(row: number, space: string): FrameSource | null {
    return this.settled.get(`${row}/${space}`) ?? null;
  }

  frame(row: number, space: string, frame: number, kind?: string): Promise<CanvasImageSource | null> {
    return this.source(row, space, kind).then((s) => s.frame(frame));
  }

  prefetch(row: number, space: string, from: number, count: number, kind?: string): void {
    void this.source(row, space, kind)
      .then((s) => s.prefetch(from, count))
      .catch(() => undefined);
  }

  /** `video`: the space is a video, so the packets of its first frame are asked for with its description (a round trip less). */
  private async find(row: number, space: string, video = false): Promise<FrameSource> {
    const fallback = this.images.source(row, space);
    let media: MediaResponse;
    let buffers: DataView[];
    let early: Promise<[VideoPart, DataView[]]> | null = null;
    if (video) {
      early = this.host.invoke<VideoPart>("_video", { row, space, frame: 0, part: 0 });
      early.catch(() => undefined);
    }
    try {
      [media, buffers] = await this.host.invoke<MediaResponse>("_media", { row, space, frame: 0 });
    } catch {
      return fallback;
    }
    if (media.kind === "video") {
      const description = media.has_description && buffers.length ? bytesOf(buffers[0]).slice() : null;
      const video = await VideoFrames.open(
        {
          codec: media.codec,
          codedWidth: media.coded_width,
          codedHeight: media.coded_height,
          description,
          fitScale: (w, h) => this.host.fitScale(w, h),
          fetch: (frame, part) => {
            const ask = () => this.host.invoke<VideoPart>("_video", { row, space, frame, part });
            // The first packets, asked for early: used when they are the group of this frame.
            const asked = early;
            early = null;
            if (!asked || part !== 0) return ask();
            return asked.then(([header, data]) => (!header.error && header.first <= frame && frame <= header.last ? [header, data] : ask()), ask);
          },
        },
        (why) => this.host.say(`${space}: ${why}; showing frames encoded by the kernel instead.`),
      );
      return video ? withFallback(video, fallback, (why) => this.host.say(`${space}: ${why}; showing frames encoded by the kernel instead.`, true)) : fallback;
    }
    if (media.kind === "volume") return this.host.volume?.(row, space, media, this.host.invoke) ?? fallback;
    return fallback;
  }

  /** Forget the sources of rows other than `keep` (their decoders closed). */
  forgetRows(keep: number[]): void {
    for (const [key, p] of this.sources) {
      if (keep.includes(Number(key.split("/")[0]))) continue;
      this.sources.delete(key);
      this.settled.delete(key);
      void p.then((s) => s.close()).catch(() => undefined);
    }
  }

  close(): void {
    this.forgetRows([]);
    this.images.close();
  }
}

/** A source that gives way to another for good after its first failure. */
function withFallback(first: FrameSource, second: FrameSource, failed: (why: string) => void): FrameSource {
  let current = first;
  const giveWay = (e: unknown) => {
    if (current === first) {
      failed(e instanceof Error ? e.message : String(e));
      current = second;
      first.close();
    }
  };
  return {
    get kind() {
      return current.kind;
    },
    frame: (f) => {
      const asked = current;
      return asked.frame(f).catch((e) => {
        if (asked !== first) throw e;
        giveWay(e);
        return second.frame(f);
      });
    },
    prefetch: (from, count) => current.prefetch(from, count),
    playable: (after, due) => current.playable?.(after, due) ?? due,
    close: () => current.close(),
  };
}
