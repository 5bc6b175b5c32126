import { describe, expect, it } from "vitest";
import type { ShapeKind } from "../src/protocol/ontology";
import type { BitmaskGeom, Geom } from "../src/core/shapes";
import { WireError, fromWire, toWire } from "../src/core/wire";

const W = 640;
const H = 480;

// The pixel geometry below was given to the Python model's from_pixels on a 640 x 480 image
// (skeleton and bitmask built directly), and each `python` wire is what
// `labelspace.model.operations.coordinates_to_wire` printed for it (json.dumps), hardcoded here:
//   cd /work/main && .venv/bin/python -c "... coordinates_to_wire(BoundingBoxCoordinates.from_pixels((64, 48, 128, 96), 640, 480)) ..."
// Python also checked coordinates_from_wire(shape, json.loads(json.dumps(wire))) == the coordinates.
const EXAMPLES: { shape: ShapeKind; geom: Geom; python: Record<string, unknown> }[] = [
  {
    shape: "bounding_box",
    geom: { kind: "bounding_box", x: 64, y: 48, w: 128, h: 96 },
    python: { x: 0.1, y: 0.1, w: 0.2, h: 0.2 },
  },
  {
    shape: "rotatable_bounding_box",
    geom: { kind: "rotatable_bounding_box", x: 100, y: 50, w: 200, h: 100, theta: 30 },
    python: { x: 0.15625, y: 0.10416666666666667, w: 0.3125, h: 0.20833333333333334, theta: 30.0 },
  },
  { shape: "point", geom: { kind: "point", x: 320, y: 240 }, python: { x: 0.5, y: 0.5 } },
  {
    shape: "polygon",
    geom: {
      kind: "polygon",
      parts: [
        [
          [{ x: 10, y: 10 }, { x: 110, y: 10 }, { x: 110, y: 110 }, { x: 10, y: 110 }],
          [{ x: 40, y: 40 }, { x: 60, y: 40 }, { x: 50, y: 60 }],
        ],
        [[{ x: 200, y: 200 }, { x: 300, y: 200 }, { x: 250, y: 300 }]],
      ],
    },
    python: {
      polygons: [
        [
          [0.015625, 0.020833333333333332, 0.171875, 0.020833333333333332, 0.171875, 0.22916666666666666, 0.015625, 0.22916666666666666],
          [0.0625, 0.08333333333333333, 0.09375, 0.08333333333333333, 0.078125, 0.125],
        ],
        [[0.3125, 0.4166666666666667, 0.46875, 0.4166666666666667, 0.390625, 0.625]],
      ],
    },
  },
  {
    shape: "polyline",
    geom: { kind: "polyline", points: [{ x: 0, y: 0 }, { x: 64, y: 48 }, { x: 640, y: 480 }] },
    python: { points: [0.0, 0.0, 0.1, 0.1, 1.0, 1.0] },
  },
  {
    shape: "skeleton",
    geom: {
      kind: "skeleton",
      name: "cat",
      nodes: [
        { name: "head", x: 160, y: 240, visibility: "visible" },
        { name: "tail", x: 480, y: 240, visibility: "occluded" },
        { name: "foot", x: 320, y: 480, visibility: null },
      ],
    },
    python: {
      name: "cat",
      nodes: [
        { name: "head", x: 0.25, y: 0.5, visibility: "visible" },
        { name: "tail", x: 0.75, y: 0.5, visibility: "occluded" },
        { name: "foot", x: 0.5, y: 1.0, visibility: null },
      ],
    },
  },
];

// A 4 x 3 mask [[1,0,0,1],[1,0,0,0],[0,0,1,0]] as BitmaskCoordinates(mask) and coordinates_to_wire wrote it.
const MASK_ROWS = [
  [1, 0, 0, 1],
  [1, 0, 0, 0],
  [0, 0, 1, 0],
];
const MASK_PYTHON = { height: 3, width: 4, counts: [0, 2, 6, 2, 2] };
const maskGeom = (): BitmaskGeom => ({ kind: "bitmask", width: 4, height: 3, mask: Uint8Array.from(MASK_ROWS.flat()) });

function expectClose(actual: unknown, expected: unknown): void {
  if (typeof expected === "number") {
    expect(actual).toBeCloseTo(expected, 9);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual)).toBe(true);
    expect((actual as unknown[]).length).toBe(expected.length);
    expected.forEach((v, i) => expectClose((actual as unknown[])[i], v));
  } else if (expected && typeof expected === "object") {
    expect(Object.keys(actual as object)).toEqual(Object.keys(expected));
    for (const [k, v] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[k], v);
  } else {
    expect(actual).toBe(expected);
  }
}

describe("toWire matches Python's coordinates_to_wire exactly", () => {
  it.each(EXAMPLES.map((e) => [e.shape, e] as const))("%s", (_, e) => {
    const wire = toWire(e.geom, W, H);
    expect(JSON.stringify(wire)).toBe(JSON.stringify(e.python)); // values and key order
  });
  it("bitmask", () => {
    expect(toWire(maskGeom(), 4, 3)).toEqual(MASK_PYTHON);
    expect(JSON.stringify(toWire(maskGeom(), 4, 3))).toBe(JSON.stringify(MASK_PYTHON));
  });
});

describe("fromWire reads what Python writes", () => {
  it.each(EXAMPLES.map((e) => [e.shape, e] as const))("%s", (_, e) => {
    const g = fromWire(e.shape, e.python, W, H);
    expectClose(g, e.geom);
  });
  it("bitmask", () => {
    expect(fromWire("bitmask", MASK_PYTHON, 4, 3)).toEqual(maskGeom());
  });
});

describe("round trips", () => {
  const odd: Geom[] = [
    { kind: "bounding_box", x: 13.37, y: 0, w: 100.5, h: 479 },
    { kind: "rotatable_bounding_box", x: 1, y: 2, w: 3, h: 4, theta: 359.5 },
    { kind: "point", x: 639.9, y: 0.1 },
    { kind: "polygon", parts: [[[{ x: 1.5, y: 2.5 }, { x: 600, y: 3 }, { x: 300, y: 470.25 }]]] },
    { kind: "polyline", points: [{ x: 7, y: 7 }, { x: 8, y: 9 }] },
    { kind: "skeleton", name: "", nodes: [{ name: "only", x: 1, y: 2, visibility: "invisible" }] },
  ];
  it.each([...EXAMPLES.map((e) => e.geom), ...odd].map((g) => [g.kind, g] as const))("%s", (_, g) => {
    const wire = JSON.parse(JSON.stringify(toWire(g, W, H)));
    expectClose(fromWire(g.kind, wire, W, H), g);
    expect(toWire(fromWire(g.kind, wire, W, H), W, H)).toEqual(wire);
  });
  it("bitmask", () => {
    const mask = new Uint8Array(W * H);
    for (let i = 0; i < mask.length; i++) mask[i] = (i * 2654435761) % 7 === 0 ? 1 : 0;
    const g: BitmaskGeom = { kind: "bitmask", width: W, height: H, mask };
    const back = fromWire("bitmask", JSON.parse(JSON.stringify(toWire(g, W, H))), W, H) as BitmaskGeom;
    expect([back.kind, back.width, back.height]).toEqual(["bitmask", W, H]);
    expect(back.mask.every((v, i) => v === mask[i])).toBe(true); // (toEqual on 307,200 bytes is slow)
  });
  it("a shape at the left or top edge never goes below 0", () => {
    expect(toWire({ kind: "point", x: -1e-10, y: 0 }, W, H)).toEqual({ x: 0, y: 0 });
  });
});

describe("fromWire refuses malformed coordinates", () => {
  const bad: [ShapeKind, unknown, RegExp][] = [
    ["bounding_box", { x: 0.1, y: 0.1, w: 0.2 }, /coordinates\.h must be a finite number/],
    ["bounding_box", { x: "0.1", y: 0.1, w: 0.2, h: 0.2 }, /coordinates\.x must be a finite number/],
    ["bounding_box", { x: true, y: 0.1, w: 0.2, h: 0.2 }, /coordinates\.x must be a finite number/],
    ["bounding_box", { x: 0.9, y: 0.1, w: 0.2, h: 0.2 }, /reaches past the image/],
    ["bounding_box", { x: 64, y: 48, w: 128, h: 96 }, /outside 0\.\.1/],
    ["bounding_box", { x: -0.1, y: 0, w: 0.1, h: 0.1 }, /outside 0\.\.1/],
    ["rotatable_bounding_box", { x: 0, y: 0, w: 0.1, h: 0.1 }, /theta must be a finite number/],
    ["rotatable_bounding_box", { x: 0, y: 0, w: 0.1, h: 0.1, theta: Infinity }, /theta must be a finite number/],
    ["point", { x: 0.5 }, /coordinates\.y/],
    ["point", [0.5, 0.5], /must be an object/],
    ["point", null, /must be an object/],
    ["polygon", { polygons: [] }, /at least one part/],
    ["polygon", { polygons: [[]] }, /no rings/],
    ["polygon", { polygons: [[[0, 0, 1, 1]]] }, /at least 3 points/],
    ["polygon", { polygons: [[[0, 0, 1, 1, 0]]] }, /even number/],
    ["polygon", { points: [0, 0, 1, 1, 0, 1] }, /polygons must be a list/],
    ["polyline", { points: [0, 0] }, /at least 2 points/],
    ["polyline", { points: [0, 0, 1, null] }, /points\[3\] must be a finite number/],
    ["skeleton", { name: "s", nodes: [] }, /at least one node/],
    ["skeleton", { name: 3, nodes: [{ name: "a", x: 0, y: 0 }] }, /name must be a string/],
    ["skeleton", { nodes: [{ name: "", x: 0, y: 0 }] }, /name must be a non-empty string/],
    ["skeleton", { nodes: [{ name: "a", x: 0, y: 0, visibility: "hidden" }] }, /visibility must be/],
    ["skeleton", { nodes: [{ name: "a", x: 0, y: 0 }, { name: "a", x: 1, y: 1 }] }, /two nodes named "a"/],
    ["bitmask", { height: 3, width: 4, counts: [0, 2, 6, 2] }, /add up to height \* width = 12/],
    ["bitmask", { height: 3, width: 4, counts: [0, 2, 6, 2, 3, -1] }, /non-negative/],
    ["bitmask", { height: 3, width: 4, counts: [0, 2, 6, 2, 1.5, 0.5] }, /non-negative whole/],
    ["bitmask", { height: 3, width: 4, counts: "0 2 6" }, /counts must be a list/],
    ["bitmask", { height: 4, width: 4, counts: [16] }, /the bitmask is 4x4 but the image is 4x3/],
    ["bitmask", { height: 0, width: 4, counts: [] }, /height must be a positive whole number/],
  ];
  it.each(bad.map(([shape, wire, message]) => [shape, JSON.stringify(wire), wire, message] as const))("%s %s", (shape, _, wire, message) => {
    const w = shape === "bitmask" ? 4 : W;
    const h = shape === "bitmask" ? 3 : H;
    expect(() => fromWire(shape, wire as Record<string, unknown>, w, h)).toThrow(WireError);
    expect(() => fromWire(shape, wire as Record<string, unknown>, w, h)).toThrow(message);
  });
  it("accepts values up to the model's tolerance past 1, and missing skeleton name and visibility", () => {
    expectClose(fromWire("point", { x: 1 + 5e-7, y: 1 }, 10, 10), { kind: "point", x: 10 + 5e-6, y: 10 });
    expect(() => fromWire("point", { x: 1 + 2e-6, y: 1 }, 10, 10)).toThrow(/outside 0\.\.1/);
    expect(fromWire("skeleton", { nodes: [{ name: "a", x: 0, y: 0 }] }, 10, 10)).toEqual({
      kind: "skeleton",
      name: "",
      nodes: [{ name: "a", x: 0, y: 0, visibility: null }],
    });
  });
  it("an unknown shape or a bad image size is an error", () => {
    expect(() => fromWire("circle" as ShapeKind, { x: 0, y: 0 }, 10, 10)).toThrow(/unknown shape "circle"/);
    expect(() => fromWire("point", { x: 0, y: 0 }, 0, 10)).toThrow(WireError);
  });
  it("toWire refuses a mask not the image's size", () => {
    expect(() => toWire(maskGeom(), 4, 4)).toThrow(/a mask must be the size of its image/);
  });
});
