// Editing polygons (parts of rings, holes included) and polylines vertex by vertex. Every function
// returns a new geometry and leaves its argument as it was; bad part, ring or vertex indexes throw.

import type { PolygonGeom, PolylineGeom, Pt } from "./geom";
import { closestOnSegment, distance, midpoint, pointInRing, signedArea } from "./planar";

/** Where a vertex is: its part, ring and index (a polyline's are part 0, ring 0). */
export interface VertexRef {
  part: number;
  ring: number;
  index: number;
}

/** An edge from vertex `index` to the next, and the point of it nearest to where was asked. */
export interface EdgeRef extends VertexRef {
  point: Pt;
}

function checkIndex(what: string, index: number, length: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new RangeError(`${what} ${index} does not exist (there are ${length}).`);
  }
}

function ringOf(g: PolygonGeom, part: number, ring: number): Pt[] {
  checkIndex("Polygon part", part, g.parts.length);
  checkIndex(`Ring of part ${part}:`, ring, g.parts[part].length);
  return g.parts[part][ring];
}

function withRing(g: PolygonGeom, part: number, ring: number, points: Pt[]): PolygonGeom {
  return {
    kind: "polygon",
    parts: g.parts.map((rings, i) => (i === part ? rings.map((r, j) => (j === ring ? points : r)) : rings)),
  };
}

/** Insert p after vertex `afterIndex` (-1 puts it first); midpoints(ring, true)[i] goes after i. */
export function polygonInsertVertex(g: PolygonGeom, part: number, ring: number, afterIndex: number, p: Pt): PolygonGeom {
  const points = ringOf(g, part, ring);
  if (!Number.isInteger(afterIndex) || afterIndex < -1 || afterIndex >= points.length) {
    throw new RangeError(`Cannot insert after vertex ${afterIndex} of a ring of ${points.length}.`);
  }
  const next = points.slice();
  next.splice(afterIndex + 1, 0, { x: p.x, y: p.y });
  return withRing(g, part, ring, next);
}

export function polygonMoveVertex(g: PolygonGeom, part: number, ring: number, index: number, p: Pt): PolygonGeom {
  const points = ringOf(g, part, ring);
  checkIndex("Vertex", index, points.length);
  return withRing(g, part, ring, points.map((q, i) => (i === index ? { x: p.x, y: p.y } : q)));
}

/**
 * Delete a vertex. A ring left with fewer than 3 vertices goes: a hole simply, an outer ring with
 * its part (holes included). Null when no part is left.
 */
export function polygonDeleteVertex(g: PolygonGeom, part: number, ring: number, index: number): PolygonGeom | null {
  const points = ringOf(g, part, ring);
  checkIndex("Vertex", index, points.length);
  const next = points.filter((_, i) => i !== index);
  if (next.length >= 3) return withRing(g, part, ring, next);
  if (ring > 0) {
    return { kind: "polygon", parts: g.parts.map((rings, i) => (i === part ? rings.filter((_, j) => j !== ring) : rings)) };
  }
  const parts = g.parts.filter((_, i) => i !== part);
  return parts.length ? { kind: "polygon", parts } : null;
}

function ringInside(inner: Pt[], outer: Pt[]): boolean {
  return inner.every((p) => pointInRing(p, outer));
}

/**
 * Add a ring. If its vertices all lie inside a part's outer ring, and not inside one of that
 * part's holes, it becomes a hole of that part (the innermost such part); otherwise a new part.
 */
export function polygonAddRing(g: PolygonGeom, ring: Pt[]): PolygonGeom {
  if (ring.length < 3) throw new RangeError(`A polygon ring needs at least 3 vertices, got ${ring.length}.`);
  const copy = ring.map((p) => ({ x: p.x, y: p.y }));
  let host = -1;
  let hostArea = Infinity;
  g.parts.forEach((rings, i) => {
    if (!ringInside(copy, rings[0]) || rings.slice(1).some((hole) => ringInside(copy, hole))) return;
    const area = Math.abs(signedArea(rings[0]));
    if (area < hostArea) [host, hostArea] = [i, area];
  });
  if (host < 0) return { kind: "polygon", parts: [...g.parts, [copy]] };
  return { kind: "polygon", parts: g.parts.map((rings, i) => (i === host ? [...rings, copy] : rings)) };
}

/** The middle of each edge, for insert handles: n of them for a closed ring, n - 1 for an open line. */
export function midpoints(ring: Pt[], closed: boolean): Pt[] {
  const n = ring.length;
  if (n < 2) return [];
  const out: Pt[] = [];
  const edges = closed ? n : n - 1;
  for (let i = 0; i < edges; i++) out.push(midpoint(ring[i], ring[(i + 1) % n]));
  return out;
}

function ringsOf(g: PolygonGeom | PolylineGeom): { part: number; ring: number; points: Pt[]; closed: boolean }[] {
  if (g.kind === "polyline") return [{ part: 0, ring: 0, points: g.points, closed: false }];
  return g.parts.flatMap((rings, part) => rings.map((points, ring) => ({ part, ring, points, closed: true })));
}

/** The vertex nearest to p within `tolerance` pixels, or null. */
export function nearestVertex(g: PolygonGeom | PolylineGeom, p: Pt, tolerance: number): VertexRef | null {
  let best: VertexRef | null = null;
  let bestDistance = tolerance;
  for (const { part, ring, points } of ringsOf(g)) {
    points.forEach((q, index) => {
      const d = distance(p, q);
      if (d <= bestDistance) [best, bestDistance] = [{ part, ring, index }, d];
    });
  }
  return best;
}

/** The edge nearest to p within `tolerance` pixels (to insert a vertex on it), or null. */
export function nearestEdge(g: PolygonGeom | PolylineGeom, p: Pt, tolerance: number): EdgeRef | null {
  let best: EdgeRef | null = null;
  let bestDistance = tolerance;
  for (const { part, ring, points, closed } of ringsOf(g)) {
    const n = points.length;
    const edges = closed ? n : n - 1;
    for (let index = 0; index < edges; index++) {
      const hit = closestOnSegment(p, points[index], points[(index + 1) % n]);
      if (hit.distance <= bestDistance) [best, bestDistance] = [{ part, ring, index, point: hit.point }, hit.distance];
    }
  }
  return best;
}

/** Insert p after point `afterIndex` (-1 puts it first). */
export function polylineInsertVertex(g: PolylineGeom, afterIndex: number, p: Pt): PolylineGeom {
  if (!Number.isInteger(afterIndex) || afterIndex < -1 || afterIndex >= g.points.length) {
    throw new RangeError(`Cannot insert after point ${afterIndex} of a line of ${g.points.length}.`);
  }
  const points = g.points.slice();
  points.splice(afterIndex + 1, 0, { x: p.x, y: p.y });
  return { kind: "polyline", points };
}

export function polylineMoveVertex(g: PolylineGeom, index: number, p: Pt): PolylineGeom {
  checkIndex("Point", index, g.points.length);
  return { kind: "polyline", points: g.points.map((q, i) => (i === index ? { x: p.x, y: p.y } : q)) };
}

/** Delete a point; null when fewer than 2 would be left. */
export function polylineDeleteVertex(g: PolylineGeom, index: number): PolylineGeom | null {
  checkIndex("Point", index, g.points.length);
  const points = g.points.filter((_, i) => i !== index);
  return points.length >= 2 ? { kind: "polyline", points } : null;
}
