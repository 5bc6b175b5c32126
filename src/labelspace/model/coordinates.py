"""Geometric coordinates of object annotations.

Positions are normalised to the image: ``0`` is the left (top) edge and ``1`` the right (bottom)
edge, as in Encord's label model, so a label survives a resize of its media. ``to_pixels`` and
``from_pixels`` convert to and from pixels of an image of a given size. Bitmasks are the
exception: they are pixel grids of the image's own size, stored run-length encoded.

Every type is immutable and compares by value.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ClassVar, Literal, TypeVar, Union, cast

import numpy as np
import numpy.typing as npt

from labelspace.model.errors import LabelRowError

TOLERANCE = 1e-6
"""How far past 1 a normalised value may reach: floating-point error after a pixel conversion."""
_ONE = 1.0 + TOLERANCE
Visibility = Literal["visible", "occluded", "invisible"]
_VISIBILITIES = ("visible", "occluded", "invisible")


def _real(owner: str, name: str, value: object) -> float:
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise LabelRowError(f"{owner}.{name} must be a number, got {type(value).__name__} {value!r:.40}.")
    return float(value)


def _outside(owner: str, name: str, value: float) -> LabelRowError:
    return LabelRowError(
        f"{owner}.{name} is {value!r}, outside 0..1. Coordinates are normalised to the image size; "
        f"to give pixels use {owner}.from_pixels(..., width, height)."
    )


def _check_box(owner: str, height: float, width: float, x: float, y: float) -> None:
    if 0.0 <= x and 0.0 <= y and 0.0 <= width and 0.0 <= height and x + width <= _ONE and y + height <= _ONE:
        return
    for name, value in (("top_left_x", x), ("top_left_y", y), ("width", width), ("height", height)):
        if not 0.0 <= value <= _ONE:
            raise _outside(owner, name, value)
    raise LabelRowError(
        f"{owner} reaches past the image: top_left_x + width = {x + width!r} and "
        f"top_left_y + height = {y + height!r} must be at most 1 (coordinates are normalised)."
    )


class _Row:
    """Coordinates held as one tuple of floats in storage order (see ``spaces.LAYOUTS``).

    Boxes and points are built once per frame on the hot path of a per-frame put, so they keep a
    single slot instead of a dataclass field per value; they behave like frozen dataclasses:
    immutable, compared and hashed by value, with read-only fields.
    """

    __slots__ = ("_row",)
    _fields: ClassVar[tuple[str, ...]] = ()
    _row: tuple[float, ...]

    @classmethod
    def _from_row(cls: type[RowT], row: Sequence[float]) -> RowT:
        """Build from a stored row that was validated when it was stored."""
        self = object.__new__(cls)
        _set(self, "_row", tuple(row))
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable; build a new one")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._row == other._row

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._row))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self)._from_row, (self._row,))

    def __repr__(self) -> str:
        values = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({values})"


RowT = TypeVar("RowT", bound=_Row)
_set = object.__setattr__


class _Box(_Row):
    """The fields boxes share; the row is ``(x, y, w, h, ...)``."""

    __slots__ = ()

    @property
    def height(self) -> float:
        """Box height, 0..1 of the image height."""
        return self._row[3]

    @property
    def width(self) -> float:
        """Box width, 0..1 of the image width."""
        return self._row[2]

    @property
    def top_left_x(self) -> float:
        """Left edge, 0..1."""
        return self._row[0]

    @property
    def top_left_y(self) -> float:
        """Top edge, 0..1."""
        return self._row[1]


class BoundingBoxCoordinates(_Box):
    """An axis-aligned box, normalised: top-left corner and size as fractions of the image.

    Args:
        height: Box height, 0..1 of the image height.
        width: Box width, 0..1 of the image width.
        top_left_x: Left edge, 0..1.
        top_left_y: Top edge, 0..1.
    """

    __slots__ = ()
    _fields = ("height", "width", "top_left_x", "top_left_y")
    __match_args__ = ("height", "width", "top_left_x", "top_left_y")

    def __init__(self, height: float, width: float, top_left_x: float, top_left_y: float) -> None:
        if (
            type(height) is not float
            or type(width) is not float
            or type(top_left_x) is not float
            or type(top_left_y) is not float
        ):
            height = _real("BoundingBoxCoordinates", "height", height)
            width = _real("BoundingBoxCoordinates", "width", width)
            top_left_x = _real("BoundingBoxCoordinates", "top_left_x", top_left_x)
            top_left_y = _real("BoundingBoxCoordinates", "top_left_y", top_left_y)
        if not (
            0.0 <= top_left_x
            and 0.0 <= top_left_y
            and 0.0 <= width
            and 0.0 <= height
            and top_left_x + width <= _ONE
            and top_left_y + height <= _ONE
        ):
            _check_box("BoundingBoxCoordinates", height, width, top_left_x, top_left_y)
        _set(self, "_row", (top_left_x, top_left_y, width, height))

    @classmethod
    def from_pixels(cls, xywh: Sequence[float], width: int, height: int) -> BoundingBoxCoordinates:
        """Build from a pixel box ``(x, y, w, h)`` on an image of ``width`` x ``height`` pixels."""
        x, y, w, h = _pixel_values("BoundingBoxCoordinates", xywh, 4)
        with _in_pixels("BoundingBoxCoordinates", (x, y, w, h), width, height):
            return cls(height=h / height, width=w / width, top_left_x=x / width, top_left_y=y / height)

    def to_pixels(self, width: int, height: int) -> tuple[float, float, float, float]:
        """Return the box as pixels ``(x, y, w, h)`` on an image of ``width`` x ``height``."""
        x, y, w, h = self._row
        return (x * width, y * height, w * width, h * height)


class RotatableBoundingBoxCoordinates(_Box):
    """A box rotated by ``theta`` degrees (clockwise) about its centre; the rest as a bounding box.

    Args:
        height: Box height before rotation, 0..1.
        width: Box width before rotation, 0..1.
        top_left_x: Left edge of the unrotated box, 0..1.
        top_left_y: Top edge of the unrotated box, 0..1.
        theta: Rotation in degrees.
    """

    __slots__ = ()
    _fields = ("height", "width", "top_left_x", "top_left_y", "theta")
    __match_args__ = ("height", "width", "top_left_x", "top_left_y", "theta")

    def __init__(self, height: float, width: float, top_left_x: float, top_left_y: float, theta: float) -> None:
        owner = "RotatableBoundingBoxCoordinates"
        h = _real(owner, "height", height)
        w = _real(owner, "width", width)
        x = _real(owner, "top_left_x", top_left_x)
        y = _real(owner, "top_left_y", top_left_y)
        t = _real(owner, "theta", theta)
        if not math.isfinite(t):
            raise LabelRowError(f"{owner}.theta must be a finite angle in degrees, got {t!r}.")
        _check_box(owner, h, w, x, y)
        _set(self, "_row", (x, y, w, h, t))

    @property
    def theta(self) -> float:
        """Rotation in degrees, clockwise about the centre."""
        return self._row[4]

    @classmethod
    def from_pixels(cls, xywht: Sequence[float], width: int, height: int) -> RotatableBoundingBoxCoordinates:
        """Build from pixels ``(x, y, w, h, theta)`` on an image of ``width`` x ``height``."""
        x, y, w, h, theta = _pixel_values("RotatableBoundingBoxCoordinates", xywht, 5)
        with _in_pixels("RotatableBoundingBoxCoordinates", (x, y, w, h, theta), width, height):
            return cls(height=h / height, width=w / width, top_left_x=x / width, top_left_y=y / height, theta=theta)

    def to_pixels(self, width: int, height: int) -> tuple[float, float, float, float, float]:
        """Return pixels ``(x, y, w, h, theta)`` on an image of ``width`` x ``height``."""
        x, y, w, h, t = self._row
        return (x * width, y * height, w * width, h * height, t)


class PointCoordinate(_Row):
    """A point, normalised: ``x`` and ``y`` are fractions of the image width and height."""

    __slots__ = ()
    _fields = ("x", "y")
    __match_args__ = ("x", "y")

    def __init__(self, x: float, y: float) -> None:
        if type(x) is not float or type(y) is not float:
            x = _real("PointCoordinate", "x", x)
            y = _real("PointCoordinate", "y", y)
        if not (0.0 <= x <= _ONE and 0.0 <= y <= _ONE):
            name, value = ("x", x) if not 0.0 <= x <= _ONE else ("y", y)
            raise _outside("PointCoordinate", name, value)
        _set(self, "_row", (x, y))

    @property
    def x(self) -> float:
        """Horizontal position, 0..1."""
        return self._row[0]

    @property
    def y(self) -> float:
        """Vertical position, 0..1."""
        return self._row[1]

    @classmethod
    def from_pixels(cls, xy: Sequence[float], width: int, height: int) -> PointCoordinate:
        """Build from a pixel position ``(x, y)`` on an image of ``width`` x ``height``."""
        x, y = _pixel_values("PointCoordinate", xy, 2)
        with _in_pixels("PointCoordinate", (x, y), width, height):
            return cls(x=x / width, y=y / height)

    def to_pixels(self, width: int, height: int) -> tuple[float, float]:
        """Return the pixel position ``(x, y)`` on an image of ``width`` x ``height``."""
        return (self._row[0] * width, self._row[1] * height)


def _size(owner: str, width: object, height: object) -> tuple[int, int]:
    """An image size given to a pixel conversion: two positive ints (numpy ints too)."""
    sizes = []
    for name, value in (("width", width), ("height", height)):
        whole = isinstance(value, (int, np.integer)) or (
            isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer()
        )
        if isinstance(value, (bool, np.bool_)) or not whole or value <= 0:  # type: ignore[operator]
            raise LabelRowError(
                f"{owner}: the image {name} must be a positive whole number of pixels, got {type(value).__name__} "
                f"{value!r:.30}."
            )
        sizes.append(int(value))  # type: ignore[call-overload]
    return sizes[0], sizes[1]


@contextmanager
def _in_pixels(owner: str, values: Sequence[float], width: int, height: int) -> Iterator[None]:
    """Restate a validation error in pixels, the units the caller gave (after checking the size)."""
    _size(f"{owner}.from_pixels", width, height)
    try:
        yield
    except LabelRowError:
        shown = ", ".join(f"{v:g}" for v in values)
        raise LabelRowError(
            f"{owner}.from_pixels: ({shown}) reaches outside the {width} x {height} image (or is negative)."
        ) from None


def _pixel_values(owner: str, values: Sequence[float], n: int) -> list[float]:
    try:
        items = list(values)
    except TypeError:
        raise LabelRowError(f"{owner}.from_pixels needs {n} numbers, got {values!r:.60}.") from None
    if len(items) != n:
        raise LabelRowError(f"{owner}.from_pixels needs {n} numbers, got {len(items)}: {values!r:.60}.")
    return [_real(owner, "pixel value", v) for v in items]


def _points(owner: str, what: str, values: Iterable[object], minimum: int) -> tuple[PointCoordinate, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise LabelRowError(f"{owner}.{what} must be a list of PointCoordinate, got {type(values).__name__}.")
    points = tuple(values)
    for p in points:
        if not isinstance(p, PointCoordinate):
            raise LabelRowError(f"{owner}.{what} must hold PointCoordinate values, got {type(p).__name__} {p!r:.40}.")
    if len(points) < minimum:
        raise LabelRowError(f"{owner}.{what} needs at least {minimum} points, got {len(points)}.")
    return cast(tuple[PointCoordinate, ...], points)


Ring = tuple[PointCoordinate, ...]


@dataclass(frozen=True, slots=True, init=False)
class PolygonCoordinates:
    """A polygon; with ``polygons``, several parts, each an outer ring followed by its holes.

    Give either ``values`` (one ring) or ``polygons`` (a list of parts, each a list of rings, each a
    list of points). ``values`` is always the outer ring of the first part.

    Args:
        values: The points of a single ring, at least three.
        polygons: Parts, each ``[outer_ring, hole, hole, ...]``.
    """

    values: Ring
    polygons: tuple[tuple[Ring, ...], ...]

    def __init__(
        self,
        values: Sequence[PointCoordinate] | None = None,
        polygons: Sequence[Sequence[Sequence[PointCoordinate]]] | None = None,
    ) -> None:
        owner = "PolygonCoordinates"
        if polygons:
            parts = []
            for part in polygons:
                rings = tuple(_points(owner, "polygons ring", ring, 3) for ring in part)
                if not rings:
                    raise LabelRowError(f"{owner}.polygons has a part with no rings; each part needs an outer ring.")
                parts.append(rings)
            if values and tuple(values) != parts[0][0]:
                raise LabelRowError(
                    f"{owner}: values and polygons disagree; values must be the outer ring of the first "
                    f"polygon. Give only one of them."
                )
            object.__setattr__(self, "polygons", tuple(parts))
            object.__setattr__(self, "values", parts[0][0])
        elif values:
            ring = _points(owner, "values", values, 3)
            object.__setattr__(self, "values", ring)
            object.__setattr__(self, "polygons", ((ring,),))
        else:
            raise LabelRowError(f"{owner} needs points: give values=[PointCoordinate, ...] or polygons=[[ring, ...]].")

    @classmethod
    def from_pixels(
        cls, polygons: Sequence[Sequence[Sequence[Sequence[float]]]], width: int, height: int
    ) -> PolygonCoordinates:
        """Build from pixel parts ``[[[(x, y), ...], hole...], ...]`` on an image of ``width`` x ``height``."""
        _size("PolygonCoordinates.from_pixels", width, height)
        try:
            parts = [
                [[PointCoordinate.from_pixels(p, width, height) for p in ring] for ring in part] for part in polygons
            ]
        except TypeError:
            raise LabelRowError(
                f"PolygonCoordinates.from_pixels needs parts of rings of (x, y) pixels, got {polygons!r:.40}."
            ) from None
        return cls(polygons=parts)

    def to_pixels(self, width: int, height: int) -> list[list[list[tuple[float, float]]]]:
        """Return the parts as pixel rings ``[[[(x, y), ...], hole...], ...]``."""
        return [[[p.to_pixels(width, height) for p in ring] for ring in part] for part in self.polygons]


@dataclass(frozen=True, slots=True, init=False)
class PolylineCoordinates:
    """An open line through at least two points.

    Args:
        values: The points, in order.
    """

    values: tuple[PointCoordinate, ...]

    def __init__(self, values: Sequence[PointCoordinate]) -> None:
        object.__setattr__(self, "values", _points("PolylineCoordinates", "values", values, 2))

    @classmethod
    def from_pixels(cls, points: Sequence[Sequence[float]], width: int, height: int) -> PolylineCoordinates:
        """Build from pixel points ``[(x, y), ...]`` on an image of ``width`` x ``height``."""
        _size("PolylineCoordinates.from_pixels", width, height)
        try:
            return cls([PointCoordinate.from_pixels(p, width, height) for p in points])
        except TypeError:
            raise LabelRowError(f"PolylineCoordinates.from_pixels needs (x, y) pixels, got {points!r:.40}.") from None

    def to_pixels(self, width: int, height: int) -> list[tuple[float, float]]:
        """Return the points in pixels."""
        return [p.to_pixels(width, height) for p in self.values]


@dataclass(frozen=True, slots=True)
class SkeletonCoordinate:
    """One named node of a skeleton, normalised like a point.

    Args:
        x: Horizontal position, 0..1.
        y: Vertical position, 0..1.
        name: The node's name, unique within its skeleton.
        visibility: ``"visible"``, ``"occluded"``, ``"invisible"`` or ``None`` (not said).
    """

    x: float
    y: float
    name: str
    visibility: Visibility | None = None

    def __post_init__(self) -> None:
        PointCoordinate(self.x, self.y)  # validates the position
        object.__setattr__(self, "x", float(self.x))
        object.__setattr__(self, "y", float(self.y))
        if not isinstance(self.name, str) or not self.name:
            raise LabelRowError(f"SkeletonCoordinate.name must be a non-empty str, got {self.name!r}.")
        if self.visibility is not None and self.visibility not in _VISIBILITIES:
            raise LabelRowError(
                f"SkeletonCoordinate.visibility must be one of {_VISIBILITIES} or None, got {self.visibility!r}."
            )


@dataclass(frozen=True, slots=True, init=False)
class SkeletonCoordinates:
    """A skeleton: named nodes.

    Args:
        values: The nodes; names must be unique.
        name: The skeleton's name (for example its template's name).
    """

    values: tuple[SkeletonCoordinate, ...]
    name: str

    def __init__(self, values: Sequence[SkeletonCoordinate], name: str = "") -> None:
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise LabelRowError(f"SkeletonCoordinates.values must be a list of SkeletonCoordinate, got {values!r:.40}.")
        nodes = tuple(values)
        for node in nodes:
            if not isinstance(node, SkeletonCoordinate):
                raise LabelRowError(
                    f"SkeletonCoordinates.values must hold SkeletonCoordinate, got {type(node).__name__}."
                )
        if not nodes:
            raise LabelRowError("SkeletonCoordinates needs at least one node.")
        names = [n.name for n in nodes]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise LabelRowError(f"SkeletonCoordinates has two nodes named {dup!r}; node names must be unique.")
        if not isinstance(name, str):
            raise LabelRowError(f"SkeletonCoordinates.name must be a str, got {type(name).__name__}.")
        object.__setattr__(self, "values", nodes)
        object.__setattr__(self, "name", name)

    def to_pixels(self, width: int, height: int) -> dict[str, tuple[float, float]]:
        """Return each node's pixel position, by node name."""
        return {n.name: (n.x * width, n.y * height) for n in self.values}


BoolArray = npt.NDArray[np.bool_]


class BitmaskCoordinates:
    """A pixel mask the size of its image, stored run-length encoded.

    The encoding is COCO's uncompressed RLE: the mask is read column by column (Fortran order)
    and ``counts`` alternates runs of 0s and 1s, starting with 0s.

    Args:
        mask: A 2-d array of booleans (or 0/1 integers), ``height`` x ``width``.
    """

    __slots__ = ("_counts", "height", "width")

    height: int
    width: int
    _counts: npt.NDArray[np.int64]

    def __init__(self, mask: npt.ArrayLike) -> None:
        array = np.asarray(mask)
        if array.ndim != 2 or array.size == 0:
            raise LabelRowError(
                f"BitmaskCoordinates needs a 2-d height x width mask, got an array of shape {array.shape}."
            )
        if array.dtype != np.bool_:
            if not (np.issubdtype(array.dtype, np.integer) and np.isin(array, (0, 1)).all()):
                raise LabelRowError(
                    f"BitmaskCoordinates needs a boolean (or 0/1) mask, got dtype {array.dtype} with other values."
                )
            array = array.astype(bool)
        flat = array.ravel(order="F")
        changes = np.flatnonzero(flat[1:] != flat[:-1]) + 1
        bounds = np.concatenate(([0], changes, [flat.size]))
        counts = np.diff(bounds)
        if flat[0]:
            counts = np.concatenate(([0], counts))
        self._set(int(array.shape[0]), int(array.shape[1]), counts.astype(np.int64))

    def _set(self, height: int, width: int, counts: npt.NDArray[np.int64]) -> None:
        counts.flags.writeable = False
        object.__setattr__(self, "height", height)
        object.__setattr__(self, "width", width)
        object.__setattr__(self, "_counts", counts)

    @classmethod
    def from_rle(cls, counts: Sequence[int] | npt.NDArray[np.integer], height: int, width: int) -> BitmaskCoordinates:
        """Build from COCO uncompressed RLE counts of a ``height`` x ``width`` mask."""
        width, height = _size("BitmaskCoordinates.from_rle", width, height)
        try:
            array = np.asarray(counts, dtype=np.int64).ravel()
        except (TypeError, ValueError, OverflowError):
            raise LabelRowError(
                f"BitmaskCoordinates.from_rle needs a list of whole-number run lengths, got {counts!r:.40}."
            ) from None
        if (array < 0).any() or int(array.sum()) != height * width:
            raise LabelRowError(
                f"BitmaskCoordinates.from_rle: counts must be non-negative and add up to height * width = "
                f"{height * width}, they add up to {int(array.sum())}."
            )
        self = cls.__new__(cls)
        self._set(int(height), int(width), array.copy())
        return self

    @property
    def counts(self) -> npt.NDArray[np.int64]:
        """The RLE counts (read-only), alternating 0s and 1s, starting with 0s, column by column."""
        return self._counts

    def to_array(self) -> BoolArray:
        """Return the mask as a ``height`` x ``width`` boolean array."""
        values = np.zeros(self._counts.size, bool)
        values[1::2] = True
        flat = np.repeat(values, self._counts)
        return flat.reshape((self.height, self.width), order="F")

    def area(self) -> int:
        """Return the number of pixels set."""
        return int(self._counts[1::2].sum())

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("BitmaskCoordinates is immutable")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BitmaskCoordinates):
            return NotImplemented
        return self.height == other.height and self.width == other.width and np.array_equal(self._counts, other._counts)

    def __hash__(self) -> int:
        return hash((self.height, self.width, self._counts.tobytes()))

    def __repr__(self) -> str:
        return f"BitmaskCoordinates(height={self.height}, width={self.width}, area={self.area()})"


GeometricCoordinates = Union[
    BoundingBoxCoordinates,
    RotatableBoundingBoxCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    BitmaskCoordinates,
    SkeletonCoordinates,
]
"""Any of the coordinate types an object annotation can have."""
