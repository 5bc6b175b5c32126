// Rotated boxes: corners, the rotate handle and dragging corners or edges, in pixel space.
// As the model keeps them (labelspace.model.coordinates.RotatableBoundingBoxCoordinates): x, y,
// w, h are the unrotated box; theta is in degrees, clockwise on screen (y down), about its centre.

import type { Pt, RotatedBoxGeom } from "./geom";

const RAD = Math.PI / 180;

/** An angle in degrees brought into [0, 360). */
export function normaliseTheta(theta: number): number {
  const t = ((theta % 360) + 360) % 360;
  return t === 360 || Object.is(t, -0) ? 0 : t;
}

export function rotatedCentre(g: RotatedBoxGeom): Pt {
  return { x: g.x + g.w / 2, y: g.y + g.h / 2 };
}

/** A point given relative to the centre along the box's own axes, in image pixels. */
export function fromLocal(g: RotatedBoxGeom, a: number, b: number): Pt {
  const c = rotatedCentre(g);
  const t = g.theta * RAD;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  return { x: c.x + a * cos - b * sin, y: c.y + a * sin + b * cos };
}

/** An image point relative to the box's centre along the box's own axes (the inverse of fromLocal). */
export function toLocal(g: RotatedBoxGeom, p: Pt): Pt {
  const c = rotatedCentre(g);
  const t = g.theta * RAD;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const dx = p.x - c.x;
  const dy = p.y - c.y;
  return { x: dx * cos + dy * sin, y: -dx * sin + dy * cos };
}

/** The corners, clockwise on screen: the unrotated top-left, top-right, bottom-right, bottom-left, turned. */
export function rotatedCorners(g: RotatedBoxGeom): Pt[] {
  const a = g.w / 2;
  const b = g.h / 2;
  return [fromLocal(g, -a, -b), fromLocal(g, a, -b), fromLocal(g, a, b), fromLocal(g, -a, b)];
}

/** The rotate handle: `offset` pixels above the middle of the (unrotated) top edge, turned with the box. */
export function rotateHandle(g: RotatedBoxGeom, offset: number): Pt {
  return fromLocal(g, 0, -g.h / 2 - offset);
}

/** The theta, in [0, 360), at which the rotate handle points from the centre towards p. */
export function thetaFromHandle(g: RotatedBoxGeom, p: Pt): number {
  const c = rotatedCentre(g);
  const dx = p.x - c.x;
  const dy = p.y - c.y;
  if (dx === 0 && dy === 0) return normaliseTheta(g.theta);
  // The handle's direction at theta is (sin t, -cos t).
  return normaliseTheta(Math.atan2(dx, -dy) / RAD);
}

/** The box (same theta) whose diagonal runs from image point `fixed` to image point `moved`. */
function spanning(g: RotatedBoxGeom, fixed: Pt, moved: Pt): RotatedBoxGeom {
  const t = g.theta * RAD;
  const dx = moved.x - fixed.x;
  const dy = moved.y - fixed.y;
  const w = Math.abs(dx * Math.cos(t) + dy * Math.sin(t));
  const h = Math.abs(-dx * Math.sin(t) + dy * Math.cos(t));
  const cx = (fixed.x + moved.x) / 2;
  const cy = (fixed.y + moved.y) / 2;
  return { kind: "rotatable_bounding_box", x: cx - w / 2, y: cy - h / 2, w, h, theta: g.theta };
}

/**
 * Drag corner `corner` (0..3, as rotatedCorners) to p: the opposite corner stays where it is and
 * theta is unchanged. Dragged past the opposite corner the box flips, so corner indexes swap.
 */
export function resizeRotated(g: RotatedBoxGeom, corner: number, p: Pt): RotatedBoxGeom {
  const corners = rotatedCorners(g);
  const fixed = corners[(((corner + 2) % 4) + 4) % 4];
  // Only the component of the drag along each of the box's axes counts.
  return spanning(g, fixed, p);
}

/**
 * Drag edge `edge` (0 top, 1 right, 2 bottom, 3 left, of the unrotated box) towards p: the edge
 * moves along the box's axis to p's position on it; the opposite edge and theta stay.
 */
export function resizeRotatedEdge(g: RotatedBoxGeom, edge: number, p: Pt): RotatedBoxGeom {
  const e = ((edge % 4) + 4) % 4;
  const q = toLocal(g, p);
  const a = g.w / 2;
  const b = g.h / 2;
  // The fixed corner and the moved one, in local coordinates, on the edge opposite and on `edge`.
  let fixed: [number, number];
  let moved: [number, number];
  if (e === 0) [fixed, moved] = [[a, b], [-a, q.y]];
  else if (e === 1) [fixed, moved] = [[-a, -b], [q.x, b]];
  else if (e === 2) [fixed, moved] = [[-a, -b], [a, q.y]];
  else [fixed, moved] = [[a, b], [q.x, -b]];
  return spanning(g, fromLocal(g, fixed[0], fixed[1]), fromLocal(g, moved[0], moved[1]));
}

/** The middles of the four edges (top, right, bottom, left of the unrotated box), turned: edge handles. */
export function rotatedEdgeMidpoints(g: RotatedBoxGeom): Pt[] {
  const a = g.w / 2;
  const b = g.h / 2;
  return [fromLocal(g, 0, -b), fromLocal(g, a, 0), fromLocal(g, 0, b), fromLocal(g, -a, 0)];
}
