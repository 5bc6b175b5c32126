// Custom messages between the Annotator's front end and the kernel, and the image command.

import type { Operation } from "./operations";
import type { ClassificationState, HistoryState, InstanceKey, ObjectState, RowState } from "./state";

// -- browser to kernel --

export interface ReadyMessage {
  kind: "ready";
}
export interface EditMessage {
  kind: "edit";
  request: number;
  op: Operation;
}
export interface UndoMessage {
  kind: "undo" | "redo";
  request: number;
}
export interface GotoMessage {
  kind: "goto";
  row: number;
}
export interface TrackMessage {
  kind: "track";
  request: number;
  space: string;
  objects: string[];
  frame: number;
  direction: "forward" | "backward";
}
export interface CancelMessage {
  kind: "cancel";
}
/** Finish with the row held (claiming rows from a store), or claim one. */
export interface WorkMessage {
  kind: "work";
  action: "submit" | "accept" | "reject" | "release" | "claim";
  comment?: string;
}
export type ToKernel = ReadyMessage | EditMessage | UndoMessage | GotoMessage | TrackMessage | CancelMessage | WorkMessage;

// -- kernel to browser --

/** The whole row: sent on `ready` and when the row changes. */
export interface RowMessage {
  kind: "row";
  row: RowState;
}

/** The instances an edit (or undo, redo, or a change made in Python) touched, as they are now. */
export interface UpdateMessage {
  kind: "update";
  request: number | null;
  objects: ObjectState[];
  classifications: ClassificationState[];
  removed_objects: InstanceKey[];
  removed_classifications: InstanceKey[];
  history: HistoryState;
}

/** An edit the model refused: nothing changed. */
export interface RefusedMessage {
  kind: "refused";
  request: number;
  message: string;
}
/** How far a long task (tracking) has got; `done === total` when it has ended. */
export interface ProgressMessage {
  kind: "progress";
  request: number;
  task: string;
  done: number;
  total: number;
  message: string;
}
export type FromKernel = RowMessage | UpdateMessage | RefusedMessage | ProgressMessage;

// -- the `image` command (anywidget request and response; the bytes are the one buffer) --

export interface ImageRequest {
  row: number;
  space: string;
  frame: number;
}
export interface ImageResponse {
  mime: string;
  width: number;
  height: number;
  error: string;
}

// -- the `_media`, `_video` and `_slice` commands: videos as packets, volumes as values --

/** How a space's media go to the browser. A video's decoder record (avcC, hvcC...) is the one buffer when `has_description`. */
export type MediaResponse =
  | { kind: "frames"; error: string }
  | {
      kind: "video";
      codec: string;
      codec_name: string;
      coded_width: number;
      coded_height: number;
      annexb: boolean;
      has_description: boolean;
      error: string;
    }
  | {
      kind: "volume";
      shape: [number, number, number];
      spacing: (number | null)[];
      aspect: [number, number, number];
      value_range: [number, number];
      window: [number, number];
      presets: Record<string, [number, number]>;
      error: string;
    };

export interface VideoRequest {
  row: number;
  space: string;
  frame: number;
  part: number;
}
/** A part of the keyframe group holding a frame: its packets in decode order, their payloads end to end in the one buffer. */
export interface VideoPart {
  group: number;
  first: number;
  last: number;
  part: number;
  parts: number;
  /** The frame each packet shows (-1: none). */
  frames: number[];
  keys: number[];
  sizes: number[];
  /** 1 for a packet no other picture refers to: a jump may leave it out when it shows a frame before the one wanted. */
  drops: number[];
  error: string;
}

export interface SliceRequest {
  row: number;
  space: string;
  axis: number;
  index: number;
}
/** A slice's values, row by row, little-endian, in the one buffer (zlib-compressed when `encoding` says so). */
export interface SliceResponse {
  dtype: "int16" | "uint16" | "float32";
  width: number;
  height: number;
  axis: number;
  index: number;
  min: number | null;
  max: number | null;
  encoding: "raw" | "zlib";
  error: string;
}
