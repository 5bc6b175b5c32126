"""LabelMe's shapes in pixels: the outlines of area shapes, circles as polygons, rectangles given by their corners."""

from __future__ import annotations

import math

import numpy as np

CIRCLE_POINTS = 32
"""How many points the polygon standing for a circle has."""


def is_rectangle(points: list[tuple[float, float]]) -> bool:
    """Whether four points (pixels) are the corners of a rectangle, in order."""
    if len(points) != 4:
        return False
    p = np.array(points, dtype=np.float64)
    edges = np.roll(p, -1, axis=0) - p
    scale = max(float(np.abs(p).max()), 1.0) * 1e-6
    parallel = np.abs(edges[0] + edges[2]).max() <= scale and np.abs(edges[1] + edges[3]).max() <= scale
    return bool(parallel and abs(float(edges[0] @ edges[1])) <= scale * (np.hypot(*edges[0]) + np.hypot(*edges[1])))


def rotated_box(points: list[tuple[float, float]]) -> tuple[float, float, float, float, float]:
    """Centre, width, height and angle (degrees, clockwise) of a rectangle given by its corners in order."""
    (x0, y0), (x1, y1), (x2, y2) = points[0], points[1], points[2]
    cx = sum(p[0] for p in points) / 4
    cy = sum(p[1] for p in points) / 4
    return (
        cx,
        cy,
        math.hypot(x1 - x0, y1 - y0),
        math.hypot(x2 - x1, y2 - y1),
        math.degrees(math.atan2(y1 - y0, x1 - x0)),
    )


def _circle(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    (cx, cy), (px, py) = points
    radius = math.hypot(px - cx, py - cy)
    steps = [2 * math.pi * k / CIRCLE_POINTS for k in range(CIRCLE_POINTS)]
    return [(cx + radius * math.cos(a), cy + radius * math.sin(a)) for a in steps]


def ring(kind: str, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The outline of an area shape of ``kind`` (a ``shape_type``) given by its ``points``, in pixels."""
    if kind == "rectangle":
        (x1, y1), (x2, y2) = points
        left, right, top, bottom = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
        return [(left, top), (right, top), (right, bottom), (left, bottom)]
    if kind == "circle":
        return _circle(points)
    return list(points)
