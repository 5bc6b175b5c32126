// Playback at the source frame rate: on every animation frame the frame due by the clock is asked
// for; while one is being fetched and painted no other is asked for, so a slow frame is skipped
// over (the clock keeps time) rather than the video falling behind it.

export interface PlayerHost {
  /** Show a frame; resolves true once it is painted (false if it was overtaken). */
  show(frame: number): Promise<boolean>;
  /** Frames to fetch ahead of the one shown. */
  prefetch(from: number): void;
  /** Playing started or stopped. */
  changed(playing: boolean): void;
}

export class Player {
  playing = false;
  /** Frames painted and frames skipped since play started (for the benchmarks and tests). */
  painted = 0;
  skipped = 0;
  private startFrame = 0;
  private startTime = 0;
  private shown = 0;
  private busy = false;
  private handle = 0;

  constructor(private readonly host: PlayerHost) {}

  /** Play from `frame` at `fps` until the last of `frames`. */
  play(frame: number, frames: number, fps: number): void {
    if (this.playing) return;
    if (frame >= frames - 1) frame = 0;
    this.playing = true;
    this.painted = 0;
    this.skipped = 0;
    this.startFrame = frame;
    this.shown = frame;
    this.startTime = performance.now();
    this.host.changed(true);
    const tick = (now: number) => {
      if (!this.playing) return;
      const due = Math.min(frames - 1, this.startFrame + Math.floor(((now - this.startTime) * fps) / 1000));
      if (!this.busy && due > this.shown) {
        this.busy = true;
        this.skipped += due - this.shown - 1;
        this.shown = due;
        this.host.prefetch(due + 1);
        void this.host
          .show(due)
          .then((painted) => {
            if (painted) this.painted++;
          })
          .finally(() => {
            this.busy = false;
            if (this.playing && this.shown >= frames - 1) this.pause();
          });
      }
      this.handle = requestAnimationFrame(tick);
    };
    this.host.prefetch(frame + 1);
    this.handle = requestAnimationFrame(tick);
  }

  pause(): void {
    if (!this.playing) return;
    this.playing = false;
    cancelAnimationFrame(this.handle);
    this.host.changed(false);
  }

  toggle(frame: number, frames: number, fps: number): void {
    if (this.playing) this.pause();
    else this.play(frame, frames, fps);
  }
}
