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

import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from labelspace.formats._atomic import atomic_file
from labelspace.formats._common import FloatArray, warn_dropped
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, read_json
from labelspace.formats.labelstudio.brush import decode_brush, encode_brush
from labelspace.formats.labelstudio.reader import from_labelstudio
from labelspace.formats.labelstudio.writer import labelstudio_config, to_labelstudio
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Ontology
from labelspace.model.project import Project


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
        **o.reading(path),
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


__all__ = [
    "FloatArray",
    "decode_brush",
    "encode_brush",
    "from_labelstudio",
    "from_labelstudio_file",
    "is_labelstudio",
    "labelstudio_config",
    "load_labelstudio",
    "read_labelstudio",
    "save_labelstudio",
    "to_labelstudio",
    "write_labelstudio",
]
