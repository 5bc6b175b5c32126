// A video decoded in the browser: the kernel sends a keyframe group's packets (`_video`, in parts of
// at most 4 MiB), WebCodecs decodes them, and the pictures are kept in a cache bounded in bytes.
//
// Each packet's timestamp is the frame number the kernel gave it, so a decoded picture says which
// frame it is: what is painted for frame i is frame i as labelspace's reader numbers it, B-frames
// and variable frame rates included. One group is decoded at a time; asking for a frame outside it
// drops what is queued (`reset`) and starts on the frame's group. While a group is decoded, packets
// are fed only while the pictures kept ahead of the wanted frame leave room, so a long group plays
// through a small cache; prefetched groups follow the one wanted. When the view shows pictures at
// half size or less, the one handed out and the next ones in the direction of travel are halved
// first (halfSize.ts), so drawing a frame costs under a millisecond instead of a conversion of
// every decoded pixel. The packets fetched are kept (packetCache.ts): going back to a part seen
// before asks the kernel nothing.

import { dropReduced, hasReduced, keepReduced } from "../canvas/stage";
import type { VideoPart } from "../protocol/messages";
import { bytesOf } from "./bytes";
import type { FrameSource } from "./frames";
import { halvable } from "./halfSize";
import { Halver } from "./halver";
import { PacketCache } from "./packetCache";

export interface VideoSetup {
  codec: string;
  codedWidth: number;
  codedHeight: number;
  description: Uint8Array | null;
  /** Part `part` of the group holding `frame`. */
  fetch(frame: number, part: number): Promise<[VideoPart, DataView[]]>;
  /** The scale a picture of this size is drawn at when fitted; pictures are halved below 0.5. */
  fitScale?(width: number, height: number): number;
}

/** Decoded pictures are kept up to this many bytes (as decoded: 4:2:0, 1.5 bytes a pixel), and at least MIN_FRAMES of them. */
export const CACHE_BYTES = 384 * 1024 * 1024;
const MIN_FRAMES = 16;
/** Frames fetched ahead of the one shown, at least. */
const PLAY_AHEAD = 48;
/** Frames a jump left out are decoded afterwards if they are this near the frame shown. */
const REFILL_NEAR = 60;
/** Chunks waiting in the decoder at most. */
const QUEUE = 8;
/** Pictures halved ahead of the one shown, in the direction of travel. */
const HALVE_AHEAD = 2;
/** Halved copies are kept for pictures this near the one shown (2 MB each at 1080p). */
const HALVES_KEPT = 8;

interface Job {
  first: number;
  last: number;
  /** Frames whose packets went to the decoder. */
  fed: Set<number>;
  /** Frames the decoder gave back. */
  out: Set<number>;
  /** Frames left out on the way to a wanted frame after them (nothing refers to their packets). */
  skipped: Set<number>;
  cancelled: boolean;
  /** When its first packets came. */
  start: number;
}

interface Waiter {
  resolve(image: VideoFrame): void;
  reject(error: Error): void;
}

export class VideoFrames implements FrameSource {
  readonly kind = "video" as const;
  private decoder: VideoDecoder;
  private readonly cache = new Map<number, VideoFrame>();
  private readonly waiters = new Map<number, Waiter[]>();
  private readonly ahead: number[] = [];
  /** Frames left out by a jump, decoded when nothing more urgent is. */
  private readonly refill: number[] = [];
  private job: Job | null = null;
  private running = false;
  private wanted = 0;
  private readonly capacity: number;
  private failure: Error | null = null;
  private closed = false;
  private given: VideoFrame | null = null;
  private retired: VideoFrame[] = [];
  private wake: (() => void) | null = null;
  private readonly halver: Halver | null = Halver.available() ? new Halver() : null;
  /** The packets fetched, kept (packetCache.ts). */
  private readonly packets = new PacketCache();
  /** Frames being halved. */
  private readonly halving = new Map<number, Promise<void>>();
  /** Pictures with a halved copy, by frame. */
  private readonly halved = new Map<number, VideoFrame>();
  /** Whether the pictures can be halved (false once one of them could not be, for its format). */
  private halves = true;
  /** 1 stepping or playing forward, -1 backward. */
  private direction = 1;
  /** While playing (the frame asked for is the one `playable` chose): what it chose, how far it moves on each time, and the frame it will likely choose next. */
  private playing = false;
  private chosen = -1;
  private stride = 1;
  private predicted = -1;

  /** A decoder for the setup, or null (and why, told) when this browser cannot decode it. */
  static async open(setup: VideoSetup, unsupported: (why: string) => void): Promise<VideoFrames | null> {
    if (typeof VideoDecoder === "undefined") {
      unsupported("this browser has no WebCodecs video decoder");
      return null;
    }
    const config = decoderConfig(setup);
    try {
      const support = await VideoDecoder.isConfigSupported(config);
      if (!support.supported) {
        unsupported(`this browser cannot decode ${setup.codec}`);
        return null;
      }
    } catch (e) {
      unsupported(`this browser cannot decode ${setup.codec} (${e})`);
      return null;
    }
    return new VideoFrames(setup, config);
  }

  private constructor(
    private readonly setup: VideoSetup,
    private readonly config: VideoDecoderConfig,
  ) {
    this.capacity = Math.max(MIN_FRAMES, Math.floor(CACHE_BYTES / Math.max(1, setup.codedWidth * setup.codedHeight * 1.5)));
    this.decoder = this.makeDecoder();
  }

  private makeDecoder(): VideoDecoder {
    const decoder = new VideoDecoder({
      output: (picture) => this.output(picture),
      error: (e) => this.fail(new Error(`the video decoder failed: ${e.message}`)),
    });
    decoder.configure(this.config);
    decoder.addEventListener("dequeue", () => this.poke());
    return decoder;
  }

  frame(frame: number): Promise<VideoFrame> {
    if (this.failure) return Promise.reject(this.failure);
    if (frame !== this.wanted) this.direction = frame > this.wanted ? 1 : -1;
    // Playing: the player asks for what `playable` chose (or, with other spaces stepping with this
    // one, a frame between the one shown and that).
    this.playing = this.chosen >= 0 && frame > this.wanted && frame <= this.chosen;
    this.wanted = frame;
    this.chosen = -1;
    const hit = this.cache.get(frame);
    if (hit) {
      this.poke();
      return this.ready(frame, hit, true);
    }
    const promise = new Promise<VideoFrame>((resolve, reject) => {
      const list = this.waiters.get(frame) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(frame, list);
    });
    const job = this.job;
    if (job && !job.cancelled && !this.covers(job, frame)) this.cancel(job);
    this.poke();
    void this.pump();
    // A picture just decoded for a jump is drawn as decoded, without waiting to halve it: the
    // decoder still works on the frames after it, and halving would wait behind that. While
    // playing, halving first leaves the page's thread free for the pictures that follow.
    return promise.then((image) => this.ready(frame, image, this.playing));
  }

  /** Hand out a picture: halved first (if `wait`) when the view draws it at half size or less. */
  private async ready(frame: number, image: VideoFrame, wait: boolean): Promise<VideoFrame> {
    const halved = this.halve(frame, image);
    if (wait) {
      await halved;
      if (this.closed) throw new Error("the video was closed");
    }
    this.give(image);
    if (!this.playing) this.halveAhead();
    return image;
  }

  private halvesWanted(image: VideoFrame): boolean {
    const fit = this.setup.fitScale;
    return this.halves && this.halver !== null && fit !== undefined && fit(image.displayWidth, image.displayHeight) <= 0.5;
  }

  /** Halve a cached picture (once; a second call waits for the first). */
  private halve(frame: number, image: VideoFrame): Promise<void> {
    if (!this.halvesWanted(image) || hasReduced(image)) return Promise.resolve();
    let pending = this.halving.get(frame);
    if (!pending) {
      // Every picture of a stream has the same format: one that cannot be halved stops halving.
      if (!halvable(image.format)) {
        this.halves = false;
        return Promise.resolve();
      }
      pending = this.halver!.halve(image).then((half) => {
        this.halving.delete(frame);
        if (!half) return; // closed (dropped from the cache) before it was read
        if (this.cache.get(frame) === image && !this.closed) {
          keepReduced(image, half);
          this.halved.set(frame, image);
        } else half.close();
      });
      this.halving.set(frame, pending);
    }
    return pending;
  }

  /** Halve the next pictures in the direction of travel that are decoded already. */
  private halveAhead(): void {
    for (let d = 1; d <= HALVE_AHEAD; d++) {
      const f = this.wanted + d * this.direction;
      const image = this.cache.get(f);
      if (image) void this.halve(f, image);
    }
  }

  prefetch(from: number, count: number): void {
    if (this.failure || this.closed) return;
    this.ahead.length = 0;
    // Far enough ahead that the next group is fetched and started before the player reaches it.
    for (let f = from; f < from + Math.max(count, PLAY_AHEAD); f++) this.ahead.push(f);
    void this.pump();
  }

  playable(after: number, due: number): number {
    // The latest picture ready to draw (halved, when halving), else the latest decoded, else the next.
    let latest = -1;
    let drawable = -1;
    for (let f = due; f > after && drawable < 0; f--) {
      const image = this.cache.get(f);
      if (!image) continue;
      if (latest < 0) latest = f;
      if (!this.halvesWanted(image) || hasReduced(image)) drawable = f;
    }
    const next = drawable >= 0 ? drawable : latest >= 0 ? latest : Math.min(after + 1, due);
    // The player moves on by about as many frames each time: halve the picture it will likely ask for next.
    this.stride = 0.75 * this.stride + 0.25 * Math.max(1, next - after);
    this.chosen = next;
    this.predicted = next + Math.max(1, Math.round(this.stride));
    const image = this.cache.get(this.predicted);
    if (image) void this.halve(this.predicted, image);
    return next;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.decoder.state !== "closed") this.decoder.close();
    this.halver?.close();
    this.packets.clear();
    for (const image of this.cache.values()) discard(image);
    this.cache.clear();
    this.halved.clear();
    for (const image of this.retired) discard(image);
    this.retired = [];
    this.rejectAll(new Error("the video was closed"));
    this.poke();
  }

  // -- deciding what to decode --

  private covers(job: Job, frame: number): boolean {
    // A frame of the group not yet given back will come; one given back and since dropped, or left out, will not.
    return job.first <= frame && frame <= job.last && !job.out.has(frame) && !job.skipped.has(frame);
  }

  /** The first frame of the job's group that someone waits for; -1 when none does (the group is read ahead, whole). */
  private awaitedFrom(job: Job): number {
    let first = -1;
    for (const f of this.waiters.keys()) if (job.first <= f && f <= job.last && (first < 0 || f < first)) first = f;
    return first;
  }

  /** The frame whose group is decoded next: the wanted one if someone waits for it, else the first missing ahead. */
  private next(): number | null {
    if (this.waiters.has(this.wanted) && !this.cache.has(this.wanted)) return this.wanted;
    for (const f of this.waiters.keys()) if (!this.cache.has(f)) return f;
    while (this.ahead.length) {
      const f = this.ahead[0];
      if (!this.cache.has(f)) return f;
      this.ahead.shift();
    }
    // Frames a jump left out, near the one shown (stepping back reaches them): their group again, whole.
    while (this.refill.length) {
      const f = this.refill[0];
      if (!this.cache.has(f) && Math.abs(f - this.wanted) <= REFILL_NEAR) return f;
      this.refill.shift();
    }
    return null;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let frame = this.next(); frame !== null && !this.closed && !this.failure; frame = this.next()) {
        const before = this.ahead.length;
        try {
          await this.decodeGroupOf(frame);
        } catch (e) {
          if (this.waiters.has(frame)) throw e;
          // Reading ahead failed (past the last frame, say): stop reading ahead; the source still works.
          if (this.job) this.cancel(this.job);
          this.job = null;
          this.ahead.length = 0;
          continue;
        }
        // A prefetched frame past the video's end, or one that did not come: do not ask again.
        if (this.ahead[0] === frame && this.ahead.length === before && !this.cache.has(frame)) this.ahead.shift();
        if (this.refill[0] === frame && !this.cache.has(frame)) this.refill.shift();
      }
    } catch (e) {
      this.fail(e instanceof Error ? e : new Error(String(e)));
    } finally {
      this.running = false;
    }
  }

  private async part(frame: number, part: number): Promise<[VideoPart, DataView]> {
    const kept = this.packets.get(frame, part);
    if (kept) return kept;
    const start = performance.now();
    const [header, buffers] = await this.setup.fetch(frame, part);
    performance.measure("ls-video-fetch", { start });
    if (header.error || !buffers.length) throw new Error(header.error || `no packets came for frame ${frame}`);
    this.packets.put(header, buffers[0]);
    return [header, buffers[0]];
  }

  private async decodeGroupOf(frame: number): Promise<void> {
    let [header, data] = await this.part(frame, 0);
    const job: Job = { first: header.first, last: header.last, fed: new Set(), out: new Set(), skipped: new Set(), cancelled: false, start: performance.now() };
    // Asked for meanwhile: a frame of another group, which comes first.
    const urgent = this.next();
    if (urgent !== null && urgent !== frame && !this.covers(job, urgent) && this.waiters.has(urgent)) return;
    this.job = job;
    for (let part = 0; ; ) {
      let offset = 0;
      for (let i = 0; i < header.sizes.length; i++) {
        await this.room(job);
        if (job.cancelled || this.closed) return this.settle(job);
        const size = header.sizes[i];
        const shown = header.frames[i];
        if (header.drops?.[i] === 1 && shown >= 0 && !this.playing && shown < this.awaitedFrom(job)) {
          // A jump: this picture comes before the one wanted and no other is predicted from it
          // (while playing, every frame is wanted in turn).
          job.skipped.add(shown);
          offset += size;
          continue;
        }
        this.decoder.decode(
          new EncodedVideoChunk({
            type: header.keys[i] ? "key" : "delta",
            timestamp: shown,
            data: bytesOf(new DataView(data.buffer, data.byteOffset + offset, size)),
          }),
        );
        offset += size;
        if (shown >= 0) job.fed.add(shown);
      }
      if (++part >= header.parts) break;
      [header, data] = await this.part(frame, part);
    }
    try {
      await this.decoder.flush();
    } catch {
      // reset() while flushing: the job was cancelled.
    }
    this.settle(job);
  }

  /** After a group: frames of it that were asked for and did not come are failures. */
  private settle(job: Job): void {
    if (this.job === job) this.job = null;
    if (job.cancelled) return;
    for (const f of job.skipped) if (!this.cache.has(f)) this.refill.push(f);
    for (const [frame, list] of this.waiters) {
      // A frame left out is still waited for: its group is decoded again, up to it.
      if (frame < job.first || frame > job.last || this.cache.has(frame) || job.out.has(frame) || job.skipped.has(frame)) continue;
      this.waiters.delete(frame);
      for (const w of list) w.reject(new Error(`frame ${frame} was not in the packets of frames ${job.first}..${job.last}`));
    }
  }

  /** Wait until the decoder's queue and the cache ahead of the wanted frame leave room for another packet. */
  private async room(job: Job): Promise<void> {
    for (;;) {
      if (job.cancelled || this.closed) return;
      if (this.decoder.decodeQueueSize < QUEUE) {
        // A frame of this group someone waits for: feed on (the decoder may hold it until the
        // packets after it come); the cache then drops pictures far from it.
        let awaited = false;
        for (const f of this.waiters.keys()) if (job.first <= f && f <= job.last) awaited = true;
        if (awaited) return;
        let kept = 0;
        for (const f of this.cache.keys()) if (f >= this.wanted) kept++;
        if (kept + job.fed.size - job.out.size < this.capacity - 2) return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private cancel(job: Job): void {
    job.cancelled = true;
    if (this.decoder.state === "configured") {
      this.decoder.reset();
      this.decoder.configure(this.config);
    }
    this.poke();
  }

  // -- pictures --

  private output(picture: VideoFrame): void {
    const frame = picture.timestamp;
    const job = this.job;
    if (this.closed || frame < 0 || (job && job.cancelled)) {
      picture.close();
      return;
    }
    job?.out.add(frame);
    if (job && frame === this.wanted) performance.measure("ls-video-decode", { start: job.start });
    if (this.cache.has(frame)) {
      picture.close(); // decoded again with its group (a frame a jump left out): the picture kept is the same
      return;
    }
    // Kept as decoded (YUV): converted for the screen when drawn, or halved as one of the next to show.
    this.put(frame, picture);
    const ahead = (frame - this.wanted) * this.direction;
    if (this.playing ? frame === this.predicted : ahead > 0 && ahead <= HALVE_AHEAD && this.given !== null) void this.halve(frame, picture);
  }

  /** Keep a new picture (`output` has made sure the frame has none yet) and hand it to whoever waits. */
  private put(frame: number, image: VideoFrame): void {
    this.cache.set(frame, image);
    const list = this.waiters.get(frame);
    this.waiters.delete(frame);
    for (const w of list ?? []) w.resolve(image);
    this.evict();
    this.poke();
  }

  /** Drop pictures beyond the capacity: those far behind the wanted frame first, then those far ahead. */
  private evict(): void {
    while (this.cache.size > this.capacity) {
      let worst = -1;
      let score = -1;
      for (const f of this.cache.keys()) {
        if (f === this.wanted) continue;
        const s = f < this.wanted ? (this.wanted - f) * 4 : f - this.wanted;
        if (s > score) [worst, score] = [f, s];
      }
      if (worst < 0) return;
      const image = this.cache.get(worst)!;
      this.cache.delete(worst);
      this.halved.delete(worst);
      if (image === this.given) this.retired.push(image);
      else discard(image);
    }
  }

  /** The picture last handed out is on screen: it is closed only once another has taken its place. */
  private give(image: VideoFrame): void {
    if (image === this.given) return;
    this.given = image;
    for (const old of this.retired) if (old !== image) discard(old);
    this.retired = this.retired.filter((old) => old === image);
    // Halved copies far from the picture shown are dropped (the pictures stay, as decoded).
    for (const [f, picture] of this.halved) {
      if (Math.abs(f - this.wanted) <= HALVES_KEPT || picture === image) continue;
      this.halved.delete(f);
      dropReduced(picture);
    }
  }

  private fail(error: Error): void {
    if (this.failure || this.closed) return;
    this.failure = error;
    this.rejectAll(error);
    this.poke();
  }

  private rejectAll(error: Error): void {
    const all = [...this.waiters.values()].flat();
    this.waiters.clear();
    for (const w of all) w.reject(error);
  }
}

/** Close a picture and its halved copy. */
function discard(image: VideoFrame): void {
  dropReduced(image);
  image.close();
}

function decoderConfig(setup: VideoSetup): VideoDecoderConfig {
  const config: VideoDecoderConfig = {
    codec: setup.codec,
    codedWidth: setup.codedWidth,
    codedHeight: setup.codedHeight,
    optimizeForLatency: true,
  };
  if (setup.description) config.description = setup.description;
  return config;
}
