"""Read-only views of what a space holds: one annotation on one frame, an object's runs, answers by frame.

Views are snapshots taken when read; to change labels, call the space's put and remove methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Union

import numpy as np

from labelspace.model._meta import Metadata, MetaTable
from labelspace.model.coordinates import GeometricCoordinates
from labelspace.model.frames import IntArray, Range, merge_runs, runs_to_ranges
from labelspace.model.instances import ClassificationInstance, NumericAnswerValue, ObjectInstance
from labelspace.model.ontology import Attribute, Option

if TYPE_CHECKING:
    import numpy.typing as npt

    from labelspace.model.spaces import Space

Answer = Union[str, NumericAnswerValue, Option, list[Option]]
"""An answer as the API hands it out: text, a number, a radio option, or a checklist's options."""


class _Annotation:
    __slots__ = ("_meta", "_record", "frame", "space")

    frame: int
    space: Space
    _meta: MetaTable
    _record: int

    @property
    def metadata(self) -> Metadata:
        """Who made the annotation, when, and how sure (one record, shared by the frames of one put)."""
        return self._meta.record(self._record)

    @property
    def created_at(self) -> datetime:
        """When the annotation was created (UTC)."""
        return self.metadata.created_at

    @property
    def created_by(self) -> str | None:
        """Who created the annotation."""
        return self.metadata.created_by

    @property
    def last_edited_at(self) -> datetime:
        """When the annotation was last edited (UTC)."""
        return self.metadata.last_edited_at

    @property
    def last_edited_by(self) -> str | None:
        """Who last edited the annotation."""
        return self.metadata.last_edited_by

    @property
    def confidence(self) -> float:
        """Confidence from 0.0 to 1.0 (1.0 unless given)."""
        return self.metadata.confidence

    @property
    def manual_annotation(self) -> bool:
        """Whether a person made the annotation (True unless given)."""
        return self.metadata.manual_annotation


class ObjectAnnotation(_Annotation):
    """An object instance on one frame: its coordinates and metadata there.

    A snapshot taken when it was read; to change an annotation, put the instance again with
    ``on_overlap="replace"``.
    """

    __slots__ = ("coordinates", "object_instance")

    def __init__(
        self,
        space: Space,
        object_instance: ObjectInstance,
        frame: int,
        coordinates: GeometricCoordinates,
        meta: MetaTable,
        record: int,
    ) -> None:
        self.space = space
        self.object_instance = object_instance
        self.frame = frame
        self.coordinates = coordinates
        self._meta = meta
        self._record = record

    @property
    def object_hash(self) -> str:
        """The object instance's hash."""
        return self.object_instance.object_hash

    def __repr__(self) -> str:
        return (
            f"ObjectAnnotation(object_hash={self.object_hash!r}, frame={self.frame}, coordinates={self.coordinates!r})"
        )


class ClassificationAnnotation(_Annotation):
    """A classification instance on one frame (or, if ``is_global``, on the whole space, frame 0)."""

    __slots__ = ("classification_instance", "is_global")

    def __init__(
        self,
        space: Space,
        classification_instance: ClassificationInstance,
        frame: int,
        meta: MetaTable,
        record: int,
        is_global: bool,
    ) -> None:
        self.space = space
        self.classification_instance = classification_instance
        self.frame = frame
        self.is_global = is_global
        self._meta = meta
        self._record = record

    @property
    def classification_hash(self) -> str:
        """The classification instance's hash."""
        return self.classification_instance.classification_hash

    def __repr__(self) -> str:
        where = "global" if self.is_global else f"frame={self.frame}"
        return f"ClassificationAnnotation(classification_hash={self.classification_hash!r}, {where})"


@dataclass(frozen=True)
class AnswerForFrames:
    """One answer of a dynamic attribute and the frame ranges it holds on.

    Attributes:
        answer: The answer: a str, a number, an ``Option`` or a list of options.
        ranges: Sorted, disjoint ranges where the object has this answer.
    """

    answer: Union[str, NumericAnswerValue, Option, list[Option]]
    ranges: list[Range]


AnswersForFrames = list[AnswerForFrames]
"""The answers of a dynamic attribute, each with the ranges it holds on, in the order first given."""


@dataclass(frozen=True, eq=False)
class ObjectRuns:
    """An object instance's annotations on one space, as runs of frames with one value and one metadata each.

    Attributes:
        starts: ``(n,)`` first frames of the runs, sorted; runs are disjoint (adjacent ones may touch).
        ends: ``(n,)`` last frames of the runs (inclusive).
        values: For boxes, rotated boxes and points an ``(n, k)`` float array of normalised rows in
            the layout of ``LAYOUTS``; for other shapes a list of ``n`` coordinates.
        metadata: ``n`` metadata records, one per run.
    """

    starts: IntArray
    ends: IntArray
    values: npt.NDArray[np.float64] | list[GeometricCoordinates]
    metadata: list[Metadata]

    def __len__(self) -> int:
        return int(self.starts.size)

    def frames(self) -> list[Range]:
        """The frames the object is on, as merged ranges."""
        return runs_to_ranges(*merge_runs(self.starts, self.ends))


@dataclass(frozen=True, eq=False)
class DynamicAnswerRuns:
    """The answers of one dynamic attribute of one object on one space, as runs of frames.

    Attributes:
        attribute: The dynamic attribute.
        answers: The distinct answers, in the order first given.
        starts: ``(n,)`` first frames of the runs, sorted and disjoint.
        ends: ``(n,)`` last frames of the runs (inclusive).
        answer_ids: ``(n,)`` which of ``answers`` holds on each run.
    """

    attribute: Attribute
    answers: list[Answer]
    starts: IntArray
    ends: IntArray
    answer_ids: IntArray

    def at(self, frame: int) -> Answer | None:
        """The answer on ``frame``, or None where none is given."""
        i = int(np.searchsorted(self.starts, frame, "right")) - 1
        if i >= 0 and self.ends[i] >= frame:
            return self.answers[int(self.answer_ids[i])]
        return None

    def ranges(self, answer_id: int) -> list[Range]:
        """The frames where ``answers[answer_id]`` holds, as merged ranges."""
        pick = self.answer_ids == answer_id
        return runs_to_ranges(*merge_runs(self.starts[pick], self.ends[pick]))


__all__ = [
    "Answer",
    "AnswerForFrames",
    "AnswersForFrames",
    "ClassificationAnnotation",
    "DynamicAnswerRuns",
    "Metadata",
    "ObjectAnnotation",
    "ObjectRuns",
]
