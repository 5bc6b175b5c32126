"""What every media reader offers, and how a reader is chosen for a path."""

from __future__ import annotations

import importlib
import os
from abc import ABC, abstractmethod
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from labelspace.model.errors import MediaError, MissingExtraError

MediaKind = Literal["image", "video", "medical"]
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".avi", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg"}
_EXTRAS = {"av": "video", "pydicom": "medical", "nibabel": "medical"}


def require(module: str, what: str) -> ModuleType:
    """Import an optional dependency, or say which extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = _EXTRAS.get(module, module)
        raise MissingExtraError(
            f"Reading {what} needs the '{module}' package: pip install 'labelspace[{extra}]'."
        ) from None


class MediaSource(ABC):
    """A readable image, video or volume; frames are numpy arrays.

    Attributes:
        path: Where the media is.
        kind: ``"image"``, ``"video"`` or ``"medical"``.
        width: Frame width in pixels.
        height: Frame height in pixels.
        number_of_frames: 1 for an image.
    """

    kind: MediaKind
    path: Path
    width: int
    height: int
    number_of_frames: int

    @abstractmethod
    def frame(self, index: int) -> npt.NDArray[np.uint8]:
        """Frame ``index`` as uint8: HxWx3 RGB for images and videos, HxW (windowed) for volumes."""

    def close(self) -> None:  # noqa: B027 - most readers hold no file open between reads
        """Release the file; reading again reopens it."""

    def wait_for_index(self, timeout: float | None = None) -> bool:
        """Wait until ``number_of_frames`` is exact; True when it is.

        Only a long video is counted after it opens (``VideoSource`` numbers its frames on a
        background thread); every other source knows its frames when it opens.
        """
        return True

    def _check_index(self, index: int) -> int:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise MediaError(f"{self.path}: a frame index must be an int, got {type(index).__name__}.")
        if not 0 <= index < self.number_of_frames:
            raise MediaError(f"{self.path}: frame {index} is outside 0..{self.number_of_frames - 1}.")
        return int(index)

    def __enter__(self) -> MediaSource:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r}, {self.width}x{self.height}, frames={self.number_of_frames})"


def _is_dicom_file(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(132)[128:132] == b"DICM"
    except OSError:
        return False


def media_kind(path: str | os.PathLike[str]) -> str:
    """Guess what a path holds: ``"image"``, ``"video"``, ``"dicom"`` or ``"nifti"``.

    Raises:
        MediaError: If the path does not exist or holds nothing readable.
    """
    p = Path(path)
    if not p.exists():
        raise MediaError(f"{p}: no such file or folder.")
    name = p.name.lower()
    if p.is_dir():
        if any(_is_dicom_file(f) or f.suffix.lower() == ".dcm" for f in sorted(p.iterdir()) if f.is_file()):
            return "dicom"
        raise MediaError(f"{p}: a folder is read as a DICOM series, but it holds no DICOM files.")
    if name.endswith((".nii", ".nii.gz")):
        return "nifti"
    if p.suffix.lower() == ".dcm" or _is_dicom_file(p):
        return "dicom"
    if p.suffix.lower() in IMAGE_SUFFIXES:
        return "image"
    if p.suffix.lower() in VIDEO_SUFFIXES:
        return "video"
    raise MediaError(
        f"{p}: cannot tell what this file holds from its name; expected an image ({sorted(IMAGE_SUFFIXES)}), "
        f"a video ({sorted(VIDEO_SUFFIXES)}), a DICOM file or folder, or a NIfTI volume (.nii, .nii.gz)."
    )


def open_media(path: str | os.PathLike[str], **options: Any) -> MediaSource:
    """Open an image, video, DICOM file or folder, or NIfTI volume.

    Args:
        path: The file (or, for a DICOM series, the folder).
        options: Passed to the reader: ``window=(center, width)`` for volumes, ``axis`` for NIfTI.
    """
    kind = media_kind(path)
    if kind == "image":
        from labelspace.media.image import ImageSource

        return ImageSource(path)
    if kind == "video":
        from labelspace.media.video import VideoSource

        return VideoSource(path)
    if kind == "dicom":
        from labelspace.media.medical import DicomSource

        return DicomSource(path, **options)
    from labelspace.media.medical import NiftiSource

    return NiftiSource(path, **options)
