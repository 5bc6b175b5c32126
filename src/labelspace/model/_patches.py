"""Exact before and after states of the instances an edit touches, kept small.

An edit changes a few instances on a space. Before it runs, the instances it may touch are
captured (a copy of their run tables, their dynamic answers, their place among the space's
instances, their static answers); after it ran, each capture is compared with what is there now
and reduced to a patch: the runs that differ (a window between a common prefix and suffix of
runs), the answers that differ, the place before and after. Applying a patch's before side
restores the space exactly (down to run boundaries, metadata records and the order of instances
and answers, so ``to_dict()`` is equal); applying its after side re-does the edit without running
it again. A patch of a one-frame edit on a long track holds a few runs, not the track.

Metadata tags in patches index the space's metadata table, which only grows, so a tag stays valid.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np

from labelspace.model._dynamic import AnswerTrack
from labelspace.model._runs import RunTable
from labelspace.model._tracks import ClassificationTrack, ObjectTrack
from labelspace.model.instances import ClassificationInstance, ObjectInstance, StoredAnswer, _Answerable
from labelspace.model.ontology import Attribute
from labelspace.model.spaces import Space


@dataclass(frozen=True, slots=True)
class RunSlice:
    """Consecutive runs of a table, with their values."""

    starts: array[int]
    ends: array[int]
    tags: array[int]
    rows: array[float]
    objects: tuple[object, ...]

    def __len__(self) -> int:
        return len(self.starts)


def _slice(table: RunTable, lo: int, hi: int) -> RunSlice:
    k = max(table.stride, 0)
    return RunSlice(
        table.starts[lo:hi],
        table.ends[lo:hi],
        table.tags[lo:hi],
        table.rows[lo * k : hi * k],
        tuple(table.objects[lo:hi]) if table.stride < 0 else (),
    )


def _write(table: RunTable, lo: int, hi: int, runs: RunSlice) -> None:
    """Replace runs ``[lo, hi)`` by ``runs``, as they are (no merging)."""
    table.starts[lo:hi] = runs.starts
    table.ends[lo:hi] = runs.ends
    table.tags[lo:hi] = runs.tags
    if table.stride > 0:
        k = table.stride
        table.rows[lo * k : hi * k] = runs.rows
    elif table.stride < 0:
        table.objects[lo:hi] = list(runs.objects)


def copy_table(table: RunTable | None, stride: int) -> RunTable:
    """A copy of a table (an empty one for None)."""
    out = RunTable(stride)
    if table is not None:
        out.starts, out.ends, out.tags = table.starts[:], table.ends[:], table.tags[:]
        out.rows = table.rows[:]
        out.objects = list(table.objects)
    return out


def _equal_runs(a: RunTable, b: RunTable) -> np.ndarray:
    """Per run index below both lengths: whether run ``i`` of ``a`` and ``b`` are the same run."""
    n = min(len(a), len(b))
    same = np.ones(n, bool)
    for column_a, column_b in ((a.starts, b.starts), (a.ends, b.ends), (a.tags, b.tags)):
        same &= np.frombuffer(column_a[:n], np.int32) == np.frombuffer(column_b[:n], np.int32)
    if a.stride > 0:
        k = a.stride
        rows_a = np.frombuffer(a.rows[: n * k], np.float64).reshape(n, k)
        rows_b = np.frombuffer(b.rows[: n * k], np.float64).reshape(n, k)
        same &= (rows_a == rows_b).all(axis=1)
    elif a.stride < 0:
        same &= np.fromiter((x is y for x, y in zip(a.objects[:n], b.objects[:n], strict=True)), bool, n)
    return same


@dataclass(frozen=True, slots=True)
class RunPatch:
    """Runs ``[at, at + len(before))`` became ``after`` (the runs around them did not change)."""

    at: int
    before: RunSlice
    after: RunSlice

    def apply(self, table: RunTable, side: str) -> None:
        """Write the ``"before"`` or ``"after"`` runs over the other side's."""
        new, old = (self.before, self.after) if side == "before" else (self.after, self.before)
        _write(table, self.at, self.at + len(old), new)


def diff_tables(before: RunTable, after: RunTable) -> RunPatch | None:
    """The window of runs that differs between two tables, or None if they are equal."""
    n_before, n_after = len(before), len(after)
    n = min(n_before, n_after)
    if n:
        # The common prefix, then the common suffix of what is left (compared on aligned ends).
        same = _equal_runs(before, after)
        differs = np.flatnonzero(~same)
        prefix = int(differs[0]) if differs.size else n
    else:
        prefix = 0
    if prefix == n and n_before == n_after:
        return None
    suffix = 0
    limit = n - prefix
    if limit > 0:
        tail_before = _tail(before, n_before - limit)
        tail_after = _tail(after, n_after - limit)
        same_tail = _equal_runs(tail_before, tail_after)[::-1]
        differs = np.flatnonzero(~same_tail)
        suffix = int(differs[0]) if differs.size else limit
    return RunPatch(prefix, _slice(before, prefix, n_before - suffix), _slice(after, prefix, n_after - suffix))


def _tail(table: RunTable, lo: int) -> RunTable:
    out = RunTable(table.stride)
    window = _slice(table, lo, len(table))
    _write(out, 0, 0, window)
    return out


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sides(Generic[T]):
    """A value before and after an edit."""

    before: T
    after: T

    def get(self, side: str) -> T:
        """The value on one side."""
        return self.before if side == "before" else self.after


# -- dynamic answers --


@dataclass(frozen=True, slots=True)
class _AnswerState:
    """What an answer track holds besides its runs: the answers by id, in order, and the next id."""

    answers: tuple[tuple[int, StoredAnswer], ...]
    ids: tuple[tuple[Hashable, int], ...]
    next_id: int


def _answer_state(track: AnswerTrack) -> _AnswerState:
    return _AnswerState(tuple(track.answers.items()), tuple(track.ids.items()), track.next_id)


@dataclass(frozen=True, slots=True)
class DynamicPatch:
    """How one dynamic attribute's answers of an object changed (None: the attribute had none)."""

    attribute: Attribute
    runs: RunPatch | None
    state: Sides[_AnswerState | None]


# -- captures and patches per instance --


def _position(tracks: dict[str, Any], key: str) -> int | None:
    if key not in tracks:
        return None
    for i, k in enumerate(tracks):
        if k == key:
            return i
    return None  # pragma: no cover - the key is in the dict


def _place(tracks: dict[str, Any], key: str, track: Any, position: int) -> dict[str, Any]:
    """The dict with ``track`` inserted at ``position`` (dicts keep insertion order)."""
    items = list(tracks.items())
    items.insert(position, (key, track))
    return dict(items)


@dataclass(slots=True)
class _ObjectCapture:
    space: Space
    instance: ObjectInstance
    position: int | None
    runs: RunTable
    dynamic: dict[str, tuple[Attribute, RunTable, _AnswerState]]


@dataclass(frozen=True, slots=True)
class ObjectPatch:
    """How an object instance on a space changed."""

    space_id: str
    instance: ObjectInstance
    position: Sides[int | None]
    runs: RunPatch | None
    dynamic: tuple[DynamicPatch, ...]
    dynamic_order: Sides[tuple[str, ...]]

    def apply(self, space: Space, side: str) -> None:
        """Bring the object on ``space`` to the given side."""
        key = self.instance.object_hash
        position = self.position.get(side)
        if position is None:
            space._objects.pop(key, None)
            return
        track = space._objects.get(key)
        if track is None:
            track = ObjectTrack(self.instance)
            space._objects = _place(space._objects, key, track, position)
        if self.runs is not None:
            self.runs.apply(track.runs, side)
        for patch in self.dynamic:
            attribute_hash = patch.attribute.feature_node_hash
            state = patch.state.get(side)
            if state is None:
                track.dynamic.pop(attribute_hash, None)
                continue
            answers = track.dynamic.get(attribute_hash)
            if answers is None:
                answers = track.dynamic[attribute_hash] = AnswerTrack(patch.attribute)
            if patch.runs is not None:
                patch.runs.apply(answers.runs, side)
            answers.answers = dict(state.answers)
            answers.ids = dict(state.ids)
            answers.next_id = state.next_id
        order = self.dynamic_order.get(side)
        if tuple(track.dynamic) != order:
            track.dynamic = {h: track.dynamic[h] for h in order}


def capture_object(space: Space, instance: ObjectInstance) -> _ObjectCapture:
    """What an object instance is on a space now (a copy)."""
    track = space._objects.get(instance.object_hash)
    stride = ObjectTrack(instance).layout.stride if track is None else track.runs.stride
    dynamic = {}
    if track is not None:
        for attribute_hash, answers in track.dynamic.items():
            dynamic[attribute_hash] = (answers.attribute, copy_table(answers.runs, 0), _answer_state(answers))
    return _ObjectCapture(
        space,
        instance,
        _position(space._objects, instance.object_hash),
        copy_table(track.runs if track is not None else None, stride),
        dynamic,
    )


def finish_object(capture: _ObjectCapture) -> ObjectPatch | None:
    """The patch from a capture to what the object is now; None if nothing changed."""
    space, instance = capture.space, capture.instance
    track = space._objects.get(instance.object_hash)
    position = _position(space._objects, instance.object_hash)
    runs = diff_tables(capture.runs, track.runs if track is not None else RunTable(capture.runs.stride))
    now = track.dynamic if track is not None else {}
    patches = []
    for attribute_hash in dict.fromkeys([*capture.dynamic, *now]):
        before = capture.dynamic.get(attribute_hash)
        answers = now.get(attribute_hash)
        attribute = before[0] if before is not None else answers.attribute  # type: ignore[union-attr]
        before_runs = before[1] if before is not None else RunTable(0)
        after_runs = answers.runs if answers is not None else RunTable(0)
        state = Sides(
            before[2] if before is not None else None, _answer_state(answers) if answers is not None else None
        )
        run_patch = diff_tables(before_runs, after_runs)
        if run_patch is not None or state.before != state.after:
            patches.append(DynamicPatch(attribute, run_patch, state))
    order = Sides(tuple(capture.dynamic), tuple(now))
    if runs is None and not patches and capture.position == position and order.before == order.after:
        return None
    return ObjectPatch(space.space_id, instance, Sides(capture.position, position), runs, tuple(patches), order)


@dataclass(slots=True)
class _ClassificationCapture:
    space: Space
    instance: ClassificationInstance
    position: int | None
    runs: RunTable
    global_record: int | None


@dataclass(frozen=True, slots=True)
class ClassificationPatch:
    """How a classification instance on a space changed."""

    space_id: str
    instance: ClassificationInstance
    position: Sides[int | None]
    runs: RunPatch | None
    global_record: Sides[int | None]

    def apply(self, space: Space, side: str) -> None:
        """Bring the classification on ``space`` to the given side."""
        key = self.instance.classification_hash
        position = self.position.get(side)
        if position is None:
            space._classifications.pop(key, None)
            return
        track = space._classifications.get(key)
        if track is None:
            track = ClassificationTrack(self.instance)
            space._classifications = _place(space._classifications, key, track, position)
        if self.runs is not None:
            self.runs.apply(track.runs, side)
        track.global_record = self.global_record.get(side)


def capture_classification(space: Space, instance: ClassificationInstance) -> _ClassificationCapture:
    """What a classification instance is on a space now (a copy)."""
    track = space._classifications.get(instance.classification_hash)
    return _ClassificationCapture(
        space,
        instance,
        _position(space._classifications, instance.classification_hash),
        copy_table(track.runs if track is not None else None, 0),
        track.global_record if track is not None else None,
    )


def finish_classification(capture: _ClassificationCapture) -> ClassificationPatch | None:
    """The patch from a capture to what the classification is now; None if nothing changed."""
    space, instance = capture.space, capture.instance
    track = space._classifications.get(instance.classification_hash)
    position = _position(space._classifications, instance.classification_hash)
    runs = diff_tables(capture.runs, track.runs if track is not None else RunTable(0))
    record = track.global_record if track is not None else None
    if runs is None and capture.position == position and capture.global_record == record:
        return None
    return ClassificationPatch(
        space.space_id, instance, Sides(capture.position, position), runs, Sides(capture.global_record, record)
    )


@dataclass(frozen=True, slots=True)
class AnswersPatch:
    """How an instance's static answers changed (the whole dict on each side: it is small)."""

    instance: _Answerable
    answers: Sides[tuple[tuple[str, StoredAnswer], ...]]

    def apply(self, side: str) -> None:
        """Give the instance the answers of one side."""
        self.instance._answers = dict(self.answers.get(side))


def capture_answers(instance: _Answerable) -> tuple[_Answerable, tuple[tuple[str, StoredAnswer], ...]]:
    """An instance's static answers now."""
    return instance, tuple(instance._answers.items())


def finish_answers(capture: tuple[_Answerable, tuple[tuple[str, StoredAnswer], ...]]) -> AnswersPatch | None:
    """The patch from a capture to the instance's answers now; None if they did not change."""
    instance, before = capture
    after = tuple(instance._answers.items())
    if before == after:
        return None
    return AnswersPatch(instance, Sides(before, after))


Patch = ObjectPatch | ClassificationPatch | AnswersPatch
