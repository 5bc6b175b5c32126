// Selecting: click (Shift-click adds or removes), a rubber band on empty image, and through the
// editor: handles, moving. Active when no drawing tool is chosen (Escape).

import type { PointerInfo } from "../canvas/stage";
import { bounds } from "../core/shapes";
import type { View } from "../core/view";
import type { Editor } from "./edit";
import type { Tool, ToolHost } from "./tool";

export class SelectTool implements Tool {
  readonly name = "select";
  readonly crosshair = false;
  private band: { from: { x: number; y: number }; to: { x: number; y: number }; add: boolean } | null = null;

  constructor(
    private readonly host: ToolHost,
    private readonly editor: Editor,
  ) {}

  down(e: PointerInfo): void {
    if (this.editor.tryHandle(e)) return;
    const { store } = this.host;
    // A locked object can still be selected (to unlock it, or read its attributes), not moved.
    const top = this.host.hits(e.p)[0];
    if (top) {
      if (e.shift) store.select([top.key], "toggle");
      else if (!store.selection.has(top.key)) store.select([top.key]);
      if (store.selection.has(top.key)) this.editor.startMove(e);
      return;
    }
    this.band = { from: e.p, to: e.p, add: e.shift };
  }

  move(e: PointerInfo): void {
    if (this.band) {
      this.band.to = e.p;
      this.host.redraw();
      return;
    }
    this.editor.move(e);
  }

  up(): void {
    if (!this.band) {
      this.editor.up();
      return;
    }
    const { from, to, add } = this.band;
    this.band = null;
    const x0 = Math.min(from.x, to.x);
    const x1 = Math.max(from.x, to.x);
    const y0 = Math.min(from.y, to.y);
    const y1 = Math.max(from.y, to.y);
    const { store } = this.host;
    if (x1 - x0 < this.host.pixels(3) && y1 - y0 < this.host.pixels(3)) {
      if (!add) store.select([]);
      this.host.redraw();
      return;
    }
    const inside = store.visible(this.host.space.id).filter((a) => {
      const b = bounds(store.shown(a)!);
      return b.x >= x0 && b.y >= y0 && b.x + b.w <= x1 && b.y + b.h <= y1;
    });
    store.select(
      inside.map((a) => a.key),
      add ? "add" : "set",
    );
    this.host.redraw();
  }

  cancel(): boolean {
    const had = this.band !== null;
    this.band = null;
    return this.editor.cancel() || had;
  }

  drawOverlay(ctx: CanvasRenderingContext2D, v: View): void {
    if (!this.band) return;
    const { from, to } = this.band;
    ctx.save();
    ctx.strokeStyle = "#fff";
    ctx.fillStyle = "rgba(80,160,255,0.12)";
    ctx.setLineDash([4, 3]);
    const x = Math.min(from.x, to.x) * v.scale + v.x;
    const y = Math.min(from.y, to.y) * v.scale + v.y;
    const w = Math.abs(to.x - from.x) * v.scale;
    const h = Math.abs(to.y - from.y) * v.scale;
    ctx.fillRect(x, y, w, h);
    ctx.strokeRect(Math.round(x) + 0.5, Math.round(y) + 0.5, Math.round(w), Math.round(h));
    ctx.restore();
  }

  hint(): string {
    return "Click to select (Shift adds), drag a box to select several, drag to move.";
  }
}
