// Plane geometry on points, segments and rings: the small math the shape functions share.

import type { Bounds, Pt } from "./geom";

export function distance(a: Pt, b: Pt): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

export function midpoint(a: Pt, b: Pt): Pt {
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/** The point of segment ab nearest to p, and how far p is from it. */
export function closestOnSegment(p: Pt, a: Pt, b: Pt): { point: Pt; distance: number } {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
  const point = { x: a.x + t * dx, y: a.y + t * dy };
  return { point, distance: distance(p, point) };
}

export function distanceToSegment(p: Pt, a: Pt, b: Pt): number {
  return closestOnSegment(p, a, b).distance;
}

/**
 * The shoelace (signed) area of a ring. With y pointing down (screen and image pixels) it is
 * positive when the ring runs clockwise on screen, negative when anticlockwise.
 */
export function signedArea(ring: Pt[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    sum += ring[j].x * ring[i].y - ring[i].x * ring[j].y;
  }
  return sum / 2;
}

/** Whether p is inside the ring (even-odd crossing rule; the ring is closed implicitly). */
export function pointInRing(p: Pt, ring: Pt[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** How far p is from the ring's edges (closed) or the line's segments (open); Infinity if empty. */
export function distanceToPath(p: Pt, points: Pt[], closed: boolean): number {
  if (points.length === 1) return distance(p, points[0]);
  let best = Infinity;
  const n = points.length;
  const edges = closed ? n : n - 1;
  for (let i = 0; i < edges; i++) best = Math.min(best, distanceToSegment(p, points[i], points[(i + 1) % n]));
  return best;
}

/** The axis-aligned bounds of some points; an empty box at 0,0 when there are none. */
export function pointsBounds(points: Iterable<Pt>): Bounds {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of points) {
    if (p.x < x0) x0 = p.x;
    if (p.y < y0) y0 = p.y;
    if (p.x > x1) x1 = p.x;
    if (p.y > y1) y1 = p.y;
  }
  if (x0 > x1) return { x: 0, y: 0, w: 0, h: 0 };
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}

/** p moved to the nearest position inside 0..width x 0..height. */
export function clampPt(p: Pt, width: number, height: number): Pt {
  return { x: Math.min(Math.max(p.x, 0), width), y: Math.min(Math.max(p.y, 0), height) };
}
