"""Spaces: the image, video or volume that annotations are placed on.

``ImageSpace`` holds annotations of a single image. ``MultiFrameSpace`` holds them on frames and
frame ranges of a video (``VideoSpace``) or a DICOM or NIfTI volume (``MedicalSpace``), with
per-frame answers to dynamic attributes. Create spaces through a ``LabelRow``.

Storage is by runs of frames (see ``_runs``): an object put on ``Range(0, N - 1)`` is one run
whatever N is, and a track of distinct boxes is a column of rows, not an object per frame.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from time import time_ns
from typing import Any, ClassVar, Literal, Optional, TypeVar, Union

import numpy as np
import numpy.typing as npt

from labelspace.model._dynamic import AnswerTrack
from labelspace.model._meta import MetaInput, MetaTable, check_meta
from labelspace.model._runs import MAX_FRAME, intersect
from labelspace.model._tracks import ClassificationTrack, ObjectTrack
from labelspace.model.annotations import (
    AnswersForFrames,
    ClassificationAnnotation,
    DynamicAnswerRuns,
    ObjectAnnotation,
    ObjectRuns,
)
from labelspace.model.coordinates import BitmaskCoordinates, GeometricCoordinates
from labelspace.model.errors import LabelRowError
from labelspace.model.frames import Frames, IntArray, Range, merge_runs, runs_to_ranges, to_runs
from labelspace.model.instances import (
    ClassificationInstance,
    NumericAnswerValue,
    ObjectInstance,
    attribute_path,
    check_answer,
    infer_attribute,
)
from labelspace.model.interpolation import interpolate_objects, interpolate_rows
from labelspace.model.layouts import LAYOUTS, check_rows
from labelspace.model.ontology import Attribute, Ontology, Option

FrameOverlapStrategy = Literal["error", "replace"]
"""What a put does where the instance is already placed: raise (``"error"``) or overwrite (``"replace"``)."""

_STRATEGIES = ("error", "replace")


TrackT = TypeVar("TrackT", ObjectTrack, ClassificationTrack)


def _positive(name: str, value: object, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise LabelRowError(f"{owner}: {name} must be a positive int, got {value!r}.")
    return int(value)


def _hash_of(instance: object, kind: type) -> str:
    """The hash of an instance, or of a hash given as a str; anything else is an error."""
    if isinstance(instance, str):
        return instance
    if isinstance(instance, kind):
        return instance._hash  # type: ignore[attr-defined, no-any-return]
    noun = "an object" if kind is ObjectInstance else "a classification"
    raise LabelRowError(
        f"Expected {noun} hash (str) or the {kind.__name__} itself, got {type(instance).__name__} {instance!r:.40}."
    )


def _check_same(given: object, placed: object, space_id: str) -> None:
    if not isinstance(given, str) and given is not placed:
        raise LabelRowError(
            f"Another instance with hash {placed._hash!r} is on space {space_id!r}, not the one given; "  # type: ignore[attr-defined]
            f"pass its hash to remove it."
        )


class Space:
    """What every space has: an id, a size, and object and classification instances placed on it."""

    kind: ClassVar[str] = ""

    def __init__(self, space_id: str, width: int, height: int, number_of_frames: int, ontology: Ontology) -> None:
        if not isinstance(space_id, str) or not space_id:
            raise LabelRowError(f"A space id must be a non-empty str, got {space_id!r}.")
        owner = f"space {space_id!r}"
        self._space_id = space_id
        self._width = _positive("width", width, owner)
        self._height = _positive("height", height, owner)
        self._number_of_frames = _positive("number_of_frames", number_of_frames, owner)
        if self._number_of_frames > MAX_FRAME:
            raise LabelRowError(f"{owner}: at most {MAX_FRAME} frames are supported, got {number_of_frames}.")
        self._ontology = ontology
        self._meta = MetaTable()
        self._objects: dict[str, ObjectTrack] = {}
        self._classifications: dict[str, ClassificationTrack] = {}
        self.media: str | None = None
        """Where the space's pixels are: a file or folder path (or URL), if known."""

    @property
    def space_id(self) -> str:
        """The space's id within its label row."""
        return self._space_id

    @property
    def width(self) -> int:
        """Width of the image or frames, in pixels."""
        return self._width

    @property
    def height(self) -> int:
        """Height of the image or frames, in pixels."""
        return self._height

    @property
    def number_of_frames(self) -> int:
        """How many frames the space has (1 for an image)."""
        return self._number_of_frames

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(space_id={self._space_id!r}, {self._width}x{self._height}, "
            f"frames={self._number_of_frames}, objects={len(self._objects)}, "
            f"classifications={len(self._classifications)})"
        )

    # -- reading --

    def get_object_instances(self) -> list[ObjectInstance]:
        """The object instances on the space, in the order they were first put."""
        return [t.instance for t in self._objects.values()]

    def get_classification_instances(self) -> list[ClassificationInstance]:
        """The classification instances on the space, in the order they were first put."""
        return [t.instance for t in self._classifications.values()]

    def get_annotations(
        self,
        type_: Literal["object", "classification"] = "object",
        filter_instance_hashes: Optional[Iterable[str]] = None,
    ) -> Iterator[Any]:
        """Iterate lazily over annotations, one per instance per frame, in frame order.

        Args:
            type_: ``"object"`` for ``ObjectAnnotation`` views, ``"classification"`` for
                ``ClassificationAnnotation`` views (frame ones first, then global ones).
            filter_instance_hashes: Only these object (or classification) hashes.
        """
        wanted = None if filter_instance_hashes is None else set(filter_instance_hashes)
        if type_ == "object":
            tracks = [t for h, t in self._objects.items() if wanted is None or h in wanted]
            merged = heapq.merge(*(self._object_views(i, t) for i, t in enumerate(tracks)), key=_frame_order)
            return (view for _, _, view in merged)
        if type_ == "classification":
            ctracks = [t for h, t in self._classifications.items() if wanted is None or h in wanted]
            framed = heapq.merge(*(self._classification_views(i, t) for i, t in enumerate(ctracks)), key=_frame_order)
            return _chain_views(framed, self._global_views(ctracks))
        raise LabelRowError(f"type_ must be 'object' or 'classification', got {type_!r}.")

    def get_annotations_on_frame(self, frame: int, type_: Literal["object", "classification"] = "object") -> list[Any]:
        """The annotations on one frame (global classifications included), in the order first put."""
        self._check_frame(frame, "frame")
        if type_ == "object":
            views: list[Any] = []
            for track in self._objects.values():
                run = track.runs.find(frame)
                if run >= 0:
                    views.append(
                        ObjectAnnotation(
                            self, track.instance, frame, track.coordinates(run), self._meta, track.runs.tags[run]
                        )
                    )
            return views
        if type_ == "classification":
            out: list[Any] = []
            for ctrack in self._classifications.values():
                if ctrack.global_record is not None:
                    out.append(
                        ClassificationAnnotation(self, ctrack.instance, 0, self._meta, ctrack.global_record, True)
                    )
                    continue
                run = ctrack.runs.find(frame)
                if run >= 0:
                    out.append(
                        ClassificationAnnotation(self, ctrack.instance, frame, self._meta, ctrack.runs.tags[run], False)
                    )
            return out
        raise LabelRowError(f"type_ must be 'object' or 'classification', got {type_!r}.")

    def get_object_frames(self, object_instance: ObjectInstance) -> list[Range]:
        """The frame ranges an object instance is on (empty if it is not on the space)."""
        track = self._objects.get(object_instance.object_hash)
        if track is None:
            return []
        return runs_to_ranges(*merge_runs(track.runs.np_starts(), track.runs.np_ends()))

    def get_classification_frames(self, classification_instance: ClassificationInstance) -> list[Range]:
        """The frame ranges a classification instance is on (empty if global or absent)."""
        track = self._classifications.get(classification_instance.classification_hash)
        if track is None:
            return []
        return runs_to_ranges(*merge_runs(track.runs.np_starts(), track.runs.np_ends()))

    def get_object_runs(self, object_instance: ObjectInstance) -> ObjectRuns:
        """An object instance's annotations as runs of frames, each with its value and metadata.

        The compact form of ``get_annotations`` for one instance: a run of a thousand frames with
        one box is one entry. Empty if the instance is not on the space.
        """
        track = self._objects.get(_hash_of(object_instance, ObjectInstance))
        if track is None or track.instance is not object_instance:
            layout = LAYOUTS[object_instance.ontology_item.shape]
            empty: Any = np.empty((0, layout.stride)) if layout.stride > 0 else []
            return ObjectRuns(np.empty(0, np.int64), np.empty(0, np.int64), empty, [])
        return track.view(self._meta)

    def get_classification_metadata(self, classification_instance: ClassificationInstance) -> list[tuple[Range, Any]]:
        """A classification instance's frame runs with the metadata of each (one entry at frame 0 when global).

        Returns:
            ``[(Range, Metadata), ...]`` in frame order; empty if the instance is not on the space.
        """
        track = self._classifications.get(_hash_of(classification_instance, ClassificationInstance))
        if track is None:
            return []
        if track.global_record is not None:
            return [(Range(0, 0), self._meta.record(track.global_record))]
        runs = track.runs
        return [(Range(runs.starts[i], runs.ends[i]), self._meta.record(runs.tags[i])) for i in range(len(runs))]

    def _object_views(self, order: int, track: ObjectTrack) -> Iterator[tuple[int, int, ObjectAnnotation]]:
        runs = track.runs
        for run in range(len(runs)):
            coordinates = track.coordinates(run)
            record = runs.tags[run]
            for frame in range(runs.starts[run], runs.ends[run] + 1):
                yield frame, order, ObjectAnnotation(self, track.instance, frame, coordinates, self._meta, record)

    def _classification_views(
        self, order: int, track: ClassificationTrack
    ) -> Iterator[tuple[int, int, ClassificationAnnotation]]:
        runs = track.runs
        for run in range(len(runs)):
            record = runs.tags[run]
            for frame in range(runs.starts[run], runs.ends[run] + 1):
                yield frame, order, ClassificationAnnotation(self, track.instance, frame, self._meta, record, False)

    def _global_views(self, tracks: list[ClassificationTrack]) -> Iterator[ClassificationAnnotation]:
        for track in tracks:
            if track.global_record is not None:
                yield ClassificationAnnotation(self, track.instance, 0, self._meta, track.global_record, True)

    # -- checking input --

    def _check_frame(self, frame: object, what: str) -> int:
        if isinstance(frame, bool) or not isinstance(frame, (int, np.integer)):
            raise LabelRowError(f"{what} must be an int frame number, got {type(frame).__name__} {frame!r:.40}.")
        f = int(frame)
        self._check_bounds(f, f)
        return f

    def _check_bounds(self, first: int, last: int) -> None:
        if first < 0:
            raise LabelRowError(f"Frame {first} is below 0: frames of space {self._space_id!r} count from 0.")
        if last >= self._number_of_frames:
            raise LabelRowError(
                f"Frame {last} is past the last frame ({self._number_of_frames - 1}) of space {self._space_id!r}."
            )

    def _check_frames(self, frames: Frames) -> tuple[IntArray, IntArray]:
        starts, ends = to_runs(frames)
        self._check_bounds(int(starts[0]), int(ends[-1]))
        return starts, ends

    @staticmethod
    def _check_strategy(on_overlap: object) -> None:
        if on_overlap not in _STRATEGIES:
            raise LabelRowError(f"on_overlap must be 'error' or 'replace', got {on_overlap!r}.")

    def _check_instance(self, instance: object, kind: type, tracks: Mapping[str, TrackT]) -> TrackT | None:
        """The instance's track on this space, or None if it is new here (after checking it may be put)."""
        if not isinstance(instance, kind):
            factory = "Object" if kind is ObjectInstance else "Classification"
            article = "an" if kind is ObjectInstance else "a"
            raise LabelRowError(
                f"Expected {article} {kind.__name__} (from {factory}.create_instance()), got {type(instance).__name__}."
            )
        assert isinstance(instance, (ObjectInstance, ClassificationInstance))
        track = tracks.get(instance._hash)
        if track is not None:
            if track.instance is not instance:
                raise LabelRowError(
                    f"Another {kind.__name__} with hash {instance._hash!r} is already on space {self._space_id!r}; "
                    f"instance hashes must be unique."
                )
            return track
        item = instance.ontology_item
        if not any(e is item for e in (*self._ontology.objects, *self._ontology.classifications)):
            raise LabelRowError(
                f"{type(item).__name__} {item.title!r} ({item.feature_node_hash}) is not in this label row's "
                f"ontology; create instances from the ontology the label row was made with."
            )
        return None

    def _check_object(self, object_instance: object) -> ObjectTrack | None:
        return self._check_instance(object_instance, ObjectInstance, self._objects)

    def _check_classification(self, classification_instance: object) -> ClassificationTrack | None:
        return self._check_instance(classification_instance, ClassificationInstance, self._classifications)

    def _check_coordinates(self, object_instance: ObjectInstance, coordinates: object) -> None:
        shape = object_instance.ontology_item.shape
        expected = LAYOUTS[shape].coordinates
        if type(coordinates) is not expected:
            raise LabelRowError(
                f"Object {object_instance.ontology_item.name!r} is a {shape.value}, so its coordinates must be "
                f"{expected.__name__}; got {type(coordinates).__name__}."
            )
        if isinstance(coordinates, BitmaskCoordinates) and (coordinates.height, coordinates.width) != (
            self._height,
            self._width,
        ):
            raise LabelRowError(
                f"The bitmask is {coordinates.width}x{coordinates.height} but space {self._space_id!r} is "
                f"{self._width}x{self._height}; a mask must be the size of its image."
            )

    # -- changing --

    def _put_object(
        self,
        object_instance: ObjectInstance,
        starts: IntArray,
        ends: IntArray,
        coordinates: GeometricCoordinates,
        on_overlap: object,
        given: MetaInput,
    ) -> None:
        self._check_strategy(on_overlap)
        track = self._check_object(object_instance)
        self._check_coordinates(object_instance, coordinates)
        if track is not None and on_overlap == "error":
            clash = track.runs.first_clash(starts, ends)
            if clash is not None:
                raise LabelRowError(
                    f"Object {object_instance.ontology_item.name!r} ({object_instance.object_hash}) is already on "
                    f"frame {clash} of space {self._space_id!r}; pass on_overlap='replace' to overwrite it."
                )
        # Checks are done: from here on the call cannot fail.
        if track is None:
            track = self._objects[object_instance.object_hash] = ObjectTrack(object_instance)
        layout = track.layout
        value: Any = np.array([layout.row(coordinates)]) if layout.row is not None else [coordinates]
        self._splice_object(track, starts, ends, value, given)

    def _splice_object(
        self, track: ObjectTrack, starts: IntArray, ends: IntArray, values: Any, given: MetaInput
    ) -> None:
        meta = self._meta
        track.runs.splice(starts, ends, meta.fresh(given), lambda old: meta.edited(old, given), values)

    def _remove_object(self, given: object, starts: IntArray | None, ends: IntArray | None) -> ObjectInstance | None:
        object_hash = _hash_of(given, ObjectInstance)
        track = self._objects.get(object_hash)
        if track is None:
            return None
        _check_same(given, track.instance, self._space_id)
        if starts is None or ends is None:
            del self._objects[object_hash]
            return track.instance
        track.runs.remove(starts, ends)
        for answers in list(track.dynamic.values()):
            answers.runs.remove(starts, ends)
            answers.drop_unused()
            if not answers.runs:
                del track.dynamic[answers.attribute.feature_node_hash]
        if not track.runs:
            del self._objects[object_hash]
        return track.instance

    def _same_class(self, instance: ClassificationInstance) -> list[ClassificationTrack]:
        item = instance.ontology_item
        return [t for t in self._classifications.values() if t.instance.ontology_item is item]

    def _put_framed_classification(
        self,
        instance: ClassificationInstance,
        starts: IntArray,
        ends: IntArray,
        on_overlap: object,
        given: MetaInput,
    ) -> None:
        self._check_strategy(on_overlap)
        track = self._check_classification(instance)
        rivals = self._same_class(instance)
        if on_overlap == "error":
            clashes = [c for c in (t.runs.first_clash(starts, ends) for t in rivals) if c is not None]
            if clashes:
                raise LabelRowError(
                    f"Classification {instance.ontology_item.title!r} is already on frame {min(clashes)} of space "
                    f"{self._space_id!r}; pass on_overlap='replace' to overwrite it."
                )
        for rival in rivals:
            if rival is not track:
                rival.runs.remove(starts, ends)
                if not rival.runs:
                    del self._classifications[rival.instance.classification_hash]
        if track is None:
            track = self._classifications[instance.classification_hash] = ClassificationTrack(instance)
        meta = self._meta
        track.runs.splice(starts, ends, meta.fresh(given), lambda old: meta.edited(old, given), None)

    def _remove_classification(
        self, given: object, starts: IntArray | None, ends: IntArray | None
    ) -> ClassificationInstance | None:
        classification_hash = _hash_of(given, ClassificationInstance)
        track = self._classifications.get(classification_hash)
        if track is None:
            return None
        _check_same(given, track.instance, self._space_id)
        if starts is None or ends is None:
            del self._classifications[classification_hash]
            return track.instance
        if track.global_record is not None:
            raise LabelRowError(
                f"Classification {track.instance.ontology_item.title!r} is global on space {self._space_id!r}: it has "
                f"no frames. Remove it without frames."
            )
        track.runs.remove(starts, ends)
        if not track.runs:
            del self._classifications[classification_hash]
        return track.instance


def _frame_order(item: tuple[int, int, Any]) -> tuple[int, int]:
    return item[0], item[1]


def _chain_views(framed: Iterator[tuple[int, int, Any]], rest: Iterator[Any]) -> Iterator[Any]:
    for _, _, view in framed:
        yield view
    yield from rest


class ImageSpace(Space):
    """A single image. Objects and classifications are placed on it without frames (frame 0)."""

    kind = "image"

    def __init__(self, space_id: str, width: int, height: int, ontology: Ontology) -> None:
        super().__init__(space_id, width, height, 1, ontology)

    def get_annotations(
        self,
        type_: Literal["object", "classification"] = "object",
        filter_instance_hashes: Optional[Iterable[str]] = None,
    ) -> Iterator[Any]:
        """Iterate lazily over the annotations on the image (frame 0).

        Args:
            type_: ``"object"`` or ``"classification"``.
            filter_instance_hashes: Only these object (or classification) hashes.
        """
        return super().get_annotations(type_, filter_instance_hashes)

    def put_object_instance(
        self,
        object_instance: ObjectInstance,
        coordinates: GeometricCoordinates,
        *,
        on_overlap: FrameOverlapStrategy = "error",
        created_at: Optional[datetime] = None,
        created_by: Optional[str] = None,
        last_edited_at: Optional[datetime] = None,
        last_edited_by: Optional[str] = None,
        confidence: Optional[float] = None,
        manual_annotation: Optional[bool] = None,
    ) -> None:
        """Add an object instance to the image.

        Args:
            object_instance: The object instance to add.
            coordinates: Its coordinates, of the type its object's shape needs.
            on_overlap: ``"error"`` raises if the instance is already on the image; ``"replace"``
                overwrites its coordinates and the metadata given.
            created_at: When the annotation was created; now (UTC) when omitted.
            created_by: Who created it.
            last_edited_at: When it was last edited; now when omitted.
            last_edited_by: Who last edited it.
            confidence: Confidence from 0.0 to 1.0; 1.0 when omitted.
            manual_annotation: Whether a person made it; True when omitted.

        Raises:
            LabelRowError: If the annotation already exists and ``on_overlap="error"``, or any
                argument is invalid. A failed call changes nothing.
        """
        given = check_meta(created_at, created_by, last_edited_at, last_edited_by, confidence, manual_annotation)
        zero = np.zeros(1, np.int64)
        self._put_object(object_instance, zero, zero, coordinates, on_overlap, given)

    def put_classification_instance(
        self,
        classification_instance: ClassificationInstance,
        *,
        on_overlap: Optional[FrameOverlapStrategy] = "error",
        created_at: Optional[datetime] = None,
        created_by: Optional[str] = None,
        last_edited_at: Optional[datetime] = None,
        last_edited_by: Optional[str] = None,
        confidence: Optional[float] = None,
        manual_annotation: Optional[bool] = None,
    ) -> None:
        """Add a classification instance to the image.

        Args:
            classification_instance: The classification instance to add.
            on_overlap: ``"error"`` raises if an instance of the same ontology classification is
                already on the image; ``"replace"`` takes its place.
            created_at: When the annotation was created; now (UTC) when omitted.
            created_by: Who created it.
            last_edited_at: When it was last edited; now when omitted.
            last_edited_by: Who last edited it.
            confidence: Confidence from 0.0 to 1.0; 1.0 when omitted.
            manual_annotation: Whether a person made it; True when omitted.

        Raises:
            LabelRowError: If a classification of the same ontology item is already on the image
                and ``on_overlap="error"``, or any argument is invalid.
        """
        given = check_meta(created_at, created_by, last_edited_at, last_edited_by, confidence, manual_annotation)
        zero = np.zeros(1, np.int64)
        self._put_framed_classification(classification_instance, zero, zero, on_overlap, given)

    def remove_object_instance(self, object_hash: Union[str, ObjectInstance]) -> Optional[ObjectInstance]:
        """Remove an object instance (given by its hash, or itself) from the image.

        Returns:
            The removed instance, or None if it was not on the image.
        """
        return self._remove_object(object_hash, None, None)

    def remove_classification_instance(
        self, classification_hash: Union[str, ClassificationInstance]
    ) -> Optional[ClassificationInstance]:
        """Remove a classification instance (given by its hash, or itself) from the image.

        Returns:
            The removed instance, or None if it was not on the image.
        """
        return self._remove_classification(classification_hash, None, None)


class MultiFrameSpace(Space):
    """Space which handles annotation on multiple frames: video, DICOM, NIfTI."""

    def put_object_instance(
        self,
        object_instance: ObjectInstance,
        frames: Frames,
        coordinates: GeometricCoordinates,
        *,
        on_overlap: FrameOverlapStrategy = "error",
        created_at: Optional[datetime] = None,
        created_by: Optional[str] = None,
        last_edited_at: Optional[datetime] = None,
        last_edited_by: Optional[str] = None,
        confidence: Optional[float] = None,
        manual_annotation: Optional[bool] = None,
    ) -> None:
        """Add an object instance to frames of the space, with the same coordinates on each.

        Args:
            object_instance: The object instance to add.
            frames: An int, a list or set of ints, a ``Range``, a list of ``Range`` or an int array.
            coordinates: Its coordinates, of the type its object's shape needs.
            on_overlap: ``"error"`` raises if the instance is already on one of the frames;
                ``"replace"`` overwrites it on the frames given (and only those).
            created_at: When the annotation was created; now (UTC) when omitted.
            created_by: Who created it.
            last_edited_at: When it was last edited; now when omitted.
            last_edited_by: Who last edited it.
            confidence: Confidence from 0.0 to 1.0; 1.0 when omitted.
            manual_annotation: Whether a person made it; True when omitted.

        Raises:
            LabelRowError: If a frame is out of the space, the coordinates do not suit the object's
                shape, or the annotation exists and ``on_overlap="error"``. A failed call changes nothing.
        """
        # Fast path: one new frame after the track's last, no metadata given. It does exactly what the
        # general path would, without building arrays.
        if (
            type(frames) is int
            and created_at is None
            and created_by is None
            and last_edited_at is None
            and last_edited_by is None
            and confidence is None
            and manual_annotation is None
            and (on_overlap == "error" or on_overlap == "replace")
            and 0 <= frames < self._number_of_frames
        ):
            track = self._objects.get(object_instance._object_hash) if type(object_instance) is ObjectInstance else None
            if track is not None and track.instance is object_instance and type(coordinates) is track.coordinates_type:
                runs = track.runs
                ends = runs.ends
                last = ends[-1] if ends else -1
                if track.row is not None and frames > last:
                    meta = self._meta
                    tag = meta.now_id if time_ns() // 1_000_000 == meta.now_ms else meta.default()
                    values = coordinates._row  # type: ignore[union-attr]
                    rows = runs.rows
                    if (
                        last == frames - 1
                        and rows[-runs.stride] == values[0]
                        and runs.tags[-1] == tag
                        and (tuple(rows[-runs.stride :]) == values)
                    ):
                        ends[-1] = frames
                    else:
                        runs.starts.append(frames)
                        ends.append(frames)
                        runs.tags.append(tag)
                        rows.frombytes(track.pack(*values))
                    return
        given = check_meta(created_at, created_by, last_edited_at, last_edited_by, confidence, manual_annotation)
        starts, ends_ = self._check_frames(frames)
        self._put_object(object_instance, starts, ends_, coordinates, on_overlap, given)

    def put_object_track(
        self,
        object_instance: ObjectInstance,
        frames: npt.ArrayLike,
        values: npt.ArrayLike | Sequence[GeometricCoordinates],
        *,
        on_overlap: FrameOverlapStrategy = "error",
        created_at: Optional[datetime] = None,
        created_by: Optional[str] = None,
        last_edited_at: Optional[datetime] = None,
        last_edited_by: Optional[str] = None,
        confidence: Optional[float] = None,
        manual_annotation: Optional[bool] = None,
    ) -> None:
        """Put a track: an object instance on many frames, each with its own coordinates, in one call.

        This is the vectorised form of calling ``put_object_instance`` once per frame.

        Args:
            object_instance: The object instance.
            frames: ``(n,)`` distinct frame numbers, in any order.
            values: For boxes, rotated boxes and points, an ``(n, k)`` float array of normalised
                rows in the layout of ``LAYOUTS`` (boxes ``x, y, w, h``; rotated boxes
                ``x, y, w, h, theta``; points ``x, y``). For other shapes, a sequence of n coordinates.
            on_overlap: As for ``put_object_instance``.
            created_at: When the annotations were created; now (UTC) when omitted.
            created_by: Who created them.
            last_edited_at: When they were last edited; now when omitted.
            last_edited_by: Who last edited them.
            confidence: Confidence from 0.0 to 1.0; 1.0 when omitted.
            manual_annotation: Whether a person made them; True when omitted.

        Raises:
            LabelRowError: If frames repeat or leave the space, values do not match frames or the
                shape, or an annotation exists and ``on_overlap="error"``. A failed call changes nothing.
        """
        given = check_meta(created_at, created_by, last_edited_at, last_edited_by, confidence, manual_annotation)
        self._check_strategy(on_overlap)
        track = self._check_object(object_instance)
        frame_array = np.asarray(frames)
        if frame_array.ndim != 1 or frame_array.size == 0 or not np.issubdtype(frame_array.dtype, np.integer):
            raise LabelRowError(
                f"frames must be a non-empty 1-d array of int frame numbers, got shape {frame_array.shape} and "
                f"dtype {frame_array.dtype}."
            )
        order = np.argsort(frame_array, kind="stable")
        sorted_frames = frame_array[order].astype(np.int64)
        if sorted_frames.size > 1 and (np.diff(sorted_frames) == 0).any():
            dup = int(sorted_frames[np.flatnonzero(np.diff(sorted_frames) == 0)[0]])
            raise LabelRowError(f"frames holds frame {dup} more than once; a track has one value per frame.")
        self._check_bounds(int(sorted_frames[0]), int(sorted_frames[-1]))
        shape = object_instance.ontology_item.shape
        layout = LAYOUTS[shape]
        n = sorted_frames.size
        ordered: Any
        if layout.stride > 0 and not _is_coordinate_list(values, layout.coordinates):
            rows = np.asarray(values, dtype=np.float64)
            if rows.shape != (n, layout.stride):
                raise LabelRowError(
                    f"values must be an ({n}, {layout.stride}) array of {layout.columns} rows for {n} frames of a "
                    f"{shape.value}, got shape {rows.shape}."
                )
            check_rows(shape, rows)
            ordered = rows[order]
        else:
            items = list(values)  # type: ignore[arg-type]
            if len(items) != n:
                raise LabelRowError(
                    f"values must hold one {layout.coordinates.__name__} per frame: {n}, got {len(items)}."
                )
            for item in items:
                self._check_coordinates(object_instance, item)
            ordered = [items[i] for i in order.tolist()]
            if layout.row is not None:
                ordered = np.array([layout.row(c) for c in ordered], np.float64)
        if track is not None and on_overlap == "error":
            clash = track.runs.first_clash(sorted_frames, sorted_frames)
            if clash is not None:
                raise LabelRowError(
                    f"Object {object_instance.ontology_item.name!r} ({object_instance.object_hash}) is already on "
                    f"frame {clash} of space {self._space_id!r}; pass on_overlap='replace' to overwrite it."
                )
        if track is None:
            track = self._objects[object_instance.object_hash] = ObjectTrack(object_instance)
        self._splice_object(track, sorted_frames, sorted_frames, ordered, given)

    def get_object_track(
        self, object_instance: ObjectInstance
    ) -> tuple[IntArray, npt.NDArray[np.float64] | list[GeometricCoordinates]]:
        """Return an instance's track, one entry per frame it is on.

        Returns:
            ``(frames, values)``: sorted frame numbers and, for boxes, rotated boxes and points, an
            ``(n, k)`` array of rows in the layout of ``LAYOUTS``; for other shapes a list of
            coordinates. Both are empty if the instance is not on the space.
        """
        track = self._objects.get(object_instance.object_hash)
        layout = LAYOUTS[object_instance.ontology_item.shape]
        if track is None:
            empty_values: Any = np.empty((0, layout.stride)) if layout.stride > 0 else []
            return np.empty(0, np.int64), empty_values
        runs = track.runs
        starts, ends = runs.np_starts(), runs.np_ends()
        lengths = ends - starts + 1
        frames = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        if layout.stride > 0:
            return frames, np.repeat(runs.np_rows(), lengths, axis=0)
        return frames, [obj for obj, k in zip(runs.objects, lengths.tolist(), strict=True) for _ in range(k)]  # type: ignore[misc]

    def get_keyframes(self, object_instance: ObjectInstance) -> list[Range]:
        """The frames where a person placed an object instance (``manual_annotation=True``), as ranges."""
        track = self._objects.get(_hash_of(object_instance, ObjectInstance))
        if track is None or track.instance is not object_instance:
            return []
        keep = self._manual_runs(track)
        return runs_to_ranges(*merge_runs(track.runs.np_starts()[keep], track.runs.np_ends()[keep]))

    def _manual_runs(self, track: ObjectTrack) -> npt.NDArray[np.bool_]:
        """Which runs of a track a person placed (its keyframes)."""
        return np.frombuffer(self._meta.manual, np.int8)[track.runs.np_tags()].astype(np.bool_)

    def interpolate(self, object_instance: ObjectInstance, frames: Optional[Frames] = None) -> list[Range]:
        """Fill the frames between an object instance's keyframes with shapes that move from one to the next.

        Keyframes are the frames where its annotation has ``manual_annotation=True``. Every frame
        strictly between two neighbouring keyframes gets an interpolated shape, replacing whatever
        was there (an earlier interpolation, a tracker's prediction); keyframes and frames before
        the first or after the last keyframe are left alone. Interpolated frames are stored with
        ``manual_annotation=False`` and confidence 1.0. How each shape moves is described in
        ``labelspace.model.interpolation``: boxes and points linearly, rotated boxes along the
        shorter arc, polygons and polylines matched along their outlines, skeletons node by node,
        bitmasks through signed distance fields.

        Args:
            object_instance: The object instance, on this space.
            frames: Only fill these frames (those of them between keyframes); all when None.

        Returns:
            The frames filled, as ranges (empty when there is nothing between keyframes).

        Raises:
            LabelRowError: If the instance is not on the space or ``frames`` leave it. A failed call
                changes nothing.
        """
        track = self._objects.get(_hash_of(object_instance, ObjectInstance))
        if track is None or track.instance is not object_instance:
            raise LabelRowError(
                f"Object {object_instance.object_hash!r} is not on space {self._space_id!r}: nothing to interpolate."
            )
        runs = track.runs
        keys = np.flatnonzero(self._manual_runs(track))
        # The gaps between neighbouring keyframes, as runs; each knows the keyframe run on its left.
        left, right = keys[:-1], keys[1:]
        gap_starts, gap_ends = runs.np_ends()[left] + 1, runs.np_starts()[right] - 1
        gap_of = np.arange(left.size)
        if frames is not None:
            wanted_starts, wanted_ends = self._check_frames(frames)
            gap_starts, gap_ends, gap_of, _ = intersect(gap_starts, gap_ends, wanted_starts, wanted_ends)
        shape = object_instance.ontology_item.shape
        all_frames: list[IntArray] = []
        all_values: list[Any] = []
        for start, end, gap in zip(gap_starts.tolist(), gap_ends.tolist(), gap_of.tolist(), strict=True):
            if end < start:
                continue  # keyframes that touch
            l_run, r_run = int(left[gap]), int(right[gap])
            first, last = runs.ends[l_run], runs.starts[r_run]
            frames_here = np.arange(start, end + 1, dtype=np.int64)
            alphas = (frames_here - first) / float(last - first)
            a, b = runs.value(l_run), runs.value(r_run)
            if track.layout.stride > 0:
                all_values.append(interpolate_rows(shape, np.asarray(a), np.asarray(b), alphas))
            else:
                all_values.extend(interpolate_objects(shape, a, b, alphas))  # type: ignore[arg-type]
            all_frames.append(frames_here)
        if not all_frames:
            return []
        filled = np.concatenate(all_frames)
        values: Any = np.vstack(all_values) if track.layout.stride > 0 else all_values
        self.put_object_track(
            object_instance, filled, values, on_overlap="replace", manual_annotation=False, confidence=1.0
        )
        return runs_to_ranges(*merge_runs(filled, filled))

    def remove_object_instance(
        self, object_hash: Union[str, ObjectInstance], frames: Optional[Frames] = None
    ) -> Optional[ObjectInstance]:
        """Remove an object instance (given by its hash, or itself) from frames; from every frame if ``frames`` is None.

        Removing it from the last frame it was on removes it from the space, with its dynamic answers.

        Returns:
            The instance, or None if it was not on the space.

        Raises:
            LabelRowError: If the argument is neither a hash nor an instance, or another instance
                with its hash is on the space.
        """
        if frames is None:
            return self._remove_object(object_hash, None, None)
        starts, ends = self._check_frames(frames)
        return self._remove_object(object_hash, starts, ends)

    def put_classification_instance(
        self,
        classification_instance: ClassificationInstance,
        frames: Optional[Frames] = None,
        *,
        on_overlap: Optional[FrameOverlapStrategy] = "error",
        created_at: Optional[datetime] = None,
        created_by: Optional[str] = None,
        last_edited_at: Optional[datetime] = None,
        last_edited_by: Optional[str] = None,
        confidence: Optional[float] = None,
        manual_annotation: Optional[bool] = None,
    ) -> None:
        """Add a classification instance to frames of the space (or, if global, to the whole space).

        Args:
            classification_instance: The classification instance to add.
            frames: The frames, as for ``put_object_instance``; must be None for a global classification.
            on_overlap: ``"error"`` raises if an instance of the same ontology classification is on
                one of the frames; ``"replace"`` takes its place on those frames.
            created_at: When the annotation was created; now (UTC) when omitted.
            created_by: Who created it.
            last_edited_at: When it was last edited; now when omitted.
            last_edited_by: Who last edited it.
            confidence: Confidence from 0.0 to 1.0; 1.0 when omitted.
            manual_annotation: Whether a person made it; True when omitted.

        Raises:
            LabelRowError: If frames are invalid, given for a global classification or missing for
                a frame one, or a classification of the same ontology item is there and
                ``on_overlap="error"``.
        """
        given = check_meta(created_at, created_by, last_edited_at, last_edited_by, confidence, manual_annotation)
        self._check_strategy(on_overlap)
        track = self._check_classification(classification_instance)
        title = classification_instance.ontology_item.title
        if classification_instance.is_global():
            if frames is not None:
                raise LabelRowError(
                    f"Classification {title!r} is global: it describes the whole space and takes no frames. Call "
                    f"put_classification_instance(instance) without frames."
                )
            rivals = self._same_class(classification_instance)
            if rivals and on_overlap == "error":
                raise LabelRowError(
                    f"Classification {title!r} is already on space {self._space_id!r}; pass on_overlap='replace' "
                    f"to overwrite it."
                )
            for rival in rivals:
                if rival is not track:
                    del self._classifications[rival.instance.classification_hash]
            if track is None:
                track = self._classifications[classification_instance.classification_hash] = ClassificationTrack(
                    classification_instance
                )
            old = track.global_record
            track.global_record = self._meta.fresh(given) if old is None else self._meta.edited(old, given)
            return
        if frames is None:
            raise LabelRowError(
                f"Classification {title!r} is placed per frame: give the frames it holds on (or make it global "
                f"in the ontology with is_global = True)."
            )
        starts, ends = self._check_frames(frames)
        self._put_framed_classification(classification_instance, starts, ends, on_overlap, given)

    def remove_classification_instance(
        self, classification_hash: Union[str, ClassificationInstance], frames: Optional[Frames] = None
    ) -> Optional[ClassificationInstance]:
        """Remove a classification instance (by hash, or itself) from frames; from all of them if ``frames`` is None.

        Returns:
            The instance, or None if it was not on the space.

        Raises:
            LabelRowError: If the argument is neither a hash nor an instance, or another instance
                with its hash is on the space.
        """
        if frames is None:
            return self._remove_classification(classification_hash, None, None)
        starts, ends = self._check_frames(frames)
        return self._remove_classification(classification_hash, starts, ends)

    # -- dynamic answers --

    def _dynamic_target(self, object_instance: ObjectInstance, attribute: Attribute) -> ObjectTrack:
        track = self._objects.get(getattr(object_instance, "object_hash", ""))
        if track is None or track.instance is not object_instance:
            raise LabelRowError(
                f"{object_instance!r} is not on space {self._space_id!r}; put it on the space with "
                f"put_object_instance before answering its dynamic attributes."
            )
        if not isinstance(attribute, Attribute):
            raise LabelRowError(f"attribute must be an Attribute of the ontology, got {type(attribute).__name__}.")
        if attribute_path(object_instance.ontology_item.attributes, attribute) is None:
            raise LabelRowError(
                f"Attribute {attribute.name!r} is not an attribute of object {object_instance.ontology_item.name!r}."
            )
        if not attribute.dynamic:
            raise LabelRowError(
                f"Attribute {attribute.name!r} is static: it has one answer for the whole object. Use "
                f"object_instance.set_answer(...) for it; this method is for dynamic attributes."
            )
        return track

    def set_dynamic_answer(
        self,
        object_instance: ObjectInstance,
        frames: Frames,
        answer: Union[str, NumericAnswerValue, Option, Sequence[Option]],
        attribute: Optional[Attribute] = None,
    ) -> None:
        """Set a dynamic attribute's answer for an object instance on frames.

        The answer applies to the frames given where the object is; frames it is not on are skipped.

        Args:
            object_instance: The object instance, already on this space.
            frames: The frames, as for ``put_object_instance``.
            answer: A str (text), a number (numeric), an ``Option`` (radio) or a list of options (checklist).
            attribute: The dynamic attribute; inferred from the answer when omitted.

        Raises:
            LabelRowError: If the attribute is not dynamic, not an attribute of the object, the
                answer does not suit it, the object is not on the space or on none of the frames.
        """
        if attribute is None and isinstance(object_instance, ObjectInstance):
            attribute = infer_attribute(
                object_instance.ontology_item.attributes,
                answer,
                f"object {object_instance.ontology_item.name!r}",
                dynamic=True,
            )
        if attribute is None:
            raise LabelRowError("object_instance must be an ObjectInstance on this space.")
        track = self._dynamic_target(object_instance, attribute)
        value = check_answer(attribute, answer)
        starts, ends = self._check_frames(frames)
        present_starts, present_ends = track.runs.covered(starts, ends)
        if present_starts.size == 0:
            raise LabelRowError(
                f"{object_instance!r} is on none of the frames given ({runs_to_ranges(starts, ends)[:3]}...) of space "
                f"{self._space_id!r}; it is on {self.get_object_frames(object_instance)[:3]}."
            )
        answers = track.dynamic.get(attribute.feature_node_hash)
        if answers is None:
            answers = track.dynamic[attribute.feature_node_hash] = AnswerTrack(attribute)
        answers.set(present_starts, present_ends, value)

    def remove_dynamic_answer(
        self,
        object_instance: ObjectInstance,
        attribute: Attribute,
        frame: int,
        filter_answer: Optional[Union[str, Option, Iterable[Option]]] = None,
    ) -> None:
        """Remove a dynamic attribute's answer for an object instance on one frame.

        Args:
            object_instance: The object instance, on this space.
            attribute: The dynamic attribute.
            frame: The frame.
            filter_answer: Remove only this answer: for text, numeric and radio attributes the answer
                is removed only if it equals this; for a checklist, the options given are taken
                out of the answer (the answer goes when none is left).

        Raises:
            LabelRowError: If the attribute is not dynamic, or the object is not on the space.
        """
        track = self._dynamic_target(object_instance, attribute)
        f = self._check_frame(frame, "frame")
        answers = track.dynamic.get(attribute.feature_node_hash)
        if answers is None:
            return
        answers.remove(f, filter_answer)
        if not answers.runs:
            del track.dynamic[attribute.feature_node_hash]

    def get_dynamic_answer(
        self,
        object_instance: ObjectInstance,
        frames: Frames,
        attribute: Attribute,
        filter_answer: Union[str, NumericAnswerValue, Option, Iterable[Option], None] = None,
    ) -> AnswersForFrames:
        """Get a dynamic attribute's answers for an object instance on frames.

        Every answer that holds on at least one of the frames is returned with all the ranges it
        holds on (not only the frames asked for), in the order the answers were first given.

        Args:
            object_instance: The object instance, on this space.
            frames: The frames to look at.
            attribute: The dynamic attribute.
            filter_answer: Only this answer: equal for text, numeric and radio; for a checklist, an
                ``Option`` picks answers that include it and a list picks answers of exactly those options.

        Raises:
            LabelRowError: If the attribute is not dynamic, or the object is not on the space.
        """
        track = self._dynamic_target(object_instance, attribute)
        starts, ends = self._check_frames(frames)
        answers = track.dynamic.get(attribute.feature_node_hash)
        if answers is None:
            return []
        return answers.answers_on(starts, ends, filter_answer)

    def get_dynamic_answer_runs(self, object_instance: ObjectInstance) -> list[DynamicAnswerRuns]:
        """Every dynamic attribute answered for an object instance, with its answers as runs of frames.

        The compact form of ``get_dynamic_answer`` over the whole space, one entry per attribute
        answered, in the order first answered. Empty if the instance is not on the space.
        """
        track = self._objects.get(_hash_of(object_instance, ObjectInstance))
        if track is None or track.instance is not object_instance:
            return []
        return [answers.view() for answers in track.dynamic.values()]


def _is_coordinate_list(values: object, kind: type) -> bool:
    return isinstance(values, Sequence) and len(values) > 0 and isinstance(values[0], kind)


class VideoSpace(MultiFrameSpace):
    """A video: frames of one size, with an optional frame rate."""

    kind = "video"

    def __init__(
        self,
        space_id: str,
        number_of_frames: int,
        width: int,
        height: int,
        ontology: Ontology,
        fps: float | None = None,
    ) -> None:
        super().__init__(space_id, width, height, number_of_frames, ontology)
        if fps is not None and (
            isinstance(fps, (bool, np.bool_))
            or not isinstance(fps, (int, float, np.integer, np.floating))
            or not (0 < fps < float("inf"))
        ):
            raise LabelRowError(f"space {space_id!r}: fps must be a positive number or None, got {fps!r}.")
        self._fps = float(fps) if fps is not None else None

    @property
    def fps(self) -> float | None:
        """Frames per second, if known."""
        return self._fps


MedicalModality = Literal["dicom", "nifti"]


class MedicalSpace(MultiFrameSpace):
    """A medical volume (DICOM or NIfTI): its slices are the frames."""

    kind = "medical"

    def __init__(
        self, space_id: str, number_of_frames: int, width: int, height: int, modality: str, ontology: Ontology
    ) -> None:
        super().__init__(space_id, width, height, number_of_frames, ontology)
        if modality not in ("dicom", "nifti"):
            raise LabelRowError(f"space {space_id!r}: modality must be 'dicom' or 'nifti', got {modality!r}.")
        self._modality: MedicalModality = modality  # type: ignore[assignment]

    @property
    def modality(self) -> MedicalModality:
        """``"dicom"`` or ``"nifti"``."""
        return self._modality


__all__ = [
    "LAYOUTS",
    "FrameOverlapStrategy",
    "ImageSpace",
    "MedicalSpace",
    "MultiFrameSpace",
    "Space",
    "VideoSpace",
]
