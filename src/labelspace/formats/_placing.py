"""Putting what a reader finds frame by frame onto spaces in bulk.

Formats that keep an annotation per frame (COCO, Parquet, Encord) would otherwise make one put per
frame. ``Placer`` gathers a file's object frames and dynamic answers as they are read and, when
the file is done, makes one ``put_object_track`` per object and metadata record, and one
``set_dynamic_answer`` per object, attribute and answer: a long track loads in a few calls. A put
that fails names the record it came from, as a put per frame would.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from labelspace.formats._common import Reader
from labelspace.model.coordinates import GeometricCoordinates
from labelspace.model.errors import LabelRowError
from labelspace.model.instances import ObjectInstance
from labelspace.model.layouts import LAYOUTS
from labelspace.model.ontology import Attribute, Option
from labelspace.model.spaces import ImageSpace, MultiFrameSpace, Space


@dataclass
class _Track:
    space: MultiFrameSpace
    instance: ObjectInstance
    meta: dict[str, Any]
    frames: list[int] = field(default_factory=list)
    values: list[GeometricCoordinates] = field(default_factory=list)
    where: list[str] = field(default_factory=list)


@dataclass
class _Answer:
    space: MultiFrameSpace
    instance: ObjectInstance
    attribute: Attribute
    value: Any
    frames: list[int] = field(default_factory=list)
    where: str = ""


def hashable(value: Any) -> Hashable:
    """A hashable stand-in for a metadata value or an answer (options by identity, checklists as tuples)."""
    if isinstance(value, Option):
        return ("option", id(value))
    if isinstance(value, (list, tuple)):
        return tuple(hashable(v) for v in value)
    return value  # type: ignore[no-any-return]


class Placer:
    """Object frames and dynamic answers of one file, put on their spaces in bulk by ``place``.

    Args:
        r: The file's reader; errors name its source and the record.
    """

    def __init__(self, r: Reader) -> None:
        self.r = r
        self._tracks: dict[Hashable, _Track] = {}
        self._answers: dict[Hashable, _Answer] = {}

    def put(
        self, where: str, space: Space, instance: ObjectInstance, frame: int, coordinates: Any, meta: dict[str, Any]
    ) -> None:
        """Put an object on a frame (on an image: at once; on a video or volume: when ``place`` is called)."""
        if isinstance(space, ImageSpace):
            with self.r.at(where):
                space.put_object_instance(instance, coordinates, **meta)
            return
        assert isinstance(space, MultiFrameSpace)
        key = (id(space), instance.object_hash, tuple((k, hashable(v)) for k, v in sorted(meta.items())))
        track = self._tracks.get(key)
        if track is None:
            track = self._tracks[key] = _Track(space, instance, meta)
        track.frames.append(frame)
        track.values.append(coordinates)
        track.where.append(where)

    def answer(
        self, where: str, space: Space, instance: ObjectInstance, attribute: Attribute, frame: int, value: Any
    ) -> None:
        """Give a dynamic attribute's answer on a frame (when ``place`` is called, after the objects)."""
        if not isinstance(space, MultiFrameSpace):
            raise self.r.fail(where, "dynamic answers are given on the frames of a video or volume, not on an image.")
        key = (id(space), instance.object_hash, attribute.feature_node_hash, hashable(value))
        answer = self._answers.get(key)
        if answer is None:
            answer = self._answers[key] = _Answer(space, instance, attribute, value, where=where)
        answer.frames.append(frame)

    def place(self) -> None:
        """Put every object gathered, then every dynamic answer.

        Raises:
            FormatError: Naming the record of the first frame that cannot be put (a frame given
                twice for one object, a value the object's shape cannot take, a frame outside the space).
        """
        for track in self._tracks.values():
            self._put_track(track)
        self._tracks.clear()
        for answer in self._answers.values():
            with self.r.at(answer.where):
                answer.space.set_dynamic_answer(answer.instance, answer.frames, answer.value, answer.attribute)
        self._answers.clear()

    def _put_track(self, track: _Track) -> None:
        layout = LAYOUTS[track.instance.ontology_item.shape]
        values: Any = track.values
        if layout.row is not None and all(type(v) is layout.coordinates for v in values):
            values = np.array([layout.row(v) for v in values], np.float64).reshape(-1, layout.stride)
        try:
            track.space.put_object_track(track.instance, np.array(track.frames, np.int64), values, **track.meta)
        except LabelRowError as e:
            raise self.r.fail(self._culprit(track, e.message), e.message) from None

    @staticmethod
    def _culprit(track: _Track, message: str) -> str:
        """The record a failed put is about: a bad row it names, or the first outside the space, twice, or amiss."""
        row = re.match(r"values row (\d+):", message)
        if row is not None and int(row.group(1)) < len(track.where):
            return track.where[int(row.group(1))]
        kind = LAYOUTS[track.instance.ontology_item.shape].coordinates
        seen: set[int] = set()
        for where, frame, value in zip(track.where, track.frames, track.values, strict=True):
            if not 0 <= frame < track.space.number_of_frames or frame in seen or type(value) is not kind:
                return where
            seen.add(frame)
        return track.where[0]
