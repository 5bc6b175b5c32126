// Pixel-space shapes: the geometry types, and what every shape can do whatever its kind (bounds,
// moving, keeping inside the image, hit testing). The per-kind editing lives in rotated.ts,
// polygon.ts and skeleton.ts and is re-exported here, so the canvas imports shapes from one place.

import type { BitmaskGeom, BoxGeom, Bounds, Geom, Pt } from "./geom";
import { maskBounds, resizeMask, shiftMask } from "./bitmap";
import { clampPt, distance, distanceToPath, pointInRing, pointsBounds } from "./planar";
import { rotatedCorners, toLocal } from "./rotated";

export * from "./geom";
export { signedArea, pointInRing, distance, distanceToSegment, closestOnSegment, pointsBounds } from "./planar";
export {
  normaliseTheta,
  rotatedCentre,
  rotatedCorners,
  rotatedEdgeMidpoints,
  rotateHandle,
  thetaFromHandle,
  resizeRotated,
  resizeRotatedEdge,
  toLocal,
  fromLocal,
} from "./rotated";
export {
  polygonInsertVertex,
  polygonMoveVertex,
  polygonDeleteVertex,
  polygonAddRing,
  midpoints,
  nearestVertex,
  nearestEdge,
  polylineInsertVertex,
  polylineMoveVertex,
  polylineDeleteVertex,
  type VertexRef,
  type EdgeRef,
} from "./polygon";
export { placeSkeleton, moveSkeletonNode, setNodeVisibility, toggleNodeVisibility } from "./skeleton";

/** The box spanned by two corners, in any order. */
export function boxFromCorners(a: Pt, b: Pt): BoxGeom {
  return { kind: "bounding_box", x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(b.x - a.x), h: Math.abs(b.y - a.y) };
}

/**
 * Axis-aligned bounds: a rotated box's of its corners, a bitmask's of its set pixels (an empty box
 * at 0,0 when none is set), a point's is empty at the point.
 */
export function bounds(g: Geom): Bounds {
  switch (g.kind) {
    case "bounding_box":
      return { x: g.x, y: g.y, w: g.w, h: g.h };
    case "rotatable_bounding_box":
      return pointsBounds(rotatedCorners(g));
    case "polygon":
      return pointsBounds(g.parts.flat(2));
    case "polyline":
      return pointsBounds(g.points);
    case "point":
      return { x: g.x, y: g.y, w: 0, h: 0 };
    case "skeleton":
      return pointsBounds(g.nodes);
    case "bitmask":
      return maskBounds(g.mask, g.width, g.height) ?? { x: 0, y: 0, w: 0, h: 0 };
  }
}

const moved = (p: Pt, dx: number, dy: number): Pt => ({ x: p.x + dx, y: p.y + dy });

/** The shape moved by dx, dy pixels, as a new object. A bitmask moves by whole pixels and loses what leaves the image. */
export function translate(g: Geom, dx: number, dy: number): Geom {
  switch (g.kind) {
    case "bounding_box":
    case "rotatable_bounding_box":
    case "point":
      return { ...g, x: g.x + dx, y: g.y + dy };
    case "polygon":
      return { kind: "polygon", parts: g.parts.map((rings) => rings.map((ring) => ring.map((p) => moved(p, dx, dy)))) };
    case "polyline":
      return { kind: "polyline", points: g.points.map((p) => moved(p, dx, dy)) };
    case "skeleton":
      return { ...g, nodes: g.nodes.map((n) => ({ ...n, x: n.x + dx, y: n.y + dy })) };
    case "bitmask":
      return { ...g, mask: shiftMask(g.mask, g.width, g.height, dx, dy) };
  }
}

/**
 * The extent the model requires inside the image: a rotated box's unrotated box (the model checks
 * x, y, w, h, not the turned corners), otherwise the bounds. Null for bitmasks (always inside).
 */
function validExtent(g: Geom): Bounds | null {
  if (g.kind === "bitmask") return null;
  if (g.kind === "rotatable_bounding_box") return { x: g.x, y: g.y, w: g.w, h: g.h };
  return bounds(g);
}

/**
 * The part of a move dx, dy that keeps the shape inside the image (as the model requires it, see
 * clampInto): for dragging a whole shape without squashing it against an edge.
 */
export function limitTranslation(g: Geom, dx: number, dy: number, width: number, height: number): { dx: number; dy: number } {
  const e = validExtent(g);
  if (!e) return { dx: Math.round(dx), dy: Math.round(dy) };
  const limit = (d: number, lo: number, size: number, extent: number): number =>
    size > extent ? 0 : Math.min(Math.max(d, -lo), extent - lo - size);
  return { dx: limit(dx, e.x, e.w, width), dy: limit(dy, e.y, e.h, height) };
}

function clipBox<B extends { x: number; y: number; w: number; h: number }>(b: B, width: number, height: number): B {
  const x0 = Math.min(Math.max(b.x, 0), width);
  const y0 = Math.min(Math.max(b.y, 0), height);
  const x1 = Math.min(Math.max(b.x + b.w, 0), width);
  const y1 = Math.min(Math.max(b.y + b.h, 0), height);
  return { ...b, x: x0, y: y0, w: Math.max(0, x1 - x0), h: Math.max(0, y1 - y0) };
}

/**
 * The shape kept inside a width x height image: boxes clipped (a rotated box's unrotated box, which
 * is what the model checks), points, vertices and nodes clamped to the edges; a bitmask cropped or
 * padded to the image size (returned as is when it already has it).
 */
export function clampInto(g: Geom, width: number, height: number): Geom {
  switch (g.kind) {
    case "bounding_box":
    case "rotatable_bounding_box":
      return clipBox(g, width, height);
    case "point":
      return { ...g, ...clampPt(g, width, height) };
    case "polygon":
      return { kind: "polygon", parts: g.parts.map((rings) => rings.map((ring) => ring.map((p) => clampPt(p, width, height)))) };
    case "polyline":
      return { kind: "polyline", points: g.points.map((p) => clampPt(p, width, height)) };
    case "skeleton":
      return { ...g, nodes: g.nodes.map((n) => ({ ...n, ...clampPt(n, width, height) })) };
    case "bitmask":
      if (g.width === width && g.height === height) return g;
      return { kind: "bitmask", width, height, mask: resizeMask(g.mask, g.width, g.height, width, height) };
  }
}

/** How far p is from the rectangle (0 inside it). */
function distanceToRect(p: Pt, x: number, y: number, w: number, h: number): number {
  const dx = Math.max(x - p.x, 0, p.x - (x + w));
  const dy = Math.max(y - p.y, 0, p.y - (y + h));
  return Math.hypot(dx, dy);
}

function bitmaskHit(g: BitmaskGeom, p: Pt, tolerance: number): boolean {
  const px = Math.floor(p.x);
  const py = Math.floor(p.y);
  const set = (x: number, y: number): boolean => x >= 0 && y >= 0 && x < g.width && y < g.height && g.mask[y * g.width + x] !== 0;
  if (set(px, py)) return true;
  const r = Math.max(0, tolerance);
  for (let y = Math.floor(p.y - r); y <= Math.floor(p.y + r); y++) {
    for (let x = Math.floor(p.x - r); x <= Math.floor(p.x + r); x++) {
      if (set(x, y) && Math.hypot(x + 0.5 - p.x, y + 0.5 - p.y) <= r) return true;
    }
  }
  return false;
}

/**
 * Whether p (image pixels) hits the shape: inside its fill (boxes, rotated boxes, polygons by the
 * even-odd rule so holes are not inside) or within `tolerance` of an edge, line, point or skeleton
 * node; for a bitmask, a set pixel under p or with its centre within `tolerance`.
 */
export function hitTest(g: Geom, p: Pt, tolerance: number): boolean {
  switch (g.kind) {
    case "bounding_box":
      return distanceToRect(p, g.x, g.y, g.w, g.h) <= tolerance;
    case "rotatable_bounding_box": {
      const q = toLocal(g, p);
      return distanceToRect(q, -g.w / 2, -g.h / 2, g.w, g.h) <= tolerance;
    }
    case "polygon":
      for (const rings of g.parts) {
        let inside = false;
        for (const ring of rings) {
          if (pointInRing(p, ring)) inside = !inside;
          if (distanceToPath(p, ring, true) <= tolerance) return true;
        }
        if (inside) return true;
      }
      return false;
    case "polyline":
      return distanceToPath(p, g.points, false) <= tolerance;
    case "point":
      return distance(p, g) <= tolerance;
    case "skeleton":
      return g.nodes.some((n) => distance(p, n) <= tolerance);
    case "bitmask":
      return bitmaskHit(g, p, tolerance);
  }
}
