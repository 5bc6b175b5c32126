"""One instance of a label row in native form: the unit a store keeps, writes and logs.

A fragment holds everything a row knows of one object or classification instance: its record
(feature, static answers) and its track on each space it is on, each with the metadata records
that track uses::

    {"kind": "object", "record": {"object_hash": ..., "feature_node_hash": ..., "answers": {...}},
     "spaces": [{"id": "cam-1", "metadata": {...}, "track": {"object_hash": ..., "starts": ...}}]}

``record``, ``metadata`` and ``track`` are exactly as in the native row dict (see
``labelspace.model.native``), so fragments decode with the same checks. A fragment is canonical:
its metadata records and users are listed in the order the track first uses them, so the same
instance gives the same fragment whatever else its row holds.

``row_head`` and a list of fragments make a row again (``label_row_from_fragments``), the way a
store opens one; ``put_fragment`` replaces one instance of a live row by a fragment (or removes
it), the way a store brings in another person's edit or an undo from its log.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.model.errors import LabelRowError
from labelspace.model.label_row import LabelRow
from labelspace.model.native.columns import PACK_AT, DictReader, Packing
from labelspace.model.native.decode import label_row_from_dict
from labelspace.model.native.encode import (
    FORMAT,
    VERSION,
    classification_track_to_dict,
    few_metadata,
    space_head,
    space_metadata,
    track_to_dict,
)
from labelspace.model.native.values import coordinates_to_dict, encode_answer
from labelspace.model.ontology import Ontology
from labelspace.model.spaces import Space

_KEYS = {"object": ("object_hash", "objects"), "classification": ("classification_hash", "classifications")}


def row_head(row: LabelRow) -> dict[str, Any]:
    """A row without its labels: ``{"spaces": [...]}``, each space as ``space_head`` gives it."""
    return {"spaces": [space_head(space) for space in row.list_spaces()]}


def instance_hashes(row: LabelRow) -> list[str]:
    """The hashes of every object and classification instance on the row, in the order first met."""
    seen: dict[str, None] = {}
    for space in row.list_spaces():
        seen.update(dict.fromkeys(space._objects))
        seen.update(dict.fromkeys(space._classifications))
    return list(seen)


def _first_seen(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct values in the order they first appear."""
    if not values.size:
        return values
    if values.size <= 64:  # numpy's set routines cost more than a dict on a few values
        return np.fromiter(dict.fromkeys(values.tolist()), np.int64)
    distinct, first = np.unique(values, return_index=True)
    return distinct[np.argsort(first, kind="stable")]


def _canonical_users(metadata: dict[str, Any]) -> None:
    """List users in the order the records first name them (creator before editor)."""
    users = metadata["users"]
    if len(users) < 2:
        return
    created_by = np.asarray(metadata["created_by"], np.int64)
    edited_by = np.asarray(metadata["last_edited_by"], np.int64)
    named = np.column_stack((created_by, edited_by)).ravel()
    order = _first_seen(named[named >= 0])
    new = np.full(len(users) + 1, -1, np.int64)
    new[order] = np.arange(order.size)
    metadata["users"] = [users[i] for i in order.tolist()]
    metadata["created_by"] = new[created_by].tolist()
    metadata["last_edited_by"] = new[edited_by].tolist()


def instance_fragment(row: LabelRow, instance_hash: str, *, raw: bool = False) -> dict[str, Any] | None:
    """The fragment of one instance of ``row`` (see the module docstring); None if no space holds it.

    Long numeric columns are packed: base64, as in saved files, or with ``raw`` their bytes
    themselves (for a container that holds binary, such as the store's).
    """
    packing: Packing = "raw" if raw else True
    fragment: dict[str, Any] | None = None
    for space in row.list_spaces():
        track: Any = space._objects.get(instance_hash)
        kind = "object"
        if track is None:
            track = space._classifications.get(instance_hash)
            kind = "classification"
            if track is None:
                continue
        if fragment is None:
            fragment = _new_fragment(kind, instance_hash, track)
        fragment["spaces"].append(_space_part(space, track, kind, packing))
    return fragment


def row_fragments(row: LabelRow, *, raw: bool = False) -> dict[str, dict[str, Any]]:
    """The fragment of every instance of ``row``, in ``instance_hashes`` order.

    The same as ``instance_fragment`` of each, made in one pass over the row's spaces. Fragments
    of one call may share their metadata dicts (instances written with the same record): read
    them, or copy before changing one.
    """
    packing: Packing = "raw" if raw else True
    out: dict[str, dict[str, Any]] = {}
    for space in row.list_spaces():
        records: dict[int, dict[str, Any]] = {}
        space_id = space.space_id
        for h, track in space._objects.items():
            fragment = out.get(h)
            if fragment is None:
                fragment = out[h] = _new_fragment("object", h, track)
            runs = track.runs
            if len(runs.starts) == 1 and not track.dynamic and len(runs.rows) <= PACK_AT:
                # An object on one run (an image's box, polygon, ...): its part made directly, as an import
                # makes millions; the instances written with one record share its metadata dict.
                tag = runs.tags[0]
                metadata = records.get(tag)
                if metadata is None:
                    metadata = records[tag] = few_metadata(space._meta, [tag], canonical=True)[0]
                d: dict[str, Any] = {"object_hash": h, "starts": [runs.starts[0]], "ends": [runs.ends[0]], "meta": [0]}
                if runs.stride > 0:
                    d["rows"] = runs.rows.tolist()
                else:
                    d["coordinates"] = [coordinates_to_dict(runs.objects[0])]  # type: ignore[arg-type]
                fragment["spaces"].append({"id": space_id, "metadata": metadata, "track": d})
            else:
                fragment["spaces"].append(_space_part(space, track, "object", packing))
        for h, classification in space._classifications.items():
            fragment = out.get(h)
            if fragment is None:
                fragment = out[h] = _new_fragment("classification", h, classification)
            fragment["spaces"].append(_space_part(space, classification, "classification", packing))
    return out


def _new_fragment(kind: str, instance_hash: str, track: Any) -> dict[str, Any]:
    instance = track.instance
    record = {
        _KEYS[kind][0]: instance_hash,
        "feature_node_hash": instance.feature_hash,
        "answers": {a.feature_node_hash: encode_answer(v) for a, v in instance._answer_items()}
        if instance._answers
        else {},
    }
    return {"kind": kind, "record": record, "spaces": []}


def _space_part(space: Space, track: Any, kind: str, packing: Packing) -> dict[str, Any]:
    """An instance's entry for one space: the metadata records its track uses, and the track."""
    if kind == "classification" and track.global_record is not None:
        metadata, renumber = few_metadata(space._meta, [track.global_record], canonical=True)
    elif len(track.runs) <= PACK_AT:  # the records of a few runs, found without numpy's per-call cost
        metadata, renumber = few_metadata(space._meta, list(dict.fromkeys(track.runs.tags)), canonical=True)
    else:
        metadata, renumber = space_metadata(space, _first_seen(track.runs.np_tags()), packed=False)
        _canonical_users(metadata)
    d = (
        track_to_dict(track, renumber, packing)
        if kind == "object"
        else classification_track_to_dict(track, renumber, packing)
    )
    return {"id": space.space_id, "metadata": metadata, "track": d}


def fragment_hash(fragment: Mapping[str, Any]) -> str:
    """The instance hash a fragment is of."""
    record = fragment.get("record")
    kind = fragment.get("kind")
    if kind not in _KEYS or not isinstance(record, Mapping) or not isinstance(record.get(_KEYS[kind][0]), str):
        raise LabelRowError(
            f"A fragment needs kind 'object' or 'classification' and a record with its hash, got {fragment!r:.80}."
        )
    return str(record[_KEYS[kind][0]])


_META_COLUMNS = (
    ("created_at", np.int64),
    ("created_by", np.int64),
    ("last_edited_at", np.int64),
    ("last_edited_by", np.int64),
    ("confidence", np.float64),
    ("manual_annotation", np.bool_),
)


def _merge_space(parts: list[tuple[str, Mapping[str, Any], Mapping[str, Any]]], path: str) -> dict[str, Any]:
    """One space's metadata, objects and classifications from the parts of its fragments.

    The parts' metadata tables are joined into one (users and records shared once); every
    track's metadata indexes are moved to the joined table.
    """
    r = DictReader()
    users: dict[str, int] = {}
    columns: dict[str, list[Any]] = {name: [] for name, _ in _META_COLUMNS}
    offsets = []
    total = 0
    for i, (_, metadata, _) in enumerate(parts):
        mpath = f"{path}.fragments[{i}].metadata"
        names = r.seq(metadata, "users", mpath)
        to_global = np.array([users.setdefault(str(u), len(users)) for u in names] + [-1], np.int64)
        n = None
        for name, dtype in _META_COLUMNS:
            values = r.numbers(metadata, name, mpath, dtype, n)
            n = values.size
            if name in ("created_by", "last_edited_by"):
                if values.size and (values.min() < -1 or values.max() >= len(names)):
                    raise r.fail(f"{mpath}.{name}", f"expected user indexes from -1 to {len(names) - 1}.")
                values = to_global[values]
            columns[name].append(values)
        offsets.append(total)
        total += n or 0
    joined = {
        name: np.concatenate(columns[name]) if columns[name] else np.empty(0, dtype) for name, dtype in _META_COLUMNS
    }
    records = np.empty(total, [(name, dtype) for name, dtype in _META_COLUMNS])
    for name, _ in _META_COLUMNS:
        records[name] = joined[name]
    if total:
        _, first, inverse = np.unique(records, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")
        rank = np.empty(order.size, np.int64)
        rank[order] = np.arange(order.size)
        index = rank[inverse.ravel()]
        kept = first[order]
    else:
        index = kept = np.empty(0, np.int64)
    metadata = {name: joined[name][kept] for name, _ in _META_COLUMNS}
    metadata["manual_annotation"] = [bool(m) for m in metadata["manual_annotation"].tolist()]
    metadata["users"] = list(users)
    objects: list[dict[str, Any]] = []
    classifications: list[dict[str, Any]] = []
    ends = [*offsets[1:], total] if offsets else []
    for i, ((kind, _, track), offset, end) in enumerate(zip(parts, offsets, ends, strict=True)):
        tpath = f"{path}.fragments[{i}].track"
        moved = dict(track)
        if "global_meta" in track:
            tags = np.array([r.integer(track, "global_meta", tpath)], np.int64)
        else:
            tags = r.numbers(track, "meta", tpath, np.int64)
        if tags.size and (tags.min() < 0 or tags.max() >= end - offset):
            raise r.fail(f"{tpath}.meta", f"expected metadata records 0..{end - offset - 1}.")
        if "global_meta" in track:
            moved["global_meta"] = int(index[offset + tags[0]])
        else:
            moved["meta"] = index[offset + tags]
        (objects if kind == "object" else classifications).append(moved)
    return {"metadata": metadata, "objects": objects, "classifications": classifications}


def label_row_from_fragments(
    head: Mapping[str, Any], fragments: Iterable[Mapping[str, Any]], ontology: Ontology
) -> LabelRow:
    """A row from its head (see ``row_head``) and its instances' fragments, in the order given.

    Raises:
        LabelRowError: If a fragment is malformed or does not fit the row (names a space the head
            lacks, an ontology item it does not have, frames past a space's end, ...).
    """
    r = DictReader()
    records: dict[str, list[Any]] = {"objects": [], "classifications": []}
    parts: dict[str, list[tuple[str, Mapping[str, Any], Mapping[str, Any]]]] = {}
    heads = r.dicts(head, "spaces", "head")
    known = {r.text(sd, "id", f"head.spaces[{i}]") for i, sd in enumerate(heads)}
    for i, fragment in enumerate(fragments):
        path = f"fragments[{i}]"
        if not isinstance(fragment, Mapping):
            raise LabelRowError(f"{path}: expected a fragment (an object), got {type(fragment).__name__}.")
        fragment_hash(fragment)
        kind = fragment["kind"]
        records[_KEYS[kind][1]].append(fragment["record"])
        for j, sd in enumerate(r.dicts(fragment, "spaces", path)):
            space_id = r.text(sd, "id", f"{path}.spaces[{j}]")
            if space_id not in known:
                raise r.fail(f"{path}.spaces[{j}].id", f"the row has no space {space_id!r}; it has {sorted(known)}.")
            parts.setdefault(space_id, []).append(
                (kind, r.map(sd, "metadata", f"{path}.spaces[{j}]"), r.map(sd, "track", f"{path}.spaces[{j}]"))
            )
    spaces = []
    for i, sd in enumerate(heads):
        merged = _merge_space(parts.get(str(sd["id"]), []), f"spaces[{i}]")
        spaces.append({**sd, **merged})
    return label_row_from_dict(
        {"format": FORMAT, "version": VERSION, **records, "spaces": spaces},
        ontology,
    )


def put_fragment(row: LabelRow, instance_hash: str, fragment: Mapping[str, Any] | None) -> None:
    """Make one instance of a live row what ``fragment`` says (remove it from every space for None).

    Raises:
        LabelRowError: If the fragment is malformed or does not fit the row; the row is unchanged then.
    """
    new_tracks: list[tuple[Space, str, Any]] = []
    if fragment is not None:
        if fragment_hash(fragment) != instance_hash:
            raise LabelRowError(f"The fragment is of {fragment_hash(fragment)!r}, not of {instance_hash!r}.")
        alone = label_row_from_fragments(row_head(row), [fragment], row.ontology)
        for source in alone.list_spaces():
            track: Any = source._objects.get(instance_hash) or source._classifications.get(instance_hash)
            if track is not None:
                new_tracks.append((row.get_space(id=source.space_id), fragment["kind"], (source, track)))
    for space in row.list_spaces():
        space._objects.pop(instance_hash, None)
        space._classifications.pop(instance_hash, None)
    for space, kind, (source, track) in new_tracks:
        _move_records(source, space, track)
        if kind == "object":
            space._objects[instance_hash] = track
        else:
            space._classifications[instance_hash] = track


def _move_records(source: Space, target: Space, track: Any) -> None:
    """Point a track's metadata indexes at the target space's table (adding the records it lacks)."""
    meta = source._meta
    moved = np.full(max(len(meta), 1), -1, np.int64)
    for tag in range(len(meta)):  # the source holds only this track's records
        created_by, edited_by = meta.created_by[tag], meta.last_edited_by[tag]
        moved[tag] = target._meta.add(
            (
                meta.created_at[tag],
                target._meta.user(meta.users[created_by] if created_by >= 0 else None),
                meta.last_edited_at[tag],
                target._meta.user(meta.users[edited_by] if edited_by >= 0 else None),
                meta.confidence[tag],
                bool(meta.manual[tag]),
            )
        )
    if getattr(track, "global_record", None) is not None:
        track.global_record = int(moved[track.global_record])
    runs = track.runs
    runs.tags = array("i", moved[runs.np_tags()].astype(np.int32).tobytes())


__all__ = [
    "fragment_hash",
    "instance_fragment",
    "instance_hashes",
    "label_row_from_fragments",
    "put_fragment",
    "row_fragments",
    "row_head",
]
