import { describe, expect, it } from "vitest";
import {
  boxFromCorners,
  clampBox,
  displaySize,
  fitView,
  formatBox,
  isEmptyBox,
  keepInside,
  pan,
  roundBox,
  toImage,
  toScreen,
  zoomAt,
} from "../src/core/view";

describe("displaySize", () => {
  it.each([
    [1920, 1080, 0, 0, 1920, 1080],
    [1920, 1080, 960, 0, 960, 540],
    [640, 480, 960, 0, 640, 480],
    [1920, 1080, 0, 270, 480, 270],
    [1920, 1080, 400, 300, 400, 300],
  ])("image %ix%i, max %ix%i -> %ix%i", (iw, ih, mw, mh, w, h) => {
    expect(displaySize(iw, ih, mw, mh)).toEqual({ width: w, height: h });
  });
});

describe("views", () => {
  it("fits and centres, never scaling up", () => {
    expect(fitView(1920, 1080, 400, 300)).toEqual({ scale: 400 / 1920, x: 0, y: (300 - 1080 * (400 / 1920)) / 2 });
    expect(fitView(100, 50, 400, 300)).toEqual({ scale: 1, x: 150, y: 125 });
  });

  it("maps image pixels to screen and back", () => {
    const view = { scale: 0.5, x: 10, y: 20 };
    expect(toScreen(view, { x: 100, y: 200 })).toEqual({ x: 60, y: 120 });
    expect(toImage(view, { x: 60, y: 120 })).toEqual({ x: 100, y: 200 });
  });

  it("zooms to the cursor: the point under it stays put", () => {
    const view = { scale: 0.5, x: 10, y: 20 };
    const at = { x: 137, y: 59 };
    const before = toImage(view, at);
    const zoomed = zoomAt(view, 2, at, 0.1);
    expect(zoomed.scale).toBe(1);
    const after = toImage(zoomed, at);
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
  });

  it("limits zoom", () => {
    expect(zoomAt({ scale: 1, x: 0, y: 0 }, 1000, { x: 0, y: 0 }, 0.5, 32).scale).toBe(32);
    expect(zoomAt({ scale: 1, x: 0, y: 0 }, 0.001, { x: 0, y: 0 }, 0.5, 32).scale).toBe(0.5);
  });

  it("pans", () => {
    expect(pan({ scale: 2, x: 1, y: 1 }, 5, -3)).toEqual({ scale: 2, x: 6, y: -2 });
  });
});

describe("boxes", () => {
  it("spans two corners in any order", () => {
    expect(boxFromCorners({ x: 50, y: 10 }, { x: 20, y: 40 })).toEqual({ x: 20, y: 10, width: 30, height: 30 });
  });

  it("clips to the image", () => {
    expect(clampBox({ x: -10, y: 90, width: 50, height: 50 }, 100, 100)).toEqual({ x: 0, y: 90, width: 40, height: 10 });
  });

  it("keeps a moved box inside the image", () => {
    expect(keepInside({ x: 80, y: -5, width: 40, height: 10 }, 100, 100)).toEqual({ x: 60, y: 0, width: 40, height: 10 });
  });

  it("rounds to whole pixels by its edges", () => {
    expect(roundBox({ x: 10.4, y: 10.6, width: 20.2, height: 5.5 })).toEqual({ x: 10, y: 11, width: 21, height: 5 });
  });

  it("formats and tells empty boxes", () => {
    expect(formatBox([1, 2.5, 3, 4])).toBe("1, 2.5, 3, 4");
    expect(isEmptyBox([5, 5, 0, 0])).toBe(true);
    expect(isEmptyBox([5, 5, 1, 0])).toBe(false);
    expect(isEmptyBox(null)).toBe(true);
  });
});
