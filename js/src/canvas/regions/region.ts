// What every shape kind provides to the canvas: how to draw it, where its edit handles are, and
// what dragging a handle does. One module per kind, collected in `index.ts`.

import type { ObjectSpec } from "../../protocol/ontology";
import type { Geom, Pt } from "../../core/shapes";
import type { View } from "../../core/view";

export interface DrawStyle {
  color: string;
  spec: ObjectSpec;
  selected: boolean;
  /** A prediction (manual_annotation false): dashed. */
  prediction: boolean;
  hovered: boolean;
}

export type HandleKind = "corner" | "edge" | "rotate" | "vertex" | "midpoint" | "node";

export interface Handle {
  kind: HandleKind;
  at: Pt;
  index: number;
  part: number;
  ring: number;
  cursor: string;
}

export interface Region<G extends Geom = Geom> {
  draw(ctx: CanvasRenderingContext2D, g: G, view: View, style: DrawStyle): void;
  /**
   * Add the shape's outline to a path, for kinds drawn as plain lines: the shapes layer strokes
   * all outlines of one colour and style at once (one stroke for thousands of shapes).
   */
  outline?(path: Path2D, g: G, view: View): void;
  handles(g: G, view: View): Handle[];
  /** The geometry while `handle` of `start` is dragged to `p` (image pixels). */
  drag(start: G, handle: Handle, p: Pt): G;
}

export const sx = (v: View, x: number): number => x * v.scale + v.x;
export const sy = (v: View, y: number): number => y * v.scale + v.y;

export function handle(kind: HandleKind, at: Pt, index: number, cursor = "move", part = 0, ring = 0): Handle {
  return { kind, at, index, part, ring, cursor };
}

/** Stroke the current path as a one-pixel line, dashed for predictions, with a dark halo when selected. */
export function strokePath(ctx: CanvasRenderingContext2D, style: DrawStyle): void {
  if (style.selected || style.hovered) {
    ctx.lineWidth = 3;
    ctx.strokeStyle = "rgba(0,0,0,0.55)";
    ctx.setLineDash([]);
    ctx.stroke();
  }
  ctx.lineWidth = style.selected ? 2 : 1;
  ctx.strokeStyle = style.color;
  ctx.setLineDash(style.prediction ? [6, 4] : []);
  ctx.stroke();
  ctx.setLineDash([]);
}

export function fillPath(ctx: CanvasRenderingContext2D, style: DrawStyle, rule: CanvasFillRule = "nonzero"): void {
  if (!style.selected && !style.hovered) return;
  ctx.globalAlpha = style.selected ? 0.22 : 0.12;
  ctx.fillStyle = style.color;
  ctx.fill(rule);
  ctx.globalAlpha = 1;
}
