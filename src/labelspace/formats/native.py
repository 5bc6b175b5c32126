"""labelspace's native JSON file: a label row, or a project (one ontology, many rows).

The dict form is ``labelspace.model.native``'s; files are written with orjson, long numeric
columns packed as base64, gzip-compressed when the name ends in ``.gz``, and atomically (a
temporary file beside the target replaces it once complete). A file is recognised by its
``format`` field wherever it stands in the file.
"""

from __future__ import annotations

import gzip
import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from labelspace.formats._atomic import write_file
from labelspace.formats._common import Reader, reading
from labelspace.formats._paths import media_path
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, read_json
from labelspace.model._collector import collector_paused
from labelspace.model.label_row import LabelRow
from labelspace.model.native import label_row_from_dict, label_row_to_dict
from labelspace.model.ontology import Ontology
from labelspace.model.project import FORMAT as PROJECT_FORMAT
from labelspace.model.project import VERSION as PROJECT_VERSION
from labelspace.model.project import Project

ROW_FORMAT = "labelspace.label_row"


# --- pure: project <-> plain data ---------------------------------------------------------------


def to_native(project: Project | LabelRow, *, packed: bool = True) -> dict[str, Any]:
    """A project (or one label row) as the native dict; ``packed`` packs long columns as base64."""
    if isinstance(project, LabelRow):
        return label_row_to_dict(project, packed=packed)
    return {
        "format": PROJECT_FORMAT,
        "version": PROJECT_VERSION,
        "ontology": project.ontology.to_dict(),
        "rows": [label_row_to_dict(row, packed=packed, with_ontology=False) for row in project.rows],
    }


def is_native(d: Any) -> bool:
    """Whether a decoded JSON value is a native label row or project."""
    return isinstance(d, Mapping) and d.get("format") in (ROW_FORMAT, PROJECT_FORMAT)


@reading
def from_native(
    d: Any,
    ontology: Ontology | None = None,
    *,
    source: str = "labelspace JSON",
    media: Path | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """A project from a native dict (a label row becomes a one-row project).

    Raises:
        FormatError: Naming the source and the field of the first malformed value.
    """
    r = Reader(source, limits)
    with r.at(""):
        if isinstance(d, Mapping) and d.get("format") == ROW_FORMAT:
            project = Project.of(label_row_from_dict(d, ontology))
        else:
            project = Project.from_dict(d, ontology)
    for i, row in enumerate(project.rows):
        for space in row.list_spaces():
            where = f"rows[{i}].spaces.{space.space_id}"
            if space.number_of_frames > limits.max_frames:
                r.frame_count(space.number_of_frames, f"{where}.number_of_frames")
            if space.media is not None:
                space.media = media_path(r, space.media, f"{where}.media", media, allow_outside_media)
    return project


# --- I/O ------------------------------------------------------------------------------------------


def _encode(d: dict[str, Any], path: str | os.PathLike[str]) -> bytes:
    data = orjson.dumps(d)
    return gzip.compress(data, compresslevel=6) if str(path).endswith(".gz") else data


def save_native(project: Project | LabelRow, path: str | os.PathLike[str]) -> Counter[str]:
    """Write a project or label row to ``path`` atomically (gzip if the name ends in ``.gz``); nothing is dropped."""
    with collector_paused():  # a dict or two per annotation, millions of them in a large project
        data = _encode(to_native(project), path)
    write_file(path, data)
    return Counter()


@reading
def load_native(
    path: str | os.PathLike[str],
    ontology: Ontology | None = None,
    *,
    media: Path | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """Read a native label row or project file into a project."""
    source = Path(path)
    return from_native(
        read_json(source, limits),
        ontology,
        source=str(source),
        media=media if media is not None else source.parent,
        allow_outside_media=allow_outside_media,
        limits=limits,
    )


# --- the model's own save and load (LabelRow.save, Project.load, ...) -----------------------------


def save_label_row(row: LabelRow, path: str | os.PathLike[str]) -> None:
    """Write ``row`` to ``path`` atomically (gzip if the name ends in ``.gz``)."""
    save_native(row, path)


def save_project(project: Project, path: str | os.PathLike[str]) -> None:
    """Write a project (rows with packed columns) atomically."""
    save_native(project, path)


def load_label_row(path: str | os.PathLike[str], ontology: Ontology | None = None) -> LabelRow:
    """Read a label row written by ``save_label_row``.

    Raises:
        FileNotFoundError: If there is no such file.
        FormatError: If the file is not a valid native label row; the message names the file.
    """
    d = read_json(path)
    if not (isinstance(d, Mapping) and d.get("format") == ROW_FORMAT):
        found = d.get("format") if isinstance(d, Mapping) else type(d).__name__
        raise Reader(str(path)).fail(
            "format", f"expected {ROW_FORMAT!r}, got {found!r:.60}; a project file loads with Project.load."
        )
    return from_native(d, ontology, source=str(path), allow_outside_media=True).rows[0]


def load_project(path: str | os.PathLike[str], ontology: Ontology | None = None) -> Project:
    """Read a project (or a label row, as a one-row project) written by ``save_project``."""
    return load_native(path, ontology, allow_outside_media=True)
