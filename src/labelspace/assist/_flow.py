"""Pyramidal Lucas-Kanade optical flow with a forward-backward check, and what is built on it.

Points are in OpenCV's pixel convention: ``(0, 0)`` is the centre of the top-left pixel. A point
is tracked when the flow finds it from one frame to the next, finds it back again, and lands back
within ``MAX_FORWARD_BACKWARD_ERROR`` pixels of where it started.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

WINDOW = (11, 11)
"""The window the flow matches around each point, in pixels, on every pyramid level.

Smaller than OpenCV's default (21): points people place sit on or near an object's edge, and a
window that reaches into a still background holds them back (a point 10 pixels inside a moving
square drifts by 4 pixels in 50 frames with 21, by none with 11); noise of a few grey levels moves
them by well under a pixel either way."""
LEVELS = 4
"""Pyramid levels above the frame itself: motions up to about ``WINDOW * 2**LEVELS / 2`` (88) pixels a frame."""
MAX_FORWARD_BACKWARD_ERROR = 1.5
"""How far, in pixels, a point tracked forward then backward may land from where it started."""
MAX_FEATURES = 50
"""The most feature points picked inside a polygon."""


def flow(
    cv2: Any, before: npt.NDArray[np.uint8], after: npt.NDArray[np.uint8], points: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Move ``(k, 2)`` points from the grey frame ``before`` to ``after``.

    Returns:
        ``(moved, tracked)``: the ``(k, 2)`` positions on ``after``, and whether each passed the
        forward-backward check.
    """
    if points.shape[0] == 0:
        return points.copy(), np.zeros(0, np.bool_)
    criteria = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 30, 0.01)
    start = points.astype(np.float32).reshape(-1, 1, 2)
    moved, found, _ = cv2.calcOpticalFlowPyrLK(
        before, after, start, None, winSize=WINDOW, maxLevel=LEVELS, criteria=criteria
    )
    back, found_back, _ = cv2.calcOpticalFlowPyrLK(
        after, before, moved, None, winSize=WINDOW, maxLevel=LEVELS, criteria=criteria
    )
    error = np.linalg.norm((back - start).reshape(-1, 2), axis=1)
    out: FloatArray = moved.reshape(-1, 2).astype(np.float64)
    tracked: BoolArray = (
        (found.ravel() == 1)
        & (found_back.ravel() == 1)
        & (error <= MAX_FORWARD_BACKWARD_ERROR)
        & np.isfinite(out).all(axis=1)
    )
    return out, tracked


def features_inside(cv2: Any, gray: npt.NDArray[np.uint8], parts: list[list[FloatArray]]) -> FloatArray:
    """Corners worth tracking inside a polygon, away from its outline.

    Args:
        cv2: The OpenCV module.
        gray: The frame, grey.
        parts: The polygon's parts, each ``[outer ring, hole, ...]``, each ring ``(k, 2)`` points.

    Returns:
        ``(n, 2)`` points; none when the polygon is too small or has no texture.
    """
    height, width = gray.shape[:2]
    every = np.vstack([ring for part in parts for ring in part])
    left = max(0, int(np.floor(every[:, 0].min())))
    top = max(0, int(np.floor(every[:, 1].min())))
    right = min(width, int(np.ceil(every[:, 0].max())) + 1)
    bottom = min(height, int(np.ceil(every[:, 1].max())) + 1)
    if right - left < 8 or bottom - top < 8:
        return np.empty((0, 2))
    mask = np.zeros((bottom - top, right - left), np.uint8)
    offset = np.array([left, top], np.float64)
    for part in parts:
        for i, ring in enumerate(part):
            cv2.fillPoly(mask, [np.round(ring - offset).astype(np.int32)], 0 if i else 255)
    # Keep off the outline, where the flow's window sees as much background as object.
    mask = cv2.erode(mask, np.ones((7, 7), np.uint8))
    found = cv2.goodFeaturesToTrack(
        np.ascontiguousarray(gray[top:bottom, left:right]), MAX_FEATURES, 0.01, 3, mask=mask, blockSize=5
    )
    if found is None:
        return np.empty((0, 2))
    points: FloatArray = found.reshape(-1, 2).astype(np.float64) + offset
    return points


def similarity(cv2: Any, before: FloatArray, after: FloatArray) -> tuple[FloatArray, BoolArray] | None:
    """The similarity transform (shift, rotation, scale) that takes most of ``before`` to ``after``.

    Returns:
        ``(matrix, inliers)``: a ``2 x 3`` matrix and which points agree with it within a pixel
        (RANSAC); None when no transform is found.
    """
    matrix, inliers = cv2.estimateAffinePartial2D(
        before.astype(np.float32), after.astype(np.float32), method=cv2.RANSAC, ransacReprojThreshold=1.0
    )
    if matrix is None or inliers is None:
        return None
    return matrix.astype(np.float64), inliers.ravel().astype(np.bool_)
