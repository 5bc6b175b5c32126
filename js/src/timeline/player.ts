// Playback at the source frame rate: on every animation frame the frame due by the clock is asked
// for; while one is being fetched and painted no other is asked for, so a slow frame is skipped
// over (the clock keeps time) rather than the video falling behind it. A source that decodes in
// order (a video) says which frame to ask for instead (`playable`): the latest it has ready, so
// that falling behind skips decoded frames rather than dropping the decoding under way; when none
// newer is ready it is the next frame, so a decoder slower than the clock plays slower than real time.

export interface PlayerHost {
  /** Show a frame; settles once it is painted (or overtaken by a newer one). */
  show(frame: number): Promise<unknown>;
  /** Frames to fetch ahead of the one shown. */
  prefetch(from: number): void;
  /** The frame to show when the clock says `due` and `after` is shown (see FrameSource.playable); `due` if absent. */
  playable?(after: number, due: number): number;
  /** Playing started or stopped. */
  changed(playing: boolean): void;
}

export class Player {
  playing = false;
  private startFrame = 0;
  private startTime = 0;
  private shown = 0;
  private busy = false;
  private handle = 0;

  constructor(private readonly host: PlayerHost) {}

  /** Play from `frame` at `fps` until the last of `frames`. */
  play(frame: number, frames: number, fps: number): void {
    if (this.playing) return;
    this.playing = true;
    this.startFrame = frame;
    this.shown = frame;
    if (frame >= frames - 1) {
      // From the end, playing starts again at the first frame: it is due at once.
      this.startFrame = 0;
      this.shown = -1;
    }
    this.startTime = performance.now();
    this.host.changed(true);
    const tick = (now: number) => {
      if (!this.playing) return;
      const due = Math.min(frames - 1, this.startFrame + Math.floor(((now - this.startTime) * fps) / 1000));
      if (!this.busy && due > this.shown) {
        this.busy = true;
        const next = this.host.playable?.(this.shown, due) ?? due;
        this.shown = next;
        this.host.prefetch(next + 1);
        void this.host
          .show(next)
          .finally(() => {
            this.busy = false;
            if (this.playing && this.shown >= frames - 1) this.pause();
          });
      }
      this.handle = requestAnimationFrame(tick);
    };
    this.host.prefetch(this.shown + 1);
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
