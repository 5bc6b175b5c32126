"""Boxes and rotated boxes, followed from frame to frame by OpenCV's KCF or CSRT tracker.

The tracker follows a whole-pixel rectangle. The box moves by that rectangle's displacement, so it
keeps the sub-pixel position it was given until the object moves; with CSRT it also scales with
the rectangle (KCF keeps the size it starts with). A rotated box is followed through the
axis-aligned box around it: its centre moves with that box, its sides scale by the square root of
that box's change of area, and its angle is kept.

KCF's cost grows with the area of the box (it correlates a window twice the box's size), so KCF
follows a large box on a copy of the frame halved until the box covers at most ``KCF_MAX_AREA``
pixels there: every box then costs about the same, and a 1080p frame with large boxes is as quick
as a small one. Positions found on a halved frame step by two pixels (by four on a quartered one):
a fortieth of the box's side at most. CSRT scales its own template, and works on the full frame.

KCF correlates in the Fourier domain over a window twice the box's size, and a Fourier transform
of a length with a large prime factor costs several times one of a length made of 2, 3 and 5 (a
box of 37 pixels, window 74, took 3.9 ms an update here against 1.6 ms for one of 36). The box
given to KCF is therefore narrowed, about its centre, to the nearest such size (36 for 37, 45 for
47: at most a tenth of its side). Only the box's displacement is read back, so the box keeps its
own size.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.assist._frames import Frame
from labelspace.model.errors import LabelRowError

FloatArray = npt.NDArray[np.float64]
MIN_SIDE = 2
"""The smallest box side, in pixels, a tracker can start from."""
KCF_MAX_AREA = 40 * 40
"""The largest box area, in pixels, KCF follows at full size; a larger box is followed on a halved frame."""


class BoxFollower:
    """Follows one normalised box row ``(x, y, w, h)`` or rotated box row ``(x, y, w, h, theta)``.

    Args:
        cv2: The OpenCV module.
        factory: Makes the tracker (``TrackerKCF_create`` or ``TrackerCSRT_create``).
        kcf: Whether the tracker is KCF.
        row: The box on the start frame.
        frame: The start frame.
        what: Names the object in error messages.

    Raises:
        LabelRowError: If the box is smaller than ``MIN_SIDE`` pixels inside the image, or OpenCV
            refuses it.
    """

    def __init__(
        self, cv2: Any, factory: Callable[[], Any], kcf: bool, row: FloatArray, frame: Frame, what: str
    ) -> None:
        width, height = frame.size
        x, y, w, h = (float(v) for v in row[:4])
        self._theta = float(row[4]) if row.size == 5 else None
        self._centre = ((x + w / 2) * width, (y + h / 2) * height)
        self._sides = (w * width, h * height)
        half_w, half_h = self._sides[0] / 2, self._sides[1] / 2
        if self._theta is not None:
            cos, sin = abs(math.cos(math.radians(self._theta))), abs(math.sin(math.radians(self._theta)))
            half_w, half_h = half_w * cos + half_h * sin, half_w * sin + half_h * cos
        cx, cy = self._centre
        inside_w = min(width, cx + half_w) - max(0.0, cx - half_w)
        inside_h = min(height, cy + half_h) - max(0.0, cy - half_h)
        if inside_w < MIN_SIDE or inside_h < MIN_SIDE:
            raise LabelRowError(
                f"{what}: its box covers {max(0.0, inside_w):g}x{max(0.0, inside_h):g} pixels of the "
                f"{width}x{height} frame; a tracker needs at least {MIN_SIDE}x{MIN_SIDE}."
            )
        self.level = 0
        while kcf and inside_w * inside_h > KCF_MAX_AREA * 4**self.level:
            self.level += 1
        image, (across, down) = frame.reduced(self.level)
        left, top = max(0, math.floor((cx - half_w) / across)), max(0, math.floor((cy - half_h) / down))
        right = min(image.shape[1], math.ceil((cx + half_w) / across))
        bottom = min(image.shape[0], math.ceil((cy + half_h) / down))
        rect = (left, top, max(1, right - left), max(1, bottom - top))
        if kcf:
            rect = _smooth_rect(rect)
        self._cv2 = cv2
        self._kcf = kcf
        self._size = (width, height)
        self._start = (rect[0] + rect[2] / 2, rect[1] + rect[3] / 2, float(rect[2]), float(rect[3]))
        self._tracker = factory()
        try:
            if self._tracker.init(image, rect) is False:  # the legacy trackers say so; the others raise
                raise LabelRowError(f"{what}: OpenCV could not start a tracker on its box.")
            if kcf:
                # KCF learns its first model in its first update, not in init: updating on the start
                # frame teaches it the object where it is. Without this it learns on the next frame at
                # the old position and then trails the object by a frame for good.
                self._tracker.update(image)
        except cv2.error as e:
            raise LabelRowError(f"{what}: OpenCV could not start a tracker on its box ({e}).") from None

    def update(self, frame: Frame) -> tuple[FloatArray, float] | None:
        """The box on ``frame`` (normalised, clipped to the image) and the confidence, 1.0; None if lost."""
        image, (across, down) = frame.reduced(self.level)
        try:
            found, rect = self._tracker.update(image)
        except self._cv2.error:
            return None
        left, top, w, h = (float(v) for v in rect)
        if not found or w <= 0 or h <= 0:
            return None
        start_x, start_y, start_w, start_h = self._start
        scale_x, scale_y = (1.0, 1.0) if self._kcf else (w / start_w, h / start_h)
        if self._theta is not None:
            scale_x = scale_y = math.sqrt(scale_x * scale_y)
        cx = self._centre[0] + (left + w / 2 - start_x) * across
        cy = self._centre[1] + (top + h / 2 - start_y) * down
        half_w, half_h = self._sides[0] * scale_x / 2, self._sides[1] * scale_y / 2
        width, height = self._size
        x1, y1 = max(0.0, cx - half_w), max(0.0, cy - half_h)
        x2, y2 = min(float(width), cx + half_w), min(float(height), cy + half_h)
        if x2 - x1 < 1 or y2 - y1 < 1:
            return None  # it left the image
        box = [x1 / width, y1 / height, (x2 - x1) / width, (y2 - y1) / height]
        if self._theta is not None:
            box.append(self._theta)
        return np.array(box, np.float64), 1.0


def smooth_side(side: int) -> int:
    """The largest side of at most ``side`` whose KCF window (twice it) has no prime factor above 5."""
    n = max(1, side)
    while n > 1:
        rest = 2 * n
        for p in (2, 3, 5):
            while rest % p == 0:
                rest //= p
        if rest == 1:
            return n
        n -= 1
    return 1


def _smooth_rect(rect: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """``rect`` (left, top, width, height) narrowed about its centre to the sides ``smooth_side`` gives."""
    left, top, w, h = rect
    sw, sh = smooth_side(w), smooth_side(h)
    return left - (sw - w) // 2, top - (sh - h) // 2, sw, sh
