// ImageCanvas: the Innotater's image with its boxes, on the shared stage and box region.
//
// One box kind, drawn in the Innotater's two-colour style; unselected boxes are hit on their edge
// only (so a new box can be drawn inside one), the selected box all over (to move it) and on its
// handles (to resize it).

import Konva from "konva";
import { type Point, type Rect, boxFromCorners, clampBox, keepInside } from "../core/view";
import { boxHandles, dragBox } from "./regions/box";
import type { Handle } from "./regions/region";
import { type PointerInfo, Stage } from "./stage";

export interface ShapeStyle {
  color1: string;
  color2: string;
  lineWidth: number;
  lineDash: number[];
  selected_color1: string;
  selected_color2: string;
}

export interface BoxShape {
  kind: "box";
  id: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export type CanvasShape = BoxShape;

export interface CanvasEvents {
  /** A new box was drawn on the image (image pixels, clipped to the image). */
  draw?(box: Rect): void;
  /** A shape was moved or resized. */
  change?(id: string, box: Rect): void;
  /** A shape was selected (or, with null, the selection cleared). */
  select?(id: string | null): void;
  /** The selected shape should be removed (Delete or Backspace). */
  remove?(id: string): void;
  /** A new image was painted. */
  painted?(): void;
}

const EDGE_REACH = 5; // screen pixels either side of a box's edge that select it
const HANDLE_REACH = 7;
const MIN_DRAW = 3; // screen pixels a drawn box must span
const HANDLE = 4;

type Gesture =
  | { kind: "draw"; from: Point; to: Point }
  | { kind: "move"; id: string; from: Point; start: BoxShape }
  | { kind: "resize"; id: string; handle: Handle; start: BoxShape };

const asGeom = (b: BoxShape) => ({ x: b.x, y: b.y, w: b.width, h: b.height });

export class ImageCanvas {
  private readonly stageView: Stage;
  private shapes: BoxShape[] = [];
  private selected: string | null = null;
  private gesture: Gesture | null = null;
  private styles: ShapeStyle;

  constructor(
    readonly container: HTMLDivElement,
    width: number,
    height: number,
    styles: ShapeStyle,
    private readonly events: CanvasEvents = {},
  ) {
    this.styles = styles;
    this.stageView = new Stage(container, width, height, {
      down: (e) => this.down(e),
      move: (e) => this.move(e),
      up: (e) => this.up(e),
      dblclick: (e) => {
        if (!this.boxAt(e.p)) this.fit();
      },
    });
    const draw = (layer: Konva.Layer, selected: boolean) =>
      layer.add(new Konva.Shape({ listening: false, sceneFunc: (c) => this.drawBoxes(c._context as CanvasRenderingContext2D, selected) }));
    draw(this.stageView.staticLayer, false);
    draw(this.stageView.activeLayer, true);
    this.stageView.onView(() => {
      this.stageView.staticLayer.batchDraw();
      this.stageView.activeLayer.batchDraw();
    });
  }

  get stage(): Konva.Stage {
    return this.stageView.konva;
  }

  get view() {
    return { ...this.stageView.view };
  }

  get imageSize(): { width: number; height: number } {
    return { width: this.stageView.imageWidth, height: this.stageView.imageHeight };
  }

  get selection(): string | null {
    return this.selected;
  }

  setStyles(styles: ShapeStyle): void {
    this.styles = styles;
    this.redraw();
  }

  setSize(width: number, height: number): void {
    this.stageView.setSize(width, height);
  }

  /** Show an image (or nothing); the view is fitted to it. */
  setImage(source: CanvasImageSource | null, width: number, height: number): void {
    this.stageView.setImage(source, width, height);
    if (source) {
      this.stageView.imageLayer.draw();
      this.events.painted?.();
    }
  }

  /** Replace the shapes (a box being dragged keeps its place until the drag ends). */
  setShapes(shapes: CanvasShape[]): void {
    const busy = this.gesture && this.gesture.kind !== "draw" ? this.gesture.id : null;
    const current = busy ? this.shapes.find((s) => s.id === busy) : undefined;
    this.shapes = shapes.map((s) => (s.id === busy && current ? current : { ...s }));
    if (this.selected && !this.shapes.some((s) => s.id === this.selected)) this.selected = null;
    this.redraw();
  }

  /** Select a shape (or none); `notify` reports it through the `select` event. */
  select(id: string | null, notify = false): void {
    if (id !== null && !this.shapes.some((s) => s.id === id)) id = null;
    this.selected = id;
    this.redraw();
    if (notify) this.events.select?.(id);
  }

  /** Ask for the selected shape to be removed. */
  removeSelected(): boolean {
    if (!this.selected) return false;
    this.events.remove?.(this.selected);
    return true;
  }

  /** Show the whole image. */
  fit(): void {
    this.stageView.fit();
  }

  setView(view: { scale: number; x: number; y: number }): void {
    this.stageView.setView(view);
  }

  destroy(): void {
    this.stageView.destroy();
  }

  // -- internals --

  private redraw(): void {
    this.stageView.staticLayer.batchDraw();
    this.stageView.activeLayer.batchDraw();
  }

  private drawBoxes(ctx: CanvasRenderingContext2D, selected: boolean): void {
    const v = this.stageView.view;
    const s = this.styles;
    for (const b of this.shapes) {
      if ((b.id === this.selected) !== selected) continue;
      const x = Math.round(b.x * v.scale + v.x) + 0.5;
      const y = Math.round(b.y * v.scale + v.y) + 0.5;
      const w = Math.round(b.width * v.scale);
      const h = Math.round(b.height * v.scale);
      ctx.lineWidth = s.lineWidth;
      ctx.setLineDash([]);
      ctx.strokeStyle = selected ? s.selected_color2 : s.color2;
      ctx.strokeRect(x, y, w, h);
      ctx.setLineDash(s.lineDash);
      ctx.strokeStyle = selected ? s.selected_color1 : s.color1;
      ctx.strokeRect(x, y, w, h);
      ctx.setLineDash([]);
      if (selected) {
        for (const hd of boxHandles(asGeom(b))) {
          ctx.fillStyle = "#fff";
          ctx.strokeStyle = s.selected_color1;
          ctx.fillRect(hd.at.x * v.scale + v.x - HANDLE, hd.at.y * v.scale + v.y - HANDLE, HANDLE * 2, HANDLE * 2);
          ctx.strokeRect(hd.at.x * v.scale + v.x - HANDLE, hd.at.y * v.scale + v.y - HANDLE, HANDLE * 2, HANDLE * 2);
        }
      }
    }
    if (selected && this.gesture?.kind === "draw") {
      const b = clampBox(boxFromCorners(this.gesture.from, this.gesture.to), this.stageView.imageWidth, this.stageView.imageHeight);
      ctx.setLineDash([4, 4]);
      ctx.lineWidth = 1;
      ctx.strokeStyle = s.selected_color1;
      ctx.strokeRect(Math.round(b.x * v.scale + v.x) + 0.5, Math.round(b.y * v.scale + v.y) + 0.5, Math.round(b.width * v.scale), Math.round(b.height * v.scale));
      ctx.setLineDash([]);
    }
  }

  private reach(screen: number): number {
    return screen / (this.stageView.view.scale || 1);
  }

  /** The box whose edge is under a point (the selected box: anywhere inside it too). */
  private boxAt(p: Point): BoxShape | null {
    const r = this.reach(EDGE_REACH);
    for (let i = this.shapes.length - 1; i >= 0; i--) {
      const b = this.shapes[i];
      const inside = p.x >= b.x - r && p.y >= b.y - r && p.x <= b.x + b.width + r && p.y <= b.y + b.height + r;
      if (!inside) continue;
      if (b.id === this.selected) return b;
      const deep = p.x > b.x + r && p.y > b.y + r && p.x < b.x + b.width - r && p.y < b.y + b.height - r;
      if (!deep) return b;
    }
    return null;
  }

  private handleAt(p: Point): Handle | null {
    const b = this.shapes.find((s) => s.id === this.selected);
    if (!b) return null;
    const r = this.reach(HANDLE_REACH);
    return boxHandles(asGeom(b)).find((h) => Math.abs(h.at.x - p.x) <= r && Math.abs(h.at.y - p.y) <= r) ?? null;
  }

  private down(e: PointerInfo): void {
    const handle = this.handleAt(e.p);
    const selected = this.shapes.find((s) => s.id === this.selected);
    if (handle && selected) {
      this.gesture = { kind: "resize", id: selected.id, handle, start: { ...selected } };
      return;
    }
    const hit = this.boxAt(e.p);
    if (hit) {
      if (hit.id !== this.selected) this.select(hit.id, true);
      this.gesture = { kind: "move", id: hit.id, from: e.p, start: { ...hit } };
      return;
    }
    const { imageWidth: w, imageHeight: h } = this.stageView;
    if (!w || e.p.x < 0 || e.p.y < 0 || e.p.x > w || e.p.y > h) return;
    this.gesture = { kind: "draw", from: e.p, to: e.p };
  }

  private move(e: PointerInfo): void {
    const g = this.gesture;
    if (!g) {
      const handle = this.handleAt(e.p);
      this.stageView.setCursor(handle ? handle.cursor : this.boxAt(e.p)?.id === this.selected && this.selected ? "move" : "");
      return;
    }
    const { imageWidth: w, imageHeight: h } = this.stageView;
    if (g.kind === "draw") g.to = e.p;
    else {
      const box = this.shapes.find((s) => s.id === g.id);
      if (!box) return;
      if (g.kind === "move") {
        const moved = keepInside({ x: g.start.x + e.p.x - g.from.x, y: g.start.y + e.p.y - g.from.y, width: g.start.width, height: g.start.height }, w, h);
        Object.assign(box, moved);
      } else {
        const p = { x: Math.min(Math.max(e.p.x, 0), w), y: Math.min(Math.max(e.p.y, 0), h) };
        const next = dragBox(asGeom(g.start), g.handle, p);
        if (next.w >= 1 && next.h >= 1) Object.assign(box, { x: next.x, y: next.y, width: next.w, height: next.h });
      }
    }
    this.redraw();
  }

  private up(e: PointerInfo): void {
    const g = this.gesture;
    this.gesture = null;
    if (!g) return;
    const { imageWidth: w, imageHeight: h } = this.stageView;
    if (g.kind === "draw") {
      this.redraw();
      const box = clampBox(boxFromCorners(g.from, e.p), w, h);
      const s = this.stageView.view.scale;
      if (box.width * s >= MIN_DRAW && box.height * s >= MIN_DRAW) this.events.draw?.(box);
      else if (this.selected) this.select(null, true);
      return;
    }
    const box = this.shapes.find((s) => s.id === g.id);
    if (!box) return;
    const moved = box.x !== g.start.x || box.y !== g.start.y || box.width !== g.start.width || box.height !== g.start.height;
    if (!moved) return;
    const clamped = clampBox({ x: box.x, y: box.y, width: box.width, height: box.height }, w, h);
    Object.assign(box, clamped);
    this.redraw();
    this.events.change?.(box.id, clamped);
  }
}
