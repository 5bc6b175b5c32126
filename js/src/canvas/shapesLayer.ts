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
  /** The annotations to draw (not the selected, not the hidden; predictions whatever their confidence). */
  items(): Annotation[];
  /** Predictions below this confidence are not drawn. */
  threshold(): number;
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

/**
 * Draw annotations in screen space, skipping those outside the canvas. Shapes drawn as plain lines
 * are gathered into one path per colour and style and stroked once: thousands of separate strokes
 * (dashed ones above all) cost far more to raster than one.
 */
export function drawAnnotations(ctx: CanvasRenderingContext2D, items: Annotation[], source: ShapesSource, view: View, width: number, height: number, style: Partial<DrawStyle> = {}): void {
  const labels: [Annotation, { x: number; y: number; w: number; h: number }][] = [];
  const paths = new Map<string, { path: Path2D; color: string; prediction: boolean }>();
  for (const a of items) {
    const g = source.shown(a);
    if (!g) continue;
    const b = cachedBounds(g);
    const x = b.x * view.scale + view.x;
    const y = b.y * view.scale + view.y;
    if (x > width || y > height || x + b.w * view.scale < -8 || y + b.h * view.scale < -8) continue;
    const prediction = source.isPrediction(a);
    const region = regionOf(g);
    if (region.outline && !style.selected && !style.hovered) {
      const key = `${a.spec.color}|${prediction}`;
      let group = paths.get(key);
      if (!group) {
        group = { path: new Path2D(), color: a.spec.color, prediction };
        paths.set(key, group);
      }
      region.outline(group.path, g, view);
    } else {
      region.draw(ctx, g, view, { color: a.spec.color, spec: a.spec, selected: false, prediction, hovered: false, ...style });
    }
    if (prediction) labels.push([a, b]);
  }
  ctx.lineWidth = 1;
  for (const { path, color, prediction } of paths.values()) {
    ctx.strokeStyle = color;
    ctx.setLineDash(prediction ? [6, 4] : []);
    ctx.stroke(path);
  }
  ctx.setLineDash([]);
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

/** Predictions are cached in this many bitmaps by confidence, so that moving the threshold redraws one. */
const BUCKETS = 10;
/** People's shapes are spread over this many bitmaps, so that an edit redraws a share of them. */
const MANUAL_BUCKETS = 4;

interface Cache {
  canvas: HTMLCanvasElement;
  view: View | null;
  dirty: boolean;
  /** The threshold a bucket the threshold cuts was drawn for; -1 when it holds all its shapes. */
  threshold: number;
}

export class ShapesLayer {
  private readonly node: Konva.Shape;
  /** One bitmap per confidence bucket of predictions (0..BUCKETS-1), then those of people's shapes. */
  private readonly caches = new Map<number, Cache>();
  /** The bucket each annotation was last drawn in. */
  private readonly lastBucket = new Map<string, number>();
  private restTimer: ReturnType<typeof setTimeout> | null = null;

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
    for (const c of this.caches.values()) c.dirty = true;
    this.stage.staticLayer.batchDraw();
  }

  /** Some annotations changed (or were selected, or left the selection): redraw their buckets only. */
  invalidateKeys(keys: Iterable<string>, find: (key: string) => Annotation | undefined): void {
    for (const key of keys) {
      const before = this.lastBucket.get(key);
      if (before !== undefined) this.markDirty(before);
      const a = find(key);
      if (a) this.markDirty(this.bucketOf(a));
    }
    this.stage.staticLayer.batchDraw();
  }

  private markDirty(bucket: number): void {
    const cache = this.caches.get(bucket);
    if (cache) cache.dirty = true;
  }

  /** Only the prediction threshold changed: the bucket it falls in is drawn again, the rest reused. */
  thresholdChanged(): void {
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

  private bucketOf(a: Annotation): number {
    if (!this.source.isPrediction(a)) {
      let h = 0;
      for (let i = 0; i < a.id.length; i++) h = (h * 31 + a.id.charCodeAt(i)) | 0;
      return BUCKETS + (Math.abs(h) % MANUAL_BUCKETS);
    }
    return Math.min(BUCKETS - 1, Math.max(0, Math.floor((a.meta?.confidence ?? 0) * BUCKETS)));
  }

  private draw(ctx: CanvasRenderingContext2D): void {
    const view = this.stage.view;
    const ratio = this.stage.staticLayer.getCanvas().getPixelRatio();
    const width = this.stage.width;
    const height = this.stage.height;
    const threshold = this.source.threshold();
    const t0 = performance.now();
    let drew = false;
    // Which buckets have shapes, and which need drawing afresh.
    const items = this.source.items();
    const byBucket = new Map<number, Annotation[]>();
    this.lastBucket.clear();
    for (const a of items) {
      const b = this.bucketOf(a);
      this.lastBucket.set(a.key, b);
      let list = byBucket.get(b);
      if (!list) byBucket.set(b, (list = []));
      list.push(a);
    }
    for (const key of [...this.caches.keys()]) if (!byBucket.has(key)) this.caches.delete(key);
    for (const [b, list] of [...byBucket].sort((x, y) => x[0] - y[0])) {
      const upper = (b + 1) / BUCKETS;
      if (b < BUCKETS && upper <= threshold) continue; // every prediction in it is hidden
      const straddles = b < BUCKETS && b / BUCKETS < threshold;
      let cache = this.caches.get(b);
      if (!cache) {
        cache = { canvas: document.createElement("canvas"), view: null, dirty: true, threshold: -1 };
        this.caches.set(b, cache);
      }
      // A bucket the threshold cuts is drawn for that threshold; the others hold all their shapes.
      const drawnFor = straddles ? threshold : -1;
      if (cache.dirty || !cache.view || cache.threshold !== drawnFor) {
        const canvas = cache.canvas;
        if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
          canvas.width = Math.round(width * ratio);
          canvas.height = Math.round(height * ratio);
        }
        // A bitmap, not a recording: a canvas drawn on is otherwise kept as its list of drawing
        // commands and played again on every blit, thousands of shapes each frame.
        const c = canvas.getContext("2d", { willReadFrequently: true })!;
        c.setTransform(ratio, 0, 0, ratio, 0, 0);
        c.clearRect(0, 0, width, height);
        const shown = straddles ? list.filter((a) => (a.meta?.confidence ?? 0) >= threshold) : list;
        drawAnnotations(c, shown, this.source, view, width, height);
        cache.view = { ...view };
        cache.dirty = false;
        cache.threshold = drawnFor;
        drew = true;
      }
      const k = view.scale / cache.view!.scale;
      ctx.imageSmoothingEnabled = k !== 1;
      ctx.drawImage(cache.canvas, view.x - cache.view!.x * k, view.y - cache.view!.y * k, width * k, height * k);
    }
    if (drew) {
      // The browser rasters a canvas's drawing when it is first used: this times the draw up to the
      // blits. For the benchmarks (bench/bench_annotator.py).
      performance.measure("ls-shapes", { start: t0 });
    }
  }
}
