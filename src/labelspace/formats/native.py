"""The native JSON file of a label row (the dict format of ``labelspace.model.native``).

Written with orjson, long numeric columns packed as base64 (see ``labelspace.model.native``),
and gzip-compressed when the file name ends in ``.gz``. Writing goes to a temporary file that
replaces the target only once complete, so a failed save never leaves half a file behind.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from pathlib import Path

import orjson

from labelspace.model.errors import LabelRowError
from labelspace.model.label_row import LabelRow
from labelspace.model.native import label_row_from_dict, label_row_to_dict
from labelspace.model.ontology import Ontology
from labelspace.model.project import Project


def dumps(row: LabelRow) -> bytes:
    """Encode a label row as native JSON bytes."""
    return orjson.dumps(label_row_to_dict(row, packed=True))


def loads(data: bytes | str, ontology: Ontology | None = None) -> LabelRow:
    """Decode native JSON bytes into a label row."""
    try:
        d = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise LabelRowError(f"not valid JSON: {e}") from None
    return label_row_from_dict(d, ontology)


def save_label_row(row: LabelRow, path: str | os.PathLike[str]) -> None:
    """Write ``row`` to ``path`` atomically (gzip if the name ends in ``.gz``)."""
    write_atomically(path, dumps(row))


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Write bytes to ``path`` through a temporary file that replaces it only once complete."""
    target = Path(path)
    if target.suffix == ".gz":
        data = gzip.compress(data, compresslevel=6)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_project(project: Project, path: str | os.PathLike[str]) -> None:
    """Write a project (rows with packed columns) atomically."""
    from labelspace.model.native import label_row_to_dict
    from labelspace.model.project import FORMAT, VERSION

    d = {
        "format": FORMAT,
        "version": VERSION,
        "ontology": project.ontology.to_dict(),
        "rows": [label_row_to_dict(row, packed=True, with_ontology=False) for row in project.rows],
    }
    write_atomically(path, orjson.dumps(d))


def read_json(path: str | os.PathLike[str]) -> object:
    """Read a JSON file (gzip or not); a malformed one raises LabelRowError naming it."""
    source = Path(path)
    data = source.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise LabelRowError(f"{source}: not valid JSON: {e}") from None


def load_project(path: str | os.PathLike[str], ontology: Ontology | None = None) -> Project:
    """Read a project written by ``save_project``; errors name the file."""
    d = read_json(path)
    try:
        return Project.from_dict(d, ontology)  # type: ignore[arg-type]
    except LabelRowError as e:
        raise LabelRowError(f"{path}: {e.message}") from None


def load_label_row(path: str | os.PathLike[str], ontology: Ontology | None = None) -> LabelRow:
    """Read a label row written by ``save_label_row``.

    Raises:
        FileNotFoundError: If there is no such file.
        LabelRowError: If the file is not a valid native label row; the message names the file.
    """
    source = Path(path)
    data = source.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return loads(data, ontology)
    except LabelRowError as e:
        raise LabelRowError(f"{source}: {e.message}") from None
