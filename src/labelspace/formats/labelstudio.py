"""Label Studio JSON export <-> ``Project``.

Label Studio's "JSON" export is a list of tasks. A task names its media in ``data`` (an
uploaded file ``/data/upload/<project>/<hex>-<name>``, a local file
``/data/local-files/?d=<path>``, or a URL such as ``s3://...``) and holds ``annotations`` (a
person's, with ``completed_by``, ``created_at`` and ``updated_at``) and ``predictions`` (a
model's, with ``model_version`` and ``score``), each a list of ``result`` items. Image
coordinates are percentages of the image; a rectangle's ``rotation`` turns it clockwise about its
top-left corner, where labelspace turns a rotated box about its centre: both ways are converted
exactly, in pixels. Video rectangles are keyframes on 1-based frames (Label Studio's frame N is
labelspace's frame N - 1); between keyframes the box is interpolated linearly (the angle the
short way round), after the last one it is held, and ``enabled: false`` hides it after that
keyframe, as the editor shows them.

Import (a list of tasks, or one task): one row per task with one image or video space, named by
the task id (files labelspace wrote go back into their rows and spaces). Every annotation that
was not cancelled and every prediction is put on it: ``completed_by`` (a user id, or the user's
email) becomes ``created_by``, ``created_at`` and ``updated_at`` the annotation times; a
prediction's labels have ``manual_annotation=False``, ``created_by`` its ``model_version`` and
``confidence`` the result's (else the prediction's) ``score``. Rectangles become boxes (rotated
boxes when any rectangle of the label is rotated), polygons polygons (an unfinished one,
``closed: false``, a polyline), keypoints points, brush masks (their RLE decoded here; a pixel
is in the mask when its alpha is not 0, as the editor paints it) bitmasks, video rectangles box
tracks. Answers that share a region's id (``perRegion`` controls) become static attributes of
its object: ``choices`` a radio attribute (a checklist when any answer holds several choices),
``textarea`` and ``datetime`` text, ``number`` and ``rating`` numeric; answers of the whole task
become classifications with one root attribute named after the control (``from_name``). Without
an ontology one is built: an object per label and shape, its attributes named after their
controls. A task without ``original_width``/``original_height`` takes its image's size from the
image under the media folder; a video's size and frame count come from the video there (Label
Studio's export does not hold them; files labelspace wrote keep them in each task's ``meta``).
Dropped on import, and listed in a ``DroppedLabelsWarning``: relations, ellipses and other
result types labelspace has no shape for, taxonomy answers, predictions listed only by id
(export them expanded), results of cancelled annotations, ground-truth flags, a second answer to
a classification another annotation of the task gave; regions drawn on a rotated view
(``image_rotation`` not 0) are kept as stored and listed; coordinates past the image edge are
clipped to it and listed (more than an image size past it, refused).

Export: one task per image space and one per video space (medical volumes are dropped). A
space's labels are grouped into one annotation per author (``completed_by`` the user id when
``created_by`` is a number, else ``{"email": created_by}``: Label Studio matches annotators by
id or email on import and refuses unknown ones) and one prediction per ``created_by`` of labels
with ``manual_annotation=False`` (``model_version``; each result's ``score`` is its confidence).
Videos get one ``videorectangle`` per box track, with a keyframe at each end of every run of
frames and ``enabled: false`` where the object leaves. Relative media paths are written as
``/data/local-files/?d=<path>`` (serve the media folder with Label Studio's local storage),
URLs as they are. Each task's ``meta.labelspace`` keeps the row, space, media path and size, so
that the file imports back into the same rows. Label Studio cannot hold, and a
``DroppedLabelsWarning`` lists: polylines, skeletons, polygon holes and parts after the first,
video objects other than boxes, dynamic answers that change over an object's frames (one answer
over all of them is written as a per-region answer), frame classifications on videos, attributes
nested under options, and the finer metadata (a time per label where Label Studio keeps one
pair per annotation; last editors). ``labelstudio_config(project)`` gives a labeling config that
fits the export.
"""

from __future__ import annotations

import math
import os
import posixpath
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

from labelspace.formats._atomic import atomic_file
from labelspace.formats._common import Reader, parse_time, set_static_answers, warn_dropped
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._paths import is_url, media_path
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, read_json
from labelspace.model._meta import Metadata
from labelspace.model.coordinates import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    GeometricCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    RotatableBoundingBoxCoordinates,
)
from labelspace.model.errors import LabelspaceError
from labelspace.model.frames import Range, merge_runs, runs_to_ranges
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import (
    Attribute,
    ChecklistAttribute,
    Classification,
    NumericAttribute,
    Object,
    Ontology,
    Option,
    RadioAttribute,
    Shape,
    TextAttribute,
)
from labelspace.model.project import Project
from labelspace.model.spaces import ImageSpace, MultiFrameSpace, Space, VideoSpace

FloatArray = npt.NDArray[np.float64]

_CLIPPED = "regions reaching past the image edge (clipped to it)"
_EDGE = 1e-9
"""How far (normalised) a coordinate may pass the image edge before its clipping is listed."""
_REACH = (-100.0, 200.0)
"""Percentages a coordinate may take: within one image size of the image (clipped to it); beyond is refused."""
_LONG_RUN = 32
"""A held box longer than this goes in as one run instead of a row per frame."""
_DEFAULT_FPS = 24.0
"""Label Studio's frame rate when the labeling config gives none (only ``time`` depends on it)."""

# --- the brush codec ---------------------------------------------------------------------------
#
# Label Studio's editor encodes a brush mask with @thi.ng/rle-pack: the RGBA bytes of the whole
# image (R = G = B = A), as a bit stream, most significant bit first. A 53-bit header holds the
# number of bytes (32 bits), the word size less one (5 bits) and four run-length field widths
# less one (4 bits each). Blocks follow until that many words are out: 1 bit repeat (1) or
# literal (0), 2 bits choosing a width, the count less one in that width, then one word to
# repeat or ``count`` words.

_WORD = 8
_WIDTHS = (3, 4, 8, 16)


class _Bits:
    """Unsigned fields of up to 32 bits, read most significant bit first."""

    def __init__(self, data: bytes) -> None:
        self.data = data + bytes(5)  # a 40-bit window never reads past the end
        self.size = len(data) * 8
        self.pos = 0

    def take(self, width: int) -> int:
        end = self.pos + width
        if end > self.size:
            raise ValueError("the rle data ends in the middle of a block (truncated or corrupt)")
        start = self.pos >> 3
        window = int.from_bytes(self.data[start : start + 5], "big")
        self.pos = end
        return (window >> (40 - (end - start * 8))) & ((1 << width) - 1)


def decode_brush(rle: Sequence[int], width: int, height: int) -> npt.NDArray[np.uint8]:
    """A Label Studio brush ``rle`` as the alpha plane of its ``width`` x ``height`` RGBA image.

    The declared length is checked against ``4 * width * height`` before anything is allocated,
    and every block against the declared length.

    Raises:
        ValueError: If the data is not bytes, declares another length or word size, or is
            truncated or overruns.
    """
    bits = _Bits(bytes(rle))
    total = bits.take(32)
    if total != 4 * width * height:
        raise ValueError(
            f"the rle declares {total:,} values; a {width} x {height} image has {4 * width * height:,} (RGBA)"
        )
    word = bits.take(5) + 1
    widths = [bits.take(4) + 1 for _ in range(4)]
    if word != _WORD:
        raise ValueError(f"the rle holds {word}-bit words; Label Studio's brush masks hold bytes")
    values: list[int] = []
    counts: list[int] = []
    done = 0
    while done < total:
        repeat = bits.take(1)
        count = bits.take(widths[bits.take(2)]) + 1
        if done + count > total:
            raise ValueError(f"a block of {count} values runs past the declared {total:,}")
        if repeat:
            values.append(bits.take(_WORD))
            counts.append(count)
        else:
            values.extend(bits.take(_WORD) for _ in range(count))
            counts.extend([1] * count)
        done += count
    words = np.repeat(np.array(values, np.uint8), counts)
    return words[3::4].reshape(height, width)


class _BitSink:
    """Fields written most significant bit first, packed into bytes."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.bits = 0

    def put(self, value: int, width: int) -> None:
        self.acc = (self.acc << width) | value
        self.bits += width
        while self.bits >= 8:
            self.bits -= 8
            self.out.append((self.acc >> self.bits) & 0xFF)
        self.acc &= (1 << self.bits) - 1

    def done(self) -> list[int]:
        if self.bits:
            self.out.append((self.acc << (8 - self.bits)) & 0xFF)
            self.bits = 0
        return list(self.out)


def encode_brush(mask: npt.NDArray[np.bool_]) -> list[int]:
    """A ``height`` x ``width`` mask as Label Studio's brush ``rle``, byte for byte as its editor writes it.

    Each pixel is four equal bytes (255 inside, 0 outside), so every run of equal bytes is at
    least 4 long and the editor's encoder writes only repeat blocks: 65536 bytes at a time while
    more remain, then the rest.
    """
    flat = np.asarray(mask, dtype=bool).ravel()
    sink = _BitSink()
    sink.put(4 * flat.size, 32)
    sink.put(_WORD - 1, 5)
    for w in _WIDTHS:
        sink.put(w - 1, 4)
    limit = 1 << _WIDTHS[-1]
    starts = np.concatenate(([0], np.flatnonzero(flat[1:] != flat[:-1]) + 1))
    lengths = np.diff(np.concatenate((starts, [flat.size])))
    for inside, length in zip(flat[starts].tolist(), lengths.tolist(), strict=True):
        value, words = (255 if inside else 0), 4 * length
        while words > 0:
            count = min(words, limit)
            cls = next(c for c, w in enumerate(_WIDTHS) if count - 1 < 1 << w)
            sink.put(1, 1)
            sink.put(cls, 2)
            sink.put(count - 1, _WIDTHS[cls])
            sink.put(value, _WORD)
            words -= count
    return sink.done()


# --- rotation about the top-left corner <-> about the centre -------------------------------------


def _corner_to_centre(rows: FloatArray, width: int, height: int) -> FloatArray:
    """Label Studio boxes ``(x, y, w, h, rotation)`` in percent, turned about (x, y), as labelspace rows.

    labelspace rows are ``(x, y, w, h, theta)`` normalised, the unrotated box turned about its
    centre. The centre is found in pixels: the axes of a percentage differ when the image is not
    square.
    """
    px, py = rows[:, 0] / 100 * width, rows[:, 1] / 100 * height
    pw, ph = rows[:, 2] / 100 * width, rows[:, 3] / 100 * height
    t = np.radians(rows[:, 4])
    cx = px + (pw * np.cos(t) - ph * np.sin(t)) / 2
    cy = py + (pw * np.sin(t) + ph * np.cos(t)) / 2
    theta = np.mod(rows[:, 4], 360.0)
    return np.column_stack([(cx - pw / 2) / width, (cy - ph / 2) / height, rows[:, 2] / 100, rows[:, 3] / 100, theta])


def _centre_to_corner(row: Sequence[float], width: int, height: int) -> tuple[float, float, float, float, float]:
    """A labelspace rotated box row as Label Studio's ``(x, y, width, height, rotation)`` in percent."""
    x, y, w, h, theta = (float(v) for v in row)
    pw, ph = w * width, h * height
    cx, cy = x * width + pw / 2, y * height + ph / 2
    t = math.radians(theta)
    px = cx - (pw * math.cos(t) - ph * math.sin(t)) / 2
    py = cy - (pw * math.sin(t) + ph * math.cos(t)) / 2
    return px / width * 100, py / height * 100, w * 100, h * 100, theta % 360.0


def _clip_boxes(rows: FloatArray) -> tuple[FloatArray, bool]:
    """Boxes ``(x, y, w, h, ...)`` (normalised) cut to the image; whether any moved past ``_EDGE``.

    Boxes inside the image are kept as they are, to the last bit.
    """
    x, y, w, h = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
    outside = (x < 0) | (y < 0) | (x + w > 1) | (y + h > 1)
    if not outside.any():
        return rows, False
    left, top = np.clip(x, 0, 1), np.clip(y, 0, 1)
    right, bottom = np.maximum(np.clip(x + w, 0, 1), left), np.maximum(np.clip(y + h, 0, 1), top)
    out = rows.copy()
    out[outside, 0], out[outside, 1] = left[outside], top[outside]
    out[outside, 2], out[outside, 3] = (right - left)[outside], (bottom - top)[outside]
    return out, bool((np.abs(out - rows) > _EDGE).any())


def _wrap(angle: FloatArray) -> FloatArray:
    """Angles in degrees mapped to (-180, 180]."""
    a = np.mod(angle + 180.0, 360.0) - 180.0
    return np.where(a == -180.0, 180.0, a)


# --- what a file holds, read ----------------------------------------------------------------------


@dataclass
class _Answer:
    """One answer of a control: ``choices`` (a list of str), ``text`` (str) or ``number``."""

    id: str
    name: str
    control: str
    value: Any
    where: str


@dataclass
class _Keyframes:
    """A video rectangle's keyframes, sorted: 1-based frames and values in percent."""

    frames: npt.NDArray[np.int64]
    enabled: npt.NDArray[np.bool_]
    values: FloatArray  # (n, 5): x, y, width, height, rotation


@dataclass
class _Region:
    """One region of an annotation or prediction, with the answers given on it."""

    id: str
    family: str  # rectangle, polygon, polyline, point, brush, video
    label: str
    rotated: bool
    geometry: Any
    size: tuple[int, int] | None  # the result's original_width and original_height
    answers: list[_Answer]
    confidence: float | None
    where: str


@dataclass
class _Source:
    """One annotation or prediction: its regions, its answers about the whole task, its metadata."""

    regions: list[_Region]
    answers: list[_Answer]
    meta: dict[str, Any]
    to_names: list[str]


@dataclass
class _Task:
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
    sources: list[_Source]


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
_UPLOAD = re.compile(r"^/data/upload/(?:[^/]+/)?(?P<name>[^/?#]+)$")
_UPLOAD_PREFIX = re.compile(r"^[0-9a-f]{8}-(?P<name>.+)$")
_MEDIA_KEYS = ("image", "img", "video", "url", "picture", "photo", "frame")


def _server_path(path: str, query: str) -> tuple[str, list[str]] | None:
    """The file a Label Studio server path serves, and where to look for it: uploads and local files."""
    if path.startswith("/data/local-files"):
        for part in query.split("&"):
            key, _, value = part.partition("=")
            if key == "d":
                from urllib.parse import unquote

                local = unquote(value)
                return local, [local]
        return None
    upload = _UPLOAD.match(path)
    if upload is None:
        return None
    from urllib.parse import unquote

    name = unquote(upload["name"])
    original = _UPLOAD_PREFIX.match(name)
    return (original["name"], [original["name"], name]) if original else (name, [name])


def _media_reference(raw: str) -> tuple[str | None, list[str]]:
    """The media path (or URL) to keep for a task's data value, and file names to look for under the media folder."""
    from urllib.parse import unquote, urlsplit

    if raw.startswith("data:"):
        return None, []
    if is_url(raw):
        parts = urlsplit(raw)
        served = _server_path(parts.path, parts.query)
        if served is not None:
            return raw, served[1]
        path = unquote(parts.path).lstrip("/")
        return raw, [p for p in (path, posixpath.basename(path)) if p]
    path, _, query = raw.partition("?")
    served = _server_path(path, query)
    if served is not None:
        return served
    return raw, [raw]


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


class _TaskReader:
    """Reads the tasks of one file, counting what labelspace cannot hold."""

    def __init__(self, r: Reader, media: Path | None, allow_outside: bool, dropped: Counter[str]) -> None:
        self.r = r
        self.media = media
        self.allow_outside = allow_outside
        self.dropped = dropped

    # -- one task --

    def task(self, i: int, raw: Any) -> _Task:
        r = self.r
        t = r.obj(raw, f"tasks[{i}]")
        task_id = t.get("id")
        named = isinstance(task_id, (int, str)) and not isinstance(task_id, bool)
        where = f"tasks[{i}] (id {task_id})" if named else f"tasks[{i}]"
        data = r.obj(r.field(t, "data", where), f"{where}.data")
        meta = t.get("meta")
        own = meta.get("labelspace") if isinstance(meta, Mapping) else None
        own = r.obj(own, f"{where}.meta.labelspace") if own is not None else None
        sources: list[_Source] = []
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
        sources: list[_Source],
        i: int,
    ) -> _Task:
        """Where the task's media is, what kind it is and its size."""
        r = self.r
        regions = [region for s in sources for region in s.regions]
        is_video = any(region.family == "video" for region in regions)
        key = self.media_key(data, sources)
        raw = r.text(data[key], f"{where}.data.{key}", empty=True) if key is not None else ""
        stored, candidates = _media_reference(raw) if raw else (None, [])
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
        return _Task(where, row, space_id, kind, media, width, height, frames, fps, sources)

    def media_key(self, data: Mapping[str, Any], sources: list[_Source]) -> str | None:
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
            outside = PurePosixPath(posix).is_absolute() or PureWindowsPath(candidate).is_absolute()
            outside = outside or ".." in PurePosixPath(posix).parts
            if outside and not self.allow_outside:
                continue
            path = root / posix
            if path.is_file():
                yield path

    def image(self, where: str, raw: str, candidates: list[str]) -> tuple[int, int]:
        from labelspace.media.image import image_size

        r = self.r
        for path in self.lookups(candidates):
            try:
                width, height = image_size(path)
            except LabelspaceError as e:
                raise r.fail(where, e.message) from None
            return r.image_size(width, height, f"{where}: image {path.name} ")
        raise r.fail(
            where,
            f"the task's results give no image size (original_width, original_height) and its image "
            f"{raw[:80]!r} is not under {self.looked(candidates)}; pass the folder that holds the images with "
            f"--media (media=... in Python).",
        )

    def video(self, where: str, raw: str, candidates: list[str]) -> tuple[int, int, int, float | None]:
        from labelspace.media import open_media

        r = self.r
        for path in self.lookups(candidates):
            try:
                with open_media(path) as source:
                    kind, size = source.kind, (source.width, source.height)
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

    def source(self, a: Mapping[str, Any], where: str, prediction: bool) -> _Source:
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
        regions: list[_Region] = []
        answers: list[_Answer] = []
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
        return _Source(regions, answers, meta, to_names)

    def region(
        self, region_id: str, group: list[tuple[int, Mapping[str, Any]]], where: str, score: float | None
    ) -> _Region:
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
        return _Region(region_id, family, label, rotated, geometry, size, answers, confidence, at)

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

    def keyframes(self, value: Mapping[str, Any], at: str) -> tuple[_Keyframes, bool, str]:
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
        return _Keyframes(frames, enabled_, values), rotated, "video"

    def answer(self, item: Mapping[str, Any], at: str) -> _Answer | None:
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
            return _Answer(ident, name, control, list(dict.fromkeys(choices)), at) if choices else None
        if control == "text":
            if isinstance(raw, str):
                return _Answer(ident, name, control, raw, at)
            texts = [r.text(v, f"{where}[{n}]", empty=True) for n, v in enumerate(r.seq(raw, where))]
            return _Answer(ident, name, control, "\n".join(texts), at) if texts else None
        number = r.number(raw, where)
        return _Answer(ident, name, control, raw if isinstance(raw, int) else number, at)


_OTHER_SHAPES = {"ellipse", "bitmask", "magicwand", "polyline", "paragraphs", "hypertext", "timeseries"}
"""Result types of regions labelspace has no shape for (besides every ``...labels`` type it does not read)."""
_VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".ogg", ".ogv"}


# --- the ontology: given, or built from the file --------------------------------------------------


@dataclass
class _Control:
    """What a control's answers need: its kind, the options seen, whether any answer held several."""

    control: str
    where: str
    options: list[str] = field(default_factory=list)
    multiple: bool = False

    def add(self, r: Reader, answer: _Answer) -> None:
        if answer.control != self.control:
            raise r.fail(
                answer.where,
                f"{answer.name!r} answers with {answer.control} here and with {self.control} at {self.where}.",
            )
        if answer.control == "choices":
            self.multiple = self.multiple or len(answer.value) > 1
            self.options.extend(c for c in answer.value if c not in self.options)

    def attribute(self) -> type[Attribute]:
        if self.control == "choices":
            return ChecklistAttribute if self.multiple else RadioAttribute
        return TextAttribute if self.control == "text" else NumericAttribute


def _shape(family: str, rotated: bool) -> Shape:
    if family in ("rectangle", "video"):
        return Shape.ROTATABLE_BOUNDING_BOX if rotated else Shape.BOUNDING_BOX
    return {
        "polygon": Shape.POLYGON,
        "polyline": Shape.POLYLINE,
        "point": Shape.POINT,
        "brush": Shape.BITMASK,
    }[family]


def _build_ontology(r: Reader, tasks: list[_Task]) -> Ontology:
    """An object per label and shape (rotated boxes if any box of the label is), a classification per control.

    A control is one question whatever it is asked about, so its attributes share its options.
    """
    controls: dict[str, _Control] = {}
    objects: dict[tuple[str, str], tuple[list[bool], list[str]]] = {}  # (label, family) -> rotated, controls
    classifications: list[str] = []
    for task in tasks:
        for source in task.sources:
            for region in source.regions:
                key = (region.label, "rectangle" if region.family == "video" else region.family)
                rotated, names = objects.setdefault(key, ([False], []))
                rotated[0] = rotated[0] or region.rotated
                for answer in region.answers:
                    controls.setdefault(answer.name, _Control(answer.control, answer.where)).add(r, answer)
                    names.extend([answer.name] if answer.name not in names else [])
            for answer in source.answers:
                controls.setdefault(answer.name, _Control(answer.control, answer.where)).add(r, answer)
                classifications.extend([answer.name] if answer.name not in classifications else [])
    ontology = Ontology()
    for (label, family), (rotated, names) in objects.items():
        obj = ontology.add_object(label, _shape(family, rotated[0]))
        for name in names:
            _add_options(obj.add_attribute(controls[name].attribute(), name), controls[name].options)
    for name in classifications:
        classification = ontology.add_classification(is_global=True)
        _add_options(classification.add_attribute(controls[name].attribute(), name), controls[name].options)
    return ontology


def _add_options(attribute: Attribute, options: list[str]) -> None:
    if isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
        for option in options:
            attribute.add_option(option)


class _Resolver:
    """Finds the ontology elements a file's labels and answers are of, and converts answers to them."""

    def __init__(self, r: Reader, ontology: Ontology, dropped: Counter[str]) -> None:
        self.r = r
        self.ontology = ontology
        self.dropped = dropped

    def object(self, region: _Region) -> Object:
        family = "rectangle" if region.family == "video" else region.family
        if family == "rectangle":
            shapes = (
                [Shape.ROTATABLE_BOUNDING_BOX] if region.rotated else [Shape.BOUNDING_BOX, Shape.ROTATABLE_BOUNDING_BOX]
            )
        else:
            shapes = [_shape(family, False)]
        for shape in shapes:
            for obj in self.ontology.objects:
                if obj.name == region.label and obj.shape is shape:
                    return obj
        wanted = " or ".join(s.value for s in shapes)
        raise self.r.fail(region.where, f"the ontology has no {wanted} object named {region.label!r}.")

    def classification(self, answer: _Answer) -> tuple[Classification, Attribute]:
        for classification in self.ontology.classifications:
            if classification.title == answer.name and classification.attributes:
                return classification, classification.attributes[0]
        raise self.r.fail(answer.where, f"the ontology has no classification named {answer.name!r}.")

    def attribute(self, obj: Object, answer: _Answer) -> Attribute:
        from labelspace.formats._common import attributes_by_name

        found = attributes_by_name(obj).get(answer.name)
        if found is None:
            raise self.r.fail(
                answer.where, f"object {obj.name!r} has no attribute named {answer.name!r} in the ontology."
            )
        return found

    def value(self, attribute: Attribute, answer: _Answer) -> Any:
        """An answer as the attribute takes it: an option, a list of options, text or a number."""
        r = self.r
        if answer.control == "choices" and isinstance(attribute, (RadioAttribute, ChecklistAttribute)):
            options = [self.option(attribute, choice, answer.where) for choice in answer.value]
            if isinstance(attribute, ChecklistAttribute):
                return options
            if len(options) > 1:
                self.dropped["choices after the first of a single-choice attribute"] += len(options) - 1
            return options[0]
        if answer.control == "text" and isinstance(attribute, TextAttribute):
            return answer.value
        if answer.control == "number" and isinstance(attribute, NumericAttribute):
            return answer.value
        raise r.fail(
            answer.where,
            f"{attribute.name!r} is a {attribute.kind} attribute in the ontology; the file answers it with "
            f"{answer.control}.",
        )

    def option(self, attribute: Attribute, choice: str, where: str) -> Option:
        for option in attribute.options:
            if option.label == choice:
                return option
        for option in attribute.options:
            if option.value == choice:
                return option
        raise self.r.fail(where, f"{choice!r} is not an option of {attribute.name!r} in the ontology.")


# --- putting labels on spaces ---------------------------------------------------------------------


class _Placer:
    """Puts the labels of read tasks on spaces, counting what labelspace cannot hold."""

    def __init__(self, r: Reader, resolver: _Resolver, dropped: Counter[str]) -> None:
        self.r = r
        self.resolver = resolver
        self.dropped = dropped

    def task(self, task: _Task, row: LabelRow, instances: dict[str, ObjectInstance]) -> None:
        r = self.r
        with r.at(task.where):
            space: Space
            if task.kind == "video":
                space = row.add_video_space(task.space_id, task.frames, task.width, task.height, task.fps)
            else:
                space = row.add_image_space(task.space_id, task.width, task.height)
            space.media = task.media
        used: set[str] = set()
        classes: set[str] = set()
        for source in task.sources:
            for region in source.regions:
                if region.family:
                    with r.at(region.where):
                        self.region(space, source, region, instances, used)
            for answer in source.answers:
                with r.at(answer.where):
                    self.classification(space, source, answer, classes)

    def region(
        self, space: Space, source: _Source, region: _Region, instances: dict[str, ObjectInstance], used: set[str]
    ) -> None:
        obj = self.resolver.object(region)
        meta = dict(source.meta)
        if region.confidence is not None:
            meta["confidence"] = region.confidence
        object_hash = _unique(region.id, used)
        instance = instances.get(object_hash)
        if instance is None or instance.ontology_item is not obj:
            instance = instances[object_hash] = obj.create_instance(object_hash)
        if region.family == "video":
            if not isinstance(space, MultiFrameSpace):
                raise self.r.fail(region.where, "a video rectangle on an image.")
            if not self.track(space, instance, obj, region, meta):
                return
        else:
            if not isinstance(space, ImageSpace):
                raise self.r.fail(region.where, f"a {region.family} region on a video; Label Studio tracks only boxes.")
            space.put_object_instance(instance, self.coordinates(space, obj, region), **meta)
        static: list[tuple[Attribute, Any]] = []
        dynamic: list[tuple[Attribute, Any]] = []
        for answer in region.answers:
            attribute = self.resolver.attribute(obj, answer)
            (dynamic if attribute.dynamic else static).append((attribute, self.resolver.value(attribute, answer)))
        set_static_answers(instance, static)
        for attribute, value in dynamic:
            if isinstance(space, MultiFrameSpace):
                space.set_dynamic_answer(instance, space.get_object_frames(instance), value, attribute)
            else:
                self.dropped["answers to dynamic attributes on images"] += 1

    def coordinates(self, space: Space, obj: Object, region: _Region) -> GeometricCoordinates:
        family, g = region.family, region.geometry
        if family == "rectangle":
            if obj.shape is Shape.ROTATABLE_BOUNDING_BOX:
                width, height = region.size or (space.width, space.height)
                x, y, w, h, t = _corner_to_centre(np.array([g], dtype=np.float64), width, height)[0].tolist()
                x, y, w, h = self.box(x, y, w, h)
                return RotatableBoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y, theta=t)
            x, y, w, h = self.box(g[0] / 100, g[1] / 100, g[2] / 100, g[3] / 100)
            return BoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y)
        if family == "brush":
            assert region.size is not None
            if region.size != (space.width, space.height):
                raise self.r.fail(
                    region.where,
                    f"the brush mask is {region.size[0]} x {region.size[1]} but the task's image is "
                    f"{space.width} x {space.height}.",
                )
            return BitmaskCoordinates(decode_brush(g, *region.size) > 0)
        points = [self.point(x, y) for x, y in ([g] if family == "point" else g)]
        if family == "point":
            return points[0]
        return PolygonCoordinates(values=points) if family == "polygon" else PolylineCoordinates(points)

    def box(self, x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        """A normalised box cut to the image if it reaches past it (one inside is kept to the last bit)."""
        if 0 <= x and 0 <= y and x + w <= 1 and y + h <= 1:
            return x, y, w, h
        left, top = min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
        right, bottom = max(min(x + w, 1.0), left), max(min(y + h, 1.0), top)
        cut = (left, top, right - left, bottom - top)
        self.dropped[_CLIPPED] += max(abs(a - b) for a, b in zip(cut, (x, y, w, h), strict=True)) > _EDGE
        return cut

    def point(self, x: float, y: float) -> PointCoordinate:
        cx, cy = min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0)
        if abs(cx - x) > _EDGE or abs(cy - y) > _EDGE:
            self.dropped[_CLIPPED] += 1
        return PointCoordinate(cx, cy)

    def track(
        self, space: MultiFrameSpace, instance: ObjectInstance, obj: Object, region: _Region, meta: dict[str, Any]
    ) -> bool:
        """Put a video rectangle's frames, as the editor shows them; False if it shows on none."""
        k: _Keyframes = region.geometry
        n = space.number_of_frames
        count = len(k.frames)
        past = k.frames > n
        if past.any():
            self.dropped["video keyframes past the video's last frame"] += int(past.sum())
        # Keyframe i holds from its frame to the one before the next keyframe (to the end for the last),
        # or only on its own frame when disabled; its box moves towards the next keyframe's.
        index = np.arange(count)
        following = np.minimum(index + 1, count - 1)
        start = k.frames
        stop = np.where(k.enabled, np.minimum(np.append(k.frames[1:] - 1, n), n), start)
        length = np.where(past, 0, stop - start + 1)
        delta = k.values[following] - k.values
        same = (index == count - 1) | ((delta[:, :4] == 0).all(axis=1) & (_wrap(delta[:, 4]) == 0))
        held = same & (length > _LONG_RUN)
        runs = [(int(start[i]), int(stop[i]), k.values[i]) for i in np.flatnonzero(held).tolist()]
        lengths = np.where(held, 0, length)
        of = np.repeat(index, lengths)  # the keyframe each frame follows
        frames = start[of] + np.arange(of.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        span = (k.frames[following] - k.frames)[of]
        ratio = np.divide(frames - start[of], span, out=np.zeros(of.size), where=span > 0)[:, None]
        rows = k.values[of] + delta[of] * ratio
        moving = ~same[of]
        rows[moving, 4] = _wrap(k.values[of, 4] + _wrap(delta[of, 4]) * ratio[:, 0])[moving]
        if not runs and not frames.size:
            self.dropped["video rectangles shown on no frame"] += 1
            return False
        rotated = obj.shape is Shape.ROTATABLE_BOUNDING_BOX

        def model_rows(percent: FloatArray) -> FloatArray:
            converted = _corner_to_centre(percent, space.width, space.height) if rotated else percent[:, :4] / 100
            out, clipped = _clip_boxes(converted)
            self.dropped[_CLIPPED] += clipped
            return out

        for first, last, value in runs:
            row = model_rows(value[None, :])[0].tolist()
            coordinates: GeometricCoordinates = (
                RotatableBoundingBoxCoordinates(row[3], row[2], row[0], row[1], row[4])
                if rotated
                else BoundingBoxCoordinates(row[3], row[2], row[0], row[1])
            )
            space.put_object_instance(instance, Range(first - 1, last - 1), coordinates, **meta)
        if frames.size:
            space.put_object_track(instance, frames - 1, model_rows(rows), **meta)
        return True

    def classification(self, space: Space, source: _Source, answer: _Answer, classes: set[str]) -> None:
        classification, attribute = self.resolver.classification(answer)
        if any(c.ontology_item is classification for c in space.get_classification_instances()):
            self.dropped["classifications another annotation of the task already answered"] += 1
            return
        instance = classification.create_instance(_unique(answer.id, classes))
        instance.set_answer(self.resolver.value(attribute, answer), attribute)
        if isinstance(space, ImageSpace):
            space.put_classification_instance(instance, **source.meta)
        elif isinstance(space, MultiFrameSpace):
            frames = None if classification.is_global else Range(0, space.number_of_frames - 1)
            space.put_classification_instance(instance, frames, **source.meta)


def _unique(wanted: str, used: set[str]) -> str:
    """An instance hash like ``wanted`` that no other label of the space has (result ids repeat across annotations)."""
    name, n = wanted, 1
    while name in used:
        n += 1
        name = f"{wanted}-{n}"
    used.add(name)
    return name


def is_labelstudio(d: Any) -> bool:
    """Whether decoded JSON is a Label Studio export: tasks (or one task) with ``data`` and annotations."""

    def is_task(t: Any) -> bool:
        return (
            isinstance(t, Mapping)
            and isinstance(t.get("data"), Mapping)
            and any(k in t for k in ("annotations", "predictions", "completions"))
        )

    if isinstance(d, list):
        return bool(d) and all(is_task(t) for t in d[:3])
    return is_task(d)


def from_labelstudio(
    data: Any,
    ontology: Ontology | None = None,
    *,
    source: str = "Label Studio",
    media: Path | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    dropped: Counter[str] | None = None,
) -> Project:
    """A project from a decoded Label Studio export: a list of tasks, or one task.

    Args:
        data: The decoded JSON.
        ontology: The ontology to read with (objects named as the labels, attributes and
            classifications as the controls); built from the file when None.
        source: Named in error messages.
        media: The media folder: task media paths are kept relative to it, and images without a
            size in the file (and every video) are looked up there.
        allow_outside_media: Keep media paths that leave that folder.
        limits: Sizes the file may declare.
        dropped: Counts of what labelspace cannot hold are added here.

    Raises:
        FormatError: Naming the source, the task, the result and the field of the first malformed
            value; nothing is returned half-built.
    """
    r = Reader(source, limits)
    dropped = dropped if dropped is not None else Counter()
    tasks = [data] if isinstance(data, Mapping) else list(r.seq(data, "file"))
    reader = _TaskReader(r, media, allow_outside_media, dropped)
    parsed = []
    for i, raw in enumerate(tasks):
        with r.at(f"tasks[{i}]"):
            parsed.append(reader.task(i, raw))
    if ontology is None:
        ontology = _build_ontology(r, parsed)
    placer = _Placer(r, _Resolver(r, ontology, dropped), dropped)
    project = Project(ontology)
    rows: dict[Any, tuple[LabelRow, dict[str, ObjectInstance]]] = {}
    for task in parsed:
        if task.row not in rows:
            rows[task.row] = (LabelRow(ontology), {})
        placer.task(task, *rows[task.row])
    for row, _ in rows.values():
        project.add_row(row)
    return project


# --- export ---------------------------------------------------------------------------------------


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _completed_by(created_by: str | None) -> Any:
    """A Label Studio annotator: the user id for a number, else an expanded user with the email."""
    if created_by is None:
        return None
    if created_by.isdigit() and len(created_by) < 16:
        return int(created_by)
    return {"email": created_by}


def _media_value(media: str | None) -> str:
    """A task's data value: URLs as they are, file paths as Label Studio local files."""
    if not media:
        return ""
    if is_url(media):
        return media
    from urllib.parse import quote

    return "/data/local-files/?d=" + quote(media.replace("\\", "/"), safe="/")


def _answer_item(attribute: Attribute, answer: Any) -> tuple[str, dict[str, Any]] | None:
    """A result type and value of an answer; None for an empty checklist, which Label Studio never writes."""
    if isinstance(attribute, RadioAttribute):
        return "choices", {"choices": [answer.label]}
    if isinstance(attribute, ChecklistAttribute):
        return ("choices", {"choices": [o.label for o in answer]}) if answer else None
    if isinstance(attribute, TextAttribute):
        return "textarea", {"text": [answer]}
    return "number", {"number": answer}


_LABEL_KEYS = ("rectanglelabels", "polygonlabels", "keypointlabels", "brushlabels", "labels")


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
            "data": {to_name: _media_value(space.media)},
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
            x, y, bw, bh, rotation = _centre_to_corner((c.top_left_x, c.top_left_y, c.width, c.height, c.theta), w, h)
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
                x, y, bw, bh, rotation = _centre_to_corner(row, space.width, space.height)
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


# --- I/O ------------------------------------------------------------------------------------------


def save_labelstudio(project: Project | LabelRow, path: str | os.PathLike[str]) -> Counter[str]:
    """Write a project (or one row) as a Label Studio JSON export, atomically; return and warn what was dropped."""
    dropped: Counter[str] = Counter()
    tasks = to_labelstudio(project, dropped)
    with atomic_file(path) as f:
        f.write(orjson.dumps(tasks))
    return warn_dropped("Label Studio", dropped)


def load_labelstudio(
    path: str | os.PathLike[str],
    ontology: Ontology | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """Read a Label Studio JSON export into a project, one row per task; warn about what was dropped.

    Args:
        path: The export.
        ontology: The ontology to read with; built from the file when None.
        media: The folder media paths are relative to and images and videos are looked up in
            (the file's folder when None).
        allow_outside_media: Keep media paths that leave that folder.
        limits: Sizes the file may declare.

    Raises:
        FormatError: Naming the file, the task, the result and the field of the first malformed value.
    """
    p = Path(path)
    options = ReadOptions(ontology, Path(media) if media is not None else None, allow_outside_media, limits)
    return read_labelstudio(p, options)


def from_labelstudio_file(d: Any, path: Path, o: ReadOptions) -> Project:
    """A project from a decoded Label Studio export read from ``path``; warns about what was dropped."""
    dropped: Counter[str] = Counter()
    project = from_labelstudio(
        d,
        o.ontology,
        source=str(path),
        media=o.media_root(path),
        allow_outside_media=o.allow_outside_media,
        limits=o.limits,
        dropped=dropped,
    )
    warn_dropped("Label Studio", dropped, importing=True)
    return project


def read_labelstudio(path: Path, o: ReadOptions) -> Project:
    """Read a Label Studio export with the options ``labelspace.formats.load`` was given."""
    return from_labelstudio_file(read_json(path, o.limits), path, o)


def write_labelstudio(project: Project, path: Path, o: WriteOptions) -> Counter[str]:
    """Write a Label Studio export with the options ``labelspace.formats.save`` was given."""
    return save_labelstudio(project, path)
