// The layer of shapes not being edited: drawn in one pass as thin lines into a cached bitmap; while
// the view pans or zooms the bitmap is moved or scaled (a blit, well under a millisecond) and the
// shapes are drawn afresh once the view rests. Nothing on it listens to events.

import Konva from "konva";
import type { Annotation } from "../core/store";
import { type Geom, bounds } from "../core/shapes";
import type { View } from "../core/view";
import { regionOf } from "./regions";
import type { DrawStyle } from "./regions/region";
import type { Stage } from "./stage";

const REST_MS = 120;
/** Above this many predictions shown, their confidence labels are left out. */
const MAX_LABELS = 400;

export interface ShapesSource {
  /** The annotations to draw (not the selected ones). */
  items(): Annotation[];
  shown(a: Annotation): Geom | null;
  isPrediction(a: Annotation): boolean;
}

const boundsCache = new WeakMap<Geom, { x: number; y: number; w: number; h: number }>();

export function cachedBounds(g: Geom): { x: number; y: number; w: number; h: number } {
  let b = boundsCache.get(g);
  if (!b) {
    b = bounds(g);
    boundsCache.set(g, b);
  }
  return b;
}

/** Draw annotations in screen space, skipping those outside the canvas. */
export function drawAnnotations(ctx: CanvasRenderingContext2D, items: Annotation[], source: ShapesSource, view: View, width: number, height: number, style: Partial<DrawStyle> = {}): void {
  const labels: [Annotation, { x: number; y: number; w: number; h: number }][] = [];
  for (const a of items) {
    const g = source.shown(a);
    if (!g) continue;
    const b = cachedBounds(g);
    const x = b.x * view.scale + view.x;
    const y = b.y * view.scale + view.y;
    if (x > width || y > height || x + b.w * view.scale < -8 || y + b.h * view.scale < -8) continue;
    const prediction = source.isPrediction(a);
    regionOf(g).draw(ctx, g, view, { color: a.spec.color, spec: a.spec, selected: false, prediction, hovered: false, ...style });
    if (prediction) labels.push([a, b]);
  }
  if (labels.length && labels.length <= MAX_LABELS) {
    ctx.font = "11px sans-serif";
    ctx.textBaseline = "bottom";
    for (const [a, b] of labels) {
      const text = `${a.spec.name} ${(a.meta?.confidence ?? 0).toFixed(2)}`;
      const x = b.x * view.scale + view.x;
      const y = b.y * view.scale + view.y;
      const w = ctx.measureText(text).width + 6;
      ctx.fillStyle = "rgba(0,0,0,0.6)";
      ctx.fillRect(x, y - 15, w, 15);
      ctx.fillStyle = a.spec.color;
      ctx.fillText(text, x + 3, y - 2);
    }
  }
}

export class ShapesLayer {
  private readonly node: Konva.Shape;
  private cache: HTMLCanvasElement | null = null;
  private cacheView: View | null = null;
  private dirty = true;
  private restTimer: ReturnType<typeof setTimeout> | null = null;
  /** Time of the last full draw (ms), for the benchmarks. */
  lastDrawMs = 0;

  constructor(
    private readonly stage: Stage,
    private readonly source: ShapesSource,
  ) {
    this.node = new Konva.Shape({ listening: false, sceneFunc: (context) => this.draw(context._context as CanvasRenderingContext2D) });
    stage.staticLayer.add(this.node);
    stage.onView(() => this.viewChanged());
  }

  /** The shapes changed: draw them afresh at the next frame. */
  invalidate(): void {
    this.dirty = true;
    this.stage.staticLayer.batchDraw();
  }

  private viewChanged(): void {
    this.stage.staticLayer.batchDraw();
    if (this.restTimer) clearTimeout(this.restTimer);
    this.restTimer = setTimeout(() => {
      this.restTimer = null;
      this.invalidate();
    }, REST_MS);
  }

  private draw(ctx: CanvasRenderingContext2D): void {
    const view = this.stage.view;
    const ratio = this.stage.staticLayer.getCanvas().getPixelRatio();
    const width = this.stage.width;
    const height = this.stage.height;
    if (this.dirty || !this.cache || !this.cacheView) {
      const t0 = performance.now();
      const cache = this.cache ?? document.createElement("canvas");
      if (cache.width !== Math.round(width * ratio) || cache.height !== Math.round(height * ratio)) {
        cache.width = Math.round(width * ratio);
        cache.height = Math.round(height * ratio);
      }
      const c = cache.getContext("2d")!;
      c.setTransform(ratio, 0, 0, ratio, 0, 0);
      c.clearRect(0, 0, width, height);
      drawAnnotations(c, this.source.items(), this.source, view, width, height);
      this.cache = cache;
      this.cacheView = { ...view };
      this.dirty = false;
      this.lastDrawMs = performance.now() - t0;
      // For the benchmarks (bench/bench_annotator.py): how long drawing every shape afresh took.
      performance.measure("ls-shapes", { start: t0 });
    }
    const k = view.scale / this.cacheView.scale;
    ctx.imageSmoothingEnabled = k !== 1;
    ctx.drawImage(this.cache, view.x - this.cacheView.x * k, view.y - this.cacheView.y * k, width * k, height * k);
  }
}
