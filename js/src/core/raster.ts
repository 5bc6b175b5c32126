// Filling polygons into a mask by scanlines: a pixel is inside when its centre (x + 0.5, y + 0.5)
// is, by the even-odd rule over all the rings given (so holes stay clear).

import type { Pt } from "./geom";
import { emptyRect, type DirtyRect } from "./rect";
import { writeSpan } from "./span";

interface Edge {
  ax: number;
  ay: number;
  slope: number; // dx per dy
  yMin: number;
  yMax: number;
}

/** Set (1) or clear (0) the pixels inside the rings, even-odd; returns the area that changed. */
export function fillRings(mask: Uint8Array, width: number, height: number, rings: Pt[][], value: 0 | 1): DirtyRect {
  const dirty = emptyRect();
  const edges: Edge[] = [];
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const a = ring[j];
      const b = ring[i];
      if (a.y === b.y) continue;
      edges.push({ ax: a.x, ay: a.y, slope: (b.x - a.x) / (b.y - a.y), yMin: Math.min(a.y, b.y), yMax: Math.max(a.y, b.y) });
    }
  }
  if (!edges.length) return dirty;
  edges.sort((e, f) => e.yMin - f.yMin);
  const top = edges[0].yMin;
  let bottom = -Infinity;
  for (const e of edges) if (e.yMax > bottom) bottom = e.yMax;
  const yStart = Math.max(0, Math.ceil(top - 0.5));
  const yEnd = Math.min(height - 1, Math.ceil(bottom - 0.5) - 1);
  let next = 0;
  let active: Edge[] = [];
  const xs: number[] = [];
  for (let y = yStart; y <= yEnd; y++) {
    const yc = y + 0.5;
    while (next < edges.length && edges[next].yMin <= yc) active.push(edges[next++]);
    active = active.filter((e) => e.yMax > yc);
    xs.length = 0;
    // An edge counts on the rows whose centre is in [yMin, yMax): vertices are not counted twice.
    for (const e of active) if (e.yMin <= yc) xs.push(e.ax + (yc - e.ay) * e.slope);
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      writeSpan(mask, width, y, Math.ceil(xs[k] - 0.5), Math.ceil(xs[k + 1] - 0.5), value, dirty);
    }
  }
  return dirty;
}

/** Set (1) or clear (0) the pixels inside one ring (even-odd); returns the area that changed. */
export function fillPolygon(mask: Uint8Array, width: number, height: number, ring: Pt[], value: 0 | 1): DirtyRect {
  return fillRings(mask, width, height, [ring], value);
}
