// A path being clicked in, vertex by vertex: shared by the polygon, polyline and mask-fill tools.
// Closing (for rings): a click on the first vertex or Enter. Finishing (lines): Enter or a double
// click. Backspace takes back the last vertex; Escape drops the path.

import type { Pt } from "../core/shapes";
import type { View } from "../core/view";
import type { ToolHost } from "./tool";

const CLOSE_REACH = 8; // screen pixels around the first vertex

export class PathDraft {
  points: Pt[] = [];
  cursor: Pt | null = null;

  constructor(
    private readonly host: ToolHost,
    private readonly closed: boolean,
    private readonly color: () => string,
  ) {}

  get active(): boolean {
    return this.points.length > 0;
  }

  /** Add a vertex; returns true when the click closes the ring. */
  click(p: Pt): boolean {
    const s = this.host.space;
    const q = { x: Math.min(Math.max(p.x, 0), s.width), y: Math.min(Math.max(p.y, 0), s.height) };
    if (this.closed && this.points.length >= 3) {
      const first = this.points[0];
      if (Math.hypot(first.x - q.x, first.y - q.y) <= this.host.pixels(CLOSE_REACH)) return true;
    }
    const last = this.points[this.points.length - 1];
    if (last && Math.hypot(last.x - q.x, last.y - q.y) < this.host.pixels(1)) return false;
    this.points.push(q);
    return false;
  }

  /** Enter finishes the path (`finish`), Backspace takes back its last vertex; true if the key was one of them. */
  key(e: KeyboardEvent, finish: () => void): boolean {
    if (!this.active) return false;
    if (e.key === "Enter") finish();
    else if (e.key === "Backspace") this.undoVertex();
    else return false;
    this.host.redraw();
    return true;
  }

  undoVertex(): boolean {
    if (!this.points.length) return false;
    this.points.pop();
    return true;
  }

  reset(): Pt[] {
    const points = this.points;
    this.points = [];
    return points;
  }

  draw(ctx: CanvasRenderingContext2D, v: View): void {
    if (!this.points.length) return;
    const pts = this.cursor ? [...this.points, this.cursor] : this.points;
    ctx.save();
    ctx.strokeStyle = this.color();
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    pts.forEach((p, i) => (i ? ctx.lineTo(p.x * v.scale + v.x, p.y * v.scale + v.y) : ctx.moveTo(p.x * v.scale + v.x, p.y * v.scale + v.y)));
    ctx.stroke();
    if (this.closed && this.cursor && this.points.length >= 2) {
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(this.cursor.x * v.scale + v.x, this.cursor.y * v.scale + v.y);
      ctx.lineTo(this.points[0].x * v.scale + v.x, this.points[0].y * v.scale + v.y);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.fillStyle = "#fff";
    this.points.forEach((p, i) => {
      const r = i === 0 && this.closed ? 5 : 3;
      ctx.beginPath();
      ctx.rect(p.x * v.scale + v.x - r, p.y * v.scale + v.y - r, 2 * r, 2 * r);
      ctx.fill();
      ctx.stroke();
    });
    ctx.restore();
  }
}
