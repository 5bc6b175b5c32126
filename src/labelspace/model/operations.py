"""Edits of a label row as data: operations, applied through the space API, each with its exact inverse.

An operation is a small JSON-ready dict (the notebook widgets send them, the store logs them)::

    {"op": "put_object", "space": "cam-1", "object": "1a2b3c4d", "feature": "<object hash>",
     "frames": [[0, 9]], "coordinates": {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4},
     "on_overlap": "error", "meta": {"confidence": 0.9, "manual_annotation": False}}

``apply_operation(row, op)`` checks it, carries it out with the public space API
(``put_object_instance``, ``remove_object_instance``, ``set_dynamic_answer``, ...), and returns an
``Edit``: the operation with what it changed on each side. ``edit.undo(row)`` restores the row
exactly as it was (``row.to_dict()`` is equal, metadata and order included) and ``edit.redo(row)``
brings the edit back, exactly, without running it again. An operation that fails changes nothing.

The operations (``frames`` is a list of ``[start, end]`` pairs, inclusive, or one frame number; it
may be left out on images; coordinates and answers are in ``coordinates_to_wire`` and native form):

- ``put_object``: space, object, feature (the ontology object, for a new instance), coordinates,
  frames, on_overlap (``"error"``), meta (``confidence``, ``manual_annotation``, ``created_by``,
  ``last_edited_by``).
- ``remove_object``: space, object, frames (all when left out).
- ``accept_object``: space, object: a prediction becomes a person's (``manual_annotation``).
- ``put_classification``: space, classification, feature, frames (none if global), on_overlap, meta.
- ``remove_classification``: space, classification, frames.
- ``set_answer`` / ``delete_answer``: instance (an object or classification hash), attribute,
  answer: a static answer.
- ``set_dynamic_answer``: space, object, attribute, frames, answer.
- ``remove_dynamic_answer``: space, object, attribute, frame.
- ``interpolate``: space, object, frames (all between keyframes when left out): fill the frames
  between the object's keyframes (``MultiFrameSpace.interpolate``).
- ``batch``: ops, a list of operations carried out as one edit (all or nothing).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict, Union

import numpy as np

from labelspace.model._patches import (
    AnswersPatch,
    ClassificationPatch,
    ObjectPatch,
    Patch,
    RunPatch,
    capture_answers,
    capture_classification,
    capture_object,
    finish_answers,
    finish_classification,
    finish_object,
)
from labelspace.model.coordinates import (
    BoundingBoxCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    RotatableBoundingBoxCoordinates,
)
from labelspace.model.errors import LabelRowError, OntologyError
from labelspace.model.frames import Range, merge_runs, runs_to_ranges
from labelspace.model.instances import ClassificationInstance, ObjectInstance, _Answerable
from labelspace.model.label_row import LabelRow
from labelspace.model.layouts import LAYOUTS, coordinates_from_row
from labelspace.model.native.values import coordinates_from_dict, coordinates_to_dict, decode_answer
from labelspace.model.ontology import Attribute, Classification, Object, Shape, walk_attributes
from labelspace.model.spaces import ImageSpace, MultiFrameSpace, Space

# -- the wire forms --

WireFrames = Union[int, list[list[int]]]


class WireMeta(TypedDict, total=False):
    """Metadata an operation may set; the rest takes the model's defaults."""

    confidence: float
    manual_annotation: bool
    created_by: str
    last_edited_by: str


class PutObject(TypedDict, total=False):
    """Put an object instance on frames of a space (a new instance if the hash is new)."""

    op: Literal["put_object"]
    space: str
    object: str
    feature: str
    frames: WireFrames
    coordinates: dict[str, Any]
    on_overlap: Literal["error", "replace"]
    meta: WireMeta


class RemoveObject(TypedDict, total=False):
    """Remove an object instance from frames of a space (all of them without frames)."""

    op: Literal["remove_object"]
    space: str
    object: str
    frames: WireFrames


class AcceptObject(TypedDict):
    """Make a prediction a person's annotation: ``manual_annotation`` becomes True on every frame."""

    op: Literal["accept_object"]
    space: str
    object: str


class PutClassification(TypedDict, total=False):
    """Put a classification instance on frames of a space (on the whole space if global)."""

    op: Literal["put_classification"]
    space: str
    classification: str
    feature: str
    frames: WireFrames
    on_overlap: Literal["error", "replace"]
    meta: WireMeta


class RemoveClassification(TypedDict, total=False):
    """Remove a classification instance from frames of a space (all of them without frames)."""

    op: Literal["remove_classification"]
    space: str
    classification: str
    frames: WireFrames


class SetAnswer(TypedDict):
    """Answer a static attribute of an object or classification instance."""

    op: Literal["set_answer"]
    instance: str
    attribute: str
    answer: Any


class DeleteAnswer(TypedDict):
    """Remove the answer to a static attribute."""

    op: Literal["delete_answer"]
    instance: str
    attribute: str


class SetDynamicAnswer(TypedDict):
    """Answer a dynamic attribute of an object on frames."""

    op: Literal["set_dynamic_answer"]
    space: str
    object: str
    attribute: str
    frames: WireFrames
    answer: Any


class RemoveDynamicAnswer(TypedDict):
    """Remove a dynamic attribute's answer on one frame."""

    op: Literal["remove_dynamic_answer"]
    space: str
    object: str
    attribute: str
    frame: int


class Interpolate(TypedDict, total=False):
    """Fill the frames between an object's keyframes (``MultiFrameSpace.interpolate``); only ``frames`` if given."""

    op: Literal["interpolate"]
    space: str
    object: str
    frames: WireFrames


class Batch(TypedDict):
    """Several operations as one edit: all are carried out, or none."""

    op: Literal["batch"]
    ops: list[Any]


Operation = Union[
    PutObject,
    RemoveObject,
    AcceptObject,
    PutClassification,
    RemoveClassification,
    SetAnswer,
    DeleteAnswer,
    SetDynamicAnswer,
    RemoveDynamicAnswer,
    Interpolate,
    Batch,
]

_BOX_KEYS = ("x", "y", "w", "h")


def coordinates_to_wire(coordinates: GeometricCoordinates) -> dict[str, Any]:
    """Coordinates as operations carry them (normalised, as the model keeps them).

    Boxes are ``{"x", "y", "w", "h"}``, rotated boxes ``{"x", "y", "w", "h", "theta"}``, points
    ``{"x", "y"}``; the rest take their native dict (polygons, polylines, bitmasks as uncompressed
    RLE, skeletons).
    """
    if isinstance(coordinates, RotatableBoundingBoxCoordinates):
        x, y, w, h, theta = coordinates._row
        return {"x": x, "y": y, "w": w, "h": h, "theta": theta}
    if isinstance(coordinates, BoundingBoxCoordinates):
        x, y, w, h = coordinates._row
        return {"x": x, "y": y, "w": w, "h": h}
    if isinstance(coordinates, PointCoordinate):
        return {"x": coordinates.x, "y": coordinates.y}
    return coordinates_to_dict(coordinates)


def _number(d: Mapping[str, Any], key: str, path: str) -> float:
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise LabelRowError(f"{path}.{key} must be a finite number, got {value!r:.40}.")
    return float(value)


def coordinates_from_wire(shape: Shape, d: object, path: str = "coordinates") -> GeometricCoordinates:
    """Read coordinates in wire form (see ``coordinates_to_wire``) for an object of ``shape``."""
    if not isinstance(d, Mapping):
        raise LabelRowError(f"{path} must be an object, got {type(d).__name__}.")
    try:
        if shape is Shape.BOUNDING_BOX:
            x, y, w, h = (_number(d, k, path) for k in _BOX_KEYS)
            return BoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y)
        if shape is Shape.ROTATABLE_BOUNDING_BOX:
            x, y, w, h, theta = (_number(d, k, path) for k in (*_BOX_KEYS, "theta"))
            return RotatableBoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y, theta=theta)
        if shape is Shape.POINT:
            return PointCoordinate(_number(d, "x", path), _number(d, "y", path))
    except LabelRowError as e:
        raise LabelRowError(f"{path}: {e.message}") from None
    return coordinates_from_dict(LAYOUTS[shape].coordinates, d, path)


def frames_to_wire(ranges: Sequence[Range]) -> list[list[int]]:
    """Frame ranges as ``[[start, end], ...]``."""
    return [[r.start, r.end] for r in ranges]


def _frames(space: Space, raw: object, path: str) -> list[Range]:
    if isinstance(raw, bool):
        raise LabelRowError(f"{path} must be a frame number or a list of [start, end] pairs, got {raw!r}.")
    if isinstance(raw, int):
        return [Range(raw, raw)]
    if not isinstance(raw, list) or not raw:
        raise LabelRowError(
            f"{path} must be a frame number or a non-empty list of [start, end] pairs, got {raw!r:.60}."
        )
    ranges = []
    for i, pair in enumerate(raw):
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or any(isinstance(v, bool) or not isinstance(v, int) for v in pair)
        ):
            raise LabelRowError(f"{path}[{i}] must be a [start, end] pair of frame numbers, got {pair!r:.40}.")
        ranges.append(Range(pair[0], pair[1]))
    return ranges


# -- what changed --


@dataclass(frozen=True, slots=True)
class Change:
    """A small record of what an edit changed, for ``on_change`` callbacks and logs.

    Attributes:
        op: The operation (``"put_object"``, ``"set_answer"``, ...).
        kind: ``"object"``, ``"classification"`` or ``"answers"`` (an instance's static answers).
        space: The space changed; None for static answers (they belong to the instance).
        instance: The object or classification hash.
        frames: The frames whose annotations changed (empty for static answers).
        undo: ``"undo"`` or ``"redo"`` when the change comes from undoing or redoing the edit, else None.
    """

    op: str
    kind: Literal["object", "classification", "answers"]
    space: str | None
    instance: str
    frames: tuple[Range, ...] = ()
    undo: Literal["undo", "redo"] | None = None


def _patch_frames(patch: RunPatch | None) -> list[tuple[int, int]]:
    if patch is None:
        return []
    return [(a, b) for side in (patch.before, patch.after) for a, b in zip(side.starts, side.ends, strict=True)]


def _changed_frames(patch: ObjectPatch | ClassificationPatch) -> tuple[Range, ...]:
    pairs = _patch_frames(patch.runs)
    if isinstance(patch, ObjectPatch):
        for dynamic in patch.dynamic:
            pairs += _patch_frames(dynamic.runs)
    if isinstance(patch, ClassificationPatch) and patch.global_record.before != patch.global_record.after:
        pairs.append((0, 0))
    if not pairs:
        return ()
    starts = np.array(sorted(p[0] for p in pairs), np.int64)
    order = np.argsort([p[0] for p in pairs], kind="stable")
    ends = np.array([pairs[i][1] for i in order], np.int64)
    return tuple(runs_to_ranges(*merge_runs(starts, ends)))


@dataclass(frozen=True)
class Edit:
    """An operation carried out on a row, with the exact state of what it touched before and after.

    Attributes:
        operation: The operation, as given.
        steps: What each part of the operation changed (one step, or one per operation of a batch).
        changes: A small record per instance changed, in order.
    """

    operation: Mapping[str, Any]
    steps: tuple[tuple[Patch, ...], ...]
    changes: tuple[Change, ...] = field(default=(), repr=False)

    @property
    def patches(self) -> tuple[Patch, ...]:
        """Every patch, in the order the parts of the operation were carried out."""
        return tuple(p for step in self.steps for p in step)

    def undo(self, row: LabelRow) -> None:
        """Bring the row back to how it was before the edit (exactly)."""
        for step in reversed(self.steps):
            _apply_step(row, step, "before")

    def redo(self, row: LabelRow) -> None:
        """Bring the edit back after ``undo`` (exactly as it was first made)."""
        for step in self.steps:
            _apply_step(row, step, "after")

    def is_empty(self) -> bool:
        """Whether the edit changed nothing (it is then left out of histories)."""
        return not any(self.steps)


def _apply_step(row: LabelRow, step: Sequence[Patch], side: str) -> None:
    """Bring what one operation touched to one side.

    Instances that leave a space go first; those that come back are put in their places in order,
    so that several instances restored on one space land where they were.
    """

    def order(patch: Patch) -> tuple[int, int]:
        if isinstance(patch, AnswersPatch):
            return (0, 0)
        position = patch.position.get(side)
        return (0, 0) if position is None else (1, position)

    for patch in sorted(step, key=order):
        _apply_patch(row, patch, side)


def _apply_patch(row: LabelRow, patch: Patch, side: str) -> None:
    if isinstance(patch, AnswersPatch):
        patch.apply(side)
    else:
        patch.apply(row.get_space(id=patch.space_id), side)


def _describe(op: str, patches: Sequence[Patch]) -> tuple[Change, ...]:
    out = []
    for patch in patches:
        if isinstance(patch, ObjectPatch):
            out.append(Change(op, "object", patch.space_id, patch.instance.object_hash, _changed_frames(patch)))
        elif isinstance(patch, ClassificationPatch):
            out.append(
                Change(op, "classification", patch.space_id, patch.instance.classification_hash, _changed_frames(patch))
            )
        else:
            out.append(Change(op, "answers", None, patch.instance._hash))  # type: ignore[attr-defined]
    return tuple(out)


# -- carrying operations out --


class _Recorder:
    """Captures what an operation touches before it runs, and turns the captures into patches."""

    def __init__(self) -> None:
        self.captures: list[tuple[Callable[[Any], Patch | None], Any]] = []

    def object(self, space: Space, instance: ObjectInstance) -> None:
        self.captures.append((finish_object, capture_object(space, instance)))

    def classification(self, space: Space, instance: ClassificationInstance) -> None:
        self.captures.append((finish_classification, capture_classification(space, instance)))

    def answers(self, instance: _Answerable) -> None:
        self.captures.append((finish_answers, capture_answers(instance)))

    def patches(self) -> list[Patch]:
        out = []
        for finish, capture in self.captures:
            patch = finish(capture)
            if patch is not None:
                out.append(patch)
        return out


class _Context:
    """Looks up what operations name in a row, with messages that say what is wrong."""

    def __init__(self, row: LabelRow) -> None:
        self.row = row

    def space(self, op: Mapping[str, Any]) -> Space:
        space_id = op.get("space")
        if not isinstance(space_id, str):
            raise LabelRowError(f"{op.get('op')}: 'space' must be a space id (str), got {space_id!r:.40}.")
        return self.row.get_space(id=space_id)

    def _find(self, kind: str, key: str) -> ObjectInstance | ClassificationInstance | None:
        for space in self.row.list_spaces():
            tracks: Mapping[str, Any] = space._objects if kind == "object" else space._classifications
            track = tracks.get(key)
            if track is not None:
                return track.instance  # type: ignore[no-any-return]
        return None

    def _hash(self, op: Mapping[str, Any], key: str) -> str:
        value = op.get(key)
        if not isinstance(value, str) or not value:
            raise LabelRowError(f"{op.get('op')}: {key!r} must be an instance hash (str), got {value!r:.40}.")
        return value

    def object(self, op: Mapping[str, Any], *, create: bool = False) -> ObjectInstance:
        object_hash = self._hash(op, "object")
        found = self._find("object", object_hash)
        feature = op.get("feature")
        if found is not None:
            assert isinstance(found, ObjectInstance)
            if feature is not None and feature != found.feature_hash:
                raise LabelRowError(
                    f"Object {object_hash!r} is a {found.ontology_item.name!r}, not the ontology object "
                    f"{feature!r:.40}."
                )
            return found
        if not create:
            raise LabelRowError(f"There is no object {object_hash!r} on this label row.")
        if not isinstance(feature, str):
            raise LabelRowError(
                f"put_object: object {object_hash!r} is new, so 'feature' must name its ontology object, got "
                f"{feature!r:.40}."
            )
        try:
            item = self.row.ontology.get_child_by_hash(feature, Object)
        except OntologyError as e:
            raise LabelRowError(f"put_object: {e.message}") from None
        return item.create_instance(object_hash)

    def classification(self, op: Mapping[str, Any], *, create: bool = False) -> ClassificationInstance:
        classification_hash = self._hash(op, "classification")
        found = self._find("classification", classification_hash)
        feature = op.get("feature")
        if found is not None:
            assert isinstance(found, ClassificationInstance)
            if feature is not None and feature != found.feature_hash:
                raise LabelRowError(
                    f"Classification {classification_hash!r} is a {found.ontology_item.title!r}, not the ontology "
                    f"classification {feature!r:.40}."
                )
            return found
        if not create:
            raise LabelRowError(f"There is no classification {classification_hash!r} on this label row.")
        if not isinstance(feature, str):
            raise LabelRowError(
                f"put_classification: classification {classification_hash!r} is new, so 'feature' must name its "
                f"ontology classification, got {feature!r:.40}."
            )
        try:
            item = self.row.ontology.get_child_by_hash(feature, Classification)
        except OntologyError as e:
            raise LabelRowError(f"put_classification: {e.message}") from None
        return item.create_instance(classification_hash)

    def instance(self, op: Mapping[str, Any]) -> _Answerable:
        key = self._hash(op, "instance")
        found = self._find("object", key) or self._find("classification", key)
        if found is None:
            raise LabelRowError(f"There is no object or classification {key!r} on this label row.")
        return found

    @staticmethod
    def attribute(instance: _Answerable, op: Mapping[str, Any]) -> Attribute:
        wanted = op.get("attribute")
        for attribute in walk_attributes(instance._root_attributes()):
            if attribute.feature_node_hash == wanted:
                return attribute
        raise LabelRowError(f"{instance._describe()} has no attribute {wanted!r:.40}.")


def _meta(op: Mapping[str, Any]) -> dict[str, Any]:
    meta = op.get("meta", {})
    if not isinstance(meta, Mapping):
        raise LabelRowError(f"{op.get('op')}: 'meta' must be an object, got {type(meta).__name__}.")
    unknown = set(meta) - set(WireMeta.__annotations__)
    if unknown:
        raise LabelRowError(
            f"{op.get('op')}: 'meta' may hold {sorted(WireMeta.__annotations__)}, not {sorted(unknown)}."
        )
    return dict(meta)


def _on_overlap(op: Mapping[str, Any]) -> Any:
    return op.get("on_overlap", "error")


def _put_object(ctx: _Context, rec: _Recorder, op: Mapping[str, Any]) -> None:
    space = ctx.space(op)
    instance = ctx.object(op, create=True)
    coordinates = coordinates_from_wire(instance.ontology_item.shape, op.get("coordinates"))
    meta = _meta(op)
    rec.object(space, instance)
    if isinstance(space, ImageSpace):
        _image_frames(op)
        space.put_object_instance(instance, coordinates, on_overlap=_on_overlap(op), **meta)
    else:
        assert isinstance(space, MultiFrameSpace)
        frames = _frames(space, op.get("frames"), "put_object.frames")
        space.put_object_instance(instance, frames, coordinates, on_overlap=_on_overlap(op), **meta)


def _image_frames(op: Mapping[str, Any]) -> None:
    frames = op.get("frames")
    if frames is not None and frames not in (0, [[0, 0]]):
        raise LabelRowError(f"{op.get('op')}: an image has only frame 0, got frames {frames!r:.40}.")


def _remove_object(ctx: _Context, rec: _Recorder, op: Mapping[str, Any]) -> None:
    space = ctx.space(op)
    instance = ctx.object(op)
    rec.object(space, instance)
    if isinstance(space, ImageSpace):
        _image_frames(op)
        removed = space.remove_object_instance(instance)
    else:
        assert isinstance(space, MultiFrameSpace)
        raw = op.get("frames")
        frames = None if raw is None else _frames(space, raw, "remove_object.frames")
        removed = space.remove_object_instance(instance, frames)
    if removed is None:
        raise LabelRowError(f"Object {instance.object_hash!r} is not on space {space.space_id!r}.")


def _accept_object(ctx: _Context, rec: _Recorder, op: Mapping[str, Any]) -> None:
    space = ctx.space(op)
    instance = ctx.object(op)
    runs = space.get_object_runs(instance)
    if not len(runs.starts):
        raise LabelRowError(f"Object {instance.object_hash!r} is not on space {space.space_id!r}.")
    rec.object(space, instance)
    layout = LAYOUTS[instance.ontology_item.shape]
    for i, (start, end) in enumerate(zip(runs.starts.tolist(), runs.ends.tolist(), strict=True)):
        if runs.metadata[i].manual_annotation:
            continue
        value = runs.values[i]
        coordinates = value if layout.stride <= 0 else _row_coordinates(instance, value)
        if isinstance(space, ImageSpace):
            space.put_object_instance(instance, coordinates, on_overlap="replace", manual_annotation=True)
        else:
            assert isinstance(space, MultiFrameSpace)
            space.put_object_instance(
                instance, Range(start, end), coordinates, on_overlap="replace", manual_annotation=True
            )


def _row_coordinates(instance: ObjectInstance, row: Any) -> GeometricCoordinates:
    return coordinates_from_row(instance.ontology_item.shape, tuple(float(v) for v in row))


def _same_class_classifications(space: Space, instance: ClassificationInstance) -> list[ClassificationInstance]:
    item = instance.ontology_item
    return [t.instance for t in space._classifications.values() if t.instance.ontology_item is item]


def _put_classification(ctx: _Context, rec: _Recorder, op: Mapping[str, Any]) -> None:
    space = ctx.space(op)
    instance = ctx.classification(op, create=True)
    meta = _meta(op)
    for rival in {id(i): i for i in [instance, *_same_class_classifications(space, instance)]}.values():
        rec.classification(space, rival)
    if isinstance(space, ImageSpace):
        _image_frames(op)
        space.put_classification_instance(instance, on_overlap=_on_overlap(op), **meta)
    else:
        assert isinstance(space, MultiFrameSpace)
        raw = op.get("frames")
        frames = None if raw is None else _frames(space, raw, "put_classification.frames")
        space.put_classification_instance(instance, frames, on_overlap=_on_overlap(op), **meta)


def _remove_classification(ctx: _Context, rec: _Recorder, op: Mapping[str, Any]) -> None:
    space = ctx.space(op)
    instance = ctx.classification(op)
    rec.classification(space, instance)
    if isinstance(space, ImageSpace):
        _image_frames(op)
        removed = space.remove_classification_instance(instance)
    else:
        assert isinstance(space, MultiFrameSpace)
        raw = op.get("frames")
        frames = None if raw is None else _frames(space, raw, "remove_classification.frames")
        removed = space.remove_classification_instance(instance, frames)
    if removed is None:
        raise LabelRowError(f"Classification {instance.classification_hash!r} is not on space {space.space_id!r}.")


def _set_answer(ctx: _Context, rec: _Recorder, op: Mapping[str, Any]) -> None:
    instance = ctx.instance(op)
    attribute = ctx.attribute(instance, op)
    answer = decode_answer(attribute, op.get("answer"), "set_answer.answer")
    rec.answers(instance)
    instance.set_answer(answer if not isinstance(answer, tuple) else list(answer), attribute, overwrite=True)


def _delete_answer(ctx: _Context, rec: _Recorder, op: Mapping[str, Any]) -> None:
    instance = ctx.instance(op)
    attribute = ctx.attribute(instance, op)
    rec.answers(instance)
    instance.delete_answer(attribute)


_DYNAMIC_ON_IMAGE = (
    "dynamic attributes are answered on videos and volumes. Answer it as a static attribute (set_answer)."
)


def _multi_frame(space: Space, op: Mapping[str, Any], why: str = _DYNAMIC_ON_IMAGE) -> MultiFrameSpace:
    if not isinstance(space, MultiFrameSpace):
        raise LabelRowError(f"{op.get('op')}: space {space.space_id!r} is an image; {why}")
    return space


def _set_dynamic_answer(ctx: _Context, rec: _Recorder, op: Mapping[str, Any]) -> None:
    space = _multi_frame(ctx.space(op), op)
    instance = ctx.object(op)
    attribute = ctx.attribute(instance, op)
    answer = decode_answer(attribute, op.get("answer"), "set_dynamic_answer.answer")
    frames = _frames(space, op.get("frames"), "set_dynamic_answer.frames")
    rec.object(space, instance)
    space.set_dynamic_answer(instance, frames, answer if not isinstance(answer, tuple) else list(answer), attribute)


def _remove_dynamic_answer(ctx: _Context, rec: _Recorder, op: Mapping[str, Any]) -> None:
    space = _multi_frame(ctx.space(op), op)
    instance = ctx.object(op)
    attribute = ctx.attribute(instance, op)
    frame = op.get("frame")
    if isinstance(frame, bool) or not isinstance(frame, int):
        raise LabelRowError(f"remove_dynamic_answer: 'frame' must be a frame number, got {frame!r:.40}.")
    rec.object(space, instance)
    space.remove_dynamic_answer(instance, attribute, frame)


def _interpolate(ctx: _Context, rec: _Recorder, op: Mapping[str, Any]) -> None:
    space = _multi_frame(ctx.space(op), op, "interpolation fills frames of videos and volumes.")
    instance = ctx.object(op)
    raw = op.get("frames")
    frames = None if raw is None else _frames(space, raw, "interpolate.frames")
    rec.object(space, instance)
    space.interpolate(instance, frames)


_HANDLERS: dict[str, Callable[[_Context, _Recorder, Mapping[str, Any]], None]] = {
    "put_object": _put_object,
    "remove_object": _remove_object,
    "accept_object": _accept_object,
    "put_classification": _put_classification,
    "remove_classification": _remove_classification,
    "set_answer": _set_answer,
    "delete_answer": _delete_answer,
    "set_dynamic_answer": _set_dynamic_answer,
    "remove_dynamic_answer": _remove_dynamic_answer,
    "interpolate": _interpolate,
}
OPERATIONS = (*_HANDLERS, "batch")
"""The names of the operations ``apply_operation`` carries out."""


def _flatten(op: object, path: str, depth: int = 0) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if not isinstance(op, Mapping):
        raise LabelRowError(f"{path} must be an operation (an object with 'op'), got {type(op).__name__}.")
    name = op.get("op")
    if name == "batch":
        ops = op.get("ops")
        if not isinstance(ops, list):
            raise LabelRowError(f"{path}.ops must be a list of operations, got {type(ops).__name__}.")
        if depth > 8:
            raise LabelRowError(f"{path}: batches nest at most 8 deep.")
        for i, inner in enumerate(ops):
            yield from _flatten(inner, f"{path}.ops[{i}]", depth + 1)
        return
    if name not in _HANDLERS:
        raise LabelRowError(f"{path}: unknown operation {name!r:.40}; expected one of {', '.join(OPERATIONS)}.")
    yield path, op


def apply_operation(row: LabelRow, operation: Mapping[str, Any]) -> Edit:
    """Carry out an operation on a row and return the edit, which can be undone exactly.

    Raises:
        LabelRowError: If the operation is malformed or the model refuses it (a clash under
            ``on_overlap="error"``, an answer that does not suit its attribute, ...). Nothing is
            changed then: the parts of a batch already carried out are undone.
    """
    ctx = _Context(row)
    done: list[tuple[Patch, ...]] = []
    changes: list[Change] = []
    try:
        for path, op in _flatten(operation, "operation"):
            recorder = _Recorder()
            try:
                _HANDLERS[op["op"]](ctx, recorder, op)
            except LabelRowError as e:
                # The failed part may have been partly carried out (an answer set before a later
                # check, a rival removed): bring back what it touched.
                _apply_step(row, recorder.patches(), "before")
                prefix = "" if path == "operation" else f"{path}: "
                raise LabelRowError(f"{prefix}{e.message}") from None
            patches = recorder.patches()
            done.append(tuple(patches))
            changes.extend(_describe(op["op"], patches))
    except LabelRowError:
        for step in reversed(done):
            _apply_step(row, step, "before")
        raise
    return Edit(dict(operation), tuple(s for s in done if s), tuple(changes))


__all__ = [
    "OPERATIONS",
    "AcceptObject",
    "Batch",
    "Change",
    "DeleteAnswer",
    "Edit",
    "Interpolate",
    "Operation",
    "PutClassification",
    "PutObject",
    "RemoveClassification",
    "RemoveDynamicAnswer",
    "RemoveObject",
    "SetAnswer",
    "SetDynamicAnswer",
    "WireMeta",
    "apply_operation",
    "coordinates_from_wire",
    "coordinates_to_wire",
    "frames_to_wire",
]
