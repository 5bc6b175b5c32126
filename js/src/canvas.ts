// ImageCanvas: an image with shapes on it, zoomable and pannable, built on Konva.
//
// The one canvas component of labelspace's front end: the Innotater uses it for boxes; the
// label-row annotator will use it for polygons, polylines, points and video frames, which is why
// shapes are a tagged union and the image source is any CanvasImageSource (an ImageBitmap, a
// video frame drawn to a canvas).
//
// Shapes live in image pixels inside a world whose transform is the view (zoom and pan). Konva
// does the hit testing; `geometry.ts` does the arithmetic.

import Konva from "konva";
import {
  type Point,
  type Rect,
  type View,
  boxFromCorners,
  clampBox,
  fitView,
  keepInside,
  toImage,
  zoomAt,
} from "./geometry";

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

const HIT_STROKE = 10; // screen pixels around a box's edge that select it
const MIN_DRAW = 3; // screen pixels a drawn box must span
const WHEEL_ZOOM = 0.0015;

function boxNode(style: () => ShapeStyle, isSelected: () => boolean): Konva.Shape {
  return new Konva.Shape({
    perfectDrawEnabled: false,
    shadowForStrokeEnabled: false,
    stroke: "#000", // only for hit testing: the scene is drawn by sceneFunc
    strokeScaleEnabled: false,
    sceneFunc(context, shape) {
      const s = style();
      const selected = isSelected();
      const scale = shape.getAbsoluteScale().x || 1;
      const ctx = context._context;
      const w = shape.width();
      const h = shape.height();
      ctx.lineWidth = s.lineWidth / scale;
      ctx.setLineDash([]);
      ctx.strokeStyle = selected ? s.selected_color2 : s.color2;
      ctx.strokeRect(0, 0, w, h);
      ctx.setLineDash(s.lineDash.map((d) => d / scale));
      ctx.strokeStyle = selected ? s.selected_color1 : s.color1;
      ctx.strokeRect(0, 0, w, h);
      ctx.setLineDash([]);
    },
    hitFunc(context, shape) {
      // An unselected box is hit on its edge only, so a new box can be drawn inside it; the selected
      // box is hit all over, to be dragged.
      context.beginPath();
      context.rect(0, 0, shape.width(), shape.height());
      context.closePath();
      context.fillStrokeShape(shape);
    },
  });
}

export class ImageCanvas {
  readonly stage: Konva.Stage;
  private readonly imageLayer = new Konva.Layer({ listening: false });
  private readonly shapesLayer = new Konva.Layer();
  private readonly activeLayer = new Konva.Layer();
  private readonly image = new Konva.Image({ image: undefined, listening: false });
  private readonly transformer: Konva.Transformer;
  private readonly draft = new Konva.Rect({ visible: false, listening: false, strokeScaleEnabled: false, dash: [4, 4] });
  private readonly nodes = new Map<string, Konva.Shape>();
  private selected: string | null = null;
  private imageWidth = 0;
  private imageHeight = 0;
  private viewState: View = { scale: 1, x: 0, y: 0 };
  private drawingFrom: Point | null = null;
  private panningFrom: Point | null = null;
  private spaceHeld = false;
  private styles: ShapeStyle;

  constructor(
    readonly container: HTMLDivElement,
    width: number,
    height: number,
    styles: ShapeStyle,
    private readonly events: CanvasEvents = {},
  ) {
    this.styles = styles;
    this.stage = new Konva.Stage({ container, width, height });
    this.imageLayer.add(this.image);
    this.transformer = new Konva.Transformer({
      rotateEnabled: false,
      keepRatio: false,
      flipEnabled: false,
      ignoreStroke: true,
      anchorSize: 8,
      borderEnabled: false,
      boundBoxFunc: (oldBox, newBox) => this.boundBox(oldBox, newBox),
    });
    this.draft.stroke(styles.selected_color1);
    this.activeLayer.add(this.transformer, this.draft);
    this.stage.add(this.imageLayer, this.shapesLayer, this.activeLayer);
    this.bindEvents();
  }

  get view(): View {
    return { ...this.viewState };
  }

  get imageSize(): { width: number; height: number } {
    return { width: this.imageWidth, height: this.imageHeight };
  }

  get selection(): string | null {
    return this.selected;
  }

  setStyles(styles: ShapeStyle): void {
    this.styles = styles;
    this.draft.stroke(styles.selected_color1);
    this.shapesLayer.batchDraw();
    this.activeLayer.batchDraw();
  }

  setSize(width: number, height: number): void {
    if (width === this.stage.width() && height === this.stage.height()) return;
    this.stage.size({ width, height });
    this.fit();
  }

  /** Show an image (or nothing); the view is fitted to it. */
  setImage(source: CanvasImageSource | null, width: number, height: number): void {
    this.image.image(source ?? undefined);
    this.image.size({ width, height });
    this.imageWidth = width;
    this.imageHeight = height;
    this.fit();
    if (source) {
      this.imageLayer.draw();
      this.events.painted?.();
    }
  }

  /** Replace the shapes, keeping the nodes of shapes that stay (by id). */
  setShapes(shapes: CanvasShape[]): void {
    const keep = new Set(shapes.map((s) => s.id));
    for (const [id, node] of this.nodes) {
      if (!keep.has(id)) {
        node.destroy();
        this.nodes.delete(id);
      }
    }
    for (const shape of shapes) {
      let node = this.nodes.get(shape.id);
      if (!node) {
        const id = shape.id;
        node = boxNode(
          () => this.styles,
          () => this.selected === id,
        );
        node.id(id);
        node.on("mousedown touchstart", (e) => {
          if (e.evt instanceof MouseEvent && e.evt.button !== 0) return;
          e.cancelBubble = true;
          if (this.selected !== id) this.select(id, true);
        });
        node.on("dragmove", () => this.keepNodeInside(node!));
        node.on("dragend transformend", () => this.commit(node!));
        this.nodes.set(id, node);
        this.shapesLayer.add(node);
      }
      if (!node.isDragging()) node.setAttrs({ x: shape.x, y: shape.y, width: shape.width, height: shape.height, scaleX: 1, scaleY: 1 });
    }
    if (this.selected && !keep.has(this.selected)) this.selected = null;
    this.placeSelection();
  }

  /** Select a shape (or none); `notify` reports it through the `select` event. */
  select(id: string | null, notify = false): void {
    if (id !== null && !this.nodes.has(id)) id = null;
    this.selected = id;
    this.placeSelection();
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
    if (this.imageWidth > 0 && this.imageHeight > 0) {
      this.setView(fitView(this.imageWidth, this.imageHeight, this.stage.width(), this.stage.height()));
    }
  }

  setView(view: View): void {
    this.viewState = view;
    this.stage.scale({ x: view.scale, y: view.scale });
    this.stage.position({ x: view.x, y: view.y });
    this.stage.batchDraw();
  }

  destroy(): void {
    window.removeEventListener("keydown", this.onKey);
    window.removeEventListener("keyup", this.onKey);
    this.stage.destroy();
  }

  // -- internals --

  private placeSelection(): void {
    for (const [id, node] of this.nodes) {
      const active = id === this.selected;
      const layer = active ? this.activeLayer : this.shapesLayer;
      if (node.getLayer() !== layer) node.moveTo(layer);
      node.draggable(active);
      node.fillEnabled(active);
      node.fill(active ? "rgba(0,0,0,0)" : "");
      node.hitStrokeWidth(HIT_STROKE / (this.viewState.scale || 1));
    }
    const node = this.selected ? this.nodes.get(this.selected) : undefined;
    this.transformer.nodes(node ? [node] : []);
    // Handles above the box they resize, so that grabbing a handle resizes rather than moves.
    this.transformer.moveToTop();
    this.draft.moveToTop();
    this.shapesLayer.batchDraw();
    this.activeLayer.batchDraw();
  }

  private pointer(): Point | null {
    return this.stage.getPointerPosition();
  }

  private imagePoint(): Point | null {
    const p = this.pointer();
    return p ? toImage(this.viewState, p) : null;
  }

  private keepNodeInside(node: Konva.Shape): void {
    const box = keepInside(
      { x: node.x(), y: node.y(), width: node.width() * node.scaleX(), height: node.height() * node.scaleY() },
      this.imageWidth,
      this.imageHeight,
    );
    node.position({ x: box.x, y: box.y });
  }

  private boundBox(oldBox: { x: number; y: number; width: number; height: number; rotation: number }, newBox: typeof oldBox) {
    // Boxes are in absolute (screen) coordinates here: keep them inside the image and not inverted.
    const v = this.viewState;
    const left = v.x;
    const top = v.y;
    const right = v.x + this.imageWidth * v.scale;
    const bottom = v.y + this.imageHeight * v.scale;
    if (newBox.width < 1 || newBox.height < 1) return oldBox;
    if (newBox.x < left - 0.5 || newBox.y < top - 0.5 || newBox.x + newBox.width > right + 0.5 || newBox.y + newBox.height > bottom + 0.5) {
      return oldBox;
    }
    return newBox;
  }

  private commit(node: Konva.Shape): void {
    const box = clampBox(
      { x: node.x(), y: node.y(), width: node.width() * node.scaleX(), height: node.height() * node.scaleY() },
      this.imageWidth,
      this.imageHeight,
    );
    node.setAttrs({ ...box, scaleX: 1, scaleY: 1 });
    this.activeLayer.batchDraw();
    this.events.change?.(node.id(), box);
  }

  private onKey = (e: KeyboardEvent): void => {
    if (e.code === "Space") this.spaceHeld = e.type === "keydown";
  };

  private bindEvents(): void {
    const stage = this.stage;
    window.addEventListener("keydown", this.onKey);
    window.addEventListener("keyup", this.onKey);
    // The right button pans: keep the browser's menu and the host's (JupyterLab's) from opening.
    this.container.addEventListener("contextmenu", (e) => {
      e.preventDefault();
      e.stopPropagation();
    });
    // The middle button pans too: no autoscroll.
    this.container.addEventListener("mousedown", (e) => {
      if (e.button === 1) e.preventDefault();
    });

    stage.on("wheel", (e) => {
      e.evt.preventDefault();
      const at = this.pointer();
      if (!at || !this.imageWidth) return;
      const fitted = fitView(this.imageWidth, this.imageHeight, stage.width(), stage.height());
      this.setView(zoomAt(this.viewState, Math.exp(-e.evt.deltaY * WHEEL_ZOOM), at, fitted.scale / 2));
      this.placeSelection();
    });

    stage.on("mousedown touchstart", (e) => {
      const evt = e.evt as MouseEvent;
      const button = evt.button ?? 0;
      if (button === 1 || button === 2 || (button === 0 && this.spaceHeld)) {
        this.panningFrom = this.pointer();
        return;
      }
      if (button !== 0 || e.target.getParent() instanceof Konva.Transformer) return;
      const p = this.imagePoint();
      if (!p || !this.imageWidth) return;
      if (p.x < 0 || p.y < 0 || p.x > this.imageWidth || p.y > this.imageHeight) return;
      this.drawingFrom = p;
      this.draft.setAttrs({ x: p.x, y: p.y, width: 0, height: 0, visible: true, strokeWidth: 1 });
    });

    stage.on("mousemove touchmove", () => {
      if (this.panningFrom) {
        const p = this.pointer();
        if (!p) return;
        this.setView({ ...this.viewState, x: this.viewState.x + p.x - this.panningFrom.x, y: this.viewState.y + p.y - this.panningFrom.y });
        this.panningFrom = p;
        return;
      }
      if (!this.drawingFrom) return;
      const p = this.imagePoint();
      if (!p) return;
      const box = clampBox(boxFromCorners(this.drawingFrom, p), this.imageWidth, this.imageHeight);
      this.draft.setAttrs(box);
      this.activeLayer.batchDraw();
    });

    const finish = () => {
      this.panningFrom = null;
      if (!this.drawingFrom) return;
      const from = this.drawingFrom;
      this.drawingFrom = null;
      this.draft.visible(false);
      this.activeLayer.batchDraw();
      const p = this.imagePoint() ?? from;
      const box = clampBox(boxFromCorners(from, p), this.imageWidth, this.imageHeight);
      const s = this.viewState.scale;
      if (box.width * s >= MIN_DRAW && box.height * s >= MIN_DRAW) {
        this.events.draw?.(box);
      } else if (this.selected) {
        this.select(null, true);
      }
    };
    stage.on("mouseup touchend", finish);
    stage.on("mouseleave", () => {
      this.panningFrom = null;
    });
    stage.on("dblclick dbltap", (e) => {
      // Konva makes a double click of any two clicks, whatever their buttons: fit only on the left's.
      const button = (e.evt as MouseEvent).button ?? 0;
      if (button === 0 && (e.target === stage || e.target === this.image)) this.fit();
    });
  }
}
