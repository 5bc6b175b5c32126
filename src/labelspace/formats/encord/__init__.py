"""Encord's label-row JSON and ontology JSON <-> ``Project``, in every layout the Encord SDK reads and writes.

Layouts (a label row's ``data_type``):

=============  ===================================================================================
``image``      one image: one image space
``img_group``  several images (``data_units`` ordered by ``data_sequence``): one image space each
``video``      a video (Encord's image sequences are video rows too): one video space, its labels
               keyed by frame
``dicom``,     a volume: one medical space, labels keyed by slice
``nifti``
``group``      a data group: a space per Encord space (``video``, ``image``, ``image_sequence``,
               ``medical_file``, ``medical_stack``), labels under ``spaces``
=============  ===================================================================================

A file may hold one label row or, as Encord's exports do, a list of them (one project row each).
Static answers are read from ``object_answers`` (radio, checklist, text, numeric; nested ones too),
dynamic answers from ``object_actions`` as frame ranges, classifications from
``classification_answers`` (their ``range``, per space in a group; frame entries' classification
lists in older rows). What labelspace cannot hold — ontology kinds it does not draw (audio, text
and HTML regions, time ranges, ellipses, circles, cuboids, segmentations), spaces of such kinds,
and their labels — is dropped and listed in a ``DroppedLabelsWarning``, never a refusal of the file.
Labels on ontology elements the ontology lacks are dropped the same way.

Export writes the layout that fits each row (``image`` for one image, ``img_group`` for images
only, ``video``, ``dicom`` or ``nifti`` for one video or volume, ``group`` otherwise) or the one
asked for, and the ontology JSON beside it (``<name>.ontology.json``) with the same feature hashes.
Encord keeps timestamps to the second and one metadata record per classification: what that
drops is listed. Bitmasks go as Encord stores them: full-frame run lengths over rows, in the
compact text both Encord and COCO use. The SDK reads every layout written here.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from labelspace.formats._atomic import write_file
from labelspace.formats._common import reading, warn_dropped
from labelspace.formats._options import ReadOptions, WriteOptions
from labelspace.formats._reading import DEFAULT_LIMITS, Limits, read_json
from labelspace.formats.encord.ontology import ontology_from_encord, ontology_to_encord
from labelspace.formats.encord.reader import from_encord
from labelspace.formats.encord.writer import LAYOUTS, to_encord
from labelspace.model.errors import FormatError
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Ontology
from labelspace.model.project import Project


def is_encord(d: Any) -> bool:
    """Whether decoded JSON is an Encord label row, or a list of them."""
    if isinstance(d, list):
        return bool(d) and all(isinstance(x, Mapping) and "label_hash" in x for x in d[:3])
    return isinstance(d, Mapping) and "label_hash" in d and ("data_units" in d or "object_answers" in d)


# --- I/O ------------------------------------------------------------------------------------------


def ontology_path(path: str | os.PathLike[str]) -> Path:
    """Where the ontology JSON of an Encord label-row file is kept: ``<name>.ontology.json`` beside it."""
    p = Path(path)
    return p.with_name(p.name.removesuffix(".gz").removesuffix(".json") + ".ontology.json")


def save_encord(
    project: Project | LabelRow,
    path: str | os.PathLike[str],
    ontology_file: str | os.PathLike[str] | None = None,
    layout: str | None = None,
) -> Counter[str]:
    """Write Encord label-row JSON and its ontology JSON (``<name>.ontology.json`` unless given), atomically.

    Returns:
        What Encord could not hold (also warned).
    """
    dropped: Counter[str] = Counter()
    if isinstance(project, LabelRow):
        project = Project.of(project)
    data = orjson.dumps(to_encord(project, layout, dropped))
    write_file(ontology_file or ontology_path(path), orjson.dumps(ontology_to_encord(project.ontology)))
    write_file(path, data)
    return warn_dropped("Encord JSON", dropped)


def ontology_for(path: Path, o: ReadOptions, dropped: Counter[str]) -> Ontology:
    if o.ontology is not None:
        return o.ontology
    beside = o.ontology_file or ontology_path(path)
    if not beside.is_file():
        raise FormatError(
            f"{path}: the Encord format needs its ontology JSON; none at {beside}. Pass it with --ontology "
            f"(ontology_file=... in Python)."
        )
    return ontology_from_encord(read_json(beside, o.limits), str(beside), dropped, o.limits)


def from_encord_file(d: Any, path: Path, o: ReadOptions) -> Project:
    """A project from a decoded Encord file and its ontology (given, or the JSON beside it)."""
    dropped: Counter[str] = Counter()
    project = from_encord(
        d,
        ontology_for(path, o, dropped),
        source=str(path),
        **o.reading(path),
        dropped=dropped,
    )
    warn_dropped("Encord", dropped, importing=True)
    return project


@reading
def load_encord(
    path: str | os.PathLike[str],
    ontology: Ontology | str | os.PathLike[str] | None = None,
    *,
    media: str | os.PathLike[str] | None = None,
    allow_outside_media: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Project:
    """Read Encord label-row JSON; ``ontology`` is an Ontology, the path of its ontology JSON, or None (beside it)."""
    given = ontology if isinstance(ontology, Ontology) else None
    ontology_file = Path(ontology) if ontology is not None and not isinstance(ontology, Ontology) else None
    options = ReadOptions(
        given, Path(media) if media is not None else None, allow_outside_media, limits, None, ontology_file
    )
    return read_encord(Path(path), options)


def read_encord(path: Path, o: ReadOptions) -> Project:
    """Read Encord JSON with the options ``labelspace.formats.load`` was given."""
    return from_encord_file(read_json(path, o.limits), path, o)


def write_encord(project: Project, path: Path, o: WriteOptions) -> Counter[str]:
    """Write Encord JSON with the options ``labelspace.formats.save`` was given."""
    return save_encord(project, path, layout=o.layout)


__all__ = [
    "LAYOUTS",
    "from_encord",
    "from_encord_file",
    "is_encord",
    "load_encord",
    "ontology_from_encord",
    "ontology_path",
    "ontology_to_encord",
    "read_encord",
    "save_encord",
    "to_encord",
    "write_encord",
]
