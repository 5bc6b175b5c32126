"""LabelMe JSON (wkentaro/labelme) <-> ``Project``.

LabelMe writes one JSON file per image: its ``imagePath`` (relative to the JSON file's folder;
files saved on Windows hold backslashes), ``imageHeight`` and ``imageWidth`` (or the image itself,
base64, in ``imageData``), image-level ``flags`` (checkboxes: name -> true/false) and ``shapes``.
A shape has a ``label``, ``points`` in pixels, a ``shape_type`` (``polygon``, ``rectangle`` with
two opposite corners in any order, ``circle`` as centre and a point on it, ``line``,
``linestrip``, ``point``, ``points``, ``mask`` with a PNG of its box, ``oriented_rectangle``), an
optional ``group_id``, per-shape ``flags`` and a ``description``.

Import reads one file, or a folder of them (one row per file, the space named by the file's path
without ``.json``). Rectangles become boxes, oriented rectangles rotated boxes, polygons
polygons, lines and linestrips polylines, points points (a ``points`` shape one point each),
masks bitmasks (the PNG placed with its top-left pixel at the first point, any pixel not 0 inside);
circles become 32-point polygons (listed in the warning). Shapes that share a label and a
``group_id`` are one object, as labelme's own converters count them: polygons (and rectangles
and circles) several parts of one polygon, or, when the group holds a mask, one bitmask with
the other shapes drawn into it; points of a group one skeleton when the ontology has a skeleton
of that label (node names from the descriptions), else single points; lines of a group each their
own object (listed). A polygon of four corners becomes a rotated box when the ontology has only a
rotated box of its label (as export writes rotated boxes). A shape's ``flags`` become
a checklist attribute ``flags`` of its object (the flags that are true are chosen) and its
``description`` a text attribute ``description``; the image's ``flags`` a checklist
classification ``flags``. With a given ontology, a flag ``name:option`` answers the radio or
checklist attribute ``name`` with ``option`` (this is how export writes them), other flags
choose options of a checklist named ``flags``. ``imagePath`` is read relative to the JSON file
and kept relative to the media folder (the folder read, by default); paths that leave it are
refused unless allowed. Points past the image edge are clipped to it (and listed); points more
than an image size past it are refused. Shapes of an unknown type or with the wrong number of
points are dropped and listed, as labelme's older versions let them be saved.

Export writes a folder with one JSON file per image, and one per labelled frame of a video or
volume (its ``imagePath`` names the frame's image, ``<name>_<frame>.jpg`` beside the file, for
you to extract). A file sits at its image's media path without the suffix, so that the folder
mirrors the media folder and ``imagePath`` is the image's path relative to the file;
``imageData`` is null. Boxes are rectangles, polygons polygons (several parts share a
``group_id`` unique in the file), polylines lines or linestrips, points points, bitmasks masks.
LabelMe cannot hold, and a ``DroppedLabelsWarning`` lists: rotated boxes (written as polygons of
their corners), polygon holes, skeletons (written as points sharing a ``group_id``, each node's
name its description; node visibilities are dropped), answers other than radio and checklist
(written as flags ``attribute:option``) and a text attribute named ``description``, nested
answers, classifications other than radio and checklist (written as image flags), and all
annotation metadata.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import os
import posixpath
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from labelspace.formats._atomic import atomic_folder
from labelspace.formats._common import Reader, count_dropped_metadata, set_static_answers, warn_dropped
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._paths import UniqueNames, frame_stem, is_url, media_path
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, read_json
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
from labelspace.model.errors import LabelspaceError
from labelspace.model.instances import ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    Object,
    Ontology,
    Option,
    RadioAttribute,
    Shape,
    TextAttribute,
)
from labelspace.model.project import Project
from labelspace.model.spaces import ImageSpace, MultiFrameSpace, Space

VERSION = "5.5.0"
"""The labelme version whose keys the export writes (``description`` and ``mask`` on every shape)."""
FLAGS = "flags"
"""The name of the checklist attribute (and classification) that holds flags."""
DESCRIPTION = "description"
"""The name of the text attribute that holds a shape's description."""
CIRCLE_POINTS = 32
"""How many points the polygon standing for a circle has."""

_CLIPPED = "shapes reaching past the image edge (clipped to it)"
_EDGE = 1e-9
_AREA = ("polygon", "rectangle", "circle", "oriented_rectangle", "mask")
_POINTS = {
    "polygon": (3, None),
    "rectangle": (2, 2),
    "circle": (2, 2),
    "line": (2, 2),
    "linestrip": (2, None),
    "point": (1, 1),
    "points": (1, None),
    "mask": (2, 2),
    "oriented_rectangle": (4, 4),
}
"""The fewest and most points of each shape type."""


def is_labelme(d: Any) -> bool:
    """Whether decoded JSON is a LabelMe file: ``shapes`` and an image path, embedded image or size."""
    return (
        isinstance(d, Mapping)
        and isinstance(d.get("shapes"), list)
        and any(k in d for k in ("imagePath", "imageData", "imageHeight"))
    )


def _json_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.json") if p.is_file())


def is_labelme_folder(path: Path) -> bool:
    """Whether a path is a folder whose (first) JSON file is a LabelMe file."""
    if not path.is_dir():
        return False
    files = _json_files(path)
    if not files:
        return False
    try:
        return is_labelme(read_json(files[0], DEFAULT_LIMITS))
    except (LabelspaceError, OSError):
        return False


# --- import ---------------------------------------------------------------------------------------


@dataclass
class _Shape:
    """One LabelMe shape, read: points in pixels (within reach of the image), its flags and description."""

    kind: str
    label: str
    group: int | None
    points: list[tuple[float, float]]
    flags: dict[str, bool]
    description: str
    where: str
    mask: tuple[int, int, npt.NDArray[np.bool_]] | None = None  # top, left, patch (cut to the image)


@dataclass
class _Item:
    """What becomes one object (or, for points of a group without a skeleton, several)."""

    family: str  # box, rotated, polygon, polyline, point, skeleton, mask
    label: str
    shapes: list[_Shape]


@dataclass
class _Image:
    """One file, read."""

    name: str
    r: Reader
    width: int
    height: int
    media: str | None
    flags: dict[str, bool]
    items: list[_Item] = field(default_factory=list)


def _is_rectangle(points: list[tuple[float, float]]) -> bool:
    """Whether four points (pixels) are the corners of a rectangle, in order."""
    if len(points) != 4:
        return False
    p = np.array(points, dtype=np.float64)
    edges = np.roll(p, -1, axis=0) - p
    scale = max(float(np.abs(p).max()), 1.0) * 1e-6
    parallel = np.abs(edges[0] + edges[2]).max() <= scale and np.abs(edges[1] + edges[3]).max() <= scale
    return bool(parallel and abs(float(edges[0] @ edges[1])) <= scale * (np.hypot(*edges[0]) + np.hypot(*edges[1])))


def _rotated(points: list[tuple[float, float]]) -> tuple[float, float, float, float, float]:
    """Centre, width, height and angle (degrees, clockwise) of a rectangle given by its corners in order."""
    (x0, y0), (x1, y1), (x2, y2) = points[0], points[1], points[2]
    cx = sum(p[0] for p in points) / 4
    cy = sum(p[1] for p in points) / 4
    return (
        cx,
        cy,
        math.hypot(x1 - x0, y1 - y0),
        math.hypot(x2 - x1, y2 - y1),
        math.degrees(math.atan2(y1 - y0, x1 - x0)),
    )


def _circle(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    (cx, cy), (px, py) = points
    radius = math.hypot(px - cx, py - cy)
    steps = [2 * math.pi * k / CIRCLE_POINTS for k in range(CIRCLE_POINTS)]
    return [(cx + radius * math.cos(a), cy + radius * math.sin(a)) for a in steps]


def _ring(shape: _Shape) -> list[tuple[float, float]]:
    """The outline of an area shape, in pixels."""
    if shape.kind == "rectangle":
        (x1, y1), (x2, y2) = shape.points
        left, right, top, bottom = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
        return [(left, top), (right, top), (right, bottom), (left, bottom)]
    if shape.kind == "circle":
        return _circle(shape.points)
    return list(shape.points)


class _FileReader:
    """Reads LabelMe files, counting what labelspace cannot hold."""

    def __init__(self, media: Path | None, folder: Path | None, allow_outside: bool, dropped: Counter[str]) -> None:
        self.media = media
        self.folder = folder
        self.allow_outside = allow_outside
        self.dropped = dropped

    def image(self, r: Reader, name: str, d: Any) -> _Image:
        doc = r.obj(d, "")
        shapes = r.objects(r.field(doc, "shapes", ""), "shapes")
        media, found = self.media_path(r, name, doc.get("imagePath"))
        width, height = self.size(r, doc, found)
        flags = self.flags(r, doc.get("flags"), "flags")
        image = _Image(name, r, width, height, media, flags)
        read = [self.shape(r, image, i, s) for i, s in enumerate(shapes)]
        self.group(image, [s for s in read if s is not None])
        return image

    def media_path(self, r: Reader, name: str, raw: Any) -> tuple[str | None, Path | None]:
        """The media path kept for ``imagePath`` (relative to the media folder), and the file if it is there."""
        if raw is None or raw == "":
            return None, None
        text = r.text(raw, "imagePath")
        posix = text.replace("\\", "/")
        if is_url(text) or PurePosixPath(posix).is_absolute() or PureWindowsPath(text).is_absolute():
            kept = media_path(r, posix, "imagePath", self.media, self.allow_outside)
            return kept, None if is_url(kept) else Path(kept)
        # imagePath is relative to the JSON file; the media path is kept relative to the media folder
        here = posixpath.dirname(name)
        joined = posixpath.normpath(posixpath.join(here, posix))
        if self.folder is not None and self.media is not None:
            image = os.path.normpath(os.path.join(os.path.abspath(self.folder / here), posix))
            try:  # where the image is, relative to the media folder
                joined = Path(os.path.relpath(image, os.path.abspath(self.media))).as_posix()
            except ValueError:  # another drive
                joined = Path(image).as_posix()
        kept = media_path(r, joined, "imagePath", self.media, self.allow_outside)
        return kept, (self.media / kept) if self.media is not None else None

    def size(self, r: Reader, doc: Mapping[str, Any], found: Path | None) -> tuple[int, int]:
        """The image's size: as declared, else from the embedded image's header, else from the image file."""
        from PIL import Image

        if doc.get("imageWidth") is not None or doc.get("imageHeight") is not None:
            side = r.limits.max_image_side
            return r.integer(doc.get("imageWidth"), "imageWidth", 1, side), r.integer(
                doc.get("imageHeight"), "imageHeight", 1, side
            )
        data = doc.get("imageData")
        if data is not None:
            raw = self.base64(r, data, "imageData")
            try:
                with Image.open(io.BytesIO(raw)) as embedded:
                    width, height = embedded.size
            except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
                raise r.fail("imageData", f"not an image ({str(e)[:80]}).") from None
            return r.image_size(width, height, "imageData: ")
        if found is not None and found.is_file():
            from labelspace.media.image import image_size

            try:
                width, height = image_size(found)
            except LabelspaceError as e:
                raise r.fail("imagePath", e.message) from None
            return r.image_size(width, height, f"image {found.name}: ")
        raise r.fail(
            "",
            "the file gives no image size (imageWidth, imageHeight), embeds no image and its image is not found; "
            "pass the folder that holds the images with --media (media=... in Python).",
        )

    @staticmethod
    def base64(r: Reader, value: Any, where: str) -> bytes:
        text = r.text(value, where)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise r.fail(where, "not base64 data.") from None

    @staticmethod
    def flags(r: Reader, value: Any, where: str) -> dict[str, bool]:
        if value is None:
            return {}
        return {r.text(k, f"{where}"): r.boolean(v, f"{where}.{k}") for k, v in r.obj(value, where).items()}

    def shape(self, r: Reader, image: _Image, i: int, s: Mapping[str, Any]) -> _Shape | None:
        at = f"shapes[{i}]"
        label = r.text(s.get("label"), f"{at}.label")
        at = f"shapes[{i}] ({label})"
        kind = s.get("shape_type")
        kind = "polygon" if kind is None else r.text(kind, f"{at}.shape_type")  # labelme 3 wrote no type: a polygon
        group = s.get("group_id")
        group = r.integer(group, f"{at}.group_id") if group is not None else None
        flags = self.flags(r, s.get("flags"), f"{at}.flags")
        description = s.get("description")
        description = r.text(description, f"{at}.description", empty=True) if description is not None else ""
        raw_points = r.seq(r.field(s, "points", at), f"{at}.points")
        points = [self.point(r, image, p, f"{at}.points[{n}]") for n, p in enumerate(raw_points)]
        if kind not in _POINTS:
            self.dropped[f"'{kind[:30]}' shapes"] += 1
            return None
        fewest, most = _POINTS[kind]
        if len(points) < fewest or (most is not None and len(points) > most):
            self.dropped["shapes with the wrong number of points for their type"] += 1
            return None
        shape = _Shape(kind, label, group, points, flags, description, at)
        if kind == "mask":
            shape.mask = self.mask(r, image, s, shape)
            if shape.mask is None:
                return None
        return shape

    @staticmethod
    def point(r: Reader, image: _Image, raw: Any, where: str) -> tuple[float, float]:
        x, y = r.numbers(raw, where, 2)
        w, h = image.width, image.height
        if not (-w <= x <= 2 * w and -h <= y <= 2 * h):
            raise r.fail(where, f"({x:g}, {y:g}) is more than the image's size away from the {w} x {h} image.")
        return x, y

    def mask(self, r: Reader, image: _Image, s: Mapping[str, Any], shape: _Shape) -> tuple[int, int, Any] | None:
        """A mask shape's PNG, cut to the image: its top row, left column and pixels; None if nothing is left."""
        from PIL import Image

        where = f"{shape.where}.mask"
        data = self.base64(r, r.field(s, "mask", shape.where), where)
        w, h = image.width, image.height
        try:
            with Image.open(io.BytesIO(data)) as png:
                pw, ph = png.size  # from the header: checked before anything is decoded
                if pw <= w and ph <= h:
                    patch = np.asarray(png.convert("L")) != 0
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
            raise r.fail(where, f"not a PNG image ({str(e)[:80]}).") from None
        if pw > w or ph > h:
            raise r.fail(where, f"the mask PNG is {pw} x {ph}, bigger than its {w} x {h} image.")
        (x1, y1), (x2, y2) = shape.points
        left, top = math.floor(x1 + 0.5), math.floor(y1 + 0.5)
        if (math.floor(x2 + 0.5) - left + 1, math.floor(y2 + 0.5) - top + 1) != (pw, ph):
            self.dropped["mask PNGs whose size disagrees with their points (the PNG's own size is used)"] += 1
        cut = patch[max(0, -top) : max(0, h - top), max(0, -left) : max(0, w - left)]
        if cut.sum() != patch.sum():
            self.dropped[_CLIPPED] += 1
        if not cut.any():
            self.dropped["masks with no pixel in the image"] += 1
            return None
        return max(top, 0), max(left, 0), cut

    def group(self, image: _Image, shapes: list[_Shape]) -> None:
        """Items in the order of their first shape: shapes of one label and group id are one item."""
        groups: dict[tuple[str, int], list[_Shape]] = {}
        order: list[tuple[str, int] | _Shape] = []
        for shape in shapes:
            if shape.group is None:
                order.append(shape)
                continue
            key = (shape.label, shape.group)
            if key not in groups:
                groups[key] = []
                order.append(key)
            groups[key].append(shape)
        for entry in order:
            if isinstance(entry, _Shape):
                image.items.extend(self.single(entry))
                continue
            members = groups[entry]
            area = [s for s in members if s.kind in _AREA]
            points = [s for s in members if s.kind in ("point", "points")]
            lines = [s for s in members if s.kind in ("line", "linestrip")]
            if any(s.kind == "mask" for s in area):
                self.dropped["shapes drawn into the mask of their group"] += sum(1 for s in area if s.kind != "mask")
                image.items.append(_Item("mask", entry[0], area))
            elif len(area) > 1:
                image.items.append(_Item("polygon", entry[0], area))
            elif area:
                image.items.extend(self.single(area[0]))
            if points:
                image.items.append(_Item("skeleton", entry[0], points))
            if lines and len(members) > 1:
                self.dropped["group ids of lines (each line is its own object)"] += len(lines)
            image.items.extend(_Item("polyline", s.label, [s]) for s in lines)

    def single(self, shape: _Shape) -> list[_Item]:
        kind = shape.kind
        if kind == "circle":
            self.dropped[f"circles (imported as {CIRCLE_POINTS}-point polygons)"] += 1
        if kind == "points":
            return [_Item("point", shape.label, [_replace(shape, [p])]) for p in shape.points]
        family = {
            "polygon": "polygon",
            "circle": "polygon",
            "rectangle": "box",
            "oriented_rectangle": "rotated",
            "line": "polyline",
            "linestrip": "polyline",
            "point": "point",
            "mask": "mask",
        }[kind]
        return [_Item(family, shape.label, [shape])]


def _replace(shape: _Shape, points: list[tuple[float, float]]) -> _Shape:
    return _Shape(shape.kind, shape.label, shape.group, points, shape.flags, shape.description, shape.where)


_CANDIDATES = {
    "box": (Shape.BOUNDING_BOX, Shape.POLYGON, Shape.ROTATABLE_BOUNDING_BOX),
    "rotated": (Shape.ROTATABLE_BOUNDING_BOX, Shape.POLYGON),
    "polygon": (Shape.POLYGON, Shape.ROTATABLE_BOUNDING_BOX),
    "polyline": (Shape.POLYLINE,),
    "point": (Shape.POINT,),
    "skeleton": (Shape.SKELETON, Shape.POINT),
    "mask": (Shape.BITMASK,),
}
"""The shapes an item may take in an ontology, preferred first (the first is what a built ontology has)."""


def _built_shape(item: _Item) -> Shape:
    return Shape.POINT if item.family == "skeleton" else _CANDIDATES[item.family][0]


def _build_ontology(images: list[_Image]) -> Ontology:
    """An object per label and shape, with the attributes ``flags`` and ``description`` if used; image flags."""
    objects: dict[tuple[str, Shape], tuple[list[str], list[bool]]] = {}
    image_flags: list[str] = []
    for image in images:
        image_flags.extend(f for f in image.flags if f not in image_flags)
        for item in image.items:
            names, described = objects.setdefault((item.label, _built_shape(item)), ([], [False]))
            for member in item.shapes:
                names.extend(f for f in member.flags if f not in names)
                described[0] = described[0] or bool(member.description)
    ontology = Ontology()
    for (label, shape), (names, described) in objects.items():
        obj = ontology.add_object(label, shape)
        if names:
            checklist = obj.add_attribute(ChecklistAttribute, FLAGS)
            for name in names:
                checklist.add_option(name, name)
        if described[0]:
            obj.add_attribute(TextAttribute, DESCRIPTION)
    if image_flags:
        checklist = ontology.add_classification(is_global=True).add_attribute(ChecklistAttribute, FLAGS)
        for name in image_flags:
            checklist.add_option(name, name)
    return ontology


def _option(attribute: Attribute, name: str) -> Option | None:
    return next((o for o in attribute.options if o.label == name), None) or next(
        (o for o in attribute.options if o.value == name), None
    )


def _flag_target(attributes: Sequence[Attribute], flag: str) -> tuple[Attribute, Option] | None:
    """The attribute and option a flag chooses: ``name:option`` of a radio or checklist, else an option of ``flags``."""
    by_name = {a.name: a for a in attributes if isinstance(a, (RadioAttribute, ChecklistAttribute))}
    name, sep, rest = flag.partition(":")
    if sep and name in by_name and (option := _option(by_name[name], rest)) is not None:
        return by_name[name], option
    checklist = by_name.get(FLAGS)
    if isinstance(checklist, ChecklistAttribute) and (option := _option(checklist, flag)) is not None:
        return checklist, option
    return None


def _answers(
    attributes: Sequence[Attribute], flags: dict[str, bool], dropped: Counter[str], what: str
) -> dict[int, tuple[Attribute, Any]]:
    """Answers of flags: a radio takes the option of its one true flag, a checklist those of all its true flags."""
    out: dict[int, tuple[Attribute, Any]] = {}
    for flag, on in flags.items():
        target = _flag_target(attributes, flag)
        if target is None:
            dropped[f"{what} flags not in the ontology"] += 1
            continue
        attribute, option = target
        if isinstance(attribute, ChecklistAttribute):
            chosen = out.setdefault(id(attribute), (attribute, []))[1]
            chosen.extend([option] if on else [])
        elif on:
            if id(attribute) in out:
                dropped["flags after the first of a single-choice attribute"] += 1
                continue
            out[id(attribute)] = (attribute, option)
    return out


class _Placer:
    """Puts read files on rows: finds each item's object, converts its geometry, sets its answers."""

    def __init__(self, ontology: Ontology, dropped: Counter[str]) -> None:
        self.ontology = ontology
        self.dropped = dropped

    def object(self, r: Reader, item: _Item) -> Object:
        candidates = _CANDIDATES[item.family]
        if item.family == "polygon" and (len(item.shapes) > 1 or not _is_rectangle(_ring(item.shapes[0]))):
            candidates = (Shape.POLYGON,)
        for shape in candidates:
            for obj in self.ontology.objects:
                if obj.name == item.label and obj.shape is shape:
                    return obj
        wanted = " or ".join(s.value for s in candidates)
        raise r.fail(item.shapes[0].where, f"the ontology has no {wanted} object named {item.label!r}.")

    def image(self, image: _Image) -> LabelRow:
        r = image.r
        row = LabelRow(self.ontology)
        with r.at(""):
            space = row.add_image_space(image.name, image.width, image.height)
            space.media = image.media
        for item in image.items:
            with r.at(item.shapes[0].where):
                obj = self.object(r, item)
                if obj.shape is Shape.POINT and item.family == "skeleton":
                    if len(item.shapes) > 1:
                        self.dropped["grouped points imported as single points (no skeleton of their label)"] += 1
                    for shape in item.shapes:
                        for point in shape.points:
                            self.put(space, obj, _Item("point", item.label, [_replace(shape, [point])]))
                    continue
                self.put(space, obj, item)
        with r.at("flags"):
            self.classifications(space, image.flags)
        return row

    def put(self, space: ImageSpace, obj: Object, item: _Item) -> None:
        instance = obj.create_instance()
        space.put_object_instance(instance, self.coordinates(space, obj, item))
        first = item.shapes[0]
        named_nodes = obj.shape is Shape.SKELETON  # its points' descriptions name its nodes
        if any(s.flags != first.flags or (s.description != first.description and not named_nodes) for s in item.shapes):
            self.dropped["flags and descriptions of grouped shapes after the first"] += 1
        answers = _answers(obj.attributes, first.flags, self.dropped, "shape")
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
            nx, ny = x / space.width, y / space.height
            cx, cy = min(max(nx, 0.0), 1.0), min(max(ny, 0.0), 1.0)
            clipped = clipped or abs(cx - nx) > _EDGE or abs(cy - ny) > _EDGE
            out.append(PointCoordinate(cx, cy))
        self.dropped[_CLIPPED] += clipped
        return out

    def coordinates(self, space: ImageSpace, obj: Object, item: _Item) -> GeometricCoordinates:
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
            return PolygonCoordinates(polygons=[[self.normalised(space, _ring(s))] for s in shapes])
        ring = _ring(shapes[0])
        if obj.shape is Shape.BOUNDING_BOX:
            (left, top), (right, bottom) = ring[0], ring[2]
            x, y, w, h = self.box(space, left, top, right - left, bottom - top)
            return BoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y)
        cx, cy, width, height, theta = _rotated(ring)
        x, y, w, h = self.box(space, cx - width / 2, cy - height / 2, width, height)
        return RotatableBoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y, theta=theta)

    def box(self, space: Space, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        """A pixel box normalised; cut to the image if it reaches past it (a box inside is kept to the last bit)."""
        nx, ny, nw, nh = x / space.width, y / space.height, w / space.width, h / space.height
        if 0 <= nx and 0 <= ny and nx + nw <= 1 and ny + nh <= 1:
            return nx, ny, nw, nh
        left, top = min(max(nx, 0.0), 1.0), min(max(ny, 0.0), 1.0)
        right, bottom = max(min(nx + nw, 1.0), left), max(min(ny + nh, 1.0), top)
        cut = (left, top, right - left, bottom - top)
        self.dropped[_CLIPPED] += max(abs(a - b) for a, b in zip(cut, (nx, ny, nw, nh), strict=True)) > _EDGE
        return cut

    def mask(self, space: ImageSpace, shapes: list[_Shape]) -> BitmaskCoordinates:
        from PIL import Image, ImageDraw

        full = np.zeros((space.height, space.width), dtype=bool)
        drawn = Image.new("1", (space.width, space.height), 0)
        draw = ImageDraw.Draw(drawn)
        for shape in shapes:
            if shape.mask is not None:
                top, left, patch = shape.mask
                full[top : top + patch.shape[0], left : left + patch.shape[1]] |= patch
            else:  # drawn filled, outline included, as labelme draws shapes into masks
                draw.polygon([(x, y) for x, y in _ring(shape)], fill=1, outline=1)
        return BitmaskCoordinates(full | np.asarray(drawn, dtype=bool))

    def classifications(self, space: ImageSpace, flags: dict[str, bool]) -> None:
        roots = {id(c.attributes[0]): c for c in self.ontology.classifications if c.attributes}
        attributes = [c.attributes[0] for c in roots.values()]
        for attribute, value in _answers(attributes, flags, self.dropped, "image").values():
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
    reader = _FileReader(media, folder, allow_outside_media, dropped)
    images = []
    for name, d in documents.items():
        r = Reader(str(folder / f"{name}.json") if folder is not None else f"{source}/{name}.json", limits)
        with r.at(""):
            images.append(reader.image(r, name, d))
    if ontology is None:
        ontology = _build_ontology(images)
    placer = _Placer(ontology, dropped)
    project = Project(ontology)
    for image in images:
        project.add_row(placer.image(image))
    return project


# --- export ---------------------------------------------------------------------------------------


def _flag_name(attribute: Attribute, option: Option) -> str:
    return option.label if attribute.name == FLAGS else f"{attribute.name}:{option.label}"


class _Writer:
    """Builds the documents of a project, counting what LabelMe cannot hold."""

    def __init__(self, dropped: Counter[str], media: Path | None = None, folder: Path | None = None) -> None:
        self.dropped = dropped
        self.media = media
        self.folder = folder

    def answers(
        self, roots: Sequence[Attribute], answers: list[tuple[Attribute, Any]], what: str
    ) -> tuple[dict[str, bool], str]:
        """Answers as flags (radio and checklist options) and a description (the text attribute ``description``)."""
        flags: dict[str, bool] = {}
        description = ""
        for attribute, value in answers:
            if not any(a is attribute for a in roots):
                self.dropped["nested attribute answers"] += 1
            elif isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
                chosen = value if isinstance(value, list) else [value]
                for option in attribute.options:
                    flags[_flag_name(attribute, option)] = any(option is c for c in chosen)
            elif isinstance(attribute, TextAttribute) and attribute.name == DESCRIPTION and what == "attribute":
                description = value
            elif what == "attribute":
                self.dropped[f"attribute answers other than radio, checklist and text {DESCRIPTION!r}"] += 1
            else:
                self.dropped["classification answers other than radio and checklist"] += 1
        return flags, description

    def shapes(self, space: Space, view: Any, answers: list[tuple[Attribute, Any]], groups: list[int]) -> list[Any]:
        """The shapes of one object on one frame."""
        instance: ObjectInstance = view.object_instance
        c = view.coordinates
        w, h = space.width, space.height
        flags, description = self.answers(instance.ontology_item.attributes, answers, "attribute")
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
            x, y, bw, bh, theta = c.to_pixels(w, h)
            cx, cy, t = x + bw / 2, y + bh / 2, math.radians(theta)
            corners = [(-bw / 2, -bh / 2), (bw / 2, -bh / 2), (bw / 2, bh / 2), (-bw / 2, bh / 2)]
            turned = [
                (cx + a * math.cos(t) - b * math.sin(t), cy + a * math.sin(t) + b * math.cos(t)) for a, b in corners
            ]
            return [shape("polygon", turned)]
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
        from PIL import Image

        array = c.to_array()
        rows, cols = np.flatnonzero(array.any(axis=1)), np.flatnonzero(array.any(axis=0))
        if not rows.size:
            self.dropped["empty masks"] += 1
            return []
        top, bottom, left, right = int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])
        buffer = io.BytesIO()
        Image.fromarray(array[top : bottom + 1, left : right + 1].astype(np.uint8), mode="L").save(buffer, "PNG")
        encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
        return [shape("mask", [(left, top), (right, bottom)], mask=encoded)]

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
            found, _ = self.answers(instance.ontology_item.attributes, instance.get_static_answers(), "classification")
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


def save_labelme(
    project: Project | LabelRow,
    folder: str | os.PathLike[str],
    replace: bool = False,
    media: str | os.PathLike[str] | None = None,
) -> Counter[str]:
    """Write a folder of LabelMe files atomically; return (and warn about) what LabelMe could not hold.

    Args:
        project: The project (or one row).
        folder: The output folder: new or empty, or replaced whole with ``replace``.
        replace: Replace a non-empty folder whole.
        media: The folder the project's relative media paths are relative to; each file's
            ``imagePath`` then leads to its image there. Without it the output folder is taken to
            mirror the media folder (copy the files in beside the images).
    """
    dropped: Counter[str] = Counter()
    documents = to_labelme(
        project, dropped, media=Path(media) if media is not None else None, folder=Path(folder) if media else None
    )
    with atomic_folder(folder, replace) as root:
        for name, document in documents.items():
            target = root / f"{name}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return warn_dropped("LabelMe", dropped)


def load_labelme(
    path: str | os.PathLike[str],
    ontology: Ontology | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """Read a LabelMe file, or a folder of them (one row per file); warn about what was dropped.

    Args:
        path: A LabelMe JSON file or a folder (searched recursively for ``*.json``).
        ontology: The ontology to read with; built from the files when None.
        media: The media folder image paths are kept relative to (the folder read, or the file's
            folder, when None).
        allow_outside_media: Keep image paths that leave that folder.
        limits: Sizes a file may declare.

    Raises:
        FormatError: Naming the file, the shape and the field of the first malformed value.
    """
    options = ReadOptions(ontology, Path(media) if media is not None else None, allow_outside_media, limits)
    return read_labelme(Path(path), options)


def _read(documents: dict[str, Any], folder: Path, o: ReadOptions, dropped: Counter[str]) -> Project:
    project = from_labelme(
        documents,
        o.ontology,
        folder=folder,
        media=o.media_root(folder),
        allow_outside_media=o.allow_outside_media,
        limits=o.limits,
        dropped=dropped,
    )
    warn_dropped("LabelMe", dropped, importing=True)
    return project


def _name(path: Path) -> str:
    return path.name.removesuffix(".gz").removesuffix(".json")


def from_labelme_file(d: Any, path: Path, o: ReadOptions) -> Project:
    """A one-row project from a decoded LabelMe file read from ``path``; warns about what was dropped."""
    return _read({_name(path): d}, path.parent, o, Counter())


def read_labelme(path: Path, o: ReadOptions) -> Project:
    """Read a LabelMe file or folder with the options ``labelspace.formats.load`` was given."""
    if not path.is_dir():
        return from_labelme_file(read_json(path, o.limits), path, o)
    dropped: Counter[str] = Counter()
    documents: dict[str, Any] = {}
    for file in _json_files(path):
        d = read_json(file, o.limits)
        if not is_labelme(d):
            dropped["JSON files that are not LabelMe files"] += 1
            continue
        documents[file.relative_to(path).with_suffix("").as_posix()] = d
    if not documents:
        raise Reader(str(path), o.limits).fail("", "no LabelMe .json files found.")
    return _read(documents, path, o, dropped)


def write_labelme(project: Project, path: Path, o: WriteOptions) -> Counter[str]:
    """Write a LabelMe folder with the options ``labelspace.formats.save`` was given."""
    return save_labelme(project, path, replace=o.overwrite, media=o.media)
