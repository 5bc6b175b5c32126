// Drawing boxes, rotatable boxes (drawn upright; rotated afterwards with their handle) and
// skeletons (the template placed into the dragged box).

import type { PointerInfo } from "../canvas/stage";
import { type BoxGeom, type Geom, type Pt, boxFromCorners, clampInto, placeSkeleton } from "../core/shapes";
import type { View } from "../core/view";
import type { ObjectSpec } from "../protocol/ontology";
import { createObject } from "./emit";
import type { Tool, ToolHost } from "./tool";

const MIN_SIZE = 3; // screen pixels

export class BoxTool implements Tool {
  readonly crosshair = true;
  private from: Pt | null = null;
  private to: Pt | null = null;

  constructor(
    private readonly host: ToolHost,
    readonly spec: ObjectSpec,
  ) {}

  get name(): string {
    return this.spec.shape;
  }

  busy(): boolean {
    return this.from !== null;
  }

  down(e: PointerInfo): void {
    const s = this.host.space;
    if (e.p.x < 0 || e.p.y < 0 || e.p.x > s.width || e.p.y > s.height) return;
    this.from = e.p;
    this.to = e.p;
  }

  move(e: PointerInfo): void {
    if (!this.from) return;
    this.to = e.p;
    this.host.redraw();
  }

  up(e: PointerInfo): void {
    if (!this.from) return;
    const box = clampInto(boxFromCorners(this.from, e.p), this.host.space.width, this.host.space.height) as BoxGeom;
    this.from = this.to = null;
    this.host.redraw();
    if (box.w < this.host.pixels(MIN_SIZE) || box.h < this.host.pixels(MIN_SIZE)) return;
    const key = createObject(this.host, this.spec, this.geometry(box));
    this.host.store.select([]);
    this.host.adopt(key);
  }

  private geometry(box: BoxGeom): Geom {
    if (this.spec.shape === "rotatable_bounding_box") return { kind: "rotatable_bounding_box", x: box.x, y: box.y, w: box.w, h: box.h, theta: 0 };
    if (this.spec.shape === "skeleton" && this.spec.skeleton) return placeSkeleton(this.spec.skeleton, box, this.spec.name);
    return box;
  }

  cancel(): boolean {
    const had = this.from !== null;
    this.from = this.to = null;
    return had;
  }

  drawOverlay(ctx: CanvasRenderingContext2D, v: View): void {
    if (!this.from || !this.to) return;
    const b = boxFromCorners(this.from, this.to);
    ctx.save();
    ctx.strokeStyle = this.spec.color;
    ctx.setLineDash([5, 3]);
    ctx.strokeRect(Math.round(b.x * v.scale + v.x) + 0.5, Math.round(b.y * v.scale + v.y) + 0.5, Math.round(b.w * v.scale), Math.round(b.h * v.scale));
    if (this.spec.shape === "skeleton" && this.spec.skeleton && b.w > 0 && b.h > 0) {
      const g = placeSkeleton(this.spec.skeleton, b, this.spec.name);
      ctx.setLineDash([]);
      ctx.fillStyle = this.spec.color;
      for (const n of g.nodes) {
        ctx.beginPath();
        ctx.arc(n.x * v.scale + v.x, n.y * v.scale + v.y, 3, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    ctx.restore();
  }

  hint(): string {
    return this.spec.shape === "skeleton"
      ? `Drag a box to place the ${this.spec.name} skeleton; then drag its nodes (Alt-click or V over a node: invisible).`
      : `Drag to draw a ${this.spec.name} box.`;
  }
}

export class PointTool implements Tool {
  readonly crosshair = true;
  readonly name = "point";

  constructor(
    private readonly host: ToolHost,
    readonly spec: ObjectSpec,
  ) {}

  down(): void {}
  move(): void {}

  up(e: PointerInfo): void {
    const s = this.host.space;
    if (e.p.x < 0 || e.p.y < 0 || e.p.x > s.width || e.p.y > s.height) return;
    const key = createObject(this.host, this.spec, { kind: "point", x: e.p.x, y: e.p.y });
    this.host.adopt(key);
  }

  cancel(): boolean {
    return false;
  }

  hint(): string {
    return `Click to put a ${this.spec.name} point.`;
  }
}
