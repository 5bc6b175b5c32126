"""Encoding a label row into the native dict (see ``labelspace.model.native``)."""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.model._tracks import ClassificationTrack, ObjectTrack
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.native.columns import PACK_AT, Packing, pack_column
from labelspace.model.native.values import coordinates_to_dict, encode_answer
from labelspace.model.spaces import MedicalSpace, Space, VideoSpace

FORMAT = "labelspace.label_row"
VERSION = 1


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


def space_head(space: Space) -> dict[str, Any]:
    """What a space is, without its labels: id, kind, size, frames, fps or modality, media."""
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
    return d


def space_metadata(space: Space, used: npt.NDArray[np.int64], packed: bool) -> tuple[dict[str, Any], Any]:
    """The metadata records ``used`` (indexes into the space's table, in the order to write them).

    Returns the ``metadata`` dict and ``renumber``, which maps a record of the space to its index
    in what is written (-1 for records not written). Users are listed in the order the written
    records first name them.
    """
    meta = space._meta
    if used.size <= PACK_AT:  # a few records (an instance's): plain Python is several times faster than numpy
        return few_metadata(meta, used.tolist())
    renumber = np.full(max(len(meta), 1), -1, np.int64)
    renumber[used] = np.arange(used.size)

    def picked(values: array[Any], dtype: type) -> Any:
        return np.frombuffer(values[:], dtype)[used] if values else np.empty(0, dtype)

    # Only the users that a record written here names, in the order they were first seen: a row
    # whose edits were undone writes what it wrote before them.
    created_by, last_edited_by = picked(meta.created_by, np.int32), picked(meta.last_edited_by, np.int32)
    named = np.unique(np.concatenate((created_by, last_edited_by)))
    named = named[named >= 0]
    users = np.full(len(meta.users) + 1, -1, np.int32)  # index -1 (no user) stays -1
    users[named] = np.arange(named.size, dtype=np.int32)
    metadata = {
        "created_at": pack_column(picked(meta.created_at, np.int64), packed),
        "created_by": pack_column(users[created_by], packed),
        "last_edited_at": pack_column(picked(meta.last_edited_at, np.int64), packed),
        "last_edited_by": pack_column(users[last_edited_by], packed),
        "confidence": pack_column(picked(meta.confidence, np.float64), packed),
        "manual_annotation": pack_column(np.frombuffer(meta.manual[:], np.int8)[used].astype(bool), packed),
        "users": [meta.users[i] for i in named.tolist()],
    }
    return metadata, renumber


def few_metadata(meta: Any, used: list[int], *, canonical: bool = False) -> tuple[dict[str, Any], Any]:
    """``space_metadata`` of a space's metadata table ``meta``, for at most ``PACK_AT`` records.

    The same result, without numpy's per-call cost. With ``canonical`` the users are listed in the
    order the records first name them (creator before editor), as a fragment lists them, instead
    of in the table's order.
    """
    if not len(meta.created_at):
        used = []
    if len(used) == 1:  # one record (most instances of an image): written out, several times faster
        i = used[0]
        by, edited = meta.created_by[i], meta.last_edited_by[i]
        named = [by] if by >= 0 else []  # creator, then editor
        if edited >= 0 and edited != by:
            named.append(edited)
        if not canonical:
            named.sort()
        return {
            "created_at": [meta.created_at[i]],
            "created_by": [named.index(by) if by >= 0 else -1],
            "last_edited_at": [meta.last_edited_at[i]],
            "last_edited_by": [named.index(edited) if edited >= 0 else -1],
            "confidence": [meta.confidence[i]],
            "manual_annotation": [bool(meta.manual[i])],
            "users": [meta.users[u] for u in named],
        }, {i: 0}
    renumber = {record: k for k, record in enumerate(used)}  # see renumbered()
    created_by = [meta.created_by[i] for i in used]
    last_edited_by = [meta.last_edited_by[i] for i in used]
    first = dict.fromkeys(u for pair in zip(created_by, last_edited_by, strict=True) for u in pair if u >= 0)
    named = list(first) if canonical else sorted(first)
    users = {u: k for k, u in enumerate(named)}
    metadata = {
        "created_at": [meta.created_at[i] for i in used],
        "created_by": [users.get(u, -1) for u in created_by],
        "last_edited_at": [meta.last_edited_at[i] for i in used],
        "last_edited_by": [users.get(u, -1) for u in last_edited_by],
        "confidence": [meta.confidence[i] for i in used],
        "manual_annotation": [bool(meta.manual[i]) for i in used],
        "users": [meta.users[i] for i in named],
    }
    return metadata, renumber


def renumbered(renumber: Any, records: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """``records`` through ``renumber``: an array indexed by record, or (from ``few_metadata``) a dict."""
    if isinstance(renumber, dict):
        return np.fromiter((renumber[r] for r in records.tolist()), np.int64, records.size)
    out: npt.NDArray[np.int64] = renumber[records]
    return out


def classification_track_to_dict(track: ClassificationTrack, renumber: Any, packed: Packing) -> dict[str, Any]:
    """A classification's track on a space: its global record, or its runs."""
    if track.global_record is not None:
        return {
            "classification_hash": track.instance.classification_hash,
            "global_meta": int(renumber[track.global_record]),
        }
    return {
        "classification_hash": track.instance.classification_hash,
        "starts": pack_column(track.runs.np_starts(), packed),
        "ends": pack_column(track.runs.np_ends(), packed),
        "meta": pack_column(renumbered(renumber, track.runs.np_tags()), packed),
    }


def _space_to_dict(space: Space, packed: bool) -> dict[str, Any]:
    d = space_head(space)
    tracks = list(space._objects.values())
    ctracks = list(space._classifications.values())
    used_parts = [t.runs.np_tags() for t in tracks] + [t.runs.np_tags() for t in ctracks]
    used_parts.append(np.array([t.global_record for t in ctracks if t.global_record is not None], np.int64))
    used = np.unique(np.concatenate(used_parts)) if used_parts else np.empty(0, np.int64)
    d["metadata"], renumber = space_metadata(space, used, packed)
    d["objects"] = [track_to_dict(t, renumber, packed) for t in tracks]
    d["classifications"] = [classification_track_to_dict(t, renumber, packed) for t in ctracks]
    return d


def track_to_dict(track: ObjectTrack, renumber: npt.NDArray[np.int64], packed: Packing) -> dict[str, Any]:
    """An object's track on a space: runs, values, metadata indexes (through ``renumber``), dynamic answers."""
    runs = track.runs
    if not packed or len(runs) <= PACK_AT:  # lists either way: made without numpy's per-call cost
        d: dict[str, Any] = {
            "object_hash": track.instance.object_hash,
            "starts": runs.starts.tolist(),
            "ends": runs.ends.tolist(),
            "meta": [int(renumber[t]) for t in runs.tags],
        }
    else:
        d = {
            "object_hash": track.instance.object_hash,
            "starts": pack_column(runs.np_starts(), packed),
            "ends": pack_column(runs.np_ends(), packed),
            "meta": pack_column(renumbered(renumber, runs.np_tags()), packed),
        }
    if runs.stride > 0:
        d["rows"] = (
            runs.rows.tolist()
            if not packed or len(runs.rows) <= PACK_AT
            else pack_column(np.frombuffer(runs.rows[:], np.float64), packed)
        )
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
                "starts": pack_column(answers.runs.np_starts(), packed),
                "ends": pack_column(answers.runs.np_ends(), packed),
                "answer": pack_column(np.fromiter((position[t] for t in tags.tolist()), np.int64, tags.size), packed),
            }
        )
    if dynamic:
        d["dynamic"] = dynamic
    return d
