"""What every format module shares: one reader of plain data, one metadata codec, one warning of what was dropped.

And one rule for the image edge: points and boxes past it are moved onto it, in pixels rotated
boxes have the same corners in every format.

``Reader`` walks data a file holds (a JSON tree, XML attributes, text fields) and raises one
error class, ``FormatError``, naming the file, the record and the field. Its ``at(where)`` block
turns any error from the label model (and any stray built-in error a malformed value provokes)
into a ``FormatError`` for that record, so a reader never lets anything else escape.
"""

from __future__ import annotations

import functools
import math
import os
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from labelspace.formats._reading import DEFAULT_LIMITS, Limits
from labelspace.model._collector import collector_paused
from labelspace.model.annotations import Metadata
from labelspace.model.coordinates import RotatableBoundingBoxCoordinates
from labelspace.model.errors import FormatError, LabelspaceError
from labelspace.model.frames import Frames
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.ontology import Attribute, Option, walk_attributes
from labelspace.model.spaces import ImageSpace, MultiFrameSpace, Space


class DroppedLabelsWarning(UserWarning):
    """A format could not hold some labels (on export), or labelspace could not hold some of a file's (on import)."""


def warn_dropped(format_name: str, dropped: Counter[str], importing: bool = False) -> Counter[str]:
    """Warn, listing what was dropped and how much; return the non-zero counts."""
    dropped = Counter({k: v for k, v in dropped.items() if v})
    if dropped:
        listed = ", ".join(f"{n} {what}" for what, n in sorted(dropped.items()))
        if importing:
            message = f"labelspace cannot hold everything in this {format_name} file; dropped {listed}."
        else:
            message = f"{format_name} cannot hold everything; dropped {listed}."
        warnings.warn(message, DroppedLabelsWarning, stacklevel=3)
    return dropped


_MALFORMED = (
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    AttributeError,
    OverflowError,
    ZeroDivisionError,
    StopIteration,
    UnicodeError,
    RecursionError,
)
"""Built-in errors a malformed value can provoke deep in a reader; ``Reader.at`` reports them as FormatError."""


class Reader:
    """Reads plain data from one file, raising ``FormatError`` that names the file, the record and the field.

    Args:
        source: The file (or other source) named in messages.
        limits: The sizes the file may declare.
    """

    def __init__(self, source: str, limits: Limits = DEFAULT_LIMITS) -> None:
        self.source = source
        self.limits = limits

    def fail(self, where: str, message: str) -> FormatError:
        """An error naming the source, ``where`` (a record and field) and what is wrong."""
        return FormatError(f"{self.source}: {where}: {message}" if where else f"{self.source}: {message}")

    @contextmanager
    def at(self, where: str) -> Iterator[None]:
        """Report any error inside the block as a ``FormatError`` at ``where``; labelspace errors keep their message."""
        try:
            yield
        except FormatError:
            raise
        except LabelspaceError as e:
            raise self.fail(where, e.message) from None
        except _MALFORMED as e:
            detail = str(e)[:120] or type(e).__name__
            raise self.fail(where, f"malformed value ({type(e).__name__}: {detail}).") from None

    # -- values --

    def obj(self, value: Any, where: str) -> Mapping[str, Any]:
        """A JSON object."""
        if not isinstance(value, Mapping):
            raise self.fail(where, f"expected an object, got {_shown(value)}.")
        return value

    def seq(self, value: Any, where: str) -> Sequence[Any]:
        """A JSON array."""
        if not isinstance(value, (list, tuple)):
            raise self.fail(where, f"expected a list, got {_shown(value)}.")
        return value

    def objects(self, value: Any, where: str) -> list[Mapping[str, Any]]:
        """A JSON array of objects."""
        items = self.seq(value, where)
        for i, item in enumerate(items):
            self.obj(item, f"{where}[{i}]")
        return list(items)

    def field(self, d: Mapping[str, Any], key: str, where: str) -> Any:
        """``d[key]``, or an error naming the missing field."""
        if key not in d:
            raise self.fail(where, f"the field {key!r} is missing.")
        return d[key]

    def text(self, value: Any, where: str, *, empty: bool = False) -> str:
        """A string (non-empty unless ``empty``)."""
        if not isinstance(value, str) or (not value and not empty):
            raise self.fail(where, f"expected {'a' if empty else 'a non-empty'} string, got {_shown(value)}.")
        return value

    def integer(self, value: Any, where: str, low: int | None = None, high: int | None = None) -> int:
        """A whole number (a float that is whole is taken), within ``low..high``."""
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise self.fail(where, f"expected a whole number, got {_shown(value)}.")
        if isinstance(value, (float, np.floating)):
            if not math.isfinite(value) or not float(value).is_integer():
                raise self.fail(where, f"expected a whole number, got {_shown(value)}.")
            value = int(value)
        number = int(value)
        self._within(number, where, low, high)
        return number

    def number(self, value: Any, where: str, low: float | None = None, high: float | None = None) -> float:
        """A finite number within ``low..high``."""
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise self.fail(where, f"expected a number, got {_shown(value)}.")
        try:
            number = float(value)
        except OverflowError:
            raise self.fail(where, f"the number {_shown(value)} is too large.") from None
        if not math.isfinite(number):
            raise self.fail(where, f"expected a finite number, got {number!r}.")
        self._within(number, where, low, high)
        return number

    def numbers(self, value: Any, where: str, n: int | None = None) -> list[float]:
        """A list of finite numbers (of ``n`` of them if given)."""
        items = self.seq(value, where)
        if n is not None and len(items) != n:
            raise self.fail(where, f"expected {n} numbers, got {len(items)}.")
        return [self.number(v, f"{where}[{i}]") for i, v in enumerate(items)]

    def boolean(self, value: Any, where: str) -> bool:
        """True or false (JSON booleans, or 0 and 1)."""
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        raise self.fail(where, f"expected true or false, got {_shown(value)}.")

    def _within(self, number: float, where: str, low: float | None, high: float | None) -> None:
        if (low is not None and number < low) or (high is not None and number > high):
            bounds = f"{low if low is not None else '-inf'}..{high if high is not None else 'inf'}"
            raise self.fail(where, f"{number!r} is outside {bounds}.")

    # -- sizes a file declares --

    def image_size(
        self, width: Any, height: Any, where: str, names: tuple[str, str] = ("width", "height")
    ) -> tuple[int, int]:
        """An image's width and height: positive, and within ``limits.max_image_side``.

        Args:
            width: The width the file declares.
            height: The height the file declares.
            where: What the field names follow in messages (a record and ``.``, or a phrase).
            names: The fields' names in the file (LabelMe's are ``imageWidth`` and ``imageHeight``).
        """
        side = self.limits.max_image_side
        return (
            self.integer(width, f"{where}{names[0]}", 1, side),
            self.integer(height, f"{where}{names[1]}", 1, side),
        )

    def image_file_size(self, path: Path, where: str, prefix: str) -> tuple[int, int]:
        """The width and height in an image file's header, checked as ``image_size`` checks declared ones.

        Args:
            path: The image file.
            where: Where an unreadable image is reported.
            prefix: What ``width`` and ``height`` follow in messages about a size out of bounds.
        """
        from labelspace.media.image import image_size

        try:
            width, height = image_size(path)
        except LabelspaceError as e:
            raise self.fail(where, e.message) from None
        return self.image_size(width, height, prefix)

    def frame_count(self, value: Any, where: str) -> int:
        """A video's or volume's number of frames: positive, and within ``limits.max_frames``."""
        n = self.integer(value, where, 1)
        if n > self.limits.max_frames:
            raise self.fail(
                where,
                f"{n:,} frames is more than the reader's limit of {self.limits.max_frames:,}; raise it with "
                f"Limits(max_frames=...) if the video is really that long.",
            )
        return n

    def mask_size(self, width: int, height: int, where: str) -> None:
        """Refuse a mask too large to decode, before it is allocated."""
        if width * height > self.limits.max_mask_pixels:
            raise self.fail(
                where,
                f"a {width} x {height} mask is more than the reader's limit of {self.limits.max_mask_pixels:,} "
                f"pixels; raise it with Limits(max_mask_pixels=...).",
            )


F = TypeVar("F", bound=Callable[..., Any])


def reading(function: F) -> F:
    """Make a reader raise only labelspace errors: a stray built-in error becomes a ``FormatError`` naming the source.

    Readers check what they read and name the record and field; this is the net under them, so
    that a defect meeting a malformed value still ends as one clear error. The source is the
    ``source`` keyword argument, else the first argument when it is a path.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with collector_paused():  # a reader makes a few objects per annotation, millions in a large file
                return function(*args, **kwargs)
        except LabelspaceError:
            raise
        except _MALFORMED as e:
            source = kwargs.get("source") or (str(args[0]) if args and isinstance(args[0], (str, os.PathLike)) else "")
            detail = str(e)[:120] or type(e).__name__
            raise Reader(source or "labels").fail("", f"malformed value ({type(e).__name__}: {detail}).") from None

    return wrapper  # type: ignore[return-value]


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'...' if len(text) > 40 else ''}"


# --- metadata ----------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def metadata_to_dict(meta: Metadata) -> dict[str, Any]:
    """An annotation's metadata as JSON values (times in ISO 8601, UTC, to the microsecond).

    Cached: the frames of one put share a record, so an export encodes each record once.
    """
    return {
        "created_at": meta.created_at.isoformat(),
        "created_by": meta.created_by,
        "last_edited_at": meta.last_edited_at.isoformat(),
        "last_edited_by": meta.last_edited_by,
        "confidence": meta.confidence,
        "manual_annotation": meta.manual_annotation,
    }


METADATA_KEYS = ("created_at", "created_by", "last_edited_at", "last_edited_by", "confidence", "manual_annotation")


def metadata_from_dict(r: Reader, d: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The metadata keyword arguments of a put, from the fields ``metadata_to_dict`` writes (those present)."""
    out: dict[str, Any] = {}
    for key in ("created_at", "last_edited_at"):
        if d.get(key) is not None:
            out[key] = parse_time(r, d[key], f"{where}.{key}")
    for key in ("created_by", "last_edited_by"):
        if d.get(key) is not None:
            out[key] = r.text(d[key], f"{where}.{key}", empty=True)
    if d.get("confidence") is not None:
        out["confidence"] = r.number(d["confidence"], f"{where}.confidence", 0.0, 1.0)
    if d.get("manual_annotation") is not None:
        out["manual_annotation"] = r.boolean(d["manual_annotation"], f"{where}.manual_annotation")
    return out


def parse_time(r: Reader, value: Any, where: str) -> datetime:
    """An ISO 8601 time (UTC when it names no zone)."""
    text = r.text(value, where)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        raise r.fail(where, f"expected an ISO 8601 time such as 2024-05-06T07:08:09Z, got {text[:40]!r}.") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def count_dropped_metadata(dropped: Counter[str], meta: Metadata, n: int = 1) -> None:
    """Count what of the metadata of ``n`` annotations sharing ``meta`` a format without metadata drops."""
    dropped["annotation times (created, last edited)"] += n
    if meta.created_by is not None or meta.last_edited_by is not None:
        dropped["annotation authors"] += n
    if meta.confidence != 1.0:
        dropped["confidences"] += n
    if not meta.manual_annotation:
        dropped["prediction flags (manual_annotation=False)"] += n


# --- answers -----------------------------------------------------------------------------------


def set_static_answers(
    instance: ObjectInstance | ClassificationInstance, answers: Iterable[tuple[Attribute, Any]]
) -> None:
    """Set static answers, parents before the attributes nested under their options, whatever order they came in."""
    given = {id(attribute): (attribute, value) for attribute, value in answers}
    for attribute in walk_attributes(instance.ontology_item.attributes):
        if id(attribute) in given and not attribute.dynamic:
            instance.set_answer(given[id(attribute)][1], attribute, overwrite=True)


def attributes_by_hash(element: Any) -> dict[str, Attribute]:
    """Every attribute of an ontology object or classification (nested ones too), by feature hash."""
    return {a.feature_node_hash: a for a in walk_attributes(element.attributes)}


def attributes_by_name(element: Any) -> dict[str, Attribute]:
    """Every attribute of an ontology object or classification (nested ones too), by name (first wins)."""
    out: dict[str, Attribute] = {}
    for a in walk_attributes(element.attributes):
        out.setdefault(a.name, a)
    return out


def option_named(attribute: Attribute, text: str) -> Option | None:
    """The option of ``attribute`` whose label is ``text``, else the one whose value is; None if neither."""
    return next((o for o in attribute.options if o.label == text), None) or next(
        (o for o in attribute.options if o.value == text), None
    )


# --- placing what a file holds -----------------------------------------------------------------


def put_object(space: Space, instance: ObjectInstance, frames: Frames, coordinates: Any, **meta: Any) -> None:
    """Put an object on frames of a video or volume, or on an image (whose only frame is 0)."""
    if isinstance(space, MultiFrameSpace):
        space.put_object_instance(instance, frames, coordinates, **meta)
    else:
        assert isinstance(space, ImageSpace)
        space.put_object_instance(instance, coordinates, **meta)


def put_classification(space: Space, instance: ClassificationInstance, frames: Frames | None, **meta: Any) -> None:
    """Put a classification on frames of a video or volume (global ones on the whole space), or on an image."""
    if isinstance(space, MultiFrameSpace):
        if instance.is_global() or frames is None:
            space.put_classification_instance(instance, None if instance.is_global() else frames, **meta)
        else:
            space.put_classification_instance(instance, frames, **meta)
    else:
        assert isinstance(space, ImageSpace)
        space.put_classification_instance(instance, **meta)


# --- the image edge ----------------------------------------------------------------------------

FloatArray = npt.NDArray[np.float64]
"""A float64 array: boxes one a row, ``(x, y, w, h, ...)``."""

EDGE = 1e-9
"""How far (normalised) a coordinate may pass the image edge before its clipping is listed as dropped."""


def clip_point(x: float, y: float) -> tuple[float, float, bool]:
    """A normalised point moved onto the image, and whether it moved more than ``EDGE``."""
    cx, cy = min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
    return cx, cy, abs(cx - x) > EDGE or abs(cy - y) > EDGE


def clip_box(x: float, y: float, w: float, h: float) -> tuple[tuple[float, float, float, float], bool]:
    """A normalised box cut to the image, and whether it moved more than ``EDGE``.

    A box inside the image is kept to the last bit.
    """
    if 0 <= x and 0 <= y and x + w <= 1 and y + h <= 1:
        return (x, y, w, h), False
    left, top = min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
    right, bottom = max(min(x + w, 1.0), left), max(min(y + h, 1.0), top)
    cut = (left, top, right - left, bottom - top)
    return cut, max(abs(a - b) for a, b in zip(cut, (x, y, w, h), strict=True)) > EDGE


def clip_boxes(rows: FloatArray) -> tuple[FloatArray, bool]:
    """Boxes ``(x, y, w, h, ...)`` (normalised) each cut as ``clip_box`` cuts one; whether any moved more than ``EDGE``.

    Boxes inside the image are kept as they are, to the last bit.
    """
    x, y, w, h = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    outside = (x < 0) | (y < 0) | (x + w > 1) | (y + h > 1)
    if not outside.any():
        return rows, False
    left, top = np.clip(x, 0, 1), np.clip(y, 0, 1)
    right, bottom = np.maximum(np.clip(x + w, 0, 1), left), np.maximum(np.clip(y + h, 0, 1), top)
    out = rows.copy()
    out[outside, 0], out[outside, 1] = left[outside], top[outside]
    out[outside, 2], out[outside, 3] = (right - left)[outside], (bottom - top)[outside]
    return out, bool((np.abs(out - rows) > EDGE).any())


def rotated_box_corners(box: RotatableBoundingBoxCoordinates, width: int, height: int) -> list[tuple[float, float]]:
    """A rotated box's corners in pixels: the unrotated top left, top right, bottom right and bottom left, turned."""
    x, y, bw, bh, theta = box.to_pixels(width, height)
    cx, cy, t = x + bw / 2, y + bh / 2, math.radians(theta)
    corners = [(-bw / 2, -bh / 2), (bw / 2, -bh / 2), (bw / 2, bh / 2), (-bw / 2, bh / 2)]
    return [(cx + a * math.cos(t) - b * math.sin(t), cy + a * math.sin(t) + b * math.cos(t)) for a, b in corners]
