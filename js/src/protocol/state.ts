// What the kernel tells the Annotator's front end about a label row. Every frame-bearing field is
// there from the start (runs of frames, frame counts) so that video and volumes use the same shapes.

import type { OntologySpec } from "./ontology";

/** The synced traits of `labelspace.widget.annotator.Annotator`, key for key. */
export interface Model {
  ontology: OntologySpec;
  row_index: number;
  row_count: number;
  rows: RowSummary[];
  readonly: boolean;
  width: number;
  height: number;
  message: string;
  save_status: SaveStatus;
  work: WorkState | Record<string, never>;
}

/** Claiming rows from a store (`Annotator(store, user=..., stage=...)`); empty otherwise. */
export interface WorkState {
  user: string;
  stage: string;
  /** The project's first stage: rows are submitted; in a later one they are accepted or rejected. */
  first: boolean;
  /** The row held; null when none of the stage is free. */
  row_id: number | null;
  done: number;
}

/** "" without autosave; "pending" while an edit waits to be written; "saved"; "failed". */
export type SaveStatus = "" | "pending" | "saved" | "failed";

/** A row of a project in the row list. */
export interface RowSummary {
  title: string;
  objects: number;
  spaces: string[];
}

export interface SpaceState {
  id: string;
  kind: string; // "image", "video", "dicom", "nifti"
  title: string;
  width: number;
  height: number;
  frames: number;
  /** The video's frame rate; null for images, volumes, and videos that do not say. */
  fps: number | null;
}

export interface MetaState {
  confidence: number;
  manual_annotation: boolean;
  created_by: string | null;
  last_edited_by: string | null;
}

/** Frames start..end (inclusive) with the same coordinates (normalised, wire form) and metadata. */
export interface RunState {
  start: number;
  end: number;
  coordinates: Record<string, unknown>;
  meta: MetaState;
}

export interface DynamicRunState {
  start: number;
  end: number;
  answer: unknown;
}

/** An object instance on one space. Answers belong to the instance (the same on every space). */
export interface ObjectState {
  space: string;
  id: string;
  feature: string;
  runs: RunState[];
  answers: Record<string, unknown>;
  dynamic: Record<string, DynamicRunState[]>;
}

export interface ClassificationRunState {
  start: number;
  end: number;
  meta: MetaState;
}

/** A classification instance on one space: on frame runs, or on the whole space (`global`). */
export interface ClassificationState {
  space: string;
  id: string;
  feature: string;
  global: boolean;
  runs: ClassificationRunState[];
  answers: Record<string, unknown>;
}

export interface HistoryState {
  undo: number;
  redo: number;
  undo_label: string;
  redo_label: string;
}

export interface RowState {
  index: number;
  title: string;
  spaces: SpaceState[];
  objects: ObjectState[];
  classifications: ClassificationState[];
  history: HistoryState;
}

export interface InstanceKey {
  space: string;
  id: string;
}
