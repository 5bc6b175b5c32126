"""Rotated boxes: Label Studio turns a rectangle about its top-left corner, labelspace about its centre.

Both ways are converted exactly, through the centre in pixels: the axes of a percentage differ
when the image is not square.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from labelspace.formats._common import FloatArray


def corner_to_centre(rows: FloatArray, width: int, height: int) -> FloatArray:
    """Label Studio boxes ``(x, y, w, h, rotation)`` in percent, turned about (x, y), as labelspace rows.

    labelspace rows are ``(x, y, w, h, theta)`` normalised, the unrotated box turned about its
    centre.
    """
    px, py = rows[:, 0] / 100 * width, rows[:, 1] / 100 * height
    pw, ph = rows[:, 2] / 100 * width, rows[:, 3] / 100 * height
    t = np.radians(rows[:, 4])
    cx = px + (pw * np.cos(t) - ph * np.sin(t)) / 2
    cy = py + (pw * np.sin(t) + ph * np.cos(t)) / 2
    theta = np.mod(rows[:, 4], 360.0)
    return np.column_stack([(cx - pw / 2) / width, (cy - ph / 2) / height, rows[:, 2] / 100, rows[:, 3] / 100, theta])


def centre_to_corner(row: Sequence[float], width: int, height: int) -> tuple[float, float, float, float, float]:
    """A labelspace rotated box row as Label Studio's ``(x, y, width, height, rotation)`` in percent."""
    x, y, w, h, theta = (float(v) for v in row)
    pw, ph = w * width, h * height
    cx, cy = x * width + pw / 2, y * height + ph / 2
    t = math.radians(theta)
    px = cx - (pw * math.cos(t) - ph * math.sin(t)) / 2
    py = cy - (pw * math.sin(t) + ph * math.cos(t)) / 2
    return px / width * 100, py / height * 100, w * 100, h * 100, theta % 360.0


def wrap(angle: FloatArray) -> FloatArray:
    """Angles in degrees mapped to (-180, 180]."""
    a = np.mod(angle + 180.0, 360.0) - 180.0
    return np.where(a == -180.0, 180.0, a)
