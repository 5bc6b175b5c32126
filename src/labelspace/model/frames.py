"""Frames and frame ranges.

``Range`` is the one range type: a closed interval of frame numbers. ``Frames`` is everything the
public API accepts where frames are asked for; it is normalised once, at the public edge, into
sorted, disjoint runs held as two integer numpy arrays (``starts``, ``ends``, both inclusive).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence, Set
from dataclasses import dataclass
from typing import Union

import numpy as np
import numpy.typing as npt

from labelspace.model.errors import LabelRowError

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Range:
    """A closed range of frames: ``Range(3, 5)`` holds frames 3, 4 and 5.

    Args:
        start: The first frame of the range.
        end: The last frame of the range (inclusive), at least ``start``.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        start = _as_frame(self.start, "Range.start")
        end = _as_frame(self.end, "Range.end")
        if end < start:
            raise LabelRowError(
                f"Range({start}, {end}) ends before it starts: the end is inclusive, "
                f"so a single frame is Range({start}, {start})."
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    def __len__(self) -> int:
        """Return the number of frames in the range."""
        return self.end - self.start + 1

    def __contains__(self, frame: object) -> bool:
        """Tell whether a frame number lies in the range."""
        return isinstance(frame, int) and self.start <= frame <= self.end

    def overlaps(self, other: Range) -> bool:
        """Tell whether this range shares at least one frame with ``other``."""
        return self.start <= other.end and other.start <= self.end


Frames = Union[int, Range, Sequence[int], Set[int], Sequence[Range], "npt.NDArray[np.integer]"]
"""What the API accepts as frames: an int, a list or set of ints, a Range, a list of Ranges, or
a 1-d integer numpy array."""

_FRAMES_HELP = "frames must be an int, a list or set of ints, a Range, a list of Ranges or a 1-d integer numpy array"


def _as_frame(value: object, what: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise LabelRowError(f"{what} must be an int frame number, got the bool {value}.")
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise LabelRowError(f"{what} must be an int frame number, got {type(value).__name__} {value!r}.") from None


def to_runs(frames: Frames) -> tuple[IntArray, IntArray]:
    """Normalise any accepted ``Frames`` value into sorted, disjoint, merged runs.

    Returns:
        ``(starts, ends)``: two int64 arrays of equal length; ``ends`` are inclusive.

    Raises:
        LabelRowError: If ``frames`` is empty or is not one of the accepted forms.
    """
    if isinstance(frames, Range):
        return np.array([frames.start], np.int64), np.array([frames.end], np.int64)
    if isinstance(frames, (int, np.integer)) and not isinstance(frames, bool):
        f = int(frames)
        return np.array([f], np.int64), np.array([f], np.int64)
    if isinstance(frames, np.ndarray):
        if frames.ndim != 1 or not np.issubdtype(frames.dtype, np.integer):
            raise LabelRowError(f"{_FRAMES_HELP}; got a numpy array of shape {frames.shape} and dtype {frames.dtype}.")
        return _runs_from_ints(frames.astype(np.int64, copy=False))
    if isinstance(frames, (str, bytes)) or not isinstance(frames, (Sequence, Set)):
        raise LabelRowError(f"{_FRAMES_HELP}; got {type(frames).__name__} {frames!r:.80}.")
    items = list(frames)
    if not items:
        raise LabelRowError("frames is empty: give at least one frame or range.")
    if all(isinstance(item, Range) for item in items):
        ranges = sorted((r.start, r.end) for r in items if isinstance(r, Range))
        starts = np.fromiter((r[0] for r in ranges), np.int64, len(ranges))
        ends = np.fromiter((r[1] for r in ranges), np.int64, len(ranges))
        return merge_runs(starts, ends)
    ints = np.empty(len(items), np.int64)
    for i, item in enumerate(items):
        if isinstance(item, Range):
            raise LabelRowError(
                f"{_FRAMES_HELP}; got a list that mixes ints and Ranges. "
                f"Write single frames as Range(f, f) or pass the frames separately."
            )
        ints[i] = _as_frame(item, "each frame")
    return _runs_from_ints(ints)


def _runs_from_ints(ints: IntArray) -> tuple[IntArray, IntArray]:
    if ints.size == 0:
        raise LabelRowError("frames is empty: give at least one frame or range.")
    frames = np.unique(ints)
    breaks = np.flatnonzero(np.diff(frames) != 1)
    starts = np.concatenate((frames[:1], frames[breaks + 1]))
    ends = np.concatenate((frames[breaks], frames[-1:]))
    return starts, ends


def merge_runs(starts: IntArray, ends: IntArray) -> tuple[IntArray, IntArray]:
    """Merge runs sorted by start that overlap or touch into disjoint runs."""
    if starts.size <= 1:
        return starts, ends
    reach = np.maximum.accumulate(ends)
    new_group = np.empty(starts.size, bool)
    new_group[0] = True
    new_group[1:] = starts[1:] > reach[:-1] + 1
    group_starts = np.flatnonzero(new_group)
    group_ends = np.concatenate((group_starts[1:] - 1, [starts.size - 1]))
    return starts[group_starts], reach[group_ends]


def runs_to_ranges(starts: IntArray, ends: IntArray) -> list[Range]:
    """Turn runs into a list of ``Range``."""
    return [Range(int(s), int(e)) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
