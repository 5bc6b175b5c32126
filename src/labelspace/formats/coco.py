"""COCO instances and keypoints <-> ``Project``.

Export writes standard COCO for other tools: ``bbox`` in pixels, ``segmentation`` (polygons;
an RLE mask for bitmasks and for polygons with holes, which COCO polygons cannot hold; the
corners of a rotated box), ``keypoints`` for skeletons and points, and every frame of a video or
volume as an image entry with its ``frame_index``. Each record also carries a ``labelspace`` field
with the exact native values (ids, normalised coordinates, metadata, answers, classifications), so
that importing labelspace's own COCO gives back the same labels. Plain COCO from elsewhere imports
too: a row per image, an ontology built from the categories.

The export is streamed record by record (never the whole JSON text in memory), with a progress bar.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson

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
    Visibility,
)
from labelspace.model.errors import LabelRowError, MissingExtraError, OntologyError
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.native import (
    answers_by_name,
    coordinates_from_dict,
    coordinates_to_dict,
    decode_answer,
    encode_answer,
)
from labelspace.model.ontology import Classification, Object, Ontology, Shape
from labelspace.model.project import Project
from labelspace.model.spaces import LAYOUTS, MultiFrameSpace, Space, coordinates_from_row

FORMAT = "labelspace.coco"
VERSION = 1
_VISIBILITY = {"visible": 2, "occluded": 1, "invisible": 0, None: 2}
_FROM_VISIBILITY: dict[int, Visibility] = {2: "visible", 1: "occluded"}


def _mask_api() -> Any:
    try:
        import pycocotools.mask as mask
    except ImportError:
        raise MissingExtraError("COCO masks need pycocotools: pip install 'labelspace[coco]'.") from None
    return mask


# --- export ---------------------------------------------------------------------------------------


def _meta(space: Space, record: int) -> dict[str, Any]:
    m = space._meta.record(record)
    return {
        "created_at": m.created_at.isoformat(),
        "created_by": m.created_by,
        "last_edited_at": m.last_edited_at.isoformat(),
        "last_edited_by": m.last_edited_by,
        "confidence": m.confidence,
        "manual_annotation": m.manual_annotation,
    }


def _pixel_geometry(coordinates: GeometricCoordinates, w: int, h: int) -> dict[str, Any]:
    """Standard COCO fields of one annotation: bbox, area, segmentation, keypoints."""
    if isinstance(coordinates, BoundingBoxCoordinates):
        x, y, bw, bh = coordinates.to_pixels(w, h)
        return {"bbox": [x, y, bw, bh], "area": bw * bh, "segmentation": []}
    if isinstance(coordinates, RotatableBoundingBoxCoordinates):
        x, y, bw, bh, theta = coordinates.to_pixels(w, h)
        cx, cy, t = x + bw / 2, y + bh / 2, math.radians(theta)
        corners = [(-bw / 2, -bh / 2), (bw / 2, -bh / 2), (bw / 2, bh / 2), (-bw / 2, bh / 2)]
        points = [(cx + a * math.cos(t) - b * math.sin(t), cy + a * math.sin(t) + b * math.cos(t)) for a, b in corners]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return {
            "bbox": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)],
            "area": bw * bh,
            "segmentation": [[v for p in points for v in p]],
        }
    if isinstance(coordinates, PolygonCoordinates):
        parts = coordinates.to_pixels(w, h)
        if any(len(part) > 1 for part in parts):  # holes: only a mask can hold them
            return _mask_geometry(_rasterise(parts, w, h))
        flat = [[v for p in part[0] for v in p] for part in parts]
        mask = _mask_api()
        rle = mask.merge(mask.frPyObjects(flat, h, w))
        xs = [p[0] for part in parts for p in part[0]]
        ys = [p[1] for part in parts for p in part[0]]
        return {
            "bbox": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)],
            "area": float(mask.area(rle)),
            "segmentation": flat,
        }
    if isinstance(coordinates, BitmaskCoordinates):
        return _mask_geometry(coordinates)
    if isinstance(coordinates, PolylineCoordinates):
        points = coordinates.to_pixels(w, h)
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return {"bbox": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)], "area": 0.0, "segmentation": []}
    if isinstance(coordinates, PointCoordinate):
        x, y = coordinates.to_pixels(w, h)
        return {"bbox": [x, y, 0.0, 0.0], "area": 0.0, "segmentation": [], "keypoints": [x, y, 2], "num_keypoints": 1}
    assert isinstance(coordinates, SkeletonCoordinates)
    nodes = coordinates.values
    xs, ys = [n.x * w for n in nodes], [n.y * h for n in nodes]
    keypoints = [v for n in nodes for v in (n.x * w, n.y * h, _VISIBILITY[n.visibility])]
    return {
        "bbox": [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)],
        "area": 0.0,
        "segmentation": [],
        "keypoints": keypoints,
        "num_keypoints": sum(1 for n in nodes if _VISIBILITY[n.visibility] > 0),
    }


def _rasterise(parts: list[list[list[tuple[float, float]]]], w: int, h: int) -> BitmaskCoordinates:
    from PIL import Image, ImageDraw

    image = Image.new("1", (w, h), 0)
    draw = ImageDraw.Draw(image)
    for part in parts:
        draw.polygon(part[0], fill=1)
        for hole in part[1:]:
            draw.polygon(hole, fill=0)
    return BitmaskCoordinates(np.asarray(image, dtype=bool))


def _mask_geometry(coordinates: BitmaskCoordinates) -> dict[str, Any]:
    mask = _mask_api()
    rle = mask.frPyObjects(
        {"size": [coordinates.height, coordinates.width], "counts": coordinates.counts.tolist()},
        coordinates.height,
        coordinates.width,
    )
    return {
        "bbox": [float(v) for v in mask.toBbox(rle)],
        "area": float(mask.area(rle)),
        "segmentation": {"size": rle["size"], "counts": rle["counts"].decode("ascii")},
    }


def _native_value(coordinates: GeometricCoordinates) -> dict[str, Any]:
    row = getattr(coordinates, "_row", None)
    return {"row": list(row)} if row is not None else {"coordinates": coordinates_to_dict(coordinates)}


class _Exporter:
    def __init__(self, project: Project) -> None:
        self.project = project
        objects = project.ontology.objects
        self.category_of = {o.feature_node_hash: i + 1 for i, o in enumerate(objects)}
        self._static: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}  # by id of the live instance
        self._metas: dict[tuple[int, int], dict[str, Any]] = {}  # frames of one put share a record
        self.keypoint_names = self._keypoint_names()

    def meta(self, space: Space, record: int) -> dict[str, Any]:
        """An annotation's metadata as JSON values, worked out once per metadata record."""
        key = (id(space), record)
        known = self._metas.get(key)
        if known is None:
            if len(self._metas) >= 4096:  # bounded: an export streams, and per-frame puts each have a record
                self._metas.clear()
            known = self._metas[key] = _meta(space, record)
        return known

    def static_answers(self, instance: ObjectInstance) -> tuple[dict[str, Any], dict[str, Any]]:
        """An object's static answers by name and by hash; worked out once per object, not per frame."""
        known = self._static.get(id(instance))
        if known is None:
            by_hash = {a.feature_node_hash: encode_answer(v) for a, v in instance._answer_items()}
            known = self._static[id(instance)] = (answers_by_name(instance), by_hash)
        return known

    def _keypoint_names(self) -> dict[str, list[str]]:
        names: dict[str, list[str]] = {}
        for row in self.project.rows:
            for space in row.list_spaces():
                for track in space._objects.values():
                    shape = track.instance.ontology_item.shape
                    key = track.instance.feature_hash
                    if shape is Shape.POINT:
                        names[key] = ["point"]
                    elif shape is Shape.SKELETON:
                        seen = names.setdefault(key, [])
                        for skeleton in track.runs.objects:
                            for node in skeleton.values:  # type: ignore[attr-defined]
                                if node.name not in seen:
                                    seen.append(node.name)
        return names

    def categories(self) -> list[dict[str, Any]]:
        out = []
        for obj in self.project.ontology.objects:
            category: dict[str, Any] = {
                "id": self.category_of[obj.feature_node_hash],
                "name": obj.name,
                "supercategory": obj.shape.value,
                "labelspace": {"feature_node_hash": obj.feature_node_hash},
            }
            if obj.feature_node_hash in self.keypoint_names:
                category["keypoints"] = self.keypoint_names[obj.feature_node_hash]
                category["skeleton"] = []
            out.append(category)
        return out

    def frames(self) -> Iterator[tuple[int, LabelRow, Space, int]]:
        """Every (image id, row, space, frame), in order."""
        image_id = 0
        for row in self.project.rows:
            for space in row.list_spaces():
                for frame in range(space.number_of_frames):
                    image_id += 1
                    yield image_id, row, space, frame

    def count(self) -> int:
        return sum(s.number_of_frames for row in self.project.rows for s in row.list_spaces())

    def image(self, image_id: int, row_index: int, space: Space, frame: int) -> dict[str, Any]:
        name = space.media or space.space_id
        record: dict[str, Any] = {
            "id": image_id,
            "file_name": name,
            "width": space.width,
            "height": space.height,
        }
        extra: dict[str, Any] = {"row": row_index, "space": space.space_id, "kind": space.kind, "frame": frame}
        if isinstance(space, MultiFrameSpace):
            record["frame_index"] = frame
            record["video"] = name
            extra["number_of_frames"] = space.number_of_frames
            fps = getattr(space, "fps", None)
            modality = getattr(space, "modality", None)
            if fps is not None:
                extra["fps"] = fps
            if modality is not None:
                extra["modality"] = modality
        if space.media is not None:
            extra["media"] = space.media
        classifications = []
        for view in space.get_annotations_on_frame(frame, "classification"):
            if view.is_global and frame != 0:
                continue
            instance = view.classification_instance
            classifications.append(
                {
                    "classification_hash": instance.classification_hash,
                    "feature_node_hash": instance.feature_hash,
                    "title": instance.ontology_item.title,
                    "answers": {a.feature_node_hash: encode_answer(v) for a, v in instance._answer_items()},
                    "attributes": answers_by_name(instance),
                    "global": view.is_global,
                    **self.meta(space, view._record),
                }
            )
        if classifications:
            extra["classifications"] = classifications
        record["labelspace"] = extra
        return record

    def annotations(self, image_id: int, space: Space, frame: int, next_id: int) -> list[dict[str, Any]]:
        out = []
        for view in space.get_annotations_on_frame(frame, "object"):
            instance: ObjectInstance = view.object_instance
            geometry = _pixel_geometry(view.coordinates, space.width, space.height)
            dynamic = {}
            if isinstance(space, MultiFrameSpace):
                track = space._objects[instance.object_hash]
                for answers in track.dynamic.values():
                    run = answers.runs.find(frame)
                    if run >= 0:
                        dynamic[answers.attribute.feature_node_hash] = encode_answer(
                            answers.answers[answers.runs.tags[run]]
                        )
            next_id += 1
            by_name, by_hash = self.static_answers(instance)
            out.append(
                {
                    "id": next_id,
                    "image_id": image_id,
                    "category_id": self.category_of[instance.feature_hash],
                    "iscrowd": 0,
                    **geometry,
                    "attributes": by_name,
                    "track_id": instance.object_hash,
                    "labelspace": {
                        "object_hash": instance.object_hash,
                        "answers": by_hash,
                        "dynamic": dynamic,
                        **_native_value(view.coordinates),
                        **self.meta(space, view._record),
                    },
                }
            )
        return out


def save_coco(project: Project | LabelRow, path: str | os.PathLike[str], progress: bool = True) -> None:
    """Write a project (or one row) as a COCO JSON file, streaming, with a progress bar.

    The file is written to a temporary name and moved into place when complete.
    """
    if isinstance(project, LabelRow):
        project = Project.of(project)
    exporter = _Exporter(project)
    target = Path(path)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        with open(tmp, "wb") as f:
            _write_coco(f, exporter, progress)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_coco(f: IO[bytes], exporter: _Exporter, progress: bool) -> None:
    from tqdm import tqdm

    head = {
        "info": {"description": "labelspace export", "date_created": datetime.now().isoformat()},
        "licenses": [],
        "categories": exporter.categories(),
        "labelspace": {"format": FORMAT, "version": VERSION, "ontology": exporter.project.ontology.to_dict()},
    }
    f.write(orjson.dumps(head)[:-1])
    total = exporter.count()
    rows = {id(r): i for i, r in enumerate(exporter.project.rows)}
    f.write(b',"images":[')
    with tqdm(total=total, desc="COCO images", unit="frame", disable=not progress or total < 10_000) as bar:
        for n, (image_id, row, space, frame) in enumerate(exporter.frames()):
            if n:
                f.write(b",")
            f.write(orjson.dumps(exporter.image(image_id, rows[id(row)], space, frame)))
            bar.update()
    f.write(b'],"annotations":[')
    next_id = 0
    first = True
    with tqdm(total=total, desc="COCO annotations", unit="frame", disable=not progress or total < 10_000) as bar:
        for image_id, _, space, frame in exporter.frames():
            for record in exporter.annotations(image_id, space, frame, next_id):
                next_id = record["id"]
                if not first:
                    f.write(b",")
                f.write(orjson.dumps(record))
                first = False
            bar.update()
    f.write(b"]}")


# --- import ---------------------------------------------------------------------------------------


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> LabelRowError:
        return LabelRowError(f"{self.source}: {where}: {message}")

    def records(self, d: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        items = d.get(key, [])
        if not isinstance(items, list):
            raise self.fail(key, "expected a list.")
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise self.fail(f"{key}[{i}]", "expected an object.")
        return items

    def number(self, record: Mapping[str, Any], key: str, where: str) -> int:
        value = record.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{where}.{key}", f"expected an integer, got {value!r:.40}.")
        return value


def _ontology_from_categories(
    r: _Reader, categories: list[Mapping[str, Any]], annotations: list[Mapping[str, Any]]
) -> Ontology:
    ontology = Ontology()
    kinds: dict[int, set[str]] = {}
    for a in annotations:
        seg = a.get("segmentation")
        kind = "polygon" if isinstance(seg, list) and seg else "mask" if isinstance(seg, Mapping) else "box"
        kinds.setdefault(a.get("category_id"), set()).add(kind)  # type: ignore[arg-type]
    for i, c in enumerate(categories):
        name = c.get("name")
        if not isinstance(name, str) or not name:
            raise r.fail(f"categories[{i}].name", "expected a non-empty string.")
        used = kinds.get(c.get("id"), set())  # type: ignore[arg-type]
        if c.get("keypoints"):
            shape = Shape.SKELETON
        elif "polygon" in used:
            shape = Shape.POLYGON
        elif "mask" in used:
            shape = Shape.BITMASK
        else:
            shape = Shape.BOUNDING_BOX
        try:
            ontology.add_object(name, shape)
        except OntologyError as e:
            raise r.fail(f"categories[{i}]", e.message) from None
    return ontology


def _plain_coordinates(
    r: _Reader, a: Mapping[str, Any], where: str, obj: Object, keypoint_names: list[str], w: int, h: int
) -> GeometricCoordinates:
    """Coordinates from standard COCO fields, clipped to the image."""

    def clip(x: float, y: float) -> PointCoordinate:
        return PointCoordinate(min(max(x / w, 0.0), 1.0), min(max(y / h, 0.0), 1.0))

    try:
        if obj.shape is Shape.SKELETON:
            values = a.get("keypoints") or []
            nodes = [
                SkeletonCoordinate(
                    clip(values[i], values[i + 1]).x,
                    clip(values[i], values[i + 1]).y,
                    keypoint_names[i // 3] if i // 3 < len(keypoint_names) else f"k{i // 3}",
                    _FROM_VISIBILITY.get(int(values[i + 2])),
                )
                for i in range(0, len(values), 3)
                if int(values[i + 2]) > 0
            ]
            return SkeletonCoordinates(nodes)
        seg: Any = a.get("segmentation")
        if obj.shape is Shape.POLYGON:
            parts = [[clip(p[i], p[i + 1]) for i in range(0, len(p), 2)] for p in seg]
            return PolygonCoordinates(polygons=[[ring] for ring in parts])
        if obj.shape is Shape.BITMASK:
            mask = _mask_api()
            rle = seg if isinstance(seg["counts"], str) else mask.frPyObjects(seg, *seg["size"])
            if isinstance(rle.get("counts"), str):
                rle = {"size": rle["size"], "counts": rle["counts"].encode("ascii")}
            return BitmaskCoordinates(mask.decode(rle).astype(bool))
        x, y, bw, bh = (float(v) for v in a["bbox"])
        top_left = clip(x, y)
        return BoundingBoxCoordinates(
            height=min(max(bh, 0.0) / h, 1.0 - top_left.y),
            width=min(max(bw, 0.0) / w, 1.0 - top_left.x),
            top_left_x=top_left.x,
            top_left_y=top_left.y,
        )
    except LabelRowError as e:
        raise r.fail(where, e.message) from None
    except (KeyError, TypeError, ValueError, IndexError) as e:
        raise r.fail(where, f"malformed geometry for a {obj.shape.value} ({type(e).__name__}: {e}).") from None


def coco_to_project(d: Mapping[str, Any], ontology: Ontology | None = None, source: str = "COCO") -> Project:
    """Build a project from a COCO dict (labelspace's own, or plain COCO from elsewhere).

    Raises:
        LabelRowError: Naming the source, the record and the field of the first malformed value;
            nothing is returned half-built.
    """
    from labelspace.model.native import matching_ontology

    r = _Reader(source)
    if not isinstance(d, Mapping):
        raise r.fail("file", "expected a COCO JSON object.")
    categories = r.records(d, "categories")
    images = r.records(d, "images")
    annotations = r.records(d, "annotations")
    extension = d.get("labelspace") if isinstance(d.get("labelspace"), Mapping) else None
    own: Ontology | None = None
    if extension is not None:
        try:
            own = Ontology.from_dict(extension.get("ontology", {}))
        except OntologyError as e:
            raise r.fail("labelspace.ontology", e.message) from None
    if own is not None:
        ontology = matching_ontology(ontology, own, f"{source}: ")
    ontology = ontology or _ontology_from_categories(r, categories, annotations)
    objects: dict[Any, Object] = {}
    keypoints: dict[Any, list[str]] = {}
    for i, c in enumerate(categories):
        category_ext: Mapping[str, Any] = c["labelspace"] if isinstance(c.get("labelspace"), Mapping) else {}
        try:
            obj = (
                ontology.get_child_by_hash(category_ext["feature_node_hash"], Object)
                if "feature_node_hash" in category_ext
                else ontology.get_child_by_title(str(c.get("name")), Object)
            )
        except OntologyError as e:
            raise r.fail(f"categories[{i}]", e.message) from None
        objects[c.get("id")] = obj
        keypoints[c.get("id")] = list(c.get("keypoints") or [])

    project = Project(ontology)
    rows: dict[Any, LabelRow] = {}
    frames: dict[int, tuple[Space, int]] = {}
    for i, image in enumerate(images):
        where = f"images[{i}]"
        image_id = r.number(image, "id", where)
        width, height = r.number(image, "width", where), r.number(image, "height", where)
        ext: Mapping[str, Any] | None = image["labelspace"] if isinstance(image.get("labelspace"), Mapping) else None
        try:
            if ext is not None:
                row = rows.get(ext.get("row"))
                if row is None:
                    row = rows[ext.get("row")] = LabelRow(ontology)
                space_id = str(ext.get("space"))
                spaces = {s.space_id: s for s in row.list_spaces()}
                space = spaces.get(space_id)
                if space is None:
                    if ext.get("kind") == "video":
                        space = row.add_video_space(
                            space_id, int(ext["number_of_frames"]), width, height, ext.get("fps")
                        )
                    elif ext.get("kind") == "medical":
                        space = row.add_medical_space(
                            space_id, int(ext["number_of_frames"]), width, height, str(ext.get("modality"))
                        )
                    else:
                        space = row.add_image_space(space_id, width, height)
                    space.media = ext.get("media")
                frame = int(ext.get("frame", 0))
                _put_classifications(space, frame, ext.get("classifications", []), ontology, r, where)
            else:
                row = rows[("plain", image_id)] = LabelRow(ontology)
                file_name = str(image.get("file_name") or image_id)
                space = row.add_image_space(file_name, width, height)
                space.media = file_name
                frame = 0
        except LabelRowError as e:
            raise r.fail(where, e.message) from None
        except (KeyError, TypeError, ValueError) as e:
            raise r.fail(where, f"malformed labelspace field ({type(e).__name__}: {e}).") from None
        if image_id in frames:
            raise r.fail(f"{where}.id", f"image id {image_id} is used twice.")
        frames[image_id] = (space, frame)

    instances: dict[str, ObjectInstance] = {}
    for i, a in enumerate(annotations):
        where = f"annotations[{i}]"
        image_id = r.number(a, "image_id", where)
        if image_id not in frames:
            raise r.fail(f"{where}.image_id", f"no image has id {image_id}.")
        category = a.get("category_id")
        if category not in objects:
            raise r.fail(f"{where}.category_id", f"no category has id {category!r:.20}.")
        space, frame = frames[image_id]
        obj = objects[category]
        ext = a["labelspace"] if isinstance(a.get("labelspace"), Mapping) else None
        try:
            if ext is not None:
                instance = instances.get(ext["object_hash"])
                if instance is None:
                    instance = instances[ext["object_hash"]] = obj.create_instance(ext["object_hash"])
                    for attribute_hash, raw in ext.get("answers", {}).items():
                        attribute = ontology.get_child_by_hash(attribute_hash)
                        instance._answers[attribute_hash] = decode_answer(attribute, raw, f"{where}.labelspace.answers")  # type: ignore[arg-type]
                if "row" in ext:
                    coordinates = coordinates_from_row(obj.shape, [float(v) for v in ext["row"]])
                    _validate_row(obj.shape, coordinates)
                else:
                    coordinates = coordinates_from_dict(
                        LAYOUTS[obj.shape].coordinates, ext["coordinates"], f"{where}.labelspace.coordinates"
                    )
                meta: dict[str, Any] = _read_meta(ext)
            else:
                instance = obj.create_instance()
                coordinates = _plain_coordinates(r, a, where, obj, keypoints[category], space.width, space.height)
                meta = {}
            if isinstance(space, MultiFrameSpace):
                space.put_object_instance(instance, frame, coordinates, **meta)
                for attribute_hash, raw in (ext or {}).get("dynamic", {}).items():
                    attribute = ontology.get_child_by_hash(attribute_hash)
                    value = decode_answer(attribute, raw, f"{where}.labelspace.dynamic")  # type: ignore[arg-type]
                    space.set_dynamic_answer(instance, frame, value, attribute)  # type: ignore[arg-type]
            else:
                space.put_object_instance(instance, coordinates, **meta)  # type: ignore[attr-defined]
        except (LabelRowError, OntologyError) as e:
            raise r.fail(where, e.message) from None
        except (KeyError, TypeError, ValueError) as e:
            raise r.fail(where, f"malformed annotation ({type(e).__name__}: {e}).") from None
    for row in rows.values():
        project.add_row(row)
    return project


_META_KEYS = ("created_at", "created_by", "last_edited_at", "last_edited_by", "confidence", "manual_annotation")


def _read_meta(record: Mapping[str, Any]) -> dict[str, Any]:
    """The metadata keyword arguments of a put, from a record's labelspace fields."""
    return {
        key: datetime.fromisoformat(record[key]) if key.endswith("_at") else record[key]
        for key in _META_KEYS
        if key in record
    }


def _validate_row(shape: Shape, coordinates: GeometricCoordinates) -> None:
    from labelspace.model.spaces import check_rows

    check_rows(shape, np.array([coordinates._row]))  # type: ignore[union-attr]


def _put_classifications(space: Space, frame: int, items: Any, ontology: Ontology, r: _Reader, where: str) -> None:
    for j, item in enumerate(items):
        classification = ontology.get_child_by_hash(item["feature_node_hash"], Classification)
        instance = ClassificationInstance(classification, item["classification_hash"])
        existing = {c.classification_hash: c for c in space.get_classification_instances()}
        instance = existing.get(instance.classification_hash, instance)
        for attribute_hash, raw in item.get("answers", {}).items():
            attribute = ontology.get_child_by_hash(attribute_hash)
            instance._answers[attribute_hash] = decode_answer(attribute, raw, f"{where}.classifications[{j}]")  # type: ignore[arg-type]
        meta = _read_meta(item)
        if isinstance(space, MultiFrameSpace):
            if item.get("global"):
                space.put_classification_instance(instance, **meta)
            else:
                space.put_classification_instance(instance, frame, **meta)
        else:
            space.put_classification_instance(instance, **meta)  # type: ignore[attr-defined]


def load_coco(path: str | os.PathLike[str], ontology: Ontology | None = None) -> Project:
    """Read a COCO JSON file into a project; errors name the file, the record and the field."""
    from labelspace.formats.native import read_json

    return coco_to_project(read_json(path), ontology, source=str(path))  # type: ignore[arg-type]
