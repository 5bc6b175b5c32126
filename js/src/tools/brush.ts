// Painting bitmasks: a brush and an eraser (a stroke is one edit), and filling a clicked polygon
// into the mask. Paints into the selected mask of the tool's class, or starts a new one. The mask is
// sent run-length encoded, as the label model stores it.

import type { PointerInfo } from "../canvas/stage";
import { bitmaskRegion, repaintMask, startPainting } from "../canvas/regions/bitmask";
import { type DirtyRect, fillPolygon, stampDisc, stampSegment } from "../core/mask";
import type { Annotation } from "../core/store";
import type { BitmaskGeom, Pt } from "../core/shapes";
import type { View } from "../core/view";
import type { ObjectSpec } from "../protocol/ontology";
import { createObject, sendGeometry } from "./emit";
import { PathDraft } from "./path";
import type { Tool, ToolHost } from "./tool";

export type BrushMode = "brush" | "eraser" | "fill";

export const BRUSH_SIZES = { min: 1, max: 500 };

export class BrushTool implements Tool {
  readonly crosshair = false;
  readonly name = "bitmask";
  private stroke: { target: Annotation | null; mask: BitmaskGeom; last: Pt; value: 0 | 1 } | null = null;
  private readonly draft: PathDraft;
  private pointer: Pt | null = null;

  constructor(
    private readonly host: ToolHost,
    readonly spec: ObjectSpec,
    private readonly settings: { mode: BrushMode; radius: number },
  ) {
    this.draft = new PathDraft(host, true, () => spec.color);
  }

  /** The mask strokes go into: the selected mask of this class on this space, if one is. */
  private target(): Annotation | null {
    const selected = this.host.store.selected().filter((a) => a.space === this.host.space.id && a.spec.hash === this.spec.hash && !a.locked);
    return selected.length === 1 ? selected[0] : null;
  }

  private working(target: Annotation | null): BitmaskGeom {
    const s = this.host.space;
    const g = target ? this.host.store.shown(target) : null;
    const mask = g?.kind === "bitmask" && g.width === s.width && g.height === s.height ? new Uint8Array(g.mask) : new Uint8Array(s.width * s.height);
    return { kind: "bitmask", width: s.width, height: s.height, mask };
  }

  busy(): boolean {
    return this.stroke !== null || this.draft.active;
  }

  down(e: PointerInfo): void {
    if (this.settings.mode === "fill") return;
    const target = this.target();
    const value = this.settings.mode === "eraser" || e.alt ? 0 : 1;
    if (!target && value === 0) {
      this.host.say("Select a mask to erase from.");
      return;
    }
    const mask = this.working(target);
    startPainting(mask, this.spec.color);
    if (target) {
      target.preview = mask;
      target.version++;
    }
    this.stroke = { target, mask, last: e.p, value };
    this.paint(stampDisc(mask.mask, mask.width, mask.height, e.p.x, e.p.y, this.settings.radius, value));
  }

  move(e: PointerInfo): void {
    this.pointer = e.p;
    if (this.draft.active) this.draft.cursor = e.p;
    if (this.stroke) {
      const { mask, last, value } = this.stroke;
      this.paint(stampSegment(mask.mask, mask.width, mask.height, last, e.p, this.settings.radius, value));
      this.stroke.last = e.p;
    }
    this.host.redraw();
  }

  private paint(dirty: DirtyRect): void {
    if (!this.stroke) return;
    repaintMask(this.stroke.mask, dirty);
    if (this.stroke.target) this.stroke.target.version++;
    this.host.redraw();
  }

  up(e: PointerInfo): void {
    if (this.settings.mode === "fill") {
      if (this.draft.click(e.p)) this.fill(e.shift ? 0 : 1);
      this.host.redraw();
      return;
    }
    const stroke = this.stroke;
    this.stroke = null;
    if (!stroke) return;
    this.commit(stroke.target, stroke.mask);
  }

  private commit(target: Annotation | null, mask: BitmaskGeom): void {
    const t0 = performance.now();
    if (target) sendGeometry(this.host, target, mask);
    else this.host.adopt(createObject(this.host, this.spec, mask));
    // For the benchmarks: encoding the mask (run-length, as the model stores it) and sending it.
    performance.measure("ls-mask-sent", { start: t0 });
    this.host.redraw();
  }

  private fill(value: 0 | 1): void {
    const ring = this.draft.reset();
    const target = this.target();
    if (!target && value === 0) return;
    const mask = this.working(target);
    fillPolygon(mask.mask, mask.width, mask.height, ring, value);
    this.commit(target, mask);
  }

  key(e: KeyboardEvent): boolean {
    return this.draft.key(e, () => this.fill(e.shiftKey ? 0 : 1));
  }

  cancel(): boolean {
    const had = this.stroke !== null || this.draft.active;
    if (this.stroke?.target) {
      this.stroke.target.preview = null;
      this.stroke.target.version++;
    }
    this.stroke = null;
    this.draft.reset();
    return had;
  }

  drawOverlay(ctx: CanvasRenderingContext2D, v: View): void {
    if (this.stroke && !this.stroke.target) {
      bitmaskRegion.draw(ctx, this.stroke.mask, v, { color: this.spec.color, spec: this.spec, selected: true, prediction: false, hovered: false });
    }
    this.draft.draw(ctx, v);
    if (this.pointer && this.settings.mode !== "fill") {
      ctx.save();
      ctx.beginPath();
      ctx.arc(this.pointer.x * v.scale + v.x, this.pointer.y * v.scale + v.y, Math.max(1, this.settings.radius * v.scale), 0, Math.PI * 2);
      ctx.strokeStyle = this.settings.mode === "eraser" ? "#fff" : this.spec.color;
      ctx.setLineDash(this.settings.mode === "eraser" ? [3, 3] : []);
      ctx.stroke();
      ctx.restore();
    }
  }

  hint(): string {
    const size = `size ${this.settings.radius * 2} px ([ and ] change it)`;
    if (this.settings.mode === "fill") return "Click a polygon to fill into the mask; close it on its first vertex or Enter (Shift: cut it out).";
    return `${this.settings.mode === "brush" ? "Brush (Alt: erase)" : "Eraser"}, ${size}. B brush, E eraser, G fill a polygon.`;
  }
}
