import { describe, expect, it } from "vitest";
import type { Geom } from "../src/core/geom";
import { cut } from "../src/volume/cuts";

const square = (x: number, y: number, s: number) => [
  { x, y },
  { x: x + s, y },
  { x: x + s, y: y + s },
  { x, y: y + s },
];

describe("cut", () => {
  const cases: [string, Geom, "row" | "column", number, [number, number][]][] = [
    ["a box along a row", { kind: "bounding_box", x: 10, y: 20, w: 30, h: 5 }, "row", 22, [[10, 40]]],
    ["a box missed", { kind: "bounding_box", x: 10, y: 20, w: 30, h: 5 }, "row", 30, []],
    ["a box down a column", { kind: "bounding_box", x: 10, y: 20, w: 30, h: 5 }, "column", 12, [[20, 25]]],
    ["a triangle", { kind: "polygon", parts: [[[{ x: 0, y: 0 }, { x: 20, y: 0 }, { x: 0, y: 20 }]]] }, "row", 9.5, [[0, 10]]],
    ["a square with a hole", { kind: "polygon", parts: [[square(0, 0, 10), square(4, 4, 2)]] }, "row", 4.5, [[0, 4], [6, 10]]],
    ["two parts down a column", { kind: "polygon", parts: [[square(0, 0, 4)], [square(0, 8, 4)]] }, "column", 1, [[0, 4], [8, 12]]],
    ["a polyline crossing twice", { kind: "polyline", points: [{ x: 0, y: 0 }, { x: 10, y: 10 }, { x: 20, y: 0 }] }, "row", 4.5, [[5, 5], [15, 15]]],
    ["a point on the row", { kind: "point", x: 7, y: 3.2 }, "row", 3, [[7, 7]]],
    ["a point off it", { kind: "point", x: 7, y: 5 }, "row", 3, []],
    ["a mask row", { kind: "bitmask", width: 6, height: 2, mask: Uint8Array.of(0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0) }, "row", 0, [[1, 3], [4, 5]]],
    ["a mask column", { kind: "bitmask", width: 3, height: 3, mask: Uint8Array.of(0, 1, 0, 0, 1, 0, 0, 0, 0) }, "column", 1, [[0, 2]]],
  ];
  it.each(cases)("%s", (_, g, line, at, expected) => {
    expect(cut(g, line, at)).toEqual(expected);
  });

  it("a rotated box turned a quarter is its swapped box", () => {
    const spans = cut({ kind: "rotatable_bounding_box", x: 0, y: 0, w: 20, h: 10, theta: 90 }, "row", 5);
    expect(spans).toHaveLength(1);
    expect(spans[0][0]).toBeCloseTo(5);
    expect(spans[0][1]).toBeCloseTo(15);
  });
});
