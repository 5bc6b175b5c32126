// The layer of what is being edited: the selected shapes with their handles, and the tool's own
// drawing (a box being dragged, a polygon being clicked, the brush). Redrawn on every move, so it
// holds only a few shapes.

import Konva from "konva";
import type { Annotation } from "../core/store";
import type { Geom } from "../core/shapes";
import type { View } from "../core/view";
import { regionOf } from "./regions";
import type { Stage } from "./stage";

export interface ActiveSource {
  selected(): Annotation[];
  shown(a: Annotation): Geom | null;
  isPrediction(a: Annotation): boolean;
  editable(a: Annotation): boolean;
  overlay(ctx: CanvasRenderingContext2D, view: View): void;
}

const HANDLE = 4;

export class ActiveLayer {
  constructor(
    private readonly stage: Stage,
    private readonly source: ActiveSource,
  ) {
    stage.activeLayer.add(new Konva.Shape({ listening: false, sceneFunc: (context) => this.draw(context._context as CanvasRenderingContext2D) }));
    stage.onView(() => stage.activeLayer.batchDraw());
  }

  redraw(): void {
    this.stage.activeLayer.batchDraw();
  }

  private draw(ctx: CanvasRenderingContext2D): void {
    const view = this.stage.view;
    for (const a of this.source.selected()) {
      const g = this.source.shown(a);
      if (!g) continue;
      const region = regionOf(g);
      region.draw(ctx, g, view, { color: a.spec.color, spec: a.spec, selected: true, prediction: this.source.isPrediction(a), hovered: false });
      if (!this.source.editable(a)) continue;
      for (const h of region.handles(g, view)) {
        const x = h.at.x * view.scale + view.x;
        const y = h.at.y * view.scale + view.y;
        ctx.beginPath();
        if (h.kind === "midpoint" || h.kind === "rotate") ctx.arc(x, y, h.kind === "rotate" ? HANDLE + 1 : HANDLE - 1, 0, Math.PI * 2);
        else ctx.rect(x - HANDLE, y - HANDLE, HANDLE * 2, HANDLE * 2);
        ctx.fillStyle = h.kind === "midpoint" ? "rgba(255,255,255,0.55)" : "#fff";
        ctx.fill();
        ctx.lineWidth = 1;
        ctx.strokeStyle = a.spec.color;
        ctx.stroke();
      }
    }
    this.source.overlay(ctx, view);
  }
}
