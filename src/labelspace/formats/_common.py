"""What the format modules share: the warning for labels a format cannot hold, and frame image names."""

from __future__ import annotations

import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.model.coordinates import BitmaskCoordinates
from labelspace.model.spaces import MultiFrameSpace, Space


class DroppedLabelsWarning(UserWarning):
    """A format could not hold some labels; the message lists them."""


def warn_dropped(format_name: str, dropped: Counter[str]) -> Counter[str]:
    """Warn, listing what ``format_name`` could not hold and how much; return the non-zero counts."""
    dropped = Counter({k: v for k, v in dropped.items() if v})
    if dropped:
        listed = ", ".join(f"{n} {what}" for what, n in sorted(dropped.items()))
        warnings.warn(f"{format_name} cannot hold everything; dropped {listed}.", DroppedLabelsWarning, stacklevel=3)
    return dropped


def frame_stem(space: Space, frame: int) -> str:
    """A file-name stem for one image or frame: the media's stem (or the space id), and the frame number."""
    base = Path(space.media).stem if space.media else space.space_id
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in base)
    return f"{safe}_{frame:06d}" if isinstance(space, MultiFrameSpace) else safe


# Encord and CVAT count a mask's runs along its rows; labelspace (as COCO) counts down its columns.
# The runs along a mask's rows are the runs down the columns of its transpose.


def row_runs(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Run lengths along the rows of ``mask``, alternating 0s and 1s, starting with 0s."""
    return BitmaskCoordinates(mask.T).counts


def mask_from_row_runs(counts: Any, patch: tuple[int, int, int, int], image: tuple[int, int]) -> BitmaskCoordinates:
    """A full-image mask from row runs over ``patch`` (top, left, height, width) of an ``image`` (height, width).

    The caller checks that the patch fits and the counts are not negative; runs that stop short leave 0s.
    """
    top, left, height, width = patch
    runs = np.repeat(np.arange(len(counts)) % 2 == 1, counts)
    flat = np.zeros(height * width, dtype=bool)
    flat[: runs.size] = runs
    mask = np.zeros(image, dtype=bool)
    mask[top : top + height, left : left + width] = flat.reshape(height, width)
    return BitmaskCoordinates(mask)
