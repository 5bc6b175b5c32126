"""Encord's label-row JSON and ontology JSON <-> ``LabelRow`` / ``Ontology``.

A label row is written as an Encord *data group*: one Encord space per labelspace space (``video``,
``image``, ``medical_file``) with its per-frame object entries, ``object_answers`` (static
answers), ``object_actions`` (dynamic answers, by frame range) and ``classification_answers``
(placed on frame ranges of a space, or on the whole space when global). Encord's ontology JSON is
read and written with the same feature hashes, so labels move both ways with the Encord SDK.

Encord keeps timestamps to the second, so sub-second parts of ``created_at`` and
``last_edited_at`` are dropped. Skeleton nodes keep their names and visibility (Encord's
"self-occluded" reads as "occluded"). Bitmasks go as Encord stores them: run lengths over rows
(labelspace and COCO count down the columns), in the compact string encoding both use.
"""

from __future__ import annotations

import os
import secrets
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from labelspace.formats._common import mask_from_row_runs, row_runs, warn_dropped
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
from labelspace.model.errors import LabelRowError, OntologyError
from labelspace.model.frames import Range
from labelspace.model.instances import check_answer
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    Classification,
    NumericAttribute,
    Object,
    Ontology,
    Option,
    RadioAttribute,
    TextAttribute,
)
from labelspace.model.spaces import ImageSpace, MultiFrameSpace, Space

_KIND = {"radio": RadioAttribute, "checklist": ChecklistAttribute, "text": TextAttribute, "numeric": NumericAttribute}
_TIME = "%a, %d %b %Y %H:%M:%S UTC"


# --- ontology -------------------------------------------------------------------------------------


def ontology_to_encord(ontology: Ontology) -> dict[str, Any]:
    """Encord's ontology-structure JSON for an ontology (same feature hashes)."""

    def attribute(a: Attribute, uid: str) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": uid,
            "name": a.name,
            "type": a.kind,
            "featureNodeHash": a.feature_node_hash,
            "required": a.required,
            "archived": False,
            "dynamic": a.dynamic,
        }
        if a.options:
            d["options"] = []
            for k, option in enumerate(a.options, start=1):
                o: dict[str, Any] = {
                    "id": f"{uid}.{k}",
                    "label": option.label,
                    "value": option.value,
                    "featureNodeHash": option.feature_node_hash,
                    "archived": False,
                }
                if option.attributes:
                    o["options"] = [attribute(n, f"{uid}.{k}.{m}") for m, n in enumerate(option.attributes, start=1)]
                d["options"].append(o)
        return d

    return {
        "objects": [
            {
                "id": str(i),
                "name": o.name,
                "color": o.color,
                "shape": o.shape.value,
                "featureNodeHash": o.feature_node_hash,
                "required": False,
                "archived": False,
                "attributes": [attribute(a, f"{i}.{j}") for j, a in enumerate(o.attributes, start=1)],
            }
            for i, o in enumerate(ontology.objects, start=1)
        ],
        "classifications": [
            {
                "id": str(i),
                "featureNodeHash": c.feature_node_hash,
                **({"level": "global"} if c.is_global else {}),
                "attributes": [attribute(a, f"{i}.{j}") for j, a in enumerate(c.attributes, start=1)],
            }
            for i, c in enumerate(ontology.classifications, start=1)
        ],
        "skeleton_templates": [],
    }


def ontology_from_encord(d: Mapping[str, Any], source: str = "ontology") -> Ontology:
    """An ontology from Encord's ontology-structure JSON.

    Raises:
        OntologyError: Naming the path of the first malformed field.
    """
    ontology = Ontology()

    def attributes(items: Any, into: Any, path: str, allow_dynamic: bool) -> None:
        for j, a in enumerate(items or []):
            apath = f"{path}.attributes[{j}]"
            kind = _KIND.get(a.get("type"))
            if kind is None:
                raise OntologyError(f"{apath}.type: {a.get('type')!r} is not radio, checklist, text or numeric.")
            attribute = kind(
                a.get("name") or "?",
                a.get("featureNodeHash"),
                bool(a.get("required")),
                bool(a.get("dynamic")) and allow_dynamic,
            )
            into.append(attribute)
            for k, o in enumerate(a.get("options") or []):
                option = attribute.add_option(o.get("label") or "?", o.get("value"), o.get("featureNodeHash"))  # type: ignore[attr-defined]
                if isinstance(attribute, RadioAttribute):
                    attributes(o.get("options"), option.attributes, f"{apath}.options[{k}]", False)

    try:
        for i, o in enumerate(d.get("objects", [])):
            obj = ontology.add_object(o.get("name"), o.get("shape"), o.get("featureNodeHash"), o.get("color"))
            attributes(o.get("attributes"), obj.attributes, f"{source}.objects[{i}]", True)
        for i, c in enumerate(d.get("classifications", [])):
            classification = ontology.add_classification(c.get("featureNodeHash"), is_global=c.get("level") == "global")
            attributes(c.get("attributes"), classification.attributes, f"{source}.classifications[{i}]", False)
    except (AttributeError, TypeError) as e:
        raise OntologyError(f"{source}: malformed Encord ontology ({type(e).__name__}: {e}).") from None
    return ontology


# --- answers --------------------------------------------------------------------------------------


def _answer_dict(attribute: Attribute, value: Any) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": attribute.name,
        "value": "_".join(attribute.name.lower().split()),
        "featureHash": attribute.feature_node_hash,
        "manualAnnotation": True,
    }
    if isinstance(value, Option):
        d["answers"] = [{"name": value.label, "value": value.value, "featureHash": value.feature_node_hash}]
    elif isinstance(value, tuple):
        d["answers"] = [{"name": o.label, "value": o.value, "featureHash": o.feature_node_hash} for o in value]
    else:
        d["answers"] = value
    return d


def _answer_value(attribute: Attribute, d: Mapping[str, Any]) -> Any:
    raw = d.get("answers")
    if isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
        by_hash = {o.feature_node_hash: o for o in attribute.options}
        chosen = [by_hash[a["featureHash"]] for a in raw]  # type: ignore[union-attr]
        return chosen[0] if isinstance(attribute, RadioAttribute) else chosen
    return raw


def _time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime(_TIME)


# --- label rows -----------------------------------------------------------------------------------


def _frame_object(space: Space, view: Any, dropped: Counter[str]) -> dict[str, Any] | None:
    obj = view.object_instance.ontology_item
    c = view.coordinates
    d: dict[str, Any] = {
        "objectHash": view.object_hash,
        "featureHash": obj.feature_node_hash,
        "name": obj.name,
        "color": obj.color,
        "value": "_".join(obj.name.lower().split()),
        "createdAt": _time(view.created_at),
        "lastEditedAt": _time(view.last_edited_at),
        "confidence": view.confidence,
        "manualAnnotation": view.manual_annotation,
        "shape": obj.shape.value,
    }
    if view.created_by is not None:
        d["createdBy"] = view.created_by
    if view.last_edited_by is not None:
        d["lastEditedBy"] = view.last_edited_by
    if isinstance(c, BoundingBoxCoordinates):
        d["boundingBox"] = {"h": c.height, "w": c.width, "x": c.top_left_x, "y": c.top_left_y}
    elif isinstance(c, RotatableBoundingBoxCoordinates):
        d["rotatableBoundingBox"] = {
            "h": c.height,
            "w": c.width,
            "x": c.top_left_x,
            "y": c.top_left_y,
            "theta": c.theta,
        }
    elif isinstance(c, PolygonCoordinates):
        d["polygon"] = {str(i): {"x": p.x, "y": p.y} for i, p in enumerate(c.values)}
        d["polygons"] = [[[v for p in ring for v in (p.x, p.y)] for ring in part] for part in c.polygons]
    elif isinstance(c, PolylineCoordinates):
        d["polyline"] = {str(i): {"x": p.x, "y": p.y} for i, p in enumerate(c.values)}
    elif isinstance(c, PointCoordinate):
        d["point"] = {"0": {"x": c.x, "y": c.y}}
    elif isinstance(c, BitmaskCoordinates):
        rows = row_runs(c.to_array())
        d["bitmask"] = {"top": 0, "left": 0, "height": c.height, "width": c.width, "rleString": _rle_string(rows)}
    elif isinstance(c, SkeletonCoordinates):
        d["skeleton"] = {
            str(i): {"x": n.x, "y": n.y, "name": n.name, **({"visibility": n.visibility} if n.visibility else {})}
            for i, n in enumerate(c.values)
        }
        if c.name:
            d["skeletonName"] = c.name
    else:
        dropped[f"{obj.shape.value} annotations"] += 1
        return None
    return d


def label_row_to_encord(row: LabelRow, data_title: str = "") -> dict[str, Any]:
    """Encord's label-row dict (a data group with one space per labelspace space); warns about what it drops."""
    dropped: Counter[str] = Counter()
    now = _time(datetime.now(timezone.utc))
    spaces: dict[str, Any] = {}
    object_answers: dict[str, Any] = {}
    object_actions: dict[str, Any] = {}
    classification_answers: dict[str, Any] = {}
    for space in row.list_spaces():
        labels: dict[str, Any] = {}
        for view in space.get_annotations("object"):
            entry = _frame_object(space, view, dropped)
            if entry is not None:
                labels.setdefault(str(view.frame), {"objects": [], "classifications": []})["objects"].append(entry)
                instance = view.object_instance
                object_answers.setdefault(
                    instance.object_hash,
                    {
                        "objectHash": instance.object_hash,
                        "classifications": [_answer_dict(a, v) for a, v in instance._answer_items()],
                    },
                )
        info: dict[str, Any] = {
            "child_info": {"layout_key": space.space_id, "file_name": space.media or space.space_id},
            "width": space.width,
            "height": space.height,
            "labels": labels,
        }
        if isinstance(space, MultiFrameSpace):
            info["number_of_frames"] = space.number_of_frames
            if space.kind == "video":
                fps = getattr(space, "fps", None) or 25.0
                info.update(space_type="video", data_fps=fps, data_duration=space.number_of_frames / fps)
            else:  # Encord's medical file has no modality field; readers of this key get it back
                info.update(space_type="medical_file", modality=getattr(space, "modality", "dicom"))
            for instance in space.get_object_instances():
                actions = object_actions.setdefault(
                    instance.object_hash, {"objectHash": instance.object_hash, "actions": []}
                )
                for track in space._objects[instance.object_hash].dynamic.values():
                    for answer_id, value in track.answers.items():
                        ranges = track.ranges_of(answer_id)
                        actions["actions"].append(
                            {
                                **_answer_dict(track.attribute, value),
                                "dynamic": True,
                                "shouldPropagate": False,
                                "range": [[r.start, r.end] for r in ranges],
                                "spaceId": space.space_id,
                            }
                        )
        else:
            info.update(space_type="image", labels={"0": labels["0"]} if "0" in labels else {})
        spaces[space.space_id] = info
        for instance in space.get_classification_instances():
            frames = space.get_classification_frames(instance)
            views = list(space.get_annotations("classification", [instance.classification_hash]))
            first = views[0]
            placement = (
                {"range": [], "type": "frame"}
                if instance.is_global() or (isinstance(space, ImageSpace) and instance.is_global())
                else {"range": [[r.start, r.end] for r in frames] or [[0, 0]], "type": "frame"}
            )
            if len({(v.created_at, v.created_by, v.confidence) for v in views}) > 1:
                dropped["per-frame classification metadata (Encord keeps one per classification)"] += 1
            classification_answers[instance.classification_hash] = {
                "classificationHash": instance.classification_hash,
                "featureHash": instance.feature_hash,
                "classifications": [_answer_dict(a, v) for a, v in instance._answer_items()],
                "spaces": {space.space_id: placement},
                "createdBy": first.created_by,
                "createdAt": _time(first.created_at),
                "lastEditedBy": first.last_edited_by,
                "lastEditedAt": _time(first.last_edited_at),
                "confidence": first.confidence,
                "manualAnnotation": first.manual_annotation,
                "range": [],
            }
    data_hash = secrets.token_hex(8)
    warn_dropped("Encord JSON", dropped)
    return {
        "label_hash": secrets.token_hex(8),
        "branch_name": "main",
        "created_at": now,
        "last_edited_at": now,
        "data_hash": data_hash,
        "dataset_hash": "",
        "dataset_title": "",
        "data_title": data_title,
        "data_type": "group",
        "annotation_task_status": "QUEUED",
        "is_shadow_data": False,
        "label_status": "LABEL_IN_PROGRESS",
        "object_answers": object_answers,
        "classification_answers": classification_answers,
        "object_actions": {k: v for k, v in object_actions.items() if v["actions"]},
        "data_units": {
            data_hash: {
                "data_hash": data_hash,
                "data_title": data_title,
                "data_type": "group",
                "data_sequence": 0,
                "labels": {"objects": [], "classifications": []},
            }
        },
        "spaces": spaces,
    }


def _rle_string(counts: Any) -> str:
    """Run lengths as text, as Encord (and COCO) write them.

    Each count, less the one two places back from the fourth on, goes in 5-bit groups, low first,
    a 0x20 bit meaning more follow, each group offset by 48 into printable ASCII.
    """
    out: list[str] = []
    for i, count in enumerate(counts):
        x = int(count) - (int(counts[i - 2]) if i > 2 else 0)
        while True:
            c = x & 0x1F
            x >>= 5
            more = x != -1 if c & 0x10 else x != 0
            out.append(chr((c | 0x20 if more else c) + 48))
            if not more:
                break
    return "".join(out)


def _rle_counts(text: str) -> list[int]:
    """The inverse of ``_rle_string``.

    pycocotools holds the same codec in C, but it decodes without checking the runs against the
    mask's size and is an optional extra; a file's text is read here, and checked by the caller.
    """
    counts: list[int] = []
    p = 0
    while p < len(text):
        x = k = 0
        while True:
            c = ord(text[p]) - 48
            if not 0 <= c < 64:
                raise LabelRowError(f"character {text[p]!r} at {p} of the bitmask's rleString is not run-length text.")
            x |= (c & 0x1F) << (5 * k)
            p += 1
            k += 1
            if not c & 0x20 or p >= len(text):
                if c & 0x10 and not c & 0x20:
                    x |= -1 << (5 * k)
                break
        if len(counts) > 2:
            x += counts[-2]
        counts.append(x)
    return counts


def _bitmask(b: Mapping[str, Any], space: Space) -> BitmaskCoordinates:
    top, left, height, width = int(b["top"]), int(b["left"]), int(b["height"]), int(b["width"])
    if top < 0 or left < 0 or top + height > space.height or left + width > space.width:
        raise LabelRowError(
            f"a bitmask at top {top}, left {left}, {height} x {width} pixels does not fit the space's "
            f"{space.height} x {space.width} image."
        )
    counts = _rle_counts(b["rleString"])
    if any(n < 0 for n in counts) or sum(counts) > height * width:
        raise LabelRowError(
            f"the bitmask's run lengths add up to {sum(counts)} or go negative; a {height} x {width} mask has "
            f"{height * width} pixels."
        )
    return mask_from_row_runs(counts, (top, left, height, width), (space.height, space.width))


def _visibility(p: Mapping[str, Any]) -> Any:
    """A node's visibility: Encord writes ``visibility`` (or, in older rows, a true flag named after it)."""
    said = p.get("visibility") or next((v for v in _ENCORD_VISIBILITY if p.get(v) is True), None)
    if said is None:
        return None
    if said not in _ENCORD_VISIBILITY:
        raise LabelRowError(f"skeleton node visibility {said!r} is not one of {sorted(_ENCORD_VISIBILITY)}.")
    return _ENCORD_VISIBILITY[said]


_ENCORD_VISIBILITY = {
    "visible": "visible",
    "invisible": "invisible",
    "occluded": "occluded",
    "selfOccluded": "occluded",
}


def _coordinates(d: Mapping[str, Any], space: Space) -> GeometricCoordinates:
    shape = d.get("shape")
    if shape == "bitmask":
        return _bitmask(d["bitmask"], space)

    if shape == "bounding_box":
        b = d["boundingBox"]
        return BoundingBoxCoordinates(b["h"], b["w"], b["x"], b["y"])
    if shape == "rotatable_bounding_box":
        b = d["rotatableBoundingBox"]
        return RotatableBoundingBoxCoordinates(b["h"], b["w"], b["x"], b["y"], b["theta"])
    if shape == "polygon":
        if d.get("polygons"):
            return PolygonCoordinates(
                polygons=[
                    [[PointCoordinate(ring[i], ring[i + 1]) for i in range(0, len(ring), 2)] for ring in part]
                    for part in d["polygons"]
                ]
            )
        points = d["polygon"]
        items = [points[k] for k in sorted(points, key=int)] if isinstance(points, Mapping) else points
        return PolygonCoordinates(values=[PointCoordinate(p["x"], p["y"]) for p in items])
    if shape == "polyline":
        points = d["polyline"]
        items = [points[k] for k in sorted(points, key=int)] if isinstance(points, Mapping) else points
        return PolylineCoordinates([PointCoordinate(p["x"], p["y"]) for p in items])
    if shape == "point":
        p = d["point"]["0"]
        return PointCoordinate(p["x"], p["y"])
    if shape == "skeleton":
        nodes = d["skeleton"]
        items = [nodes[k] for k in sorted(nodes, key=int)] if isinstance(nodes, Mapping) else nodes
        return SkeletonCoordinates(
            [SkeletonCoordinate(p["x"], p["y"], p["name"], _visibility(p)) for p in items], d.get("skeletonName", "")
        )
    raise LabelRowError(
        f"shape {shape!r} is not read from Encord JSON yet (boxes, rotated boxes, polygons, polylines, points, "
        "bitmasks and skeletons are)."
    )


def _meta(d: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, name in (("createdAt", "created_at"), ("lastEditedAt", "last_edited_at")):
        if d.get(key):
            out[name] = datetime.strptime(d[key], _TIME).replace(tzinfo=timezone.utc)
    for key, name in (
        ("createdBy", "created_by"),
        ("lastEditedBy", "last_edited_by"),
        ("confidence", "confidence"),
        ("manualAnnotation", "manual_annotation"),
    ):
        if d.get(key) is not None:
            out[name] = d[key]
    return out


def label_row_from_encord(d: Mapping[str, Any], ontology: Ontology, source: str = "Encord label row") -> LabelRow:
    """A label row from Encord's label-row dict (a data group with video, image or medical-file spaces).

    Raises:
        LabelRowError: Naming the source, the space or record, and the field of the first malformed value.
    """
    row = LabelRow(ontology)
    spaces = d.get("spaces")
    if not isinstance(spaces, Mapping) or not spaces:
        raise LabelRowError(f"{source}: spaces: expected Encord spaces (a data group's label row).")
    instances: dict[str, Any] = {}
    for space_id, info in spaces.items():
        where = f"{source}: spaces.{space_id}"
        try:
            kind = info["space_type"]
            if kind == "video":
                space: Space = row.add_video_space(
                    space_id, info["number_of_frames"], info["width"], info["height"], info.get("data_fps")
                )
            elif kind == "medical_file":
                name = str((info.get("child_info") or {}).get("file_name") or "").lower()
                modality = info.get("modality") or ("nifti" if name.endswith((".nii", ".nii.gz")) else "dicom")
                space = row.add_medical_space(
                    space_id, info["number_of_frames"], info["width"], info["height"], modality
                )
            elif kind == "image":
                space = row.add_image_space(space_id, info["width"], info["height"])
            else:
                raise LabelRowError(f"space_type {kind!r} is not read yet (video, image and medical_file are).")
            space.media = (info.get("child_info") or {}).get("file_name")
            for frame, blob in sorted(info.get("labels", {}).items(), key=lambda kv: int(kv[0])):
                for k, obj_dict in enumerate(blob.get("objects", [])):
                    at = f"{where}.labels.{frame}.objects[{k}]"
                    try:
                        obj = ontology.get_child_by_hash(obj_dict["featureHash"], Object)
                        instance = instances.get(obj_dict["objectHash"])
                        if instance is None:
                            instance = instances[obj_dict["objectHash"]] = obj.create_instance(obj_dict["objectHash"])
                        coordinates = _coordinates(obj_dict, space)
                        if isinstance(space, MultiFrameSpace):
                            space.put_object_instance(instance, int(frame), coordinates, **_meta(obj_dict))
                        else:
                            space.put_object_instance(instance, coordinates, **_meta(obj_dict))  # type: ignore[attr-defined]
                    except (LabelRowError, OntologyError) as e:
                        raise LabelRowError(f"{at}: {e.message}") from None
                    except (KeyError, TypeError, ValueError) as e:
                        raise LabelRowError(f"{at}: malformed object ({type(e).__name__}: {e}).") from None
        except (KeyError, TypeError) as e:
            raise LabelRowError(f"{where}: malformed space ({type(e).__name__}: {e}).") from None
        except LabelRowError as e:
            raise LabelRowError(e.message if e.message.startswith(source) else f"{where}: {e.message}") from None
    for object_hash, answers in d.get("object_answers", {}).items():
        instance = instances.get(object_hash)
        for k, a in enumerate((answers or {}).get("classifications", [])):
            at = f"{source}: object_answers.{object_hash}.classifications[{k}]"
            try:
                attribute = ontology.get_child_by_hash(a["featureHash"], Attribute)
                if instance is not None:
                    instance._answers[attribute.feature_node_hash] = check_answer(
                        attribute, _answer_value(attribute, a)
                    )
            except (LabelRowError, OntologyError) as e:
                raise LabelRowError(f"{at}: {e.message}") from None
            except (KeyError, TypeError) as e:
                raise LabelRowError(f"{at}: malformed answer ({type(e).__name__}: {e}).") from None
    by_id = {s.space_id: s for s in row.list_spaces()}
    for object_hash, actions in d.get("object_actions", {}).items():
        instance = instances.get(object_hash)
        if instance is None:  # actions left behind by an object no space holds any more
            continue
        for k, a in enumerate((actions or {}).get("actions", [])):
            at = f"{source}: object_actions.{object_hash}.actions[{k}]"
            try:
                attribute = ontology.get_child_by_hash(a["featureHash"], Attribute)
                targets = (
                    [by_id[a["spaceId"]]]
                    if a.get("spaceId") in by_id
                    else [
                        s
                        for s in by_id.values()
                        if isinstance(s, MultiFrameSpace) and instance in s.get_object_instances()
                    ]
                )
                for space in targets:
                    assert isinstance(space, MultiFrameSpace)
                    space.set_dynamic_answer(
                        instance, [Range(s, e) for s, e in a["range"]], _answer_value(attribute, a), attribute
                    )
            except (LabelRowError, OntologyError) as e:
                raise LabelRowError(f"{at}: {e.message}") from None
            except (KeyError, TypeError) as e:
                raise LabelRowError(f"{at}: malformed action ({type(e).__name__}: {e}).") from None
    for classification_hash, c in d.get("classification_answers", {}).items():
        at = f"{source}: classification_answers.{classification_hash}"
        try:
            classification = ontology.get_child_by_hash(c["featureHash"], Classification)
            instance = classification.create_instance(classification_hash)
            for a in c.get("classifications", []):
                attribute = ontology.get_child_by_hash(a["featureHash"], Attribute)
                instance._answers[attribute.feature_node_hash] = check_answer(attribute, _answer_value(attribute, a))
            for space_id, placement in (c.get("spaces") or {}).items():
                space = by_id[space_id]
                ranges = [Range(s, e) for s, e in placement.get("range", [])]
                if isinstance(space, MultiFrameSpace):
                    if instance.is_global():
                        space.put_classification_instance(instance, **_meta(c))
                    else:
                        space.put_classification_instance(instance, ranges, **_meta(c))
                else:
                    space.put_classification_instance(instance, **_meta(c))  # type: ignore[attr-defined]
        except (LabelRowError, OntologyError) as e:
            raise LabelRowError(f"{at}: {e.message}") from None
        except (KeyError, TypeError) as e:
            raise LabelRowError(f"{at}: malformed classification ({type(e).__name__}: {e}).") from None
    return row


def save_encord(
    row: LabelRow, path: str | os.PathLike[str], ontology_path: str | os.PathLike[str] | None = None
) -> None:
    """Write Encord label-row JSON (and, if asked, the ontology JSON beside it)."""
    import orjson

    Path(path).write_bytes(orjson.dumps(label_row_to_encord(row)))
    if ontology_path is not None:
        Path(ontology_path).write_bytes(orjson.dumps(ontology_to_encord(row.ontology)))


def load_encord(path: str | os.PathLike[str], ontology: Ontology | str | os.PathLike[str]) -> LabelRow:
    """Read Encord label-row JSON; the ontology is an Ontology or the path of Encord ontology JSON."""
    from labelspace.formats.native import read_json

    if not isinstance(ontology, Ontology):
        try:
            ontology = ontology_from_encord(read_json(ontology), str(ontology))  # type: ignore[arg-type]
        except OntologyError as e:
            raise LabelRowError(e.message) from None
    return label_row_from_encord(read_json(path), ontology, str(path))  # type: ignore[arg-type]
