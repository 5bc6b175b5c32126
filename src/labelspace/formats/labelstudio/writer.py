"""Writing a project as a Label Studio JSON export, and the labeling config that fits it.

A task per image and per video space; a space's labels go into one annotation per author and
one prediction per model, as results whose control names (``box``, ``polygon``, ``keypoint``,
``brush``) the config declares.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from labelspace.formats.labelstudio.brush import encode_brush
from labelspace.formats.labelstudio.geometry import centre_to_corner
from labelspace.formats.labelstudio.media import media_value
from labelspace.model.annotations import Metadata
from labelspace.model.coordinates import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    RotatableBoundingBoxCoordinates,
)
from labelspace.model.frames import merge_runs, runs_to_ranges
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    RadioAttribute,
    Shape,
    TextAttribute,
)
from labelspace.model.project import Project
from labelspace.model.spaces import Space, VideoSpace

_DEFAULT_FPS = 24.0
"""Label Studio's frame rate when the labeling config gives none (only ``time`` depends on it)."""


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _completed_by(created_by: str | None) -> Any:
    """A Label Studio annotator: the user id for a number, else an expanded user with the email."""
    if created_by is None:
        return None
    if created_by.isdigit() and len(created_by) < 16:
        return int(created_by)
    return {"email": created_by}


def _answer_item(attribute: Attribute, answer: Any) -> tuple[str, dict[str, Any]] | None:
    """A result type and value of an answer; None for an empty checklist, which Label Studio never writes."""
    if isinstance(attribute, RadioAttribute):
        return "choices", {"choices": [answer.label]}
    if isinstance(attribute, ChecklistAttribute):
        return ("choices", {"choices": [o.label for o in answer]}) if answer else None
    if isinstance(attribute, TextAttribute):
        return "textarea", {"text": [answer]}
    return "number", {"number": answer}


@dataclass
class _Group:
    """One annotation or prediction being written: its results and the times of its labels."""

    results: list[dict[str, Any]] = field(default_factory=list)
    times: list[tuple[datetime, datetime]] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)


class _Writer:
    """Builds the tasks of a project, counting what Label Studio cannot hold."""

    def __init__(self, dropped: Counter[str]) -> None:
        self.dropped = dropped
        self.next_id = 0

    def ident(self) -> int:
        self.next_id += 1
        return self.next_id

    def task(self, row_index: int, space: Space) -> dict[str, Any]:
        groups: dict[tuple[bool, str | None], _Group] = {}
        video = isinstance(space, VideoSpace)
        to_name = "video" if video else "image"
        if isinstance(space, VideoSpace):
            for instance in space.get_object_instances():
                self.track(space, instance, groups)
        else:
            for view in space.get_annotations("object"):
                self.region(space, view.object_instance, view.coordinates, view.metadata, groups)
        for view in space.get_annotations("classification"):
            if video and not view.is_global:
                self.dropped["frame classifications on videos"] += 1
                continue
            self.classification(view.classification_instance, view.metadata, to_name, groups)
        task_id = self.ident()
        annotations, predictions = [], []
        for (manual, who), group in groups.items():
            created = min(t[0] for t in group.times)
            updated = max(t[1] for t in group.times)
            self.dropped["annotation times (Label Studio keeps one pair per annotation)"] += sum(
                1 for t in group.times if t != (created, updated)
            )
            common = {"created_at": _iso(created), "updated_at": _iso(updated), "task": task_id}
            if manual:
                annotations.append(
                    {
                        "id": self.ident(),
                        "completed_by": _completed_by(who),
                        "result": group.results,
                        "was_cancelled": False,
                        "ground_truth": False,
                        **common,
                        "lead_time": None,
                        "prediction": {},
                        "parent_prediction": None,
                        "parent_annotation": None,
                    }
                )
            else:
                predictions.append(
                    {
                        "id": self.ident(),
                        "model_version": who if who is not None else "undefined",
                        "score": sum(group.scores) / len(group.scores) if group.scores else None,
                        "result": group.results,
                        **common,
                    }
                )
        own: dict[str, Any] = {
            "row": row_index,
            "space": space.space_id,
            "kind": "video" if video else "image",
            "media": space.media,
            "width": space.width,
            "height": space.height,
        }
        if video:
            assert isinstance(space, VideoSpace)
            own.update(frames=space.number_of_frames, fps=space.fps)
        return {
            "id": task_id,
            "annotations": annotations,
            "file_upload": None,
            "drafts": [],
            "predictions": predictions,
            "data": {to_name: media_value(space.media)},
            "meta": {"labelspace": own},
            "inner_id": task_id,
            "total_annotations": len(annotations),
            "cancelled_annotations": 0,
            "total_predictions": len(predictions),
        }

    def group(self, groups: dict[tuple[bool, str | None], _Group], meta: Metadata) -> _Group:
        group = groups.setdefault((meta.manual_annotation, meta.created_by), _Group())
        group.times.append((meta.created_at, meta.last_edited_at))
        if meta.last_edited_by is not None and meta.last_edited_by != meta.created_by:
            self.dropped["last editors"] += 1
        return group

    def scored(self, item: dict[str, Any], meta: Metadata, group: _Group) -> dict[str, Any]:
        if meta.manual_annotation:
            item["origin"] = "manual"
            if meta.confidence != 1.0:
                item["score"] = meta.confidence
        else:
            item["score"] = meta.confidence
            group.scores.append(meta.confidence)
        return item

    def region(
        self,
        space: Space,
        instance: ObjectInstance,
        c: GeometricCoordinates,
        meta: Metadata,
        groups: dict[tuple[bool, str | None], _Group],
    ) -> None:
        name = instance.ontology_item.name
        w, h = space.width, space.height
        value: dict[str, Any]
        if isinstance(c, BoundingBoxCoordinates):
            kind, control = "rectanglelabels", "box"
            x, y, bw, bh = (float(v) for v in (c.top_left_x, c.top_left_y, c.width, c.height))
            value = {"x": x * 100, "y": y * 100, "width": bw * 100, "height": bh * 100, "rotation": 0}
        elif isinstance(c, RotatableBoundingBoxCoordinates):
            kind, control = "rectanglelabels", "box"
            x, y, bw, bh, rotation = centre_to_corner((c.top_left_x, c.top_left_y, c.width, c.height, c.theta), w, h)
            value = {"x": x, "y": y, "width": bw, "height": bh, "rotation": rotation}
        elif isinstance(c, PolygonCoordinates):
            kind, control = "polygonlabels", "polygon"
            self.dropped["polygon holes"] += sum(len(part) - 1 for part in c.polygons)
            self.dropped["polygon parts after the first"] += len(c.polygons) - 1
            value = {"points": [[p.x * 100, p.y * 100] for p in c.polygons[0][0]], "closed": True}
        elif isinstance(c, PointCoordinate):
            kind, control = "keypointlabels", "keypoint"
            value = {"x": c.x * 100, "y": c.y * 100, "width": 0.5}
        elif isinstance(c, BitmaskCoordinates):
            kind, control = "brushlabels", "brush"
            value = {"format": "rle", "rle": encode_brush(c.to_array())}
        else:
            self.dropped[f"{instance.ontology_item.shape.value} annotations"] += 1
            return
        group = self.group(groups, meta)
        head = {"original_width": w, "original_height": h, "image_rotation": 0}
        item = {**head, "value": {**value, kind: [name]}, "id": instance.object_hash}
        group.results.append(self.scored({**item, "from_name": control, "to_name": "image", "type": kind}, meta, group))
        for attribute, answer_type, answer in self.answers(instance, None):
            result = {**head, "value": {**value, **answer}, "id": instance.object_hash, "from_name": attribute.name}
            group.results.append(self.scored({**result, "to_name": "image", "type": answer_type}, meta, group))

    def answers(
        self, instance: ObjectInstance, dynamic: list[tuple[Attribute, Any]] | None
    ) -> Iterator[tuple[Attribute, str, dict[str, Any]]]:
        """An object's answers as result types and values: static ones, and dynamic ones held on all its frames."""
        roots = instance.ontology_item.attributes
        for attribute, answer in [*instance.get_static_answers(), *(dynamic or [])]:
            if not any(a is attribute for a in roots):
                self.dropped["nested attribute answers"] += 1
                continue
            item = _answer_item(attribute, answer)
            if item is None:
                self.dropped["empty checklist answers"] += 1
                continue
            yield attribute, item[0], item[1]

    def track(self, space: VideoSpace, instance: ObjectInstance, groups: dict[tuple[bool, str | None], _Group]) -> None:
        shape = instance.ontology_item.shape
        runs = space.get_object_runs(instance)
        if shape not in (Shape.BOUNDING_BOX, Shape.ROTATABLE_BOUNDING_BOX):
            self.dropped[f"video {shape.value} annotations"] += int((runs.ends - runs.starts + 1).sum())
            return
        fps = space.fps or _DEFAULT_FPS
        values = np.asarray(runs.values, dtype=np.float64)
        starts, ends = runs.starts.tolist(), runs.ends.tolist()
        sequence = []
        for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
            covered_next = i + 1 < len(starts) and starts[i + 1] == e + 1
            row = values[i].tolist()
            if shape is Shape.ROTATABLE_BOUNDING_BOX:
                x, y, bw, bh, rotation = centre_to_corner(row, space.width, space.height)
            else:
                x, y, bw, bh, rotation = row[0] * 100, row[1] * 100, row[2] * 100, row[3] * 100, 0.0
            box = {"rotation": rotation, "x": x, "y": y, "width": bw, "height": bh}
            # A keyframe at each end of the run; the last is disabled where the object leaves after it.
            ends_ = [(s, covered_next)] if s == e else [(s, True), (e, covered_next)]
            for frame, enabled in ends_:
                sequence.append({"frame": frame + 1, "enabled": enabled, **box, "time": (frame + 1) / fps})
        first = runs.metadata[0]
        for meta in runs.metadata[1:]:
            if (meta.manual_annotation, meta.created_by) != (first.manual_annotation, first.created_by):
                self.dropped["runs of a track by another author than its first (kept in the first's annotation)"] += 1
        group = self.group(groups, first)
        for meta in runs.metadata[1:]:
            group.times.append((meta.created_at, meta.last_edited_at))
        head = {"framesCount": space.number_of_frames, "duration": space.number_of_frames / fps, "sequence": sequence}
        item = {"value": {**head, "labels": [instance.ontology_item.name]}, "id": instance.object_hash}
        group.results.append(
            self.scored({**item, "from_name": "box", "to_name": "video", "type": "videorectangle"}, first, group)
        )
        whole = runs.frames()
        held = []
        for answers in space.get_dynamic_answer_runs(instance):
            ids = set(answers.answer_ids.tolist())
            if len(ids) == 1 and runs_to_ranges(*merge_runs(answers.starts, answers.ends)) == whole:
                held.append((answers.attribute, answers.answers[ids.pop()]))
            else:
                self.dropped["dynamic answers that change over an object's frames"] += len(answers.starts)
        for attribute, answer_type, answer in self.answers(instance, held):
            result = {"value": {**head, **answer}, "id": instance.object_hash, "from_name": attribute.name}
            group.results.append(self.scored({**result, "to_name": "video", "type": answer_type}, first, group))

    def classification(
        self,
        instance: ClassificationInstance,
        meta: Metadata,
        to_name: str,
        groups: dict[tuple[bool, str | None], _Group],
    ) -> None:
        root = instance.ontology_item.attributes[0]
        answers = instance.get_static_answers()
        self.dropped["nested attribute answers"] += sum(1 for a, _ in answers if a is not root)
        answer = next((v for a, v in answers if a is root), None)
        item = _answer_item(root, answer) if answer is not None else None
        if item is None:
            self.dropped["unanswered classifications"] += 1
            return
        group = self.group(groups, meta)
        result = {"value": item[1], "id": instance.classification_hash, "from_name": root.name, "to_name": to_name}
        group.results.append(self.scored({**result, "type": item[0]}, meta, group))


def to_labelstudio(project: Project | LabelRow, dropped: Counter[str] | None = None) -> list[dict[str, Any]]:
    """A project (or one row) as Label Studio tasks: one per image space and one per video space.

    Args:
        project: The project (or one row).
        dropped: Counts of what Label Studio cannot hold are added here.
    """
    if isinstance(project, LabelRow):
        project = Project.of(project)
    dropped = dropped if dropped is not None else Counter()
    writer = _Writer(dropped)
    tasks = []
    for index, row in enumerate(project.rows):
        for space in row.list_spaces():
            if space.kind == "medical":
                dropped["medical volumes"] += 1
                continue
            tasks.append(writer.task(index, space))
    return tasks


def labelstudio_config(project: Project | LabelRow) -> str:
    """A Label Studio labeling config (XML) for the tasks ``to_labelstudio`` writes for a project.

    Image tasks get an ``Image`` with ``RectangleLabels`` (rotatable), ``PolygonLabels``,
    ``KeyPointLabels`` and ``BrushLabels`` of the objects of those shapes; video tasks a ``Video``
    with a ``VideoRectangle`` and ``Labels``. Object attributes are per-region controls, root
    attributes of classifications whole-task ones.
    """
    if isinstance(project, LabelRow):
        project = Project.of(project)
    kinds = {space.kind for row in project.rows for space in row.list_spaces()}
    ontology = project.ontology
    view = ET.Element("View")
    controls: dict[str, str] = {
        "box": "RectangleLabels",
        "polygon": "PolygonLabels",
        "keypoint": "KeyPointLabels",
        "brush": "BrushLabels",
    }
    shapes = {
        "box": (Shape.BOUNDING_BOX, Shape.ROTATABLE_BOUNDING_BOX),
        "polygon": (Shape.POLYGON,),
        "keypoint": (Shape.POINT,),
        "brush": (Shape.BITMASK,),
    }
    for media in ("image", "video"):
        if media not in kinds:
            continue
        ET.SubElement(view, media.capitalize(), name=media, value=f"${media}")
        if media == "image":
            for control, tag in controls.items():
                names = list(dict.fromkeys(o.name for o in ontology.objects if o.shape in shapes[control]))
                if names:
                    element = ET.SubElement(view, tag, name=control, toName=media)
                    if control == "box":
                        element.set("canRotate", "true")
                    for name in names:
                        ET.SubElement(element, "Label", value=name)
        else:
            ET.SubElement(view, "VideoRectangle", name="box", toName=media)
            element = ET.SubElement(view, "Labels", name="videoLabels", toName=media)
            for name in dict.fromkeys(o.name for o in ontology.objects if o.shape in shapes["box"]):
                ET.SubElement(element, "Label", value=name)
        seen: set[str] = set()
        attributes = [(a, True) for o in ontology.objects for a in o.attributes]
        attributes += [(c.attributes[0], False) for c in ontology.classifications if c.attributes]
        for attribute, per_region in attributes:
            if attribute.name in seen:
                continue
            seen.add(attribute.name)
            attrib = {"name": attribute.name, "toName": media, **({"perRegion": "true"} if per_region else {})}
            if isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
                attrib["choice"] = "multiple" if isinstance(attribute, ChecklistAttribute) else "single"
                element = ET.SubElement(view, "Choices", attrib)
                for option in attribute.options:
                    ET.SubElement(element, "Choice", value=option.label)
            else:
                ET.SubElement(view, "TextArea" if isinstance(attribute, TextAttribute) else "Number", attrib)
    ET.indent(view)
    return ET.tostring(view, encoding="unicode")
