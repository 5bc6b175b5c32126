"""Reading and writing labels in files, one module per format, registered in ``FORMATS``.

Every format reads and writes a ``Project`` (a single label row is a one-row project).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from labelspace.formats._common import DroppedLabelsWarning
from labelspace.model.errors import LabelRowError
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Ontology
from labelspace.model.project import Project


@dataclass(frozen=True)
class Format:
    """A file format: how to read and write it, and how to recognise its files."""

    name: str
    description: str
    load: Callable[[Path, Ontology | None], Project]
    save: Callable[[Project, Path], None]
    recognise: Callable[[Path, bytes], bool]


def _head(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read(512)
    except OSError:
        return b""
    if data[:2] == b"\x1f\x8b":
        import gzip

        with gzip.open(path, "rb") as f:
            data = f.read(512)
    return data


def _load_native(path: Path, ontology: Ontology | None) -> Project:
    from labelspace.formats.native import load_label_row, load_project

    if b'"labelspace.label_row"' in _head(path):
        return Project.of(load_label_row(path, ontology))
    return load_project(path, ontology)


def _save_native(project: Project, path: Path) -> None:
    project.save(path)


def _load_coco(path: Path, ontology: Ontology | None) -> Project:
    from labelspace.formats.coco import load_coco

    return load_coco(path, ontology)


def _save_coco(project: Project, path: Path) -> None:
    from labelspace.formats.coco import save_coco

    save_coco(project, path)


def _load_parquet(path: Path, ontology: Ontology | None) -> Project:
    from labelspace.formats.parquet import load_parquet

    return load_parquet(path, ontology)


def _save_parquet(project: Project, path: Path) -> None:
    from labelspace.formats.parquet import save_parquet

    save_parquet(project, path)


def _is_parquet(path: Path, head: bytes) -> bool:
    return head[:4] == b"PAR1"


def _load_yolo(path: Path, ontology: Ontology | None) -> Project:
    from labelspace.formats.yolo import load_yolo

    return load_yolo(path, ontology)


def _save_yolo(project: Project, path: Path) -> None:
    from labelspace.formats.yolo import save_yolo

    save_yolo(project, path)


def _is_yolo(path: Path, head: bytes) -> bool:
    return path.name == "data.yaml" or (path.is_dir() and (path / "data.yaml").is_file())


def _load_voc(path: Path, ontology: Ontology | None) -> Project:
    from labelspace.formats.voc import load_voc

    return load_voc(path, ontology)


def _save_voc(project: Project, path: Path) -> None:
    from labelspace.formats.voc import save_voc

    save_voc(project, path)


def _is_voc(path: Path, head: bytes) -> bool:
    if path.is_dir():
        return (path / "Annotations").is_dir() or any(path.glob("*.xml"))
    return path.suffix.lower() == ".xml" and b"<annotation" in head


def _load_cvat(path: Path, ontology: Ontology | None) -> Project:
    from labelspace.formats.cvat import load_cvat

    return load_cvat(path, ontology)


def _save_cvat(project: Project, path: Path) -> None:
    from labelspace.formats.cvat import save_cvat

    save_cvat(project, path)


def _is_cvat(path: Path, head: bytes) -> bool:
    return path.suffix.lower() == ".xml" and b"<annotations" in head


def _load_encord(path: Path, ontology: Ontology | None) -> Project:
    from labelspace.formats.encord import load_encord

    if ontology is None:
        beside = path.with_name(path.name.removesuffix(".json") + ".ontology.json")
        if not beside.is_file():
            raise LabelRowError(f"{path}: the Encord format needs its ontology JSON; pass --ontology ONTOLOGY.json.")
        return Project.of(load_encord(path, beside))
    return Project.of(load_encord(path, ontology))


def _save_encord(project: Project, path: Path) -> None:
    from labelspace.formats.encord import save_encord

    if len(project) != 1:
        raise LabelRowError(f"an Encord label-row file holds one row; this project has {len(project)}.")
    save_encord(project.rows[0], path, path.with_name(path.name.removesuffix(".json") + ".ontology.json"))


def _is_encord(path: Path, head: bytes) -> bool:
    return b'"label_hash"' in head and (
        b'"data_units"' in head or b'"object_answers"' in head or b'"data_hash"' in head
    )


def _is_native(path: Path, head: bytes) -> bool:
    return b'"format":"labelspace.' in head.replace(b" ", b"")


def _is_coco(path: Path, head: bytes) -> bool:
    compact = head.replace(b" ", b"").replace(b"\n", b"")
    return (
        not _is_native(path, head)
        and not _is_encord(path, head)
        and path.name.lower().endswith((".json", ".json.gz"))
        and (
            any(
                key in compact
                for key in (b'"images":', b'"info":', b'"categories":', b'"annotations":', b'"licenses":')
            )
        )
    )


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "labelspace", "labelspace's native JSON (a label row or a project)", _load_native, _save_native, _is_native
        ),
        Format(
            "encord",
            "an Encord label row JSON (its ontology JSON beside it or via --ontology)",
            _load_encord,
            _save_encord,
            _is_encord,
        ),
        Format("coco", "COCO instances and keypoints JSON", _load_coco, _save_coco, _is_coco),
        Format("cvat", "CVAT XML 1.1 for images or for video", _load_cvat, _save_cvat, _is_cvat),
        Format("voc", "a Pascal VOC folder (Annotations/*.xml)", _load_voc, _save_voc, _is_voc),
        Format("yolo", "a YOLO detect/segment dataset folder (data.yaml, labels/)", _load_yolo, _save_yolo, _is_yolo),
        Format(
            "parquet",
            "one table row per frame annotation (DuckDB, Polars, Spark)",
            _load_parquet,
            _save_parquet,
            _is_parquet,
        ),
    )
}


def guess_format(path: str | os.PathLike[str]) -> str:
    """The name of the format a file is in.

    Raises:
        LabelRowError: If no format recognises it (the message names the file and the formats).
    """
    p = Path(path)
    head = _head(p)
    for fmt in FORMATS.values():
        if fmt.recognise(p, head):
            return fmt.name
    raise LabelRowError(f"{p}: cannot tell its format; pass --from with one of {sorted(FORMATS)}.")


def _format(name: str) -> Format:
    found = FORMATS.get(name)
    if found is None:
        raise LabelRowError(f"unknown format {name!r}; known formats are {sorted(FORMATS)}.")
    return found


def load(path: str | os.PathLike[str], format: str | None = None, ontology: Ontology | None = None) -> Project:
    """Read labels from a file into a project (the format is guessed when not given)."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file.")
    return _format(format or guess_format(p)).load(p, ontology)


def save(project: Project | LabelRow, path: str | os.PathLike[str], format: str) -> None:
    """Write a project (or one row) in a format."""
    if isinstance(project, LabelRow):
        project = Project.of(project)
    _format(format).save(project, Path(path))


__all__ = ["FORMATS", "DroppedLabelsWarning", "Format", "guess_format", "load", "save"]
