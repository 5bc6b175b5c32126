// What a tool is, and what it may use. A tool turns pointer and key events on one space's stage
// into operations (sent to the kernel) and previews (shown until the kernel answers).

import type { Annotation, AnnotationStore } from "../core/store";
import type { Geom, Pt } from "../core/shapes";
import type { View } from "../core/view";
import type { PointerInfo, Stage } from "../canvas/stage";
import type { Operation, WireMeta } from "../protocol/operations";
import type { SpaceState } from "../protocol/state";

export interface ToolHost {
  readonly store: AnnotationStore;
  readonly stage: Stage;
  readonly space: SpaceState;
  readonly readonly: boolean;
  /** Send an edit; `previews` (annotation key to geometry) are shown until the kernel answers. */
  send(op: Operation, previews?: Map<string, Geom | null>): void;
  /** A new instance hash. */
  newId(): string;
  /** Select an annotation just sent to the kernel as soon as it arrives. */
  adopt(key: string): void;
  /** Redraw the selected shapes and the tool's own drawing. */
  redraw(): void;
  say(message: string): void;
  /** The annotations under a point, topmost first. */
  hits(p: Pt): Annotation[];
  /** Screen pixels to image pixels at the current zoom. */
  pixels(screen: number): number;
}

export interface Tool {
  readonly name: string;
  /** A crosshair while the tool draws. */
  readonly crosshair: boolean;
  down(e: PointerInfo): void;
  move(e: PointerInfo): void;
  up(e: PointerInfo): void;
  dblclick?(e: PointerInfo): void;
  /** Handle a key; true if it was the tool's. */
  key?(e: KeyboardEvent): boolean;
  /** Whether something is being drawn (handles of the selection are not live then). */
  busy?(): boolean;
  /** Drop what is being drawn. True if there was something. */
  cancel(): boolean;
  /** Draw what is being made (screen space). */
  drawOverlay?(ctx: CanvasRenderingContext2D, view: View): void;
  /** Text for the status line (what the tool expects next). */
  hint?(): string;
}

/** Metadata of a person's edit, keeping who made the annotation. */
export function personMeta(a?: Annotation | null): WireMeta {
  const meta: WireMeta = { manual_annotation: true, confidence: 1 };
  if (a?.meta?.created_by) meta.created_by = a.meta.created_by;
  return meta;
}
