"""LabelMe JSON (wkentaro/labelme) <-> ``Project``.

LabelMe writes one JSON file per image: its ``imagePath`` (relative to the JSON file's folder;
files saved on Windows hold backslashes), ``imageHeight`` and ``imageWidth`` (or the image itself,
base64, in ``imageData``), image-level ``flags`` (checkboxes: name -> true/false) and ``shapes``.
A shape has a ``label``, ``points`` in pixels, a ``shape_type`` (``polygon``, ``rectangle`` with
two opposite corners in any order, ``circle`` as centre and a point on it, ``line``,
``linestrip``, ``point``, ``points``, ``mask`` with a PNG of its box, ``oriented_rectangle``), an
optional ``group_id``, per-shape ``flags`` and a ``description``.

Import reads one file, or a folder of them (one row per file, the space named by the file's path
without ``.json``). Rectangles become boxes, oriented rectangles rotated boxes, polygons
polygons, lines and linestrips polylines, points points (a ``points`` shape one point each),
masks bitmasks (the PNG placed with its top-left pixel at the first point, any pixel not 0 inside);
circles become 32-point polygons (listed in the warning). Shapes that share a label and a
``group_id`` are one object, as labelme's own converters count them: polygons (and rectangles
and circles) several parts of one polygon, or, when the group holds a mask, one bitmask with
the other shapes drawn into it; points of a group one skeleton when the ontology has a skeleton
of that label (node names from the descriptions), else single points; lines of a group each their
own object (listed). A polygon of four corners becomes a rotated box when the ontology has only a
rotated box of its label (as export writes rotated boxes). A shape's ``flags`` become
a checklist attribute ``flags`` of its object (the flags that are true are chosen) and its
``description`` a text attribute ``description``; the image's ``flags`` a checklist
classification ``flags``. With a given ontology, a flag ``name:option`` answers the radio or
checklist attribute ``name`` with ``option`` (this is how export writes them), other flags
choose options of a checklist named ``flags``. ``imagePath`` is read relative to the JSON file
and kept relative to the media folder (the folder read, by default); paths that leave it are
refused unless allowed. Points past the image edge are clipped to it (and listed); points more
than an image size past it are refused. Shapes of an unknown type or with the wrong number of
points are dropped and listed, as labelme's older versions let them be saved.

Export writes a folder with one JSON file per image, and one per labelled frame of a video or
volume (its ``imagePath`` names the frame's image, ``<name>_<frame>.jpg`` beside the file, for
you to extract). A file sits at its image's media path without the suffix, so that the folder
mirrors the media folder and ``imagePath`` is the image's path relative to the file;
``imageData`` is null. Boxes are rectangles, polygons polygons (several parts share a
``group_id`` unique in the file), polylines lines or linestrips, points points, bitmasks masks.
LabelMe cannot hold, and a ``DroppedLabelsWarning`` lists: rotated boxes (written as polygons of
their corners), polygon holes, skeletons (written as points sharing a ``group_id``, each node's
name its description; node visibilities are dropped), answers other than radio and checklist
(written as flags ``attribute:option``) and a text attribute named ``description``, nested
answers, classifications other than radio and checklist (written as image flags), and all
annotation metadata.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from labelspace.formats._atomic import atomic_folder
from labelspace.formats._common import Reader, warn_dropped
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, read_json
from labelspace.formats.labelme.answers import DESCRIPTION, FLAGS
from labelspace.formats.labelme.geometry import CIRCLE_POINTS
from labelspace.formats.labelme.reader import from_labelme
from labelspace.formats.labelme.writer import VERSION, to_labelme
from labelspace.model.errors import LabelspaceError
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Ontology
from labelspace.model.project import Project


def is_labelme(d: Any) -> bool:
    """Whether decoded JSON is a LabelMe file: ``shapes`` and an image path, embedded image or size."""
    return (
        isinstance(d, Mapping)
        and isinstance(d.get("shapes"), list)
        and any(k in d for k in ("imagePath", "imageData", "imageHeight"))
    )


def _json_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.json") if p.is_file())


def is_labelme_folder(path: Path) -> bool:
    """Whether a path is a folder whose (first) JSON file is a LabelMe file."""
    if not path.is_dir():
        return False
    files = _json_files(path)
    if not files:
        return False
    try:
        return is_labelme(read_json(files[0], DEFAULT_LIMITS))
    except (LabelspaceError, OSError):
        return False


# --- I/O ------------------------------------------------------------------------------------------


def save_labelme(
    project: Project | LabelRow,
    folder: str | os.PathLike[str],
    replace: bool = False,
    media: str | os.PathLike[str] | None = None,
) -> Counter[str]:
    """Write a folder of LabelMe files atomically; return (and warn about) what LabelMe could not hold.

    Args:
        project: The project (or one row).
        folder: The output folder: new or empty, or replaced whole with ``replace``.
        replace: Replace a non-empty folder whole.
        media: The folder the project's relative media paths are relative to; each file's
            ``imagePath`` then leads to its image there. Without it the output folder is taken to
            mirror the media folder (copy the files in beside the images).
    """
    dropped: Counter[str] = Counter()
    documents = to_labelme(
        project, dropped, media=Path(media) if media is not None else None, folder=Path(folder) if media else None
    )
    with atomic_folder(folder, replace) as root:
        for name, document in documents.items():
            target = root / f"{name}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(orjson.dumps(document, option=orjson.OPT_INDENT_2))
    return warn_dropped("LabelMe", dropped)


def load_labelme(
    path: str | os.PathLike[str],
    ontology: Ontology | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """Read a LabelMe file, or a folder of them (one row per file); warn about what was dropped.

    Args:
        path: A LabelMe JSON file or a folder (searched recursively for ``*.json``).
        ontology: The ontology to read with; built from the files when None.
        media: The media folder image paths are kept relative to (the folder read, or the file's
            folder, when None).
        allow_outside_media: Keep image paths that leave that folder.
        limits: Sizes a file may declare.

    Raises:
        FormatError: Naming the file, the shape and the field of the first malformed value.
    """
    options = ReadOptions(ontology, Path(media) if media is not None else None, allow_outside_media, limits)
    return read_labelme(Path(path), options)


def _read(documents: dict[str, Any], folder: Path, o: ReadOptions, dropped: Counter[str]) -> Project:
    project = from_labelme(
        documents,
        o.ontology,
        folder=folder,
        **o.reading(folder),
        dropped=dropped,
    )
    warn_dropped("LabelMe", dropped, importing=True)
    return project


def _name(path: Path) -> str:
    return path.name.removesuffix(".gz").removesuffix(".json")


def from_labelme_file(d: Any, path: Path, o: ReadOptions) -> Project:
    """A one-row project from a decoded LabelMe file read from ``path``; warns about what was dropped."""
    return _read({_name(path): d}, path.parent, o, Counter())


def read_labelme(path: Path, o: ReadOptions) -> Project:
    """Read a LabelMe file or folder with the options ``labelspace.formats.load`` was given."""
    if not path.is_dir():
        return from_labelme_file(read_json(path, o.limits), path, o)
    dropped: Counter[str] = Counter()
    documents: dict[str, Any] = {}
    for file in _json_files(path):
        d = read_json(file, o.limits)
        if not is_labelme(d):
            dropped["JSON files that are not LabelMe files"] += 1
            continue
        documents[file.relative_to(path).with_suffix("").as_posix()] = d
    if not documents:
        raise Reader(str(path), o.limits).fail("", "no LabelMe .json files found.")
    return _read(documents, path, o, dropped)


def write_labelme(project: Project, path: Path, o: WriteOptions) -> Counter[str]:
    """Write a LabelMe folder with the options ``labelspace.formats.save`` was given."""
    return save_labelme(project, path, replace=o.overwrite, media=o.media)


__all__ = [
    "CIRCLE_POINTS",
    "DESCRIPTION",
    "FLAGS",
    "VERSION",
    "from_labelme",
    "from_labelme_file",
    "is_labelme",
    "is_labelme_folder",
    "load_labelme",
    "read_labelme",
    "save_labelme",
    "to_labelme",
    "write_labelme",
]
