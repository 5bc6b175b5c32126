"""Shapes between two keyframes: the value of an object at a fraction ``alpha`` of the way from one to the next.

One function per kind of shape, each taking the two keyframes' coordinates and an array of
fractions (0 < alpha < 1) and giving one value per fraction:

- boxes and points: linearly;
- rotated boxes: the box linearly, the angle along the shorter arc (350 to 10 degrees passes 0);
- skeletons: each node that both keyframes have, linearly; a node only one of them has, and every
  node's visibility, from the nearer keyframe;
- polylines and polygon rings: matched along their outlines, so that different vertex counts
  interpolate smoothly: each outline is parameterised by its normalised arc length, both are
  sampled at the union of their vertices' parameters, and the samples move linearly. A closed
  ring is first turned to run the same way round as the other and to start at the vertex that
  best matches the other's first (after centring both). Polygons whose parts or holes differ in
  number keep the nearer keyframe's shape;
- bitmasks: through signed distance fields, ``(1 - alpha) * sdf(a) + alpha * sdf(b) < 0``. The
  fields are exact Euclidean distances, computed on the box around both masks; a box larger than
  ``MASK_WORK_SIZE`` on a side is worked at a reduced scale and scaled back (its edges then step
  by the scale).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.model.coordinates import (
    BitmaskCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)
from labelspace.model.ontology import Shape

FloatArray = npt.NDArray[np.float64]

MASK_WORK_SIZE = 384
"""The largest side, in pixels, of the box a mask pair is interpolated on at full scale."""


def interpolate_rows(shape: Shape, a: FloatArray, b: FloatArray, alphas: FloatArray) -> FloatArray:
    """Rows (``LAYOUTS`` form) of boxes, rotated boxes or points between rows ``a`` and ``b``.

    Returns:
        ``(len(alphas), k)`` rows.
    """
    a = np.asarray(a, np.float64)
    b = np.asarray(b, np.float64)
    t = np.asarray(alphas, np.float64)[:, None]
    out: FloatArray = a + (b - a) * t
    if shape is Shape.ROTATABLE_BOUNDING_BOX:
        turn = (b[4] - a[4] + 180.0) % 360.0 - 180.0  # the shorter arc, in (-180, 180]
        if turn == -180.0:
            turn = 180.0
        out[:, 4] = a[4] + turn * t[:, 0]
    return out


def interpolate_objects(
    shape: Shape, a: GeometricCoordinates, b: GeometricCoordinates, alphas: FloatArray
) -> list[GeometricCoordinates]:
    """Coordinates of polygons, polylines, skeletons or bitmasks between ``a`` and ``b``, one per alpha."""
    if shape is Shape.POLYLINE:
        assert isinstance(a, PolylineCoordinates)
        assert isinstance(b, PolylineCoordinates)
        pa, pb = _outline_pair(_xy(a.values), _xy(b.values), closed=False)
        return [PolylineCoordinates(_points(pa + (pb - pa) * t)) for t in alphas.tolist()]
    if shape is Shape.POLYGON:
        assert isinstance(a, PolygonCoordinates)
        assert isinstance(b, PolygonCoordinates)
        return _polygons(a, b, alphas)
    if shape is Shape.SKELETON:
        assert isinstance(a, SkeletonCoordinates)
        assert isinstance(b, SkeletonCoordinates)
        return [_skeleton(a, b, t) for t in alphas.tolist()]
    if shape is Shape.BITMASK:
        assert isinstance(a, BitmaskCoordinates)
        assert isinstance(b, BitmaskCoordinates)
        return list(_masks(a, b, alphas))
    raise ValueError(f"interpolate_objects does not take {shape.value}; boxes and points go by interpolate_rows.")


# -- outlines --


def _xy(points: Sequence[PointCoordinate]) -> FloatArray:
    return np.array([(p.x, p.y) for p in points], np.float64)


def _points(xy: FloatArray) -> list[PointCoordinate]:
    clipped = np.clip(xy, 0.0, 1.0)
    return [PointCoordinate(x, y) for x, y in clipped.tolist()]


def _parameters(xy: FloatArray, closed: bool) -> FloatArray:
    """Each vertex's position along the outline, as a fraction of its length (0 for the first)."""
    ring = np.vstack((xy, xy[:1])) if closed else xy
    steps = np.hypot(*np.diff(ring, axis=0).T)
    total = float(steps.sum())
    n = len(xy)
    if total <= 0.0:
        return np.arange(n, dtype=np.float64) / (n if closed else max(n - 1, 1))
    along: FloatArray = np.concatenate(([0.0], np.cumsum(steps)))[:n] / total
    return along


def _sample(xy: FloatArray, own: FloatArray, at: FloatArray, closed: bool) -> FloatArray:
    """Points at outline positions ``at``, on the outline through ``xy`` whose vertices sit at ``own``."""
    if closed:
        xy = np.vstack((xy, xy[:1]))
        own = np.concatenate((own, [1.0]))
    return np.column_stack((np.interp(at, own, xy[:, 0]), np.interp(at, own, xy[:, 1])))


def _signed_area(xy: FloatArray) -> float:
    x, y = xy[:, 0], xy[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)) / 2


def _align_ring(a: FloatArray, b: FloatArray) -> FloatArray:
    """``b`` turned to run the way ``a`` runs, starting at the vertex that matches ``a``'s first best."""
    if _signed_area(a) * _signed_area(b) < 0:
        b = b[::-1]
    offset = (a[0] - a.mean(axis=0)) - (b - b.mean(axis=0))
    start = int(np.argmin(np.hypot(offset[:, 0], offset[:, 1])))
    return np.roll(b, -start, axis=0)


def _outline_pair(a: FloatArray, b: FloatArray, closed: bool) -> tuple[FloatArray, FloatArray]:
    """Both outlines sampled at the same positions: the union of their vertices' positions."""
    if closed:
        b = _align_ring(a, b)
    ta, tb = _parameters(a, closed), _parameters(b, closed)
    at = np.union1d(ta, tb)
    if len(at) > 1:
        keep = np.concatenate(([True], np.diff(at) > 1e-12))
        at = at[keep]
    return _sample(a, ta, at, closed), _sample(b, tb, at, closed)


def _polygons(a: PolygonCoordinates, b: PolygonCoordinates, alphas: FloatArray) -> list[GeometricCoordinates]:
    same_layout = len(a.polygons) == len(b.polygons) and all(
        len(pa) == len(pb) for pa, pb in zip(a.polygons, b.polygons, strict=True)
    )
    if not same_layout:
        return [a if t < 0.5 else b for t in alphas.tolist()]
    pairs = [
        [_outline_pair(_xy(ra), _xy(rb), closed=True) for ra, rb in zip(pa, pb, strict=True)]
        for pa, pb in zip(a.polygons, b.polygons, strict=True)
    ]
    return [
        PolygonCoordinates(polygons=[[_points(ra + (rb - ra) * t) for ra, rb in part] for part in pairs])
        for t in alphas.tolist()
    ]


# -- skeletons --


def _skeleton(a: SkeletonCoordinates, b: SkeletonCoordinates, t: float) -> SkeletonCoordinates:
    near, far = (a, b) if t < 0.5 else (b, a)
    other = {node.name: node for node in far.values}
    start = {node.name: node for node in a.values}
    end = {node.name: node for node in b.values}
    nodes = []
    for node in near.values:
        if node.name in other:
            p, q = start[node.name], end[node.name]
            x = min(max(p.x + (q.x - p.x) * t, 0.0), 1.0)
            y = min(max(p.y + (q.y - p.y) * t, 0.0), 1.0)
            nodes.append(SkeletonCoordinate(x, y, node.name, node.visibility))
        else:
            nodes.append(node)
    return SkeletonCoordinates(nodes, near.name)


# -- masks --


def _column_distances(mask: npt.NDArray[np.bool_]) -> FloatArray:
    """Per pixel, the distance up or down its column to the nearest True pixel (2 * (h + w) if none)."""
    h, w = mask.shape
    big = float(h + w) * 2
    d = np.where(mask, 0.0, big)
    for y in range(1, h):
        np.minimum(d[y], d[y - 1] + 1.0, out=d[y])
    for y in range(h - 2, -1, -1):
        np.minimum(d[y], d[y + 1] + 1.0, out=d[y])
    return d


def distance_to(mask: npt.NDArray[np.bool_]) -> FloatArray:
    """The exact Euclidean distance from every pixel to the nearest True pixel of ``mask``.

    Separable: distances along columns first (``g``), then per row the least
    ``g(x')**2 + (x - x')**2``, taken over growing offsets ``|x - x'|`` until an offset's square
    exceeds every distance found (no farther pixel can be nearer).
    """
    g2 = _column_distances(mask) ** 2
    out = g2.copy()
    w = mask.shape[1]
    bound = float(out.max()) if out.size else 0.0
    for d in range(1, w):
        step = float(d * d)
        if step >= bound:
            break
        np.minimum(out[:, d:], g2[:, :-d] + step, out=out[:, d:])
        np.minimum(out[:, :-d], g2[:, d:] + step, out=out[:, :-d])
        if d % 8 == 0:
            bound = float(out.max())
    result: FloatArray = np.sqrt(out)
    return result


def signed_distance(mask: npt.NDArray[np.bool_]) -> FloatArray:
    """Negative inside the mask, positive outside: the distance to the mask's edge."""
    return distance_to(mask) - distance_to(~mask)


def _box(mask: npt.NDArray[np.bool_]) -> tuple[int, int, int, int] | None:
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def _masks(a: BitmaskCoordinates, b: BitmaskCoordinates, alphas: Any) -> list[BitmaskCoordinates]:
    ma, mb = a.to_array(), b.to_array()
    box_a, box_b = _box(ma), _box(mb)
    if box_a is None or box_b is None or ma.shape != mb.shape:
        return [a if t < 0.5 else b for t in alphas.tolist()]
    h, w = ma.shape
    margin = 2
    y0 = max(min(box_a[0], box_b[0]) - margin, 0)
    y1 = min(max(box_a[1], box_b[1]) + margin, h)
    x0 = max(min(box_a[2], box_b[2]) - margin, 0)
    x1 = min(max(box_a[3], box_b[3]) + margin, w)
    crop_a, crop_b = ma[y0:y1, x0:x1], mb[y0:y1, x0:x1]
    scale = max(1, math.ceil(max(y1 - y0, x1 - x0) / MASK_WORK_SIZE))
    if scale > 1:
        crop_a, crop_b = _shrink(crop_a, scale), _shrink(crop_b, scale)
    # A one-pixel frame of background, so that distances inside reach the edge of the box too.
    sa = signed_distance(np.pad(crop_a, 1))[1:-1, 1:-1]
    sb = signed_distance(np.pad(crop_b, 1))[1:-1, 1:-1]
    out = []
    for t in alphas.tolist():
        inside = (1.0 - t) * sa + t * sb < 0
        if scale > 1:
            inside = np.repeat(np.repeat(inside, scale, axis=0), scale, axis=1)[: y1 - y0, : x1 - x0]
        full = np.zeros((h, w), np.bool_)
        full[y0:y1, x0:x1] = inside
        out.append(BitmaskCoordinates(full))
    return out


def _shrink(mask: npt.NDArray[np.bool_], scale: int) -> npt.NDArray[np.bool_]:
    """Blocks of ``scale`` x ``scale`` pixels, each True if at least half of it is."""
    h, w = mask.shape
    hh, ww = -(-h // scale) * scale, -(-w // scale) * scale
    padded = np.zeros((hh, ww), np.float64)
    padded[:h, :w] = mask
    blocks = padded.reshape(hh // scale, scale, ww // scale, scale).mean(axis=(1, 3))
    result: npt.NDArray[np.bool_] = blocks >= 0.5
    return result


__all__ = ["MASK_WORK_SIZE", "distance_to", "interpolate_objects", "interpolate_rows", "signed_distance"]
