// The Annotator's view: a toolbar, the row's spaces (side by side or one at a time), and panels
// for objects, attributes, classifications and predictions. It keeps the annotation store in step
// with the kernel: edits go out as operations (previewed until answered), updates and refusals
// come back; images are fetched with anywidget's request/response commands and cached, the next
// row's fetched ahead.

import type { AnyModel } from "@anywidget/types";
import { History } from "../../core/history";
import { nearestFrame, withInterpolation } from "../../core/keyframes";
import { newHash } from "../../core/ids";
import { type AnnotatorAction, defaultKeymap, isMacPlatform } from "../../core/keymap";
import type { Geom } from "../../core/shapes";
import { AnnotationStore, type StoreEvent, keyOf } from "../../core/store";
import { toWire } from "../../core/wire";
import { AttributesPanel } from "../../panels/attributes";
import { ClassificationsPanel } from "../../panels/classifications";
import { button, el } from "../../panels/dom";
import { HelpOverlay } from "../../panels/help";
import { ObjectsPanel } from "../../panels/objects";
import { PredictionsPanel } from "../../panels/predictions";
import { RowsPanel } from "../../panels/rows";
import { WorkPanel } from "../../panels/work";
import { Toolbar } from "../../panels/toolbar";
import type { FromKernel, ToKernel, UpdateMessage } from "../../protocol/messages";
import type { ObjectSpec } from "../../protocol/ontology";
import type { Operation } from "../../protocol/operations";
import type { Model, RowState } from "../../protocol/state";
import type { BrushMode } from "../../tools/brush";
import { BRUSH_SIZES } from "../../tools/brush";
import { FrameSources } from "../../media/frames";
import { VolumeFrames } from "../../media/volumeFrames";
import { Player } from "../../timeline/player";
import { Timeline } from "../../timeline/timeline";
import { SpaceView } from "./spaceView";

const FRAMES_AHEAD = 6;
const DEFAULT_WIDTH = 900;
const DEFAULT_HEIGHT = 600;
/** While playing, the lists and forms are rendered at most this often (milliseconds). */
const PLAYING_PANELS_MS = 250;

interface Experimental {
  invoke<T>(name: string, msg?: unknown, options?: { buffers?: DataView[]; signal?: AbortSignal }): Promise<[T, DataView[]]>;
}

/** What an edit changed, as the kernel reported it: enough to show its undo (or redo) at once. */
interface Change {
  objects: UpdateMessage["objects"];
  removed_objects: UpdateMessage["removed_objects"];
  classifications: UpdateMessage["classifications"];
  removed_classifications: UpdateMessage["removed_classifications"];
}

interface Clip {
  feature: string;
  coordinates: Record<string, unknown>;
  width: number;
  height: number;
  answers: Record<string, unknown>;
}

export class AnnotatorView {
  readonly root = el("div", "ls-annotator");
  readonly store = new AnnotationStore();
  readonly brush: { mode: BrushMode; radius: number } = { mode: "brush", radius: 8 };
  private readonly keymap = defaultKeymap(isMacPlatform(navigator.platform || navigator.userAgent));
  private readonly toolbar: Toolbar;
  private readonly spacesBox = el("div", "ls-spaces");
  private readonly tabs = el("div", "ls-space-tabs");
  private readonly side = el("div", "ls-side");
  private readonly status = el("div", "ls-status");
  private readonly hint = el("span", "ls-hint");
  private readonly note = el("span", "ls-note");
  private readonly saved = el("span", "ls-saved");
  private readonly progress = el("span", "ls-progress");
  private readonly objectsPanel: ObjectsPanel;
  private readonly attributesPanel: AttributesPanel;
  private readonly classificationsPanel: ClassificationsPanel;
  private readonly predictionsPanel: PredictionsPanel;
  private readonly rowsPanel: RowsPanel;
  private readonly workPanel: WorkPanel;
  private readonly help: HelpOverlay;
  private readonly timeline: Timeline;
  private readonly player: Player;
  /** The frame each space was last asked to show: a frame that arrives after a newer request is dropped. */
  private readonly wantedFrame = new Map<string, number>();
  private spaceDown = false;
  views: SpaceView[] = [];
  private focused: SpaceView | null = null;
  private sideBySide = true;
  private activeSpec: ObjectSpec | null = null;
  private request = 0;
  private readonly pending = new Map<number, string[]>();
  private readonly requestKinds = new Map<number, "edit" | "undo" | "redo">();
  /** The kernel's history mirrored, to show an undo or redo before the kernel has answered. */
  private readonly local = new History<{ undo: Change; redo: Change }>();
  private adopting: string | null = null;
  private clipboard: Clip[] = [];
  readonly frames: FrameSources;
  private destroyed = false;

  constructor(
    private readonly model: AnyModel<Model>,
    host: HTMLElement,
    private readonly experimental: Experimental,
  ) {
    this.root.tabIndex = 0;
    const invoke = <T>(name: string, msg?: unknown) => this.experimental.invoke<T>(name, msg);
    const say = (message: string, error?: boolean) => this.say(message, error);
    this.frames = new FrameSources({
      invoke,
      say,
      // A grayscale volume's slices come as values and are windowed here.
      volume: (row, space, media, counted) => new VolumeFrames({ invoke: counted, say }, row, space, media),
      fitScale: (w, h) => {
        const { width, height } = this.canvasSize(this.store.spaces.length || 1);
        return Math.min(width / w, height / h);
      },
    });
    this.toolbar = new Toolbar({
      choose: (spec) => this.choose(spec),
      undo: () => this.undo(),
      redo: () => this.redo(),
      fit: () => this.views.forEach((v) => v.stage.fit()),
      help: () => this.help.toggle(),
      layout: () => this.toggleLayout(),
      brushMode: (mode) => this.setBrushMode(mode),
    });
    const send = (op: Operation) => this.send(op);
    this.objectsPanel = new ObjectsPanel(this.store, { select: (key, add) => this.selectFromList(key, add) });
    this.attributesPanel = new AttributesPanel(this.store, send, () => this.readonly);
    this.classificationsPanel = new ClassificationsPanel(this.store, send, newHash, () => this.readonly);
    this.predictionsPanel = new PredictionsPanel(this.store, { acceptAll: () => this.review("accept", true), rejectAll: () => this.review("reject", true) });
    this.rowsPanel = new RowsPanel(
      (row) => this.goto(row),
      () => this.model.get("row_index"),
    );
    this.workPanel = new WorkPanel((msg) => this.post(msg));
    this.help = new HelpOverlay(this.keymap, () => this.help.toggle(false));
    this.timeline = new Timeline({
      store: this.store,
      space: () => this.focused?.space ?? null,
      seek: (frame) => this.seek(frame),
      step: (n) => this.stepFrames(n),
      togglePlay: () => this.togglePlay(),
      selectObject: (key, frame) => this.showObject(key, frame),
      send: (op) => this.send(op),
      newId: () => newHash(),
      readonly: () => this.readonly,
      track: (direction) => this.track(direction),
    });
    this.player = new Player({
      show: (frame) => this.showFrame(frame),
      prefetch: (from) => this.prefetchFrames(from),
      playable: (after, due) => this.playable(after, due),
      changed: (playing) => this.timeline.setPlaying(playing),
    });
    this.side.append(this.objectsPanel.root, this.attributesPanel.root, this.classificationsPanel.root, this.predictionsPanel.root);
    const main = el("div", "ls-main");
    const canvasColumn = el("div", "ls-canvas-column");
    canvasColumn.append(this.tabs, this.spacesBox, this.timeline.root);
    main.append(canvasColumn, this.side);
    this.status.append(this.workPanel.root, this.rowsPanel.root, this.hint, this.note, this.progress, this.saved);
    this.root.append(this.toolbar.root, main, this.status, this.help.root);
    host.append(this.root);

    this.store.setOntology(model.get("ontology"));
    this.toolbar.setOntology(this.store.ontology.objects);
    this.toolbar.setActive(null, this.brush);
    this.store.on((e) => this.storeChanged(e));

    this.root.addEventListener("keydown", (e) => this.onKey(e));
    this.root.addEventListener("keyup", (e) => this.onKeyUp(e));
    this.root.addEventListener("pointerdown", (e) => {
      if (!(e.target as HTMLElement).closest("input, textarea, select")) this.root.focus({ preventScroll: true });
    });
    model.on("msg:custom", (msg: FromKernel, buffers: DataView[]) => this.onMessage(msg, buffers));
    model.on("change:ontology", () => {
      this.store.setOntology(model.get("ontology"));
      this.toolbar.setOntology(this.store.ontology.objects);
      this.choose(null);
    });
    model.on("change:message", () => {
      this.showMessage();
      this.workPanel.ready();
    });
    model.on("change:work", () => this.workPanel.render(model.get("work")));
    model.on("change:save_status", () => this.showSaved());
    model.on("change:rows", () => this.rowsPanel.render(model.get("rows"), model.get("row_index")));
    model.on("change:row_index", () => this.rowsPanel.render(model.get("rows"), model.get("row_index")));
    model.on("change:readonly", () => this.choose(null));
    this.showMessage();
    this.showSaved();
    this.rowsPanel.render(model.get("rows"), model.get("row_index"));
    this.workPanel.render(model.get("work") ?? {});
    this.post({ kind: "ready" });
  }

  get readonly(): boolean {
    return this.model.get("readonly");
  }

  // -- talking to the kernel --

  private post(msg: ToKernel): void {
    this.model.send(msg);
  }

  send(op: Operation, previews?: Map<string, Geom | null>): void {
    if (this.readonly) {
      this.say("This annotator is read-only.");
      return;
    }
    op = withInterpolation(
      op,
      (space, id) => this.store.objects.get(`${space}/${id}`)?.state,
      (space) => (this.store.space(space)?.frames ?? 1) > 1,
    );
    const request = ++this.request;
    const keys: string[] = [];
    for (const [key, g] of previews ?? []) {
      this.store.setPreview(key, g);
      keys.push(key);
    }
    this.pending.set(request, keys);
    this.requestKinds.set(request, "edit");
    this.root.dataset.pending = String(this.pending.size);
    this.post({ kind: "edit", request, op });
  }

  private undo(): void {
    this.step("undo");
  }

  private redo(): void {
    this.step("redo");
  }

  /** Undo or redo: shown at once from the mirrored history when it agrees with the kernel's, then confirmed. */
  private step(kind: "undo" | "redo"): void {
    if (this.readonly) return;
    const request = ++this.request;
    this.requestKinds.set(request, kind);
    const h = this.store.row?.history;
    const inStep = h !== undefined && this.local.undoCount === h.undo && this.local.redoCount === h.redo;
    const entry = inStep ? (kind === "undo" ? this.local.undo() : this.local.redo()) : undefined;
    if (entry && h) {
      const change = kind === "undo" ? entry.undo : entry.redo;
      const history = { ...h, undo: h.undo + (kind === "undo" ? -1 : 1), redo: h.redo + (kind === "undo" ? 1 : -1) };
      this.store.applyUpdate({ kind: "update", request: null, ...change, history });
      this.toolbar.setHistory(history, this.readonly);
    }
    this.post({ kind, request });
  }

  /** Record what an edit the kernel carried out changed, before the store takes the new states. */
  private mirror(msg: UpdateMessage): void {
    const kind = msg.request === null ? null : this.requestKinds.get(msg.request);
    if (msg.request !== null) this.requestKinds.delete(msg.request);
    if (kind === "edit" && msg.history.undo === this.local.undoCount + 1 && msg.history.redo === 0) {
      const undo: Change = { objects: [], removed_objects: [], classifications: [], removed_classifications: [] };
      for (const state of msg.objects) {
        const old = this.store.objects.get(keyOf(state));
        if (old) undo.objects.push(old.state);
        else undo.removed_objects.push({ space: state.space, id: state.id });
      }
      for (const k of msg.removed_objects) {
        const old = this.store.objects.get(keyOf(k));
        if (old) undo.objects.push(old.state);
      }
      for (const state of msg.classifications) {
        const old = this.store.classifications.get(keyOf(state));
        if (old) undo.classifications.push(old);
        else undo.removed_classifications.push({ space: state.space, id: state.id });
      }
      for (const k of msg.removed_classifications) {
        const old = this.store.classifications.get(keyOf(k));
        if (old) undo.classifications.push(old);
      }
      const { objects, removed_objects, classifications, removed_classifications } = msg;
      this.local.push({ undo, redo: { objects, removed_objects, classifications, removed_classifications } });
    }
    // Out of step with the kernel (an edit made in Python, a step past the limit): show steps only
    // once the kernel has answered them.
    if (msg.history.undo !== this.local.undoCount || msg.history.redo !== this.local.redoCount) this.local.clear();
  }

  private goto(row: number): void {
    const count = this.model.get("row_count");
    if (row < 0 || row >= count || row === this.model.get("row_index")) return;
    for (const v of this.views) v.tool.cancel();
    this.player.pause();
    this.post({ kind: "goto", row });
  }

  private onMessage(msg: FromKernel, _buffers: DataView[]): void {
    if (this.destroyed || !msg || typeof msg !== "object") return;
    const t0 = performance.now();
    if (msg.kind === "row") this.showRow(msg.row);
    else if (msg.kind === "update") {
      this.mirror(msg);
      const keys = this.store.applyUpdate(msg);
      if (msg.request !== null) this.settle(msg.request);
      if (this.adopting && keys.includes(this.adopting)) {
        this.store.select([this.adopting]);
        this.adopting = null;
      }
      this.toolbar.setHistory(msg.history, this.readonly);
      this.root.dataset.undo = String(msg.history.undo);
      this.root.dataset.redo = String(msg.history.redo);
      this.root.dataset.updates = String(Number(this.root.dataset.updates ?? 0) + 1);
      performance.measure("ls-update", { start: t0 });
      this.root.dispatchEvent(new CustomEvent("ls-update", { bubbles: true, detail: { request: msg.request } }));
    } else if (msg.kind === "progress") {
      this.showProgress(msg.task, msg.done, msg.total, msg.message);
    } else if (msg.kind === "refused") {
      this.settle(msg.request);
      this.requestKinds.delete(msg.request);
      this.adopting = null;
      this.say(msg.message, true);
    }
  }

  private settle(request: number): void {
    const keys = this.pending.get(request);
    this.pending.delete(request);
    if (keys) this.store.clearPreviews(keys);
    this.root.dataset.pending = String(this.pending.size);
  }

  // -- the row --

  private showRow(row: RowState): void {
    const t0 = performance.now();
    performance.mark("ls-row");
    const sameRow = this.store.row?.index === row.index;
    if (!sameRow) this.player.pause();
    // The images first: they are fetched and decoded while the shapes are read.
    const images = row.spaces.map((s) => this.frames.frame(row.index, s.id, sameRow ? this.store.frame(s.id) : 0, s.kind));
    this.store.loadRow(row);
    performance.measure("ls-row-loaded", { start: t0 });
    this.pending.clear();
    this.local.clear();
    const { width, height } = this.canvasSize(row.spaces.length);
    // Views of the same spaces are kept from row to row (a project's rows usually share a layout).
    const keep = this.views.length === row.spaces.length && this.views.every((v, i) => v.space.id === row.spaces[i].id);
    if (!keep) {
      for (const v of this.views) v.destroy();
      this.views = row.spaces.map((s) => new SpaceView(s, this, width, height));
      this.focused = this.views[0] ?? null;
      for (const v of this.views) v.setTool(this.activeSpec);
    } else {
      this.views.forEach((v, i) => {
        v.setSpace(row.spaces[i]);
        if (!sameRow) v.setImage(null); // never the last row's image under this row's shapes
      });
    }
    this.layout();
    this.toolbar.setHistory(row.history, this.readonly);
    this.root.dataset.row = String(row.index);
    this.root.dataset.undo = String(row.history.undo);
    this.root.dataset.redo = String(row.history.redo);
    this.views.forEach((v, i) => void this.loadImage(v, row.index, images[i], keep && sameRow));
    this.prefetch(row.index + 1);
    this.wantedFrame.clear();
    this.timeline.setWidth(this.canvasSize(1).width);
    this.renderPanels();
    performance.measure("ls-row-shown", { start: t0 });
  }

  private canvasSize(spaces: number): { width: number; height: number } {
    const w = this.model.get("width") || DEFAULT_WIDTH;
    const h = this.model.get("height") || DEFAULT_HEIGHT;
    if (!this.sideBySide || spaces <= 1) return { width: w, height: h };
    return { width: Math.max(240, Math.floor((w - 8 * (spaces - 1)) / spaces)), height: h };
  }

  private layout(): void {
    const { width, height } = this.canvasSize(this.views.length);
    this.spacesBox.replaceChildren(...this.views.map((v) => v.root));
    this.tabs.hidden = this.sideBySide || this.views.length <= 1;
    this.tabs.replaceChildren(
      ...this.views.map((v) => {
        const b = button(v.space.title, `Show ${v.space.id}`, () => this.focusSpace(v), "ls-tab");
        b.classList.toggle("ls-active", v === this.focused);
        return b;
      }),
    );
    for (const v of this.views) {
      v.root.hidden = !this.sideBySide && v !== this.focused;
      v.setSize(width, height);
      v.root.classList.toggle("ls-focused", v === this.focused && this.views.length > 1);
    }
    // The side panels are as tall as the canvases and sized by them alone, so that what changes
    // inside them never lays out the notebook around the widget.
    this.side.style.height = `${height + 16}px`;
    this.toolbar.layoutButton.hidden = this.views.length <= 1;
    this.toolbar.layoutButton.textContent = this.sideBySide ? "One at a time" : "Side by side";
  }

  private toggleLayout(): void {
    this.sideBySide = !this.sideBySide;
    this.layout();
  }

  focusSpace(view: SpaceView): void {
    if (this.focused === view) return;
    this.player.pause(); // the player keeps the time of the space it was started on
    this.focused = view;
    if (!this.sideBySide) this.layout();
    else for (const v of this.views) v.root.classList.toggle("ls-focused", v === view && this.views.length > 1);
    this.classificationsPanel.render(view.space.id);
    this.timeline.invalidate();
  }

  // -- images --

  private image(row: number, space: string, frame: number): Promise<CanvasImageSource | null> {
    const kind = this.store.row?.index === row ? this.store.space(space)?.kind : undefined;
    return this.frames.frame(row, space, frame, kind);
  }

  private async loadImage(view: SpaceView, row: number, image: Promise<CanvasImageSource | null>, keepView: boolean): Promise<void> {
    const space = view.space.id;
    try {
      const bitmap = await image;
      if (this.destroyed || this.store.row?.index !== row || view.space.id !== space || !this.views.includes(view)) return;
      view.setImage(bitmap, keepView);
      this.markSource(view, row);
    } catch (e) {
      this.say(`Could not show the image of ${space}: ${e}`, true);
    }
  }

  /** Say on the space's element how its pictures come ("video": decoded here, "volume", "frames": encoded by the kernel). */
  private markSource(view: SpaceView, row: number): void {
    const s = this.frames.now(row, view.space.id); // found: a frame of it was just painted
    if (!s) return;
    view.root.dataset.source = s.kind;
    view.attachVolume(s instanceof VolumeFrames ? s : null);
  }

  private prefetch(row: number): void {
    const rows = this.model.get("rows");
    this.frames.forgetRows([row - 1, row]); // the decoders of rows left behind are closed
    if (row >= rows.length) return;
    for (const space of rows[row].spaces) void this.image(row, space, 0).catch(() => undefined);
  }

  // -- frames --

  /** The views that step with the focused one: every multi-frame space with its frame count, else it alone. */
  private linkedViews(): SpaceView[] {
    const focused = this.focused;
    if (!focused || focused.space.frames <= 1) return [];
    return this.views.filter((v) => v === focused || v.space.frames === focused.space.frames);
  }

  /** Go `n` frames on from the frame last asked for (several quick steps add up before frames arrive). */
  private stepFrames(n: number): void {
    const view = this.focused;
    if (!view || view.space.frames <= 1) return;
    this.seek((this.wantedFrame.get(view.space.id) ?? this.store.frame(view.space.id)) + n);
  }

  /** Go to a frame of the focused space (and the spaces that step with it); stops playing. */
  seek(frame: number): void {
    this.player.pause();
    void this.showFrame(frame);
  }

  /**
   * Show a frame: its images fetched first, then the shapes and the images change together, so a
   * frame's labels are never drawn over another frame. Resolves true once painted, false if a newer
   * request overtook it.
   */
  showFrame(frame: number): Promise<boolean> {
    const views = this.linkedViews();
    const row = this.store.row;
    if (!views.length || !row) return Promise.resolve(false);
    const target = Math.max(0, Math.min(views[0].space.frames - 1, Math.round(frame)));
    for (const v of views) this.wantedFrame.set(v.space.id, target);
    const images = views.map((v) => this.image(row.index, v.space.id, target));
    return Promise.all(images).then(
      (bitmaps) => {
        if (this.destroyed || this.store.row !== row) return false;
        if (views.some((v) => this.wantedFrame.get(v.space.id) !== target)) return false;
        this.store.setFrame(
          views.map((v) => v.space.id),
          target,
        );
        views.forEach((v, i) => {
          v.setImage(bitmaps[i], true);
          this.markSource(v, row.index);
          v.root.dataset.frame = String(target);
        });
        this.root.dataset.frame = String(target);
        this.root.dispatchEvent(new CustomEvent("ls-frame", { bubbles: true, detail: { frame: target } }));
        if (!this.player.playing) this.prefetchFrames(target + 1);
        return true;
      },
      (e) => {
        this.say(`Could not show frame ${target}: ${e}`, true);
        return false;
      },
    );
  }

  /** While playing: the frame every stepping space can show next (the earliest of their choices). */
  private playable(after: number, due: number): number {
    const row = this.store.row;
    let next = due;
    for (const v of row ? this.linkedViews() : []) {
      const source = this.frames.now(row!.index, v.space.id);
      if (source?.playable) next = Math.min(next, source.playable(after, due));
    }
    return next;
  }

  private prefetchFrames(from: number): void {
    const row = this.store.row;
    if (!row) return;
    for (const v of this.linkedViews()) {
      const last = Math.min(v.space.frames - 1, from + FRAMES_AHEAD - 1);
      if (from <= last) this.frames.prefetch(row.index, v.space.id, Math.max(0, from), last - Math.max(0, from) + 1, v.space.kind);
    }
  }

  private togglePlay(): void {
    const v = this.focused;
    if (!v || v.space.frames <= 1) return;
    for (const view of this.views) view.tool.cancel();
    this.player.toggle(this.store.frame(v.space.id), v.space.frames, v.space.fps || 25);
  }

  /** Select an object from the timeline and show it: on `frame`, or on its frame nearest the current one. */
  private showObject(key: string, frame: number | null): void {
    const a = this.store.objects.get(key);
    if (!a) return;
    const view = this.views.find((v) => v.space.id === a.space);
    if (view) this.focusSpace(view);
    this.store.select([key]);
    const target = frame ?? nearestFrame(a.state, this.store.frame(a.space));
    if (target !== null && target !== this.store.frame(a.space)) this.seek(target);
    this.root.focus({ preventScroll: true });
  }

  /** Track the selected objects from the current frame (the kernel runs the tracker). */
  private track(direction: "forward" | "backward"): void {
    const view = this.focused;
    if (this.readonly || !view || view.space.frames <= 1) return;
    const selected = this.store.selected().filter((a) => a.space === view.space.id && a.geom);
    if (!selected.length) {
      this.say("Select objects on this frame to track them.");
      return;
    }
    this.player.pause();
    const request = ++this.request;
    this.post({ kind: "track", request, space: view.space.id, objects: selected.map((a) => a.id), frame: this.store.frame(view.space.id), direction });
  }

  private showProgress(task: string, done: number, total: number, message: string): void {
    const running = done < total;
    this.progress.replaceChildren(el("span", "", message || `${task}: ${done} / ${total}`));
    if (running) this.progress.append(button("Cancel", `Stop ${task} (what is done so far is kept)`, () => this.post({ kind: "cancel" })));
    this.progress.dataset.running = String(running);
    this.progress.dataset.done = String(done);
    this.root.dataset.task = running ? task : "";
  }

  // -- tools and selection --

  private choose(spec: ObjectSpec | null): void {
    if (spec && this.readonly) {
      this.say("This annotator is read-only.");
      spec = null;
    }
    this.activeSpec = spec;
    for (const v of this.views) v.setTool(spec);
    this.toolbar.setActive(spec, this.brush);
    this.showHint();
  }

  private setBrushMode(mode: BrushMode): void {
    this.brush.mode = mode;
    const mask = this.activeSpec?.shape === "bitmask" ? this.activeSpec : this.store.ontology.objects.find((o) => o.shape === "bitmask");
    if (mask && this.activeSpec !== mask) this.choose(mask);
    else {
      for (const v of this.views) v.setTool(this.activeSpec);
      this.toolbar.setActive(this.activeSpec, this.brush);
    }
    this.showHint();
  }

  adopt(key: string): void {
    this.adopting = key;
  }

  newId(): string {
    return newHash();
  }

  private selectFromList(key: string, add: boolean): void {
    const a = this.store.objects.get(key);
    if (!a) return;
    this.store.select([key], add ? "toggle" : "set");
    const view = this.views.find((v) => v.space.id === a.space);
    if (view) this.focusSpace(view);
    this.root.focus({ preventScroll: true });
  }

  private storeChanged(e: StoreEvent): void {
    const find = (key: string) => this.store.objects.get(key);
    if (e.kind === "threshold") for (const v of this.views) v.shapes.thresholdChanged();
    else if (e.kind === "objects") for (const v of this.views) v.shapes.invalidateKeys(e.keys, find);
    else if (e.kind === "selection") for (const v of this.views) v.shapes.invalidateKeys(e.changed, find);
    else if (e.kind === "frame") {
      for (const v of this.views) if (e.spaces.includes(v.space.id)) v.shapes.invalidate();
    } else if (e.kind === "row" || e.kind === "visibility") for (const v of this.views) v.shapes.invalidate();
    for (const v of this.views) v.redraw();
    // The timeline's rows change with what the row holds, the selection and the range; a frame
    // moves only its playhead; previews, the threshold and hiding leave it as it is.
    if (e.kind === "frame") this.timeline.render();
    else if (!(e.kind === "objects" && e.preview) && e.kind !== "threshold" && e.kind !== "visibility") this.timeline.invalidate();
    // Edits (undo included), frames and the threshold slider: the canvas answers in this frame,
    // the lists and forms in the next. Selection and hiding show in both at once.
    if (e.kind === "threshold" || e.kind === "objects" || e.kind === "frame") this.schedulePanels();
    else this.renderPanels();
  }

  private panelsScheduled = false;
  private panelsRendered = -Infinity;

  private schedulePanels(): void {
    if (this.panelsScheduled) return;
    this.panelsScheduled = true;
    // When the page is idle (a slider being dragged updates the lists once it rests), and within
    // a fifth of a second in any case.
    const render = () => {
      this.panelsScheduled = false;
      if (!this.destroyed) this.renderPanels();
    };
    const whenIdle = () => {
      if (typeof requestIdleCallback === "function") requestIdleCallback(render, { timeout: 200 });
      else setTimeout(render, 50);
    };
    // While playing, the lists and forms follow a few times a second (the canvas and the timeline
    // every frame): laying them out at every frame took about a tenth of a core.
    const wait = this.player.playing ? this.panelsRendered + PLAYING_PANELS_MS - performance.now() : 0;
    if (wait > 0) setTimeout(whenIdle, wait);
    else whenIdle();
  }

  renderPanels(): void {
    this.panelsRendered = performance.now();
    this.objectsPanel.render();
    this.attributesPanel.render();
    this.classificationsPanel.render(this.focused?.space.id ?? null);
    this.predictionsPanel.render();
    this.rowsPanel.render(this.model.get("rows"), this.model.get("row_index"));
    this.root.dataset.objects = String(this.store.objects.size);
    this.root.dataset.selected = [...this.store.selection].join(" ");
  }

  // -- messages --

  say(message: string, refused = false): void {
    this.note.textContent = message;
    this.note.classList.toggle("ls-refused", refused);
  }

  private showMessage(): void {
    const message = this.model.get("message");
    if (message) this.say(message, true);
  }

  private showSaved(): void {
    const s = this.model.get("save_status");
    this.saved.textContent = s === "pending" ? "saving…" : s === "saved" ? "saved" : s === "failed" ? "not saved" : "";
    this.saved.dataset.status = s;
  }

  private showHint(): void {
    this.hint.textContent = this.focused?.tool.hint?.() ?? "";
  }

  // -- review, clipboard --

  private review(action: "accept" | "reject", all: boolean): void {
    const targets = all ? this.store.predictions() : this.store.selected().filter((a) => this.store.isPrediction(a));
    if (!targets.length) {
      this.say(all ? "No predictions are shown." : "Select a prediction first (dashed).");
      return;
    }
    const ops: Operation[] = targets.map((a) =>
      action === "accept" ? { op: "accept_object", space: a.space, object: a.id } : { op: "remove_object", space: a.space, object: a.id },
    );
    this.send(ops.length === 1 ? ops[0] : { op: "batch", ops });
    if (!all && targets.length === 1) this.selectNextPrediction(targets[0].key);
  }

  private selectNextPrediction(after: string): void {
    const list = this.store.predictions();
    const i = list.findIndex((a) => a.key === after);
    const next = list[i + 1] ?? list.find((a) => a.key !== after);
    this.store.select(next && next.key !== after ? [next.key] : []);
  }

  private copy(): void {
    this.clipboard = this.store.selected().flatMap((a) => {
      const g = this.store.shown(a);
      const s = this.store.space(a.space);
      if (!g || !s) return [];
      return [{ feature: a.spec.hash, coordinates: toWire(g, s.width, s.height), width: s.width, height: s.height, answers: a.state.answers }];
    });
    this.say(this.clipboard.length ? `Copied ${this.clipboard.length} object(s).` : "Nothing selected to copy.");
  }

  private paste(): void {
    const view = this.focused;
    if (!view || !this.clipboard.length) return;
    const space = view.space;
    const ops: Operation[] = [];
    for (const clip of this.clipboard) {
      if (clip.coordinates.counts !== undefined && (clip.width !== space.width || clip.height !== space.height)) {
        this.say(`A mask of ${clip.width}×${clip.height} cannot be pasted onto an image of ${space.width}×${space.height}.`, true);
        continue;
      }
      const id = newHash();
      ops.push({ op: "put_object", space: space.id, object: id, feature: clip.feature, frames: this.store.frame(space.id), coordinates: clip.coordinates, on_overlap: "error", meta: { manual_annotation: true, confidence: 1 } });
      for (const [attribute, answer] of Object.entries(clip.answers)) ops.push({ op: "set_answer", instance: id, attribute, answer });
    }
    if (ops.length) this.send({ op: "batch", ops });
  }

  // -- keys --

  private onKey(e: KeyboardEvent): void {
    const target = e.target as HTMLElement;
    if (target.closest("input, textarea, select")) return;
    // The play key plays and pauses a video or volume when it is let go without having panned
    // (Space and a drag pans), so it acts on key up.
    if (this.keymap.find(e)?.action === "play" && (this.focused?.space.frames ?? 1) > 1) {
      e.preventDefault();
      e.stopPropagation();
      if (!e.repeat) this.spaceDown = true;
      return;
    }
    const view = this.focused;
    if (view?.key(e)) {
      e.preventDefault();
      e.stopPropagation();
      this.showHint();
      return;
    }
    const binding = this.keymap.find(e);
    if (binding && this.act(binding.action)) {
      e.preventDefault();
      e.stopPropagation();
      this.showHint();
      return;
    }
    // Plain keys typed in the annotator are its own: they must not reach the notebook's command
    // mode (where "x" cuts a cell). Combos with Ctrl, Alt or Cmd that it does not use pass on.
    if (!e.ctrlKey && !e.metaKey && !e.altKey && (e.key.length === 1 || ["Delete", "Backspace", "Enter", "Escape", "Tab"].includes(e.key))) e.stopPropagation();
  }

  private onKeyUp(e: KeyboardEvent): void {
    if (!this.spaceDown || this.keymap.find(e)?.action !== "play") return;
    this.spaceDown = false;
    e.preventDefault();
    e.stopPropagation();
    if (!this.views.some((v) => v.stage.spacePanned)) this.togglePlay();
  }

  private act(action: AnnotatorAction): boolean {
    const view = this.focused;
    const store = this.store;
    if (action.startsWith("tool-")) {
      const spec = store.ontology.objects[Number(action.slice(5)) - 1];
      if (!spec) return false;
      this.choose(spec);
      return true;
    }
    switch (action) {
      case "cancel":
        if (this.help.open) this.help.toggle(false);
        else if (!this.views.some((v) => v.tool.cancel())) {
          // Escape steps back: from a drawing tool to selecting, then out of the selection.
          if (this.activeSpec) this.choose(null);
          else store.select([]);
        }
        for (const v of this.views) v.redraw();
        return true;
      case "delete": {
        if (view && view.editor.alterHovered(view.stage.imagePointer())) return true;
        const selected = store.selected().filter((a) => !a.locked);
        if (!selected.length) return false;
        const ops: Operation[] = selected.map((a) => ({ op: "remove_object", space: a.space, object: a.id, frames: store.frame(a.space) }));
        this.send(ops.length === 1 ? ops[0] : { op: "batch", ops });
        return true;
      }
      case "toggle-visibility":
        return view ? view.editor.alterHovered(view.stage.imagePointer()) : false;
      case "finish":
        return false;
      case "undo":
        this.undo();
        return true;
      case "redo":
        this.redo();
        return true;
      case "copy":
        this.copy();
        return true;
      case "paste":
        this.paste();
        return true;
      case "select-all":
        store.select(view ? store.visible(view.space.id).map((a) => a.key) : []);
        return true;
      case "hide": {
        const keys = [...store.selection];
        if (keys.length) store.setHidden(keys, true);
        else store.setHidden([...store.objects.keys()], false);
        return true;
      }
      case "lock": {
        const selected = store.selected();
        store.setLocked(
          selected.map((a) => a.key),
          !selected.every((a) => a.locked),
        );
        return true;
      }
      case "fit":
        view?.stage.fit();
        return true;
      case "zoom-in":
        view?.stage.zoomBy(1.25);
        return true;
      case "zoom-out":
        view?.stage.zoomBy(0.8);
        return true;
      case "brush-smaller":
      case "brush-larger": {
        const r = this.brush.radius * (action === "brush-larger" ? 1.25 : 0.8);
        this.brush.radius = Math.round(Math.min(BRUSH_SIZES.max / 2, Math.max(BRUSH_SIZES.min / 2, r)) * 2) / 2 || 0.5;
        if (action === "brush-larger" && this.brush.radius < 1) this.brush.radius = 1;
        this.toolbar.setActive(this.activeSpec, this.brush);
        for (const v of this.views) v.redraw();
        return true;
      }
      case "brush":
        this.setBrushMode("brush");
        return true;
      case "eraser":
        this.setBrushMode("eraser");
        return true;
      case "fill-polygon":
        this.setBrushMode("fill");
        return true;
      case "accept":
        this.review("accept", false);
        return true;
      case "reject":
        this.review("reject", false);
        return true;
      case "accept-all":
        this.review("accept", true);
        return true;
      case "next-row":
        this.goto(this.model.get("row_index") + 1);
        return true;
      case "previous-row":
        this.goto(this.model.get("row_index") - 1);
        return true;
      case "next-object":
      case "previous-object": {
        const list = view ? store.visible(view.space.id) : [];
        if (!list.length) return false;
        const current = list.findIndex((a) => store.selection.has(a.key));
        const step = action === "next-object" ? 1 : -1;
        const next = list[(current + step + list.length) % list.length];
        store.select([next.key]);
        return true;
      }
      case "help":
        this.help.toggle();
        return true;
      case "play":
        return false; // on a video or volume it acts on key up (onKeyUp); elsewhere the key passes on
      case "next-frame":
      case "previous-frame":
      case "next-10-frames":
      case "previous-10-frames": {
        if (!view || view.space.frames <= 1) return false;
        this.stepFrames({ "next-frame": 1, "previous-frame": -1, "next-10-frames": 10, "previous-10-frames": -10 }[action]);
        return true;
      }
      case "first-frame":
      case "last-frame":
        if (!view || view.space.frames <= 1) return false;
        this.seek(action === "first-frame" ? 0 : view.space.frames - 1);
        return true;
      case "track-forward":
      case "track-backward":
        this.track(action === "track-forward" ? "forward" : "backward");
        return true;
    }
    return false;
  }

  destroy(): void {
    this.destroyed = true;
    this.player.pause();
    for (const v of this.views) v.destroy();
    this.frames.close();
  }
}
