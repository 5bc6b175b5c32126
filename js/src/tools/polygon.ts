// Drawing polygons and polylines by clicking vertices. With Ctrl (or Cmd) held at the first click
// while a polygon of the same class is selected, the new ring is added to it: a hole if it lies
// inside one of its parts, another part if not.

import type { PointerInfo } from "../canvas/stage";
import { type PolygonGeom, polygonAddRing } from "../core/shapes";
import type { View } from "../core/view";
import type { ObjectSpec } from "../protocol/ontology";
import { createObject, sendGeometry } from "./emit";
import { PathDraft } from "./path";
import type { Tool, ToolHost } from "./tool";

export class PolygonTool implements Tool {
  readonly crosshair = true;
  private readonly draft: PathDraft;
  private into: string | null = null;

  constructor(
    private readonly host: ToolHost,
    readonly spec: ObjectSpec,
  ) {
    this.draft = new PathDraft(host, spec.shape === "polygon", () => spec.color);
  }

  get name(): string {
    return this.spec.shape;
  }

  private get closed(): boolean {
    return this.spec.shape === "polygon";
  }

  busy(): boolean {
    return this.draft.active;
  }

  down(): void {}

  move(e: PointerInfo): void {
    if (!this.draft.active) return;
    this.draft.cursor = e.p;
    this.host.redraw();
  }

  up(e: PointerInfo): void {
    if (!this.draft.active) {
      const selected = this.host.store.selected();
      this.into = e.ctrl && this.closed && selected.length === 1 && selected[0].spec.hash === this.spec.hash ? selected[0].key : null;
    }
    if (this.draft.click(e.p)) this.finish();
    this.host.redraw();
  }

  dblclick(): void {
    if (!this.closed) this.finish();
  }

  key(e: KeyboardEvent): boolean {
    return this.draft.key(e, () => this.finish());
  }

  private finish(): void {
    const points = this.draft.reset();
    this.host.redraw();
    if (points.length < (this.closed ? 3 : 2)) {
      if (points.length) this.host.say(`A ${this.spec.shape} needs at least ${this.closed ? 3 : 2} vertices.`);
      return;
    }
    if (!this.closed) {
      this.host.adopt(createObject(this.host, this.spec, { kind: "polyline", points }));
      return;
    }
    const target = this.into ? this.host.store.objects.get(this.into) : undefined;
    const current = target ? this.host.store.shown(target) : null;
    if (target && current?.kind === "polygon") {
      sendGeometry(this.host, target, polygonAddRing(current, points));
      return;
    }
    const g: PolygonGeom = { kind: "polygon", parts: [[points]] };
    this.host.adopt(createObject(this.host, this.spec, g));
  }

  cancel(): boolean {
    const had = this.draft.active;
    this.draft.reset();
    return had;
  }

  drawOverlay(ctx: CanvasRenderingContext2D, v: View): void {
    this.draft.draw(ctx, v);
  }

  hint(): string {
    if (!this.closed) return `Click the vertices of a ${this.spec.name} line; Enter or double-click ends it.`;
    return this.draft.active
      ? "Click to add vertices; close on the first vertex or press Enter. Backspace: take back a vertex."
      : `Click the vertices of a ${this.spec.name} polygon (Ctrl at the first click: a hole or part of the selected one).`;
  }
}
