"""Build Encord SDK label rows offline (no client, no network), for oracle tests and benchmarks."""

import datetime
from unittest.mock import Mock

from encord.constants.enums import DataType, SpaceType
from encord.objects import LabelRowV2
from encord.objects.attributes import RadioAttribute, TextAttribute
from encord.objects.common import Shape
from encord.objects.ontology_structure import OntologyStructure
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
