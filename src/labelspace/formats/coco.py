"""COCO instances, keypoints and results JSON <-> ``Project``.

Export writes standard COCO for other tools: ``bbox`` in pixels, ``segmentation`` (polygons; an
RLE mask for bitmasks and for polygons with holes, which COCO polygons cannot hold; the corners of
a rotated box), ``keypoints`` in the order of the category's ``keypoints`` list for skeletons and
points, ``iscrowd`` from an ``iscrowd`` attribute, and every frame of a video or volume as an
image entry with its ``frame_index``. Ontology objects that share a name (a category imported in
several shapes) go back to one category. Each record also carries a ``labelspace`` field with
the exact native values (ids, normalised coordinates, metadata, answers, classifications), so
that importing labelspace's own COCO gives back the same labels.

Plain COCO as other tools write it imports too: a row per image; a category whose annotations
come in several shapes (polygons, compressed or uncompressed RLE masks, boxes only, keypoints)
becomes one ontology object per shape, all with the category's name; crowd regions (``iscrowd``)
keep the flag as an ``iscrowd`` attribute (options ``0`` and ``1``); an annotation with both a
segmentation and keypoints gives two instances, its outline and its skeleton. A results file (a
list of detections with a ``score``) imports onto the images of its dataset as predictions:
``confidence`` is the score and ``manual_annotation`` is false.

Masks are decoded here, their sizes checked against the image and the reader's limits first;
pycocotools (the ``labelspace[coco]`` extra) computes polygon areas on export. The export is
streamed record by record, with a progress bar.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import orjson

from labelspace.formats._atomic import atomic_file
from labelspace.formats._common import (
    Reader,
    attributes_by_hash,
    metadata_from_dict,
    metadata_to_dict,
    put_classification,
    reading,
    rotated_box_corners,
    set_static_answers,
    warn_dropped,
)
from labelspace.formats._frames import object_frames
from labelspace.formats._masks import mask_bounds, rasterise, rle_text, rle_text_counts
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._paths import media_path
from labelspace.formats._placing import Placer
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
    Visibility,
)
from labelspace.model.errors import MissingExtraError
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.layouts import LAYOUTS, coordinates_from_checked_row, to_row
from labelspace.model.native import (
    answer_label,
    coordinates_from_dict,
    coordinates_to_dict,
    decode_answer,
    encode_answer,
)
from labelspace.model.ontology import Attribute, Classification, Object, Ontology, RadioAttribute, Shape
from labelspace.model.project import Project
from labelspace.model.skeletons import SkeletonTemplate
from labelspace.model.spaces import MultiFrameSpace, Space

FORMAT = "labelspace.coco"
VERSION = 1
CROWD = "iscrowd"
"""The name of the attribute that keeps COCO's crowd flag (options ``0`` and ``1``)."""
_VISIBILITY = {"visible": 2, "occluded": 1, "invisible": 0, None: 2}
_FROM_VISIBILITY: dict[int, Visibility] = {2: "visible", 1: "occluded"}


def _mask_api() -> Any:
    try:
        import pycocotools.mask as mask
    except ImportError:
        raise MissingExtraError("COCO polygons need pycocotools: pip install 'labelspace[coco]'.") from None
    return mask


def is_coco(d: Any) -> bool:
    """Whether decoded JSON is COCO: a dataset (images with annotations or categories) or a results list."""
    if isinstance(d, Mapping):
        return "images" in d or ("annotations" in d and "categories" in d)
    return is_coco_results(d)


def is_coco_results(d: Any) -> bool:
    """Whether decoded JSON is a COCO results file: a list of detections on image ids."""
    return (
        isinstance(d, list)
        and bool(d)
        and isinstance(d[0], Mapping)
        and "image_id" in d[0]
        and "category_id" in d[0]
        and "score" in d[0]
    )


# --- export ---------------------------------------------------------------------------------------


def _extent(points: list[tuple[float, float]]) -> list[float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return [min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)]


def _pixel_geometry(coordinates: GeometricCoordinates, w: int, h: int, keypoints: list[str]) -> dict[str, Any]:
    """Standard COCO fields of one annotation: bbox, area, segmentation, keypoints."""
    if isinstance(coordinates, BoundingBoxCoordinates):
        x, y, bw, bh = coordinates.to_pixels(w, h)
        return {"bbox": [x, y, bw, bh], "area": bw * bh, "segmentation": []}
    if isinstance(coordinates, RotatableBoundingBoxCoordinates):
        points = rotated_box_corners(coordinates, w, h)
        _, _, bw, bh, _ = coordinates.to_pixels(w, h)
        return {"bbox": _extent(points), "area": bw * bh, "segmentation": [[v for p in points for v in p]]}
    if isinstance(coordinates, PolygonCoordinates):
        parts = coordinates.to_pixels(w, h)
        if any(len(part) > 1 for part in parts):  # holes: only a mask can hold them
            return _mask_geometry(BitmaskCoordinates(rasterise(parts, w, h)))
        flat = [[v for p in part[0] for v in p] for part in parts]
        mask = _mask_api()
        rle = mask.merge(mask.frPyObjects(flat, h, w))
        return {
            "bbox": _extent([p for part in parts for p in part[0]]),
            "area": float(mask.area(rle)),
            "segmentation": flat,
        }
    if isinstance(coordinates, BitmaskCoordinates):
        return _mask_geometry(coordinates)
    if isinstance(coordinates, PolylineCoordinates):
        return {"bbox": _extent(coordinates.to_pixels(w, h)), "area": 0.0, "segmentation": []}
    if isinstance(coordinates, PointCoordinate):
        x, y = coordinates.to_pixels(w, h)
        values = [0.0] * (3 * len(keypoints))
        at = keypoints.index("point")
        values[3 * at : 3 * at + 3] = [x, y, 2]
        return {"bbox": [x, y, 0.0, 0.0], "area": 0.0, "segmentation": [], "keypoints": values, "num_keypoints": 1}
    assert isinstance(coordinates, SkeletonCoordinates)
    nodes = coordinates.values
    values = [0.0] * (3 * len(keypoints))
    for n in nodes:
        at = keypoints.index(n.name)
        values[3 * at : 3 * at + 3] = [n.x * w, n.y * h, _VISIBILITY[n.visibility]]
    box = _extent([(n.x * w, n.y * h) for n in nodes])
    return {
        "bbox": box,
        "area": box[2] * box[3],  # COCO's keypoint similarity scales by the area
        "segmentation": [],
        "keypoints": values,
        "num_keypoints": sum(1 for n in nodes if _VISIBILITY[n.visibility] > 0),
    }


def _mask_geometry(coordinates: BitmaskCoordinates) -> dict[str, Any]:
    bounds = mask_bounds(coordinates.to_array())
    if bounds is None:
        box = [0.0, 0.0, 0.0, 0.0]
    else:
        top, bottom, left, right = bounds
        box = [float(left), float(top), float(right - left + 1), float(bottom - top + 1)]
    return {
        "bbox": box,
        "area": float(coordinates.area()),
        "segmentation": {"size": [coordinates.height, coordinates.width], "counts": rle_text(coordinates.counts)},
    }


class _Exporter:
    """Works out categories once, and static answers and dynamic answers once per instance."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.category_of: dict[str, int] = {}  # feature hash -> category id: objects sharing a name share one
        by_name: dict[str, int] = {}
        for obj in project.ontology.objects:
            self.category_of[obj.feature_node_hash] = by_name.setdefault(obj.name, len(by_name) + 1)
        shared = Counter(self.category_of.values())
        self.shared_category = {h for h, c in self.category_of.items() if shared[c] > 1}  # records name their object
        self.keypoints = self._keypoint_names()
        self._static: dict[int, tuple[dict[str, Any], dict[str, Any], bool]] = {}

    def _keypoint_names(self) -> dict[int, list[str]]:
        names: dict[int, list[str]] = {}
        for row in self.project.rows:
            for space in row.list_spaces():
                for instance in space.get_object_instances():
                    shape = instance.ontology_item.shape
                    if shape not in (Shape.POINT, Shape.SKELETON):
                        continue
                    seen = names.setdefault(self.category_of[instance.feature_hash], [])
                    template = instance.ontology_item.skeleton
                    if template is not None:
                        seen.extend(n for n in template.names if n not in seen)
                    if shape is Shape.POINT:
                        seen.extend(["point"] if "point" not in seen else [])
                        continue
                    for skeleton in space.get_object_runs(instance).values:
                        assert isinstance(skeleton, SkeletonCoordinates)
                        seen.extend(n.name for n in skeleton.values if n.name not in seen)
        return names

    def categories(self) -> list[dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for obj in self.project.ontology.objects:
            category_id = self.category_of[obj.feature_node_hash]
            category = out.setdefault(
                category_id,
                {"id": category_id, "name": obj.name, "supercategory": obj.shape.value, "labelspace": {"objects": []}},
            )
            category["labelspace"]["objects"].append(obj.feature_node_hash)
            if category_id in self.keypoints:
                names = self.keypoints[category_id]
                category["keypoints"] = names
                edges = category.setdefault("skeleton", [])
                for a, b in obj.skeleton.edges if obj.skeleton is not None else ():
                    edge = [names.index(a) + 1, names.index(b) + 1]
                    if edge not in edges:
                        edges.append(edge)
        return list(out.values())

    def static_answers(self, instance: ObjectInstance) -> tuple[dict[str, Any], dict[str, Any], bool]:
        """An object's static answers by name and by hash, and its crowd flag; once per object."""
        known = self._static.get(id(instance))
        if known is None:
            answers = instance.get_static_answers()
            by_name = {a.name: answer_label(v) for a, v in answers}
            crowd = any(a.name == CROWD and getattr(v, "label", None) == "1" for a, v in answers)
            known = self._static[id(instance)] = (
                by_name,
                {a.feature_node_hash: encode_answer(v) for a, v in answers},
                crowd,
            )
        return known

    def frames(self) -> Iterator[tuple[int, int, Space, int]]:
        """Every (image id, row index, space, frame), in order."""
        image_id = 0
        for r, row in enumerate(self.project.rows):
            for space in row.list_spaces():
                for frame in range(space.number_of_frames):
                    image_id += 1
                    yield image_id, r, space, frame

    def count(self) -> int:
        return sum(s.number_of_frames for row in self.project.rows for s in row.list_spaces())

    def image(self, image_id: int, row_index: int, space: Space, frame: int) -> dict[str, Any]:
        name = space.media or space.space_id
        record: dict[str, Any] = {"id": image_id, "file_name": name, "width": space.width, "height": space.height}
        extra: dict[str, Any] = {"row": row_index, "space": space.space_id, "kind": space.kind, "frame": frame}
        if isinstance(space, MultiFrameSpace):
            record["frame_index"] = frame
            record["video"] = name
            extra["number_of_frames"] = space.number_of_frames
            for key in ("fps", "modality"):
                if getattr(space, key, None) is not None:
                    extra[key] = getattr(space, key)
        if space.media is not None:
            extra["media"] = space.media
        classifications = []
        for view in space.get_annotations_on_frame(frame, "classification"):
            if view.is_global and frame != 0:
                continue
            instance = view.classification_instance
            answers = instance.get_static_answers()
            classifications.append(
                {
                    "classification_hash": instance.classification_hash,
                    "feature_node_hash": instance.feature_hash,
                    "title": instance.ontology_item.title,
                    "answers": {a.feature_node_hash: encode_answer(v) for a, v in answers},
                    "attributes": {a.name: answer_label(v) for a, v in answers},
                    "global": view.is_global,
                    **metadata_to_dict(view.metadata),
                }
            )
        if classifications:
            extra["classifications"] = classifications
        record["labelspace"] = extra
        return record

    def object_records(
        self, first_id: int, base: int, space: Space, instance: ObjectInstance
    ) -> Iterator[dict[str, Any]]:
        """An object's annotation records on a space whose frame 0 is image ``base``, ids from ``first_id``."""
        category = self.category_of[instance.feature_hash]
        keypoints = self.keypoints.get(category, [])
        by_name, by_hash, crowd = self.static_answers(instance)
        own = {"object_hash": instance.object_hash}
        if instance.feature_hash in self.shared_category:
            own["feature_node_hash"] = instance.feature_hash
        shared: dict[str, Any] = {}
        last: tuple[Any, Any] | None = None
        for n, (frame, coordinates, meta, dynamic) in enumerate(object_frames(space, instance)):
            if last is None or last[0] is not coordinates or last[1] is not meta:  # once per run, not per frame
                row = to_row(coordinates)
                geometry = _pixel_geometry(coordinates, space.width, space.height, keypoints)
                native = {"row": list(row)} if row is not None else {"coordinates": coordinates_to_dict(coordinates)}
                shared = {"geometry": geometry, "native": native, "meta": metadata_to_dict(meta)}
                last = (coordinates, meta)
            yield {
                "id": first_id + n,
                "image_id": base + frame,
                "category_id": category,
                "iscrowd": int(crowd),
                **shared["geometry"],
                "attributes": by_name,
                "track_id": instance.object_hash,
                "labelspace": {
                    **own,
                    "answers": by_hash,
                    "dynamic": {a.feature_node_hash: encode_answer(v) for a, v in dynamic},
                    **shared["native"],
                    **shared["meta"],
                },
            }

    def head(self) -> dict[str, Any]:
        return {
            "info": {"description": "labelspace export", "date_created": datetime.now().isoformat()},
            "licenses": [],
            "categories": self.categories(),
            "labelspace": {"format": FORMAT, "version": VERSION, "ontology": self.project.ontology.to_dict()},
        }

    def images(self) -> Iterator[dict[str, Any]]:
        for image_id, r, space, frame in self.frames():
            yield self.image(image_id, r, space, frame)

    def annotations(self) -> Iterator[dict[str, Any]]:
        """Every object's records, object by object (COCO does not ask for any order)."""
        next_id, base = 1, 1
        for row in self.project.rows:
            for space in row.list_spaces():
                for instance in space.get_object_instances():
                    for record in self.object_records(next_id, base, space, instance):
                        next_id = record["id"] + 1
                        yield record
                base += space.number_of_frames


def to_coco(project: Project | LabelRow) -> dict[str, Any]:
    """A project (or one row) as a COCO dict, in memory (``save_coco`` streams the same records to a file)."""
    exporter = _Exporter(project if isinstance(project, Project) else Project.of(project))
    return {**exporter.head(), "images": list(exporter.images()), "annotations": list(exporter.annotations())}


def save_coco(project: Project | LabelRow, path: str | os.PathLike[str], progress: bool = True) -> Counter[str]:
    """Write a project (or one row) as a COCO JSON file: streamed, atomically, with a progress bar.

    Returns:
        What was dropped: nothing (the ``labelspace`` fields hold what COCO's own cannot).
    """
    exporter = _Exporter(project if isinstance(project, Project) else Project.of(project))
    with atomic_file(path) as f:
        _write(f, exporter, progress)
    return Counter()


def _write(f: IO[bytes], exporter: _Exporter, progress: bool) -> None:
    from tqdm import tqdm

    f.write(orjson.dumps(exporter.head())[:-1])
    total = exporter.count()
    quiet = not progress or total < 10_000
    for key, records in (("images", exporter.images()), ("annotations", exporter.annotations())):
        f.write(f',"{key}":['.encode())
        with tqdm(total=total if key == "images" else None, desc=f"COCO {key}", unit="record", disable=quiet) as bar:
            for n, record in enumerate(records):
                if n:
                    f.write(b",")
                f.write(orjson.dumps(record))
                bar.update()
        f.write(b"]")
    f.write(b"}")


# --- import ---------------------------------------------------------------------------------------


def _kind(a: Mapping[str, Any]) -> str:
    """What an annotation's outline is: a polygon, a mask, or only a box."""
    seg = a.get("segmentation")
    if isinstance(seg, list) and seg:
        return "polygon"
    if isinstance(seg, Mapping):
        return "mask"
    return "box"


def _has_keypoints(a: Mapping[str, Any]) -> bool:
    values = a.get("keypoints")
    if not isinstance(values, list) or not values:
        return False
    if len(values) % 3:
        return True  # malformed: the skeleton reader says how
    return any(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values[2::3])


_SHAPE_OF_KIND = {"polygon": Shape.POLYGON, "mask": Shape.BITMASK, "box": Shape.BOUNDING_BOX}


def _shapes_of(a: Mapping[str, Any]) -> list[Shape]:
    """The shapes of the instances a plain annotation holds: its outline (or only box), and a skeleton for keypoints."""
    kind = _kind(a)
    keypoints = _has_keypoints(a)
    shapes = [_SHAPE_OF_KIND[kind]] if kind != "box" or not keypoints or _has_area(a.get("bbox")) else []
    return [*shapes, Shape.SKELETON] if keypoints else shapes


def _has_area(box: Any) -> bool:
    """Whether a keypoint annotation's ``bbox`` is a person's box (not the zero-sized extent of one keypoint)."""
    return (
        isinstance(box, list)
        and len(box) == 4
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in box)
        and box[2] > 0
        and box[3] > 0
    )


class _Plain:
    """The ontology objects of plain COCO categories: one per (category, shape) found in the annotations."""

    def __init__(self, r: Reader, categories: list[Mapping[str, Any]], ontology: Ontology | None) -> None:
        self.r = r
        self.names: dict[Any, str] = {}
        self.keypoints: dict[Any, list[str]] = {}
        self.edges: dict[Any, list[tuple[int, int]]] = {}
        for i, c in enumerate(categories):
            where = f"categories[{i}]"
            category_id = c.get("id")
            if not _is_id(category_id):
                raise r.fail(f"{where}.id", f"expected an integer id, got {category_id!r:.30}.")
            if category_id in self.names:
                raise r.fail(f"{where}.id", f"category id {category_id} is used twice.")
            self.names[category_id] = r.text(c.get("name"), f"{where}.name")
            points = c.get("keypoints") or []
            self.keypoints[category_id] = [
                r.text(k, f"{where}.keypoints[{j}]") for j, k in enumerate(r.seq(points, f"{where}.keypoints"))
            ]
            self.edges[category_id] = self._edges(c, where, len(self.keypoints[category_id]))
        self.ontology = ontology
        self.given = ontology is not None
        self.objects: dict[tuple[str, Shape], Object] = {}
        if ontology is not None:
            for obj in ontology.objects:
                self.objects.setdefault((obj.name, obj.shape), obj)

    def _edges(self, c: Mapping[str, Any], where: str, n: int) -> list[tuple[int, int]]:
        """A category's ``skeleton``: pairs of 1-based keypoint numbers."""
        edges = []
        for j, pair in enumerate(self.r.seq(c.get("skeleton") or [], f"{where}.skeleton")):
            a, b = self.r.numbers(pair, f"{where}.skeleton[{j}]", 2)
            if not (a.is_integer() and b.is_integer() and 1 <= a <= n and 1 <= b <= n):
                raise self.r.fail(
                    f"{where}.skeleton[{j}]", f"expected two keypoint numbers from 1 to {n}, got {pair!r:.30}."
                )
            edges.append((int(a) - 1, int(b) - 1))
        return edges

    def template(self, category: Any, annotations: list[Mapping[str, Any]]) -> SkeletonTemplate | None:
        """A category's skeleton template: its keypoints where they sit, on average, in their boxes.

        COCO names the keypoints and the edges but keeps no drawing of the template; a keypoint
        never labelled goes on a circle.
        """
        names = self.keypoints.get(category) or []
        if not names:
            return None
        sums = np.zeros((len(names), 3))
        for a in annotations:
            box, values = a.get("bbox"), a.get("keypoints")
            if a.get("category_id") != category or not _has_area(box) or not isinstance(values, list):
                continue
            assert isinstance(box, list)
            for k in range(min(len(names), len(values) // 3)):
                x, y, v = values[3 * k : 3 * k + 3]
                if all(isinstance(t, (int, float)) and not isinstance(t, bool) for t in (x, y, v)) and v > 0:
                    rel = ((x - box[0]) / box[2], (y - box[1]) / box[3])
                    if all(math.isfinite(t) for t in rel):
                        sums[k] += (*rel, 1)
        nodes = []
        for k, name in enumerate(names):
            if sums[k, 2]:
                nodes.append((name, sums[k, 0] / sums[k, 2], sums[k, 1] / sums[k, 2]))
            else:
                angle = 2 * math.pi * k / len(names)
                nodes.append((name, 0.5 + 0.5 * math.sin(angle), 0.5 - 0.5 * math.cos(angle)))
        return SkeletonTemplate(nodes, [(names[a], names[b]) for a, b in self.edges.get(category, [])])

    def plan(self, annotations: list[Mapping[str, Any]]) -> None:
        """Make the ontology (when none was given): an object per category and shape used, crowd flags as attributes."""
        if self.given:
            return
        self.ontology = Ontology()
        used: dict[Any, dict[Shape, bool]] = {}
        for a in annotations:
            category = a.get("category_id")
            if not _is_id(category) or category not in self.names:
                continue
            shapes = used.setdefault(category, {})
            for shape in _shapes_of(a):
                shapes[shape] = shapes.get(shape, False) or (a.get("iscrowd") == 1 and shape is not Shape.SKELETON)
        for category, name in self.names.items():
            shapes = used.get(category) or {Shape.SKELETON if self.keypoints[category] else Shape.BOUNDING_BOX: False}
            for shape, crowd in shapes.items():
                template = self.template(category, annotations) if shape is Shape.SKELETON else None
                obj = self.ontology.add_object(name, shape, skeleton=template)
                if crowd:
                    flag = obj.add_attribute(RadioAttribute, CROWD)
                    flag.add_option("0")
                    flag.add_option("1")
                self.objects[(name, shape)] = obj

    def object(self, category: Any, shape: Shape, where: str) -> Object:
        name = self.names.get(category) if _is_id(category) else None
        if name is None:
            raise self.r.fail(f"{where}.category_id", f"no category has id {category!r:.20}.")
        found = self.objects.get((name, shape))
        if found is None:
            raise self.r.fail(
                where,
                f"category {name!r} has a {shape.value} annotation, but the ontology has no {shape.value} object "
                f"named {name!r}.",
            )
        return found


def _is_id(value: Any) -> bool:
    """Whether a value can be a COCO id (ints, and the strings some tools write)."""
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def _clip(x: float, y: float, w: int, h: int) -> PointCoordinate:
    return PointCoordinate(min(max(x / w, 0.0), 1.0), min(max(y / h, 0.0), 1.0))


def _box(r: Reader, a: Mapping[str, Any], where: str, w: int, h: int) -> BoundingBoxCoordinates:
    x, y, bw, bh = r.numbers(r.field(a, "bbox", where), f"{where}.bbox", 4)
    if bw < 0 or bh < 0:
        raise r.fail(f"{where}.bbox", f"a box needs a width and height of at least 0, got {bw:g} x {bh:g}.")
    top_left = _clip(x, y, w, h)
    return BoundingBoxCoordinates(
        height=min(bh / h, 1.0 - top_left.y),
        width=min(bw / w, 1.0 - top_left.x),
        top_left_x=top_left.x,
        top_left_y=top_left.y,
    )


def _polygon(r: Reader, seg: list[Any], where: str, w: int, h: int) -> PolygonCoordinates:
    parts = []
    for k, ring in enumerate(seg):
        values = r.numbers(ring, f"{where}.segmentation[{k}]")
        if len(values) < 6 or len(values) % 2:
            raise r.fail(
                f"{where}.segmentation[{k}]", f"a polygon needs 3 or more x, y pairs, got {len(values)} numbers."
            )
        parts.append([[_clip(values[i], values[i + 1], w, h) for i in range(0, len(values), 2)]])
    return PolygonCoordinates(polygons=parts)


def _mask(r: Reader, seg: Mapping[str, Any], where: str, w: int, h: int) -> BitmaskCoordinates:
    size = r.numbers(r.field(seg, "size", f"{where}.segmentation"), f"{where}.segmentation.size", 2)
    if (int(size[0]), int(size[1])) != (h, w) or not all(float(v).is_integer() for v in size):
        raise r.fail(f"{where}.segmentation.size", f"the mask is {size[1]:g} x {size[0]:g}, its image {w} x {h}.")
    r.mask_size(w, h, f"{where}.segmentation")
    counts = r.field(seg, "counts", f"{where}.segmentation")
    if isinstance(counts, str):
        try:
            runs = rle_text_counts(counts, w * h)
        except ValueError as e:
            raise r.fail(f"{where}.segmentation.counts", f"malformed compressed RLE ({e}).") from None
    else:
        runs = [
            r.integer(v, f"{where}.segmentation.counts[{i}]", 0, w * h)
            for i, v in enumerate(r.seq(counts, f"{where}.segmentation.counts"))
        ]
    total = sum(runs)
    if total != w * h:
        raise r.fail(
            f"{where}.segmentation.counts", f"the runs add up to {total}; a {w} x {h} mask has {w * h} pixels."
        )
    return BitmaskCoordinates.from_rle(runs, h, w)


def _skeleton(r: Reader, a: Mapping[str, Any], where: str, names: list[str], w: int, h: int) -> SkeletonCoordinates:
    values = r.numbers(a.get("keypoints"), f"{where}.keypoints")
    if len(values) % 3:
        raise r.fail(f"{where}.keypoints", f"expected x, y, v triples, got {len(values)} numbers.")
    nodes = []
    for i in range(0, len(values), 3):
        v = int(values[i + 2])
        if v <= 0:
            continue
        point = _clip(values[i], values[i + 1], w, h)
        name = names[i // 3] if i // 3 < len(names) else f"k{i // 3}"
        nodes.append(SkeletonCoordinate(point.x, point.y, name, _FROM_VISIBILITY.get(v, "visible")))
    return SkeletonCoordinates(nodes)


def _plain_instances(
    r: Reader, plain: _Plain, a: Mapping[str, Any], where: str, w: int, h: int
) -> list[tuple[ObjectInstance, GeometricCoordinates]]:
    """The instances one plain COCO annotation holds: its outline (or box), and its skeleton if it has keypoints."""
    category = a.get("category_id")
    out: list[tuple[ObjectInstance, GeometricCoordinates]] = []
    seg = a.get("segmentation")
    for shape in _shapes_of(a):
        if shape is Shape.SKELETON:
            obj = plain.object(category, shape, where)
            out.append((obj.create_instance(), _skeleton(r, a, where, plain.keypoints[category], w, h)))
            continue
        obj = plain.object(category, shape, where)
        if obj.shape is Shape.POLYGON:
            outline: GeometricCoordinates = _polygon(r, seg, where, w, h)  # type: ignore[arg-type]
        elif obj.shape is Shape.BITMASK:
            outline = _mask(r, seg, where, w, h)  # type: ignore[arg-type]
        else:
            outline = _box(r, a, where, w, h)
        instance = obj.create_instance()
        crowd = next((x for x in obj.attributes if x.name == CROWD and isinstance(x, RadioAttribute)), None)
        if crowd is not None:
            flag = 1 if a.get("iscrowd") == 1 else 0
            instance.set_answer(crowd.options[flag], crowd)
        out.append((instance, outline))
    return out


class _Images:
    """The rows and spaces of a COCO file's images, each image id mapped to its (space, frame)."""

    def __init__(self, r: Reader, ontology: Ontology, media: Path | None, allow_outside: bool) -> None:
        self.r = r
        self.ontology = ontology
        self.media = media
        self.allow_outside = allow_outside
        self.rows: dict[Any, LabelRow] = {}
        self.frames: dict[Any, tuple[Space, int]] = {}

    def add(self, i: int, image: Mapping[str, Any]) -> None:
        r = self.r
        where = f"images[{i}]"
        image_id = image.get("id")
        if not _is_id(image_id):
            raise r.fail(f"{where}.id", f"expected an integer id, got {image_id!r:.30}.")
        if image_id in self.frames:
            raise r.fail(f"{where}.id", f"image id {image_id} is used twice.")
        width, height = r.image_size(image.get("width"), image.get("height"), f"{where}.")
        ext = image.get("labelspace")
        if isinstance(ext, Mapping):
            space, frame = self._own(ext, f"{where}.labelspace", width, height)
        else:
            row = self.rows[("plain", image_id)] = LabelRow(self.ontology)
            name = image.get("file_name")
            file_name = r.text(name, f"{where}.file_name") if name is not None else str(image_id)
            space = row.add_image_space(file_name, width, height)
            if name is not None:
                space.media = media_path(r, file_name, f"{where}.file_name", self.media, self.allow_outside)
            frame = 0
        self.frames[image_id] = (space, frame)

    def _own(self, ext: Mapping[str, Any], where: str, width: int, height: int) -> tuple[Space, int]:
        """A labelspace image record: its row, its space (made on first sight) and frame."""
        r = self.r
        row_key = r.integer(ext.get("row", 0), f"{where}.row", 0)
        row = self.rows.get(row_key)
        if row is None:
            row = self.rows[row_key] = LabelRow(self.ontology)
        space_id = r.text(ext.get("space"), f"{where}.space")
        spaces = {s.space_id: s for s in row.list_spaces()}
        space = spaces.get(space_id)
        if space is None:
            kind = ext.get("kind")
            if kind in ("video", "medical"):
                frames = r.frame_count(ext.get("number_of_frames"), f"{where}.number_of_frames")
                if kind == "video":
                    fps = ext.get("fps")
                    space = row.add_video_space(
                        space_id, frames, width, height, r.number(fps, f"{where}.fps") if fps is not None else None
                    )
                else:
                    space = row.add_medical_space(space_id, frames, width, height, str(ext.get("modality")))
            elif kind in ("image", None):
                space = row.add_image_space(space_id, width, height)
            else:
                raise r.fail(f"{where}.kind", f"expected 'image', 'video' or 'medical', got {kind!r:.30}.")
            if ext.get("media") is not None:
                space.media = media_path(r, ext["media"], f"{where}.media", self.media, self.allow_outside)
        elif (space.width, space.height) != (width, height):
            raise r.fail(where, f"space {space_id!r} is {space.width} x {space.height} elsewhere in the file.")
        frame = r.integer(ext.get("frame", 0), f"{where}.frame", 0, space.number_of_frames - 1)
        for j, item in enumerate(r.objects(ext.get("classifications", []), f"{where}.classifications")):
            with r.at(f"{where}.classifications[{j}]"):
                _put_classification(r, space, frame, item, self.ontology, f"{where}.classifications[{j}]")
        return space, frame


def _put_classification(
    r: Reader, space: Space, frame: int, item: Mapping[str, Any], ontology: Ontology, where: str
) -> None:
    classification = ontology.get_child_by_hash(
        r.text(item.get("feature_node_hash"), f"{where}.feature_node_hash"), Classification
    )
    classification_hash = r.text(item.get("classification_hash"), f"{where}.classification_hash")
    instance = next(
        (c for c in space.get_classification_instances() if c.classification_hash == classification_hash),
        None,
    ) or ClassificationInstance(classification, classification_hash)
    set_static_answers(instance, _decode_answers(r, classification, item.get("answers", {}), f"{where}.answers"))
    meta = metadata_from_dict(r, item, where)
    put_classification(space, instance, frame, **meta)


def _decode_answers(r: Reader, element: Object | Classification, raw: Any, where: str) -> list[tuple[Attribute, Any]]:
    known = attributes_by_hash(element)
    out = []
    for attribute_hash, value in r.obj(raw, where).items():
        attribute = known.get(attribute_hash)
        if attribute is None:
            raise r.fail(where, f"{attribute_hash!r:.30} is not an attribute of {element.title!r}.")
        out.append((attribute, decode_answer(attribute, value, f"{where}")))
    return out


def _own_instance(
    r: Reader,
    ontology: Ontology,
    ext: Mapping[str, Any],
    category_objects: list[Object],
    instances: dict[str, ObjectInstance],
    where: str,
) -> tuple[ObjectInstance, GeometricCoordinates]:
    """The instance and coordinates of a labelspace annotation record."""
    object_hash = r.text(ext.get("object_hash"), f"{where}.object_hash")
    feature = ext.get("feature_node_hash")
    obj = (
        ontology.get_child_by_hash(r.text(feature, f"{where}.feature_node_hash"), Object)
        if feature is not None
        else category_objects[0]
    )
    instance = instances.get(object_hash)
    if instance is None:
        instance = instances[object_hash] = obj.create_instance(object_hash)
        set_static_answers(instance, _decode_answers(r, obj, ext.get("answers", {}), f"{where}.answers"))
    elif instance.ontology_item is not obj:
        raise r.fail(f"{where}.object_hash", f"{object_hash!r} is an instance of another object elsewhere in the file.")
    if "row" in ext:
        values = r.numbers(ext["row"], f"{where}.row", LAYOUTS[obj.shape].stride)
        return instance, coordinates_from_checked_row(obj.shape, values)
    return instance, coordinates_from_dict(
        LAYOUTS[obj.shape].coordinates, ext.get("coordinates"), f"{where}.coordinates"
    )


@reading
def from_coco(
    d: Any,
    ontology: Ontology | None = None,
    *,
    source: str = "COCO",
    media: Path | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    results: list[Any] | None = None,
) -> Project:
    """A project from a COCO dict: labelspace's own, or plain COCO from elsewhere.

    Args:
        d: The decoded COCO dataset.
        ontology: The ontology to read with; built from the categories when None (labelspace's
            own files carry theirs).
        source: Named in error messages.
        media: The folder image file names are relative to.
        allow_outside_media: Keep file names that leave that folder.
        limits: Sizes the file may declare.
        results: Detections of a COCO results file to add onto the dataset's images, as predictions.

    Raises:
        FormatError: Naming the source, the record and the field of the first malformed value;
            nothing is returned half-built.
    """
    from labelspace.model.native import matching_ontology

    r = Reader(source, limits)
    data = r.obj(d, "file")
    categories = r.objects(data.get("categories", []), "categories")
    images = r.objects(data.get("images", []), "images")
    annotations = r.objects(data.get("annotations", []), "annotations")
    detections = r.objects(results, "results") if results is not None else []
    extension = data.get("labelspace")
    if isinstance(extension, Mapping):
        with r.at("labelspace.ontology"):
            own = Ontology.from_dict(r.obj(extension.get("ontology"), "labelspace.ontology"))
            ontology = matching_ontology(ontology, own)
    plain = _Plain(r, categories, ontology)
    plain.plan([*annotations, *detections])
    assert plain.ontology is not None
    ontology = plain.ontology
    category_objects: dict[Any, list[Object]] = {}
    for i, c in enumerate(categories):
        ext = c.get("labelspace")
        if isinstance(ext, Mapping):
            with r.at(f"categories[{i}].labelspace"):
                hashes = ext.get("objects") or [ext.get("feature_node_hash")]
                category_objects[c.get("id")] = [
                    ontology.get_child_by_hash(h, Object) for h in r.seq(hashes, f"categories[{i}].labelspace.objects")
                ]
    images_ = _Images(r, ontology, media, allow_outside_media)
    for i, image in enumerate(images):
        with r.at(f"images[{i}]"):
            images_.add(i, image)
    instances: dict[str, ObjectInstance] = {}
    placer = Placer(r)  # frames of videos are put in bulk once all are read
    for i, a in enumerate([*annotations, *detections]):
        where = f"annotations[{i}]" if i < len(annotations) else f"results[{i - len(annotations)}]"
        with r.at(where):
            _put_annotation(
                r,
                a,
                where,
                images_,
                plain,
                ontology,
                category_objects,
                instances,
                prediction=i >= len(annotations),
                placer=placer,
            )
    placer.place()
    project = Project(ontology)
    for row in images_.rows.values():
        project.add_row(row)
    return project


def _put_annotation(
    r: Reader,
    a: Mapping[str, Any],
    where: str,
    images: _Images,
    plain: _Plain,
    ontology: Ontology,
    category_objects: dict[Any, list[Object]],
    instances: dict[str, ObjectInstance],
    prediction: bool,
    placer: Placer,
) -> None:
    image_id = a.get("image_id")
    if not _is_id(image_id) or image_id not in images.frames:
        raise r.fail(f"{where}.image_id", f"no image has id {image_id!r:.30}.")
    space, frame = images.frames[image_id]
    ext = a.get("labelspace")
    if isinstance(ext, Mapping):
        category = a.get("category_id")
        if not _is_id(category) or category not in category_objects:
            raise r.fail(f"{where}.category_id", f"no labelspace category has id {category!r:.20}.")
        instance, coordinates = _own_instance(
            r, ontology, ext, category_objects[category], instances, f"{where}.labelspace"
        )
        placed = [(instance, coordinates)]
        meta = metadata_from_dict(r, ext, f"{where}.labelspace")
    else:
        placed = _plain_instances(r, plain, a, where, space.width, space.height)
        meta = {}
        if prediction:
            meta = {"confidence": r.number(a.get("score"), f"{where}.score", 0.0, 1.0), "manual_annotation": False}
    for instance, coordinates in placed:
        placer.put(where, space, instance, frame, coordinates, meta)
        dynamic = ext.get("dynamic", {}) if isinstance(ext, Mapping) else {}
        if dynamic:
            for attribute, value in _decode_answers(r, instance.ontology_item, dynamic, f"{where}.labelspace.dynamic"):
                placer.answer(where, space, instance, attribute, frame, value)


# --- I/O ------------------------------------------------------------------------------------------


@reading
def load_coco(
    path: str | os.PathLike[str],
    ontology: Ontology | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    dataset: str | os.PathLike[str] | None = None,
) -> Project:
    """Read a COCO JSON file (a dataset, or a results file with its ``dataset``) into a project.

    Raises:
        FormatError: Naming the file, the record and the field of the first malformed value.
    """
    options = ReadOptions(
        ontology,
        Path(media) if media is not None else None,
        allow_outside_media,
        limits,
        Path(dataset) if dataset is not None else None,
    )
    return read_coco(Path(path), options)


def from_coco_file(d: Any, path: Path, o: ReadOptions) -> Project:
    """A project from a decoded COCO file: a dataset, or a results list read onto ``o.dataset``."""
    common = o.reading(path)
    if isinstance(d, list):
        if o.dataset is None:
            raise Reader(str(path)).fail(
                "",
                "a COCO results file (a list of detections) needs the dataset it predicts on; pass it with "
                "--dataset (dataset=... in Python).",
            )
        return from_coco(
            read_json(o.dataset, o.limits), o.ontology, source=f"{path} on {o.dataset}", results=d, **common
        )
    return from_coco(d, o.ontology, source=str(path), **common)


def read_coco(path: Path, o: ReadOptions) -> Project:
    """Read a COCO file with the options ``labelspace.formats.load`` was given."""
    return from_coco_file(read_json(path, o.limits), path, o)


def write_coco(project: Project, path: Path, o: WriteOptions) -> Counter[str]:
    """Write a COCO file with the options ``labelspace.formats.save`` was given."""
    return warn_dropped("COCO", save_coco(project, path, progress=o.progress))
