// The stage: an image (or a frame) in a view that zooms about the cursor, pans and fits, with
// Konva layers stacked over it. Shapes are drawn in screen space from image pixels (so lines stay
// one screen pixel wide at any zoom); the image is drawn without smoothing when zoomed in far.
// Pointer events are turned into image coordinates and handed to one handler (the active tool);
// middle-drag and Space-drag pan, and so does right-drag unless `rightDrag` takes it (a volume's
// window and level).

import Konva from "konva";
import type { Pt } from "../core/shapes";
import { type View, fitView, toImage, zoomAt } from "../core/view";

export interface PointerInfo {
  /** Image pixels. */
  p: Pt;
  /** Canvas pixels. */
  screen: Pt;
  button: number;
  shift: boolean;
  alt: boolean;
  ctrl: boolean;
}

export interface StageHandler {
  down(e: PointerInfo): void;
  move(e: PointerInfo): void;
  up(e: PointerInfo): void;
  dblclick?(e: PointerInfo): void;
}

const WHEEL_ZOOM = 0.0015;

/** Reduced copies of large images, drawn instead of them while the view shows them small. */
const reduced = new WeakMap<object, ImageBitmap>();

/**
 * Make a reduced copy of a large image for views up to `scale` (a 4K photo shown whole in a
 * notebook is drawn from a copy a third its size: each frame then scales a tenth of the pixels).
 */
export async function reduceImage(image: ImageBitmap, scale: number): Promise<void> {
  if (scale > 0.5 || reduced.has(image)) return;
  const small = await createImageBitmap(image, {
    resizeWidth: Math.max(1, Math.round(image.width * scale)),
    resizeHeight: Math.max(1, Math.round(image.height * scale)),
    resizeQuality: "medium",
  });
  keepReduced(image, small);
}

/** Use `small` as the reduced copy of `image` (a video picture halved when it was decoded). */
export function keepReduced(image: object, small: ImageBitmap): void {
  reduced.set(image, small);
}

/** Forget and close the reduced copy of `image`, if it has one (call when the image itself goes). */
export function dropReduced(image: object): void {
  reduced.get(image)?.close();
  reduced.delete(image);
}

/** Whether `image` has a reduced copy. */
export function hasReduced(image: object): boolean {
  return reduced.has(image);
}

/** Above this zoom, image pixels are drawn as sharp squares. */
const SHARP_ZOOM = 2;

export class Stage {
  readonly konva: Konva.Stage;
  readonly imageLayer = new Konva.Layer({ listening: false });
  readonly staticLayer = new Konva.Layer({ listening: false });
  readonly activeLayer = new Konva.Layer({ listening: false });
  readonly overlayLayer = new Konva.Layer({ listening: false });
  private source: CanvasImageSource | null = null;
  imageWidth = 0;
  imageHeight = 0;
  view: View = { scale: 1, x: 0, y: 0 };
  crosshair = false;
  private pointer: Pt | null = null;
  private panningFrom: Pt | null = null;
  /** Where a right-button drag given to `rightDrag` started (screen pixels). */
  private rightFrom: Pt | null = null;
  /**
   * When set, a right-button drag goes here (a volume's window and level) instead of panning:
   * dx, dy are screen pixels from where it started. Middle-drag and Space-drag still pan.
   */
  rightDrag: ((phase: "start" | "move" | "end", dx: number, dy: number) => void) | null = null;
  private readonly overlays: ((ctx: CanvasRenderingContext2D, view: View) => void)[] = [];
  private spaceHeld = false;
  /** Whether the view was panned while Space was last held (then letting go of Space does nothing else). */
  spacePanned = false;
  private readonly viewListeners = new Set<(view: View, zoomed: boolean) => void>();

  constructor(
    readonly container: HTMLDivElement,
    width: number,
    height: number,
    private readonly handler: StageHandler,
  ) {
    this.konva = new Konva.Stage({ container, width, height });
    this.imageLayer.add(
      new Konva.Shape({
        listening: false,
        sceneFunc: (context) => this.drawImage(context._context as CanvasRenderingContext2D),
      }),
    );
    this.overlayLayer.add(
      new Konva.Shape({
        listening: false,
        sceneFunc: (context) => this.drawOverlay(context._context as CanvasRenderingContext2D),
      }),
    );
    this.konva.add(this.imageLayer, this.staticLayer, this.activeLayer, this.overlayLayer);
    this.bind();
  }

  get width(): number {
    return this.konva.width();
  }

  get height(): number {
    return this.konva.height();
  }

  onView(listener: (view: View, zoomed: boolean) => void): () => void {
    this.viewListeners.add(listener);
    return () => this.viewListeners.delete(listener);
  }

  setSize(width: number, height: number): void {
    if (width === this.width && height === this.height) return;
    this.konva.size({ width, height });
    this.fit();
  }

  /** Show an image (or a frame); `keepView` keeps zoom and pan (stepping through frames). */
  setImage(source: CanvasImageSource | null, width: number, height: number, keepView = false): void {
    const sameSize = width === this.imageWidth && height === this.imageHeight;
    this.source = source;
    this.imageWidth = width;
    this.imageHeight = height;
    if (!keepView || !sameSize) this.fit();
    else this.imageLayer.batchDraw();
  }

  fit(): void {
    if (this.imageWidth > 0 && this.imageHeight > 0) this.setView(fitView(this.imageWidth, this.imageHeight, this.width, this.height), true);
  }

  setView(view: View, zoomed = view.scale !== this.view.scale): void {
    this.view = view;
    this.imageLayer.batchDraw();
    this.overlayLayer.batchDraw();
    for (const l of this.viewListeners) l(view, zoomed);
  }

  zoomBy(factor: number, at: Pt = { x: this.width / 2, y: this.height / 2 }): void {
    if (!this.imageWidth) return;
    const fitted = fitView(this.imageWidth, this.imageHeight, this.width, this.height);
    this.setView(zoomAt(this.view, factor, at, fitted.scale / 2), true);
  }

  toImage(screen: Pt): Pt {
    return toImage(this.view, screen);
  }

  /** The pointer in image pixels (or null when it is outside the stage). */
  imagePointer(): Pt | null {
    return this.pointer ? this.toImage(this.pointer) : null;
  }

  showCrosshair(on: boolean): void {
    if (on === this.crosshair) return;
    this.crosshair = on;
    this.container.style.cursor = on ? "none" : "";
    this.overlayLayer.batchDraw();
  }

  /** Draw something more over everything (in screen pixels), every time the overlay is drawn. */
  addOverlay(draw: (ctx: CanvasRenderingContext2D, view: View) => void): void {
    this.overlays.push(draw);
    this.overlayLayer.batchDraw();
  }

  /** The image was repainted in place (a new window on the same slice): draw it again. */
  redrawImage(): void {
    this.imageLayer.batchDraw();
  }

  setCursor(cursor: string): void {
    if (!this.crosshair) this.container.style.cursor = cursor;
  }

  destroy(): void {
    window.removeEventListener("keydown", this.onKey, true);
    window.removeEventListener("keyup", this.onKey, true);
    this.konva.destroy();
  }

  private drawImage(ctx: CanvasRenderingContext2D): void {
    if (!this.source || !this.imageWidth) return;
    const v = this.view;
    ctx.imageSmoothingEnabled = v.scale < SHARP_ZOOM;
    const small = reduced.get(this.source);
    const source = small && v.scale * this.imageWidth <= small.width * 1.01 ? small : this.source;
    ctx.drawImage(source, v.x, v.y, this.imageWidth * v.scale, this.imageHeight * v.scale);
    // What was drawn: the image itself, or its reduced copy (read by tests and benchmarks).
    const from = source === small ? "reduced" : "image";
    if (this.container.dataset.drawnFrom !== from) this.container.dataset.drawnFrom = from;
    performance.mark("ls-image-drawn");
  }

  private drawOverlay(ctx: CanvasRenderingContext2D): void {
    for (const draw of this.overlays) {
      ctx.save();
      draw(ctx, this.view);
      ctx.restore();
    }
    if (!this.crosshair || !this.pointer) return;
    const { x, y } = this.pointer;
    ctx.save();
    ctx.lineWidth = 1;
    ctx.strokeStyle = "rgba(255,255,255,0.85)";
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(0, Math.round(y) + 0.5);
    ctx.lineTo(this.width, Math.round(y) + 0.5);
    ctx.moveTo(Math.round(x) + 0.5, 0);
    ctx.lineTo(Math.round(x) + 0.5, this.height);
    ctx.stroke();
    ctx.strokeStyle = "rgba(0,0,0,0.85)";
    ctx.lineDashOffset = 4;
    ctx.stroke();
    ctx.restore();
  }

  private info(evt: MouseEvent): PointerInfo {
    const rect = this.container.getBoundingClientRect();
    const screen = { x: evt.clientX - rect.left, y: evt.clientY - rect.top };
    return { p: this.toImage(screen), screen, button: evt.button, shift: evt.shiftKey, alt: evt.altKey, ctrl: evt.ctrlKey || evt.metaKey };
  }

  private onKey = (e: KeyboardEvent): void => {
    if (e.code !== "Space") return;
    // Space pans only while the widget holding this stage has the keyboard.
    const widget = this.container.closest("[tabindex]") ?? this.container;
    if (e.type === "keyup") this.spaceHeld = false;
    else if (e.target instanceof Node && widget.contains(e.target)) {
      if (!this.spaceHeld) this.spacePanned = false;
      this.spaceHeld = true;
    }
  };

  private bind(): void {
    const el = this.container;
    window.addEventListener("keydown", this.onKey, true);
    window.addEventListener("keyup", this.onKey, true);
    el.addEventListener("contextmenu", (e) => {
      e.preventDefault();
      e.stopPropagation();
    });
    el.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        const i = this.info(e);
        this.zoomBy(Math.exp(-e.deltaY * WHEEL_ZOOM), i.screen);
      },
      { passive: false },
    );
    el.addEventListener("pointerdown", (e) => {
      if (e.button === 1) e.preventDefault();
      el.setPointerCapture(e.pointerId);
      const i = this.info(e);
      if (e.button === 2 && this.rightDrag && !this.spaceHeld) {
        this.rightFrom = i.screen;
        this.rightDrag("start", 0, 0);
        return;
      }
      if (e.button === 1 || e.button === 2 || (e.button === 0 && this.spaceHeld)) {
        if (this.spaceHeld) this.spacePanned = true;
        this.panningFrom = i.screen;
        return;
      }
      if (e.button === 0) this.handler.down(i);
    });
    el.addEventListener("pointermove", (e) => {
      const i = this.info(e);
      this.pointer = i.screen;
      if (this.rightFrom) {
        this.rightDrag?.("move", i.screen.x - this.rightFrom.x, i.screen.y - this.rightFrom.y);
        return;
      }
      if (this.panningFrom) {
        this.setView({ ...this.view, x: this.view.x + i.screen.x - this.panningFrom.x, y: this.view.y + i.screen.y - this.panningFrom.y }, false);
        this.panningFrom = i.screen;
        return;
      }
      if (this.crosshair) this.overlayLayer.batchDraw();
      this.handler.move(i);
    });
    const up = (e: PointerEvent) => {
      if (el.hasPointerCapture(e.pointerId)) el.releasePointerCapture(e.pointerId);
      if (this.rightFrom) {
        const i = this.info(e);
        this.rightDrag?.("end", i.screen.x - this.rightFrom.x, i.screen.y - this.rightFrom.y);
        this.rightFrom = null;
        return;
      }
      if (this.panningFrom) {
        this.panningFrom = null;
        return;
      }
      if (e.button === 0) this.handler.up(this.info(e));
    };
    el.addEventListener("pointerup", up);
    el.addEventListener("pointercancel", up);
    el.addEventListener("pointerleave", () => {
      this.pointer = null;
      if (this.crosshair) this.overlayLayer.batchDraw();
    });
    el.addEventListener("dblclick", (e) => {
      if (e.button === 0) this.handler.dblclick?.(this.info(e));
    });
  }
}
