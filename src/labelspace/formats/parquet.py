"""Parquet: one table row per frame annotation, for DuckDB, Polars or Spark (the ``labelspace[parquet]`` extra).

Columns:

========================  ================================================================
``row``, ``space``        which label row (0-based) and space the annotation is on
``kind``                  ``"object"`` or ``"classification"``
``frame``                 the frame (0 on an image; 0 for a global classification)
``instance``              the object or classification hash
``class``                 the object's name, or the classification's title
``feature``               its ``feature_node_hash`` in the ontology
``shape``                 the object's shape (null for classifications)
``x``, ``y``, ``w``,      normalised box / rotated box / point values (null otherwise)
``h``, ``theta``
``geometry``              other shapes' coordinates as JSON (labelspace's native form)
``created_at`` ...        the annotation's metadata (timestamps in UTC, to the microsecond)
``answers``               static answers and, for objects, that frame's dynamic answers, as
                          JSON keyed by attribute name (labels for options)
``is_global``             for classifications: describes the whole space
========================  ================================================================

The file's metadata holds the ontology, the spaces (size, frames, media), the answers by instance
and the dynamic answers as runs (packed columns of starts, ends and answer indexes, as in the
native format), so labelspace reads its own files back to the same labels. Rows are written in
batches, never all in memory, to a temporary file that replaces the target once complete.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from labelspace.formats._atomic import atomic_file
from labelspace.formats._common import (
    Reader,
    attributes_by_hash,
    put_classification,
    reading,
    set_static_answers,
    warn_dropped,
)
from labelspace.formats._frames import object_frames
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._paths import media_path
from labelspace.formats._placing import Placer
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, parse_json
from labelspace.model.errors import MissingExtraError
from labelspace.model.frames import Range
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.layouts import LAYOUTS, check_rows, coordinates_from_row, to_row
from labelspace.model.native import (
    DictReader,
    answer_label,
    coordinates_from_dict,
    coordinates_to_dict,
    decode_answer,
    encode_answer,
    matching_ontology,
    pack_column,
)
from labelspace.model.ontology import Classification, Object, Ontology
from labelspace.model.project import Project
from labelspace.model.spaces import ImageSpace, MultiFrameSpace, Space

FORMAT = "labelspace.parquet"
VERSION = 2
BATCH = 10_000
_ROW_COLUMNS = ("x", "y", "w", "h", "theta")


def _arrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise MissingExtraError("Parquet needs pyarrow: pip install 'labelspace[parquet]'.") from None
    return pyarrow


def is_parquet(path: Path) -> bool:
    """Whether a file starts with Parquet's magic bytes."""
    if not path.is_file():
        return False
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PAR1"
    except OSError:
        return False


def _schema(pa: Any) -> Any:
    timestamp = pa.timestamp("us", tz="UTC")
    return pa.schema(
        [
            ("row", pa.int32()),
            ("space", pa.string()),
            ("kind", pa.string()),
            ("frame", pa.int32()),
            ("instance", pa.string()),
            ("class", pa.string()),
            ("feature", pa.string()),
            ("shape", pa.string()),
            ("x", pa.float64()),
            ("y", pa.float64()),
            ("w", pa.float64()),
            ("h", pa.float64()),
            ("theta", pa.float64()),
            ("geometry", pa.string()),
            ("created_at", timestamp),
            ("created_by", pa.string()),
            ("last_edited_at", timestamp),
            ("last_edited_by", pa.string()),
            ("confidence", pa.float64()),
            ("manual_annotation", pa.bool_()),
            ("answers", pa.string()),
            ("is_global", pa.bool_()),
        ]
    )


# --- export ---------------------------------------------------------------------------------------


def _meta_columns(meta: Any) -> dict[str, Any]:
    return {
        "created_at": meta.created_at,
        "created_by": meta.created_by,
        "last_edited_at": meta.last_edited_at,
        "last_edited_by": meta.last_edited_by,
        "confidence": meta.confidence,
        "manual_annotation": meta.manual_annotation,
    }


def _records(project: Project) -> Iterator[dict[str, Any]]:
    for r, row in enumerate(project.rows):
        for space in row.list_spaces():
            for instance in space.get_object_instances():
                static = {a.name: answer_label(v) for a, v in instance.get_static_answers()}
                plain = orjson.dumps(static).decode()
                fixed = {
                    "row": r,
                    "space": space.space_id,
                    "kind": "object",
                    "instance": instance.object_hash,
                    "class": instance.ontology_item.name,
                    "feature": instance.feature_hash,
                    "shape": instance.ontology_item.shape.value,
                    "is_global": None,
                }
                last: tuple[Any, Any, dict[str, Any]] | None = None
                for frame, coordinates, meta, dynamic in object_frames(space, instance):
                    if last is None or last[0] is not coordinates or last[1] is not meta:
                        values = to_row(coordinates)  # worked out once per run, not per frame
                        shared = {
                            **fixed,
                            **{
                                name: values[i] if values is not None and i < len(values) else None
                                for i, name in enumerate(_ROW_COLUMNS)
                            },
                            "geometry": None if values is not None else json.dumps(coordinates_to_dict(coordinates)),
                            **_meta_columns(meta),
                        }
                        last = (coordinates, meta, shared)
                    extra = {a.name: answer_label(v) for a, v in dynamic}
                    answers = orjson.dumps({**static, **extra}).decode() if extra else plain
                    yield {**last[2], "frame": frame, "answers": answers}
            for cview in space.get_annotations("classification"):
                cinstance: ClassificationInstance = cview.classification_instance
                yield {
                    "row": r,
                    "space": space.space_id,
                    "kind": "classification",
                    "frame": cview.frame,
                    "instance": cinstance.classification_hash,
                    "class": cinstance.ontology_item.title,
                    "feature": cinstance.feature_hash,
                    "shape": None,
                    **dict.fromkeys(_ROW_COLUMNS),
                    "geometry": None,
                    **_meta_columns(cview.metadata),
                    "answers": orjson.dumps(
                        {a.name: answer_label(v) for a, v in cinstance.get_static_answers()}
                    ).decode(),
                    "is_global": cview.is_global,
                }


def _file_metadata(project: Project) -> dict[str, Any]:
    rows = []
    for row in project.rows:
        spaces = row.list_spaces()
        objects = {o.object_hash: o for s in spaces for o in s.get_object_instances()}
        classifications = {c.classification_hash: c for s in spaces for c in s.get_classification_instances()}
        rows.append(
            {
                "spaces": [
                    {
                        "id": s.space_id,
                        "kind": s.kind,
                        "width": s.width,
                        "height": s.height,
                        "number_of_frames": s.number_of_frames,
                        "fps": getattr(s, "fps", None),
                        "modality": getattr(s, "modality", None),
                        "media": s.media,
                    }
                    for s in spaces
                ],
                "objects": {
                    h: {a.feature_node_hash: encode_answer(v) for a, v in o.get_static_answers()}
                    for h, o in objects.items()
                },
                "classifications": {
                    h: {a.feature_node_hash: encode_answer(v) for a, v in c.get_static_answers()}
                    for h, c in classifications.items()
                },
                "dynamic": {
                    f"{s.space_id}|{o.object_hash}": {
                        runs.attribute.feature_node_hash: {
                            "starts": pack_column(runs.starts, packed=True),
                            "ends": pack_column(runs.ends, packed=True),
                            "answer_ids": pack_column(runs.answer_ids, packed=True),
                            "answers": [encode_answer(a) for a in runs.answers],
                        }
                        for runs in s.get_dynamic_answer_runs(o)
                    }
                    for s in spaces
                    if isinstance(s, MultiFrameSpace)
                    for o in s.get_object_instances()
                },
            }
        )
    return {"format": FORMAT, "version": VERSION, "ontology": project.ontology.to_dict(), "rows": rows}


def to_parquet(project: Project | LabelRow) -> Any:
    """A project (or one row) as a pyarrow Table in memory (``save_parquet`` streams the same rows to a file)."""
    pa = _arrow()
    if isinstance(project, LabelRow):
        project = Project.of(project)
    schema = _schema(pa).with_metadata({b"labelspace": json.dumps(_file_metadata(project)).encode()})
    return pa.Table.from_pylist(list(_records(project)), schema=schema)


def save_parquet(project: Project | LabelRow, path: str | os.PathLike[str], progress: bool = True) -> Counter[str]:
    """Write a project as a Parquet table, in batches, with a progress bar, atomically; nothing is dropped."""
    from tqdm import tqdm

    if isinstance(project, LabelRow):
        project = Project.of(project)
    pa = _arrow()
    schema = _schema(pa).with_metadata({b"labelspace": json.dumps(_file_metadata(project)).encode()})
    total = sum(
        sum(len(r) for r in s.get_object_frames(o))
        for row in project.rows
        for s in row.list_spaces()
        for o in s.get_object_instances()
    )
    with (
        atomic_file(path) as f,
        pa.parquet.ParquetWriter(f, schema) as writer,
        tqdm(total=total, desc="Parquet", unit="annotation", disable=not progress or total < 50_000) as bar,
    ):
        batch: list[dict[str, Any]] = []
        for record in _records(project):
            batch.append(record)
            if len(batch) >= BATCH:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                bar.update(len(batch))
                batch = []
        if batch:  # the rest (an empty table would add an empty row group)
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            bar.update(len(batch))
    return Counter()


# --- import ---------------------------------------------------------------------------------------


class _Rows:
    """What the table's metadata says: rows, spaces, and each instance's static answers."""

    def __init__(self, r: Reader, ontology: Ontology, meta: Mapping[str, Any], media: Path | None, allow: bool) -> None:
        self.r = r
        self.ontology = ontology
        self.rows: list[LabelRow] = []
        self.spaces: dict[tuple[int, str], Space] = {}
        self.instances: dict[str, Any] = {}
        self.answers: dict[str, Mapping[str, Any]] = {}
        for i, row_meta in enumerate(r.objects(meta.get("rows", []), "metadata.rows")):
            row = LabelRow(ontology)
            for j, s in enumerate(r.objects(row_meta.get("spaces", []), f"metadata.rows[{i}].spaces")):
                at = f"metadata.rows[{i}].spaces[{j}]"
                space_id = r.text(s.get("id"), f"{at}.id")
                width, height = r.image_size(s.get("width"), s.get("height"), f"{at}.")
                with r.at(at):
                    kind = s.get("kind")
                    if kind == "video":
                        fps = s.get("fps")
                        frames = r.frame_count(s.get("number_of_frames"), f"{at}.number_of_frames")
                        rate = r.number(fps, f"{at}.fps") if fps is not None else None
                        space: Space = row.add_video_space(space_id, frames, width, height, rate)
                    elif kind == "medical":
                        frames = r.frame_count(s.get("number_of_frames"), f"{at}.number_of_frames")
                        space = row.add_medical_space(space_id, frames, width, height, str(s.get("modality")))
                    elif kind == "image":
                        space = row.add_image_space(space_id, width, height)
                    else:
                        raise r.fail(f"{at}.kind", f"expected 'image', 'video' or 'medical', got {kind!r:.30}.")
                if s.get("media") is not None:
                    space.media = media_path(r, s.get("media"), f"{at}.media", media, allow)
                self.spaces[(i, space_id)] = space
            for key in ("objects", "classifications"):
                for h, answers in r.obj(row_meta.get(key, {}), f"metadata.rows[{i}].{key}").items():
                    self.answers[h] = r.obj(answers, f"metadata.rows[{i}].{key}.{h}")
            self.rows.append(row)

    def instance(self, instance_hash: str, feature: str, where: str) -> Any:
        found = self.instances.get(instance_hash)
        if found is None:
            element = self.ontology.get_child_by_hash(feature)
            if not isinstance(element, (Object, Classification)):
                raise self.r.fail(where, f"feature {feature!r:.30} is not an object or classification of the ontology.")
            found = self.instances[instance_hash] = element.create_instance(instance_hash)
            known = attributes_by_hash(element)
            answers = []
            for attribute_hash, raw in self.answers.get(instance_hash, {}).items():
                attribute = known.get(attribute_hash)
                if attribute is None:
                    raise self.r.fail(
                        f"metadata answers of {instance_hash!r:.30}", f"{attribute_hash!r:.30} is not an attribute."
                    )
                answers.append((attribute, decode_answer(attribute, raw, "answers")))
            set_static_answers(found, answers)
        elif found.feature_hash != feature:
            raise self.r.fail(where, f"instance {instance_hash!r:.30} is of another class in an earlier table row.")
        return found


def _put(r: Reader, record: Mapping[str, Any], rows: _Rows, where: str, placer: Placer) -> None:
    key = (record.get("row"), record.get("space"))
    space = rows.spaces.get(key)  # type: ignore[arg-type]
    if space is None:
        raise r.fail(f"{where}: row, space", f"no space {key[1]!r:.30} in row {key[0]!r:.10} of the file's metadata.")
    meta: dict[str, Any] = {}
    for name in ("created_at", "last_edited_at"):
        value = record.get(name)
        if value is not None:
            if not isinstance(value, datetime):
                raise r.fail(f"{where}: {name}", "expected a timestamp.")
            meta[name] = value.astimezone(timezone.utc)
    for name in ("created_by", "last_edited_by"):
        if record.get(name) is not None:
            meta[name] = r.text(record[name], f"{where}: {name}", empty=True)
    if record.get("confidence") is not None:
        meta["confidence"] = r.number(record["confidence"], f"{where}: confidence", 0.0, 1.0)
    if record.get("manual_annotation") is not None:
        meta["manual_annotation"] = r.boolean(record["manual_annotation"], f"{where}: manual_annotation")
    frame = r.integer(record.get("frame"), f"{where}: frame", 0, space.number_of_frames - 1)
    instance = rows.instance(
        r.text(record.get("instance"), f"{where}: instance"), r.text(record.get("feature"), f"{where}: feature"), where
    )
    if record.get("kind") == "object":
        if not isinstance(instance, ObjectInstance):
            raise r.fail(f"{where}: kind", "an object row names a classification.")
        shape = instance.ontology_item.shape
        if record.get("geometry") is not None:
            geometry = parse_json(
                r.text(record["geometry"], f"{where}: geometry").encode(), f"{r.source}: {where}: geometry"
            )
            coordinates = coordinates_from_dict(LAYOUTS[shape].coordinates, geometry, "geometry")
        else:
            values = [r.number(record.get(c), f"{where}: {c}") for c in _ROW_COLUMNS[: LAYOUTS[shape].stride]]
            if isinstance(space, ImageSpace):
                check_rows(shape, np.array([values], dtype=np.float64))
                coordinates = coordinates_from_row(shape, values)
            else:  # checked with the rest of the track when placed
                coordinates = coordinates_from_row(shape, values)
        placer.put(where, space, instance, frame, coordinates, meta)
    elif record.get("kind") == "classification":
        if not isinstance(instance, ClassificationInstance):
            raise r.fail(f"{where}: kind", "a classification row names an object.")
        put_classification(space, instance, frame, **meta)
    else:
        raise r.fail(f"{where}: kind", f"expected 'object' or 'classification', got {record.get('kind')!r:.30}.")


def _dynamic(r: Reader, rows: _Rows, meta: Mapping[str, Any], version: int) -> None:
    reader = DictReader()
    for i, row_meta in enumerate(r.objects(meta.get("rows", []), "metadata.rows")):
        for key, tracks in r.obj(row_meta.get("dynamic", {}), f"metadata.rows[{i}].dynamic").items():
            at = f"metadata.rows[{i}].dynamic.{key[:60]}"
            space_id, _, object_hash = key.partition("|")
            space = rows.spaces.get((i, space_id))
            instance = rows.instances.get(object_hash)
            if not isinstance(space, MultiFrameSpace) or instance is None:
                raise r.fail(at, "names no object on a video or volume of this row.")
            known = attributes_by_hash(instance.ontology_item)
            for attribute_hash, runs in r.obj(tracks, at).items():
                where = f"{at}.{attribute_hash[:30]}"
                attribute = known.get(attribute_hash)
                if attribute is None or not attribute.dynamic:
                    raise r.fail(where, "not a dynamic attribute of the object.")
                runs = r.obj(runs, where)
                with r.at(where):
                    starts, ends, index = (
                        reader.numbers(runs, k, where, np.int64) for k in ("starts", "ends", "answer_ids")
                    )
                if not len(starts) == len(ends) == len(index):
                    raise r.fail(where, "starts, ends and answer_ids differ in length.")
                listed = r.seq(runs.get("answers", []), f"{where}.answers")
                pairs = listed if version < 2 else list(enumerate(listed))  # version 1 kept [id, answer] pairs
                for k, pair in enumerate(pairs):
                    answer_id, raw = r.seq(pair, f"{where}.answers[{k}]") if version < 2 else pair
                    answer = decode_answer(attribute, raw, f"{where}.answers[{k}]")
                    chosen = index == answer_id
                    ranges = [Range(int(a), int(b)) for a, b in zip(starts[chosen], ends[chosen], strict=True)]
                    if ranges:
                        with r.at(where):
                            space.set_dynamic_answer(instance, ranges, answer, attribute)


@reading
def from_parquet(
    batches: Any,
    metadata: Any,
    ontology: Ontology | None = None,
    *,
    source: str = "Parquet",
    media: Path | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """A project from record batches (dicts by column, e.g. ``RecordBatch.to_pylist()``) and the file's metadata.

    Raises:
        FormatError: Naming the source, the table row or metadata field, and the column.
    """
    r = Reader(source, limits)
    meta = r.obj(metadata, "metadata")
    if meta.get("format") != FORMAT:
        raise r.fail("metadata.format", f"expected {FORMAT!r}; was this file written by labelspace?")
    version = r.integer(meta.get("version"), "metadata.version", 1, VERSION)
    with r.at("metadata.ontology"):
        own = Ontology.from_dict(r.obj(meta.get("ontology"), "metadata.ontology"))
        own = matching_ontology(ontology, own)
    with r.at("metadata"):
        rows = _Rows(r, own, meta, media, allow_outside_media)
    offset = 0
    placer = Placer(r)
    for batch in batches:
        for i, record in enumerate(batch):
            where = f"row {offset + i}"
            with r.at(where):
                _put(r, record, rows, where, placer)
        offset += len(batch)
    placer.place()
    with r.at("metadata"):
        _dynamic(r, rows, meta, version)
    project = Project(own)
    for row in rows.rows:
        project.add_row(row)
    return project


@reading
def load_parquet(
    path: str | os.PathLike[str],
    ontology: Ontology | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """Read a Parquet file written by ``save_parquet``; errors name the file, the table row and the column."""
    pa = _arrow()
    source = Path(path)
    r = Reader(str(source), limits)
    try:
        parquet = pa.parquet.ParquetFile(str(source))
        raw = (parquet.schema_arrow.metadata or {}).get(b"labelspace")
    except (pa.ArrowException, OSError, ValueError) as e:
        raise r.fail("", f"not a Parquet file labelspace can read ({str(e)[:120]}).") from None
    if raw is None:
        raise r.fail("", "not written by labelspace (its metadata has no 'labelspace' entry).")
    if len(raw) > limits.max_file_bytes:
        raise r.fail("metadata", f"larger than the reader's limit of {limits.max_file_bytes:,} bytes.")

    def batches() -> Iterator[list[dict[str, Any]]]:
        try:
            for batch in parquet.iter_batches(batch_size=BATCH):
                yield batch.to_pylist()
        except (pa.ArrowException, OSError, ValueError) as e:
            raise r.fail("", f"the table cannot be read ({str(e)[:120]}).") from None

    return from_parquet(
        batches(),
        parse_json(raw, f"{source}: metadata"),
        ontology,
        source=str(source),
        media=Path(media) if media is not None else source.parent,
        allow_outside_media=allow_outside_media,
        limits=limits,
    )


def read_parquet(path: Path, o: ReadOptions) -> Project:
    """Read Parquet with the options ``labelspace.formats.load`` was given."""
    return load_parquet(path, o.ontology, **o.reading(path))


def write_parquet(project: Project, path: Path, o: WriteOptions) -> Counter[str]:
    """Write Parquet with the options ``labelspace.formats.save`` was given."""
    return warn_dropped("Parquet", save_parquet(project, path, progress=o.progress))
