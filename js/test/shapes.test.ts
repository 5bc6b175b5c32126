import { describe, expect, it } from "vitest";
import type { SkeletonSpec } from "../src/protocol/ontology";
import {
  type BitmaskGeom,
  type BoxGeom,
  type PolygonGeom,
  type PolylineGeom,
  type Pt,
  type RotatedBoxGeom,
  type SkeletonGeom,
  boxFromCorners,
  bounds,
  clampInto,
  hitTest,
  limitTranslation,
  midpoints,
  moveSkeletonNode,
  nearestEdge,
  nearestVertex,
  placeSkeleton,
  pointInRing,
  polygonAddRing,
  polygonDeleteVertex,
  polygonInsertVertex,
  polygonMoveVertex,
  polylineDeleteVertex,
  polylineInsertVertex,
  polylineMoveVertex,
  resizeRotated,
  resizeRotatedEdge,
  rotateHandle,
  rotatedCorners,
  rotatedEdgeMidpoints,
  signedArea,
  thetaFromHandle,
  toggleNodeVisibility,
  translate,
} from "../src/core/shapes";

const square = (x: number, y: number, s: number): Pt[] => [
  { x, y },
  { x: x + s, y },
  { x: x + s, y: y + s },
  { x, y: y + s },
];
const poly = (...parts: Pt[][][]): PolygonGeom => ({ kind: "polygon", parts });
const rot = (x: number, y: number, w: number, h: number, theta: number): RotatedBoxGeom => ({ kind: "rotatable_bounding_box", x, y, w, h, theta });

function expectPt(a: Pt, b: Pt, digits = 9): void {
  expect(a.x).toBeCloseTo(b.x, digits);
  expect(a.y).toBeCloseTo(b.y, digits);
}

describe("rings", () => {
  it("signed area is positive clockwise on screen (y down)", () => {
    expect(signedArea(square(0, 0, 10))).toBe(100);
    expect(signedArea(square(0, 0, 10).reverse())).toBe(-100);
  });
  it("pointInRing uses the even-odd rule", () => {
    expect(pointInRing({ x: 5, y: 5 }, square(0, 0, 10))).toBe(true);
    expect(pointInRing({ x: 15, y: 5 }, square(0, 0, 10))).toBe(false);
    const bowtie = [{ x: 0, y: 0 }, { x: 10, y: 10 }, { x: 10, y: 0 }, { x: 0, y: 10 }];
    expect(pointInRing({ x: 2, y: 5 }, bowtie)).toBe(true);
    expect(pointInRing({ x: 5, y: 2 }, bowtie)).toBe(false);
  });
});

describe("polygon vertices", () => {
  const g = poly([square(0, 0, 10)]);

  it("inserts after a vertex, at the midpoint handles' positions", () => {
    const mids = midpoints(g.parts[0][0], true);
    expect(mids).toEqual([{ x: 5, y: 0 }, { x: 10, y: 5 }, { x: 5, y: 10 }, { x: 0, y: 5 }]);
    const h = polygonInsertVertex(g, 0, 0, 3, mids[3]);
    expect(h.parts[0][0]).toEqual([...square(0, 0, 10), { x: 0, y: 5 }]);
    const first = polygonInsertVertex(g, 0, 0, -1, { x: -1, y: -1 });
    expect(first.parts[0][0][0]).toEqual({ x: -1, y: -1 });
    expect(g.parts[0][0]).toHaveLength(4); // unchanged
    expect(() => polygonInsertVertex(g, 0, 0, 4, { x: 0, y: 0 })).toThrow(RangeError);
    expect(() => polygonInsertVertex(g, 1, 0, 0, { x: 0, y: 0 })).toThrow(RangeError);
  });

  it("open lines have one midpoint fewer", () => {
    expect(midpoints(square(0, 0, 10), false)).toHaveLength(3);
    expect(midpoints([{ x: 0, y: 0 }], true)).toEqual([]);
  });

  it("moves a vertex", () => {
    const h = polygonMoveVertex(g, 0, 0, 2, { x: 20, y: 20 });
    expect(h.parts[0][0][2]).toEqual({ x: 20, y: 20 });
    expect(g.parts[0][0][2]).toEqual({ x: 10, y: 10 });
  });

  it("deletes vertices; the part goes with its outer ring, null when nothing is left", () => {
    const two = poly([square(0, 0, 10)], [square(20, 20, 5)]);
    const a = polygonDeleteVertex(two, 0, 0, 0)!;
    expect(a.parts[0][0]).toHaveLength(3);
    expect(a.parts).toHaveLength(2);
    const b = polygonDeleteVertex(a, 0, 0, 0)!;
    expect(b.parts).toEqual([[square(20, 20, 5)]]);
    const tri = poly([square(0, 0, 1).slice(0, 3)]);
    expect(polygonDeleteVertex(tri, 0, 0, 1)).toBeNull();
  });
});

describe("holes", () => {
  it("a ring inside a part becomes its hole, outside a new part, inside a hole a new part", () => {
    let g = poly([square(0, 0, 100)]);
    g = polygonAddRing(g, square(40, 40, 20));
    expect(g.parts).toHaveLength(1);
    expect(g.parts[0]).toHaveLength(2);
    g = polygonAddRing(g, square(200, 0, 10));
    expect(g.parts).toHaveLength(2);
    g = polygonAddRing(g, square(45, 45, 5)); // an island in the hole
    expect(g.parts).toHaveLength(3);
    expect(g.parts[2]).toEqual([square(45, 45, 5)]);
    g = polygonAddRing(g, square(46, 46, 2)); // a hole of the island, the innermost part holding it
    expect(g.parts[2]).toHaveLength(2);
    expect(g.parts[0]).toHaveLength(2);
  });

  it("deleting a hole's vertices until it has fewer than 3 drops just the hole", () => {
    let g: PolygonGeom | null = polygonAddRing(poly([square(0, 0, 100)]), square(40, 40, 20));
    g = polygonDeleteVertex(g, 0, 1, 0)!;
    expect(g.parts[0][1]).toHaveLength(3);
    g = polygonDeleteVertex(g, 0, 1, 2)!;
    expect(g.parts).toEqual([[square(0, 0, 100)]]);
  });

  it("hit testing: holes are not inside, their edges are", () => {
    const g = polygonAddRing(poly([square(0, 0, 100)]), square(40, 40, 20));
    expect(hitTest(g, { x: 10, y: 10 }, 0)).toBe(true);
    expect(hitTest(g, { x: 50, y: 50 }, 0)).toBe(false);
    expect(hitTest(g, { x: 50, y: 50 }, 9)).toBe(false);
    expect(hitTest(g, { x: 50, y: 50 }, 10)).toBe(true);
    expect(hitTest(g, { x: 41, y: 50 }, 2)).toBe(true);
    expect(hitTest(g, { x: 103, y: 50 }, 2)).toBe(false);
    expect(hitTest(g, { x: 103, y: 50 }, 3)).toBe(true);
    const island = polygonAddRing(g, square(45, 45, 10));
    expect(hitTest(island, { x: 50, y: 50 }, 0)).toBe(true);
  });

  it("nearest vertex and edge", () => {
    const g = polygonAddRing(poly([square(0, 0, 100)]), square(40, 40, 20));
    expect(nearestVertex(g, { x: 59, y: 41 }, 3)).toEqual({ part: 0, ring: 1, index: 1 });
    expect(nearestVertex(g, { x: 50, y: 50 }, 3)).toBeNull();
    expect(nearestEdge(g, { x: 50, y: 2 }, 3)).toEqual({ part: 0, ring: 0, index: 0, point: { x: 50, y: 0 } });
    expect(nearestEdge(g, { x: 39, y: 50 }, 3)).toEqual({ part: 0, ring: 1, index: 3, point: { x: 40, y: 50 } });
  });
});

describe("polylines", () => {
  const line: PolylineGeom = { kind: "polyline", points: [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 10 }] };
  it("inserts, moves and deletes; fewer than 2 points is null", () => {
    expect(polylineInsertVertex(line, 0, { x: 5, y: 0 }).points).toHaveLength(4);
    expect(polylineInsertVertex(line, 0, { x: 5, y: 0 }).points[1]).toEqual({ x: 5, y: 0 });
    expect(polylineMoveVertex(line, 2, { x: 1, y: 2 }).points[2]).toEqual({ x: 1, y: 2 });
    const two = polylineDeleteVertex(line, 1)!;
    expect(two.points).toEqual([{ x: 0, y: 0 }, { x: 10, y: 10 }]);
    expect(polylineDeleteVertex(two, 0)).toBeNull();
    expect(nearestVertex(line, { x: 9, y: 1 }, 2)).toEqual({ part: 0, ring: 0, index: 1 });
    expect(nearestEdge(line, { x: 1, y: 5 }, 2)).toBeNull(); // not closed: no edge back to the start
  });
  it("hit tests within tolerance of the line only", () => {
    expect(hitTest(line, { x: 5, y: 1 }, 1)).toBe(true);
    expect(hitTest(line, { x: 5, y: 5 }, 1)).toBe(false);
  });
});

describe("rotated boxes", () => {
  it("corners match the model's (labelspace.formats._common.rotated_box_corners)", () => {
    // Printed by Python for RotatableBoundingBoxCoordinates.from_pixels((100, 50, 200, 100, 30), 640, 480).
    const python = [
      [138.39745962155612, 6.698729810778069],
      [311.6025403784439, 106.69872981077806],
      [261.6025403784439, 193.30127018922195],
      [88.39745962155612, 93.30127018922195],
    ];
    rotatedCorners(rot(100, 50, 200, 100, 30)).forEach((c, i) => expectPt(c, { x: python[i][0], y: python[i][1] }));
  });

  it("theta 0 corners are the box, clockwise from the top-left; 90 turns clockwise on screen", () => {
    expect(rotatedCorners(rot(0, 0, 20, 10, 0))).toEqual([{ x: 0, y: 0 }, { x: 20, y: 0 }, { x: 20, y: 10 }, { x: 0, y: 10 }]);
    const c = rotatedCorners(rot(0, 0, 20, 10, 90)); // centre 10,5
    expectPt(c[0], { x: 15, y: -5 }); // the top-left swings to the top-right
    expectPt(c[1], { x: 15, y: 15 });
  });

  it("the rotate handle sits above the top edge's middle, turned with the box", () => {
    expectPt(rotateHandle(rot(0, 0, 20, 10, 0), 30), { x: 10, y: -30 });
    expectPt(rotateHandle(rot(0, 0, 20, 10, 90), 30), { x: 10 + 35, y: 5 });
    expectPt(rotateHandle(rot(0, 0, 20, 10, 180), 30), { x: 10, y: 40 });
  });

  it("thetaFromHandle(rotateHandle(g)) == theta for many angles", () => {
    for (let k = 0; k < 360; k++) {
      const theta = k * 0.997 + 0.25;
      const g = rot(30, 40, 50 + k, 20, theta);
      expect(thetaFromHandle(g, rotateHandle(g, 25))).toBeCloseTo(theta, 9);
    }
    const g = rot(0, 0, 10, 10, -90);
    expect(thetaFromHandle(g, rotateHandle(g, 5))).toBeCloseTo(270, 9);
    expect(thetaFromHandle(g, { x: 5, y: 5 })).toBe(270); // at the centre: unchanged, normalised
  });

  it("resizing a corner keeps the opposite corner fixed and theta unchanged", () => {
    for (const theta of [0, 17, 90, 145.5, 200, 333]) {
      const g = rot(100, 100, 80, 40, theta);
      for (let corner = 0; corner < 4; corner++) {
        const before = rotatedCorners(g);
        const pulled = { x: before[corner].x + 7, y: before[corner].y - 3 };
        const r = resizeRotated(g, corner, pulled);
        expect(r.theta).toBe(theta);
        const after = rotatedCorners(r);
        expectPt(after[(corner + 2) % 4], before[(corner + 2) % 4]);
        expectPt(after[corner], pulled); // the diagonal runs from the fixed corner to the pointer
      }
    }
    const g = rot(0, 0, 20, 10, 0);
    const r = resizeRotated(g, 2, { x: 30, y: 40 });
    expect(r).toEqual(rot(0, 0, 30, 40, 0));
    // Dragged past the opposite corner, the box flips but that corner stays put.
    const flipped = resizeRotated(g, 2, { x: -10, y: -5 });
    expect(flipped).toEqual(rot(-10, -5, 10, 5, 0));
  });

  it("resizing an edge moves only that edge", () => {
    const g = rot(100, 100, 80, 40, 30);
    const mids = rotatedEdgeMidpoints(g);
    const r = resizeRotatedEdge(g, 1, { x: mids[1].x + 10 * Math.cos(Math.PI / 6), y: mids[1].y + 10 * Math.sin(Math.PI / 6) });
    expect(r.w).toBeCloseTo(90, 9);
    expect(r.h).toBeCloseTo(40, 9);
    expectPt(rotatedEdgeMidpoints(r)[3], mids[3]);
  });

  it("hit tests the turned fill", () => {
    const g = rot(0, 0, 100, 10, 90); // centre 50,5: a vertical bar x 45..55, y -45..55
    expect(hitTest(g, { x: 50, y: 40 }, 0)).toBe(true);
    expect(hitTest(g, { x: 80, y: 5 }, 0)).toBe(false);
    expect(hitTest(g, { x: 57, y: 5 }, 2)).toBe(true);
    expect(bounds(g).x).toBeCloseTo(45, 9);
    expect(bounds(g).h).toBeCloseTo(100, 9);
  });
});

describe("skeletons", () => {
  const template: SkeletonSpec = {
    nodes: [
      { name: "head", x: 0.5, y: 0 },
      { name: "left", x: 0, y: 1 },
      { name: "right", x: 1, y: 0.75 },
    ],
    edges: [
      [0, 1],
      [0, 2],
    ],
  };
  const box: BoxGeom = { kind: "bounding_box", x: 100, y: 50, w: 200, h: 80 };

  it("places the template scaled into the box, every node visible", () => {
    const g = placeSkeleton(template, box, "person");
    expect(g).toEqual({
      kind: "skeleton",
      name: "person",
      nodes: [
        { name: "head", x: 200, y: 50, visibility: "visible" },
        { name: "left", x: 100, y: 130, visibility: "visible" },
        { name: "right", x: 300, y: 110, visibility: "visible" },
      ],
    });
    expect(bounds(g)).toEqual({ x: 100, y: 50, w: 200, h: 80 });
  });

  it("moves nodes and toggles visibility", () => {
    const g = placeSkeleton(template, box, "person");
    const m = moveSkeletonNode(g, 1, { x: 1, y: 2 });
    expect(m.nodes[1]).toEqual({ name: "left", x: 1, y: 2, visibility: "visible" });
    expect(g.nodes[1].x).toBe(100);
    const hidden = toggleNodeVisibility(g, 0);
    expect(hidden.nodes[0].visibility).toBe("invisible");
    expect(toggleNodeVisibility(hidden, 0).nodes[0].visibility).toBe("visible");
    const unsaid: SkeletonGeom = { ...g, nodes: [{ ...g.nodes[0], visibility: null }, { ...g.nodes[1], visibility: "occluded" }] };
    expect(toggleNodeVisibility(unsaid, 0).nodes[0].visibility).toBe("invisible");
    expect(toggleNodeVisibility(unsaid, 1).nodes[1].visibility).toBe("invisible");
    expect(() => moveSkeletonNode(g, 3, { x: 0, y: 0 })).toThrow(RangeError);
    expect(hitTest(g, { x: 203, y: 50 }, 4)).toBe(true);
    expect(hitTest(g, { x: 200, y: 90 }, 4)).toBe(false);
  });
});

describe("translate and clamp", () => {
  it("moves every kind, as new objects", () => {
    const b: BoxGeom = { kind: "bounding_box", x: 1, y: 2, w: 3, h: 4 };
    expect(translate(b, 10, 20)).toEqual({ kind: "bounding_box", x: 11, y: 22, w: 3, h: 4 });
    expect(b.x).toBe(1);
    expect(translate(rot(1, 2, 3, 4, 45), 1, 1)).toEqual(rot(2, 3, 3, 4, 45));
    expect(translate({ kind: "point", x: 1, y: 1 }, -1, 2)).toEqual({ kind: "point", x: 0, y: 3 });
    const p = translate(poly([square(0, 0, 10)]), 5, 5) as PolygonGeom;
    expect(p.parts[0][0]).toEqual(square(5, 5, 10));
    const line: PolylineGeom = { kind: "polyline", points: [{ x: 0, y: 0 }, { x: 1, y: 1 }] };
    expect(translate(line, 1, 0)).toEqual({ kind: "polyline", points: [{ x: 1, y: 0 }, { x: 2, y: 1 }] });
  });

  it("shifts a bitmask by whole pixels, losing what leaves the image", () => {
    const mask = new Uint8Array(16);
    mask[0] = 1; // (0,0)
    mask[3] = 1; // (3,0)
    const g: BitmaskGeom = { kind: "bitmask", width: 4, height: 4, mask };
    const t = translate(g, 1, 2) as BitmaskGeom;
    expect(Array.from(t.mask).flatMap((v, i) => (v ? [i] : []))).toEqual([2 * 4 + 1]);
    expect(mask[0]).toBe(1);
    expect(bounds(t)).toEqual({ x: 1, y: 2, w: 1, h: 1 });
    expect(bounds({ ...g, mask: new Uint8Array(16) })).toEqual({ x: 0, y: 0, w: 0, h: 0 });
    const back = translate(g, -1.2, 0) as BitmaskGeom;
    expect(Array.from(back.mask).flatMap((v, i) => (v ? [i] : []))).toEqual([2]);
    expect(hitTest(g, { x: 3.5, y: 0.5 }, 0)).toBe(true);
    expect(hitTest(g, { x: 2.5, y: 0.5 }, 0)).toBe(false);
    expect(hitTest(g, { x: 2.4, y: 0.5 }, 1.2)).toBe(true);
  });

  it("clips boxes and clamps vertices into the image", () => {
    expect(clampInto({ kind: "bounding_box", x: -10, y: 90, w: 50, h: 50 }, 100, 100)).toEqual({ kind: "bounding_box", x: 0, y: 90, w: 40, h: 10 });
    expect(clampInto({ kind: "bounding_box", x: 200, y: 0, w: 5, h: 5 }, 100, 100)).toEqual({ kind: "bounding_box", x: 100, y: 0, w: 0, h: 5 });
    expect(clampInto(rot(-5, 0, 20, 10, 30), 100, 100)).toEqual(rot(0, 0, 15, 10, 30));
    expect(clampInto({ kind: "point", x: -1, y: 101 }, 100, 100)).toEqual({ kind: "point", x: 0, y: 100 });
    expect((clampInto(poly([square(90, -5, 20)]), 100, 100) as PolygonGeom).parts[0][0]).toEqual([
      { x: 90, y: 0 },
      { x: 100, y: 0 },
      { x: 100, y: 15 },
      { x: 90, y: 15 },
    ]);
    const sk: SkeletonGeom = { kind: "skeleton", name: "", nodes: [{ name: "a", x: -3, y: 50, visibility: null }] };
    expect(clampInto(sk, 100, 100)).toEqual({ kind: "skeleton", name: "", nodes: [{ name: "a", x: 0, y: 50, visibility: null }] });
    const g: BitmaskGeom = { kind: "bitmask", width: 2, height: 2, mask: Uint8Array.from([1, 0, 0, 1]) };
    expect(clampInto(g, 2, 2)).toBe(g);
    expect(Array.from((clampInto(g, 3, 1) as BitmaskGeom).mask)).toEqual([1, 0, 0]);
  });

  it("limits a move to what keeps the shape inside", () => {
    const b: BoxGeom = { kind: "bounding_box", x: 10, y: 10, w: 20, h: 20 };
    expect(limitTranslation(b, -50, 5, 100, 100)).toEqual({ dx: -10, dy: 5 });
    expect(limitTranslation(b, 500, 500, 100, 100)).toEqual({ dx: 70, dy: 70 });
    expect(limitTranslation(rot(10, 10, 20, 20, 45), -50, 0, 100, 100)).toEqual({ dx: -10, dy: 0 });
  });

  it("boxFromCorners takes corners in any order", () => {
    expect(boxFromCorners({ x: 10, y: 5 }, { x: 2, y: 8 })).toEqual({ kind: "bounding_box", x: 2, y: 5, w: 8, h: 3 });
  });

  it("hit tests boxes and points with tolerance", () => {
    const b = boxFromCorners({ x: 0, y: 0 }, { x: 10, y: 10 });
    expect(hitTest(b, { x: 5, y: 5 }, 0)).toBe(true);
    expect(hitTest(b, { x: 12, y: 5 }, 2)).toBe(true);
    expect(hitTest(b, { x: 12, y: 12 }, 2)).toBe(false); // past the corner by 2.83
    expect(hitTest({ kind: "point", x: 0, y: 0 }, { x: 3, y: 4 }, 5)).toBe(true);
    expect(hitTest({ kind: "point", x: 0, y: 0 }, { x: 3, y: 4 }, 4.9)).toBe(false);
  });
});
