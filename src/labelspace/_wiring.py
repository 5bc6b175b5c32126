"""Provides the model's file and media conveniences with the layers above it (see ``model._wiring``)."""

from __future__ import annotations

import os
from typing import Any

from labelspace.model import _wiring


def _save_label_row(row: Any, path: str | os.PathLike[str]) -> None:
    from labelspace.formats.native import save_label_row

    save_label_row(row, path)


def _load_label_row(path: str | os.PathLike[str], ontology: Any) -> Any:
    from labelspace.formats.native import load_label_row

    return load_label_row(path, ontology)


def _save_project(project: Any, path: str | os.PathLike[str]) -> None:
    from labelspace.formats.native import save_project

    save_project(project, path)


def _load_project(path: str | os.PathLike[str], ontology: Any) -> Any:
    from labelspace.formats.native import load_project

    return load_project(path, ontology)


def _open_media(path: str | os.PathLike[str]) -> Any:
    from labelspace.media import open_media

    return open_media(path)


_wiring.provide("save_label_row", _save_label_row)
_wiring.provide("load_label_row", _load_label_row)
_wiring.provide("save_project", _save_project)
_wiring.provide("load_project", _load_project)
_wiring.provide("open_media", _open_media)
