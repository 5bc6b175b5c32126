"""Build Encord SDK label rows offline (no client, no network), for oracle tests and benchmarks."""

import datetime
import json
from types import SimpleNamespace
from unittest.mock import Mock

import numpy
from encord.constants.enums import DataType, SpaceType
from encord.objects import ClassificationInstance, FlatOption, LabelRowV2, NestableOption, Object, ObjectInstance
from encord.objects.attributes import ChecklistAttribute, NumericAttribute, RadioAttribute, TextAttribute
from encord.objects.classification import Classification, OntologyClassificationLevel
from encord.objects.common import Shape
from encord.objects.coordinates import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    EllipseCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
    Visibility,
)
from encord.objects.frames import Range
from encord.objects.ontology_structure import OntologyStructure
from encord.objects.skeleton_template import SkeletonTemplate, SkeletonTemplateCoordinate
from encord.objects.spaces.image_space import ImageSpace
from encord.objects.spaces.multiframe_space.multiframe_space import MultiFrameSpace
from encord.orm.label_row import AnnotationTaskStatus, LabelRowMetadata, LabelStatus


def video_label_row(structure, frames, space_id="cam", width=100, height=100):
    """An Encord label row holding one video space of ``frames`` frames."""
    space = {
        "space_type": SpaceType.VIDEO,
        "child_info": {"layout_key": space_id, "file_name": f"{space_id}.mp4"},
        "number_of_frames": frames,
        "width": width,
        "height": height,
        "labels": {},
        "data_duration": frames / 25,
        "data_fps": 25.0,
    }
    metadata = _metadata("", "data", {space_id: space}, frames)
    labels = {
        "label_hash": "label",
        "branch_name": "main",
        "created_at": "Thu, 09 Feb 2023 14:12:03 UTC",
        "last_edited_at": "Thu, 09 Feb 2023 14:12:03 UTC",
        "data_hash": "data",
        "dataset_hash": "ds",
        "dataset_title": "",
        "data_title": "",
        "data_type": "group",
        "annotation_task_status": "QUEUED",
        "is_shadow_data": False,
        "object_answers": {},
        "classification_answers": {},
        "object_actions": {},
        "label_status": "LABEL_IN_PROGRESS",
        "spaces": {space_id: space},
        "data_units": {
            "data": {
                "data_hash": "data",
                "data_sequence": 0,
                "data_title": "",
                "data_type": DataType.GROUP,
                "labels": {},
            }
        },
    }
    row = _row(structure, metadata, labels)
    return row, row.get_space(id=space_id, type_="video")


def mirror_ontology(world):
    """The Encord twin of tests.conftest.World's box object and weather classification (same hashes)."""
    s = OntologyStructure()
    box = s.add_object("car", Shape.BOUNDING_BOX, feature_node_hash=world.box.feature_node_hash)
    occlusion = box.add_attribute(RadioAttribute, "occlusion", dynamic=True, feature_node_hash="occl0001")
    options = {
        o.feature_node_hash: occlusion.add_option(o.label, feature_node_hash=o.feature_node_hash)
        for o in world.occlusion.options
    }
    note = box.add_attribute(TextAttribute, "note", dynamic=True, feature_node_hash="note0001")
    weather = s.add_classification(feature_node_hash=world.weather.feature_node_hash)
    weather_attr = weather.add_attribute(RadioAttribute, "weather", feature_node_hash="wtat0001")
    for o in world.weather_attr.options:
        weather_attr.add_option(o.label, feature_node_hash=o.feature_node_hash)
    return s, box, weather, occlusion, note, options


def label_row_from_dict(structure, labels):
    """An Encord label row built (offline) from a label-row dict, as the SDK would from the platform."""
    spaces = {sid: {**info, "labels": {}} for sid, info in labels["spaces"].items()}
    metadata = _metadata(labels["label_hash"], labels["data_hash"], spaces)
    return _row(structure, metadata, labels)


def _metadata(label_hash, data_hash, spaces, frames=None):
    """What the platform would send about a data group; ``frames`` for a single video's timing."""
    now = datetime.datetime.now()
    return LabelRowMetadata(
        label_hash=label_hash,
        branch_name="main",
        created_at=now,
        last_edited_at=now,
        data_hash=data_hash,
        data_title="",
        data_type=DataType.GROUP,
        data_link="",
        dataset_hash="",
        dataset_title="",
        label_status=LabelStatus.NOT_LABELLED,
        annotation_task_status=AnnotationTaskStatus.QUEUED,
        workflow_graph_node=None,
        is_shadow_data=False,
        duration=frames / 25 if frames else None,
        frames_per_second=25 if frames else None,
        number_of_frames=frames,
        height=None,
        width=None,
        audio_codec=None,
        audio_bit_depth=None,
        audio_num_channels=None,
        audio_sample_rate=None,
        spaces=spaces,
    )


def _row(structure, metadata, labels):
    """A LabelRowV2 with a mocked client, filled from ``labels``."""
    ontology = Mock()
    ontology.structure = structure
    row = LabelRowV2(metadata, Mock(), ontology)
    row.from_labels_dict(labels)
    return row


# --- every label-row layout the SDK reads and writes ------------------------------------------------
#
# ``sdk_ontology()`` is an SDK ontology with fixed feature hashes (``H`` below); ``sdk_label_row`` builds an
# empty, offline SDK row of one layout; ``sdk_examples`` fills one row per layout through the SDK's public
# API and returns what ``to_encord_dict()`` writes; ``sdk_row_from_dict`` reads such a dict back with the SDK.

LAYOUTS = ("image", "img_group", "img_sequence", "video", "dicom", "nifti", "group")
"""Label-row layouts. ``img_sequence`` is not an SDK data type: an image sequence is a ``video`` row."""

GROUP_SPACES = {
    "cam": "video",
    "still": "image",
    "seq": "image_sequence",
    "scan": "medical_file",
    "stack": "medical_stack",
}
"""The spaces of the ``group`` layout: space id -> space type."""

RANGE_SPACES = {"mic": "audio", "doc": "text"}
"""Spaces of a group that hold no geometry (``sdk_examples(undrawable=True)`` adds these to ``GROUP_SPACES``)."""

WHEN = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc)
LATER = datetime.datetime(2024, 5, 7, 8, 9, 10, tzinfo=datetime.timezone.utc)

H = SimpleNamespace(
    # objects we draw
    box="objbox01",
    rbox="objrbox1",
    poly="objpoly1",
    line="objline1",
    point="objpnt01",
    mask="objmask1",
    pose="objpose1",
    # objects we cannot draw: not geometric shapes of ours, the reader drops them
    sound="objaudi1",
    span="objtext1",
    span_time="objtime1",
    ellipse="objelps1",
    circle="objcirc1",
    cube="objcube1",
    cube2d="objcb2d1",
    segment="objsegm1",
    # box attributes: static radio with a nested text under one option, checklist, text, numeric;
    # dynamic radio and text
    vehicle="attveh01",
    car="optcar01",
    truck="opttrk01",
    plate="attplat1",
    tags="atttags1",
    shiny="optshny1",
    dirty="optdrty1",
    note="attnote1",
    score="attscor1",
    occlusion="attoccl1",
    occ_none="optnone1",
    occ_part="optpart1",
    remark="attrmrk1",
    # classifications: frame radio, frame checklist, frame text, global radio
    weather="clswthr1",
    weather_attr="attwthr1",
    sunny="optsun01",
    rainy="optrain1",
    quality="clsqual1",
    quality_attr="attqual1",
    sharp="optshrp1",
    noisy="optnois1",
    caption="clscapt1",
    caption_attr="attcapt1",
    scene="clsscne1",
    scene_attr="attscne1",
    indoor="optindr1",
    outdoor="optoutd1",
)
"""Feature-node hashes of ``sdk_ontology()``."""

UNDRAWABLE = ("sound", "span", "span_time", "ellipse", "circle", "cube", "cube2d", "segment")
"""Keys of ``H`` naming ontology objects whose shape labelspace does not draw."""


def sdk_ontology(undrawable=True):
    """An SDK ``OntologyStructure`` with one object per drawable shape, a skeleton template, the box's attributes
    (static radio with nested text, checklist, text, numeric; dynamic radio and text), frame classifications
    (radio, checklist, text) and a global one; with ``undrawable`` also one object of every other SDK shape
    (audio, text, time_range, ellipse, circle, cuboid, cuboid_2d, segmentation). Hashes are in ``H``."""
    s = OntologyStructure()
    box = s.add_object("box", Shape.BOUNDING_BOX, feature_node_hash=H.box)
    vehicle = box.add_attribute(RadioAttribute, "vehicle", feature_node_hash=H.vehicle)
    car = vehicle.add_option("car", feature_node_hash=H.car)
    car.add_nested_attribute(TextAttribute, "plate", feature_node_hash=H.plate)
    vehicle.add_option("truck", feature_node_hash=H.truck)
    tags = box.add_attribute(ChecklistAttribute, "tags", feature_node_hash=H.tags)
    tags.add_option("shiny", feature_node_hash=H.shiny)
    tags.add_option("dirty", feature_node_hash=H.dirty)
    box.add_attribute(TextAttribute, "note", feature_node_hash=H.note)
    box.add_attribute(NumericAttribute, "score", feature_node_hash=H.score)
    occlusion = box.add_attribute(RadioAttribute, "occlusion", dynamic=True, feature_node_hash=H.occlusion)
    occlusion.add_option("none", feature_node_hash=H.occ_none)
    occlusion.add_option("partial", feature_node_hash=H.occ_part)
    box.add_attribute(TextAttribute, "remark", dynamic=True, feature_node_hash=H.remark)
    s.add_object("rotated", Shape.ROTATABLE_BOUNDING_BOX, feature_node_hash=H.rbox)
    s.add_object("polygon", Shape.POLYGON, feature_node_hash=H.poly)
    s.add_object("polyline", Shape.POLYLINE, feature_node_hash=H.line)
    s.add_object("point", Shape.POINT, feature_node_hash=H.point)
    s.add_object("mask", Shape.BITMASK, feature_node_hash=H.mask)
    template = SkeletonTemplate(
        name="pose",
        width=0.2,
        height=0.2,
        skeleton={
            "0": SkeletonTemplateCoordinate(x=0.1, y=0.1, name="head", feature_hash="nodhead1"),
            "1": SkeletonTemplateCoordinate(x=0.2, y=0.3, name="tail", feature_hash="nodtail1"),
        },
        skeleton_edges={"0": {"1": {"color": "#000000"}}},
    )
    s.add_skeleton_object("pose", template, feature_node_hash=H.pose)
    if undrawable:
        for key, shape in (
            ("sound", Shape.AUDIO),
            ("span", Shape.TEXT),
            ("span_time", Shape.TIME_RANGE),
            ("ellipse", Shape.ELLIPSE),
            ("circle", Shape.CIRCLE),
            ("cube", Shape.CUBOID),
            ("cube2d", Shape.CUBOID_2D),
            ("segment", Shape.SEGMENTATION),
        ):
            s.add_object(key, shape, feature_node_hash=getattr(H, key))
    weather = s.add_classification(feature_node_hash=H.weather)
    weather_attr = weather.add_attribute(RadioAttribute, "weather", feature_node_hash=H.weather_attr)
    weather_attr.add_option("sunny", feature_node_hash=H.sunny)
    weather_attr.add_option("rainy", feature_node_hash=H.rainy)
    quality = s.add_classification(feature_node_hash=H.quality)
    quality_attr = quality.add_attribute(ChecklistAttribute, "quality", feature_node_hash=H.quality_attr)
    quality_attr.add_option("sharp", feature_node_hash=H.sharp)
    quality_attr.add_option("noisy", feature_node_hash=H.noisy)
    caption = s.add_classification(feature_node_hash=H.caption)
    caption.add_attribute(TextAttribute, "caption", feature_node_hash=H.caption_attr)
    scene = s.add_classification(feature_node_hash=H.scene, level=OntologyClassificationLevel.GLOBAL)
    scene_attr = scene.add_attribute(RadioAttribute, "scene", feature_node_hash=H.scene_attr)
    scene_attr.add_option("indoor", feature_node_hash=H.indoor)
    scene_attr.add_option("outdoor", feature_node_hash=H.outdoor)
    return s


def sdk_label_row(structure, layout, *, frames=4, width=64, height=48, spaces=None):
    """An empty SDK ``LabelRowV2`` of ``layout`` (one of ``LAYOUTS``), built offline from the label-row dict the
    platform would send for it (``sdk_row_dict``), ready to have instances added.

    Where labels go:

    * ``image``: on the row, frame 0 (``o.set_for_frames(coords, 0)``, ``row.add_object_instance(o)``).
    * ``img_group``: on the row; the frame is the image's ``data_sequence`` (0 .. frames-1); image ``i`` is
      ``(width + 16 i) x (height + 8 i)`` pixels (``row.get_frame_view(i).width``).
    * ``img_sequence``, ``video``, ``dicom``, ``nifti``: on the row, frames 0 .. frames-1.
    * ``group``: on the spaces, ``sdk_space(row, space_id)``, for the ids of ``spaces``
      (default ``GROUP_SPACES``); a space has ``put_object_instance``, ``put_classification_instance`` and
      (multi-frame ones) ``set_dynamic_answer``.
    """
    labels = sdk_row_dict(layout, frames=frames, width=width, height=height, spaces=spaces)
    return sdk_row_from_dict(structure, labels, frames=1 if layout in ("image", "group") else frames)


def sdk_space(row, space_id):
    """The SDK space ``space_id`` of a ``group`` row (``VideoSpace``, ``ImageSpace``, ``MedicalSpace``, ...)."""
    kind = SpaceType(row._space_map[space_id]._space_info["space_type"]).value
    return row.get_space(id=space_id, type_={"medical_file": "medical", "medical_stack": "medical"}.get(kind, kind))


def sdk_row_dict(layout, *, frames=4, width=64, height=48, spaces=None):
    """The empty label-row dict the platform sends for ``layout`` (see ``sdk_label_row``): what
    ``from_labels_dict`` accepts, with the extras the SDK reads but never writes back (DICOM series and slice
    ``metadata``, ``data_links``, space ``child_info``)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r} is not one of {LAYOUTS}")
    data_hash = f"{layout}-data"
    data_type = {"img_sequence": "video"}.get(layout, layout)
    units = {}
    row_spaces = {}
    if layout == "image":
        units[data_hash] = _unit(data_hash, "photo.jpg", "image/jpeg", 0, width, height, link="photo.jpg")
    elif layout == "img_group":
        for i in range(frames):
            h = f"{data_hash}-{i}"
            units[h] = _unit(h, f"img{i}.png", "image/png", str(i), width + 16 * i, height + 8 * i, link=f"img{i}.png")
    elif layout in ("video", "img_sequence"):
        fps = 25.0 if layout == "video" else 1.0
        units[data_hash] = _unit(data_hash, f"{layout}.mp4", "video/mp4", 0, width, height, link=f"{layout}.mp4")
        units[data_hash].update(data_duration=frames / fps, data_fps=fps)
    elif layout == "dicom":
        units[data_hash] = _unit(data_hash, "series", "application/dicom", 0, width, height)
        units[data_hash]["labels"] = {
            str(f): {"objects": [], "classifications": [], "metadata": _slice(f, width, height)} for f in range(frames)
        }
        units[data_hash]["metadata"] = {"patient_id": "patient-1", "study_uid": "1.2.3", "series_uid": "1.2.3.4"}
        units[data_hash]["data_links"] = [f"slice{f}.dcm" for f in range(frames)]
    elif layout == "nifti":
        units[data_hash] = _unit(data_hash, "volume.nii", "application/nifti1", 0, width, height, link="volume.nii")
    else:  # group
        kinds = spaces or GROUP_SPACES
        row_spaces = {sid: _space_info(sid, kind, frames, width, height) for sid, kind in kinds.items()}
        units[data_hash] = {"data_hash": data_hash, "data_sequence": 0, "data_title": "", "data_type": "group"}
        units[data_hash]["labels"] = {}
    return {
        "label_hash": f"{layout}-label",
        "branch_name": "main",
        "created_at": "Thu, 09 Feb 2023 14:12:03 UTC",
        "last_edited_at": "Thu, 09 Feb 2023 14:12:03 UTC",
        "data_hash": data_hash,
        "dataset_hash": "dataset",
        "dataset_title": "examples",
        "data_title": layout,
        "data_type": data_type,
        "annotation_task_status": "QUEUED",
        "is_shadow_data": False,
        "object_answers": {},
        "classification_answers": {},
        "object_actions": {},
        "label_status": "LABEL_IN_PROGRESS",
        "data_units": units,
        "spaces": row_spaces,
    }


def sdk_row_from_dict(structure, labels, frames=None):
    """The SDK's reading of a label-row dict of any layout (offline, client mocked). The ``LabelRowMetadata`` the
    SDK needs besides the dict is derived from it: size and file type from the first data unit, the frame count
    from ``frames`` or else fps x duration (video), the number of images (image group), or the last frame the dict
    mentions (DICOM, NIfTI)."""
    data_type = labels["data_type"]
    units = list(labels["data_units"].values())
    unit = units[0] if units else {}
    count, fps, duration, width, height = 1, None, None, unit.get("width"), unit.get("height")
    if data_type == "img_group":
        count, width, height = len(units), None, None
    elif data_type in ("video", "dicom", "nifti"):
        fps, duration = unit.get("data_fps"), unit.get("data_duration")
        count = round(fps * duration) if fps and duration else _last_frame(labels) + 1
    spaces = {sid: _space_metadata(sid, info) for sid, info in labels.get("spaces", {}).items()}
    now = datetime.datetime.now(datetime.timezone.utc)
    metadata = LabelRowMetadata(
        label_hash=labels["label_hash"],
        branch_name=labels.get("branch_name", "main"),
        created_at=now,
        last_edited_at=now,
        data_hash=labels["data_hash"],
        data_title=labels.get("data_title", ""),
        data_type=data_type.upper(),
        data_link=unit.get("data_link"),
        dataset_hash=labels.get("dataset_hash", ""),
        dataset_title=labels.get("dataset_title", ""),
        label_status=LabelStatus.LABEL_IN_PROGRESS,
        annotation_task_status=AnnotationTaskStatus.QUEUED,
        workflow_graph_node=None,
        is_shadow_data=False,
        duration=duration,
        frames_per_second=fps,
        number_of_frames=frames or count,
        height=height,
        width=width,
        audio_codec=None,
        audio_bit_depth=None,
        audio_num_channels=None,
        audio_sample_rate=None,
        spaces=spaces,
        file_type=unit.get("data_type"),
    )
    return _row(structure, metadata, labels)


def _space_metadata(space_id, info):
    """A space as ``LabelRowMetadata.spaces`` holds it: no labels, and a ``child_info`` (which the SDK needs to
    build the space but does not write back; the layout key is then taken to be the space id)."""
    info = {**info, "labels": {}}
    if "child_info" not in info and "scene_info" not in info:
        info["child_info"] = {"layout_key": space_id, "file_name": space_id}
    return info


def _last_frame(labels):
    """The highest frame a label-row dict mentions (frame-keyed labels, classification and dynamic-answer ranges)."""
    last = 0
    for unit in labels["data_units"].values():
        last = max([last] + [int(k) for k in unit.get("labels", {}) if str(k).isdigit()])
    for answer in labels.get("classification_answers", {}).values():
        last = max([last] + [r[1] for r in answer.get("range") or []])
    for action in labels.get("object_actions", {}).values():
        last = max([last] + [r[1] for a in action["actions"] for r in a.get("range") or []])
    return last


def _unit(data_hash, title, mime, sequence, width, height, link=None):
    """One ``data_units`` entry; DICOM units have no ``data_link``."""
    unit = {"data_hash": data_hash, "data_title": title, "data_type": mime, "data_sequence": sequence}
    if link is not None:
        unit["data_link"] = link
    unit.update(width=width, height=height, labels={})
    return unit


def _slice(frame, width, height):
    """The per-slice ``metadata`` the platform puts on each DICOM frame entry."""
    return {
        "dicom_instance_uid": f"1.2.3.4.{frame}",
        "multiframe_frame_number": None,
        "file_uri": f"slice{frame}.dcm",
        "width": width,
        "height": height,
    }


def _space_info(space_id, kind, frames, width, height):
    """The ``spaces`` entry of a data group for one space of ``kind``."""
    info = {"space_type": kind, "child_info": {"layout_key": space_id, "file_name": f"{space_id}.{kind}"}, "labels": {}}
    if kind == "video":
        info.update(number_of_frames=frames, width=width, height=height, data_duration=frames / 25, data_fps=25.0)
    elif kind == "image":
        info.update(width=width, height=height)
    elif kind == "image_sequence":
        info.update(number_of_frames=frames, width=width, height=height)
        info["frames"] = [
            {
                "data_uuid": f"{space_id}-{f}",
                "data_type": "image/png",
                "data_sequence": f,
                "data_link": f"{f}.png",
                "data_title": f"{f}.png",
            }
            for f in range(frames)
        ]
    elif kind == "medical_file":
        info.update(number_of_frames=frames, width=width, height=height)
    elif kind == "medical_stack":
        info["frames"] = [
            {"width": width + 16 * f, "height": height + 8 * f, "instance_uid": f"1.2.{f}", "file_name": f"{f}.dcm"}
            for f in range(frames)
        ]
    elif kind == "audio":
        info["duration_ms"] = 10000
    elif kind != "text":
        raise ValueError(f"space type {kind!r} is not built here")
    return info


def sdk_examples(structure=None, *, frames=4, width=64, height=48, undrawable=True):
    """``{layout: sdk_row.to_encord_dict()}`` for every layout in ``LAYOUTS``: what the SDK writes for the rows of
    ``sdk_built_rows`` (same arguments). Values are plain JSON types except ``spaces[*]["space_type"]``, an SDK
    ``SpaceType`` (a ``str`` whose ``str()`` is the upper-case name); ``json.loads(json.dumps(d))`` gives
    the file form."""
    rows = sdk_built_rows(structure, frames=frames, width=width, height=height, undrawable=undrawable)
    return {layout: row.to_encord_dict() for layout, row in rows.items()}


def sdk_built_rows(structure=None, *, frames=4, width=64, height=48, undrawable=True):
    """``{layout: LabelRowV2}`` for every layout in ``LAYOUTS``, each filled through the SDK's public API with
    ``structure`` (default ``sdk_ontology(undrawable)``; it needs ``H``'s hashes); ``image`` has one frame,
    the others ``frames``.

    Every row has: a box (object number 1, static answers vehicle=car with nested plate, tags, note, score;
    dynamic occlusion on two ranges and remark on frame 0) on every frame, the last one with
    ``manual_annotation`` False, confidence 0.75 and a later edit by someone else; a rotatable box, polygon,
    polyline, point (first and last frame), bitmask (sized to its frame) and skeleton (one node occluded);
    frame classifications weather (two instances on different ranges), quality (checklist) and caption (text,
    two ranges, not manual, confidence 0.75); and the global scene classification. With ``undrawable``, an
    ellipse object (a shape labelspace does not draw) sits on frame 0, and a group also has the
    ``RANGE_SPACES`` (audio: a sound object on a millisecond range and a weather classification; text: a
    text-span object). Groups spread all this over their spaces (see ``_fill_group``)."""
    structure = structure or sdk_ontology(undrawable=undrawable)
    out = {}
    for layout in LAYOUTS:
        spaces = {**GROUP_SPACES, **(RANGE_SPACES if undrawable else {})}
        row = sdk_label_row(structure, layout, frames=frames, width=width, height=height, spaces=spaces)
        if layout == "group":
            _fill_group(row, structure, frames, undrawable)
        else:
            _fill_row(row, structure, 1 if layout == "image" else frames, undrawable)
        out[layout] = row
    return out


def sdk_example_rows(structure=None, **kwargs):
    """``{layout: LabelRowV2}``: the SDK's own reading (``sdk_row_from_dict``) of each ``sdk_examples`` dict.
    Objects of a group are on its spaces (``sdk_space``), not ``row.get_object_instances()``."""
    structure = structure or sdk_ontology(undrawable=kwargs.get("undrawable", True))
    return {k: sdk_row_from_dict(structure, d) for k, d in sdk_examples(structure, **kwargs).items()}


_PLAIN = {
    "created_at": WHEN,
    "created_by": "ann@example.org",
    "last_edited_at": WHEN,
    "last_edited_by": "ann@example.org",
}
"""Label metadata: made by hand by ann, not edited since."""
_AUTO = {
    "created_at": WHEN,
    "created_by": "model@example.org",
    "last_edited_at": LATER,
    "last_edited_by": "bob@example.org",
    "confidence": 0.75,
    "manual_annotation": False,
}
"""Label metadata: made by a model (not manual, confidence 0.75), edited later by bob."""


def _shapes(structure, frame_size):
    """(key, ObjectInstance, coordinates-for-a-frame) for the non-box shapes; ``frame_size(f)`` is (w, h)."""

    def obj(key):
        return ObjectInstance(structure.get_child_by_hash(getattr(H, key), type_=Object), object_hash=f"{key}-0001")

    def mask(f):
        w, h = frame_size(f)
        m = numpy.zeros((h, w), dtype=bool)
        m[2:6, 3:9] = True
        m[h - 2 :, w - 3 :] = True
        return BitmaskCoordinates(m)

    return [
        ("rbox", obj("rbox"), lambda f: RotatableBoundingBoxCoordinates(0.2, 0.3, 0.1, 0.15, 30.0 + f)),
        (
            "poly",
            obj("poly"),
            lambda f: PolygonCoordinates(
                values=[PointCoordinate(0.1, 0.1), PointCoordinate(0.5, 0.1 + 0.05 * f), PointCoordinate(0.3, 0.6)]
            ),
        ),
        (
            "line",
            obj("line"),
            lambda f: PolylineCoordinates(
                values=[PointCoordinate(0.0, 0.0), PointCoordinate(0.25, 0.5), PointCoordinate(0.75, 0.25 + 0.1 * f)]
            ),
        ),
        ("point", obj("point"), lambda f: PointCoordinate(0.25 + 0.1 * f, 0.75)),
        ("mask", obj("mask"), mask),
        (
            "pose",
            obj("pose"),
            lambda f: SkeletonCoordinates(
                name="pose",
                values=[
                    SkeletonCoordinate(
                        x=0.1,
                        y=0.2 + 0.01 * f,
                        name="head",
                        feature_hash="nodhead1",
                        color="#000000",
                        value="head",
                        visibility=Visibility.VISIBLE,
                    ),
                    SkeletonCoordinate(
                        x=0.3,
                        y=0.4,
                        name="tail",
                        feature_hash="nodtail1",
                        color="#000000",
                        value="tail",
                        visibility=Visibility.OCCLUDED,
                    ),
                ],
            ),
        ),
    ]


def _box(structure, name="box-0001"):
    """The box object (object number 1) with its static answers set."""
    o = structure.get_child_by_hash
    box = ObjectInstance(o(H.box, type_=Object), object_hash=name, object_number=1)
    box.set_answer(o(H.car, type_=NestableOption))
    box.set_answer("AB-123", attribute=o(H.plate, type_=TextAttribute))
    box.set_answer([o(H.shiny, type_=FlatOption), o(H.dirty, type_=FlatOption)])
    box.set_answer("seen twice", attribute=o(H.note, type_=TextAttribute))
    box.set_answer(0.5, attribute=o(H.score, type_=NumericAttribute))
    return box


def _classifications(structure, frames):
    """[(ClassificationInstance, frames or None for global, metadata)] for a row or space of ``frames`` frames."""
    o = structure.get_child_by_hash
    last = frames - 1

    def make(key, name, answer, attribute=None):
        c = ClassificationInstance(o(getattr(H, key), type_=Classification), classification_hash=name)
        c.set_answer(answer, attribute=attribute)
        return c

    out = [
        (make("weather", "wthr-0001", o(H.sunny, type_=NestableOption)), Range(0, min(1, last)), _PLAIN),
        (
            make("quality", "qual-0001", [o(H.sharp, type_=FlatOption), o(H.noisy, type_=FlatOption)]),
            min(2, last),
            _PLAIN,
        ),
        (
            make("caption", "capt-0001", "a street", o(H.caption_attr, type_=TextAttribute)),
            [Range(0, 0)] + ([Range(2, last)] if last >= 2 else []),
            _AUTO,
        ),
        (make("scene", "scne-0001", o(H.outdoor, type_=NestableOption)), None, _PLAIN),
    ]
    if last >= 3:
        out.append((make("weather", "wthr-0002", o(H.rainy, type_=NestableOption)), last, _AUTO))
    return out


def _dynamic(structure, frames):
    """[(answer, attribute, frames)] for the box's dynamic attributes, the box being on frames 0..frames-1."""
    o = structure.get_child_by_hash
    last = frames - 1
    out = [
        (o(H.occ_part, type_=NestableOption), o(H.occlusion, type_=RadioAttribute), Range(0, min(1, last))),
        ("look left", o(H.remark, type_=TextAttribute), Range(0, 0)),
    ]
    if last >= 2:
        out.append((o(H.occ_none, type_=NestableOption), o(H.occlusion, type_=RadioAttribute), Range(2, last)))
    return out


def _ellipse(structure):
    """An instance of the ellipse object, a shape labelspace does not draw."""
    return ObjectInstance(structure.get_child_by_hash(H.ellipse, type_=Object), object_hash="ellipse-0001")


def _fill_row(row, structure, frames, undrawable):
    """Labels on a non-group row of ``frames`` frames (the row itself holds them)."""
    size = lambda f: (row.get_frame_view(f).width, row.get_frame_view(f).height)  # noqa: E731
    last = frames - 1
    box = _box(structure)
    box.set_for_frames(BoundingBoxCoordinates(0.2, 0.3, 0.1, 0.1), Range(0, max(0, last - 1)), **_PLAIN)
    box.set_for_frames(BoundingBoxCoordinates(0.25, 0.3, 0.15, 0.1), last, overwrite=True, **_AUTO)
    row.add_object_instance(box)
    for answer, attribute, on in _dynamic(structure, frames):
        box.set_answer(answer, attribute=attribute, frames=on)
    places = {
        "rbox": [min(1, last)],
        "poly": [0],
        "line": [min(2, last)],
        "point": sorted({0, last}),
        "mask": [min(1, last)],
        "pose": [0],
    }
    for key, inst, coords in _shapes(structure, size):
        for f in places[key]:
            inst.set_for_frames(coords(f), f, overwrite=True, **_PLAIN)
        row.add_object_instance(inst)
    if undrawable:
        ellipse = _ellipse(structure)
        ellipse.set_for_frames(EllipseCoordinates(0.5, 0.5, 0.2, 0.1, 10.0), 0, **_PLAIN)
        row.add_object_instance(ellipse)
    for c, on, meta in _classifications(structure, frames):
        if on is None:
            for k, v in meta.items():
                setattr(c, k, v)
        else:
            c.set_for_frames(on, **meta)
        row.add_classification_instance(c)


def _fill_group(row, structure, frames, undrawable):
    """Labels spread over the spaces of a ``group`` row: on ``cam`` (video) the box, skeleton, all frame
    classifications and the global one; on ``still`` (image) a polygon, a second box and a weather
    classification; on ``seq`` (image sequence) a point on two frames and a polyline; on ``scan`` (medical file)
    the rotatable box; on ``stack`` (medical stack, each slice its own size) the bitmask; with ``undrawable``
    the ellipse on ``cam`` and the ``RANGE_SPACES`` labels."""
    cam, still, seq, scan, stack = (sdk_space(row, s) for s in ("cam", "still", "seq", "scan", "stack"))
    last = frames - 1
    box = _box(structure)
    cam.put_object_instance(box, Range(0, max(0, last - 1)), BoundingBoxCoordinates(0.2, 0.3, 0.1, 0.1), **_PLAIN)
    cam.put_object_instance(box, last, BoundingBoxCoordinates(0.25, 0.3, 0.15, 0.1), on_overlap="replace", **_AUTO)
    for answer, attribute, on in _dynamic(structure, frames):
        cam.set_dynamic_answer(box, on, answer, attribute)
    shapes = {k: (i, c) for k, i, c in _shapes(structure, lambda f: stack._get_frame_dimensions(f))}
    one, two = min(1, last), min(2, last)
    for key, space, on in (
        ("rbox", scan, [one]),
        ("poly", still, None),
        ("line", seq, [two]),
        ("point", seq, sorted({0, last})),
        ("mask", stack, [two]),
        ("pose", cam, [0]),
    ):
        inst, coords = shapes[key]
        if on is None:
            space.put_object_instance(inst, coords(0), **_PLAIN)
        else:
            for f in on:
                space.put_object_instance(inst, f, coords(f), **_PLAIN)
    other = _box(structure, "box-0002")
    still.put_object_instance(other, BoundingBoxCoordinates(0.5, 0.5, 0.25, 0.25), **_AUTO)
    if undrawable:
        cam.put_object_instance(_ellipse(structure), 0, EllipseCoordinates(0.5, 0.5, 0.2, 0.1, 10.0), **_PLAIN)
    for c, on, meta in _classifications(structure, frames):
        if on is None:
            cam.put_classification_instance(c, **meta)
        else:
            cam.put_classification_instance(c, on, **meta)
    weather = structure.get_child_by_hash(H.weather, type_=Classification)
    sun = ClassificationInstance(weather, classification_hash="wthr-0003")
    sun.set_answer(structure.get_child_by_hash(H.sunny, type_=NestableOption))
    still.put_classification_instance(sun, **_PLAIN)
    if undrawable:
        mic, doc = sdk_space(row, "mic"), sdk_space(row, "doc")
        sound = ObjectInstance(structure.get_child_by_hash(H.sound, type_=Object), object_hash="sound-0001")
        mic.put_object_instance(sound, Range(100, 200), **_PLAIN)
        span = ObjectInstance(structure.get_child_by_hash(H.span, type_=Object), object_hash="span-0001")
        doc.put_object_instance(span, Range(0, 4), **_PLAIN)
        rain = ClassificationInstance(weather, classification_hash="wthr-0004")
        rain.set_answer(structure.get_child_by_hash(H.rainy, type_=NestableOption))
        mic.put_classification_instance(rain, **_PLAIN)


def sdk_facts(row):
    """What an SDK row says, as a sorted list of plain tuples, for comparing readers fact by fact:

    * ``("object", space, frame, object_hash, feature_hash, shape, geometry, created_at, created_by,
      last_edited_at, last_edited_by, confidence, manual_annotation)`` per object per frame; ``geometry`` is the
      SDK's own dict for the shape as JSON (``polygons`` for polygons, ``rleString`` etc. for bitmasks);
    * ``("static", object_hash, attribute_hash, answer)`` and ``("dynamic", object_hash, attribute_hash, answer,
      frame)`` per answered attribute (answers: option hash, sorted tuple of option hashes, text or number);
    * ``("classification", space, frame, classification_hash, feature_hash, answers, created_at, created_by,
      last_edited_at, last_edited_by, confidence, manual_annotation)`` per classification per frame, ``frame``
      None for a global classification; ``answers`` a sorted tuple of (attribute_hash, answer).

    ``space`` is ``""`` for labels held by the row itself (non-group layouts). Times are UTC ISO strings to
    the second. Spaces without frames (audio, text) are left out."""
    facts = []
    holders = [("", None)] if row.data_type != DataType.GROUP else [(s.space_id, s) for s in row.get_spaces()]
    for space_id, space in holders:
        if space is None:
            objects = [(a.frame, o, a) for o in row.get_object_instances() for a in o.get_annotations()]
            classes = []
            for c in row.get_classification_instances():
                frames = [None] if c.is_global() else [f for r in c.range_list for f in range(r.start, r.end + 1)]
                classes += [(f, c, c) for f in frames]
        elif isinstance(space, (ImageSpace, MultiFrameSpace)):
            objects = [(a.frame, a.object_instance, a) for a in space.get_annotations("object")]
            classes = [
                (None if a.classification_instance.is_global() else a.frame, a.classification_instance, a)
                for a in space.get_annotations("classification")
            ]
        else:
            continue
        seen = set()
        for frame, o, a in objects:
            shape = o.ontology_item.shape.value
            facts.append(
                ("object", space_id, frame, o.object_hash, o.feature_hash, shape, _geometry(a.coordinates), *_meta(a))
            )
            if o.object_hash not in seen:
                seen.add(o.object_hash)
                facts += _answer_facts(o)
        for frame, c, a in classes:
            answers = tuple(
                sorted(
                    (attr.feature_node_hash, _answer(c.get_answer(attr)))
                    for attr in _attributes(c.ontology_item.attributes)
                    if _answer(c.get_answer(attr)) not in (None, ())
                )
            )
            facts.append(("classification", space_id, frame, c.classification_hash, c.feature_hash, answers, *_meta(a)))
    return sorted(facts, key=repr)


def _attributes(attributes):
    """Attributes and the attributes nested under their options, depth first."""
    for attribute in attributes:
        yield attribute
        for option in getattr(attribute, "options", []):
            yield from _attributes(getattr(option, "attributes", []))


def _answer(value):
    """An SDK answer as a plain value: option -> its hash, options -> sorted tuple of hashes."""
    if isinstance(value, (str, int, float)) or value is None:
        return value
    if hasattr(value, "feature_node_hash"):
        return value.feature_node_hash
    return tuple(sorted(_answer(v) for v in value))


def _answer_facts(o):
    """The ``static`` and ``dynamic`` facts of an object instance (see ``sdk_facts``)."""
    out = []
    for attribute in _attributes(o.ontology_item.attributes):
        if attribute.dynamic:
            for got in o.get_answer(attribute) or []:
                for r in got.ranges:
                    out += [
                        ("dynamic", o.object_hash, attribute.feature_node_hash, _answer(got.answer), f)
                        for f in range(r.start, r.end + 1)
                    ]
        else:
            value = _answer(o.get_answer(attribute))
            if value not in (None, ()):
                out.append(("static", o.object_hash, attribute.feature_node_hash, value))
    return out


def _geometry(coordinates):
    """The SDK's dict for a geometry, as canonical JSON."""
    if isinstance(coordinates, PolygonCoordinates):
        d = coordinates.to_dict("multiple_polygons")
    else:
        d = coordinates.to_dict()
    return json.dumps(d, sort_keys=True, default=str)


def _meta(a):
    """(created_at, created_by, last_edited_at, last_edited_by, confidence, manual_annotation) of an annotation."""
    return (
        _utc(a.created_at),
        a.created_by,
        _utc(a.last_edited_at),
        a.last_edited_by,
        a.confidence,
        a.manual_annotation,
    )


def _utc(t):
    """A datetime as a UTC ISO string to the second (naive ones taken as local time, as the SDK writes them)."""
    if t is None:
        return None
    if t.tzinfo is None:
        t = t.astimezone(datetime.timezone.utc)
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
