"""Reading LabelMe files into records: each image's size, media path and flags, its shapes grouped into items.

Nothing is put on a label row here: shapes are checked as they are read, and counted where
labelspace cannot hold them; ``reader`` puts the items on rows once the ontology is known.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import os
import posixpath
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.formats._common import Reader
from labelspace.formats._paths import is_absolute, is_url, media_path
from labelspace.formats.labelme.geometry import CIRCLE_POINTS
from labelspace.formats.labelme.masks import read_png

CLIPPED = "shapes reaching past the image edge (clipped to it)"
"""What shapes past the image edge are listed as in the warning."""
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


@dataclass
class LabelmeShape:
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
class Item:
    """What becomes one object (or, for points of a group without a skeleton, several)."""

    family: str  # box, rotated, polygon, polyline, point, skeleton, mask
    label: str
    shapes: list[LabelmeShape]


@dataclass
class LabelmeFile:
    """One file, read."""

    name: str
    r: Reader
    width: int
    height: int
    media: str | None
    flags: dict[str, bool]
    items: list[Item] = field(default_factory=list)


class FileReader:
    """Reads LabelMe files, counting what labelspace cannot hold."""

    def __init__(self, media: Path | None, folder: Path | None, allow_outside: bool, dropped: Counter[str]) -> None:
        self.media = media
        self.folder = folder
        self.allow_outside = allow_outside
        self.dropped = dropped

    def image(self, r: Reader, name: str, d: Any) -> LabelmeFile:
        """One decoded file named ``name`` (its path without ``.json``): its image, flags and items."""
        doc = r.obj(d, "")
        shapes = r.objects(r.field(doc, "shapes", ""), "shapes")
        media, found = self.media_path(r, name, doc.get("imagePath"))
        width, height = self.size(r, doc, found)
        flags = self.flags(r, doc.get("flags"), "flags")
        image = LabelmeFile(name, r, width, height, media, flags)
        read = [self.shape(r, image, i, s) for i, s in enumerate(shapes)]
        self.group(image, [s for s in read if s is not None])
        return image

    def media_path(self, r: Reader, name: str, raw: Any) -> tuple[str | None, Path | None]:
        """The media path kept for ``imagePath`` (relative to the media folder), and the file if it is there."""
        if raw is None or raw == "":
            return None, None
        text = r.text(raw, "imagePath")
        posix = text.replace("\\", "/")
        if is_url(text) or is_absolute(text):
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
            return r.image_size(doc.get("imageWidth"), doc.get("imageHeight"), "", ("imageWidth", "imageHeight"))
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
            return r.image_file_size(found, "imagePath", f"image {found.name}: ")
        raise r.fail(
            "",
            "the file gives no image size (imageWidth, imageHeight), embeds no image and its image is not found; "
            "pass the folder that holds the images with --media (media=... in Python).",
        )

    @staticmethod
    def base64(r: Reader, value: Any, where: str) -> bytes:
        """Bytes given as base64 text (an embedded image, a mask's PNG)."""
        text = r.text(value, where)
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise r.fail(where, "not base64 data.") from None

    @staticmethod
    def flags(r: Reader, value: Any, where: str) -> dict[str, bool]:
        """Flags: names, each true or false."""
        if value is None:
            return {}
        return {r.text(k, f"{where}"): r.boolean(v, f"{where}.{k}") for k, v in r.obj(value, where).items()}

    def shape(self, r: Reader, image: LabelmeFile, i: int, s: Mapping[str, Any]) -> LabelmeShape | None:
        """The ``i``-th shape of a file; None for a shape of an unknown type or the wrong number of points."""
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
        shape = LabelmeShape(kind, label, group, points, flags, description, at)
        if kind == "mask":
            shape.mask = self.mask(r, image, s, shape)
            if shape.mask is None:
                return None
        return shape

    @staticmethod
    def point(r: Reader, image: LabelmeFile, raw: Any, where: str) -> tuple[float, float]:
        """A point in pixels, refused more than the image's size past its edge."""
        x, y = r.numbers(raw, where, 2)
        w, h = image.width, image.height
        if not (-w <= x <= 2 * w and -h <= y <= 2 * h):
            raise r.fail(where, f"({x:g}, {y:g}) is more than the image's size away from the {w} x {h} image.")
        return x, y

    def mask(
        self, r: Reader, image: LabelmeFile, s: Mapping[str, Any], shape: LabelmeShape
    ) -> tuple[int, int, Any] | None:
        """A mask shape's PNG, cut to the image: its top row, left column and pixels; None if nothing is left."""
        where = f"{shape.where}.mask"
        data = self.base64(r, r.field(s, "mask", shape.where), where)
        w, h = image.width, image.height
        patch = read_png(r, data, where, w, h)
        ph, pw = patch.shape
        (x1, y1), (x2, y2) = shape.points
        left, top = math.floor(x1 + 0.5), math.floor(y1 + 0.5)
        if (math.floor(x2 + 0.5) - left + 1, math.floor(y2 + 0.5) - top + 1) != (pw, ph):
            self.dropped["mask PNGs whose size disagrees with their points (the PNG's own size is used)"] += 1
        cut = patch[max(0, -top) : max(0, h - top), max(0, -left) : max(0, w - left)]
        if cut.sum() != patch.sum():
            self.dropped[CLIPPED] += 1
        if not cut.any():
            self.dropped["masks with no pixel in the image"] += 1
            return None
        return max(top, 0), max(left, 0), cut

    def group(self, image: LabelmeFile, shapes: list[LabelmeShape]) -> None:
        """Items in the order of their first shape: shapes of one label and group id are one item."""
        groups: dict[tuple[str, int], list[LabelmeShape]] = {}
        order: list[tuple[str, int] | LabelmeShape] = []
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
            if isinstance(entry, LabelmeShape):
                image.items.extend(self.single(entry))
                continue
            members = groups[entry]
            area = [s for s in members if s.kind in _AREA]
            points = [s for s in members if s.kind in ("point", "points")]
            lines = [s for s in members if s.kind in ("line", "linestrip")]
            if any(s.kind == "mask" for s in area):
                self.dropped["shapes drawn into the mask of their group"] += sum(1 for s in area if s.kind != "mask")
                image.items.append(Item("mask", entry[0], area))
            elif len(area) > 1:
                image.items.append(Item("polygon", entry[0], area))
            elif area:
                image.items.extend(self.single(area[0]))
            if points:
                image.items.append(Item("skeleton", entry[0], points))
            if lines and len(members) > 1:
                self.dropped["group ids of lines (each line is its own object)"] += len(lines)
            image.items.extend(Item("polyline", s.label, [s]) for s in lines)

    def single(self, shape: LabelmeShape) -> list[Item]:
        """The items of a shape on its own: one, or one per point of a ``points`` shape."""
        kind = shape.kind
        if kind == "circle":
            self.dropped[f"circles (imported as {CIRCLE_POINTS}-point polygons)"] += 1
        if kind == "points":
            return [Item("point", shape.label, [with_points(shape, [p])]) for p in shape.points]
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
        return [Item(family, shape.label, [shape])]


def with_points(shape: LabelmeShape, points: list[tuple[float, float]]) -> LabelmeShape:
    """A shape like ``shape`` with other points (without its mask)."""
    return LabelmeShape(shape.kind, shape.label, shape.group, points, shape.flags, shape.description, shape.where)
