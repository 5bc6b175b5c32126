"""What the Annotator's kernel and browser say to each other: the Python mirror of ``js/src/protocol/``.

Every interface of ``js/src/protocol/ontology.ts``, ``state.ts`` and ``messages.ts`` is a
``TypedDict`` here with the same keys (a test reads the TypeScript and compares); the operations
of ``operations.ts`` are mirrored by ``labelspace.model.operations``. The builders turn model
objects into those plain dicts:

- ``ontology_spec(ontology)``: the ontology as the front end draws its tools and panels.
- ``row_state(row, index, title, history)``: a whole label row, sent as a ``RowMessage``.
- ``object_state(space, instance)`` and ``classification_state(space, instance)``: one instance on
  one space, as runs of frames read straight from the space's run tables (a run of a thousand
  frames is one entry), coordinates in wire form (normalised, ``coordinates_to_wire``), answers in
  native JSON form (option hashes).
- ``row_summary(row, title)``: one line of a project's row list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypedDict, Union

import orjson

from labelspace.model._meta import NO_USER, MetaTable
from labelspace.model.history import History
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.layouts import LAYOUTS
from labelspace.model.native.values import coordinates_to_dict, encode_answer
from labelspace.model.ontology import Attribute, Classification, Object, Ontology
from labelspace.model.skeletons import SkeletonTemplate
from labelspace.model.spaces import MedicalSpace, Space, VideoSpace

# -- ontology.ts ---------------------------------------------------------------------------------

ShapeKind = Literal["bounding_box", "rotatable_bounding_box", "polygon", "polyline", "point", "skeleton", "bitmask"]
AttributeKind = Literal["radio", "checklist", "text", "numeric"]


class OptionSpec(TypedDict):
    """An option of a radio or checklist attribute, with the attributes nested under it."""

    hash: str
    label: str
    value: str
    attributes: list[AttributeSpec]


class AttributeSpec(TypedDict):
    """An attribute: what kind of answer it takes, whether it must be answered, whether per frame."""

    hash: str
    name: str
    kind: AttributeKind
    required: bool
    dynamic: bool
    options: list[OptionSpec]


class SkeletonNodeSpec(TypedDict):
    """A node of a skeleton template, placed in the template's unit box."""

    name: str
    x: float
    y: float


class SkeletonSpec(TypedDict):
    """A skeleton template: nodes spanning the unit box, and edges between node indexes."""

    nodes: list[SkeletonNodeSpec]
    edges: list[tuple[int, int]]


class ObjectSpec(TypedDict):
    """An ontology object: what instances of it are drawn as."""

    hash: str
    name: str
    color: str
    shape: ShapeKind
    attributes: list[AttributeSpec]
    skeleton: SkeletonSpec | None


# "global" is a Python keyword, so these two are spelled in the functional form.
ClassificationSpec = TypedDict(
    "ClassificationSpec",
    {"hash": str, "name": str, "color": str, "global": bool, "attributes": list[AttributeSpec]},
)
"""An ontology classification: its root attribute; ``global`` ones describe a whole space."""


class OntologySpec(TypedDict):
    """The ontology as the front end sees it (the ``ontology`` trait)."""

    objects: list[ObjectSpec]
    classifications: list[ClassificationSpec]


# -- state.ts ------------------------------------------------------------------------------------

SaveStatus = Literal["", "pending", "saved", "failed"]


class RowSummary(TypedDict):
    """A row of a project in the row list."""

    title: str
    objects: int
    spaces: list[str]


class Model(TypedDict):
    """The synced traits of ``Annotator``, key for key."""

    ontology: OntologySpec
    row_index: int
    row_count: int
    rows: list[RowSummary]
    readonly: bool
    width: int
    height: int
    message: str
    save_status: SaveStatus
    work: WorkState | dict[str, Any]


class WorkState(TypedDict):
    """Claiming rows from a store: who, which stage, the row held (None: none free) and how many are done."""

    user: str
    stage: str
    first: bool
    row_id: int | None
    done: int


class SpaceState(TypedDict):
    """A space of the row: its kind (``image``, ``video``, ``dicom``, ``nifti``), size, frame count and rate.

    ``fps`` is the video's frame rate (None for images, volumes, and videos that do not say).
    """

    id: str
    kind: str
    title: str
    width: int
    height: int
    frames: int
    fps: float | None


class MetaState(TypedDict):
    """Who made an annotation and how sure (the times stay in the kernel)."""

    confidence: float
    manual_annotation: bool
    created_by: str | None
    last_edited_by: str | None


class RunState(TypedDict):
    """Frames start..end (inclusive) with the same coordinates (normalised, wire form) and metadata."""

    start: int
    end: int
    coordinates: dict[str, Any]
    meta: MetaState


class DynamicRunState(TypedDict):
    """Frames start..end (inclusive) with the same answer to a dynamic attribute (native form)."""

    start: int
    end: int
    answer: Any


class ObjectState(TypedDict):
    """An object instance on one space; answers belong to the instance (the same on every space)."""

    space: str
    id: str
    feature: str
    runs: list[RunState]
    answers: dict[str, Any]
    dynamic: dict[str, list[DynamicRunState]]


class ClassificationRunState(TypedDict):
    """Frames start..end (inclusive) a classification is on, with its metadata."""

    start: int
    end: int
    meta: MetaState


ClassificationState = TypedDict(
    "ClassificationState",
    {
        "space": str,
        "id": str,
        "feature": str,
        "global": bool,
        "runs": list[ClassificationRunState],
        "answers": dict[str, Any],
    },
)
"""A classification instance on one space: on frame runs, or on the whole space (``global``: one run over
every frame)."""


class HistoryState(TypedDict):
    """How many edits can be undone and redone, and what the next ones are."""

    undo: int
    redo: int
    undo_label: str
    redo_label: str


class RowState(TypedDict):
    """A whole label row."""

    index: int
    title: str
    spaces: list[SpaceState]
    objects: list[ObjectState]
    classifications: list[ClassificationState]
    history: HistoryState


class InstanceKey(TypedDict):
    """An instance on a space."""

    space: str
    id: str


# -- messages.ts ---------------------------------------------------------------------------------


class ReadyMessage(TypedDict):
    """Browser to kernel: a view is ready; send it the row."""

    kind: Literal["ready"]


class EditMessage(TypedDict):
    """Browser to kernel: carry out an operation (see ``labelspace.model.operations``)."""

    kind: Literal["edit"]
    request: int
    op: dict[str, Any]


class UndoMessage(TypedDict):
    """Browser to kernel: undo or redo the last edit of the row."""

    kind: Literal["undo", "redo"]
    request: int


class GotoMessage(TypedDict):
    """Browser to kernel: show another row of the project."""

    kind: Literal["goto"]
    row: int


class TrackMessage(TypedDict):
    """Browser to kernel: track objects of a space from a frame, forward or backward (see ``labelspace.assist``)."""

    kind: Literal["track"]
    request: int
    space: str
    objects: list[str]
    frame: int
    direction: Literal["forward", "backward"]


class CancelMessage(TypedDict):
    """Browser to kernel: stop the tracking under way (what it has tracked so far is kept)."""

    kind: Literal["cancel"]


class WorkMessage(TypedDict, total=False):
    """Browser to kernel: finish with the row held (submit, accept, reject, release) or claim one."""

    kind: Literal["work"]
    action: Literal["submit", "accept", "reject", "release", "claim"]
    comment: str


class RowMessage(TypedDict):
    """Kernel to browser: the whole row, on ``ready`` and when the row shown changes."""

    kind: Literal["row"]
    row: RowState


class UpdateMessage(TypedDict):
    """Kernel to browser: the instances an edit (or undo, redo, or a change made in Python) touched, as now."""

    kind: Literal["update"]
    request: int | None
    objects: list[ObjectState]
    classifications: list[ClassificationState]
    removed_objects: list[InstanceKey]
    removed_classifications: list[InstanceKey]
    history: HistoryState


class RefusedMessage(TypedDict):
    """Kernel to browser: the model refused an edit; nothing changed."""

    kind: Literal["refused"]
    request: int
    message: str


class ProgressMessage(TypedDict):
    """Kernel to browser: how far a long task (tracking) has got; ``done == total`` when it has ended."""

    kind: Literal["progress"]
    request: int
    task: str
    done: int
    total: int
    message: str


class ImageRequest(TypedDict):
    """The ``_image`` command's request: a frame of a space of a row."""

    row: int
    space: str
    frame: int


class ImageResponse(TypedDict):
    """The ``_image`` command's answer; the encoded bytes are the one buffer (none on an error)."""

    mime: str
    width: int
    height: int
    error: str


class VideoRequest(TypedDict):
    """The ``_video`` command's request: part ``part`` of the keyframe group holding a frame."""

    row: int
    space: str
    frame: int
    part: int


class VideoPart(TypedDict):
    """The ``_video`` command's answer: packets in decode order, their payloads end to end in the one buffer."""

    group: int
    first: int
    last: int
    part: int
    parts: int
    frames: list[int]
    keys: list[int]
    sizes: list[int]
    drops: list[int]
    """1 for a packet no other picture refers to: a jump may leave it out if it shows a frame before the one asked."""
    error: str


class SliceRequest(TypedDict):
    """The ``_slice`` command's request: a volume's values cut at ``index`` along ``axis``."""

    row: int
    space: str
    axis: int
    index: int


class SliceResponse(TypedDict):
    """The ``_slice`` command's answer (``widget._volume``); the values are the one buffer."""

    dtype: Literal["int16", "uint16", "float32"]
    width: int
    height: int
    axis: int
    index: int
    min: float | None
    max: float | None
    encoding: Literal["raw", "zlib"]
    error: str


ToKernel = Union[ReadyMessage, EditMessage, UndoMessage, GotoMessage]
FromKernel = Union[RowMessage, UpdateMessage, RefusedMessage]

# -- builders: the ontology ----------------------------------------------------------------------

# The model gives objects a colour but not classifications; these are told apart from the objects'.
CLASSIFICATION_COLORS = ("#7B61FF", "#00A38C", "#C2185B", "#5D4037", "#0288D1", "#689F38", "#F57C00", "#455A64")


def attribute_spec(attribute: Attribute) -> AttributeSpec:
    """An attribute with its options and the attributes nested under them."""
    return {
        "hash": attribute.feature_node_hash,
        "name": attribute.name,
        "kind": attribute.kind,  # type: ignore[typeddict-item]
        "required": attribute.required,
        "dynamic": attribute.dynamic,
        "options": [
            {
                "hash": o.feature_node_hash,
                "label": o.label,
                "value": o.value,
                "attributes": [attribute_spec(a) for a in o.attributes],
            }
            for o in attribute.options
        ],
    }


def skeleton_spec(template: SkeletonTemplate) -> SkeletonSpec:
    """A skeleton template, its edges as pairs of node indexes."""
    index = {n.name: i for i, n in enumerate(template.nodes)}
    return {
        "nodes": [{"name": n.name, "x": n.x, "y": n.y} for n in template.nodes],
        "edges": [(index[a], index[b]) for a, b in template.edges],
    }


def object_spec(item: Object) -> ObjectSpec:
    """An ontology object."""
    return {
        "hash": item.feature_node_hash,
        "name": item.name,
        "color": item.color,
        "shape": item.shape.value,
        "attributes": [attribute_spec(a) for a in item.attributes],
        "skeleton": skeleton_spec(item.skeleton) if item.skeleton is not None else None,
    }


def classification_spec(item: Classification, position: int = 0) -> ClassificationSpec:
    """An ontology classification; its colour is picked by its position among the classifications."""
    return {
        "hash": item.feature_node_hash,
        "name": item.title,
        "color": CLASSIFICATION_COLORS[position % len(CLASSIFICATION_COLORS)],
        "global": item.is_global,
        "attributes": [attribute_spec(a) for a in item.attributes],
    }


def ontology_spec(ontology: Ontology) -> OntologySpec:
    """The ontology as the front end sees it: objects and classifications in ontology order."""
    return {
        "objects": [object_spec(o) for o in ontology.objects],
        "classifications": [classification_spec(c, i) for i, c in enumerate(ontology.classifications)],
    }


# -- builders: instances on spaces ---------------------------------------------------------------


class _Metas:
    """Metadata records of one space as ``MetaState`` dicts, each built once per call."""

    def __init__(self, meta: MetaTable) -> None:
        self.meta = meta
        self.built: dict[int, MetaState] = {}

    def __call__(self, tag: int) -> MetaState:
        found = self.built.get(tag)
        if found is None:
            m = self.meta
            created_by, last_edited_by = m.created_by[tag], m.last_edited_by[tag]
            found = self.built[tag] = {
                "confidence": m.confidence[tag],
                "manual_annotation": bool(m.manual[tag]),
                "created_by": m.users[created_by] if created_by != NO_USER else None,
                "last_edited_by": m.users[last_edited_by] if last_edited_by != NO_USER else None,
            }
        return found


def meta_state(space: Space, tag: int) -> MetaState:
    """The metadata record ``tag`` of a space."""
    return _Metas(space._meta)(tag)


def _answers(instance: ObjectInstance | ClassificationInstance) -> dict[str, Any]:
    # Every stored static answer (nested ones included), as the native file writes them.
    return {a.feature_node_hash: encode_answer(v) for a, v in instance._answer_items()}


def _object_state(space: Space, instance: ObjectInstance, metas: _Metas) -> ObjectState:
    track = space._objects.get(instance.object_hash)
    state: ObjectState = {
        "space": space.space_id,
        "id": instance.object_hash,
        "feature": instance.feature_hash,
        "runs": [],
        "answers": _answers(instance),
        "dynamic": {},
    }
    if track is None or track.instance is not instance:
        return state
    runs = track.runs
    starts, ends, tags = runs.starts.tolist(), runs.ends.tolist(), runs.tags.tolist()
    layout = LAYOUTS[instance.ontology_item.shape]
    values: list[dict[str, Any]]
    if runs.stride > 0:
        # Rows are the wire form, column for column (see LAYOUTS and coordinates_to_wire).
        flat = runs.rows.tolist()
        k = runs.stride
        columns = [flat[j::k] for j in range(k)]
        if layout.columns == ("x", "y", "w", "h"):
            values = [{"x": x, "y": y, "w": w, "h": h} for x, y, w, h in zip(*columns, strict=True)]
        elif layout.columns == ("x", "y"):
            values = [{"x": x, "y": y} for x, y in zip(*columns, strict=True)]
        else:
            values = [dict(zip(layout.columns, v, strict=True)) for v in zip(*columns, strict=True)]
    else:
        # Runs cut from one put share one coordinates object: encode it once.
        encoded: dict[int, dict[str, Any]] = {}
        values = []
        for c in runs.objects:
            wire = encoded.get(id(c))
            if wire is None:
                wire = encoded[id(c)] = coordinates_to_dict(c)  # type: ignore[arg-type]
            values.append(wire)
    meta = {t: metas(t) for t in set(tags)}
    state["runs"] = [
        {"start": s, "end": e, "coordinates": v, "meta": meta[t]}
        for s, e, t, v in zip(starts, ends, tags, values, strict=True)
    ]
    for attribute_hash, answers in track.dynamic.items():
        native = {answer_id: encode_answer(value) for answer_id, value in answers.answers.items()}
        table = answers.runs
        merged: list[DynamicRunState] = []
        last_tag = -1
        # An answer set over a track of several runs is stored cut at the track's runs: join them back.
        for s, e, t in zip(table.starts.tolist(), table.ends.tolist(), table.tags.tolist(), strict=True):
            if merged and t == last_tag and merged[-1]["end"] + 1 == s:
                merged[-1]["end"] = e
            else:
                merged.append({"start": s, "end": e, "answer": native[t]})
                last_tag = t
        state["dynamic"][attribute_hash] = merged
    return state


def object_state(space: Space, instance: ObjectInstance) -> ObjectState:
    """An object instance on a space: its runs (wire coordinates, metadata), static and dynamic answers.

    An instance that is not on the space has no runs and no dynamic answers.
    """
    return _object_state(space, instance, _Metas(space._meta))


def _classification_state(space: Space, instance: ClassificationInstance, metas: _Metas) -> ClassificationState:
    track = space._classifications.get(instance.classification_hash)
    runs: list[ClassificationRunState] = []
    is_global = False
    if track is not None and track.instance is instance:
        if track.global_record is not None:
            is_global = True
            runs = [{"start": 0, "end": space.number_of_frames - 1, "meta": metas(track.global_record)}]
        else:
            table = track.runs
            runs = [
                {"start": s, "end": e, "meta": metas(t)}
                for s, e, t in zip(table.starts.tolist(), table.ends.tolist(), table.tags.tolist(), strict=True)
            ]
    return {
        "space": space.space_id,
        "id": instance.classification_hash,
        "feature": instance.feature_hash,
        "global": is_global,
        "runs": runs,
        "answers": _answers(instance),
    }


def classification_state(space: Space, instance: ClassificationInstance) -> ClassificationState:
    """A classification instance on a space: its frame runs with metadata (one run over the space if global)."""
    return _classification_state(space, instance, _Metas(space._meta))


# -- builders: rows ------------------------------------------------------------------------------


def space_state(space: Space) -> SpaceState:
    """A space's kind, size and frame count; medical volumes name their modality (``dicom``, ``nifti``)."""
    return {
        "id": space.space_id,
        "kind": space.modality if isinstance(space, MedicalSpace) else space.kind,
        "title": space.space_id,
        "width": space.width,
        "height": space.height,
        "frames": space.number_of_frames,
        "fps": space.fps if isinstance(space, VideoSpace) else None,
    }


_LABELS = {
    "put_object": "put object",
    "remove_object": "remove object",
    "accept_object": "accept prediction",
    "put_classification": "put classification",
    "remove_classification": "remove classification",
    "set_answer": "set answer",
    "delete_answer": "delete answer",
    "set_dynamic_answer": "set answer on frames",
    "remove_dynamic_answer": "remove answer on a frame",
}


def edit_label(operation: Any) -> str:
    """A short description of an operation, for the undo and redo buttons."""
    name = operation.get("op") if isinstance(operation, dict) else None
    if name == "batch":
        ops = operation.get("ops")
        names = {o.get("op") for o in ops if isinstance(o, dict)} if isinstance(ops, list) else set()
        if len(names) == 1:
            return f"{_LABELS.get(str(next(iter(names))), 'edit')} ({len(ops)})"
        return f"{len(ops) if isinstance(ops, list) else 0} edits"
    return _LABELS.get(str(name), "edit")


def history_state(history: History | None) -> HistoryState:
    """How many steps can be undone and redone, and labels for the next of each."""
    if history is None:
        return {"undo": 0, "redo": 0, "undo_label": "", "redo_label": ""}
    undo, redo = history.next_undo(), history.next_redo()
    return {
        "undo": history.can_undo,
        "redo": history.can_redo,
        "undo_label": edit_label(undo.operation) if undo else "",
        "redo_label": edit_label(redo.operation) if redo else "",
    }


def row_title(row: LabelRow, index: int) -> str:
    """A row's title in the row list: its space ids (``row N`` if it has none)."""
    ids = [s.space_id for s in row.list_spaces()]
    return ", ".join(ids) if ids else f"row {index + 1}"


def count_objects(row: LabelRow) -> int:
    """How many object instances a row holds (one on several spaces counts once)."""
    seen: set[str] = set()
    for space in row.list_spaces():
        seen.update(space._objects)
    return len(seen)


def row_summary(row: LabelRow, title: str) -> RowSummary:
    """A row in a project's row list: its title, how many objects it holds, its space ids."""
    return {"title": title, "objects": count_objects(row), "spaces": [s.space_id for s in row.list_spaces()]}


def row_state(row: LabelRow, index: int, title: str, history: History | None) -> RowState:
    """A whole row: its spaces and every instance on each, in the order they were put, and its history."""
    objects: list[ObjectState] = []
    classifications: list[ClassificationState] = []
    for space in row.list_spaces():
        metas = _Metas(space._meta)
        objects += [_object_state(space, t.instance, metas) for t in space._objects.values()]
        classifications += [_classification_state(space, t.instance, metas) for t in space._classifications.values()]
    return {
        "index": index,
        "title": title,
        "spaces": [space_state(s) for s in row.list_spaces()],
        "objects": objects,
        "classifications": classifications,
        "history": history_state(history),
    }


def split_objects(objects: list[ObjectState], max_bytes: int) -> tuple[list[ObjectState], list[list[ObjectState]]]:
    """Cut a row's objects into batches of at most about ``max_bytes`` of JSON each, in order.

    Returns:
        The first batch, and the others (none when every object fits in one message). An object
        larger than ``max_bytes`` on its own goes alone.
    """
    batches: list[list[ObjectState]] = [[]]
    size = 0
    for state in objects:
        weight = len(orjson.dumps(state))
        if batches[-1] and size + weight > max_bytes:
            batches.append([])
            size = 0
        batches[-1].append(state)
        size += weight
    return batches[0], batches[1:]


def instance_key(space: str, instance_id: str) -> InstanceKey:
    """An instance on a space."""
    return {"space": space, "id": instance_id}


def states_of(
    row: LabelRow, touched: Sequence[tuple[str, str | None, str]]
) -> tuple[list[ObjectState], list[ClassificationState], list[InstanceKey], list[InstanceKey]]:
    """The states now of touched instances, and the keys of those that left their space.

    Args:
        row: The row.
        touched: ``(kind, space id, instance hash)`` per change (``kind`` as ``Change.kind``); a space
            of None (static answers) stands for every space the instance is on.

    Returns:
        ``(objects, classifications, removed_objects, removed_classifications)``, each in the order
        first touched, each (space, instance) once.
    """
    objects: list[ObjectState] = []
    classifications: list[ClassificationState] = []
    removed_objects: list[InstanceKey] = []
    removed_classifications: list[InstanceKey] = []
    seen: set[tuple[str, str, str]] = set()
    spaces = {s.space_id: s for s in row.list_spaces()}
    metas: dict[str, _Metas] = {}

    def metas_of(space: Space) -> _Metas:
        found = metas.get(space.space_id)
        if found is None:
            found = metas[space.space_id] = _Metas(space._meta)
        return found

    def emit(kind: str, space: Space, key: str) -> None:
        if (kind, space.space_id, key) in seen:
            return
        seen.add((kind, space.space_id, key))
        if kind == "object":
            track = space._objects.get(key)
            if track is None:
                removed_objects.append(instance_key(space.space_id, key))
            else:
                objects.append(_object_state(space, track.instance, metas_of(space)))
        else:
            ctrack = space._classifications.get(key)
            if ctrack is None:
                removed_classifications.append(instance_key(space.space_id, key))
            else:
                classifications.append(_classification_state(space, ctrack.instance, metas_of(space)))

    for kind, space_id, key in touched:
        if space_id is not None:
            space = spaces.get(space_id)
            if space is not None:
                emit(kind, space, key)
            continue
        # Static answers belong to the instance: send it on every space it is on.
        for space in spaces.values():
            if key in space._objects:
                emit("object", space, key)
            elif key in space._classifications:
                emit("classification", space, key)
    return objects, classifications, removed_objects, removed_classifications


__all__ = [
    "AttributeKind",
    "AttributeSpec",
    "ClassificationRunState",
    "ClassificationSpec",
    "ClassificationState",
    "DynamicRunState",
    "EditMessage",
    "FromKernel",
    "GotoMessage",
    "HistoryState",
    "ImageRequest",
    "ImageResponse",
    "InstanceKey",
    "MetaState",
    "Model",
    "ObjectSpec",
    "ObjectState",
    "OntologySpec",
    "OptionSpec",
    "ReadyMessage",
    "RefusedMessage",
    "RowMessage",
    "RowState",
    "RowSummary",
    "RunState",
    "SaveStatus",
    "ShapeKind",
    "SkeletonNodeSpec",
    "SkeletonSpec",
    "SpaceState",
    "ToKernel",
    "UndoMessage",
    "UpdateMessage",
    "classification_state",
    "history_state",
    "object_state",
    "ontology_spec",
    "row_state",
    "row_summary",
    "states_of",
]
