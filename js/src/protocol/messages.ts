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
export type ToKernel = ReadyMessage | EditMessage | UndoMessage | GotoMessage | TrackMessage | CancelMessage;

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
