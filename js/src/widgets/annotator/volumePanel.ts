// What a volume space shows beside its slice: a bar to choose the window (presets, center and
// width), and the volume cut along the crosshair's row (coronal, for an axial series) and column
// (sagittal), each with the crosshair and with where the labels of every slice cross it.
//
// The reformats are drawn with their true proportions (the volume's `aspect`) and the last slice at
// the top: a series is sorted along its normal, which points to the head in an axial series.

import type { View } from "../../core/view";
import type { Geom } from "../../core/shapes";
import type { AnnotationStore } from "../../core/store";
import { fromWire } from "../../core/wire";
import { type Slice, type VolumeFrames, paintSlice } from "../../media/volumeFrames";
import { button, el } from "../../panels/dom";
import type { RunState, SpaceState } from "../../protocol/state";
import { cut } from "../../volume/cuts";
import { type Window, dragWindow } from "../../volume/window";

export interface VolumePanelHost {
  readonly store: AnnotationStore;
  readonly space: SpaceState;
  /** Show slice `frame` in the main view. */
  seek(frame: number): void;
  /** The main view's picture was repainted in place (a new window), or its crosshair moved. */
  redrawMain(): void;
}

const BAR_HEIGHT = 28;
const COLOURS = { 1: "#4fc3f7", 2: "#ffb74d" } as const;

/** Decoded geometry of a run, kept while the run is (runs are replaced whole when an edit lands). */
const runGeoms = new WeakMap<RunState, Geom | null>();

/** The crosshair: a slice, and a row and column of it (image pixels). */
interface Cross {
  row: number;
  column: number;
}

export class VolumePanel {
  readonly bar = el("div", "ls-volume-bar");
  readonly side = el("div", "ls-volume-side");
  readonly cross: Cross;
  private readonly center = el("input", "ls-window-field");
  private readonly width = el("input", "ls-window-field");
  private readonly presets: { button: HTMLButtonElement; window: Window }[] = [];
  private readonly reformats: [Reformat, Reformat];
  private readonly off: () => void;
  private dragStart: Window | null = null;
  private scheduled = false;
  private destroyed = false;

  constructor(
    readonly source: VolumeFrames,
    private readonly host: VolumePanelHost,
    private readonly root: HTMLElement,
  ) {
    const [, height, width] = source.media.shape;
    this.cross = { row: Math.floor(height / 2), column: Math.floor(width / 2) };
    this.reformats = [new Reformat(this, 1), new Reformat(this, 2)];
    this.side.append(...this.reformats.map((r) => r.root));
    this.buildBar();
    this.off = source.on((e) => {
      if (e.kind === "window") {
        this.showWindow();
        this.root.dataset.paintMs = source.paintMs.toFixed(2);
        for (const r of this.reformats) r.repaint();
        this.host.redrawMain();
        this.invalidate();
      } else if (e.kind === "requests") this.root.dataset.slices = String(source.requests);
    });
    this.showWindow();
    this.root.dataset.slices = String(source.requests);
    for (const r of this.reformats) r.load();
  }

  get barHeight(): number {
    return BAR_HEIGHT;
  }

  private buildBar(): void {
    const media = this.source.media;
    const presets = el("span", "ls-window-presets");
    const add = (name: string, window: Window, title: string) => {
      const b = button(name, title, () => this.source.setWindow(window), "ls-window-preset");
      this.presets.push({ button: b, window });
      presets.append(b);
    };
    add("default", { center: media.window[0], width: media.window[1] }, `The volume's own window: ${media.window[0]} / ${media.window[1]}`);
    for (const [name, [c, w]] of Object.entries(media.presets)) add(name, { center: c, width: w }, `Window ${name}: center ${c}, width ${w}`);
    const field = (input: HTMLInputElement, label: string, title: string) => {
      input.type = "number";
      input.step = "any";
      input.title = title;
      input.addEventListener("change", () => this.fromFields());
      input.addEventListener("keydown", (e) => {
        if (e.key === "Enter") this.fromFields();
        e.stopPropagation();
      });
      const l = el("label", "ls-window-label", label);
      l.append(input);
      return l;
    };
    this.center.dataset.field = "center";
    this.width.dataset.field = "width";
    this.bar.append(
      el("span", "ls-window-title", "Window"),
      presets,
      field(this.center, "C", "Window center (level), in the volume's values"),
      field(this.width, "W", "Window width, in the volume's values (right-drag on the slice: sideways the width, up and down the center)"),
    );
  }

  private fromFields(): void {
    const center = Number(this.center.value);
    const width = Number(this.width.value);
    if (this.center.value === "" || this.width.value === "" || !Number.isFinite(center) || !(width > 0)) {
      this.showWindow();
      return;
    }
    this.source.setWindow({ center, width });
  }

  private showWindow(): void {
    const w = this.source.window;
    const round = (v: number) => String(Math.round(v * 100) / 100);
    if (document.activeElement !== this.center) this.center.value = round(w.center);
    if (document.activeElement !== this.width) this.width.value = round(w.width);
    for (const p of this.presets) p.button.classList.toggle("ls-active", p.window.center === w.center && p.window.width === w.width);
    this.root.dataset.window = `${w.center} ${w.width}`;
  }

  /** A right-button drag on the slice: sideways changes the width, up and down the center. */
  drag(phase: "start" | "move" | "end", dx: number, dy: number): void {
    if (phase === "start") this.dragStart = { ...this.source.window };
    if (!this.dragStart) return;
    this.source.setWindow(dragWindow(this.dragStart, dx, dy, this.source.media.value_range));
    if (phase === "end") this.dragStart = null;
  }

  /** Move the crosshair to a row and column of the slice (either may be null: kept). */
  moveCross(row: number | null, column: number | null): void {
    const [, height, width] = this.source.media.shape;
    const clamp = (v: number, n: number) => Math.max(0, Math.min(n - 1, Math.floor(v)));
    const r = row === null ? this.cross.row : clamp(row, height);
    const c = column === null ? this.cross.column : clamp(column, width);
    if (r === this.cross.row && c === this.cross.column) return;
    const rowChanged = r !== this.cross.row;
    const columnChanged = c !== this.cross.column;
    this.cross.row = r;
    this.cross.column = c;
    if (rowChanged) this.reformats[0].load();
    if (columnChanged) this.reformats[1].load();
    this.root.dataset.cross = `${r} ${c}`;
    this.host.redrawMain();
    this.invalidate();
  }

  seek(frame: number): void {
    this.host.seek(Math.max(0, Math.min(this.source.frames - 1, Math.floor(frame))));
  }

  get store(): AnnotationStore {
    return this.host.store;
  }

  get space(): SpaceState {
    return this.host.space;
  }

  setSize(width: number, height: number): void {
    this.side.style.width = `${width}px`;
    const each = Math.max(40, Math.floor((height - 4) / 2));
    for (const r of this.reformats) r.setSize(width, each);
    this.invalidate();
  }

  /** Draw the reformats again at the next animation frame (the labels, the slice or the crosshair changed). */
  invalidate(): void {
    if (this.scheduled || this.destroyed) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      if (!this.destroyed) for (const r of this.reformats) r.draw();
    });
  }

  /** The crosshair on the main view: the row and column the reformats are cut along. */
  drawOnMain(ctx: CanvasRenderingContext2D, view: View): void {
    const [, height, width] = this.source.media.shape;
    const x0 = view.x;
    const y0 = view.y;
    const x1 = x0 + width * view.scale;
    const y1 = y0 + height * view.scale;
    const y = Math.round(y0 + (this.cross.row + 0.5) * view.scale) + 0.5;
    const x = Math.round(x0 + (this.cross.column + 0.5) * view.scale) + 0.5;
    ctx.lineWidth = 1;
    ctx.setLineDash([6, 6]);
    ctx.globalAlpha = 0.45;
    ctx.strokeStyle = COLOURS[1];
    ctx.beginPath();
    ctx.moveTo(x0, y);
    ctx.lineTo(x1, y);
    ctx.stroke();
    ctx.strokeStyle = COLOURS[2];
    ctx.beginPath();
    ctx.moveTo(x, y0);
    ctx.lineTo(x, y1);
    ctx.stroke();
  }

  destroy(): void {
    this.destroyed = true;
    this.off();
    this.bar.remove();
    this.side.remove();
  }
}

/** One reformat on screen: the volume cut along the crosshair's row (axis 1) or column (axis 2). */
class Reformat {
  readonly root = el("div", "ls-reformat");
  private readonly title = el("div", "ls-reformat-title");
  private readonly canvas = el("canvas");
  private readonly picture = document.createElement("canvas");
  private slice: Slice | null = null;
  private wanted = -1;
  private width = 0;
  private height = 0;
  private dragging = false;

  constructor(
    private readonly panel: VolumePanel,
    readonly axis: 1 | 2,
  ) {
    this.root.dataset.axis = String(axis);
    this.root.style.borderColor = COLOURS[axis];
    this.root.append(this.canvas, this.title);
    this.canvas.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      e.preventDefault();
      this.canvas.setPointerCapture(e.pointerId);
      this.dragging = true;
      this.pick(e);
    });
    this.canvas.addEventListener("pointermove", (e) => {
      if (this.dragging) this.pick(e);
    });
    const up = (e: PointerEvent) => {
      this.dragging = false;
      if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    };
    this.canvas.addEventListener("pointerup", up);
    this.canvas.addEventListener("pointercancel", up);
    this.canvas.addEventListener("contextmenu", (e) => e.preventDefault());
  }

  /** Where along its axis this reformat is cut: the crosshair's row or column. */
  private get index(): number {
    return this.axis === 1 ? this.panel.cross.row : this.panel.cross.column;
  }

  setSize(width: number, height: number): void {
    const ratio = window.devicePixelRatio || 1;
    this.width = width;
    this.height = height;
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
  }

  /** Fetch the cut at the crosshair (the one shown stays until it comes). */
  load(): void {
    const index = this.index;
    this.wanted = index;
    void this.panel.source.slice(this.axis, index).then((slice) => {
      if (!slice || this.wanted !== index) return;
      this.slice = slice;
      this.repaint();
      this.panel.invalidate();
    });
  }

  repaint(): void {
    if (this.slice) paintSlice(this.slice, this.panel.source.window, this.picture);
  }

  /** Where the reformat's picture lies on the canvas (CSS pixels): one of its columns is `s` wide, one slice `pitch` high. */
  private placement(): { x0: number; y0: number; s: number; pitch: number; w: number; h: number } {
    const [frames, height, width] = this.panel.source.media.shape;
    const across = this.axis === 1 ? width : height;
    const aspect = this.panel.source.media.aspect[this.axis] || 1;
    const s = Math.min(this.width / across, this.height / (frames * aspect));
    const w = across * s;
    const h = frames * aspect * s;
    return { x0: (this.width - w) / 2, y0: (this.height - h) / 2, s, pitch: aspect * s, w, h };
  }

  private pick(e: PointerEvent): void {
    const rect = this.canvas.getBoundingClientRect();
    const { x0, y0, s, pitch, h } = this.placement();
    const along = (e.clientX - rect.left - x0) / s;
    const frame = (y0 + h - (e.clientY - rect.top)) / pitch;
    if (this.axis === 1) this.panel.moveCross(null, along);
    else this.panel.moveCross(along, null);
    this.panel.seek(frame);
  }

  draw(): void {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    const ratio = this.canvas.width / (this.width || 1);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#111";
    ctx.fillRect(0, 0, this.width, this.height);
    const { x0, y0, s, pitch, w, h } = this.placement();
    const frames = this.panel.source.frames;
    const slice = this.slice;
    if (slice) {
      ctx.save();
      ctx.imageSmoothingEnabled = pitch < 2 && s < 2;
      // The last slice at the top: the picture is drawn upside down.
      ctx.translate(x0, y0 + h);
      ctx.scale(1, -1);
      ctx.drawImage(this.picture, 0, 0, w, h);
      ctx.restore();
    }
    const frameY = (f: number) => y0 + h - (f + 1) * pitch; // top of slice f's row
    this.drawLabels(ctx, x0, s, pitch, frameY);
    // The crosshair: the slice shown, and the other line of the slice.
    const store = this.panel.store;
    const space = this.panel.space;
    const frame = store.frame(space.id);
    const other = this.axis === 1 ? this.panel.cross.column : this.panel.cross.row;
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 4]);
    ctx.strokeStyle = "rgba(255,255,255,0.8)";
    ctx.beginPath();
    const y = Math.round(frameY(frame) + pitch / 2) + 0.5;
    ctx.moveTo(x0, y);
    ctx.lineTo(x0 + w, y);
    ctx.stroke();
    // The other reformat's line, in its colour.
    const x = Math.round(x0 + (other + 0.5) * s) + 0.5;
    ctx.strokeStyle = COLOURS[this.axis === 1 ? 2 : 1];
    ctx.beginPath();
    ctx.moveTo(x, y0);
    ctx.lineTo(x, y0 + h);
    ctx.stroke();
    ctx.setLineDash([]);
    this.title.textContent = `${this.axis === 1 ? "Coronal" : "Sagittal"} · ${this.axis === 1 ? "row" : "column"} ${this.index} · slice ${frame} / ${frames - 1}`;
    this.root.dataset.index = String(this.index);
  }

  /** Each object's cut on each slice: a stroke along the slice's row of the reformat. */
  private drawLabels(ctx: CanvasRenderingContext2D, x0: number, s: number, pitch: number, frameY: (f: number) => number): void {
    const store = this.panel.store;
    const space = this.panel.space;
    const line = this.axis === 1 ? "row" : "column";
    const at = this.index;
    let drawn = 0;
    for (const a of store.objects.values()) {
      if (a.space !== space.id || a.hidden) continue;
      const selected = store.selection.has(a.key);
      for (const run of a.state.runs) {
        if (!run.meta.manual_annotation && run.meta.confidence < store.threshold) continue;
        let g = runGeoms.get(run);
        if (g === undefined) {
          try {
            g = fromWire(a.spec.shape, run.coordinates, space.width, space.height);
          } catch {
            g = null;
          }
          runGeoms.set(run, g);
        }
        if (!g) continue;
        const spans = cut(g, line, at);
        if (!spans.length) continue;
        const top = frameY(run.end);
        const tall = Math.max(1.5, (run.end - run.start + 1) * pitch);
        ctx.fillStyle = a.spec.color;
        for (const [from, to] of spans) {
          const left = x0 + from * s;
          const wide = Math.max(2, (to - from) * s);
          // A light fill, so that what is under it shows, and solid ends: the outline across slices.
          ctx.globalAlpha = selected ? 0.5 : 0.3;
          ctx.fillRect(left, top, wide, tall);
          ctx.globalAlpha = 1;
          ctx.fillStyle = selected ? "#fff" : a.spec.color;
          ctx.fillRect(left - 1, top, 2, tall);
          ctx.fillRect(left + wide - 1, top, 2, tall);
          ctx.fillStyle = a.spec.color;
          drawn++;
        }
      }
    }
    ctx.globalAlpha = 1;
    this.root.dataset.cuts = String(drawn);
  }
}
