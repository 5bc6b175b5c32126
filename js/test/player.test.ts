import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Player } from "../src/timeline/player";

describe("Player", () => {
  let now = 0;
  let callbacks: FrameRequestCallback[] = [];
  beforeEach(() => {
    now = 0;
    callbacks = [];
    vi.stubGlobal("performance", { now: () => now });
    vi.stubGlobal("requestAnimationFrame", (cb: FrameRequestCallback) => callbacks.push(cb));
    vi.stubGlobal("cancelAnimationFrame", () => undefined);
  });
  afterEach(() => vi.unstubAllGlobals());

  async function tick(ms: number): Promise<void> {
    now += ms;
    const run = callbacks;
    callbacks = [];
    for (const cb of run) cb(now);
    await Promise.resolve();
    await Promise.resolve();
  }

  it("asks for the frame due by the clock when the source does not choose", async () => {
    const shown: number[] = [];
    const player = new Player({ show: async (f) => shown.push(f), prefetch: () => undefined, changed: () => undefined });
    player.play(0, 100, 10);
    await tick(350);
    expect(shown).toEqual([3]);
  });

  it("asks for the frame the source has ready when it decodes in order", async () => {
    const shown: number[] = [];
    const asked: [number, number][] = [];
    const player = new Player({
      show: async (f) => shown.push(f),
      prefetch: () => undefined,
      changed: () => undefined,
      playable: (after, due) => {
        asked.push([after, due]);
        return after + 1; // nothing ready: the next frame in order
      },
    });
    player.play(0, 100, 10);
    await tick(350);
    await tick(100);
    expect(asked).toEqual([
      [0, 3],
      [1, 4],
    ]);
    expect(shown).toEqual([1, 2]);
  });
});
