// Edits as the browser sends them: the operations of `labelspace.model.operations`, key for key.
// Coordinates are normalised (0..1) as the model keeps them (see `core/wire.ts`); frames are a
// frame number or a list of [start, end] pairs, inclusive.

export type WireFrames = number | [number, number][];

export interface WireMeta {
  confidence?: number;
  manual_annotation?: boolean;
  created_by?: string;
  last_edited_by?: string;
}

export interface PutObject {
  op: "put_object";
  space: string;
  object: string;
  feature?: string;
  frames?: WireFrames;
  coordinates: Record<string, unknown>;
  on_overlap?: "error" | "replace";
  meta?: WireMeta;
}

export interface RemoveObject {
  op: "remove_object";
  space: string;
  object: string;
  frames?: WireFrames;
}

export interface AcceptObject {
  op: "accept_object";
  space: string;
  object: string;
}

export interface PutClassification {
  op: "put_classification";
  space: string;
  classification: string;
  feature?: string;
  frames?: WireFrames;
  on_overlap?: "error" | "replace";
  meta?: WireMeta;
}

export interface RemoveClassification {
  op: "remove_classification";
  space: string;
  classification: string;
  frames?: WireFrames;
}

export interface SetAnswer {
  op: "set_answer";
  instance: string;
  attribute: string;
  answer: unknown;
}

export interface DeleteAnswer {
  op: "delete_answer";
  instance: string;
  attribute: string;
}

export interface SetDynamicAnswer {
  op: "set_dynamic_answer";
  space: string;
  object: string;
  attribute: string;
  frames: WireFrames;
  answer: unknown;
}

export interface RemoveDynamicAnswer {
  op: "remove_dynamic_answer";
  space: string;
  object: string;
  attribute: string;
  frame: number;
}

/** Fill the frames between an object's keyframes (all of them, or only `frames`). */
export interface Interpolate {
  op: "interpolate";
  space: string;
  object: string;
  frames?: WireFrames;
}

export interface Batch {
  op: "batch";
  ops: Operation[];
}

export type Operation =
  | PutObject
  | RemoveObject
  | AcceptObject
  | PutClassification
  | RemoveClassification
  | SetAnswer
  | DeleteAnswer
  | SetDynamicAnswer
  | RemoveDynamicAnswer
  | Interpolate
  | Batch;
