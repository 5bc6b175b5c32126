"""Reading LabelMe files into a project: the files read, the ontology built or found, the items placed on rows.

Each file becomes a row with one image space; each item an object with its geometry normalised
(and clipped to the image), its flags and description its answers, the image's flags
classifications.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labelspace.formats._common import Reader, clip_box, clip_point, set_static_answers
from labelspace.formats._reading import DEFAULT_LIMITS, Limits
from labelspace.formats.labelme.answers import DESCRIPTION, answers_from_flags
from labelspace.formats.labelme.files import CLIPPED, FileReader, Item, LabelmeFile, LabelmeShape, with_points
from labelspace.formats.labelme.geometry import ring, rotated_box
from labelspace.formats.labelme.masks import paint
from labelspace.formats.labelme.ontology import build_ontology, object_for
from labelspace.model.coordinates import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Object, Ontology, Shape, TextAttribute
from labelspace.model.project import Project
from labelspace.model.spaces import ImageSpace, Space


class _Placer:
    """Puts read files on rows: finds each item's object, converts its geometry, sets its answers."""

    def __init__(self, ontology: Ontology, dropped: Counter[str]) -> None:
        self.ontology = ontology
        self.dropped = dropped

    def image(self, image: LabelmeFile) -> LabelRow:
        r = image.r
        row = LabelRow(self.ontology)
        with r.at(""):
            space = row.add_image_space(image.name, image.width, image.height)
            space.media = image.media
        for item in image.items:
            with r.at(item.shapes[0].where):
                obj = object_for(self.ontology, r, item)
                if obj.shape is Shape.POINT and item.family == "skeleton":
                    if len(item.shapes) > 1:
                        self.dropped["grouped points imported as single points (no skeleton of their label)"] += 1
                    for shape in item.shapes:
                        for point in shape.points:
                            self.put(space, obj, Item("point", item.label, [with_points(shape, [point])]))
                    continue
                self.put(space, obj, item)
        with r.at("flags"):
            self.classifications(space, image.flags)
        return row

    def put(self, space: ImageSpace, obj: Object, item: Item) -> None:
        instance = obj.create_instance()
        space.put_object_instance(instance, self.coordinates(space, obj, item))
        first = item.shapes[0]
        named_nodes = obj.shape is Shape.SKELETON  # its points' descriptions name its nodes
        if any(s.flags != first.flags or (s.description != first.description and not named_nodes) for s in item.shapes):
            self.dropped["flags and descriptions of grouped shapes after the first"] += 1
        answers = answers_from_flags(obj.attributes, first.flags, self.dropped, "shape")
        if first.description and obj.shape is not Shape.SKELETON:
            text = next((a for a in obj.attributes if a.name == DESCRIPTION and isinstance(a, TextAttribute)), None)
            if text is None:
                self.dropped["descriptions not in the ontology"] += 1
            else:
                answers[id(text)] = (text, first.description)
        static = [(a, v) for a, v in answers.values() if not a.dynamic]
        self.dropped["answers to dynamic attributes (an image has no frames)"] += len(answers) - len(static)
        set_static_answers(instance, static)

    def normalised(self, space: Space, points: list[tuple[float, float]]) -> list[PointCoordinate]:
        out = []
        clipped = False
        for x, y in points:
            cx, cy, moved = clip_point(x / space.width, y / space.height)
            clipped = clipped or moved
            out.append(PointCoordinate(cx, cy))
        self.dropped[CLIPPED] += clipped
        return out

    def coordinates(self, space: ImageSpace, obj: Object, item: Item) -> GeometricCoordinates:
        shapes = item.shapes
        if obj.shape is Shape.BITMASK:
            return self.mask(space, shapes)
        if obj.shape is Shape.SKELETON:
            nodes, names = [], set()
            for k, shape in enumerate(shapes):
                for n, point in enumerate(shape.points):
                    name = shape.description or f"{k}" + (f".{n}" if len(shape.points) > 1 else "")
                    while name in names:
                        name += "'"
                    names.add(name)
                    p = self.normalised(space, [point])[0]
                    nodes.append(SkeletonCoordinate(p.x, p.y, name))
            return SkeletonCoordinates(nodes, obj.name)
        if obj.shape is Shape.POINT:
            return self.normalised(space, shapes[0].points)[0]
        if obj.shape is Shape.POLYLINE:
            return PolylineCoordinates(self.normalised(space, shapes[0].points))
        if obj.shape is Shape.POLYGON:
            return PolygonCoordinates(polygons=[[self.normalised(space, ring(s.kind, s.points))] for s in shapes])
        corners = ring(shapes[0].kind, shapes[0].points)
        if obj.shape is Shape.BOUNDING_BOX:
            (left, top), (right, bottom) = corners[0], corners[2]
            x, y, w, h = self.box(space, left, top, right - left, bottom - top)
            return BoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y)
        cx, cy, width, height, theta = rotated_box(corners)
        x, y, w, h = self.box(space, cx - width / 2, cy - height / 2, width, height)
        return RotatableBoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y, theta=theta)

    def box(self, space: Space, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        """A pixel box normalised; cut to the image if it reaches past it (a box inside is kept to the last bit)."""
        cut, moved = clip_box(x / space.width, y / space.height, w / space.width, h / space.height)
        if moved:
            self.dropped[CLIPPED] += 1
        return cut

    def mask(self, space: ImageSpace, shapes: list[LabelmeShape]) -> BitmaskCoordinates:
        patches = [s.mask for s in shapes if s.mask is not None]
        outlines = [ring(s.kind, s.points) for s in shapes if s.mask is None]
        return BitmaskCoordinates(paint(space.width, space.height, patches, outlines))

    def classifications(self, space: ImageSpace, flags: dict[str, bool]) -> None:
        roots = {id(c.attributes[0]): c for c in self.ontology.classifications if c.attributes}
        attributes = [c.attributes[0] for c in roots.values()]
        for attribute, value in answers_from_flags(attributes, flags, self.dropped, "image").values():
            instance = roots[id(attribute)].create_instance()
            instance.set_answer(value, attribute)
            space.put_classification_instance(instance)


def from_labelme(
    documents: Mapping[str, Any],
    ontology: Ontology | None = None,
    *,
    source: str = "LabelMe",
    folder: Path | None = None,
    media: Path | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    dropped: Counter[str] | None = None,
) -> Project:
    """A project from decoded LabelMe files, one row per file.

    Args:
        documents: ``{name: decoded JSON}``; the name is the file's path (without ``.json``)
            relative to ``folder``, and names the image space.
        ontology: The ontology to read with; built from the files when None.
        source: Named in error messages when ``folder`` is None.
        folder: The folder the names are relative to (where the files are).
        media: The media folder; ``imagePath`` (relative to its file) is kept relative to it, and
            may not leave it unless ``allow_outside_media``. The ``folder`` when None.
        allow_outside_media: Keep image paths that leave the media folder.
        limits: Sizes the files may declare.
        dropped: Counts of what labelspace cannot hold are added here.

    Raises:
        FormatError: Naming the file, the shape and the field of the first malformed value.
    """
    dropped = dropped if dropped is not None else Counter()
    media = media if media is not None else folder
    reader = FileReader(media, folder, allow_outside_media, dropped)
    images = []
    for name, d in documents.items():
        r = Reader(str(folder / f"{name}.json") if folder is not None else f"{source}/{name}.json", limits)
        with r.at(""):
            images.append(reader.image(r, name, d))
    if ontology is None:
        ontology = build_ontology(images)
    placer = _Placer(ontology, dropped)
    project = Project(ontology)
    for image in images:
        project.add_row(placer.image(image))
    return project
