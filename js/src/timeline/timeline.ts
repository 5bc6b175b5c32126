// The timeline of the focused video or volume: playback controls, a frame slider and field, and
// rows: a ruler, one row per object (the frames it is on, its keyframes as diamonds, ticks where
// its dynamic answers change) and one per frame classification of the ontology (its ranges,
// created and resized by dragging). Shift-dragging on the ruler chooses a frame range that
// dynamic answers then apply to. The rows are drawn into a cached bitmap; a frame change draws
// only that bitmap and the playhead.

import { answerChanges, keyRanges, mergedRuns } from "../core/keyframes";
import type { Annotation, AnnotationStore } from "../core/store";
import { button, el } from "../panels/dom";
import type { ClassificationSpec } from "../protocol/ontology";
import type { Operation } from "../protocol/operations";
import type { SpaceState } from "../protocol/state";

const ROW = 16;
const RULER = 18;
const LABEL = 120;
const EDGE_REACH = 4; // pixels: a drag that starts this near a range's end resizes it

export interface TimelineHost {
  readonly store: AnnotationStore;
  space(): SpaceState | null;
  seek(frame: number): void;
  /** Go `n` frames on from the frame last asked for (not only the one shown). */
  step(n: number): void;
  togglePlay(): void;
  /** Select an object and show it: on the frame given, or its nearest to the current one. */
  selectObject(key: string, frame: number | null): void;
  send(op: Operation): void;
  newId(): string;
  readonly(): boolean;
  track(direction: "forward" | "backward"): void;
}

type Row =
  | { kind: "ruler" }
  | { kind: "object"; annotation: Annotation }
  | { kind: "classification"; spec: ClassificationSpec };

export class Timeline {
  readonly root = el("div", "ls-timeline");
  private readonly playButton: HTMLButtonElement;
  private readonly slider = el("input", "ls-frame-slider");
  private readonly field = el("input", "ls-frame-field");
  private readonly total = el("span", "ls-muted");
  private readonly rangeLabel = el("span", "ls-frame-range");
  private readonly scroller = el("div", "ls-timeline-rows");
  private readonly canvas = el("canvas");
  /** The rows, drawn once per change of what they show; a frame change draws this and the playhead. */
  private readonly rowsCanvas = document.createElement("canvas");
  private rowsValid = false;
  private rows: Row[] = [];
  private width = 600;
  private drag: { kind: "seek" | "range" | "classification"; row: Row; index: number; from: number; resize?: { id: string; start: number; end: number; edge: "start" | "end" } } | null = null;
  /** Set by Enter in the frame field, so that the change event Enter also fires does not seek again. */
  private entered = false;
  private dragTo = 0;

  constructor(private readonly host: TimelineHost) {
    const step = (n: number) => () => this.host.step(n);
    this.playButton = button("Play", "Play / pause (Space)", () => this.host.togglePlay(), "ls-button ls-play");
    this.slider.type = "range";
    this.slider.min = "0";
    this.slider.addEventListener("input", () => this.host.seek(Number(this.slider.value)));
    this.field.type = "number";
    this.field.min = "0";
    this.field.title = "Frame number (Enter to go)";
    const go = () => {
      const value = Math.round(Number(this.field.value));
      if (Number.isFinite(value)) this.host.seek(value);
    };
    this.field.addEventListener("change", () => {
      if (!this.entered) go();
      this.entered = false;
    });
    this.field.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        this.entered = true;
        go();
      }
      // Typing a number must not reach the notebook (or the annotator's own keys).
      e.stopPropagation();
    });
    const controls = el("div", "ls-timeline-controls");
    controls.append(
      button("|◀", "First frame (Home)", () => this.host.seek(0)),
      button("−10", "Back ten frames (Shift+Left)", step(-10)),
      button("◀", "Previous frame (Left)", step(-1)),
      this.playButton,
      button("▶", "Next frame (Right)", step(1), "ls-button ls-next-frame"),
      button("+10", "Forward ten frames (Shift+Right)", step(10)),
      button("▶|", "Last frame (End)", () => this.host.seek(Number.MAX_SAFE_INTEGER)),
      this.slider,
      this.field,
      this.total,
      this.rangeLabel,
      button("Track ▶", "Track the selected objects forward (T)", () => this.host.track("forward")),
      button("◀ Track", "Track the selected objects backward (Shift+T)", () => this.host.track("backward")),
    );
    this.rangeLabel.addEventListener("click", () => this.host.store.setRange(null));
    this.scroller.append(this.canvas);
    this.root.append(controls, this.scroller);
    this.canvas.addEventListener("pointerdown", (e) => this.down(e));
    this.canvas.addEventListener("pointermove", (e) => this.move(e));
    this.canvas.addEventListener("pointerup", (e) => this.up(e));
  }

  setWidth(width: number): void {
    this.width = Math.max(320, width);
    // As wide as the canvas: the controls wrap rather than widen the column.
    this.root.style.width = `${this.width}px`;
    this.invalidate();
  }

  setPlaying(playing: boolean): void {
    this.playButton.textContent = playing ? "Pause" : "Play";
    this.root.dataset.playing = String(playing);
  }

  /** The rows changed (objects, selection, the space): draw them again on the next render. */
  invalidate(): void {
    this.rowsValid = false;
    this.render();
  }

  render(): void {
    const space = this.host.space();
    this.root.hidden = !space || space.frames <= 1;
    if (!space || space.frames <= 1) return;
    const frame = this.host.store.frame(space.id);
    this.slider.max = String(space.frames - 1);
    if (Number(this.slider.value) !== frame) this.slider.value = String(frame);
    this.field.max = String(space.frames - 1);
    if (document.activeElement !== this.field) this.field.value = String(frame);
    this.total.textContent = ` / ${space.frames - 1}${space.fps ? ` · ${+space.fps.toFixed(2)} fps` : ""}`;
    const range = this.host.store.range;
    this.rangeLabel.textContent = range && range.space === space.id ? `frames ${range.start}–${range.end} ✕` : "";
    this.rangeLabel.title = "Dynamic answers apply to these frames; click to clear";
    if (!this.rowsValid) {
      this.drawRows(space);
      this.rowsValid = true;
    }
    const ctx = this.canvas.getContext("2d")!;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.rowsCanvas, 0, 0);
    if (this.drag && this.drag.kind !== "seek") this.drawDrag(ctx, space);
    const x = this.x(frame, space.frames);
    ctx.fillStyle = "#e53935";
    ctx.fillRect(Math.round(x) - 1, 0, 2, this.canvas.height);
    this.root.dataset.frame = String(frame);
  }

  private x(frame: number, frames: number): number {
    return LABEL + ((frame + 0.5) * (this.width - LABEL)) / frames;
  }

  /** Where frames start..end are drawn: left edge and width. */
  private span(start: number, end: number, frames: number): [number, number] {
    const per = (this.width - LABEL) / frames;
    return [LABEL + start * per, Math.max(1, (end - start + 1) * per)];
  }

  private frameAt(x: number, frames: number): number {
    const f = Math.floor(((x - LABEL) * frames) / (this.width - LABEL));
    return Math.min(frames - 1, Math.max(0, f));
  }

  private drawRows(space: SpaceState): void {
    const store = this.host.store;
    const objects = [...store.objects.values()].filter((a) => a.space === space.id && a.state.runs.length);
    objects.sort((a, b) => a.state.runs[0].start - b.state.runs[0].start);
    const classes = store.ontology.classifications.filter((c) => !c.global);
    this.rows = [{ kind: "ruler" }, ...objects.map((annotation) => ({ kind: "object" as const, annotation })), ...classes.map((spec) => ({ kind: "classification" as const, spec }))];
    const height = RULER + (this.rows.length - 1) * ROW;
    this.canvas.width = this.width;
    this.canvas.height = height;
    const out = this.rowsCanvas;
    out.width = this.width;
    out.height = height;
    const ctx = out.getContext("2d")!;
    ctx.font = "11px sans-serif";
    ctx.textBaseline = "middle";
    const n = space.frames;
    const span = (s: number, e: number) => this.span(s, e, n);
    // The ruler: a tick every so many frames, numbered.
    ctx.fillStyle = "#f4f4f4";
    ctx.fillRect(0, 0, this.width, RULER);
    ctx.fillStyle = "#555";
    const every = niceStep(n, (this.width - LABEL) / 60);
    for (let f = 0; f < n; f += every) {
      const x = this.x(f, n);
      ctx.fillRect(Math.round(x), RULER - 5, 1, 5);
      ctx.fillText(String(f), x + 2, 7);
    }
    this.rows.forEach((row, i) => {
      if (row.kind === "ruler") return;
      const y = RULER + (i - 1) * ROW;
      if (i % 2 === 0) {
        ctx.fillStyle = "#fafafa";
        ctx.fillRect(0, y, this.width, ROW);
      }
      if (row.kind === "object") {
        const a = row.annotation;
        if (store.selection.has(a.key)) {
          ctx.fillStyle = "#e3f2fd";
          ctx.fillRect(0, y, this.width, ROW);
        }
        ctx.fillStyle = a.spec.color;
        ctx.fillRect(4, y + 4, 8, 8);
        ctx.fillStyle = "#222";
        ctx.fillText(`${a.spec.name} ${a.id.slice(0, 4)}`, 16, y + ROW / 2, LABEL - 20);
        // Runs, neighbours that touch drawn as one bar; predictions and interpolated frames lighter.
        ctx.fillStyle = a.spec.color;
        for (const manual of [false, true]) {
          ctx.globalAlpha = manual ? 0.9 : 0.4;
          for (const [s0, e0] of mergedRuns(a.state, manual)) ctx.fillRect(...spanRect(span(s0, e0), y));
        }
        ctx.globalAlpha = 1;
        ctx.fillStyle = "#000";
        for (const [s, e] of keyRanges(a.state)) {
          diamond(ctx, this.x(s, n), y + ROW / 2);
          if (e !== s) diamond(ctx, this.x(e, n), y + ROW / 2);
        }
        ctx.fillStyle = "#fff";
        for (const f of answerChanges(a.state)) ctx.fillRect(Math.round(this.x(f, n)) - 1, y + 2, 2, 4);
      } else {
        ctx.fillStyle = row.spec.color;
        ctx.fillRect(4, y + 4, 8, 8);
        ctx.fillStyle = "#222";
        ctx.fillText(row.spec.name, 16, y + ROW / 2, LABEL - 20);
        ctx.fillStyle = row.spec.color;
        ctx.globalAlpha = 0.75;
        for (const c of store.classifications.values()) {
          if (c.space !== space.id || c.feature !== row.spec.hash || c.global) continue;
          for (const r of c.runs) ctx.fillRect(...spanRect(span(r.start, r.end), y));
        }
        ctx.globalAlpha = 1;
      }
    });
    const range = store.range;
    if (range && range.space === space.id) {
      ctx.fillStyle = "rgba(30, 136, 229, 0.18)";
      const [x, w] = span(range.start, range.end);
      ctx.fillRect(x, 0, w, height);
    }
  }

  private drawDrag(ctx: CanvasRenderingContext2D, space: SpaceState): void {
    const d = this.drag!;
    const [s, e] = d.resize ? this.resized(d.resize) : [Math.min(d.from, this.dragTo), Math.max(d.from, this.dragTo)];
    const [x, w] = this.span(s, e, space.frames);
    ctx.fillStyle = "rgba(30, 136, 229, 0.35)";
    if (d.kind === "range") ctx.fillRect(x, 0, w, this.canvas.height);
    else ctx.fillRect(x, RULER + (d.index - 1) * ROW + 2, w, ROW - 4);
  }

  private resized(r: { start: number; end: number; edge: "start" | "end" }): [number, number] {
    const s = r.edge === "start" ? Math.min(this.dragTo, r.end) : r.start;
    const e = r.edge === "end" ? Math.max(this.dragTo, r.start) : r.end;
    return [s, e];
  }

  private rowIndexAt(y: number): number {
    if (y < RULER) return 0;
    const i = 1 + Math.floor((y - RULER) / ROW);
    return i < this.rows.length ? i : 0;
  }

  private down(e: PointerEvent): void {
    const space = this.host.space();
    if (!space || !this.rows.length) return;
    const index = this.rowIndexAt(e.offsetY);
    const row = this.rows[index];
    const frame = this.frameAt(e.offsetX, space.frames);
    this.dragTo = frame;
    if (row.kind === "object") {
      this.host.selectObject(row.annotation.key, e.offsetX >= LABEL ? frame : null);
      return;
    }
    this.canvas.setPointerCapture(e.pointerId);
    if (row.kind === "ruler") {
      this.drag = { kind: e.shiftKey ? "range" : "seek", row, index, from: frame };
      if (!e.shiftKey) this.host.seek(frame);
      return;
    }
    if (this.host.readonly()) return;
    this.drag = { kind: "classification", row, index, from: frame, resize: this.edgeAt(row.spec, space, e.offsetX) };
    this.render();
  }

  private edgeAt(spec: ClassificationSpec, space: SpaceState, x: number): { id: string; start: number; end: number; edge: "start" | "end" } | undefined {
    for (const c of this.host.store.classifications.values()) {
      if (c.space !== space.id || c.feature !== spec.hash || c.global) continue;
      for (const r of c.runs) {
        const [left, width] = this.span(r.start, r.end, space.frames);
        if (Math.abs(x - left) <= EDGE_REACH) return { id: c.id, start: r.start, end: r.end, edge: "start" };
        if (Math.abs(x - (left + width)) <= EDGE_REACH) return { id: c.id, start: r.start, end: r.end, edge: "end" };
      }
    }
    return undefined;
  }

  private move(e: PointerEvent): void {
    const space = this.host.space();
    if (!this.drag || !space) return;
    this.dragTo = this.frameAt(e.offsetX, space.frames);
    if (this.drag.kind === "seek") this.host.seek(this.dragTo);
    else this.render();
  }

  private up(e: PointerEvent): void {
    const space = this.host.space();
    const d = this.drag;
    this.drag = null;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    if (!d || !space) return;
    const lo = Math.min(d.from, this.dragTo);
    const hi = Math.max(d.from, this.dragTo);
    if (d.kind === "range") {
      this.host.store.setRange(lo === hi ? null : { space: space.id, start: lo, end: hi });
      return;
    }
    if (d.kind !== "classification" || d.row.kind !== "classification") return;
    const meta = { manual_annotation: true, confidence: 1 };
    if (d.resize) {
      const [s, e2] = this.resized(d.resize);
      const ops: Operation[] = [];
      const cut = (a: number, b: number) => ops.push({ op: "remove_classification", space: space.id, classification: d.resize!.id, frames: [[a, b]] });
      if (s > d.resize.start) cut(d.resize.start, s - 1);
      if (e2 < d.resize.end) cut(e2 + 1, d.resize.end);
      if (s < d.resize.start || e2 > d.resize.end) ops.push({ op: "put_classification", space: space.id, classification: d.resize.id, frames: [[s, e2]], on_overlap: "replace", meta });
      if (ops.length) this.host.send(ops.length === 1 ? ops[0] : { op: "batch", ops });
    } else if (lo === hi) {
      this.host.seek(lo); // a click, not a drag: go there, as on the ruler
    } else {
      this.host.send({ op: "put_classification", space: space.id, classification: this.host.newId(), feature: d.row.spec.hash, frames: [[lo, hi]], on_overlap: "replace", meta });
    }
    this.render();
  }
}

function spanRect([x, w]: readonly [number, number], y: number): [number, number, number, number] {
  return [x, y + 3, w, ROW - 6];
}

function diamond(ctx: CanvasRenderingContext2D, x: number, y: number): void {
  ctx.beginPath();
  ctx.moveTo(x, y - 4);
  ctx.lineTo(x + 4, y);
  ctx.lineTo(x, y + 4);
  ctx.lineTo(x - 4, y);
  ctx.closePath();
  ctx.fill();
}

/** A round number of frames between ruler ticks, so that about `ticks` of them fit. */
export function niceStep(frames: number, ticks: number): number {
  const raw = frames / Math.max(1, ticks);
  const p = 10 ** Math.floor(Math.log10(Math.max(1, raw)));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}
