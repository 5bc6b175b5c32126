"""Encoding a label row into the native dict (see ``labelspace.model.native``)."""

from __future__ import annotations

from array import array
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.model._tracks import ClassificationTrack, ObjectTrack
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.native.columns import pack_column
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


def classification_track_to_dict(track: ClassificationTrack, renumber: Any, packed: bool) -> dict[str, Any]:
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
        "meta": pack_column(renumber[track.runs.np_tags()], packed),
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


def track_to_dict(track: ObjectTrack, renumber: npt.NDArray[np.int64], packed: bool) -> dict[str, Any]:
    """An object's track on a space: runs, values, metadata indexes (through ``renumber``), dynamic answers."""
    runs = track.runs
    d: dict[str, Any] = {
        "object_hash": track.instance.object_hash,
        "starts": pack_column(runs.np_starts(), packed),
        "ends": pack_column(runs.np_ends(), packed),
        "meta": pack_column(renumber[runs.np_tags()], packed),
    }
    if runs.stride > 0:
        d["rows"] = pack_column(np.frombuffer(runs.rows[:], np.float64), packed)
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
