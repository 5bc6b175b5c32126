// Editing what is selected: dragging a handle (corner, edge, rotate, vertex, edge midpoint, node),
// moving the whole selection, deleting a vertex (Alt-click, or Delete over it), marking a skeleton
// node invisible (Alt-click or V over it). Every gesture is one operation, so one undo step.

import type { Annotation } from "../core/store";
import {
  type Geom,
  type Pt,
  polygonDeleteVertex,
  polylineDeleteVertex,
  toggleNodeVisibility,
  translate,
} from "../core/shapes";
import type { Operation } from "../protocol/operations";
import type { PointerInfo } from "../canvas/stage";
import { regionOf } from "../canvas/regions";
import type { Handle } from "../canvas/regions/region";
import { putExisting, sendGeometry } from "./emit";
import type { ToolHost } from "./tool";

/** Screen pixels within which a handle is grabbed. */
export const HANDLE_REACH = 7;

interface HandleHit {
  a: Annotation;
  g: Geom;
  handle: Handle;
}

export class Editor {
  private dragging: { a: Annotation; start: Geom; handle: Handle } | null = null;
  private moving: { from: Pt; items: { a: Annotation; start: Geom }[]; moved: boolean } | null = null;
  hovered: HandleHit | null = null;

  constructor(private readonly host: ToolHost) {}

  get busy(): boolean {
    return this.dragging !== null || this.moving !== null;
  }

  /** The handle of a selected, unlocked annotation under a point (vertices before midpoints). */
  handleAt(p: Pt): HandleHit | null {
    const { store, stage } = this.host;
    const reach = this.host.pixels(HANDLE_REACH);
    let best: HandleHit | null = null;
    let bestDistance = Infinity;
    for (const a of store.selected()) {
      const g = store.shown(a);
      if (!g || a.locked || a.space !== this.host.space.id || this.host.readonly) continue;
      for (const h of regionOf(g).handles(g, stage.view)) {
        const d = Math.hypot(h.at.x - p.x, h.at.y - p.y) + (h.kind === "midpoint" ? reach / 2 : 0);
        if (d <= reach + (h.kind === "midpoint" ? reach / 2 : 0) && d < bestDistance) {
          best = { a, g, handle: h };
          bestDistance = d;
        }
      }
    }
    return best;
  }

  /** Start a handle gesture if the pointer is on one; true if it was. */
  tryHandle(e: PointerInfo): boolean {
    const hit = this.handleAt(e.p);
    if (!hit) return false;
    if (e.alt) {
      this.alter(hit);
      return true;
    }
    this.dragging = { a: hit.a, start: hit.g, handle: hit.handle };
    return true;
  }

  /** Start moving the selection (the pointer is on a selected annotation). */
  startMove(e: PointerInfo): void {
    const items = this.host.store
      .selected()
      .filter((a) => !a.locked && a.space === this.host.space.id && this.host.store.shown(a))
      .map((a) => ({ a, start: this.host.store.shown(a)! }));
    if (items.length && !this.host.readonly) this.moving = { from: e.p, items, moved: false };
  }

  move(e: PointerInfo): void {
    const { store } = this.host;
    if (this.dragging) {
      const { a, start, handle } = this.dragging;
      const g = regionOf(start).drag(start, handle, e.p);
      a.preview = g;
      a.version++;
      this.host.redraw();
      return;
    }
    if (this.moving) {
      const dx = e.p.x - this.moving.from.x;
      const dy = e.p.y - this.moving.from.y;
      if (!this.moving.moved && Math.hypot(dx, dy) < this.host.pixels(2)) return;
      this.moving.moved = true;
      for (const { a, start } of this.moving.items) {
        a.preview = translate(start, dx, dy);
        a.version++;
      }
      this.host.redraw();
      return;
    }
    const hovered = this.handleAt(e.p);
    if (hovered?.handle !== this.hovered?.handle) {
      this.hovered = hovered;
      this.host.stage.setCursor(hovered ? hovered.handle.cursor : store.selected().length && this.host.hits(e.p).some((a) => store.selection.has(a.key)) ? "move" : "");
    }
  }

  up(): void {
    if (this.dragging) {
      const { a } = this.dragging;
      this.dragging = null;
      if (a.preview) sendGeometry(this.host, a, a.preview);
      return;
    }
    if (this.moving) {
      const { items, moved } = this.moving;
      this.moving = null;
      if (!moved) return;
      const ops: Operation[] = [];
      const previews = new Map<string, Geom | null>();
      for (const { a } of items) {
        if (!a.preview) continue;
        ops.push(putExisting(this.host, a, a.preview));
        previews.set(a.key, a.preview);
      }
      if (ops.length === 1) this.host.send(ops[0], previews);
      else if (ops.length) this.host.send({ op: "batch", ops }, previews);
    }
  }

  cancel(): boolean {
    const items = this.dragging ? [this.dragging.a] : this.moving ? this.moving.items.map((i) => i.a) : [];
    this.dragging = null;
    this.moving = null;
    for (const a of items) {
      a.preview = null;
      a.version++;
    }
    if (items.length) this.host.redraw();
    return items.length > 0;
  }

  /** Delete the vertex or toggle the node under the pointer; true if there was one. */
  alterHovered(p: Pt | null): boolean {
    const hit = p ? this.handleAt(p) : null;
    if (!hit || (hit.handle.kind !== "vertex" && hit.handle.kind !== "node")) return false;
    return this.alter(hit);
  }

  private alter(hit: HandleHit): boolean {
    const { a, g, handle } = hit;
    if (g.kind === "skeleton" && handle.kind === "node") {
      sendGeometry(this.host, a, toggleNodeVisibility(g, handle.index));
      return true;
    }
    if (handle.kind !== "vertex") return false;
    if (g.kind === "polygon") {
      const next = polygonDeleteVertex(g, handle.part, handle.ring, handle.index);
      if (next) sendGeometry(this.host, a, next);
      else this.host.send({ op: "remove_object", space: a.space, object: a.id, frames: this.host.store.frame(a.space) });
      return true;
    }
    if (g.kind === "polyline") {
      const next = polylineDeleteVertex(g, handle.index);
      if (next) sendGeometry(this.host, a, next);
      else this.host.send({ op: "remove_object", space: a.space, object: a.id, frames: this.host.store.frame(a.space) });
      return true;
    }
    return false;
  }
}
