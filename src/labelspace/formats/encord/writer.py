"""Writing label rows as Encord label-row JSON, in the layout that fits each row or the one asked for."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime, timezone
from typing import Any

from labelspace.formats.encord.values import (
    answer_dict,
    geometry,
    metadata_fields,
    snake,
    write_time,
)
from labelspace.model.errors import FormatError
from labelspace.model.label_row import LabelRow
from labelspace.model.project import Project
from labelspace.model.spaces import ImageSpace, MedicalSpace, MultiFrameSpace, Space, VideoSpace

LAYOUTS = ("image", "img_group", "video", "dicom", "nifti", "group")
MEDICAL_MIME = {"dicom": "application/dicom", "nifti": "application/nifti1"}


def layout_of(row: LabelRow) -> str:
    """The layout that fits a row."""
    spaces = row.list_spaces()
    if len(spaces) == 1:
        space = spaces[0]
        if isinstance(space, ImageSpace):
            return "image"
        if isinstance(space, VideoSpace):
            return "video"
        assert isinstance(space, MedicalSpace)
        return space.modality
    if spaces and all(isinstance(s, ImageSpace) for s in spaces):
        return "img_group"
    return "group"


def check_layout(row: LabelRow, layout: str) -> None:
    """Refuse a layout that cannot hold the row."""
    spaces = row.list_spaces()
    fits = {
        "image": len(spaces) == 1 and isinstance(spaces[0], ImageSpace),
        "img_group": bool(spaces) and all(isinstance(s, ImageSpace) for s in spaces),
        "video": len(spaces) == 1 and isinstance(spaces[0], VideoSpace),
        "dicom": len(spaces) == 1 and isinstance(spaces[0], MedicalSpace),
        "nifti": len(spaces) == 1 and isinstance(spaces[0], MedicalSpace),
        "group": bool(spaces),
    }
    if layout not in fits:
        raise FormatError(f"unknown Encord layout {layout!r}; expected one of {list(LAYOUTS)}.")
    if not fits[layout]:
        kinds = [s.kind for s in spaces]
        raise FormatError(
            f"an Encord {layout!r} label row cannot hold a row of spaces {kinds}; leave the layout out to write "
            f"the one that fits ({layout_of(row)!r}), or 'group'."
        )


def stable_hash(*parts: str) -> str:
    """A hash that stays the same from one export of the same rows to the next."""
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()[:16]


class RowWriter:
    """One label row's Encord dict, in a layout; what Encord cannot hold is counted in ``dropped``."""

    def __init__(self, row: LabelRow, index: int, layout: str, dropped: Counter[str]) -> None:
        self.row = row
        self.layout = layout
        self.dropped = dropped
        self.key = stable_hash(str(index), *(s.space_id for s in row.list_spaces()))
        self.object_answers: dict[str, Any] = {}
        self.object_actions: dict[str, Any] = {}
        self.classification_answers: dict[str, Any] = {}

    def frame_entries(self, space: Space) -> dict[int, list[dict[str, Any]]]:
        """A space's object entries by frame; collects static and dynamic answers on the way."""
        labels: dict[int, list[dict[str, Any]]] = {}
        for view in space.get_annotations("object"):
            instance = view.object_instance
            obj = instance.ontology_item
            entry = {
                "name": obj.name,
                "color": obj.color,
                "shape": obj.shape.value,
                "value": snake(obj.name),
                **metadata_fields(view.metadata, self.dropped),
                "objectHash": instance.object_hash,
                "featureHash": obj.feature_node_hash,
                **geometry(view.coordinates, space),
            }
            labels.setdefault(view.frame, []).append(entry)
            self.object_answers.setdefault(
                instance.object_hash,
                {
                    "classifications": [answer_dict(a, v) for a, v in instance.get_static_answers()],
                    "objectHash": instance.object_hash,
                },
            )
        if isinstance(space, MultiFrameSpace):
            for instance in space.get_object_instances():
                for answers in space.get_dynamic_answer_runs(instance):
                    actions = self.object_actions.setdefault(
                        instance.object_hash, {"actions": [], "objectHash": instance.object_hash}
                    )
                    for answer_id, value in enumerate(answers.answers):
                        ranges = answers.ranges(answer_id)
                        actions["actions"].append(
                            {
                                **answer_dict(answers.attribute, value),
                                "dynamic": True,
                                "range": [[r.start, r.end] for r in ranges],
                                "shouldPropagate": False,
                                "spaceId": space.space_id,
                            }
                        )
        return labels

    def classifications(self, space: Space, frame_of: int | None = None) -> None:
        """Add a space's classifications: ranges of its frames (or ``frame_of``, an image's frame in a group)."""
        for instance in space.get_classification_instances():
            placed = space.get_classification_metadata(instance)
            if len({m for _, m in placed}) > 1:
                self.dropped["per-frame classification metadata (Encord keeps one per classification)"] += 1
            meta = placed[0][1]
            if instance.is_global() and not isinstance(space, ImageSpace):
                ranges: list[list[int]] = []
            elif frame_of is not None:
                ranges = [[frame_of, frame_of]]
            else:
                ranges = [[r.start, r.end] for r in space.get_classification_frames(instance)] or [[0, 0]]
            entry = self.classification_answers.get(instance.classification_hash)
            if entry is None:
                fields = metadata_fields(meta, self.dropped)
                entry = self.classification_answers[instance.classification_hash] = {
                    "classifications": [answer_dict(a, v) for a, v in instance.get_static_answers()],
                    "classificationHash": instance.classification_hash,
                    "featureHash": instance.feature_hash,
                    "spaces": {},
                    "range": [],
                    "createdBy": fields["createdBy"],
                    "createdAt": fields["createdAt"],
                    "lastEditedBy": meta.last_edited_by,
                    "lastEditedAt": fields["lastEditedAt"],
                    "confidence": meta.confidence,
                    "manualAnnotation": meta.manual_annotation,
                }
            if self.layout == "group":
                entry["spaces"][space.space_id] = {"range": ranges, "type": "frame"}
            else:
                entry["range"].extend(ranges)

    def unit(self, space: Space, sequence: int | str, labels: Any) -> dict[str, Any]:
        """A data unit holding one space."""
        unit: dict[str, Any] = {
            "data_hash": stable_hash(self.key, space.space_id),
            "data_title": space.space_id,
            "data_link": space.media or "",
            "data_type": "image/jpeg"
            if isinstance(space, ImageSpace)
            else "video/mp4"
            if isinstance(space, VideoSpace)
            else MEDICAL_MIME[space.modality],  # type: ignore[attr-defined]
            "data_sequence": sequence,
            "width": space.width,
            "height": space.height,
            "labels": labels,
            "labelspace": {"space_id": space.space_id, "media": space.media},
        }
        if isinstance(space, MultiFrameSpace):
            unit["number_of_frames"] = space.number_of_frames
            if isinstance(space, VideoSpace):
                fps = space.fps or 25.0
                unit.update(data_fps=fps, data_duration=space.number_of_frames / fps)
                if space.fps is None:
                    unit["labelspace"]["fps"] = None
        return unit

    def to_dict(self) -> dict[str, Any]:
        """The label-row dict."""
        spaces = self.row.list_spaces()
        units: dict[str, Any] = {}
        group_spaces: dict[str, Any] = {}
        if self.layout in ("image", "img_group"):
            for i, space in enumerate(spaces):
                entries = self.frame_entries(space).get(0, [])
                unit = self.unit(
                    space, str(i) if self.layout == "img_group" else 0, {"objects": entries, "classifications": []}
                )
                units[unit["data_hash"]] = unit
                self.classifications(space, i if self.layout == "img_group" else None)
        elif self.layout in ("video", "dicom", "nifti"):
            space = spaces[0]
            labels = {
                str(f): {"objects": e, "classifications": []} for f, e in sorted(self.frame_entries(space).items())
            }
            unit = self.unit(space, 0, labels)
            units[unit["data_hash"]] = unit
            self.classifications(space)
        else:
            group_hash = stable_hash(self.key, "group")
            units[group_hash] = {
                "data_hash": group_hash,
                "data_title": "",
                "data_type": "group",
                "data_sequence": 0,
                "labels": {"objects": [], "classifications": []},
            }
            for space in spaces:
                group_spaces[space.space_id] = self.group_space(space)
                self.classifications(space)
        first = next(iter(units.values()))
        now = write_time(datetime.now(timezone.utc))
        return {
            "label_hash": stable_hash(self.key, "label"),
            "branch_name": "main",
            "created_at": now,
            "last_edited_at": now,
            "data_hash": first["data_hash"],
            "dataset_hash": "",
            "dataset_title": "",
            "data_title": first["data_title"],
            "data_type": self.layout,
            "annotation_task_status": "QUEUED",
            "is_shadow_data": False,
            "object_answers": self.object_answers,
            "classification_answers": self.classification_answers,
            "object_actions": self.object_actions,
            "label_status": "LABEL_IN_PROGRESS",
            "data_units": units,
            "spaces": group_spaces,
        }

    def group_space(self, space: Space) -> dict[str, Any]:
        """A data group's entry for one space."""
        entries = self.frame_entries(space)
        info: dict[str, Any] = {
            "child_info": {"layout_key": space.space_id, "file_name": space.media or space.space_id},
            "width": space.width,
            "height": space.height,
        }
        if isinstance(space, ImageSpace):
            info["space_type"] = "image"
            info["labels"] = {"0": {"objects": entries[0], "classifications": []}} if 0 in entries else {}
            return info
        assert isinstance(space, MultiFrameSpace)
        info["number_of_frames"] = space.number_of_frames
        info["labels"] = {str(f): {"objects": e, "classifications": []} for f, e in sorted(entries.items())}
        if isinstance(space, VideoSpace):
            fps = space.fps or 25.0
            info.update(space_type="video", data_fps=fps, data_duration=space.number_of_frames / fps)
        else:
            info.update(space_type="medical_file", modality=space.modality)  # type: ignore[attr-defined]
        return info


def to_encord(
    project: Project | LabelRow, layout: str | None = None, dropped: Counter[str] | None = None
) -> dict[str, Any] | list[dict[str, Any]]:
    """Encord label-row JSON: a dict for a one-row project, else a list (as Encord exports are).

    Args:
        project: The project (or one row).
        layout: One of ``LAYOUTS`` for every row; the layout that fits each row when None.
        dropped: Counts of what Encord cannot hold are added here.

    Raises:
        FormatError: If ``layout`` cannot hold a row.
    """
    if isinstance(project, LabelRow):
        project = Project.of(project)
    dropped = dropped if dropped is not None else Counter()
    rows = []
    for i, row in enumerate(project.rows):
        chosen = layout or layout_of(row)
        check_layout(row, chosen)
        if chosen in ("dicom", "nifti") and isinstance(row.list_spaces()[0], MedicalSpace):
            modality = row.list_spaces()[0].modality  # type: ignore[attr-defined]
            if modality != chosen:
                dropped[f"volume kinds ({modality} written as {chosen})"] += 1
        rows.append(RowWriter(row, i, chosen, dropped).to_dict())
    return rows[0] if len(rows) == 1 else rows
