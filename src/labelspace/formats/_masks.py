"""Masks as formats hold them: runs along rows, COCO's run-length text, a mask's extent, polygons drawn as masks.

CVAT and Encord count a mask's runs along its rows; labelspace (as COCO) down its columns. The
runs along a mask's rows are the runs down the columns of its transpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.model.coordinates import BitmaskCoordinates


def row_runs(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Run lengths along the rows of ``mask``, alternating 0s and 1s, starting with 0s."""
    return BitmaskCoordinates(mask.T).counts


def mask_from_row_runs(counts: Any, patch: tuple[int, int, int, int], image: tuple[int, int]) -> BitmaskCoordinates:
    """A full-image mask from row runs over ``patch`` (top, left, height, width) of an ``image`` (height, width).

    The caller checks that the patch fits, the image is within its limits, and the counts are
    not negative and do not add up to more than the patch; runs that stop short leave 0s.
    """
    top, left, height, width = patch
    runs = np.repeat(np.arange(len(counts)) % 2 == 1, counts)
    flat = np.zeros(height * width, dtype=bool)
    flat[: runs.size] = runs
    mask = np.zeros(image, dtype=bool)
    mask[top : top + height, left : left + width] = flat.reshape(height, width)
    return BitmaskCoordinates(mask)


def mask_bounds(mask: npt.NDArray[np.bool_]) -> tuple[int, int, int, int] | None:
    """The first and last rows and columns of ``mask`` holding a pixel: ``(top, bottom, left, right)``, or None."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if not rows.size:
        return None
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def rasterise(
    parts: Sequence[Sequence[Sequence[tuple[float, float]]]], width: int, height: int
) -> npt.NDArray[np.bool_]:
    """Polygons in pixels as a ``height`` x ``width`` mask: each part's outer ring filled, then its holes cleared.

    Parts are drawn in order, so a part fills what the hole of an earlier one cleared. Pillow fills
    with ``fill=1, outline=1`` (what labelme passes when it draws shapes into masks) exactly as
    with ``fill=1``, so LabelMe masks come out as labelme draws them.
    """
    from PIL import Image, ImageDraw

    image = Image.new("1", (width, height), 0)
    draw = ImageDraw.Draw(image)
    for part in parts:
        draw.polygon(part[0], fill=1)
        for hole in part[1:]:
            draw.polygon(hole, fill=0)
    return np.asarray(image, dtype=bool)


# COCO's compressed RLE text, which Encord uses too for its bitmasks.


def rle_text(counts: Any) -> str:
    """Run lengths as COCO's compressed text.

    Each count, less the one two places back from the fourth on, goes in 5-bit groups, low first,
    a 0x20 bit meaning more follow, each group offset by 48 into printable ASCII.
    """
    out: list[str] = []
    values = [int(c) for c in counts]
    for i, count in enumerate(values):
        x = count - (values[i - 2] if i > 2 else 0)
        while True:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            out.append(chr((c | 0x20 if more else c) + 48))
            if not more:
                break
    return "".join(out)


def rle_text_counts(text: str, limit: int) -> list[int]:
    """The run lengths of COCO's compressed text, the inverse of ``rle_text``.

    Decoding stops with an error once the runs add up to more than ``limit`` pixels, so a short
    text cannot ask for a huge mask. pycocotools holds the same codec in C, but decodes without
    such checks; a file's text is read here.

    Raises:
        ValueError: If the text holds a character outside the codec, a run goes negative or the
            runs pass ``limit``.
    """
    counts: list[int] = []
    total = 0
    p = 0
    n = len(text)
    while p < n:
        x = k = 0
        while True:
            c = ord(text[p]) - 48
            if not 0 <= c < 64:
                raise ValueError(f"character {text[p]!r} at {p} is not run-length text")
            x |= (c & 0x1F) << (5 * k)
            p += 1
            k += 1
            if k > 13:
                raise ValueError(f"a run at {p} is longer than any mask")
            if not c & 0x20 or p >= n:
                if c & 0x10 and not c & 0x20:
                    x |= -1 << (5 * k)
                break
        if len(counts) > 2:
            x += counts[-2]
        if x < 0:
            raise ValueError(f"run {len(counts)} is negative ({x})")
        total += x
        if total > limit:
            raise ValueError(f"the runs add up to more than {limit} pixels")
        counts.append(x)
    return counts
