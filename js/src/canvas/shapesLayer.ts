// The layer of shapes not being edited: drawn in one pass as thin lines into a cached bitmap; while
// the view pans or zooms the bitmap is moved or scaled (a blit, well under a millisecond) and the
// shapes are drawn afresh once the view rests. Nothing on it listens to events.

import Konva from "konva";
import type { Annotation } from "../core/store";
import type { Bounds, Geom } from "../core/geom";
import { bounds } from "../core/shapes";
import type { View } from "../core/view";
import { regionOf } from "./regions";
import type { Stage } from "./stage";
import { BUCKETS, bucketOf, groupByBucket, shownCount } from "./buckets";

const REST_MS = 120;
/** Above this many predictions shown, their confidence labels are left out. */
const MAX_LABELS = 400;
/** A confidence label's box, above its shape's bounds (longer text is narrowed to fit). */
const LABEL_WIDTH = 200;
const LABEL_HEIGHT = 15;
/** How far beyond its bounds a shape may paint (points and skeleton nodes are discs, lines have width). */
const PAD = 8;
/** Above this many changed shapes in a bitmap, or this share of its area, it is drawn afresh instead. */
const MAX_DAMAGE = 64;
const MAX_DAMAGE_AREA = 0.3;

/**
 * Where a shape of image-space bounds `b` may paint on a bitmap drawn for `view` (labels included
 * if `labelled`), in CSS pixels on whole device pixels (`ratio` of them to a CSS pixel), so that a
 * clip to it has no soft edge.
 */
function paintArea(b: Bounds, view: View, labelled: boolean, ratio: number): Bounds {
  const down = (v: number) => Math.floor(v * ratio) / ratio;
  const up = (v: number) => Math.ceil(v * ratio) / ratio;
  const x = down(b.x * view.scale + view.x - PAD);
  const y = down(b.y * view.scale + view.y - PAD - (labelled ? LABEL_HEIGHT : 0));
  const right = up(b.x * view.scale + view.x + Math.max(b.w * view.scale + PAD, labelled ? LABEL_WIDTH : 0));
  const bottom = up((b.y + b.h) * view.scale + view.y + PAD);
  return { x, y, w: right - x, h: bottom - y };
}

const meets = (a: Bounds, b: Bounds): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

export interface ShapesSource {
  /** The annotations to draw (not the selected, not the hidden; predictions whatever their confidence). */
  items(): Annotation[];
  /** Predictions below this confidence are not drawn. */
  threshold(): number;
  shown(a: Annotation): Geom | null;
  isPrediction(a: Annotation): boolean;
}

const boundsCache = new WeakMap<Geom, Bounds>();

export function cachedBounds(g: Geom): Bounds {
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
export function drawAnnotations(
  ctx: CanvasRenderingContext2D,
  items: Annotation[],
  source: ShapesSource,
  view: View,
  width: number,
  height: number,
  labelled = true,
): void {
  const labels: [Annotation, Bounds][] = [];
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
    if (region.outline) {
      const key = `${a.spec.color}|${prediction}`;
      let group = paths.get(key);
      if (!group) {
        group = { path: new Path2D(), color: a.spec.color, prediction };
        paths.set(key, group);
      }
      region.outline(group.path, g, view);
    } else {
      region.draw(ctx, g, view, { color: a.spec.color, spec: a.spec, selected: false, prediction, hovered: false });
    }
    if (prediction && labelled) labels.push([a, b]);
  }
  ctx.lineWidth = 1;
  // In the same order whichever of a bitmap's shapes are drawn, so that drawing part of it again
  // gives the pixels drawing all of it gives.
  for (const { path, color, prediction } of [...paths.entries()].sort((x, y) => (x[0] < y[0] ? -1 : 1)).map(([, g]) => g)) {
    ctx.strokeStyle = color;
    ctx.setLineDash(prediction ? [6, 4] : []);
    ctx.stroke(path);
  }
  ctx.setLineDash([]);
  if (labels.length) {
    ctx.font = "11px sans-serif";
    ctx.textBaseline = "bottom";
    for (const [a, b] of labels) {
      const text = `${a.spec.name} ${(a.meta?.confidence ?? 0).toFixed(2)}`;
      const x = b.x * view.scale + view.x;
      const y = b.y * view.scale + view.y;
      const w = Math.min(ctx.measureText(text).width + 6, LABEL_WIDTH);
      ctx.fillStyle = "rgba(0,0,0,0.6)";
      ctx.fillRect(x, y - LABEL_HEIGHT, w, LABEL_HEIGHT);
      ctx.fillStyle = a.spec.color;
      ctx.fillText(text, x + 3, y - 2, w - 6);
    }
  }
}

interface Cache {
  canvas: HTMLCanvasElement;
  view: View | null;
  dirty: boolean;
  /** How many of the bucket's annotations (in its order) the bitmap holds. */
  drawn: number;
  /** Whether the predictions in it were drawn with their confidence labels. */
  labelled: boolean;
  /** The threshold it was drawn at. */
  threshold: number;
  /** Image-space bounds of shapes changed since it was drawn (where they were, and are): only there is it drawn again. */
  damage: Bounds[];
}

export class ShapesLayer {
  private readonly node: Konva.Shape;
  /** One bitmap per bucket (see ./buckets): predictions by confidence, then people's shapes. */
  private readonly caches = new Map<number, Cache>();
  /** The annotations by bucket, made again after any change of which are drawn or how. */
  private groups: Map<number, Annotation[]> | null = null;
  /** The bucket each annotation was last drawn in, and its image-space bounds then. */
  private readonly lastBucket = new Map<string, number>();
  private readonly lastBounds = new Map<string, Bounds>();
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
    this.groups = null;
    for (const c of this.caches.values()) c.dirty = true;
    this.stage.staticLayer.batchDraw();
  }

  /**
   * Some annotations changed (or were selected, or left the selection): their buckets are drawn
   * again where they were and where they are now, the rest of each bitmap kept.
   */
  invalidateKeys(keys: Iterable<string>, find: (key: string) => Annotation | undefined): void {
    this.groups = null;
    for (const key of keys) {
      const before = this.lastBucket.get(key);
      if (before !== undefined) this.damage(before, this.lastBounds.get(key));
      const a = find(key);
      const g = a && this.source.shown(a);
      if (a) this.damage(bucketOf(a, this.source.isPrediction(a)), g ? cachedBounds(g) : undefined);
    }
    this.stage.staticLayer.batchDraw();
  }

  private damage(bucket: number, bounds: Bounds | undefined): void {
    const cache = this.caches.get(bucket);
    if (!cache || cache.dirty) return;
    if (!bounds || cache.damage.length >= MAX_DAMAGE) cache.dirty = true;
    else cache.damage.push(bounds);
  }

  /**
   * Only the prediction threshold changed: the bucket it falls in is drawn again where the
   * predictions it showed or hid are (all of it when they are many), the rest reused.
   */
  thresholdChanged(): void {
    this.stage.staticLayer.batchDraw();
  }

  private viewChanged(): void {
    this.stage.staticLayer.batchDraw();
    if (this.restTimer) clearTimeout(this.restTimer);
    this.restTimer = setTimeout(() => {
      this.restTimer = null;
      for (const c of this.caches.values()) c.dirty = true;
      this.stage.staticLayer.batchDraw();
    }, REST_MS);
  }

  private grouped(): Map<number, Annotation[]> {
    if (this.groups) return this.groups;
    const groups = groupByBucket(this.source.items(), (a) => this.source.isPrediction(a));
    this.lastBucket.clear();
    this.lastBounds.clear();
    for (const [b, list] of groups) {
      for (const a of list) {
        this.lastBucket.set(a.key, b);
        const g = this.source.shown(a);
        if (g) this.lastBounds.set(a.key, cachedBounds(g));
      }
    }
    for (const key of [...this.caches.keys()]) if (!groups.has(key)) this.caches.delete(key);
    this.groups = groups;
    return groups;
  }

  /**
   * Draw a bitmap again only where its changed shapes were and are: clear those areas and draw,
   * clipped to them, every shape of the bucket that may paint there. False when the areas are too
   * many or too large (then the bitmap is drawn afresh).
   */
  private patch(c: CanvasRenderingContext2D, cache: Cache, shown: Annotation[], width: number, height: number, ratio: number): boolean {
    const t0 = performance.now();
    const view = cache.view!;
    const areas = cache.damage.map((b) => paintArea(b, view, cache.labelled, ratio));
    const total = areas.reduce((sum, r) => sum + r.w * r.h, 0);
    if (total > MAX_DAMAGE_AREA * width * height) return false;
    const hit = shown.filter((a) => {
      const b = this.lastBounds.get(a.key); // found when the bucket was grouped, this frame
      if (!b) return false;
      const area = paintArea(b, view, cache.labelled && this.source.isPrediction(a), ratio);
      return areas.some((r) => meets(r, area));
    });
    c.save();
    const clip = new Path2D();
    for (const r of areas) clip.rect(r.x, r.y, r.w, r.h);
    c.clip(clip);
    for (const r of areas) c.clearRect(r.x, r.y, r.w, r.h);
    drawAnnotations(c, hit, this.source, view, width, height, cache.labelled);
    c.restore();
    performance.measure("ls-shapes-patch", { start: t0, detail: { shapes: hit.length, of: shown.length } });
    return true;
  }

  private draw(ctx: CanvasRenderingContext2D): void {
    const view = this.stage.view;
    const ratio = this.stage.staticLayer.getCanvas().getPixelRatio();
    const width = this.stage.width;
    const height = this.stage.height;
    const threshold = this.source.threshold();
    const t0 = performance.now();
    let drew = false;
    const groups = this.grouped();
    // How many of each bucket are shown: predictions down to the threshold, people's shapes all.
    const shown = new Map<number, number>();
    let predictions = 0;
    for (const [b, list] of groups) {
      const n = b < BUCKETS ? shownCount(list, threshold) : list.length;
      shown.set(b, n);
      if (b < BUCKETS) predictions += n;
    }
    const labelled = predictions <= MAX_LABELS;
    for (const [b, list] of groups) {
      const n = shown.get(b)!;
      if (n === 0) continue;
      let cache = this.caches.get(b);
      if (!cache) {
        cache = { canvas: document.createElement("canvas"), view: null, dirty: true, drawn: 0, labelled, threshold, damage: [] };
        this.caches.set(b, cache);
      }
      const canvas = cache.canvas;
      if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
        canvas.width = Math.round(width * ratio);
        canvas.height = Math.round(height * ratio);
        cache.dirty = true;
      }
      // A bitmap, not a recording: a canvas drawn on is otherwise kept as its list of drawing
      // commands and played again on every blit, thousands of shapes each frame.
      const c = canvas.getContext("2d", { willReadFrequently: true })!;
      c.setTransform(ratio, 0, 0, ratio, 0, 0);
      if (cache.labelled !== labelled) cache.dirty = true;
      if (!cache.dirty && cache.view) {
        if (!cache.damage.length && n !== cache.drawn) {
          // Only the threshold moved (the bucket is as it was drawn): the predictions it showed or
          // hid are those between the two counts, in the bucket's order; their areas are drawn again.
          const moved = list.slice(Math.min(n, cache.drawn), Math.max(n, cache.drawn));
          if (moved.length > MAX_DAMAGE) cache.dirty = true;
          for (const a of cache.dirty ? [] : moved) this.damage(b, this.lastBounds.get(a.key));
        } else if (cache.damage.length && b < BUCKETS && cache.threshold !== threshold) {
          cache.dirty = true; // edited and cut anew: which predictions it held is not known any more
        }
      }
      const damaged = cache.damage.length > 0;
      if (!cache.dirty && damaged && this.patch(c, cache, list.slice(0, n), width, height, ratio)) {
        drew = true;
      } else if (cache.dirty || !cache.view || damaged) {
        c.clearRect(0, 0, width, height);
        drawAnnotations(c, n < list.length ? list.slice(0, n) : list, this.source, view, width, height, labelled);
        cache.view = { ...view };
        cache.dirty = false;
        cache.labelled = labelled;
        drew = true;
      }
      cache.drawn = n;
      cache.threshold = threshold;
      cache.damage = [];
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
