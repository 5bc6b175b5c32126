"""Decoding the native dict (see ``labelspace.model.native``) into a label row, checking every field."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from typing import Any

import numpy as np

from labelspace.model._dynamic import AnswerTrack
from labelspace.model._meta import MetaTable
from labelspace.model._runs import RunTable
from labelspace.model._tracks import ClassificationTrack, ObjectTrack
from labelspace.model.errors import LabelRowError, OntologyError
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.layouts import LAYOUTS, check_rows
from labelspace.model.native.columns import DictReader
from labelspace.model.native.encode import FORMAT, VERSION
from labelspace.model.native.ontology_match import matching_ontology
from labelspace.model.native.values import coordinates_from_dict, decode_answer
from labelspace.model.ontology import Classification, Object, Ontology, walk_attributes
from labelspace.model.spaces import ImageSpace, Space


def label_row_from_dict(d: Mapping[str, Any], ontology: Ontology | None = None) -> LabelRow:
    """Decode a native dict (see the module docstring); ``ontology``, if given, must match the file's."""
    r = DictReader()
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


def _instances(
    r: DictReader, d: Mapping[str, Any], key: str, ontology: Ontology
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


def _read_space(
    r: DictReader,
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
        track = ObjectTrack(instance)
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
        ctrack = ClassificationTrack(cinstance)
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
    r: DictReader, instances: Mapping[str, Any], instance_hash: str, path: str, space: Space
) -> ObjectInstance | ClassificationInstance:
    instance = instances.get(instance_hash)
    if instance is None:
        raise r.fail(path, f"{instance_hash!r} is not listed in the row's instances.")
    if instance_hash in space._objects or instance_hash in space._classifications:
        raise r.fail(path, f"{instance_hash!r} appears twice on this space.")
    return instance  # type: ignore[no-any-return]


def _read_meta(r: DictReader, md: Mapping[str, Any], path: str, meta: MetaTable) -> int:
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


def _read_runs(r: DictReader, d: Mapping[str, Any], path: str, runs: RunTable, space: Space, records: int) -> None:
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


def _read_values(r: DictReader, d: Mapping[str, Any], path: str, track: ObjectTrack, space: Space) -> None:
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


def _read_dynamic(r: DictReader, d: Mapping[str, Any], path: str, track: ObjectTrack, space: Space) -> None:
    attribute_hash = r.text(d, "attribute", path)
    attribute = next(
        (a for a in track.instance.ontology_item.attributes if a.feature_node_hash == attribute_hash and a.dynamic),
        None,
    )
    if attribute is None:
        raise r.fail(f"{path}.attribute", f"{attribute_hash!r} is not a dynamic attribute of this object.")
    answers = AnswerTrack(attribute)
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
    by_class: dict[int, list[ClassificationTrack]] = {}
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
