"""Reading a Label Studio export into a project: its tasks read, the ontology built or found, the labels placed.

Each task becomes an image or video space on its row; regions become objects (video rectangles
box tracks, interpolated between keyframes as the editor shows them), answers on a region its
static attributes, answers about the whole task classifications.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from labelspace.formats._common import FloatArray, Reader, clip_box, clip_boxes, clip_point, set_static_answers
from labelspace.formats._reading import DEFAULT_LIMITS, Limits
from labelspace.formats.labelstudio.brush import decode_brush
from labelspace.formats.labelstudio.geometry import corner_to_centre, wrap
from labelspace.formats.labelstudio.ontology import Resolver, build_ontology
from labelspace.formats.labelstudio.tasks import Answer, Keyframes, Region, Source, Task, TaskReader
from labelspace.model.coordinates import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    RotatableBoundingBoxCoordinates,
)
from labelspace.model.frames import Range
from labelspace.model.instances import ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Attribute, Object, Ontology, Shape
from labelspace.model.project import Project
from labelspace.model.spaces import ImageSpace, MultiFrameSpace, Space

_CLIPPED = "regions reaching past the image edge (clipped to it)"
_LONG_RUN = 32
"""A held box longer than this goes in as one run instead of a row per frame."""


class _Placer:
    """Puts the labels of read tasks on spaces, counting what labelspace cannot hold."""

    def __init__(self, r: Reader, resolver: Resolver, dropped: Counter[str]) -> None:
        self.r = r
        self.resolver = resolver
        self.dropped = dropped

    def task(self, task: Task, row: LabelRow, instances: dict[str, ObjectInstance]) -> None:
        r = self.r
        with r.at(task.where):
            space: Space
            if task.kind == "video":
                space = row.add_video_space(task.space_id, task.frames, task.width, task.height, task.fps)
            else:
                space = row.add_image_space(task.space_id, task.width, task.height)
            space.media = task.media
        used: set[str] = set()
        classes: set[str] = set()
        for source in task.sources:
            for region in source.regions:
                if region.family:
                    with r.at(region.where):
                        self.region(space, source, region, instances, used)
            for answer in source.answers:
                with r.at(answer.where):
                    self.classification(space, source, answer, classes)

    def region(
        self, space: Space, source: Source, region: Region, instances: dict[str, ObjectInstance], used: set[str]
    ) -> None:
        obj = self.resolver.object(region)
        meta = dict(source.meta)
        if region.confidence is not None:
            meta["confidence"] = region.confidence
        object_hash = _unique(region.id, used)
        instance = instances.get(object_hash)
        if instance is None or instance.ontology_item is not obj:
            instance = instances[object_hash] = obj.create_instance(object_hash)
        if region.family == "video":
            if not isinstance(space, MultiFrameSpace):
                raise self.r.fail(region.where, "a video rectangle on an image.")
            if not self.track(space, instance, obj, region, meta):
                return
        else:
            if not isinstance(space, ImageSpace):
                raise self.r.fail(region.where, f"a {region.family} region on a video; Label Studio tracks only boxes.")
            space.put_object_instance(instance, self.coordinates(space, obj, region), **meta)
        static: list[tuple[Attribute, Any]] = []
        dynamic: list[tuple[Attribute, Any]] = []
        for answer in region.answers:
            attribute = self.resolver.attribute(obj, answer)
            (dynamic if attribute.dynamic else static).append((attribute, self.resolver.value(attribute, answer)))
        set_static_answers(instance, static)
        for attribute, value in dynamic:
            if isinstance(space, MultiFrameSpace):
                space.set_dynamic_answer(instance, space.get_object_frames(instance), value, attribute)
            else:
                self.dropped["answers to dynamic attributes on images"] += 1

    def coordinates(self, space: Space, obj: Object, region: Region) -> GeometricCoordinates:
        family, g = region.family, region.geometry
        if family == "rectangle":
            if obj.shape is Shape.ROTATABLE_BOUNDING_BOX:
                width, height = region.size or (space.width, space.height)
                x, y, w, h, t = corner_to_centre(np.array([g], dtype=np.float64), width, height)[0].tolist()
                x, y, w, h = self.box(x, y, w, h)
                return RotatableBoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y, theta=t)
            x, y, w, h = self.box(g[0] / 100, g[1] / 100, g[2] / 100, g[3] / 100)
            return BoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y)
        if family == "brush":
            assert region.size is not None
            if region.size != (space.width, space.height):
                raise self.r.fail(
                    region.where,
                    f"the brush mask is {region.size[0]} x {region.size[1]} but the task's image is "
                    f"{space.width} x {space.height}.",
                )
            if not isinstance(g, list) or not all(type(v) is int and 0 <= v < 256 for v in g):
                raise self.r.fail(f"{region.where}.value.rle", "expected a list of bytes (whole numbers 0..255).")
            try:
                alpha = decode_brush(g, *region.size)
            except ValueError as e:
                raise self.r.fail(f"{region.where}.value.rle", f"not a brush mask Label Studio wrote: {e}.") from None
            return BitmaskCoordinates(alpha > 0)
        points = [self.point(x, y) for x, y in ([g] if family == "point" else g)]
        if family == "point":
            return points[0]
        return PolygonCoordinates(values=points) if family == "polygon" else PolylineCoordinates(points)

    def box(self, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        """A normalised box cut to the image if it reaches past it (one inside is kept to the last bit)."""
        cut, moved = clip_box(x, y, w, h)
        if moved:
            self.dropped[_CLIPPED] += 1
        return cut

    def point(self, x: float, y: float) -> PointCoordinate:
        cx, cy, moved = clip_point(x, y)
        if moved:
            self.dropped[_CLIPPED] += 1
        return PointCoordinate(cx, cy)

    def track(
        self, space: MultiFrameSpace, instance: ObjectInstance, obj: Object, region: Region, meta: dict[str, Any]
    ) -> bool:
        """Put a video rectangle's frames, as the editor shows them; False if it shows on none."""
        k: Keyframes = region.geometry
        n = space.number_of_frames
        count = len(k.frames)
        past = k.frames > n
        if past.any():
            self.dropped["video keyframes past the video's last frame"] += int(past.sum())
        # Keyframe i holds from its frame to the one before the next keyframe (to the end for the last),
        # or only on its own frame when disabled; its box moves towards the next keyframe's.
        index = np.arange(count)
        following = np.minimum(index + 1, count - 1)
        start = k.frames
        stop = np.where(k.enabled, np.minimum(np.append(k.frames[1:] - 1, n), n), start)
        length = np.where(past, 0, stop - start + 1)
        delta = k.values[following] - k.values
        same = (index == count - 1) | ((delta[:, :4] == 0).all(axis=1) & (wrap(delta[:, 4]) == 0))
        held = same & (length > _LONG_RUN)
        runs = [(int(start[i]), int(stop[i]), k.values[i]) for i in np.flatnonzero(held).tolist()]
        lengths = np.where(held, 0, length)
        of = np.repeat(index, lengths)  # the keyframe each frame follows
        frames = start[of] + np.arange(of.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        span = (k.frames[following] - k.frames)[of]
        ratio = np.divide(frames - start[of], span, out=np.zeros(of.size), where=span > 0)[:, None]
        rows = k.values[of] + delta[of] * ratio
        moving = ~same[of]
        rows[moving, 4] = wrap(k.values[of, 4] + wrap(delta[of, 4]) * ratio[:, 0])[moving]
        if not runs and not frames.size:
            self.dropped["video rectangles shown on no frame"] += 1
            return False
        rotated = obj.shape is Shape.ROTATABLE_BOUNDING_BOX

        def model_rows(percent: FloatArray) -> FloatArray:
            converted = corner_to_centre(percent, space.width, space.height) if rotated else percent[:, :4] / 100
            out, clipped = clip_boxes(converted)
            self.dropped[_CLIPPED] += clipped
            return out

        for first, last, value in runs:
            row = model_rows(value[None, :])[0].tolist()
            coordinates: GeometricCoordinates = (
                RotatableBoundingBoxCoordinates(row[3], row[2], row[0], row[1], row[4])
                if rotated
                else BoundingBoxCoordinates(row[3], row[2], row[0], row[1])
            )
            space.put_object_instance(instance, Range(first - 1, last - 1), coordinates, **meta)
        if frames.size:
            space.put_object_track(instance, frames - 1, model_rows(rows), **meta)
        return True

    def classification(self, space: Space, source: Source, answer: Answer, classes: set[str]) -> None:
        classification, attribute = self.resolver.classification(answer)
        if any(c.ontology_item is classification for c in space.get_classification_instances()):
            self.dropped["classifications another annotation of the task already answered"] += 1
            return
        instance = classification.create_instance(_unique(answer.id, classes))
        instance.set_answer(self.resolver.value(attribute, answer), attribute)
        if isinstance(space, ImageSpace):
            space.put_classification_instance(instance, **source.meta)
        elif isinstance(space, MultiFrameSpace):
            frames = None if classification.is_global else Range(0, space.number_of_frames - 1)
            space.put_classification_instance(instance, frames, **source.meta)


def _unique(wanted: str, used: set[str]) -> str:
    """An instance hash like ``wanted`` that no other label of the space has (result ids repeat across annotations)."""
    name, n = wanted, 1
    while name in used:
        n += 1
        name = f"{wanted}-{n}"
    used.add(name)
    return name


def from_labelstudio(
    data: Any,
    ontology: Ontology | None = None,
    *,
    source: str = "Label Studio",
    media: Path | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    dropped: Counter[str] | None = None,
) -> Project:
    """A project from a decoded Label Studio export: a list of tasks, or one task.

    Args:
        data: The decoded JSON.
        ontology: The ontology to read with (objects named as the labels, attributes and
            classifications as the controls); built from the file when None.
        source: Named in error messages.
        media: The media folder: task media paths are kept relative to it, and images without a
            size in the file (and every video) are looked up there.
        allow_outside_media: Keep media paths that leave that folder.
        limits: Sizes the file may declare.
        dropped: Counts of what labelspace cannot hold are added here.

    Raises:
        FormatError: Naming the source, the task, the result and the field of the first malformed
            value; nothing is returned half-built.
    """
    r = Reader(source, limits)
    dropped = dropped if dropped is not None else Counter()
    tasks = [data] if isinstance(data, Mapping) else list(r.seq(data, "file"))
    reader = TaskReader(r, media, allow_outside_media, dropped)
    parsed = []
    for i, raw in enumerate(tasks):
        with r.at(f"tasks[{i}]"):
            parsed.append(reader.task(i, raw))
    if ontology is None:
        ontology = build_ontology(r, parsed)
    placer = _Placer(r, Resolver(r, ontology, dropped), dropped)
    project = Project(ontology)
    rows: dict[Any, tuple[LabelRow, dict[str, ObjectInstance]]] = {}
    for task in parsed:
        if task.row not in rows:
            rows[task.row] = (LabelRow(ontology), {})
        placer.task(task, *rows[task.row])
    for row, _ in rows.values():
        project.add_row(row)
    return project
