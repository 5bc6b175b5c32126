"""Points, polylines, skeletons and polygons, followed from frame to frame by optical flow.

A point, each vertex of a polyline and each node of a skeleton is moved by its own flow; a point
that fails the forward-backward check moves with the median motion of those that pass, and the
shape is lost when fewer than ``MIN_TRACKED`` of its points pass. A polygon moves with what is
inside it: feature points picked inside it are followed by the flow, and a similarity transform
(shift, rotation, scale) fitted to them with RANSAC, from where they were picked to where they
are, moves the vertices from where they were then. Its vertices lie on the object's outline, where
the flow's window sees as much background as object, so following them one by one would leave
them behind on a still background. When fewer than half the features picked are left, new ones are
picked inside the polygon where it now is. A polygon with too little texture inside falls back to
following its vertices one by one.

The confidence is the fraction of points that passed: of the shape's points, or, for a polygon,
of its feature points that agree with the transform. It is rounded to two decimals, so that frames
share metadata records.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np
import numpy.typing as npt

from labelspace.assist._flow import features_inside, similarity
from labelspace.assist._frames import Frame
from labelspace.model.coordinates import (
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
PointShape = Union[FloatArray, PolylineCoordinates, SkeletonCoordinates, PolygonCoordinates]
"""What these followers follow and return: a point row ``(x, y)``, or a polyline, skeleton or polygon."""

MIN_TRACKED = 0.5
"""The fraction of a shape's points that must pass for it to count as still tracked."""
MIN_FEATURES = 6
"""Fewer feature points inside a polygon than this, and its vertices are followed one by one."""


def _to_pixels(xy: FloatArray, size: tuple[int, int]) -> FloatArray:
    """Normalised ``(k, 2)`` positions (0 and 1 are the image's edges) to OpenCV's pixel positions."""
    return xy * np.array(size, np.float64) - 0.5


def _to_normalised(points: FloatArray, size: tuple[int, int]) -> FloatArray:
    """OpenCV's pixel positions to normalised ones, clipped to the image."""
    return np.clip((points + 0.5) / np.array(size, np.float64), 0.0, 1.0)


def _inside(points: FloatArray, size: tuple[int, int]) -> bool:
    """Whether the points' centroid is on the image."""
    cx, cy = (float(v) + 0.5 for v in points.mean(axis=0))
    return 0.0 <= cx <= size[0] and 0.0 <= cy <= size[1]


def _one_by_one(before: FloatArray, moved: FloatArray, tracked: BoolArray) -> tuple[FloatArray, float] | None:
    """Points moved by their own flow (the failed ones by the median motion); None if too few passed."""
    share = float(tracked.mean())
    if not tracked.any() or share < MIN_TRACKED:
        return None
    median = np.median(moved[tracked] - before[tracked], axis=0)
    return np.where(tracked[:, None], moved, before + median), share


class PointsFollower:
    """Follows a point row, a polyline or a skeleton, each point by its own flow.

    Args:
        value: The shape on the start frame.
        frame: The start frame.
    """

    def __init__(self, value: PointShape, frame: Frame) -> None:
        self._template = value
        self._size = frame.size
        if isinstance(value, np.ndarray):
            xy = value.reshape(1, 2)
        elif isinstance(value, (PolylineCoordinates, SkeletonCoordinates)):
            xy = np.array([(p.x, p.y) for p in value.values], np.float64)
        else:
            raise TypeError(f"PointsFollower does not follow {type(value).__name__}")
        self.points = _to_pixels(xy, self._size)

    def points_to_flow(self) -> FloatArray:
        """The ``(k, 2)`` pixel positions the flow should move to the next frame."""
        return self.points

    def update(self, frame: Frame, moved: FloatArray, tracked: BoolArray) -> tuple[PointShape, float] | None:
        """The shape on ``frame`` and the confidence, given the flow of ``points_to_flow()``; None when lost."""
        result = _one_by_one(self.points, moved, tracked)
        if result is None or not _inside(result[0], self._size):
            return None
        self.points, share = result
        return self._value(_to_normalised(self.points, self._size)), round(share, 2)

    def _value(self, xy: FloatArray) -> PointShape:
        template = self._template
        if isinstance(template, np.ndarray):
            row: FloatArray = xy[0].copy()
            return row
        if isinstance(template, PolylineCoordinates):
            return PolylineCoordinates([PointCoordinate(float(x), float(y)) for x, y in xy])
        assert isinstance(template, SkeletonCoordinates)
        return SkeletonCoordinates(
            [
                SkeletonCoordinate(float(x), float(y), node.name, node.visibility)
                for (x, y), node in zip(xy, template.values, strict=True)
            ],
            name=template.name,
        )


class PolygonFollower:
    """Follows a polygon (every part, holes too) by the flow of feature points inside it.

    Args:
        cv2: The OpenCV module.
        value: The polygon on the start frame.
        frame: The start frame.
    """

    def __init__(self, cv2: Any, value: PolygonCoordinates, frame: Frame) -> None:
        self._cv2 = cv2
        self._size = frame.size
        self._lengths = [[len(ring) for ring in part] for part in value.polygons]
        xy = np.array([(p.x, p.y) for part in value.polygons for ring in part for p in ring], np.float64)
        self.vertices = _to_pixels(xy, self._size)
        self._vertices_flow = False  # set by points_to_flow: whether the vertices are among the points
        self._pick_features(frame)

    def _pick_features(self, frame: Frame) -> None:
        """Pick feature points inside the polygon on ``frame``, which becomes the reference for the transform."""
        self.features = features_inside(self._cv2, frame.gray, self._parts(self.vertices))
        self._reference = (self.vertices, self.features)
        self._refill_below = max(MIN_FEATURES, self.features.shape[0] // 2)

    def points_to_flow(self) -> FloatArray:
        """The ``(k, 2)`` pixel positions the flow should move.

        The feature points; and first the vertices too when there are too few features to fit a
        transform (the vertices then move one by one).
        """
        self._vertices_flow = self.features.shape[0] < MIN_FEATURES
        if self._vertices_flow:
            return np.vstack([self.vertices, self.features])
        return self.features

    def update(self, frame: Frame, moved: FloatArray, tracked: BoolArray) -> tuple[PolygonCoordinates, float] | None:
        """The polygon on ``frame`` and the confidence, given the flow of ``points_to_flow()``; None when lost."""
        k = self.vertices.shape[0] if self._vertices_flow else 0
        features = self.features
        if not self._vertices_flow:
            # The transform is fitted from where the features were picked, not from the last frame, so
            # that its small errors do not compound from frame to frame.
            reference_vertices, reference_features = self._reference
            passed = tracked[k:]
            fit = (
                similarity(self._cv2, reference_features[passed], moved[k:][passed])
                if passed.sum() >= MIN_FEATURES
                else None
            )
            if fit is None:
                return None
            matrix, inliers = fit
            share = float(inliers.sum()) / features.shape[0]
            if share < MIN_TRACKED:
                return None
            vertices = reference_vertices @ matrix[:, :2].T + matrix[:, 2]
            features = moved[k:][passed][inliers]
            self._reference = (reference_vertices, reference_features[passed][inliers])
        else:
            result = _one_by_one(self.vertices, moved[:k], tracked[:k])
            if result is None:
                return None
            vertices, share = result
            features = moved[k:][tracked[k:]]
        if not _inside(vertices, self._size):
            return None
        self.vertices = vertices
        self.features = features
        if features.shape[0] < self._refill_below:
            self._pick_features(frame)
        return self._polygon(_to_normalised(vertices, self._size)), round(share, 2)

    def _parts(self, points: FloatArray) -> list[list[FloatArray]]:
        """Split a ``(k, 2)`` array of every vertex back into parts of rings."""
        parts, at = [], 0
        for lengths in self._lengths:
            rings = []
            for n in lengths:
                rings.append(points[at : at + n])
                at += n
            parts.append(rings)
        return parts

    def _polygon(self, xy: FloatArray) -> PolygonCoordinates:
        return PolygonCoordinates(
            polygons=[
                [[PointCoordinate(float(x), float(y)) for x, y in ring] for ring in part] for part in self._parts(xy)
            ]
        )
