"""Writing a project as LabelMe files: one document per image, and one per labelled frame of a video or volume."""

from __future__ import annotations

import os
import posixpath
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any

from labelspace.formats._common import count_dropped_metadata, rotated_box_corners
from labelspace.formats._paths import UniqueNames, frame_stem, is_url
from labelspace.formats.labelme.answers import DESCRIPTION, flags_from_answers
from labelspace.formats.labelme.masks import png_patch
from labelspace.model.coordinates import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinates,
)
from labelspace.model.instances import ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Attribute
from labelspace.model.project import Project
from labelspace.model.spaces import MultiFrameSpace, Space

VERSION = "5.5.0"
"""The labelme version whose keys the export writes (``description`` and ``mask`` on every shape)."""


class _Writer:
    """Builds the documents of a project, counting what LabelMe cannot hold."""

    def __init__(self, dropped: Counter[str], media: Path | None = None, folder: Path | None = None) -> None:
        self.dropped = dropped
        self.media = media
        self.folder = folder

    def shapes(self, space: Space, view: Any, answers: list[tuple[Attribute, Any]], groups: list[int]) -> list[Any]:
        """The shapes of one object on one frame."""
        instance: ObjectInstance = view.object_instance
        c = view.coordinates
        w, h = space.width, space.height
        flags, description = flags_from_answers(instance.ontology_item.attributes, answers, "attribute", self.dropped)
        name = instance.ontology_item.name

        def shape(kind: str, points: list[tuple[float, float]], group: int | None = None, **extra: Any) -> Any:
            out = {"label": name, "points": [[float(x), float(y)] for x, y in points], "group_id": group}
            return {
                **out,
                "description": extra.pop("description", description),
                "shape_type": kind,
                "flags": flags,
                "mask": None,
                **extra,
            }

        def group() -> int:
            groups.append(len(groups) + 1)
            return groups[-1]

        count_dropped_metadata(self.dropped, view.metadata)
        if isinstance(c, BoundingBoxCoordinates):
            x, y, bw, bh = c.to_pixels(w, h)
            return [shape("rectangle", [(x, y), (x + bw, y + bh)])]
        if isinstance(c, RotatableBoundingBoxCoordinates):
            self.dropped["rotated boxes (written as polygons of their corners)"] += 1
            return [shape("polygon", rotated_box_corners(c, w, h))]
        if isinstance(c, PolygonCoordinates):
            parts = c.to_pixels(w, h)
            self.dropped["polygon holes"] += sum(len(part) - 1 for part in parts)
            shared = group() if len(parts) > 1 else None
            return [shape("polygon", part[0], shared) for part in parts]
        if isinstance(c, PolylineCoordinates):
            points = c.to_pixels(w, h)
            return [shape("line" if len(points) == 2 else "linestrip", points)]
        if isinstance(c, PointCoordinate):
            return [shape("point", [c.to_pixels(w, h)])]
        if isinstance(c, SkeletonCoordinates):
            self.dropped["skeletons (written as points sharing a group_id)"] += 1
            self.dropped["skeleton node visibilities"] += sum(1 for n in c.values if n.visibility is not None)
            if description:
                self.dropped[f"{DESCRIPTION} answers of skeletons (their points' descriptions name the nodes)"] += 1
            shared = group()
            return [shape("point", [(n.x * w, n.y * h)], shared, description=n.name) for n in c.values]
        assert isinstance(c, BitmaskCoordinates)
        return self.mask(c, shape)

    def mask(self, c: BitmaskCoordinates, shape: Any) -> list[Any]:
        patch = png_patch(c.to_array())
        if patch is None:
            self.dropped["empty masks"] += 1
            return []
        first, last, encoded = patch
        return [shape("mask", [first, last], mask=encoded)]

    def document(self, space: Space, frame: int, name: str) -> dict[str, Any]:
        shapes: list[Any] = []
        groups: list[int] = []
        dynamic = isinstance(space, MultiFrameSpace)
        for view in space.get_annotations_on_frame(frame):
            instance = view.object_instance
            answers: list[tuple[Attribute, Any]] = list(instance.get_static_answers())
            if isinstance(space, MultiFrameSpace):
                for runs in space.get_dynamic_answer_runs(instance):
                    value = runs.at(frame)
                    if value is not None:
                        answers.append((runs.attribute, value))
            shapes.extend(self.shapes(space, view, answers, groups))
        flags: dict[str, bool] = {}
        for view in space.get_annotations_on_frame(frame, "classification"):
            instance = view.classification_instance
            count_dropped_metadata(self.dropped, view.metadata)
            found, _ = flags_from_answers(
                instance.ontology_item.attributes, instance.get_static_answers(), "classification", self.dropped
            )
            flags.update(found)
        media = space.media
        here = posixpath.dirname(name)
        if dynamic or not media:
            image_path = f"{posixpath.basename(name)}.jpg"
        elif is_url(media) or PurePosixPath(media.replace("\\", "/")).is_absolute():
            image_path = media
        elif self.media is not None and self.folder is not None:  # from the file to the image, where it is
            image = os.path.abspath(self.media / media.replace("\\", "/"))
            image_path = Path(os.path.relpath(image, os.path.abspath(self.folder / (here or ".")))).as_posix()
        else:
            image_path = posixpath.relpath(media.replace("\\", "/"), here or ".")
        return {
            "version": VERSION,
            "flags": flags,
            "shapes": shapes,
            "imagePath": image_path,
            "imageData": None,
            "imageHeight": space.height,
            "imageWidth": space.width,
        }


def to_labelme(
    project: Project | LabelRow,
    dropped: Counter[str] | None = None,
    *,
    media: Path | None = None,
    folder: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """LabelMe documents by path (without ``.json``): one per image, and one per labelled frame of a video or volume.

    Args:
        project: The project (or one row).
        dropped: Counts of what LabelMe cannot hold are added here.
        media: The folder the project's relative media paths are relative to, and
        folder: the folder the documents go to: with both, ``imagePath`` leads from each file to
            its image. Without them the folder is taken to mirror the media folder.
    """
    if isinstance(project, LabelRow):
        project = Project.of(project)
    dropped = dropped if dropped is not None else Counter()
    writer = _Writer(dropped, media, folder)
    unique = UniqueNames()
    documents: dict[str, dict[str, Any]] = {}
    for row in project.rows:
        for space in row.list_spaces():
            frames: list[int] = [0]
            if isinstance(space, MultiFrameSpace):
                labelled: set[int] = set()
                for instance in space.get_object_instances():
                    for r in space.get_object_frames(instance):
                        labelled.update(range(r.start, r.end + 1))
                for classification in space.get_classification_instances():
                    for r in space.get_classification_frames(classification):
                        labelled.update(range(r.start, r.end + 1))
                frames = sorted(labelled)
            for frame in frames:
                name = unique(frame_stem(space, frame))
                documents[name] = writer.document(space, frame, name)
    return documents
