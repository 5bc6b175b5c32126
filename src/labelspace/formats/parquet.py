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
and the dynamic answers as runs (packed columns of starts, ends and answer ids, as in the native
format), so labelspace reads its own files back to the same labels. Rows are written in batches,
never all in memory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import timezone
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from labelspace.formats.coco import _read_meta
from labelspace.model.errors import LabelRowError, MissingExtraError, OntologyError
from labelspace.model.frames import Range
from labelspace.model.instances import ClassificationInstance, ObjectInstance, _Answerable
from labelspace.model.label_row import LabelRow
from labelspace.model.native import (
    _out,
    _Reader,
    answer_label,
    answers_by_name,
    coordinates_from_dict,
    coordinates_to_dict,
    decode_answer,
    encode_answer,
)
from labelspace.model.ontology import Classification, Object, Ontology
from labelspace.model.project import Project
from labelspace.model.spaces import LAYOUTS, MultiFrameSpace, Space, check_rows, coordinates_from_row

FORMAT = "labelspace.parquet"
VERSION = 1
BATCH = 10_000
_ROW_COLUMNS = ("x", "y", "w", "h", "theta")


def _arrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise MissingExtraError("Parquet needs pyarrow: pip install 'labelspace[parquet]'.") from None
    return pyarrow


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


def _readable(instance: _Answerable, extra: dict[str, Any], static: dict[int, dict[str, Any]]) -> str:
    """The answers column: static answers by attribute name (worked out once per instance), then ``extra``."""
    known = static.get(id(instance))
    if known is None:
        known = static[id(instance)] = answers_by_name(instance)
    return orjson.dumps({**known, **extra} if extra else known).decode()


def _meta_columns(space: Space, record: int) -> dict[str, Any]:
    meta = space._meta.record(record)
    return {
        "created_at": meta.created_at,
        "created_by": meta.created_by,
        "last_edited_at": meta.last_edited_at,
        "last_edited_by": meta.last_edited_by,
        "confidence": meta.confidence,
        "manual_annotation": meta.manual_annotation,
    }


def _records(project: Project) -> Iterator[dict[str, Any]]:
    static: dict[int, dict[str, Any]] = {}  # by id of the live instance, for this export
    for r, row in enumerate(project.rows):
        for space in row.list_spaces():
            for view in space.get_annotations("object"):
                instance: ObjectInstance = view.object_instance
                record: dict[str, Any] = {
                    "row": r,
                    "space": space.space_id,
                    "kind": "object",
                    "frame": view.frame,
                    "instance": instance.object_hash,
                    "class": instance.ontology_item.name,
                    "feature": instance.feature_hash,
                    "shape": instance.ontology_item.shape.value,
                    "is_global": None,
                    **_meta_columns(space, view._record),
                }
                row_values = getattr(view.coordinates, "_row", None)
                for i, name in enumerate(_ROW_COLUMNS):
                    record[name] = row_values[i] if row_values is not None and i < len(row_values) else None
                record["geometry"] = (
                    None if row_values is not None else json.dumps(coordinates_to_dict(view.coordinates))
                )
                dynamic: dict[str, Any] = {}
                if isinstance(space, MultiFrameSpace):
                    for answers in space._objects[instance.object_hash].dynamic.values():
                        run = answers.runs.find(view.frame)
                        if run >= 0:
                            dynamic[answers.attribute.name] = answer_label(answers.answers[answers.runs.tags[run]])
                record["answers"] = _readable(instance, dynamic, static)
                yield record
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
                    **_meta_columns(space, cview._record),
                    "answers": _readable(cinstance, {}, static),
                    "is_global": cview.is_global,
                }


def _file_metadata(project: Project) -> dict[str, Any]:
    rows = []
    for row in project.rows:
        spaces = []
        for space in row.list_spaces():
            spaces.append(
                {
                    "id": space.space_id,
                    "kind": space.kind,
                    "width": space.width,
                    "height": space.height,
                    "number_of_frames": space.number_of_frames,
                    "fps": getattr(space, "fps", None),
                    "modality": getattr(space, "modality", None),
                    "media": space.media,
                }
            )
        answers = {
            "objects": {
                o.object_hash: {a.feature_node_hash: encode_answer(v) for a, v in o._answer_items()}
                for s in row.list_spaces()
                for o in s.get_object_instances()
            },
            "classifications": {
                c.classification_hash: {a.feature_node_hash: encode_answer(v) for a, v in c._answer_items()}
                for s in row.list_spaces()
                for c in s.get_classification_instances()
            },
            "dynamic": {
                f"{s.space_id}|{o.object_hash}": {
                    t.attribute.feature_node_hash: {
                        "starts": _out(t.runs.np_starts(), packed=True),
                        "ends": _out(t.runs.np_ends(), packed=True),
                        "answer_ids": _out(t.runs.np_tags(), packed=True),
                        "answers": [[i, encode_answer(a)] for i, a in t.answers.items()],
                    }
                    for t in s._objects[o.object_hash].dynamic.values()
                }
                for s in row.list_spaces()
                if isinstance(s, MultiFrameSpace)
                for o in s.get_object_instances()
            },
        }
        rows.append({"spaces": spaces, **answers})
    return {"format": FORMAT, "version": VERSION, "ontology": project.ontology.to_dict(), "rows": rows}


def save_parquet(project: Project | LabelRow, path: str | os.PathLike[str], progress: bool = True) -> None:
    """Write a project as a Parquet table, in batches, with a progress bar; atomically."""
    from tqdm import tqdm

    if isinstance(project, LabelRow):
        project = Project.of(project)
    pa = _arrow()
    schema = _schema(pa).with_metadata({b"labelspace": json.dumps(_file_metadata(project)).encode()})
    target = Path(path)
    tmp = target.with_name(f".{target.name}.partial")
    total = sum(
        sum(sum(len(r) for r in s.get_object_frames(o)) for o in s.get_object_instances())
        for row in project.rows
        for s in row.list_spaces()
    )
    try:
        with (
            pa.parquet.ParquetWriter(str(tmp), schema) as writer,
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
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def load_parquet(path: str | os.PathLike[str], ontology: Ontology | None = None) -> Project:
    """Read a Parquet file written by ``save_parquet``; errors name the file, the table row and the column."""
    from labelspace.model.native import matching_ontology

    pa = _arrow()
    source = str(path)
    try:
        parquet = pa.parquet.ParquetFile(source)
    except (pa.ArrowInvalid, OSError) as e:
        raise LabelRowError(f"{source}: not a Parquet file ({e}).") from None
    raw = (parquet.schema_arrow.metadata or {}).get(b"labelspace")
    if raw is None:
        raise LabelRowError(f"{source}: not written by labelspace (its metadata has no 'labelspace' entry).")
    meta = json.loads(raw)
    try:
        own = Ontology.from_dict(meta["ontology"])
    except (OntologyError, KeyError) as e:
        raise LabelRowError(f"{source}: metadata.ontology: {getattr(e, 'message', e)}") from None
    own = matching_ontology(ontology, own, f"{source}: ")
    try:
        rows = _Rows(own, meta)
    except (LabelRowError, OntologyError) as e:
        raise LabelRowError(f"{source}: metadata: {e.message}") from None
    except (KeyError, TypeError, ValueError) as e:
        raise LabelRowError(f"{source}: metadata: malformed ({type(e).__name__}: {e}).") from None
    offset = 0
    for batch in parquet.iter_batches(batch_size=BATCH):
        for i, record in enumerate(batch.to_pylist()):
            where = f"{source}: row {offset + i}"
            try:
                _put(record, rows)
            except (LabelRowError, OntologyError) as e:
                raise LabelRowError(f"{where}: {e.message}") from None
            except (KeyError, TypeError, ValueError) as e:
                raise LabelRowError(f"{where}: malformed value ({type(e).__name__}: {e}).") from None
        offset += batch.num_rows
    for r, row_meta in enumerate(meta["rows"]):
        for key, tracks in row_meta.get("dynamic", {}).items():
            space_id, object_hash = key.split("|")
            space = rows.spaces[(r, space_id)]
            assert isinstance(space, MultiFrameSpace)
            for attribute_hash, runs in tracks.items():
                attribute = own.get_child_by_hash(attribute_hash)
                at = f"{source}: metadata rows[{r}].dynamic.{key}.{attribute_hash}"
                reader = _Reader()
                starts, ends, index = (reader.numbers(runs, k, at, np.int64) for k in ("starts", "ends", "answer_ids"))
                if not len(starts) == len(ends) == len(index):
                    raise LabelRowError(f"{at}: starts, ends and answer_ids differ in length.")
                for k, (answer_id, raw) in enumerate(runs["answers"]):
                    answer = decode_answer(attribute, raw, f"{at}.answers[{k}]")  # type: ignore[arg-type]
                    chosen = index == answer_id
                    ranges = [Range(int(a), int(b)) for a, b in zip(starts[chosen], ends[chosen], strict=True)]
                    if ranges:
                        space.set_dynamic_answer(rows.instances[object_hash], ranges, answer, attribute)  # type: ignore[arg-type]
    project = Project(own)
    for row in rows.rows:
        project.add_row(row)
    return project


class _Rows:
    """What the table's metadata says: rows, spaces, and each instance's static answers."""

    def __init__(self, ontology: Ontology, meta: dict[str, Any]) -> None:
        self.ontology = ontology
        self.rows: list[LabelRow] = []
        self.spaces: dict[tuple[int, str], Space] = {}
        self.instances: dict[str, Any] = {}
        self.answers: dict[str, dict[str, Any]] = {}
        for r, row_meta in enumerate(meta.get("rows", [])):
            row = LabelRow(ontology)
            for s in row_meta["spaces"]:
                if s["kind"] == "video":
                    space: Space = row.add_video_space(
                        s["id"], s["number_of_frames"], s["width"], s["height"], s.get("fps")
                    )
                elif s["kind"] == "medical":
                    space = row.add_medical_space(
                        s["id"], s["number_of_frames"], s["width"], s["height"], s["modality"]
                    )
                else:
                    space = row.add_image_space(s["id"], s["width"], s["height"])
                space.media = s.get("media")
                self.spaces[(r, s["id"])] = space
            self.answers.update(row_meta.get("objects", {}))
            self.answers.update(row_meta.get("classifications", {}))
            self.rows.append(row)

    def instance(self, instance_hash: str, feature: str) -> Any:
        found = self.instances.get(instance_hash)
        if found is None:
            element = self.ontology.get_child_by_hash(feature)
            if not isinstance(element, (Object, Classification)):
                raise LabelRowError(f"feature {feature!r} is not an object or classification of the ontology.")
            found = self.instances[instance_hash] = element.create_instance(instance_hash)
            for attribute_hash, raw in self.answers.get(instance_hash, {}).items():
                attribute = self.ontology.get_child_by_hash(attribute_hash)
                found._answers[attribute_hash] = decode_answer(attribute, raw, "answers")  # type: ignore[arg-type]
        return found


def _put(record: dict[str, Any], rows: _Rows) -> None:
    space = rows.spaces[(record["row"], record["space"])]
    meta = _read_meta(
        {
            k: v.astimezone(timezone.utc).isoformat() if k.endswith("_at") and v is not None else v
            for k, v in record.items()
            if v is not None
        }
    )
    frame = int(record["frame"])
    instance = rows.instance(record["instance"], record["feature"])
    if record["kind"] == "object":
        shape = instance.ontology_item.shape
        if record["geometry"] is not None:
            coordinates = coordinates_from_dict(LAYOUTS[shape].coordinates, json.loads(record["geometry"]), "geometry")
        else:
            values = [record[c] for c in _ROW_COLUMNS[: LAYOUTS[shape].stride]]
            check_rows(shape, np.array([values], dtype=np.float64))
            coordinates = coordinates_from_row(shape, values)
        if isinstance(space, MultiFrameSpace):
            space.put_object_instance(instance, frame, coordinates, **meta)
        else:
            space.put_object_instance(instance, coordinates, **meta)  # type: ignore[attr-defined]
    elif isinstance(space, MultiFrameSpace):
        if record["is_global"]:
            space.put_classification_instance(instance, **meta)
        else:
            space.put_classification_instance(instance, frame, **meta)
    else:
        space.put_classification_instance(instance, **meta)  # type: ignore[attr-defined]
