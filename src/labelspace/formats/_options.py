"""How a file is read and written: the options ``load`` and ``save`` pass to every format."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labelspace.formats._reading import DEFAULT_LIMITS, Limits
from labelspace.model.ontology import Ontology


@dataclass(frozen=True)
class ReadOptions:
    """How to read a file.

    Attributes:
        ontology: The ontology the labels use (the file's own, or one built from it, when None).
        media: The folder media paths in the file are relative to (the file's folder when None);
            formats that take image sizes from the images look there.
        allow_outside_media: Keep media paths that leave the media root (absolute paths, ``..``).
        limits: Sizes a file may declare.
        dataset: For a COCO results file: the COCO dataset whose images the detections are on.
        ontology_file: For Encord: the ontology JSON (``<name>.ontology.json`` beside the file when None).
    """

    ontology: Ontology | None = None
    media: Path | None = None
    allow_outside_media: bool = False
    limits: Limits = DEFAULT_LIMITS
    dataset: Path | None = None
    ontology_file: Path | None = None

    def media_root(self, path: Path) -> Path:
        """Where media paths of the file at ``path`` are relative to."""
        if self.media is not None:
            return self.media
        return path if path.is_dir() else path.parent

    def reading(self, path: Path) -> dict[str, Any]:
        """The keyword arguments every format's reader takes: the media root, whether paths may leave it, limits."""
        return {"media": self.media_root(path), "allow_outside_media": self.allow_outside_media, "limits": self.limits}


@dataclass(frozen=True)
class WriteOptions:
    """How to write a file.

    Attributes:
        overwrite: Replace a non-empty output folder whole (folder formats refuse one otherwise).
        layout: For Encord: the label-row layout to write (see ``labelspace.formats.encord``).
        progress: Show a progress bar on long exports.
        media: The folder the project's relative media paths are relative to; formats whose image
            paths are relative to the labels file (LabelMe) write them to reach the images there.
    """

    overwrite: bool = False
    layout: str | None = None
    progress: bool = True
    media: Path | None = None
