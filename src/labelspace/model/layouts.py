"""How each shape's coordinates are stored in a track: a row of floats, or one object per run.

Rows are normalised: boxes ``(x, y, w, h)`` with ``x, y`` the top left corner, rotated boxes
``(x, y, w, h, theta)``, points ``(x, y)``. Other shapes (polygons, polylines, bitmasks,
skeletons) are kept as their coordinate objects.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.model.coordinates import (
    TOLERANCE,
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinates,
)
from labelspace.model.errors import LabelRowError
from labelspace.model.ontology import Shape

_ONE = 1 + TOLERANCE


def _row(coordinates: Any) -> tuple[float, ...]:
    return coordinates._row  # type: ignore[no-any-return]


def to_row(coordinates: GeometricCoordinates) -> tuple[float, ...] | None:
    """The stored row of a box, rotated box or point (see ``LAYOUTS``); None for other shapes."""
    row = getattr(coordinates, "_row", None)
    return tuple(row) if row is not None else None


@dataclass(frozen=True)
class _Layout:
    """How coordinates of one shape are stored: as a row of floats (``stride > 0``) or as objects."""

    coordinates: type
    stride: int
    row: Callable[[Any], tuple[float, ...]] | None = None
    columns: tuple[str, ...] = ()


LAYOUTS: dict[Shape, _Layout] = {
    Shape.BOUNDING_BOX: _Layout(BoundingBoxCoordinates, 4, _row, ("x", "y", "w", "h")),
    Shape.ROTATABLE_BOUNDING_BOX: _Layout(RotatableBoundingBoxCoordinates, 5, _row, ("x", "y", "w", "h", "theta")),
    Shape.POINT: _Layout(PointCoordinate, 2, _row, ("x", "y")),
    Shape.POLYGON: _Layout(PolygonCoordinates, -1),
    Shape.POLYLINE: _Layout(PolylineCoordinates, -1),
    Shape.BITMASK: _Layout(BitmaskCoordinates, -1),
    Shape.SKELETON: _Layout(SkeletonCoordinates, -1),
}
"""Storage layout of each shape. Rows are normalised: boxes ``(x, y, w, h)`` with ``x, y`` the top
left corner, rotated boxes ``(x, y, w, h, theta)``, points ``(x, y)``."""


def coordinates_from_row(shape: Shape, row: Sequence[float]) -> GeometricCoordinates:
    """Build the coordinates of ``shape`` from a stored (already validated) row."""
    cls: Any = LAYOUTS[shape].coordinates
    return cls._from_row(row)  # type: ignore[no-any-return]


def coordinates_from_checked_row(shape: Shape, row: Sequence[float]) -> GeometricCoordinates:
    """Build the coordinates of a box, rotated box or point from a row, checking it as their constructors do."""
    if shape is Shape.BOUNDING_BOX:
        return BoundingBoxCoordinates(height=row[3], width=row[2], top_left_x=row[0], top_left_y=row[1])
    if shape is Shape.ROTATABLE_BOUNDING_BOX:
        return RotatableBoundingBoxCoordinates(
            height=row[3], width=row[2], top_left_x=row[0], top_left_y=row[1], theta=row[4]
        )
    return PointCoordinate(x=row[0], y=row[1])


def check_rows(shape: Shape, rows: npt.NDArray[np.float64]) -> None:
    """Validate rows of a numeric shape all at once, raising the coordinate type's own error for the first bad row."""
    layout = LAYOUTS[shape]
    finite = np.isfinite(rows).all(axis=1)
    ok = finite & (rows[:, 0] >= 0) & (rows[:, 1] >= 0)
    if layout.stride == 2:
        ok &= (rows[:, 0] <= _ONE) & (rows[:, 1] <= _ONE)
    else:
        ok &= (rows[:, 2] >= 0) & (rows[:, 3] >= 0)
        ok &= (rows[:, 0] + rows[:, 2] <= _ONE) & (rows[:, 1] + rows[:, 3] <= _ONE)
    if not ok.all():
        bad = int(np.flatnonzero(~ok)[0])
        try:
            coordinates_from_checked_row(shape, rows[bad].tolist())
        except LabelRowError as e:
            raise LabelRowError(f"values row {bad}: {e.message}") from None
        raise LabelRowError(f"values row {bad} holds a value that is not a finite number: {rows[bad].tolist()}.")
