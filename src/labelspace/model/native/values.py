"""Answers and coordinates in native JSON: option hashes for options, dicts for shapes held as objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from labelspace.model.coordinates import (
    BitmaskCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)
from labelspace.model.errors import LabelRowError
from labelspace.model.instances import StoredAnswer, check_answer
from labelspace.model.ontology import Attribute, ChecklistAttribute, Option, RadioAttribute


def encode_answer(value: StoredAnswer | list[Option]) -> Any:
    """An answer in its native JSON form: option hashes for options."""
    if isinstance(value, Option):
        return value.feature_node_hash
    if isinstance(value, (tuple, list)):
        return [o.feature_node_hash for o in value]
    return value


def answer_label(value: StoredAnswer | list[Option]) -> Any:
    """An answer as people and other tools read it: option labels instead of hashes."""
    if isinstance(value, Option):
        return value.label
    if isinstance(value, (tuple, list)):
        return [o.label for o in value]
    return value


def coordinates_to_dict(coordinates: GeometricCoordinates) -> dict[str, Any]:
    """Native JSON form of coordinates stored as objects (polygons, polylines, bitmasks, skeletons)."""
    if isinstance(coordinates, PolygonCoordinates):
        return {"polygons": [[[v for p in ring for v in (p.x, p.y)] for ring in part] for part in coordinates.polygons]}
    if isinstance(coordinates, PolylineCoordinates):
        return {"points": [v for p in coordinates.values for v in (p.x, p.y)]}
    if isinstance(coordinates, BitmaskCoordinates):
        return {"height": coordinates.height, "width": coordinates.width, "counts": coordinates.counts.tolist()}
    if isinstance(coordinates, SkeletonCoordinates):
        return {
            "name": coordinates.name,
            "nodes": [{"name": n.name, "x": n.x, "y": n.y, "visibility": n.visibility} for n in coordinates.values],
        }
    raise LabelRowError(f"{type(coordinates).__name__} is stored as a row, not as a dict.")


def decode_answer(attribute: Attribute, raw: Any, path: str) -> StoredAnswer:
    """Read an answer in native JSON form for ``attribute``."""
    try:
        if isinstance(attribute, RadioAttribute):
            return check_answer(attribute, _option(attribute, raw))
        if isinstance(attribute, ChecklistAttribute):
            if not isinstance(raw, list):
                raise LabelRowError(f"expected a list of option hashes, got {raw!r:.60}.")
            return check_answer(attribute, [_option(attribute, h) for h in raw])
        return check_answer(attribute, raw)
    except LabelRowError as e:
        raise LabelRowError(f"{path}.{attribute.feature_node_hash}: {e.message}") from None


def _option(attribute: Attribute, option_hash: Any) -> Option:
    for option in attribute.options:
        if option.feature_node_hash == option_hash:
            return option
    raise LabelRowError(f"{option_hash!r:.40} is not an option of {attribute.name!r}.")


def coordinates_from_dict(shape_type: type, d: Any, path: str) -> GeometricCoordinates:
    """Read coordinates stored as a dict (see ``coordinates_to_dict``)."""
    if not isinstance(d, Mapping):
        raise LabelRowError(f"{path}: expected an object, got {type(d).__name__}.")
    try:
        if shape_type is PolygonCoordinates:
            return PolygonCoordinates(polygons=[[_points(ring) for ring in part] for part in d["polygons"]])
        if shape_type is PolylineCoordinates:
            return PolylineCoordinates(_points(d["points"]))
        if shape_type is BitmaskCoordinates:
            return BitmaskCoordinates.from_rle(d["counts"], int(d["height"]), int(d["width"]))
        if shape_type is SkeletonCoordinates:
            nodes = [SkeletonCoordinate(n["x"], n["y"], n["name"], n.get("visibility")) for n in d["nodes"]]
            return SkeletonCoordinates(nodes, d.get("name", ""))
    except LabelRowError as e:
        raise LabelRowError(f"{path}: {e.message}") from None
    except (KeyError, TypeError, ValueError) as e:
        raise LabelRowError(f"{path}: malformed {shape_type.__name__} ({type(e).__name__}: {e}).") from None
    raise LabelRowError(f"{path}: {shape_type.__name__} is stored as rows, not dicts.")


def _points(flat: Sequence[float]) -> list[PointCoordinate]:
    if len(flat) % 2:
        raise LabelRowError(f"a ring of points needs an even number of values, got {len(flat)}.")
    return [PointCoordinate(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
