import { describe, expect, it } from "vitest";
import { answerChanges, ghostRun, interpolationFor, keyRanges, nearestFrame, neighbourKeys, withInterpolation } from "../src/core/keyframes";
import type { Operation } from "../src/protocol/operations";
import type { ObjectState } from "../src/protocol/state";

const meta = (manual: boolean) => ({ confidence: 1, manual_annotation: manual, created_by: null, last_edited_by: null });
const run = (start: number, end: number, manual = true) => ({ start, end, coordinates: { x: 0, y: 0, w: 0.1, h: 0.1 }, meta: meta(manual) });
// Keyframes 0 and 20 with 1..19 interpolated, and a keyframe run 30..32.
const car: ObjectState = {
  space: "v",
  id: "car",
  feature: "f",
  runs: [run(0, 0), run(1, 19, false), run(20, 20), run(30, 32)],
  answers: {},
  dynamic: { occl: [{ start: 0, end: 9, answer: "a" }, { start: 10, end: 40, answer: "b" }] },
};
const stateOf = (space: string, id: string) => (space === "v" && id === "car" ? car : undefined);
const multi = (space: string) => space === "v";

describe("keyframes", () => {
  it("finds keyframes, neighbours and the nearest frame", () => {
    expect(keyRanges(car)).toEqual([[0, 0], [20, 20], [30, 32]]);
    expect(neighbourKeys(car, 10)).toEqual({ before: 0, after: 20 });
    expect(neighbourKeys(car, 20)).toEqual({ before: 0, after: 30 });
    expect(neighbourKeys(car, 31)).toEqual({ before: 30, after: 32 });
    expect(neighbourKeys(car, 40)).toEqual({ before: 32, after: null });
    expect(nearestFrame(car, 26)).toBe(30);
    expect(nearestFrame(car, 24)).toBe(20);
    expect(answerChanges(car)).toEqual([0, 10]);
  });

  it("shows the last run before a frame the object is not on, else the first after", () => {
    expect(ghostRun(car, 25)?.start).toBe(20);
    expect(ghostRun(car, 10)).toBeNull();
    expect(ghostRun({ ...car, runs: [run(5, 6)] }, 2)?.start).toBe(5);
  });

  it("asks to interpolate around a keyframe put or removed", () => {
    const put: Operation = { op: "put_object", space: "v", object: "car", frames: 10, coordinates: {}, meta: { manual_annotation: true } };
    expect(interpolationFor(put, stateOf, multi)).toEqual({ op: "interpolate", space: "v", object: "car", frames: [[0, 20]] });
    // A new keyframe after the last: nothing to fill after it, but the gap before it is.
    expect(interpolationFor({ ...put, frames: 40 }, stateOf, multi)).toEqual({ op: "interpolate", space: "v", object: "car", frames: [[32, 40]] });
    expect(interpolationFor({ ...put, space: "img" }, stateOf, multi)).toBeNull();
    expect(interpolationFor({ ...put, object: "new" }, stateOf, multi)).toBeNull();
    expect(interpolationFor({ ...put, meta: { manual_annotation: false } }, stateOf, multi)).toBeNull();
    expect(interpolationFor({ op: "remove_object", space: "v", object: "car", frames: 20 }, stateOf, multi)).toEqual({ op: "interpolate", space: "v", object: "car", frames: [[0, 30]] });
    // Removing an interpolated frame or the whole object interpolates nothing.
    expect(interpolationFor({ op: "remove_object", space: "v", object: "car", frames: 5 }, stateOf, multi)).toBeNull();
    expect(interpolationFor({ op: "remove_object", space: "v", object: "car" }, stateOf, multi)).toBeNull();
  });

  it("makes one batch of an edit and its interpolation", () => {
    const put: Operation = { op: "put_object", space: "v", object: "car", frames: [[10, 10]], coordinates: {} };
    expect(withInterpolation(put, stateOf, multi)).toEqual({ op: "batch", ops: [put, { op: "interpolate", space: "v", object: "car", frames: [[0, 20]] }] });
    const other: Operation = { op: "accept_object", space: "v", object: "car" };
    expect(withInterpolation(other, stateOf, multi)).toBe(other);
  });
});
