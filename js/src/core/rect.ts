// Dirty rectangles: the pixel area a mask edit changed, inclusive-exclusive, to redraw just that.

export interface DirtyRect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A rectangle with nothing in it. */
export function emptyRect(): DirtyRect {
  return { x0: 0, y0: 0, x1: 0, y1: 0 };
}

export function isEmptyRect(r: DirtyRect): boolean {
  return r.x1 <= r.x0 || r.y1 <= r.y0;
}

/** The smallest rectangle holding both; an empty one adds nothing. */
export function unionRect(a: DirtyRect, b: DirtyRect): DirtyRect {
  if (isEmptyRect(a)) return isEmptyRect(b) ? emptyRect() : { ...b };
  if (isEmptyRect(b)) return { ...a };
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

/** Grow r (in place) to take in pixels x0..x1 (exclusive) of row y. */
export function growRect(r: DirtyRect, y: number, x0: number, x1: number): void {
  if (isEmptyRect(r)) {
    r.x0 = x0;
    r.x1 = x1;
    r.y0 = y;
    r.y1 = y + 1;
    return;
  }
  if (x0 < r.x0) r.x0 = x0;
  if (x1 > r.x1) r.x1 = x1;
  if (y < r.y0) r.y0 = y;
  if (y + 1 > r.y1) r.y1 = y + 1;
}
