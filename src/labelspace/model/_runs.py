"""Runs of frames: the storage behind every track, classification and dynamic answer.

A ``RunTable`` holds disjoint runs ``[start, end]`` sorted by start, each with an integer tag
(a metadata record, or an answer id) and optionally a value: a row of ``stride`` floats
(boxes, points) or one Python object (polygons, masks). Columns are ``array.array`` so that
appending one run costs a few C appends; bulk edits work on a window of runs with numpy.

Putting one value on ``Range(0, N - 1)`` is one run whatever N is.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Union

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Values = Union[FloatArray, Sequence[object], None]
MAX_FRAME = 2**31 - 2  # frames are stored as int32; one below the maximum leaves room for end + 1


def intersect(
    a_starts: IntArray, a_ends: IntArray, b_starts: IntArray, b_ends: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray]:
    """Intersect two sorted, disjoint run lists.

    Returns:
        ``(starts, ends, ia, ib)``: the pieces shared by both, with the index of the run of ``a``
        and of ``b`` each piece came from, sorted by start.
    """
    lo = np.searchsorted(b_ends, a_starts, "left")
    hi = np.searchsorted(b_starts, a_ends, "right")
    counts = np.maximum(hi - lo, 0)
    total = int(counts.sum())
    ia = np.repeat(np.arange(a_starts.size), counts)
    offsets = np.cumsum(counts) - counts
    ib = lo[ia] + (np.arange(total) - offsets[ia])
    return np.maximum(a_starts[ia], b_starts[ib]), np.minimum(a_ends[ia], b_ends[ib]), ia, ib


def difference(
    a_starts: IntArray, a_ends: IntArray, b_starts: IntArray, b_ends: IntArray
) -> tuple[IntArray, IntArray, IntArray]:
    """The pieces of the runs of ``a`` that no run of ``b`` covers, with the index of their ``a`` run."""
    gap_starts = np.concatenate(([np.iinfo(np.int64).min // 2], b_ends + 1))
    gap_ends = np.concatenate((b_starts - 1, [np.iinfo(np.int64).max // 2]))
    keep = gap_starts <= gap_ends
    starts, ends, ia, _ = intersect(a_starts, a_ends, gap_starts[keep], gap_ends[keep])
    return starts, ends, ia


def _ints(column: array[int], lo: int, hi: int | None) -> IntArray:
    # Slicing copies the window out of the array.array, so no buffer stays exported from the column.
    return np.frombuffer(column[lo:hi], np.int32).astype(np.int64)


class RunTable:
    """Disjoint frame runs sorted by start, each with a tag and an optional value.

    Args:
        stride: ``> 0`` for a row of that many floats per run, ``0`` for no value, ``-1`` for one
            Python object per run.
    """

    __slots__ = ("ends", "objects", "rows", "starts", "stride", "tags")

    def __init__(self, stride: int) -> None:
        self.starts = array("i")
        self.ends = array("i")
        self.tags = array("i")
        self.stride = stride
        self.rows = array("d")  # stride > 0: len(starts) * stride floats
        self.objects: list[object] = []  # stride < 0: one object per run

    def __len__(self) -> int:
        return len(self.starts)

    def np_starts(self, lo: int = 0, hi: int | None = None) -> IntArray:
        """A copy of the starts of runs ``[lo, hi)`` as int64."""
        return _ints(self.starts, lo, hi)

    def np_ends(self, lo: int = 0, hi: int | None = None) -> IntArray:
        """A copy of the ends of runs ``[lo, hi)`` as int64."""
        return _ints(self.ends, lo, hi)

    def np_tags(self, lo: int = 0, hi: int | None = None) -> IntArray:
        """A copy of the tags of runs ``[lo, hi)`` as int64."""
        return _ints(self.tags, lo, hi)

    def np_rows(self) -> FloatArray:
        """A copy of the value rows, ``(runs, stride)``."""
        return np.frombuffer(self.rows[:], np.float64).reshape(-1, self.stride)

    def value(self, run: int) -> object:
        """The value of run ``run``: a tuple of floats, an object, or None."""
        if self.stride > 0:
            k = self.stride
            return tuple(self.rows[run * k : run * k + k])
        if self.stride < 0:
            return self.objects[run]
        return None

    def find(self, frame: int) -> int:
        """The index of the run holding ``frame``, or -1."""
        i = bisect_right(self.starts, frame) - 1
        if i >= 0 and self.ends[i] >= frame:
            return i
        return -1

    def overlapping(self, q_starts: IntArray, q_ends: IntArray) -> tuple[int, int]:
        """The index range ``[lo, hi)`` of runs that may touch the span of the query runs."""
        return bisect_left(self.ends, int(q_starts[0])), bisect_right(self.starts, int(q_ends[-1]))

    def first_clash(self, q_starts: IntArray, q_ends: IntArray) -> int | None:
        """The first frame of the query runs that a run already covers, or None."""
        lo, hi = self.overlapping(q_starts, q_ends)
        if lo >= hi:
            return None
        s, _, _, _ = intersect(q_starts, q_ends, self.np_starts(lo, hi), self.np_ends(lo, hi))
        return int(s.min()) if s.size else None

    def covered(self, q_starts: IntArray, q_ends: IntArray) -> tuple[IntArray, IntArray]:
        """The parts of the query runs that the table covers."""
        lo, hi = self.overlapping(q_starts, q_ends)
        if lo >= hi:
            empty = np.empty(0, np.int64)
            return empty, empty
        s, e, _, _ = intersect(q_starts, q_ends, self.np_starts(lo, hi), self.np_ends(lo, hi))
        return s, e

    def splice(
        self,
        q_starts: IntArray,
        q_ends: IntArray,
        fresh_tag: int,
        edited_tag: Callable[[int], int] | None,
        values: Values,
    ) -> None:
        """Put a value on the query runs, replacing whatever covered them.

        Args:
            q_starts: Sorted, disjoint query run starts.
            q_ends: Their inclusive ends.
            fresh_tag: The tag of frames that had no run before.
            edited_tag: Maps the tag of a frame that had a run to its new tag; None uses ``fresh_tag``.
            values: Per query run: an ``(m, stride)`` float array or a list of m objects; a single
                row or a one-object list applies to every run; None when ``stride`` is 0.
        """
        n = len(self.starts)
        lo, hi = self.overlapping(q_starts, q_ends)
        if lo >= hi:
            # Nothing covers the span of the query: insert its runs as they are.
            self._insert(lo, q_starts, q_ends, fresh_tag, values)
            return
        w_lo, w_hi = max(lo - 1, 0), min(hi + 1, n)
        ws, we, wt = self.np_starts(w_lo, w_hi), self.np_ends(w_lo, w_hi), self.np_tags(w_lo, w_hi)

        keep_s, keep_e, keep_i = difference(ws, we, q_starts, q_ends)
        in_s, in_e, in_q, in_w = intersect(q_starts, q_ends, ws, we)
        new_s, new_e, new_q = difference(q_starts, q_ends, ws, we)

        if edited_tag is None or in_w.size == 0:
            in_tags = np.full(in_w.size, fresh_tag, np.int64)
        else:
            old = wt[in_w]
            mapping = {int(t): edited_tag(int(t)) for t in np.unique(old)}
            in_tags = np.fromiter((mapping[int(t)] for t in old), np.int64, old.size)

        starts = np.concatenate((keep_s, in_s, new_s))
        ends = np.concatenate((keep_e, in_e, new_e))
        tags = np.concatenate((wt[keep_i], in_tags, np.full(new_s.size, fresh_tag, np.int64)))
        order = np.argsort(starts, kind="stable")
        starts, ends, tags = starts[order], ends[order], tags[order]
        q_index = np.concatenate((np.full(keep_s.size, -1), in_q, new_q))[order]
        w_index = np.concatenate((keep_i, np.full(in_s.size + new_s.size, -1)))[order]
        self._write(w_lo, w_hi, starts, ends, tags, self._gather(w_lo, w_hi, w_index, q_index, values))

    def _insert(self, at: int, q_starts: IntArray, q_ends: IntArray, tag: int, values: Values) -> None:
        m = int(q_starts.size)
        if m == 1 and self._extend_neighbour(at, int(q_starts[0]), int(q_ends[0]), tag, values):
            return
        if m == 1:
            self.starts.insert(at, int(q_starts[0]))
            self.ends.insert(at, int(q_ends[0]))
            self.tags.insert(at, tag)
        else:
            self.starts[at:at] = array("i", q_starts.astype(np.int32).tobytes())
            self.ends[at:at] = array("i", q_ends.astype(np.int32).tobytes())
            self.tags[at:at] = array("i", [tag]) * m
        k = self.stride
        if k > 0:
            rows = np.asarray(values, np.float64).reshape(-1, k)
            if rows.shape[0] != m:
                rows = np.broadcast_to(rows, (m, k))
            self.rows[at * k : at * k] = array("d", np.ascontiguousarray(rows).tobytes())
        elif k < 0:
            objects = list(values) if values is not None else []
            self.objects[at:at] = objects if len(objects) == m else objects * m

    def _extend_neighbour(self, at: int, start: int, end: int, tag: int, values: Values) -> bool:
        """Grow the run before or after ``at`` over ``[start, end]`` if it continues it with the same tag and value."""
        k = self.stride
        value: object = None
        if k > 0:
            value = tuple(np.asarray(values, np.float64).reshape(-1, k)[0].tolist())
        elif k < 0 and values is not None:
            value = next(iter(values))
        joins_left = at > 0 and self.ends[at - 1] == start - 1 and self._same(at - 1, tag, value)
        joins_right = at < len(self.starts) and self.starts[at] == end + 1 and self._same(at, tag, value)
        if joins_left and joins_right:
            self.ends[at - 1] = self.ends[at]
            del self.starts[at], self.ends[at], self.tags[at]
            if k > 0:
                del self.rows[at * k : at * k + k]
            elif k < 0:
                del self.objects[at]
        elif joins_left:
            self.ends[at - 1] = end
        elif joins_right:
            self.starts[at] = start
        return joins_left or joins_right

    def _same(self, run: int, tag: int, value: object) -> bool:
        """Whether run ``run`` has this tag and value (objects must be the very same object)."""
        if self.tags[run] != tag:
            return False
        k = self.stride
        if k > 0:
            return tuple(self.rows[run * k : run * k + k]) == value
        return k == 0 or self.objects[run] is value

    def remove(self, q_starts: IntArray, q_ends: IntArray) -> int:
        """Remove the query frames from the table; return how many frames were removed."""
        lo, hi = self.overlapping(q_starts, q_ends)
        if lo >= hi:
            return 0
        ws, we, wt = self.np_starts(lo, hi), self.np_ends(lo, hi), self.np_tags(lo, hi)
        before = int((we - ws + 1).sum())
        keep_s, keep_e, keep_i = difference(ws, we, q_starts, q_ends)
        w_index = keep_i
        q_index = np.full(keep_i.size, -1)
        self._write(lo, hi, keep_s, keep_e, wt[keep_i], self._gather(lo, hi, w_index, q_index, None))
        return before - int((keep_e - keep_s + 1).sum())

    def _gather(self, w_lo: int, w_hi: int, w_index: IntArray, q_index: IntArray, values: Values) -> Values:
        """Values for the new window runs: from the old window (``w_index``) or the query (``q_index``)."""
        if self.stride == 0:
            return None
        from_window = w_index >= 0
        if self.stride > 0:
            k = self.stride
            window = np.frombuffer(self.rows[w_lo * k : w_hi * k], np.float64).reshape(-1, k)
            out = np.empty((w_index.size, k), np.float64)
            out[from_window] = window[w_index[from_window]]
            if (~from_window).any():
                query = np.asarray(values, np.float64).reshape(-1, k)
                picks = q_index[~from_window]
                out[~from_window] = query[0] if query.shape[0] == 1 else query[picks]
            return out
        window_objects = self.objects[w_lo:w_hi]
        query_objects = list(values) if values is not None else []
        return [
            window_objects[w] if w >= 0 else query_objects[0 if len(query_objects) == 1 else q]
            for w, q in zip(w_index.tolist(), q_index.tolist(), strict=True)
        ]

    def _write(self, w_lo: int, w_hi: int, starts: IntArray, ends: IntArray, tags: IntArray, values: Values) -> None:
        """Replace runs ``[w_lo, w_hi)`` by the given runs, merging neighbours that continue each other."""
        if starts.size > 1:
            same = (starts[1:] == ends[:-1] + 1) & (tags[1:] == tags[:-1])
            if self.stride > 0:
                rows = np.asarray(values)
                same &= (rows[1:] == rows[:-1]).all(axis=1)
            elif self.stride < 0:
                objs = list(values) if values is not None else []
                same &= np.fromiter((a is b for a, b in pairwise(objs)), bool, len(objs) - 1)
            if same.any():
                first = np.concatenate(([True], ~same))
                last = np.concatenate((np.flatnonzero(first)[1:] - 1, [starts.size - 1]))
                keep = np.flatnonzero(first)
                ends = ends[last]
                starts, tags = starts[keep], tags[keep]
                if self.stride > 0:
                    values = np.asarray(values)[keep]
                elif self.stride < 0:
                    objs = list(values) if values is not None else []
                    values = [objs[i] for i in keep.tolist()]
        self.starts[w_lo:w_hi] = array("i", starts.astype(np.int32).tobytes())
        self.ends[w_lo:w_hi] = array("i", ends.astype(np.int32).tobytes())
        self.tags[w_lo:w_hi] = array("i", tags.astype(np.int32).tobytes())
        if self.stride > 0:
            k = self.stride
            self.rows[w_lo * k : w_hi * k] = array("d", np.ascontiguousarray(values, np.float64).tobytes())
        elif self.stride < 0:
            self.objects[w_lo:w_hi] = list(values) if values is not None else []
