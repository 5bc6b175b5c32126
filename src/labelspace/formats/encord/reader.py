"""Reading Encord label-row JSON of every layout into label rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from labelspace.formats._common import Reader, put_classification, reading
from labelspace.formats._paths import media_path
from labelspace.formats._placing import Placer
from labelspace.formats._reading import DEFAULT_LIMITS, Limits
from labelspace.formats.encord.values import (
    read_answers,
    read_coordinates,
    read_metadata,
    set_answers,
)
from labelspace.model.errors import OntologyError
from labelspace.model.frames import Range
from labelspace.model.instances import ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import (
    Classification,
    Object,
    Ontology,
    Shape,
)
from labelspace.model.project import Project
from labelspace.model.spaces import MultiFrameSpace, Space

FRAMED_SPACES = ("video", "image_sequence", "medical_file", "medical_stack")


class RowReader:
    """Reads one Encord label-row dict into a label row."""

    def __init__(
        self,
        r: Reader,
        ontology: Ontology,
        d: Mapping[str, Any],
        where: str,
        media: Path | None,
        allow_outside: bool,
        dropped: Counter[str],
    ) -> None:
        self.r = r
        self.ontology = ontology
        self.d = d
        self.where = where
        self.media = media
        self.allow_outside = allow_outside
        self.dropped = dropped
        self.row = LabelRow(ontology)
        self.objects: dict[str, ObjectInstance] = {}
        self.placer = Placer(r)  # objects are put in bulk once every frame is read
        self.spaces: dict[str, Space] = {}
        self.frame_of_unit: dict[str, tuple[Space, int]] = {}
        self.image_frames: list[Space] = []  # an image group's spaces by data_sequence
        self.legacy: dict[str, list[tuple[Space, int]]] = {}  # classifications found on frame entries
        self.slice_sizes: dict[tuple[str, int], tuple[Any, Any]] = {}  # a medical stack's slices of their own size

    def read(self) -> LabelRow:
        """The label row."""
        r, d, w = self.r, self.d, self.where
        layout = d.get("data_type")
        if layout == "img_sequence":
            layout = "video"
        units = r.obj(d.get("data_units", {}), f"{w}data_units")
        if layout == "group" or (layout is None and d.get("spaces")):
            self.read_group(r.obj(d.get("spaces", {}), f"{w}spaces"))
        elif layout in ("image", "img_group"):
            self.read_images(units, layout)
        elif layout in ("video", "dicom", "nifti"):
            self.read_frames(units, layout)
        else:
            raise r.fail(
                f"{w}data_type",
                f"{str(layout)[:30]!r} is not a layout labelspace reads (image, img_group, img_sequence, video, "
                f"dicom, nifti, group).",
            )
        self.put_objects()
        self.read_answers()
        self.read_actions()
        self.read_classifications(layout == "group")
        return self.row

    # -- spaces --

    def _media(self, value: Any, where: str) -> str | None:
        if not isinstance(value, str) or not value:
            return None
        return media_path(self.r, value, where, self.media, self.allow_outside)

    def _unit_space(self, unit: Mapping[str, Any], at: str, kind: str, frames: int | None) -> Space:
        r = self.r
        own = _own(unit)
        title = unit.get("data_title")
        space_id = own.get("space_id") or (title if isinstance(title, str) and title else None) or unit.get("data_hash")
        space_id = r.text(space_id, f"{at}.data_title")
        if space_id in self.spaces:
            space_id = f"{space_id} ({unit.get('data_hash')})"
        width, height = r.image_size(unit.get("width"), unit.get("height"), f"{at}.")
        with r.at(at):
            if kind == "image":
                space: Space = self.row.add_image_space(space_id, width, height)
            elif kind == "video":
                fps = own["fps"] if "fps" in own else unit.get("data_fps")  # ours says when it had none
                rate = r.number(fps, f"{at}.data_fps", 0.0) if fps is not None else None
                space = self.row.add_video_space(space_id, frames or 1, width, height, rate or None)
            else:
                space = self.row.add_medical_space(space_id, frames or 1, width, height, kind)
        space.media = self._media(own.get("media", title), f"{at}.data_title")
        self.spaces[space.space_id] = space
        return space

    def _frame_count(self, at: str, declared: Any, fps: Any, duration: Any, used: int) -> int:
        r = self.r
        if declared is not None:
            return max(r.frame_count(declared, f"{at}.number_of_frames"), used)
        if fps is not None and duration is not None:
            from_time = round(r.number(fps, f"{at}.data_fps", 0.0) * r.number(duration, f"{at}.data_duration", 0.0))
            if from_time > 0:
                return max(r.frame_count(from_time, f"{at}.data_duration"), used)
        return max(used, 1)

    def _last_frame_used(self, labels: Mapping[str, Any], at: str) -> int:
        """One more than the highest frame any label of the row mentions (frame entries, actions, classifications)."""
        last = -1
        for key in labels:
            last = max(last, self.r.integer(int_key(key), f"{at}.labels.{key}"[:200], 0, self.r.limits.max_frames - 1))
        for entry in (*values_of(self.d.get("object_actions")), *values_of(self.d.get("classification_answers"))):
            for item in (entry.get("actions") or [entry]) if isinstance(entry, Mapping) else []:
                if isinstance(item, Mapping) and isinstance(item.get("range"), list):
                    for pair in item["range"]:
                        if (
                            isinstance(pair, list)
                            and len(pair) == 2
                            and isinstance(pair[1], int)
                            and not isinstance(pair[1], bool)
                        ):
                            last = max(last, min(pair[1], self.r.limits.max_frames - 1))
        return last + 1

    def read_images(self, units: Mapping[str, Any], layout: str) -> None:
        """Read an image or image group: one image space per data unit."""
        r = self.r
        ordered = []
        for key, unit in units.items():
            at = f"{self.where}data_units.{key}"
            unit = r.obj(unit, at)
            ordered.append((r.integer(int_key(unit.get("data_sequence", 0)), f"{at}.data_sequence", 0), key, unit, at))
        ordered.sort(key=lambda item: item[0])
        for frame, (_, key, unit, at) in enumerate(ordered):
            space = self._unit_space(unit, at, "image", None)
            self.image_frames.append(space)
            self.frame_of_unit[key] = (space, frame)
            labels = r.obj(unit.get("labels", {}), f"{at}.labels")
            self.read_entries(space, 0, labels, f"{at}.labels", frame)

    def read_frames(self, units: Mapping[str, Any], layout: str) -> None:
        """Read a video, DICOM or NIfTI row: one space, labels keyed by frame."""
        r = self.r
        if len(units) != 1:
            raise r.fail(f"{self.where}data_units", f"a {layout} label row has one data unit, got {len(units)}.")
        key, unit = next(iter(units.items()))
        at = f"{self.where}data_units.{key}"
        unit = r.obj(unit, at)
        labels = r.obj(unit.get("labels", {}), f"{at}.labels")
        frames = self._frame_count(
            at,
            unit.get("number_of_frames"),
            unit.get("data_fps"),
            unit.get("data_duration"),
            self._last_frame_used(labels, at),
        )
        kind = "video" if layout == "video" else layout
        own = _own(unit)
        if kind != "video":
            kind = own.get("modality", kind) if own.get("modality") in ("dicom", "nifti") else kind
        space = self._unit_space(unit, at, kind, frames)
        for frame_key, entry in labels.items():
            frame = r.integer(int_key(frame_key), f"{at}.labels.{str(frame_key)[:20]}", 0, frames - 1)
            self.read_entries(space, frame, r.obj(entry, f"{at}.labels.{frame_key}"), f"{at}.labels.{frame_key}", frame)

    def read_group(self, spaces: Mapping[str, Any]) -> None:
        """Read a data group: a space per Encord space labelspace can hold."""
        r = self.r
        for space_id, info in spaces.items():
            at = f"{self.where}spaces.{space_id}"
            info = r.obj(info, at)
            kind = info.get("space_type")
            kind = kind.lower() if isinstance(kind, str) else kind
            if kind not in ("image", *FRAMED_SPACES):
                self.dropped[f"{str(kind)[:20]} spaces"] += 1
                continue
            labels = r.obj(info.get("labels", {}), f"{at}.labels")
            child = _own(info, "child_info")
            with r.at(at):
                if kind == "image":
                    width, height = r.image_size(info.get("width"), info.get("height"), f"{at}.")
                    space: Space = self.row.add_image_space(r.text(space_id, at), width, height)
                else:
                    frames_info = info.get("frames")
                    declared = info.get("number_of_frames")
                    if kind == "medical_stack":
                        slices = r.objects(frames_info, f"{at}.frames")
                        if not slices:
                            raise r.fail(f"{at}.frames", "a medical stack needs at least one slice.")
                        declared = len(slices)
                        width, height = r.image_size(
                            slices[0].get("width"), slices[0].get("height"), f"{at}.frames[0]."
                        )
                        for k, one in enumerate(slices):
                            if (one.get("width"), one.get("height")) != (width, height):
                                self.slice_sizes[(space_id, k)] = (one.get("width"), one.get("height"))
                    else:
                        width, height = r.image_size(info.get("width"), info.get("height"), f"{at}.")
                    frames = self._frame_count(
                        at, declared, info.get("data_fps"), info.get("data_duration"), self._last_frame_used(labels, at)
                    )
                    if kind in ("video", "image_sequence"):
                        fps = info.get("data_fps")
                        rate = r.number(fps, f"{at}.data_fps", 0.0) if fps is not None else None
                        space = self.row.add_video_space(space_id, frames, width, height, rate or None)
                    else:
                        name = str(child.get("file_name") or "").lower()
                        modality = info.get("modality")
                        if modality not in ("dicom", "nifti"):
                            modality = "nifti" if name.endswith((".nii", ".nii.gz")) else "dicom"
                        space = self.row.add_medical_space(space_id, frames, width, height, modality)
            space.media = self._media(child.get("file_name"), f"{at}.child_info.file_name")
            self.spaces[space_id] = space
            for frame_key, entry in labels.items():
                frame = r.integer(
                    int_key(frame_key), f"{at}.labels.{str(frame_key)[:20]}", 0, space.number_of_frames - 1
                )
                self.read_entries(
                    space, frame, r.obj(entry, f"{at}.labels.{frame_key}"), f"{at}.labels.{frame_key}", frame
                )

    # -- frame entries --

    def read_entries(self, space: Space, frame: int, entry: Mapping[str, Any], at: str, row_frame: int) -> None:
        """Read the objects (and legacy classification entries) of one frame."""
        r = self.r
        for k, obj_dict in enumerate(r.objects(entry.get("objects", []), f"{at}.objects")):
            where = f"{at}.objects[{k}]"
            feature = obj_dict.get("featureHash")
            try:
                obj = self.ontology.get_child_by_hash(feature if isinstance(feature, str) else "", Object)
            except OntologyError:
                shape = obj_dict.get("shape")
                self.dropped[
                    f"{str(shape)[:20] if isinstance(shape, str) else 'unknown'} objects not in the ontology"
                ] += 1
                continue
            if obj.shape is Shape.BITMASK and (space.space_id, frame) in self.slice_sizes:
                self.dropped["masks on stack slices of another size than the first (the space has one size)"] += 1
                continue
            object_hash = r.text(obj_dict.get("objectHash"), f"{where}.objectHash")
            instance = self.objects.get(object_hash)
            if instance is None:
                instance = self.objects[object_hash] = obj.create_instance(object_hash)
            elif instance.ontology_item is not obj:
                raise r.fail(f"{where}.featureHash", f"object {object_hash!r} is of another class on another frame.")
            with r.at(where):
                coordinates = read_coordinates(r, obj_dict, obj.shape, space, where)
                meta = read_metadata(r, obj_dict, where)
            if obj.shape is Shape.SKELETON and any(
                isinstance(n, Mapping) and ("featureHash" in n or "color" in n)
                for n in values_of(obj_dict.get("skeleton"))
            ):
                self.dropped["skeleton nodes' template hashes and colours"] += 1
            self.placer.put(where, space, instance, frame, coordinates, meta)
        for c in r.objects(entry.get("classifications", []), f"{at}.classifications"):
            h = c.get("classificationHash")
            if isinstance(h, str):
                self.legacy.setdefault(h, []).append((space, frame if isinstance(space, MultiFrameSpace) else 0))

    def put_objects(self) -> None:
        """Put every object read on its frames."""
        self.placer.place()

    # -- answers --

    def read_answers(self) -> None:
        """Static answers from ``object_answers``."""
        r = self.r
        for object_hash, entry in r.obj(self.d.get("object_answers", {}), f"{self.where}object_answers").items():
            at = f"{self.where}object_answers.{object_hash}"
            entry = r.obj(entry, at)
            instance = self.objects.get(object_hash)
            if instance is None:
                shape = entry.get("shape")
                if isinstance(shape, str) and shape not in Shape._value2member_map_:
                    self.dropped[f"{shape[:20]} objects"] += 1
                continue
            answers = read_answers(
                r, instance.ontology_item, entry.get("classifications"), f"{at}.classifications", self.dropped
            )
            set_answers(r, instance, answers, at)

    def read_actions(self) -> None:
        """Dynamic answers from ``object_actions``, on the spaces their objects are on."""
        r = self.r
        for object_hash, entry in r.obj(self.d.get("object_actions", {}), f"{self.where}object_actions").items():
            at = f"{self.where}object_actions.{object_hash}"
            instance = self.objects.get(object_hash)
            if instance is None:
                continue
            actions = r.objects(r.obj(entry, at).get("actions", []), f"{at}.actions")
            for k, action in enumerate(actions):
                where = f"{at}.actions[{k}]"
                answers = read_answers(r, instance.ontology_item, [action], where, self.dropped)
                if not answers:
                    continue
                attribute, value = answers[0]
                if not attribute.dynamic:
                    self.dropped["static answers given as frame actions"] += 1
                    continue
                ranges = read_ranges(r, action.get("range"), f"{where}.range")
                space_id = action.get("spaceId")
                targets = (
                    [self.spaces[space_id]]
                    if isinstance(space_id, str) and space_id in self.spaces
                    else [
                        s
                        for s in self.spaces.values()
                        if isinstance(s, MultiFrameSpace) and instance in s.get_object_instances()
                    ]
                )
                if not targets:
                    self.dropped["dynamic answers on images (labelspace keeps them on video and volume frames)"] += 1
                for space in targets:
                    assert isinstance(space, MultiFrameSpace)
                    frames = [x for x in ranges if x.start < space.number_of_frames]
                    if frames:
                        with r.at(where):
                            space.set_dynamic_answer(instance, frames, value, attribute)

    def read_classifications(self, group: bool) -> None:
        """Classifications from ``classification_answers``."""
        r = self.r
        entries = r.obj(self.d.get("classification_answers", {}), f"{self.where}classification_answers")
        for classification_hash, c in entries.items():
            at = f"{self.where}classification_answers.{classification_hash}"
            c = r.obj(c, at)
            try:
                classification = self.ontology.get_child_by_hash(str(c.get("featureHash")), Classification)
            except OntologyError:
                self.dropped["classifications not in the ontology"] += 1
                continue
            instance = classification.create_instance(r.text(classification_hash, at))
            set_answers(
                r,
                instance,
                read_answers(r, classification, c.get("classifications"), f"{at}.classifications", self.dropped),
                at,
            )
            meta = read_metadata(r, c, at)
            placements = self.placements(c, at, group, str(classification_hash))
            if not placements and not classification.is_global and not (group and c.get("spaces")):
                self.dropped["frame classifications placed on no frame"] += 1
            for space, ranges in placements:
                with r.at(at):
                    put_classification(space, instance, ranges or [Range(0, space.number_of_frames - 1)], **meta)

    def placements(
        self, c: Mapping[str, Any], at: str, group: bool, classification_hash: str
    ) -> list[tuple[Space, list[Range]]]:
        """Where a classification is placed: per space, its frame ranges (empty: the whole space)."""
        r = self.r
        if group:
            out = []
            for space_id, placement in r.obj(c.get("spaces") or {}, f"{at}.spaces").items():
                space = self.spaces.get(space_id)
                if space is None:
                    self.dropped["classifications on spaces labelspace does not hold"] += 1
                    continue
                ranges = read_ranges(
                    r, r.obj(placement, f"{at}.spaces.{space_id}").get("range", []), f"{at}.spaces.{space_id}.range"
                )
                out.append((space, [x for x in ranges if x.start < space.number_of_frames]))
            return out
        raw = c.get("range")
        ranges = read_ranges(r, raw, f"{at}.range") if raw is not None else []
        spaces = list(self.spaces.values())
        if self.image_frames:  # an image or image group: frames are images
            if not ranges and self.ontology_classification_is_global(c):
                return [(space, []) for space in self.image_frames]
            return [
                (self.image_frames[x], [])
                for rng in ranges
                for x in range(rng.start, min(rng.end, len(self.image_frames) - 1) + 1)
            ]
        if not spaces:
            return []
        if ranges:
            space = spaces[0]
            return [(space, [x for x in ranges if x.start < space.number_of_frames])]
        legacy = self.legacy.get(classification_hash)
        if legacy:
            space = legacy[0][0]
            return (
                [(space, [Range(f, f) for s, f in legacy if s is space])]
                if isinstance(space, MultiFrameSpace)
                else [(space, [])]
            )
        if self.ontology_classification_is_global(c):
            return [(spaces[0], [])]
        return []

    def ontology_classification_is_global(self, c: Mapping[str, Any]) -> bool:
        """Whether an entry's classification is global in the ontology."""
        try:
            return self.ontology.get_child_by_hash(str(c.get("featureHash")), Classification).is_global
        except OntologyError:
            return False


def _own(d: Mapping[str, Any], key: str = "labelspace") -> Mapping[str, Any]:
    """``d[key]`` when it is an object (labelspace's own fields, or a group space's ``child_info``), else empty."""
    value = d.get(key)
    return value if isinstance(value, Mapping) else {}


def int_key(value: Any) -> Any:
    """A frame key as an int, when it reads as one."""
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def values_of(d: Any) -> list[Any]:
    """The values of a mapping (none for anything else)."""
    return list(d.values()) if isinstance(d, Mapping) else []


def read_ranges(r: Reader, raw: Any, where: str) -> list[Range]:
    """Inclusive frame ranges ``[[start, end], ...]``, within the reader's limits."""
    out = []
    for i, pair in enumerate(r.seq(raw if raw is not None else [], where)):
        values = r.seq(pair, f"{where}[{i}]")
        if len(values) != 2:
            raise r.fail(f"{where}[{i}]", f"a range is [start, end], got {len(values)} values.")
        start = r.integer(values[0], f"{where}[{i}][0]", 0, r.limits.max_frames)
        end = r.integer(values[1], f"{where}[{i}][1]", start, r.limits.max_frames)
        out.append(Range(start, end))
    return out


@reading
def from_encord(
    d: Any,
    ontology: Ontology,
    *,
    source: str = "Encord label row",
    media: Path | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    dropped: Counter[str] | None = None,
) -> Project:
    """A project from Encord label-row JSON: one row, or a list of rows (an export).

    Args:
        d: The decoded label row (or list of them).
        ontology: The ontology (from ``ontology_from_encord``).
        source: Named in error messages.
        media: The folder media file names are relative to.
        allow_outside_media: Keep media paths that leave it.
        limits: Sizes the file may declare.
        dropped: Counts of what labelspace cannot hold are added here.

    Raises:
        FormatError: Naming the source, the row, the record and the field of the first malformed value.
    """
    r = Reader(source, limits)
    dropped = dropped if dropped is not None else Counter()
    rows = d if isinstance(d, list) else [d]
    project = Project(ontology)
    for i, row_dict in enumerate(rows):
        where = f"[{i}]." if isinstance(d, list) else ""
        reader = RowReader(
            r, ontology, r.obj(row_dict, f"[{i}]" if where else "label row"), where, media, allow_outside_media, dropped
        )
        project.add_row(reader.read())
    return project
