"""Values in Encord's label-row JSON: answers, timestamps and coordinates, both ways."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any

from labelspace.formats._common import Reader, attributes_by_hash, parse_time, set_static_answers
from labelspace.formats._masks import mask_from_row_runs, rle_text, rle_text_counts, row_runs
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
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    Classification,
    NumericAttribute,
    Object,
    Option,
    RadioAttribute,
    Shape,
)
from labelspace.model.spaces import Space

WRITE_TIME = "%a, %d %b %Y %H:%M:%S UTC"
READ_TIMES = ("%a, %d %b %Y %H:%M:%S UTC", "%a, %d %b %Y %H:%M:%S GMT", "%Y-%m-%d %H:%M:%S")
GEOMETRY = {
    Shape.BOUNDING_BOX: "boundingBox",
    Shape.ROTATABLE_BOUNDING_BOX: "rotatableBoundingBox",
    Shape.POLYGON: "polygon",
    Shape.POLYLINE: "polyline",
    Shape.POINT: "point",
    Shape.BITMASK: "bitmask",
    Shape.SKELETON: "skeleton",
}
VISIBILITY = {"visible": "visible", "invisible": "invisible", "occluded": "occluded", "selfOccluded": "occluded"}


def snake(name: str) -> str:
    """An attribute or object name as Encord writes its ``value``: lower case, underscores."""
    return "_".join(name.lower().split())


def answer_dict(attribute: Attribute, value: Any) -> dict[str, Any]:
    """An answer as an Encord answer dict (options as name, value and feature hash)."""
    d: dict[str, Any] = {
        "name": attribute.name,
        "value": snake(attribute.name),
        "featureHash": attribute.feature_node_hash,
    }
    if isinstance(value, Option):
        d["answers"] = [{"name": value.label, "value": value.value, "featureHash": value.feature_node_hash}]
    elif isinstance(value, (list, tuple)):
        d["answers"] = [{"name": o.label, "value": o.value, "featureHash": o.feature_node_hash} for o in value]
    else:
        d["answers"] = value
    d["manualAnnotation"] = True
    return d


def read_answers(
    r: Reader, element: Object | Classification, items: Any, where: str, dropped: Counter[str]
) -> list[tuple[Attribute, Any]]:
    """The answers to ``element``'s attributes in a list of Encord answer dicts; checklists may come split."""
    known = attributes_by_hash(element)
    chosen: dict[str, list[Option]] = {}
    out: dict[str, tuple[Attribute, Any]] = {}
    for k, a in enumerate(r.objects(items if items is not None else [], where)):
        at = f"{where}[{k}]"
        feature = a.get("featureHash")
        attribute = known.get(feature) if isinstance(feature, str) else None
        if attribute is None:
            dropped["answers to attributes not in the ontology"] += 1
            continue
        raw = a.get("answers")
        if isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
            options = {o.feature_node_hash: o for o in attribute.options}
            picked = []
            for j, item in enumerate(r.objects(raw, f"{at}.answers")):
                chosen_hash = item.get("featureHash")
                option = options.get(chosen_hash) if isinstance(chosen_hash, str) else None
                if option is None:
                    raise r.fail(
                        f"{at}.answers[{j}].featureHash",
                        f"{item.get('featureHash')!r:.30} is not an option of {attribute.name!r}.",
                    )
                picked.append(option)
            if isinstance(attribute, RadioAttribute):
                if len(picked) != 1:
                    raise r.fail(f"{at}.answers", f"a radio answer holds one option, got {len(picked)}.")
                out[attribute.feature_node_hash] = (attribute, picked[0])
            else:
                merged = chosen.setdefault(attribute.feature_node_hash, [])
                merged.extend(o for o in picked if o not in merged)
                out[attribute.feature_node_hash] = (attribute, merged)
        elif isinstance(attribute, NumericAttribute):
            number = r.number(raw, f"{at}.answers")
            out[attribute.feature_node_hash] = (attribute, raw if isinstance(raw, int) else number)
        else:
            out[attribute.feature_node_hash] = (attribute, r.text(raw, f"{at}.answers", empty=True))
    return list(out.values())


def set_answers(
    r: Reader, instance: ObjectInstance | ClassificationInstance, answers: list[tuple[Attribute, Any]], where: str
) -> None:
    """Set the static ones of ``answers`` on an instance, parents before nested ones."""
    with r.at(where):
        set_static_answers(instance, [(a, v) for a, v in answers if not a.dynamic])


# --- times ----------------------------------------------------------------------------------------


def write_time(value: datetime) -> str:
    """A time as Encord writes it, to the second, in UTC."""
    return value.astimezone(timezone.utc).strftime(WRITE_TIME)


def read_time(r: Reader, value: Any, where: str) -> datetime:
    """A time in any of the forms Encord writes and reads."""
    text = r.text(value, where)
    known = _encord_time(text)
    return known if known is not None else parse_time(r, text, where)


@lru_cache(maxsize=4096)
def _encord_time(text: str) -> datetime | None:
    """A time in one of Encord's own forms, or None; remembered, as a row's labels share a few times."""
    for pattern in READ_TIMES:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


def read_metadata(r: Reader, d: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The metadata keyword arguments of a put, from an Encord entry's fields."""
    out: dict[str, Any] = {}
    for key, name in (("createdAt", "created_at"), ("lastEditedAt", "last_edited_at")):
        if d.get(key):
            out[name] = read_time(r, d[key], f"{where}.{key}")
    for key, name in (("createdBy", "created_by"), ("lastEditedBy", "last_edited_by")):
        if d.get(key) is not None:
            out[name] = r.text(d[key], f"{where}.{key}", empty=True)
    if d.get("confidence") is not None:
        out["confidence"] = r.number(d["confidence"], f"{where}.confidence", 0.0, 1.0)
    if d.get("manualAnnotation") is not None:
        out["manual_annotation"] = r.boolean(d["manualAnnotation"], f"{where}.manualAnnotation")
    return out


def metadata_fields(meta: Any, dropped: Counter[str]) -> dict[str, Any]:
    """An annotation's metadata as Encord entry fields; counts the sub-second parts dropped."""
    if meta.created_at.microsecond or meta.last_edited_at.microsecond:
        dropped["sub-second parts of annotation times (Encord keeps seconds)"] += 1
    d: dict[str, Any] = {
        "createdAt": write_time(meta.created_at),
        "createdBy": meta.created_by,
        "confidence": meta.confidence,
        "manualAnnotation": meta.manual_annotation,
        "lastEditedAt": write_time(meta.last_edited_at),
    }
    if meta.last_edited_by is not None:
        d["lastEditedBy"] = meta.last_edited_by
    return d


# --- coordinates ----------------------------------------------------------------------------------


def points_dict(points: Sequence[PointCoordinate]) -> dict[str, dict[str, float]]:
    """Points as Encord keys them: ``{"0": {"x": ..., "y": ...}, ...}``."""
    return {str(i): {"x": p.x, "y": p.y} for i, p in enumerate(points)}


def geometry(c: GeometricCoordinates, space: Space) -> dict[str, Any]:
    """The geometry fields of an Encord object entry."""
    if isinstance(c, BoundingBoxCoordinates):
        return {"boundingBox": {"h": c.height, "w": c.width, "x": c.top_left_x, "y": c.top_left_y}}
    if isinstance(c, RotatableBoundingBoxCoordinates):
        return {
            "rotatableBoundingBox": {
                "h": c.height,
                "w": c.width,
                "x": c.top_left_x,
                "y": c.top_left_y,
                "theta": c.theta,
            }
        }
    if isinstance(c, PolygonCoordinates):
        return {
            "polygon": points_dict(c.values),
            "polygons": [[[v for p in ring for v in (p.x, p.y)] for ring in part] for part in c.polygons],
        }
    if isinstance(c, PolylineCoordinates):
        return {"polyline": points_dict(c.values)}
    if isinstance(c, PointCoordinate):
        return {"point": {"0": {"x": c.x, "y": c.y}}}
    if isinstance(c, BitmaskCoordinates):
        runs = row_runs(c.to_array())
        return {"bitmask": {"top": 0, "left": 0, "height": c.height, "width": c.width, "rleString": rle_text(runs)}}
    assert isinstance(c, SkeletonCoordinates)
    nodes = {
        str(i): {"x": n.x, "y": n.y, "name": n.name, **({"visibility": n.visibility} if n.visibility else {})}
        for i, n in enumerate(c.values)
    }
    return {"skeleton": nodes, **({"skeletonName": c.name} if c.name else {})}


def listed(r: Reader, value: Any, where: str) -> list[Mapping[str, Any]]:
    """Points given as ``{"0": {...}, "1": {...}}`` (Encord's form) or as a list."""
    if isinstance(value, Mapping):
        keys = list(value)
        try:
            ordered = sorted(keys, key=int)
        except (TypeError, ValueError):
            raise r.fail(where, "expected points keyed 0, 1, 2, ...") from None
        return [r.obj(value[k], f"{where}.{k}") for k in ordered]
    return r.objects(value, where)


def read_point(r: Reader, p: Mapping[str, Any], where: str) -> PointCoordinate:
    """A point from ``{"x": ..., "y": ...}``."""
    return PointCoordinate(r.number(p.get("x"), f"{where}.x"), r.number(p.get("y"), f"{where}.y"))


def read_coordinates(r: Reader, d: Mapping[str, Any], shape: Shape, space: Space, where: str) -> GeometricCoordinates:
    """The coordinates of an object entry of a given shape."""
    key = GEOMETRY[shape]
    g = r.field(d, key, where)
    at = f"{where}.{key}"
    if shape is Shape.BOUNDING_BOX:
        b = r.obj(g, at)
        return BoundingBoxCoordinates(*(r.number(b.get(k), f"{at}.{k}") for k in ("h", "w", "x", "y")))
    if shape is Shape.ROTATABLE_BOUNDING_BOX:
        b = r.obj(g, at)
        return RotatableBoundingBoxCoordinates(
            *(r.number(b.get(k), f"{at}.{k}") for k in ("h", "w", "x", "y", "theta"))
        )
    if shape is Shape.POLYGON:
        parts = d.get("polygons")
        if parts:
            rings = []
            for i, part in enumerate(r.seq(parts, f"{where}.polygons")):
                part_rings = []
                for j, ring in enumerate(r.seq(part, f"{where}.polygons[{i}]")):
                    values = r.numbers(ring, f"{where}.polygons[{i}][{j}]")
                    if len(values) % 2:
                        raise r.fail(f"{where}.polygons[{i}][{j}]", "expected x, y pairs.")
                    part_rings.append([PointCoordinate(values[k], values[k + 1]) for k in range(0, len(values), 2)])
                rings.append(part_rings)
            return PolygonCoordinates(polygons=rings)
        return PolygonCoordinates(values=[read_point(r, p, f"{at}[{i}]") for i, p in enumerate(listed(r, g, at))])
    if shape is Shape.POLYLINE:
        return PolylineCoordinates([read_point(r, p, f"{at}[{i}]") for i, p in enumerate(listed(r, g, at))])
    if shape is Shape.POINT:
        points = listed(r, g, at)
        if len(points) != 1:
            raise r.fail(at, f"a point holds one position, got {len(points)}.")
        return read_point(r, points[0], f"{at}.0")
    if shape is Shape.BITMASK:
        return read_bitmask(r, r.obj(g, at), space, at)
    nodes = []
    for i, p in enumerate(listed(r, g, at)):
        said = p.get("visibility") or next((v for v in VISIBILITY if p.get(v) is True), None)
        if said is not None and said not in VISIBILITY:
            raise r.fail(f"{at}[{i}].visibility", f"{said!r:.20} is not one of {sorted(VISIBILITY)}.")
        position = read_point(r, p, f"{at}[{i}]")
        visibility: Any = VISIBILITY.get(said) if isinstance(said, str) else None
        nodes.append(SkeletonCoordinate(position.x, position.y, r.text(p.get("name"), f"{at}[{i}].name"), visibility))
    name = d.get("skeletonName", "")
    return SkeletonCoordinates(nodes, name if isinstance(name, str) else "")


def read_bitmask(r: Reader, b: Mapping[str, Any], space: Space, where: str) -> BitmaskCoordinates:
    """A full-image mask from an Encord bitmask (row runs over a patch), its size checked first."""
    top, left = r.integer(b.get("top"), f"{where}.top", 0), r.integer(b.get("left"), f"{where}.left", 0)
    height, width = r.integer(b.get("height"), f"{where}.height", 1), r.integer(b.get("width"), f"{where}.width", 1)
    if top + height > space.height or left + width > space.width:
        raise r.fail(
            where,
            f"a {width} x {height} mask at left {left}, top {top} does not fit the "
            f"{space.width} x {space.height} image.",
        )
    r.mask_size(space.width, space.height, where)
    try:
        counts = rle_text_counts(r.text(b.get("rleString"), f"{where}.rleString", empty=True), height * width)
    except ValueError as e:
        raise r.fail(f"{where}.rleString", f"malformed run-length text ({e}).") from None
    return mask_from_row_runs(counts, (top, left, height, width), (space.height, space.width))
