// Where a shape drawn on a slice crosses a line of it: what a reformat of the volume shows of the
// labels. A reformat along image row r (axis 1) holds row r of every slice; a label on slice k
// shows there as the parts of row r its shape covers, drawn on the reformat's row k.

import type { Geom, Pt } from "../core/geom";
import { rotatedCorners } from "../core/rotated";

/** A stretch [from, to] along the line, in image pixels (from === to: a point on it). */
export type Span = [number, number];

/** Which line of the slice: image row `at` (a horizontal line) or image column `at` (vertical). */
export type Line = "row" | "column";

/**
 * The stretches of line `at` (a row or column index; the line runs through the middle of its
 * pixels) that the shape covers: exact for boxes, rotated boxes and polygons (even-odd, holes
 * left out) and bitmasks (its set pixels); where a polyline crosses it; points and skeleton nodes
 * within half a pixel of it. Along the row for a row, down the column for a column.
 */
export function cut(g: Geom, line: Line, at: number): Span[] {
  const c = at + 0.5;
  // Work on the row case: a column is a row of the shape with x and y swapped.
  const flip = line === "column";
  const across = (p: Pt): number => (flip ? p.y : p.x);
  const along = (p: Pt): number => (flip ? p.x : p.y);
  switch (g.kind) {
    case "bounding_box": {
      const [a0, a1] = flip ? [g.x, g.x + g.w] : [g.y, g.y + g.h];
      const [b0, b1] = flip ? [g.y, g.y + g.h] : [g.x, g.x + g.w];
      return c >= a0 && c <= a1 ? [[b0, b1]] : [];
    }
    case "rotatable_bounding_box":
      return crossRings([rotatedCorners(g)], c, across, along);
    case "polygon":
      return g.parts.flatMap((rings) => crossRings(rings, c, across, along));
    case "polyline": {
      const out: Span[] = [];
      for (let i = 1; i < g.points.length; i++) {
        const x = crossing(g.points[i - 1], g.points[i], c, across, along);
        if (x !== null) out.push([x, x]);
      }
      return out.sort((a, b) => a[0] - b[0]);
    }
    case "point":
      return Math.abs(along(g) - c) <= 0.5 ? [[across(g), across(g)]] : [];
    case "skeleton":
      return g.nodes.filter((n) => Math.abs(along(n) - c) <= 0.5).map((n): Span => [across(n), across(n)]);
    case "bitmask": {
      const out: Span[] = [];
      const n = flip ? g.height : g.width;
      if (at < 0 || at >= (flip ? g.width : g.height)) return out;
      let start = -1;
      for (let i = 0; i <= n; i++) {
        const set = i < n && g.mask[flip ? i * g.width + at : at * g.width + i] !== 0;
        if (set && start < 0) start = i;
        else if (!set && start >= 0) {
          out.push([start, i]);
          start = -1;
        }
      }
      return out;
    }
  }
}

/** Where the segment a-b crosses the line along === c (half-open, so a vertex on it counts once), or null. */
function crossing(a: Pt, b: Pt, c: number, across: (p: Pt) => number, along: (p: Pt) => number): number | null {
  const ya = along(a);
  const yb = along(b);
  if (ya <= c === yb <= c) return null;
  return across(a) + ((c - ya) * (across(b) - across(a))) / (yb - ya);
}

/** The stretches inside rings (an outer ring and its holes) by the even-odd rule. */
function crossRings(rings: Pt[][], c: number, across: (p: Pt) => number, along: (p: Pt) => number): Span[] {
  const xs: number[] = [];
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const x = crossing(ring[i], ring[(i + 1) % ring.length], c, across, along);
      if (x !== null) xs.push(x);
    }
  }
  xs.sort((a, b) => a - b);
  const out: Span[] = [];
  for (let i = 0; i + 1 < xs.length; i += 2) out.push([xs[i], xs[i + 1]]);
  return out;
}
