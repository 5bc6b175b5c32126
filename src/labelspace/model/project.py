"""``Project``: one ontology and many label rows, each space knowing where its media is.

Dataset formats (COCO, YOLO, ...) hold many images or videos under one set of classes; every
format reads and writes a ``Project``, and a single ``LabelRow`` is a one-row project.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

from labelspace.model import _wiring
from labelspace.model.errors import LabelRowError
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import Ontology

FORMAT = "labelspace.project"
VERSION = 1


class Project:
    """Label rows that share an ontology.

    Args:
        ontology: The ontology of every row.
    """

    def __init__(self, ontology: Ontology) -> None:
        if not isinstance(ontology, Ontology):
            raise LabelRowError(f"Project needs an Ontology, got {type(ontology).__name__}.")
        self._ontology = ontology
        self._rows: list[LabelRow] = []
        self._ids: set[int] = set()

    @classmethod
    def of(cls, row: LabelRow) -> Project:
        """A one-row project holding ``row``."""
        project = cls(row.ontology)
        project.add_row(row)
        return project

    @property
    def ontology(self) -> Ontology:
        """The shared ontology."""
        return self._ontology

    @property
    def rows(self) -> list[LabelRow]:
        """The rows, in the order they were added (a copy of the list)."""
        return list(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __iter__(self) -> Iterator[LabelRow]:
        return iter(list(self._rows))

    def add_row(
        self, row: LabelRow, media: Mapping[str, str | os.PathLike[str]] | str | os.PathLike[str] | None = None
    ) -> LabelRow:
        """Add a row, optionally saying where its spaces' media are.

        Args:
            row: A row made with this project's ontology.
            media: ``{space_id: path}``, or one path for a row with one space.

        Raises:
            LabelRowError: If the row has another ontology, or media names a space the row lacks.
        """
        if not isinstance(row, LabelRow):
            raise LabelRowError(f"add_row takes a LabelRow, got {type(row).__name__}.")
        if row.ontology is not self._ontology:
            raise LabelRowError(
                "The row was made with another ontology; make rows with project.ontology (or load them with it)."
            )
        if id(row) in self._ids:
            raise LabelRowError("The row is already in the project.")
        spaces = {s.space_id: s for s in row.list_spaces()}
        if isinstance(media, (str, os.PathLike)):
            if len(spaces) != 1:
                raise LabelRowError(f"One media path fits a row with one space; this row has {list(spaces)}.")
            media = {next(iter(spaces)): media}
        for space_id in media or {}:
            if space_id not in spaces:
                raise LabelRowError(f"media names space {space_id!r}, but the row's spaces are {list(spaces)}.")
        for space_id, path in (media or {}).items():
            spaces[space_id].media = os.fspath(path)
        self._rows.append(row)
        self._ids.add(id(row))  # rows are held, so their ids stay theirs
        return row

    def to_dict(self) -> dict[str, Any]:
        """The project as a JSON-ready dict: the ontology once, then the rows (native format)."""
        from labelspace.model.native import label_row_to_dict

        return {
            "format": FORMAT,
            "version": VERSION,
            "ontology": self._ontology.to_dict(),
            "rows": [label_row_to_dict(row, packed=False, with_ontology=False) for row in self._rows],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], ontology: Ontology | None = None) -> Project:
        """Build a project from ``to_dict``'s form; ``ontology``, if given, must match the file's.

        Raises:
            LabelRowError: Naming the row and field of the first malformed value.
        """
        from labelspace.model.errors import OntologyError
        from labelspace.model.native import label_row_from_dict, matching_ontology

        if not isinstance(d, Mapping) or d.get("format") != FORMAT:
            raise LabelRowError(f"format: expected {FORMAT!r}; is this a labelspace project?")
        if d.get("version") != VERSION:
            raise LabelRowError(f"version: this labelspace reads version {VERSION}, got {d.get('version')!r:.20}.")
        try:
            own = Ontology.from_dict(d.get("ontology", {}))
        except OntologyError as e:
            raise LabelRowError(e.message) from None
        own = matching_ontology(ontology, own)
        project = cls(own)
        rows = d.get("rows", [])
        if not isinstance(rows, list):
            raise LabelRowError("rows: expected a list of label rows.")
        for i, rd in enumerate(rows):
            if not isinstance(rd, Mapping):
                raise LabelRowError(f"rows[{i}]: expected a label row (an object), got {type(rd).__name__}.")
            try:
                project.add_row(label_row_from_dict({"format": "labelspace.label_row", "version": 1, **rd}, own))
            except LabelRowError as e:
                raise LabelRowError(f"rows[{i}].{e.message}") from None
        return project

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the project as native JSON (gzip if the name ends in ``.gz``)."""
        _wiring.use("save_project")(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike[str], ontology: Ontology | None = None) -> Project:
        """Read a project written by ``save``."""
        return _wiring.use("load_project")(path, ontology)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"Project({len(self._rows)} rows, {self._ontology!r})"
