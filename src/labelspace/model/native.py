"""The native format of a label row: a dict (JSON) that holds every field, losslessly.

Version 1 looks like this (``[...]`` are JSON arrays of numbers)::

    {
      "format": "labelspace.label_row", "version": 1,
      "ontology": {...},                                     # Ontology.to_dict()
      "objects": [{"object_hash": "1a2b3c4d", "feature_node_hash": "...",
                   "answers": {"<attribute hash>": <answer>}}],          # static answers
      "classifications": [{"classification_hash": "...", "feature_node_hash": "...", "answers": {...}}],
      "spaces": [{
        "id": "cam-1", "kind": "video", "width": 1920, "height": 1080, "number_of_frames": 10000,
        "fps": 25.0,                                         # video only; "modality" for medical
        "media": "videos/cam-1.mp4",                         # where the pixels are, if known
        "metadata": {"created_at": [...], "last_edited_at": [...],       # µs since the epoch, UTC
                     "created_by": [...], "last_edited_by": [...],        # index into users, -1 none
                     "confidence": [...], "manual_annotation": [...], "users": ["ann@x.org"]},
        "objects": [{"object_hash": "...", "starts": [...], "ends": [...], "meta": [...],
                     "rows": [...],                          # boxes, rotated boxes, points: flat rows
                     "coordinates": [{...}],                 # other shapes: one dict per run
                     "dynamic": [{"attribute": "<hash>", "answers": [<answer>, ...],
                                  "starts": [...], "ends": [...], "answer": [...]}]}],
        "classifications": [{"classification_hash": "...", "global_meta": 0}     # global
                            | {"classification_hash": "...", "starts": [...], "ends": [...], "meta": [...]}]
      }]
    }

Every ``[...]`` column may instead be packed, as ``{"dtype": "<i4", "base64": "..."}``: the
base64 of the column's little-endian bytes, with dtype ``<i4``, ``<i8``, ``<f8`` or ``|b1``.
Saved files pack long columns (they load without parsing a number at a time); ``to_dict``
gives plain lists. Readers accept both everywhere.

Annotations are runs of frames: run ``i`` covers frames ``starts[i]..ends[i]`` (inclusive) with
metadata record ``meta[i]`` and value row ``i`` (``rows[i*k:(i+1)*k]``, ``k`` = 4 for boxes
``x, y, w, h``, 5 for rotated boxes ``x, y, w, h, theta``, 2 for points ``x, y``; all normalised).
An answer is a str (text), a number (numeric), an option hash (radio) or a list of option hashes
(checklist). Images are spaces of one frame.
"""

from __future__ import annotations

import base64
import binascii
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from labelspace.model._meta import MetaTable
from labelspace.model._runs import RunTable
from labelspace.model.coordinates import (
    BitmaskCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)
from labelspace.model.errors import LabelRowError, OntologyError
from labelspace.model.instances import ClassificationInstance, ObjectInstance, StoredAnswer, _Answerable, check_answer
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    Classification,
    Object,
    Ontology,
    Option,
    RadioAttribute,
    walk_attributes,
)
from labelspace.model.spaces import (
    LAYOUTS,
    ImageSpace,
    MedicalSpace,
    Space,
    VideoSpace,
    _AnswerTrack,
    _ClassificationTrack,
    _ObjectTrack,
    check_rows,
)

FORMAT = "labelspace.label_row"
VERSION = 1


# --- encoding -----------------------------------------------------------------------------------


PACK_AT = 64  # columns longer than this are packed as base64 when packing
_PACKED_DTYPES = {"<i4": np.int32, "<i8": np.int64, "<f8": np.float64, "|b1": np.bool_}


def _out(values: npt.NDArray[Any], packed: bool) -> Any:
    if not packed or values.size <= PACK_AT:
        return values.tolist()
    if values.dtype.kind == "i":
        values = (
            values.astype("<i4")
            if values.size == 0 or (values.min() >= -(2**31) and values.max() < 2**31)
            else values.astype("<i8")
        )
    elif values.dtype.kind == "f":
        values = values.astype("<f8")
    return {"dtype": values.dtype.str, "base64": base64.b64encode(values.tobytes()).decode("ascii")}


def encode_answer(value: StoredAnswer) -> Any:
    """An answer in its native JSON form."""
    if isinstance(value, Option):
        return value.feature_node_hash
    if isinstance(value, tuple):
        return [o.feature_node_hash for o in value]
    return value


def answer_label(value: StoredAnswer) -> Any:
    """An answer as people and other tools read it: option labels instead of hashes."""
    if isinstance(value, Option):
        return value.label
    if isinstance(value, tuple):
        return [o.label for o in value]
    return value


def answers_by_name(instance: _Answerable) -> dict[str, Any]:
    """An instance's static answers keyed by attribute name, options by label."""
    return {attribute.name: answer_label(value) for attribute, value in instance._answer_items()}


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


def label_row_to_dict(row: LabelRow, *, packed: bool, with_ontology: bool = True) -> dict[str, Any]:
    """Encode a row; with ``packed``, long numeric columns are packed as base64 (see the module docstring).

    Without ``with_ontology`` the ontology is left out (a project stores it once for all its rows).
    """
    objects: dict[str, ObjectInstance] = {}
    classifications: dict[str, ClassificationInstance] = {}
    for space in row.list_spaces():
        for o in space.get_object_instances():
            objects.setdefault(o.object_hash, o)
        for c in space.get_classification_instances():
            classifications.setdefault(c.classification_hash, c)
    head: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    if with_ontology:
        head["ontology"] = row.ontology.to_dict()
    return {
        **head,
        "objects": [
            {
                "object_hash": o.object_hash,
                "feature_node_hash": o.feature_hash,
                "answers": {a.feature_node_hash: encode_answer(v) for a, v in o._answer_items()},
            }
            for o in objects.values()
        ],
        "classifications": [
            {
                "classification_hash": c.classification_hash,
                "feature_node_hash": c.feature_hash,
                "answers": {a.feature_node_hash: encode_answer(v) for a, v in c._answer_items()},
            }
            for c in classifications.values()
        ],
        "spaces": [_space_to_dict(space, packed) for space in row.list_spaces()],
    }


def _space_to_dict(space: Space, packed: bool) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": space.space_id,
        "kind": space.kind,
        "width": space.width,
        "height": space.height,
        "number_of_frames": space.number_of_frames,
    }
    if isinstance(space, VideoSpace):
        d["fps"] = space.fps
    if isinstance(space, MedicalSpace):
        d["modality"] = space.modality
    if space.media is not None:
        d["media"] = space.media
    meta = space._meta
    tracks = list(space._objects.values())
    ctracks = list(space._classifications.values())
    used_parts = [t.runs.np_tags() for t in tracks] + [t.runs.np_tags() for t in ctracks]
    used_parts.append(np.array([t.global_record for t in ctracks if t.global_record is not None], np.int64))
    used = np.unique(np.concatenate(used_parts)) if used_parts else np.empty(0, np.int64)
    renumber = np.full(max(len(meta), 1), -1, np.int64)
    renumber[used] = np.arange(used.size)

    def column(values: array[Any], dtype: type) -> Any:
        return _out(np.frombuffer(values[:], dtype)[used] if values else np.empty(0, dtype), packed)

    d["metadata"] = {
        "created_at": column(meta.created_at, np.int64),
        "created_by": column(meta.created_by, np.int32),
        "last_edited_at": column(meta.last_edited_at, np.int64),
        "last_edited_by": column(meta.last_edited_by, np.int32),
        "confidence": column(meta.confidence, np.float64),
        "manual_annotation": _out(np.frombuffer(meta.manual[:], np.int8)[used].astype(bool), packed),
        "users": list(meta.users),
    }
    d["objects"] = [_track_to_dict(t, renumber, packed) for t in tracks]
    d["classifications"] = [
        {"classification_hash": t.instance.classification_hash, "global_meta": int(renumber[t.global_record])}
        if t.global_record is not None
        else {
            "classification_hash": t.instance.classification_hash,
            "starts": _out(t.runs.np_starts(), packed),
            "ends": _out(t.runs.np_ends(), packed),
            "meta": _out(renumber[t.runs.np_tags()], packed),
        }
        for t in ctracks
    ]
    return d


def _track_to_dict(track: _ObjectTrack, renumber: npt.NDArray[np.int64], packed: bool) -> dict[str, Any]:
    runs = track.runs
    d: dict[str, Any] = {
        "object_hash": track.instance.object_hash,
        "starts": _out(runs.np_starts(), packed),
        "ends": _out(runs.np_ends(), packed),
        "meta": _out(renumber[runs.np_tags()], packed),
    }
    if runs.stride > 0:
        d["rows"] = _out(np.frombuffer(runs.rows[:], np.float64), packed)
    else:
        d["coordinates"] = [coordinates_to_dict(c) for c in runs.objects]  # type: ignore[arg-type]
    dynamic = []
    for answers in track.dynamic.values():
        ids = list(answers.answers)
        position = {answer_id: i for i, answer_id in enumerate(ids)}
        tags = answers.runs.np_tags()
        dynamic.append(
            {
                "attribute": answers.attribute.feature_node_hash,
                "answers": [encode_answer(answers.answers[i]) for i in ids],
                "starts": _out(answers.runs.np_starts(), packed),
                "ends": _out(answers.runs.np_ends(), packed),
                "answer": _out(np.fromiter((position[t] for t in tags.tolist()), np.int64, tags.size), packed),
            }
        )
    if dynamic:
        d["dynamic"] = dynamic
    return d


# --- decoding -----------------------------------------------------------------------------------


class _Reader:
    """Reads a native dict, raising ``LabelRowError`` that names the path of the first bad field."""

    @staticmethod
    def fail(path: str, message: str) -> LabelRowError:
        return LabelRowError(f"{path}: {message}")

    def map(self, d: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
        value = d.get(key)
        if not isinstance(value, Mapping):
            raise self.fail(f"{path}.{key}", f"expected an object, got {type(value).__name__}.")
        return value

    def seq(self, d: Mapping[str, Any], key: str, path: str) -> Sequence[Any]:
        value = d.get(key, [])
        if not isinstance(value, (list, tuple, np.ndarray)):
            raise self.fail(f"{path}.{key}", f"expected a list, got {type(value).__name__}.")
        return cast(Sequence[Any], value)

    def dicts(self, d: Mapping[str, Any], key: str, path: str) -> list[Mapping[str, Any]]:
        items = self.seq(d, key, path)
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise self.fail(f"{path}.{key}[{i}]", f"expected an object, got {type(item).__name__}.")
        return list(items)

    def text(self, d: Mapping[str, Any], key: str, path: str) -> str:
        value = d.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{path}.{key}", f"expected a non-empty string, got {value!r:.60}.")
        return value

    def integer(self, d: Mapping[str, Any], key: str, path: str) -> int:
        value = d.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{path}.{key}", f"expected an integer, got {value!r:.60}.")
        return value

    def numbers(self, d: Mapping[str, Any], key: str, path: str, dtype: type, n: int | None = None) -> Any:
        packed = d.get(key)
        if isinstance(packed, Mapping):
            unpacked = self.unpack(packed, f"{path}.{key}", dtype)
            if n is not None and unpacked.size != n:
                raise self.fail(f"{path}.{key}", f"expected {n} values, got {unpacked.size}.")
            return unpacked
        raw = self.seq(d, key, path)
        try:
            values: npt.NDArray[Any] = np.asarray(raw, dtype=dtype)
        except (TypeError, ValueError, OverflowError):
            raise self.fail(f"{path}.{key}", f"expected a list of {np.dtype(dtype).name} numbers.") from None
        if values.ndim != 1:
            raise self.fail(f"{path}.{key}", "expected a flat list of numbers.")
        if (
            np.issubdtype(values.dtype, np.integer)
            and len(raw)
            and not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in _sample(raw))
        ):
            raise self.fail(f"{path}.{key}", "expected a list of integers.")
        if n is not None and values.size != n:
            raise self.fail(f"{path}.{key}", f"expected {n} values, got {values.size}.")
        return values

    def unpack(self, packed: Mapping[str, Any], path: str, dtype: type) -> Any:
        kind = packed.get("dtype")
        data = packed.get("base64")
        if kind not in _PACKED_DTYPES or not isinstance(data, str):
            raise self.fail(path, f"a packed column needs dtype (one of {list(_PACKED_DTYPES)}) and base64 text.")
        try:
            raw = base64.b64decode(data, validate=True)
        except (ValueError, binascii.Error):
            raise self.fail(path, "the base64 text is malformed.") from None
        source = np.dtype(kind)
        if len(raw) % source.itemsize:
            raise self.fail(path, f"{len(raw)} bytes is not a whole number of {kind} values.")
        values = np.frombuffer(raw, source)
        target = np.dtype(dtype)
        if (target.kind in "iu") != (source.kind in "iu") or (target.kind == "b") != (source.kind == "b"):
            raise self.fail(path, f"expected {target.name} values, the column holds {source.name}.")
        return values.astype(target)


def _sample(values: Sequence[Any]) -> Iterable[Any]:
    # Checking every element of a million-long column in Python would cost more than the load.
    return values if len(values) <= 64 else [values[0], values[len(values) // 2], values[-1]]


def label_row_from_dict(d: Mapping[str, Any], ontology: Ontology | None = None) -> LabelRow:
    """Decode a native dict (see the module docstring); ``ontology``, if given, must match the file's."""
    r = _Reader()
    if not isinstance(d, Mapping):
        raise LabelRowError(f"A label row must be a JSON object, got {type(d).__name__}.")
    if d.get("format") != FORMAT:
        raise r.fail("format", f"expected {FORMAT!r}, got {d.get('format')!r:.60}; is this a labelspace file?")
    version = d.get("version")
    if version != VERSION:
        raise r.fail("version", f"this labelspace reads version {VERSION}, the file is version {version!r:.20}.")
    if "ontology" not in d and ontology is not None:
        own = ontology  # a project's row: the project holds the ontology
    else:
        try:
            own = Ontology.from_dict(r.map(d, "ontology", "label_row"))
        except OntologyError as e:
            raise LabelRowError(e.message) from None
    ontology = matching_ontology(ontology, own)
    row = LabelRow(ontology)
    objects = _instances(r, d, "objects", ontology)
    classifications = _instances(r, d, "classifications", ontology)
    for i, sd in enumerate(r.dicts(d, "spaces", "label_row")):
        _read_space(r, sd, f"spaces[{i}]", row, objects, classifications)  # type: ignore[arg-type]
    return row


def matching_ontology(given: Ontology | None, stored: Ontology, where: str = "") -> Ontology:
    """The ontology to read a file with: ``given`` if it matches the file's ``stored`` one, else an error.

    ``where`` (for example ``"labels.json: "``) prefixes the message. Without ``given``, the file's own.
    """
    if given is None:
        return stored
    difference = ontology_difference(given, stored)
    if difference:
        message = f"the ontology given does not match the file's: {difference}"
        raise LabelRowError(f"{where}{message}" if where else message[0].upper() + message[1:])
    return given


def ontology_difference(given: Ontology, stored: Ontology) -> str:
    """Describe the first difference between two ontologies, or return '' if they are equal."""
    a, b = given.to_dict(), stored.to_dict()
    if a == b:
        return ""
    for kind in ("objects", "classifications"):
        mine = {x["feature_node_hash"]: x for x in a[kind]}
        theirs = {x["feature_node_hash"]: x for x in b[kind]}
        for h, x in theirs.items():
            if h not in mine:
                return f"the file's {kind[:-1]} {x.get('name', h)!r} ({h}) is missing from the ontology given."
            if mine[h] != x:
                return f"{kind[:-1]} {x.get('name', h)!r} ({h}) differs."
        for h, x in mine.items():
            if h not in theirs:
                return f"the ontology given has {kind[:-1]} {x.get('name', h)!r} ({h}) that the file does not."
        if list(mine) != list(theirs):
            return f"the {kind} are in a different order."
    return "they differ."


def _instances(
    r: _Reader, d: Mapping[str, Any], key: str, ontology: Ontology
) -> dict[str, ObjectInstance | ClassificationInstance]:
    found: dict[str, ObjectInstance | ClassificationInstance] = {}
    kind = Object if key == "objects" else Classification
    hash_key = "object_hash" if key == "objects" else "classification_hash"
    for i, item in enumerate(r.dicts(d, key, "label_row")):
        path = f"{key}[{i}]"
        instance_hash = r.text(item, hash_key, path)
        feature = r.text(item, "feature_node_hash", path)
        try:
            element = ontology.get_child_by_hash(feature, kind)
        except OntologyError:
            raise r.fail(
                f"{path}.feature_node_hash", f"{feature!r} is not a {kind.__name__} of the ontology."
            ) from None
        instance = element.create_instance(instance_hash)
        answers = r.map(item, "answers", path) if "answers" in item else {}
        for attribute in walk_attributes(element.attributes):
            if attribute.feature_node_hash in answers:
                value = decode_answer(attribute, answers[attribute.feature_node_hash], f"{path}.answers")
                instance._answers[attribute.feature_node_hash] = value
        unknown = set(answers) - {a.feature_node_hash for a in walk_attributes(element.attributes)}
        if unknown:
            raise r.fail(f"{path}.answers", f"{sorted(unknown)[0]!r} is not an attribute of this {kind.__name__}.")
        if instance_hash in found:
            raise r.fail(f"{path}.{hash_key}", f"{instance_hash!r} appears twice.")
        found[instance_hash] = instance
    return found


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


def _read_space(
    r: _Reader,
    sd: Mapping[str, Any],
    path: str,
    row: LabelRow,
    objects: Mapping[str, ObjectInstance],
    classifications: Mapping[str, ClassificationInstance],
) -> None:
    space_id = r.text(sd, "id", path)
    kind = sd.get("kind")
    width, height = r.integer(sd, "width", path), r.integer(sd, "height", path)
    try:
        if kind == "image":
            space: Space = row.add_image_space(space_id, width, height)
        elif kind == "video":
            space = row.add_video_space(space_id, r.integer(sd, "number_of_frames", path), width, height, sd.get("fps"))
        elif kind == "medical":
            space = row.add_medical_space(
                space_id, r.integer(sd, "number_of_frames", path), width, height, str(sd.get("modality"))
            )
        else:
            raise r.fail(f"{path}.kind", f"expected 'image', 'video' or 'medical', got {kind!r:.40}.")
    except LabelRowError as e:
        raise LabelRowError(e.message if e.message.startswith(path) else f"{path}: {e.message}") from None
    media = sd.get("media")
    if media is not None and not isinstance(media, str):
        raise r.fail(f"{path}.media", f"expected a path string, got {type(media).__name__}.")
    space.media = media
    records = _read_meta(r, r.map(sd, "metadata", path), f"{path}.metadata", space._meta)
    for i, td in enumerate(r.dicts(sd, "objects", path)):
        tpath = f"{path}.objects[{i}]"
        instance = _lookup(r, objects, r.text(td, "object_hash", tpath), f"{tpath}.object_hash", space)
        assert isinstance(instance, ObjectInstance)
        track = _ObjectTrack(instance)
        _read_runs(r, td, tpath, track.runs, space, records)
        _read_values(r, td, tpath, track, space)
        for j, ad in enumerate(r.dicts(td, "dynamic", tpath)):
            _read_dynamic(r, ad, f"{tpath}.dynamic[{j}]", track, space)
        space._objects[instance.object_hash] = track
    for i, cd in enumerate(r.dicts(sd, "classifications", path)):
        cpath = f"{path}.classifications[{i}]"
        cinstance = _lookup(
            r, classifications, r.text(cd, "classification_hash", cpath), f"{cpath}.classification_hash", space
        )
        assert isinstance(cinstance, ClassificationInstance)
        ctrack = _ClassificationTrack(cinstance)
        if "global_meta" in cd:
            if not cinstance.is_global() or isinstance(space, ImageSpace):
                raise r.fail(
                    cpath, "only a global classification on a video or medical space is stored without frames."
                )
            ctrack.global_record = r.integer(cd, "global_meta", cpath)
            if not 0 <= ctrack.global_record < records:
                raise r.fail(f"{cpath}.global_meta", f"expected a metadata record 0..{records - 1}.")
        else:
            if cinstance.is_global() and not isinstance(space, ImageSpace):
                raise r.fail(cpath, "a global classification takes no frames; expected global_meta.")
            _read_runs(r, cd, cpath, ctrack.runs, space, records)
        space._classifications[cinstance.classification_hash] = ctrack
    _check_classification_overlaps(space, path)


def _lookup(
    r: _Reader, instances: Mapping[str, Any], instance_hash: str, path: str, space: Space
) -> ObjectInstance | ClassificationInstance:
    instance = instances.get(instance_hash)
    if instance is None:
        raise r.fail(path, f"{instance_hash!r} is not listed in the row's instances.")
    if instance_hash in space._objects or instance_hash in space._classifications:
        raise r.fail(path, f"{instance_hash!r} appears twice on this space.")
    return instance  # type: ignore[no-any-return]


def _read_meta(r: _Reader, md: Mapping[str, Any], path: str, meta: MetaTable) -> int:
    created_at = r.numbers(md, "created_at", path, np.int64)
    n = int(created_at.size)
    users = r.seq(md, "users", path)
    if not all(isinstance(u, str) for u in users):
        raise r.fail(f"{path}.users", "expected a list of strings.")
    created_by = r.numbers(md, "created_by", path, np.int32, n)
    last_edited_by = r.numbers(md, "last_edited_by", path, np.int32, n)
    for key, ids in (("created_by", created_by), ("last_edited_by", last_edited_by)):
        if ids.size and (ids.min() < -1 or ids.max() >= len(users)):
            raise r.fail(f"{path}.{key}", f"expected user indexes from -1 to {len(users) - 1}.")
    confidence = r.numbers(md, "confidence", path, np.float64, n)
    if confidence.size and not ((confidence >= 0) & (confidence <= 1)).all():
        raise r.fail(f"{path}.confidence", "expected values from 0.0 to 1.0.")
    if isinstance(md.get("manual_annotation"), Mapping):
        manual = r.numbers(md, "manual_annotation", path, np.bool_, n).tolist()
    else:
        manual = r.seq(md, "manual_annotation", path)
        if len(manual) != n or not all(isinstance(m, (bool, np.bool_)) for m in manual):
            raise r.fail(f"{path}.manual_annotation", f"expected {n} true/false values.")
    for user in users:
        meta.user(user)
    keys = zip(
        created_at.tolist(),
        created_by.tolist(),
        r.numbers(md, "last_edited_at", path, np.int64, n).tolist(),
        last_edited_by.tolist(),
        confidence.tolist(),
        [bool(m) for m in manual],
        strict=True,
    )
    for i, record in enumerate(keys):
        if meta.add(record) != i:
            raise r.fail(path, f"record {i} repeats an earlier record.")
    return n


def _read_runs(r: _Reader, d: Mapping[str, Any], path: str, runs: RunTable, space: Space, records: int) -> None:
    starts = r.numbers(d, "starts", path, np.int64)
    ends = r.numbers(d, "ends", path, np.int64, starts.size)
    tags = r.numbers(d, "meta", path, np.int64, starts.size)
    if starts.size == 0:
        raise r.fail(f"{path}.starts", "an annotation needs at least one run of frames.")
    if (ends < starts).any():
        i = int(np.flatnonzero(ends < starts)[0])
        raise r.fail(f"{path}.ends", f"run {i} ends ({ends[i]}) before it starts ({starts[i]}).")
    if starts.size > 1 and (starts[1:] <= ends[:-1]).any():
        i = int(np.flatnonzero(starts[1:] <= ends[:-1])[0]) + 1
        raise r.fail(
            f"{path}.starts",
            f"run {i} starts at {starts[i]}, inside or before run {i - 1}; runs must be sorted and disjoint.",
        )
    if starts[0] < 0 or ends[-1] >= space.number_of_frames:
        raise r.fail(path, f"frames must lie in 0..{space.number_of_frames - 1}, got {starts[0]}..{ends[-1]}.")
    if tags.min() < 0 or tags.max() >= records:
        raise r.fail(f"{path}.meta", f"expected metadata records 0..{records - 1}.")
    runs.starts = array("i", starts.astype(np.int32).tobytes())
    runs.ends = array("i", ends.astype(np.int32).tobytes())
    runs.tags = array("i", tags.astype(np.int32).tobytes())


def _read_values(r: _Reader, d: Mapping[str, Any], path: str, track: _ObjectTrack, space: Space) -> None:
    n = len(track.runs)
    shape = track.instance.ontology_item.shape
    layout = LAYOUTS[shape]
    if layout.stride > 0:
        rows = r.numbers(d, "rows", path, np.float64, n * layout.stride).reshape(n, layout.stride)
        try:
            check_rows(shape, rows)
        except LabelRowError as e:
            raise r.fail(f"{path}.rows", e.message) from None
        track.runs.rows = array("d", rows.tobytes())
        return
    items = r.seq(d, "coordinates", path)
    if len(items) != n:
        raise r.fail(f"{path}.coordinates", f"expected {n} coordinates, one per run, got {len(items)}.")
    decoded = [coordinates_from_dict(layout.coordinates, c, f"{path}.coordinates[{i}]") for i, c in enumerate(items)]
    for i, c in enumerate(decoded):
        try:
            space._check_coordinates(track.instance, c)
        except LabelRowError as e:
            raise r.fail(f"{path}.coordinates[{i}]", e.message) from None
    track.runs.objects = list(decoded)


def _read_dynamic(r: _Reader, d: Mapping[str, Any], path: str, track: _ObjectTrack, space: Space) -> None:
    attribute_hash = r.text(d, "attribute", path)
    attribute = next(
        (a for a in track.instance.ontology_item.attributes if a.feature_node_hash == attribute_hash and a.dynamic),
        None,
    )
    if attribute is None:
        raise r.fail(f"{path}.attribute", f"{attribute_hash!r} is not a dynamic attribute of this object.")
    answers = _AnswerTrack(attribute)
    values = [decode_answer(attribute, v, f"{path}.answers[{i}]") for i, v in enumerate(r.seq(d, "answers", path))]
    ids = [answers.id_for(v) for v in values]
    if len(set(ids)) != len(ids):
        raise r.fail(f"{path}.answers", "an answer is listed twice.")
    starts = r.numbers(d, "starts", path, np.int64)
    ends = r.numbers(d, "ends", path, np.int64, starts.size)
    which = r.numbers(d, "answer", path, np.int64, starts.size)
    if which.size and (which.min() < 0 or which.max() >= len(values)):
        raise r.fail(f"{path}.answer", f"expected answer indexes 0..{len(values) - 1}.")
    fake = {"starts": starts, "ends": ends, "meta": which}
    _read_runs(r, fake, path, answers.runs, space, max(len(values), 1))
    covered_starts, covered_ends = track.runs.covered(starts, ends)
    if int((covered_ends - covered_starts + 1).sum()) != int((ends - starts + 1).sum()):
        raise r.fail(path, "answers are given on frames the object is not on.")
    answers.drop_unused()
    if answers.runs:
        track.dynamic[attribute.feature_node_hash] = answers


def _check_classification_overlaps(space: Space, path: str) -> None:
    by_class: dict[int, list[_ClassificationTrack]] = {}
    for track in space._classifications.values():
        by_class.setdefault(id(track.instance.ontology_item), []).append(track)
    for tracks in by_class.values():
        if len(tracks) < 2:
            continue
        if any(t.global_record is not None for t in tracks):
            raise LabelRowError(f"{path}: two instances of a global classification on one space.")
        for i, a in enumerate(tracks):
            for b in tracks[i + 1 :]:
                clash = a.runs.first_clash(b.runs.np_starts(), b.runs.np_ends())
                if clash is not None:
                    raise LabelRowError(
                        f"{path}: two instances of classification {a.instance.ontology_item.title!r} on frame {clash}."
                    )
