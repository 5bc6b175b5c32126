"""Reading and writing labels in files, one module per format, registered in ``FORMATS``.

Every format reads into and writes from a ``Project`` (a single label row is a one-row project).
Each module has pure ``to_<format>`` / ``from_<format>`` functions between a project and plain
data (a JSON tree, XML, text), and thin ``load_<format>`` / ``save_<format>`` that do the I/O.

``load(path)`` recognises a file by its content, whatever its size and the order of its fields;
every reader raises ``FormatError`` for a file it cannot read (naming the file, the record and the
field), checks sizes a file declares against ``Limits`` before allocating, and refuses media
paths that leave the media root unless allowed. Every write is atomic; a folder format refuses a
non-empty folder unless asked to replace it whole. Whatever a format cannot hold is listed in a
``DroppedLabelsWarning`` (and returned by ``save``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labelspace.formats import coco, cvat, encord, labelme, labelstudio, native, parquet, voc, yolo
from labelspace.formats._common import DroppedLabelsWarning, reading
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, read_json
from labelspace.model.errors import FormatError
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Ontology
from labelspace.model.project import Project


@dataclass(frozen=True)
class Format:
    """A file format: how to read and write it, and how to recognise its files.

    Attributes:
        name: The name ``--from`` and ``--to`` take.
        description: One line for help texts.
        read: Reads a path into a project.
        write: Writes a project to a path; returns what could not be held.
        json: For formats held in one JSON file: ``(recognise, from_json)`` on the decoded JSON.
        recognise: For the others: whether a path (file or folder) is in this format.
    """

    name: str
    description: str
    read: Callable[[Path, ReadOptions], Project]
    write: Callable[[Project, Path, WriteOptions], Counter[str]]
    json: tuple[Callable[[Any], bool], Callable[[Any, Path, ReadOptions], Project]] | None = None
    recognise: Callable[[Path], bool] | None = None


# --- the formats ----------------------------------------------------------------------------------


def _native_format() -> Format:
    def read(path: Path, o: ReadOptions) -> Project:
        return native.load_native(path, o.ontology, **o.reading(path))

    def from_json(d: Any, path: Path, o: ReadOptions) -> Project:
        return native.from_native(
            d,
            o.ontology,
            source=str(path),
            **o.reading(path),
        )

    return Format(
        "labelspace",
        "labelspace's native JSON (a label row or a project)",
        read,
        lambda project, path, o: native.save_native(project, path),
        json=(native.is_native, from_json),
    )


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        _native_format(),
        Format(
            "encord",
            "Encord label-row JSON, one row or an export's list (its ontology JSON beside it or via --ontology)",
            encord.read_encord,
            encord.write_encord,
            json=(encord.is_encord, encord.from_encord_file),
        ),
        Format(
            "coco",
            "COCO instances, keypoints or results JSON",
            coco.read_coco,
            coco.write_coco,
            json=(coco.is_coco, coco.from_coco_file),
        ),
        Format(
            "labelstudio",
            "Label Studio JSON export (tasks with annotations and predictions)",
            labelstudio.read_labelstudio,
            labelstudio.write_labelstudio,
            json=(labelstudio.is_labelstudio, labelstudio.from_labelstudio_file),
        ),
        Format(
            "labelme",
            "LabelMe JSON, one file per image (a file, or a folder of them)",
            labelme.read_labelme,
            labelme.write_labelme,
            json=(labelme.is_labelme, labelme.from_labelme_file),
            recognise=labelme.is_labelme_folder,
        ),
        Format("cvat", "CVAT XML 1.1 for images or for video", cvat.read_cvat, cvat.write_cvat, recognise=cvat.is_cvat),
        Format(
            "voc",
            "a Pascal VOC folder (Annotations/*.xml)",
            voc.read_voc,
            voc.write_voc,
            recognise=voc.is_voc,
        ),
        Format(
            "yolo",
            "a YOLO detect/segment dataset folder (data.yaml, labels/, images/)",
            yolo.read_yolo,
            yolo.write_yolo,
            recognise=yolo.is_yolo,
        ),
        Format(
            "parquet",
            "one table row per frame annotation (DuckDB, Polars, Spark)",
            parquet.read_parquet,
            parquet.write_parquet,
            recognise=parquet.is_parquet,
        ),
    )
}
FORMAT_NAMES = list(FORMATS)
"""Every format's name, in the order files are tried against them."""


# --- recognising a file -------------------------------------------------------------------------


def _looks_like_json(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def _head(path: Path) -> bytes:
    import gzip

    with open(path, "rb") as f:
        head = f.read(64)
    if head[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as g:
                return g.read(64)
        except (OSError, EOFError):
            return b""
    return head


def recognise(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> tuple[str, Any]:
    """The format of a file or folder, and its decoded JSON for formats held in one JSON file (else None).

    JSON files are recognised by their decoded content, so the size of a file and the order of its
    fields do not matter; XML by its root element; Parquet by its magic bytes; folders by what they hold.

    Raises:
        FileNotFoundError: If there is no such file or folder.
        FormatError: If no format recognises it (the message names the file and the formats).
    """
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file or folder.")
    if p.is_file() and _looks_like_json(_head(p)):
        d = read_json(p, limits)
        for name in FORMAT_NAMES:
            fmt = FORMATS[name]
            if fmt.json is not None and fmt.json[0](d):
                return name, d
        raise FormatError(
            f"{p}: a JSON file, but not one of the formats labelspace reads (its top level is "
            f"{_top_level(d)}); pass --from with one of {FORMAT_NAMES}."
        )
    for name in FORMAT_NAMES:
        fmt = FORMATS[name]
        if fmt.recognise is not None and fmt.recognise(p):
            return name, None
    raise FormatError(f"{p}: cannot tell its format; pass --from with one of {FORMAT_NAMES}.")


def _top_level(d: Any) -> str:
    if isinstance(d, dict):
        return f"an object with keys {sorted(d)[:8]}"
    if isinstance(d, list):
        first = d[0] if d else None
        keys = f" of objects with keys {sorted(first)[:8]}" if isinstance(first, dict) else ""
        return f"a list{keys}"
    return type(d).__name__


def guess_format(path: str | os.PathLike[str]) -> str:
    """The name of the format a file or folder is in.

    Raises:
        FormatError: If no format recognises it (the message names the file and the formats).
    """
    return recognise(path)[0]


def _format(name: str) -> Format:
    found = FORMATS.get(name)
    if found is None:
        raise FormatError(f"unknown format {name!r}; known formats are {FORMAT_NAMES}.")
    return found


# --- the API ------------------------------------------------------------------------------------


@reading
def read(
    path: str | os.PathLike[str],
    format: str | None = None,
    ontology: Ontology | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits | None = None,
    dataset: str | os.PathLike[str] | None = None,
    ontology_file: str | os.PathLike[str] | None = None,
) -> tuple[str, Project]:
    """Read labels from a file or folder into a project, and say which format they were in.

    The format is recognised from the content when not given (a JSON file is decoded once).

    Args:
        path: The file or folder.
        format: One of ``FORMAT_NAMES``; recognised from the content when None.
        ontology: The ontology the labels use; the file's own (or one built from it) when None.
        media: The folder media paths in the file are relative to (the file's folder when None).
        allow_outside_media: Keep media paths that leave that folder (absolute paths, ``..``).
        limits: Sizes a file may declare (``DEFAULT_LIMITS`` when None).
        dataset: For a COCO results file, the COCO dataset the detections are on.
        ontology_file: For Encord, its ontology JSON (``<name>.ontology.json`` beside the file when None).

    Raises:
        FileNotFoundError: If there is no such file or folder.
        FormatError: If the file cannot be read as the format (naming the file, record and field).
    """
    p = Path(path)
    options = ReadOptions(
        ontology,
        Path(media) if media is not None else None,
        allow_outside_media,
        limits or DEFAULT_LIMITS,
        Path(dataset) if dataset is not None else None,
        Path(ontology_file) if ontology_file is not None else None,
    )
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file or folder.")
    if format is not None:
        return format, _format(format).read(p, options)
    name, decoded = recognise(p, options.limits)
    fmt = FORMATS[name]
    if decoded is not None and fmt.json is not None:
        return name, fmt.json[1](decoded, p, options)
    return name, fmt.read(p, options)


def load(
    path: str | os.PathLike[str],
    format: str | None = None,
    ontology: Ontology | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits | None = None,
    dataset: str | os.PathLike[str] | None = None,
    ontology_file: str | os.PathLike[str] | None = None,
) -> Project:
    """Read labels from a file or folder into a project (the format is recognised when not given).

    The arguments are those of ``read``, which also says which format the file was in.

    Raises:
        FileNotFoundError: If there is no such file or folder.
        FormatError: If the file cannot be read as the format (naming the file, record and field).
    """
    return read(
        path,
        format,
        ontology,
        media=media,
        allow_outside_media=allow_outside_media,
        limits=limits,
        dataset=dataset,
        ontology_file=ontology_file,
    )[1]


def save(
    project: Project | LabelRow,
    path: str | os.PathLike[str],
    format: str,
    *,
    overwrite: bool = False,
    layout: str | None = None,
    progress: bool = True,
    media: str | os.PathLike[str] | None = None,
) -> Counter[str]:
    """Write a project (or one row) in a format, atomically; return what the format could not hold.

    Args:
        project: The project or label row.
        path: The output file, or folder for folder formats.
        format: One of ``FORMAT_NAMES``.
        overwrite: Replace a non-empty output folder whole (folder formats refuse one otherwise).
        layout: For Encord, the label-row layout (see ``labelspace.formats.encord``).
        progress: Show a progress bar on long exports.
        media: The folder the project's relative media paths are relative to (for LabelMe, whose
            image paths are relative to each labels file).

    Raises:
        FormatError: If the format cannot hold the project at all, or the output cannot be written
            (the previous output is then unchanged).
    """
    if isinstance(project, LabelRow):
        project = Project.of(project)
    options = WriteOptions(overwrite, layout, progress, Path(media) if media is not None else None)
    return _format(format).write(project, Path(path), options)


__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "FORMAT_NAMES",
    "DroppedLabelsWarning",
    "Format",
    "Limits",
    "ReadOptions",
    "WriteOptions",
    "guess_format",
    "load",
    "read",
    "recognise",
    "save",
]
