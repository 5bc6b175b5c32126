// One space of the row on screen: its stage with the image, the shapes layer, the active layer,
// and the tool in use there. It is the host tools work through.

import { ActiveLayer } from "../../canvas/activeLayer";
import { ShapesLayer, cachedBounds } from "../../canvas/shapesLayer";
import { type PointerInfo, Stage } from "../../canvas/stage";
import type { Annotation, AnnotationStore } from "../../core/store";
import { type Geom, type Pt, hitTest } from "../../core/shapes";
import { el } from "../../panels/dom";
import type { ObjectSpec } from "../../protocol/ontology";
import type { Operation } from "../../protocol/operations";
import type { SpaceState } from "../../protocol/state";
import type { BrushMode } from "../../tools/brush";
import { Editor } from "../../tools/edit";
import { toolFor } from "../../tools";
import { SelectTool } from "../../tools/select";
import type { Tool, ToolHost } from "../../tools/tool";
import type { VolumeFrames } from "../../media/volumeFrames";
import { VolumePanel } from "./volumePanel";

const HIT_REACH = 5; // screen pixels

export interface SpaceViewHost {
  readonly store: AnnotationStore;
  readonly readonly: boolean;
  send(op: Operation, previews?: Map<string, Geom | null>): void;
  newId(): string;
  adopt(key: string): void;
  say(message: string): void;
  focusSpace(view: SpaceView): void;
  /** Show a frame of the focused space (and those stepping with it). */
  seek(frame: number): void;
  brush: { mode: BrushMode; radius: number };
}

export class SpaceView implements ToolHost {
  readonly root = el("div", "ls-space");
  readonly stage: Stage;
  readonly editor: Editor;
  readonly shapes: ShapesLayer;
  readonly active: ActiveLayer;
  tool: Tool;
  private readonly title = el("div", "ls-space-title");
  private readonly holder = el("div", "ls-space-canvas");
  private readonly body = el("div", "ls-space-body");
  /** The window bar and the reformats of a volume space shown from its values. */
  volume: VolumePanel | null = null;
  private size = { width: 0, height: 0 };

  constructor(
    public space: SpaceState,
    private readonly host: SpaceViewHost,
    width: number,
    height: number,
  ) {
    this.root.dataset.space = space.id;
    this.body.append(this.holder);
    this.root.append(this.title, this.body);
    this.setTitle();
    this.size = { width, height };
    this.stage = new Stage(this.holder, width, height, {
      down: (e) => this.down(e),
      move: (e) => this.move(e),
      up: (e) => this.up(e),
      dblclick: (e) => this.dblclick(e),
    });
    this.editor = new Editor(this);
    this.tool = new SelectTool(this, this.editor);
    const store = host.store;
    this.shapes = new ShapesLayer(this.stage, {
      items: () => store.drawable(this.space.id).filter((a) => !store.selection.has(a.key)),
      threshold: () => store.threshold,
      shown: (a) => store.shown(a),
      isPrediction: (a) => store.isPrediction(a),
    });
    this.active = new ActiveLayer(this.stage, {
      selected: () => store.selected().filter((a) => a.space === this.space.id && store.isShown(a)),
      shown: (a) => store.shown(a),
      // A ghost (the object is not on this frame: its nearest shape) is dashed like a prediction.
      isPrediction: (a) => store.isPrediction(a) || store.isGhost(a),
      editable: (a) => !a.locked && !this.readonly,
      overlay: (ctx, view) => this.tool.drawOverlay?.(ctx, view),
    });
    this.stage.setImage(null, space.width, space.height);
    this.stage.addOverlay((ctx, view) => this.volume?.drawOnMain(ctx, view));
    this.holder.addEventListener("pointerdown", () => host.focusSpace(this), true);
  }

  get store(): AnnotationStore {
    return this.host.store;
  }

  get readonly(): boolean {
    return this.host.readonly;
  }

  setTitle(): void {
    this.title.textContent = `${this.space.title}  ·  ${this.space.width}×${this.space.height}`;
  }

  setSpace(space: SpaceState): void {
    this.space = space;
    this.root.dataset.space = space.id;
    this.setTitle();
  }

  /** The space's size on screen; a volume's window bar and reformats take their part of it. */
  setSize(width: number, height: number): void {
    this.size = { width, height };
    const v = this.volume;
    if (!v) {
      this.stage.setSize(width, height);
      return;
    }
    const side = Math.max(120, Math.min(360, Math.round(width * 0.32)));
    const below = height - v.barHeight;
    this.stage.setSize(Math.max(120, width - side - 6), below);
    v.setSize(side, below);
  }

  /** Show a volume's window bar and reformats (the space's frames come from its values), or none. */
  attachVolume(source: VolumeFrames | null): void {
    if (this.volume?.source === source) return;
    this.volume?.destroy();
    this.volume = null;
    this.stage.rightDrag = null;
    this.root.classList.toggle("ls-volume", source !== null);
    if (source) {
      source.show();
      const view = this;
      const panel = new VolumePanel(
        source,
        {
          store: this.host.store,
          get space() {
            return view.space;
          },
          seek: (frame) => {
            this.host.focusSpace(this);
            if (frame !== this.store.frame(this.space.id)) this.host.seek(frame);
          },
          redrawMain: () => {
            this.stage.redrawImage();
            this.stage.overlayLayer.batchDraw();
          },
        },
        this.root,
      );
      this.volume = panel;
      this.root.insertBefore(panel.bar, this.body);
      this.body.append(panel.side);
      this.stage.rightDrag = (phase, dx, dy) => panel.drag(phase, dx, dy);
    }
    this.setSize(this.size.width, this.size.height);
  }

  setImage(source: CanvasImageSource | null, keepView = false): void {
    this.stage.setImage(source, this.space.width, this.space.height, keepView);
    if (source) this.root.dispatchEvent(new CustomEvent("ls-painted", { bubbles: true, detail: { space: this.space.id } }));
  }

  /** Choose the drawing tool for an ontology object, or the select tool (null). */
  setTool(spec: ObjectSpec | null): void {
    this.tool.cancel();
    this.tool = spec && !this.readonly ? toolFor(this, spec, this.host.brush) : new SelectTool(this, this.editor);
    this.stage.showCrosshair(this.tool.crosshair);
    this.redraw();
  }

  // -- ToolHost --

  send(op: Operation, previews?: Map<string, Geom | null>): void {
    this.host.send(op, previews);
  }

  newId(): string {
    return this.host.newId();
  }

  adopt(key: string): void {
    this.host.adopt(key);
  }

  say(message: string): void {
    this.host.say(message);
  }

  pixels(screen: number): number {
    return screen / (this.stage.view.scale || 1);
  }

  redraw(): void {
    this.active.redraw();
    this.volume?.invalidate();
  }

  hits(p: Pt): Annotation[] {
    const store = this.store;
    const reach = this.pixels(HIT_REACH);
    const out: Annotation[] = [];
    const items = store.visible(this.space.id);
    // Selected shapes are drawn on top: they are hit first.
    items.sort((a, b) => Number(store.selection.has(a.key)) - Number(store.selection.has(b.key)));
    for (let i = items.length - 1; i >= 0; i--) {
      const a = items[i];
      const g = store.shown(a)!;
      const b = cachedBounds(g);
      if (p.x < b.x - reach || p.y < b.y - reach || p.x > b.x + b.w + reach || p.y > b.y + b.h + reach) continue;
      if (hitTest(g, p, reach)) out.push(a);
    }
    return out;
  }

  // -- events --

  /** Who has the pointer between down and up: the editor (a handle of the selection) or the tool. */
  private gesture: "editor" | "tool" | "none" = "tool";

  private down(e: PointerInfo): void {
    // Ctrl-click (Cmd on a Mac) while selecting moves a volume's crosshair.
    if (this.volume && e.ctrl && this.tool instanceof SelectTool) {
      this.volume.moveCross(e.p.y, e.p.x);
      this.gesture = "none";
      return;
    }
    // Handles of the selection are live whatever the tool: a vertex can be dragged while drawing.
    if (!(this.tool instanceof SelectTool) && !this.tool.busy?.() && this.editor.tryHandle(e)) {
      this.gesture = "editor";
      return;
    }
    this.gesture = "tool";
    this.tool.down(e);
  }

  private move(e: PointerInfo): void {
    if (this.gesture === "editor") this.editor.move(e);
    else if (this.gesture === "none") return;
    else {
      this.tool.move(e);
      if (!(this.tool instanceof SelectTool) && !this.tool.busy?.()) this.editor.move(e);
    }
  }

  private up(e: PointerInfo): void {
    if (this.gesture === "editor") this.editor.up();
    else if (this.gesture === "tool") this.tool.up(e);
    this.gesture = "tool";
  }

  private dblclick(e: PointerInfo): void {
    if (this.tool.dblclick) this.tool.dblclick(e);
    else if (this.tool instanceof SelectTool && !this.hits(e.p).length) this.stage.fit();
  }

  /** Keys for this space's tool and editor; true if handled. */
  key(e: KeyboardEvent): boolean {
    if (this.tool.key?.(e)) {
      this.redraw();
      return true;
    }
    return false;
  }

  destroy(): void {
    this.volume?.destroy();
    this.stage.destroy();
  }
}
