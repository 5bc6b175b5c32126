// A volume's slices: the background reading of the rest of the volume gives way to slices the view asks for.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SliceResponse } from "../src/protocol/messages";
import { type VolumeMedia, VolumeFrames } from "../src/media/volumeFrames";

const MEDIA: VolumeMedia = {
  kind: "volume",
  shape: [10, 2, 2],
  spacing: [1, 1, 1],
  aspect: [1, 1, 1],
  value_range: [0, 100],
  window: [50, 100],
  presets: {},
  error: "",
};

/** A kernel whose answers come when the test says: the slices asked for, in order, and how to answer one. */
function kernel() {
  const asked: number[] = [];
  const answers = new Map<number, () => void>();
  const invoke = <T>(_name: string, msg?: unknown): Promise<[T, DataView[]]> => {
    const { axis, index } = msg as { axis: number; index: number };
    asked.push(index);
    return new Promise((resolve) => {
      answers.set(index, () => {
        const header: SliceResponse = { dtype: "int16", width: 2, height: 2, axis, index, min: 0, max: 9, encoding: "raw", error: "" };
        resolve([header as T, [new DataView(new Int16Array([index, 1, 2, 3]).buffer)]]);
      });
    });
  };
  const answer = async (index: number) => {
    answers.get(index)!();
    for (let i = 0; i < 10; i++) await Promise.resolve(); // the answer's own awaits settle
  };
  return { asked, answer, host: { invoke, say: () => undefined } };
}

describe("VolumeFrames background reading", () => {
  const saved = (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas;
  beforeEach(() => {
    // Only made in the constructor here; nothing is painted.
    (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas = class {
      constructor(
        public width: number,
        public height: number,
      ) {}
    };
  });
  afterEach(() => {
    (globalThis as { OffscreenCanvas?: unknown }).OffscreenCanvas = saved;
  });

  it("reads nearest first, and waits while a slice the view asked for is on its way", async () => {
    const k = kernel();
    const volume = new VolumeFrames(k.host, 0, "ct", MEDIA);
    volume.show(); // around slice 0: slice 1 first
    await Promise.resolve();
    expect(k.asked).toEqual([1]);
    const far = volume.slice(0, 7); // the view jumps meanwhile
    expect(k.asked).toEqual([1, 7]);
    await k.answer(1);
    expect(k.asked).toEqual([1, 7]); // the next background slice waits for slice 7
    await k.answer(7);
    expect((await far)!.values[0]).toBe(7);
    expect(k.asked).toEqual([1, 7, 2]); // and then goes on
    await k.answer(2);
    expect(k.asked).toEqual([1, 7, 2, 3]);
    volume.close();
  });
});
