// Keyframes of an object on a video or volume: the frames a person placed it on (manual runs),
// where it is nearest a frame, and the interpolation an edit calls for. The kernel interpolates
// (one implementation, in the model); this only says which frames to ask it to fill.

import type { Operation } from "../protocol/operations";
import type { ObjectState, RunState } from "../protocol/state";
import { runAt } from "./runs";

/** The runs of an object made by a person (`manual` true) or not, touching ones merged: `[start, end]` pairs in frame order. */
export function mergedRuns(state: ObjectState, manual: boolean): [number, number][] {
  const out: [number, number][] = [];
  for (const r of state.runs) {
    if (r.meta.manual_annotation !== manual) continue;
    const last = out[out.length - 1];
    if (last && r.start <= last[1] + 1) last[1] = Math.max(last[1], r.end);
    else out.push([r.start, r.end]);
  }
  return out;
}

/** The keyframes of an object (its manual runs), merged. */
export function keyRanges(state: ObjectState): [number, number][] {
  return mergedRuns(state, true);
}

/** Whether `frame` is a keyframe of the object. */
export function isKeyframe(state: ObjectState, frame: number): boolean {
  return runAt(state.runs, frame)?.meta.manual_annotation === true;
}

/** The nearest keyframes strictly before and after `frame` (null where there is none). */
export function neighbourKeys(state: ObjectState, frame: number): { before: number | null; after: number | null } {
  let before: number | null = null;
  let after: number | null = null;
  for (const [s, e] of keyRanges(state)) {
    if (s < frame) before = Math.min(e, frame - 1);
    if (e > frame && after === null) after = Math.max(s, frame + 1);
  }
  return { before, after };
}

/** The frame of the object nearest `frame` (itself if the object is on it), or null if it is on none. */
export function nearestFrame(state: ObjectState, frame: number): number | null {
  let best: number | null = null;
  for (const r of state.runs) {
    const f = Math.min(Math.max(frame, r.start), r.end);
    if (best === null || Math.abs(f - frame) < Math.abs(best - frame)) best = f;
  }
  return best;
}

/** The run shown for an object on a frame it is not on: the last one before, else the first after. */
export function ghostRun(state: ObjectState, frame: number): RunState | null {
  let before: RunState | null = null;
  for (const r of state.runs) {
    if (r.start <= frame && frame <= r.end) return null;
    if (r.end < frame) before = r;
    else return before ?? r;
  }
  return before;
}

/** The frames where an object's dynamic answers start or change (the starts of their runs). */
export function answerChanges(state: ObjectState): number[] {
  const out = new Set<number>();
  for (const runs of Object.values(state.dynamic)) for (const r of runs) out.add(r.start);
  return [...out].sort((a, b) => a - b);
}

type StateOf = (space: string, id: string) => ObjectState | undefined;

function single(frames: unknown): number | null {
  if (typeof frames === "number") return frames;
  if (Array.isArray(frames) && frames.length === 1 && Array.isArray(frames[0]) && frames[0][0] === frames[0][1]) return frames[0][0] as number;
  return null;
}

/**
 * The interpolation an edit on one frame calls for, or null. A shape put on frame f becomes a
 * keyframe: the frames between the keyframes around it are interpolated again. A keyframe removed
 * from f: the frames between its neighbours are interpolated across it.
 */
export function interpolationFor(op: Operation, stateOf: StateOf, multiFrame: (space: string) => boolean): Operation | null {
  if ((op.op !== "put_object" && op.op !== "remove_object") || !multiFrame(op.space)) return null;
  const frame = single(op.frames);
  const state = stateOf(op.space, op.object);
  if (frame === null || !state) return null;
  const { before, after } = neighbourKeys(state, frame);
  if (op.op === "remove_object") {
    if (!isKeyframe(state, frame) || before === null || after === null) return null;
    return { op: "interpolate", space: op.space, object: op.object, frames: [[before, after]] };
  }
  if (op.meta && op.meta.manual_annotation === false) return null;
  const lo = before ?? frame;
  const hi = after ?? frame;
  if (hi - lo < 2) return null;
  return { op: "interpolate", space: op.space, object: op.object, frames: [[lo, hi]] };
}

/** An edit with the interpolations it calls for, as one batch (one undo step); the edit itself if none. */
export function withInterpolation(op: Operation, stateOf: StateOf, multiFrame: (space: string) => boolean): Operation {
  const ops = op.op === "batch" ? op.ops : [op];
  const extra = ops.map((o) => interpolationFor(o, stateOf, multiFrame)).filter((o): o is Operation => o !== null);
  if (!extra.length) return op;
  return { op: "batch", ops: [...ops, ...extra] };
}
