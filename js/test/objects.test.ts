// The objects list shows only the rows in view: which rows those are, and where a selected row
// scrolls the list.

import { describe, expect, it } from "vitest";
import { LIST_HEIGHT, ROW_HEIGHT, scrollFor, visibleRange } from "../src/panels/objects";

const inView = LIST_HEIGHT / ROW_HEIGHT;

describe("objects list window", () => {
  it("covers the rows in view and a margin each side, within the list", () => {
    expect(visibleRange(0, 0)).toEqual([0, 0]);
    expect(visibleRange(0, 3)).toEqual([0, 3]);
    const [from, to] = visibleRange(0, 10_000);
    expect(from).toBe(0);
    expect(to).toBeGreaterThanOrEqual(inView);
    expect(to).toBeLessThan(inView + 10);
    const [a, b] = visibleRange(500 * ROW_HEIGHT + 7, 10_000);
    expect(a).toBeLessThanOrEqual(500);
    expect(a).toBeGreaterThan(490);
    expect(b).toBeGreaterThanOrEqual(500 + inView + 1);
    expect(b - a).toBeLessThan(inView + 20);
    const [c, d] = visibleRange(9_999 * ROW_HEIGHT, 10_000);
    expect(d).toBe(10_000);
    expect(c).toBeLessThan(9_999);
  });

  it("leaves a row in view where it is and centres one out of view", () => {
    expect(scrollFor(2, 0, 100)).toBe(0);
    expect(scrollFor(inView - 1, 0, 100)).toBe(0);
    const top = scrollFor(50, 0, 100);
    expect(top).toBeLessThanOrEqual(50 * ROW_HEIGHT);
    expect(top + LIST_HEIGHT).toBeGreaterThanOrEqual(51 * ROW_HEIGHT);
    expect(Math.abs(top + LIST_HEIGHT / 2 - (50 * ROW_HEIGHT + ROW_HEIGHT / 2))).toBeLessThanOrEqual(1);
    // Never past either end.
    expect(scrollFor(99, 0, 100)).toBe(100 * ROW_HEIGHT - LIST_HEIGHT);
    expect(scrollFor(0, 40 * ROW_HEIGHT, 100)).toBe(0);
    expect(scrollFor(0, 0, 1)).toBe(0);
  });
});
