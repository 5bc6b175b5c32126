"""Reading Label Studio tasks into records: each task's media, size, annotations and predictions, regions and answers.

Nothing is put on a label row here: the records are checked as they are read, and counted where
labelspace cannot hold them; ``reader`` puts them on rows once the ontology is known.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.formats._common import FloatArray, Reader, parse_time
from labelspace.formats._paths import is_absolute, is_url, media_path
from labelspace.formats.labelstudio.media import media_reference
from labelspace.model.errors import LabelspaceError

_REACH = (-100.0, 200.0)
"""Percentages a coordinate may take: within one image size of the image (clipped to it); beyond is refused."""


@dataclass
class Answer:
    """One answer of a control: ``choices`` (a list of str), ``text`` (str) or ``number``."""

    id: str
    name: str
    control: str
    value: Any
    where: str


@dataclass
class Keyframes:
    """A video rectangle's keyframes, sorted: 1-based frames and values in percent."""

    frames: npt.NDArray[np.int64]
    enabled: npt.NDArray[np.bool_]
    values: FloatArray  # (n, 5): x, y, width, height, rotation


@dataclass
class Region:
    """One region of an annotation or prediction, with the answers given on it."""

    id: str
    family: str  # rectangle, polygon, polyline, point, brush, video
    label: str
    rotated: bool
    geometry: Any
    size: tuple[int, int] | None  # the result's original_width and original_height
    answers: list[Answer]
    confidence: float | None
    where: str


@dataclass
class Source:
    """One annotation or prediction: its regions, its answers about the whole task, its metadata."""

    regions: list[Region]
    answers: list[Answer]
    meta: dict[str, Any]
    to_names: list[str]


@dataclass
class Task:
    """One task, read: where its media is, its size, and its annotations and predictions."""

    where: str
    row: Any
    space_id: str
    kind: str
    media: str | None
    width: int
    height: int
    frames: int
    fps: float | None
    sources: list[Source]


_REGION_FAMILIES = {
    "rectanglelabels": "rectangle",
    "rectangle": "rectangle",
    "polygonlabels": "polygon",
    "polygon": "polygon",
    "keypointlabels": "point",
    "keypoint": "point",
    "brushlabels": "brush",
    "brush": "brush",
    "videorectangle": "video",
}
_ANSWER_KEYS = {
    "choices": "choices",
    "textarea": "text",
    "number": "number",
    "rating": "rating",
    "datetime": "datetime",
}
_CONTROLS = {"choices": "choices", "textarea": "text", "number": "number", "rating": "number", "datetime": "text"}
_MEDIA_KEYS = ("image", "img", "video", "url", "picture", "photo", "frame")
_OTHER_SHAPES = {"ellipse", "bitmask", "magicwand", "polyline", "paragraphs", "hypertext", "timeseries"}
"""Result types of regions labelspace has no shape for (besides every ``...labels`` type it does not read)."""
_VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".ogg", ".ogv"}


def _who(r: Reader, value: Any, where: str) -> str | None:
    """An annotator: a user id, or the email of an expanded user."""
    if value is None:
        return None
    if isinstance(value, Mapping):
        email = value.get("email")
        if isinstance(email, str) and email:
            return email
        user = value.get("id")
        return str(r.integer(user, f"{where}.id")) if user is not None else None
    if isinstance(value, str):
        return value or None
    return str(r.integer(value, where))


class TaskReader:
    """Reads the tasks of one file, counting what labelspace cannot hold."""

    def __init__(self, r: Reader, media: Path | None, allow_outside: bool, dropped: Counter[str]) -> None:
        self.r = r
        self.media = media
        self.allow_outside = allow_outside
        self.dropped = dropped

    # -- one task --

    def task(self, i: int, raw: Any) -> Task:
        """The ``i``-th task of the file: its annotations that were not cancelled and its predictions."""
        r = self.r
        t = r.obj(raw, f"tasks[{i}]")
        task_id = t.get("id")
        named = isinstance(task_id, (int, str)) and not isinstance(task_id, bool)
        where = f"tasks[{i}] (id {task_id})" if named else f"tasks[{i}]"
        data = r.obj(r.field(t, "data", where), f"{where}.data")
        meta = t.get("meta")
        own = meta.get("labelspace") if isinstance(meta, Mapping) else None
        own = r.obj(own, f"{where}.meta.labelspace") if own is not None else None
        sources: list[Source] = []
        annotations = t.get("annotations", t.get("completions", []))
        for j, a in enumerate(r.objects(annotations if annotations is not None else [], f"{where}.annotations")):
            at = f"{where}.annotations[{j}]"
            if a.get("was_cancelled") is not None and r.boolean(a["was_cancelled"], f"{at}.was_cancelled"):
                self.dropped["results of cancelled annotations"] += len(r.seq(a.get("result") or [], f"{at}.result"))
                continue
            if a.get("ground_truth") is not None and r.boolean(a["ground_truth"], f"{at}.ground_truth"):
                self.dropped["ground-truth flags"] += 1
            sources.append(self.source(a, at, prediction=False))
        predictions = t.get("predictions") or []
        for j, p in enumerate(r.seq(predictions, f"{where}.predictions")):
            at = f"{where}.predictions[{j}]"
            if isinstance(p, int) and not isinstance(p, bool):
                self.dropped["predictions listed only by id (export them expanded to keep them)"] += 1
                continue
            sources.append(self.source(r.obj(p, at), at, prediction=True))
        return self.place(where, t, data, own, sources, i)

    def place(
        self,
        where: str,
        t: Mapping[str, Any],
        data: Mapping[str, Any],
        own: Mapping[str, Any] | None,
        sources: list[Source],
        i: int,
    ) -> Task:
        """Where the task's media is, what kind it is and its size."""
        r = self.r
        regions = [region for s in sources for region in s.regions]
        is_video = any(region.family == "video" for region in regions)
        key = self.media_key(data, sources)
        raw = r.text(data[key], f"{where}.data.{key}", empty=True) if key is not None else ""
        stored, candidates = media_reference(raw) if raw else (None, [])
        if raw.startswith("data:"):
            self.dropped["images given inline (data: URIs)"] += 1
        media: str | None = None
        media_at = f"{where}.data.{key}"
        if own is not None and "media" in own:
            media_at = f"{where}.meta.labelspace.media"
            stored = r.text(own["media"], media_at) if own["media"] is not None else None
            candidates = [stored] if stored is not None and not is_url(stored) else []
        if stored:
            media = media_path(r, stored, media_at, self.media, self.allow_outside)
        kind = "video" if is_video else "image"
        if own is not None and own.get("kind") is not None:
            kind = r.text(own["kind"], f"{where}.meta.labelspace.kind")
            if kind not in ("image", "video"):
                raise r.fail(f"{where}.meta.labelspace.kind", f"expected 'image' or 'video', got {kind[:20]!r}.")
        elif key == "video" or PurePosixPath((stored or "").partition("?")[0]).suffix.lower() in _VIDEO_SUFFIXES:
            kind = "video"
        if kind == "image" and is_video:
            raise r.fail(where, "the task holds video rectangles but its media is an image.")
        task_id = t.get("id")
        space_id = str(task_id) if isinstance(task_id, (int, str)) and not isinstance(task_id, bool) else f"task{i + 1}"
        row: Any = ("task", i)
        frames, fps = 1, None
        if own is not None:
            space_id = r.text(own.get("space"), f"{where}.meta.labelspace.space")
            row = ("own", r.integer(own.get("row"), f"{where}.meta.labelspace.row", 0))
            width, height = r.image_size(own.get("width"), own.get("height"), f"{where}.meta.labelspace.")
            if kind == "video":
                frames = r.frame_count(own.get("frames"), f"{where}.meta.labelspace.frames")
                if own.get("fps") is not None:
                    fps = r.number(own["fps"], f"{where}.meta.labelspace.fps", 1e-9)
        elif kind == "video":
            width, height, frames, fps = self.video(where, raw, candidates)
        else:
            sized = next((region.size for region in regions if region.size is not None), None)
            width, height = sized if sized is not None else self.image(where, raw, candidates)
        return Task(where, row, space_id, kind, media, width, height, frames, fps, sources)

    def media_key(self, data: Mapping[str, Any], sources: list[Source]) -> str | None:
        """The data key that holds the media: the one results name (``to_name``), else a likely one."""
        to_names = [name for s in sources for name in s.to_names]
        for key in (*to_names, *_MEDIA_KEYS):
            if isinstance(data.get(key), str):
                return key
        for key, value in data.items():
            if isinstance(value, str) and (is_url(value) or value.startswith("/data/")):
                return str(key)
        return None

    def lookups(self, candidates: list[str]) -> Iterator[Path]:
        """Files under the media folder a task's media may be (only those inside it, unless allowed)."""
        root = self.media
        if root is None:
            return
        for candidate in candidates:
            posix = candidate.replace("\\", "/")
            outside = is_absolute(candidate) or ".." in PurePosixPath(posix).parts
            if outside and not self.allow_outside:
                continue
            path = root / posix
            if path.is_file():
                yield path

    def image(self, where: str, raw: str, candidates: list[str]) -> tuple[int, int]:
        """The size of a task's image, from the image under the media folder."""
        r = self.r
        for path in self.lookups(candidates):
            return r.image_file_size(path, where, f"{where}: image {path.name} ")
        raise r.fail(
            where,
            f"the task's results give no image size (original_width, original_height) and its image "
            f"{raw[:80]!r} is not under {self.looked(candidates)}; pass the folder that holds the images with "
            f"--media (media=... in Python).",
        )

    def video(self, where: str, raw: str, candidates: list[str]) -> tuple[int, int, int, float | None]:
        """The size, frame count and frame rate of a task's video, from the video under the media folder."""
        from labelspace.media import open_media

        r = self.r
        for path in self.lookups(candidates):
            try:
                with open_media(path) as source:
                    kind, size = source.kind, (source.width, source.height)
                    source.wait_for_index()  # a long video's frame count is exact only once indexed
                    frames, fps = source.number_of_frames, getattr(source, "fps", None)
            except LabelspaceError as e:
                raise r.fail(where, e.message) from None
            if kind != "video":
                raise r.fail(where, f"{path} is not a video.")
            width, height = r.image_size(*size, f"{where}: video {path.name} ")
            return width, height, r.frame_count(frames, f"{where}: video {path.name} frames"), fps
        raise r.fail(
            where,
            f"Label Studio's export does not hold a video's pixel size, and the video {raw[:80]!r} is not under "
            f"{self.looked(candidates)}; pass the folder that holds the videos with --media (media=... in Python).",
        )

    def looked(self, candidates: list[str]) -> str:
        """Where a task's media was looked for, for a message."""
        names = ", ".join(repr(c[:60]) for c in candidates[:3])
        return f"the media folder {str(self.media)!r}" + (f" (as {names})" if names else "")

    # -- one annotation or prediction --

    def source(self, a: Mapping[str, Any], where: str, prediction: bool) -> Source:
        """An annotation or prediction: its metadata, its results grouped by region id into regions and answers."""
        r = self.r
        meta: dict[str, Any] = {}
        for key, into in (("created_at", "created_at"), ("updated_at", "last_edited_at")):
            if a.get(key) is not None:
                meta[into] = parse_time(r, a[key], f"{where}.{key}")
        score: float | None = None
        if prediction:
            version = a.get("model_version")
            if version is not None:
                version = r.text(version, f"{where}.model_version", empty=True)
                if version not in ("", "undefined"):
                    meta["created_by"] = version
            meta["manual_annotation"] = False
            if a.get("score") is not None:
                score = r.number(a["score"], f"{where}.score", 0.0, 1.0)
        else:
            who = _who(r, a.get("completed_by"), f"{where}.completed_by")
            if who is not None:
                meta["created_by"] = who
        items = r.objects(r.field(a, "result", where), f"{where}.result")
        groups: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
        to_names: list[str] = []
        for k, item in enumerate(items):
            at = f"{where}.result[{k}]"
            kind = r.text(item.get("type"), f"{at}.type")
            if kind == "relation":
                self.dropped["relations"] += 1
                continue
            region_id = r.text(item.get("id"), f"{at}.id")
            groups.setdefault(region_id, []).append((k, item))
            to_name = item.get("to_name")
            if isinstance(to_name, str) and to_name not in to_names:
                to_names.append(to_name)
        regions: list[Region] = []
        answers: list[Answer] = []
        for region_id, group in groups.items():
            with r.at(f"{where}.result[{group[0][0]}] ({region_id})"):
                kinds = [str(item["type"]) for _, item in group]
                if any(kind in _REGION_FAMILIES for kind in kinds):
                    regions.append(self.region(region_id, group, where, score))
                elif any(kind.endswith("labels") or kind in _OTHER_SHAPES for kind in kinds):
                    for kind in kinds:  # a region of a shape labelspace has no place for, with its answers
                        shaped = kind.endswith("labels") or kind in _OTHER_SHAPES
                        self.dropped[f"'{kind}' regions" if shaped else "answers on dropped regions"] += 1
                else:
                    for k, item in group:
                        answer = self.answer(item, f"{where}.result[{k}] ({region_id})")
                        if answer is not None:
                            answers.append(answer)
        return Source(regions, answers, meta, to_names)

    def region(
        self, region_id: str, group: list[tuple[int, Mapping[str, Any]]], where: str, score: float | None
    ) -> Region:
        """The region a group of results with one id describes (one has a shape), with its answers."""
        r = self.r
        shaped = [(k, item) for k, item in group if item["type"] in _REGION_FAMILIES]
        k, item = shaped[0]
        at = f"{where}.result[{k}] ({region_id})"
        if len(shaped) > 1:
            raise r.fail(f"{where}.result[{shaped[1][0]}] ({region_id})", "a second region with the same id.")
        kind = str(item["type"])
        family = _REGION_FAMILIES[kind]
        value = r.obj(r.field(item, "value", at), f"{at}.value")
        label = self.label(group, item, value, at)
        size = None
        if item.get("original_width") is not None or item.get("original_height") is not None:
            size = r.image_size(item.get("original_width"), item.get("original_height"), f"{at}.original_")
        rotation_view = item.get("image_rotation")
        if rotation_view is not None and r.number(rotation_view, f"{at}.image_rotation") % 360 != 0:
            self.dropped["regions drawn on a rotated view (image_rotation not 0; kept as stored)"] += 1
        confidence = score
        if item.get("score") is not None:
            confidence = r.number(item["score"], f"{at}.score", 0.0, 1.0)
        geometry, rotated, family = self.geometry(family, value, at, size)
        answers = []
        for k2, other in group:
            if other is item or other["type"] == "labels":
                continue
            answer = self.answer(other, f"{where}.result[{k2}] ({region_id})")
            if answer is not None:
                answers.append(answer)
        return Region(region_id, family, label, rotated, geometry, size, answers, confidence, at)

    def label(self, group: list[tuple[int, Mapping[str, Any]]], item: Mapping[str, Any], value: Any, at: str) -> str:
        """A region's label: the list under its type (``rectanglelabels``) or a merged ``labels`` result."""
        r = self.r
        kind = str(item["type"])
        labels: Sequence[Any] = []
        if kind.endswith("labels") and value.get(kind) is not None:
            labels = r.seq(value[kind], f"{at}.value.{kind}")
        elif value.get("labels") is not None:
            labels = r.seq(value["labels"], f"{at}.value.labels")
        else:
            for _, other in group:
                other_value = other.get("value")
                if other["type"] == "labels" and isinstance(other_value, Mapping):
                    labels = r.seq(other_value.get("labels") or [], f"{at}.value.labels")
                    break
        if len(labels) > 1:
            self.dropped["labels of a region after its first"] += len(labels) - 1
        if labels:
            return r.text(labels[0], f"{at}.value.labels[0]")
        return r.text(item.get("from_name"), f"{at}.from_name")

    def percent(self, value: Mapping[str, Any], key: str, at: str, low: float = _REACH[0]) -> float:
        """A coordinate in percent, from ``low`` to the top of ``_REACH``."""
        return self.r.number(self.r.field(value, key, f"{at}.value"), f"{at}.value.{key}", low, _REACH[1])

    def geometry(
        self, family: str, value: Mapping[str, Any], at: str, size: tuple[int, int] | None
    ) -> tuple[Any, bool, str]:
        """A region's geometry as read (percent for rectangles and tracks, normalised points), whether it is rotated."""
        r = self.r
        if family == "rectangle":
            rotation = self.rotation(value, f"{at}.value")
            x, y = self.percent(value, "x", at), self.percent(value, "y", at)
            w, h = self.percent(value, "width", at, 0.0), self.percent(value, "height", at, 0.0)
            return (x, y, w, h, rotation), rotation % 360 != 0, family
        if family == "polygon":
            points = r.seq(r.field(value, "points", f"{at}.value"), f"{at}.value.points")
            pairs = [r.numbers(p, f"{at}.value.points[{n}]", 2) for n, p in enumerate(points)]
            for n, (px, py) in enumerate(pairs):
                for v in (px, py):
                    if not _REACH[0] <= v <= _REACH[1]:
                        raise r.fail(f"{at}.value.points[{n}]", f"{v!r} is outside {_REACH[0]:g}..{_REACH[1]:g}%.")
            closed = value.get("closed")
            is_closed = True if closed is None else r.boolean(closed, f"{at}.value.closed")
            return [(px / 100, py / 100) for px, py in pairs], False, "polygon" if is_closed else "polyline"
        if family == "point":
            return (self.percent(value, "x", at) / 100, self.percent(value, "y", at) / 100), False, family
        if family == "brush":
            fmt = value.get("format", "rle")
            if fmt != "rle":
                raise r.fail(f"{at}.value.format", f"expected 'rle', got {fmt!r:.30}.")
            if size is None:
                raise r.fail(at, "a brush mask needs original_width and original_height.")
            r.mask_size(*size, at)
            return r.seq(r.field(value, "rle", f"{at}.value"), f"{at}.value.rle"), False, family
        return self.keyframes(value, at)

    def rotation(self, value: Mapping[str, Any], at: str) -> float:
        """A rotation in degrees; missing in old exports, where it is 0."""
        raw = value.get("rotation")
        return 0.0 if raw is None else self.r.number(raw, f"{at}.rotation", -1e6, 1e6)

    def keyframes(self, value: Mapping[str, Any], at: str) -> tuple[Keyframes, bool, str]:
        """A video rectangle's keyframes, sorted by frame, and whether any is rotated."""
        r = self.r
        if value.get("framesCount") is not None:
            r.frame_count(value["framesCount"], f"{at}.value.framesCount")
        sequence = r.objects(r.field(value, "sequence", f"{at}.value"), f"{at}.value.sequence")
        by_frame: dict[int, tuple[bool, list[float]]] = {}
        for n, k in enumerate(sequence):
            kat = f"{at}.value.sequence[{n}]"
            frame = r.integer(r.field(k, "frame", kat), f"{kat}.frame", 1, self.r.limits.max_frames)
            enabled = r.boolean(k.get("enabled", True), f"{kat}.enabled")
            row = [self.percent(k, name, kat) for name in ("x", "y")]
            row += [self.percent(k, name, kat, 0.0) for name in ("width", "height")]
            row.append(self.rotation(k, kat))
            by_frame[frame] = (enabled, row)  # an expanded sequence may repeat a keyframe: the last one holds
        frames = np.array(sorted(by_frame), dtype=np.int64)
        enabled_ = np.array([by_frame[f][0] for f in frames.tolist()], dtype=bool)
        values = np.array([by_frame[f][1] for f in frames.tolist()], dtype=np.float64).reshape(-1, 5)
        rotated = bool((np.mod(values[:, 4], 360.0) != 0).any())
        return Keyframes(frames, enabled_, values), rotated, "video"

    def answer(self, item: Mapping[str, Any], at: str) -> Answer | None:
        """An answer result (``choices``, ``textarea``, ``number``, ``rating``, ``datetime``); None if dropped."""
        r = self.r
        kind = str(item["type"])
        control = _CONTROLS.get(kind)
        if control is None:
            self.dropped[f"'{kind}' results"] += 1
            return None
        name = r.text(item.get("from_name"), f"{at}.from_name")
        ident = str(item["id"])
        value = r.obj(r.field(item, "value", at), f"{at}.value")
        key = _ANSWER_KEYS[kind]
        raw = r.field(value, key, f"{at}.value")
        where = f"{at}.value.{key}"
        if control == "choices":
            choices = []
            for n, choice in enumerate(r.seq(raw, where)):
                if isinstance(choice, (list, tuple)):  # a path of nested choices
                    choices.append(" / ".join(r.text(c, f"{where}[{n}]") for c in choice))
                else:
                    choices.append(r.text(choice, f"{where}[{n}]"))
            return Answer(ident, name, control, list(dict.fromkeys(choices)), at) if choices else None
        if control == "text":
            if isinstance(raw, str):
                return Answer(ident, name, control, raw, at)
            texts = [r.text(v, f"{where}[{n}]", empty=True) for n, v in enumerate(r.seq(raw, where))]
            return Answer(ident, name, control, "\n".join(texts), at) if texts else None
        number = r.number(raw, where)
        return Answer(ident, name, control, raw if isinstance(raw, int) else number, at)
