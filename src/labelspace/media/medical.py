"""Medical volumes: DICOM (one multi-frame file, or a folder of slices) and NIfTI (the ``labelspace[medical]`` extra).

A volume's frames are its slices. ``frame(i)`` gives the slice windowed to uint8 for display;
``raw(i)`` gives the stored values after rescaling (Hounsfield units for CT). The window is
``(center, width)``: given when opening, else the file's own, else the slice's range.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.media.base import MediaSource, require
from labelspace.model.errors import MediaError

Window = tuple[float, float]


def apply_window(values: npt.NDArray[Any], window: Window | None) -> npt.NDArray[np.uint8]:
    """Map values to 0..255: ``center - width/2`` and below to 0, ``center + width/2`` and above to 255."""
    values = np.asarray(values, dtype=np.float64)
    if window is None:
        low, high = float(values.min()), float(values.max())
    else:
        center, width = window
        low, high = center - width / 2, center + width / 2
    if high <= low:
        return np.zeros(values.shape, np.uint8)
    return (np.clip((values - low) / (high - low), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def _check_window(window: object, path: Path) -> Window | None:
    if window is None:
        return None
    try:
        center, width = (float(v) for v in window)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise MediaError(f"{path}: window must be (center, width), got {window!r}.") from None
    if width <= 0:
        raise MediaError(f"{path}: a window's width must be positive, got {width}.")
    return center, width


def _first(value: Any) -> float:
    """The first of a DICOM value that may be multi-valued."""
    try:
        return float(value[0])
    except TypeError:
        return float(value)


class DicomSource(MediaSource):
    """A DICOM volume: a multi-frame file, a single-frame file, or a folder of slices sorted by position.

    Args:
        path: The file or folder.
        window: ``(center, width)`` for display; the file's WindowCenter/WindowWidth by default.
    """

    kind = "medical"
    modality = "dicom"

    def __init__(self, path: str | os.PathLike[str], window: Window | None = None) -> None:
        self._pydicom = require("pydicom", "DICOM files")
        self.path = Path(path)
        self._given_window = _check_window(window, self.path)
        errors = self._pydicom.errors.InvalidDicomError
        if self.path.is_dir():
            headers = []
            for file in sorted(self.path.iterdir()):
                if not file.is_file():
                    continue
                try:
                    headers.append((file, self._pydicom.dcmread(file, stop_before_pixels=True)))
                except (errors, OSError):
                    continue
            if not headers:
                raise MediaError(f"{self.path}: the folder holds no DICOM files.")
            headers.sort(key=lambda item: self._slice_order(item[1]))
            self._files = [file for file, _ in headers]
            first = headers[0][1]
            self.number_of_frames = len(self._files)
            self._volume: npt.NDArray[Any] | None = None
        else:
            try:
                first = self._pydicom.dcmread(self.path)
            except (errors, OSError) as e:
                raise MediaError(f"{self.path}: not a DICOM file pydicom can read ({e}).") from None
            self._files = []
            self._volume = self._pixels(first)
            frames = int(getattr(first, "NumberOfFrames", 1) or 1)
            if frames == 1:
                self._volume = self._volume[None]
            self.number_of_frames = int(self._volume.shape[0])
        self.height, self.width = int(first.Rows), int(first.Columns)
        self._header = first
        self.window = self._given_window or self._file_window(first)

    @staticmethod
    def _slice_order(header: Any) -> tuple[float, float]:
        """Where a slice lies along the series' normal (row x column direction), then its number."""
        position = getattr(header, "ImagePositionPatient", None)
        orientation = getattr(header, "ImageOrientationPatient", None)
        if position is not None and len(position) == 3:
            normal = (
                np.cross(np.asarray(orientation[:3], float), np.asarray(orientation[3:], float))
                if orientation is not None and len(orientation) == 6
                else np.array([0.0, 0.0, 1.0])
            )
            along = float(np.dot(np.asarray(position, float), normal))
        else:
            along = 0.0
        return (along, float(getattr(header, "InstanceNumber", 0) or 0))

    def _pixels(self, dataset: Any) -> npt.NDArray[Any]:
        try:
            array: npt.NDArray[Any] = np.asarray(dataset.pixel_array)
        except Exception as e:  # pydicom raises several kinds for missing or compressed pixel data
            raise MediaError(f"{self.path}: cannot read the pixel data ({type(e).__name__}: {e}).") from None
        slope = float(getattr(dataset, "RescaleSlope", 1) or 1)
        intercept = float(getattr(dataset, "RescaleIntercept", 0) or 0)
        if slope != 1 or intercept != 0:
            return array.astype(np.float64) * slope + intercept
        return array

    @staticmethod
    def _file_window(header: Any) -> Window | None:
        center = getattr(header, "WindowCenter", None)
        width = getattr(header, "WindowWidth", None)
        if center is None or width is None:
            return None
        return (_first(center), _first(width))

    def raw(self, index: int) -> npt.NDArray[Any]:
        """Slice ``index``'s values after rescale slope and intercept."""
        index = self._check_index(index)
        if self._volume is not None:
            return np.asarray(self._volume[index])
        return self._pixels(self._pydicom.dcmread(self._files[index]))

    def frame(self, index: int) -> npt.NDArray[np.uint8]:
        """Slice ``index`` windowed to uint8 (RGB slices are returned as they are)."""
        values = self.raw(index)
        if values.ndim == 3:
            return np.asarray(values, dtype=np.uint8)
        return apply_window(values, self.window)


class NiftiSource(MediaSource):
    """A NIfTI volume (.nii, .nii.gz), sliced along one axis.

    Args:
        path: The file.
        axis: The axis whose index is the frame number (2, the last spatial axis, by default).
        window: ``(center, width)`` for display; the volume's range by default.
    """

    kind = "medical"
    modality = "nifti"

    def __init__(self, path: str | os.PathLike[str], axis: int = 2, window: Window | None = None) -> None:
        nibabel = require("nibabel", "NIfTI volumes")
        self.path = Path(path)
        try:
            self._image = nibabel.load(str(self.path))
        except Exception as e:  # nibabel raises ImageFileError, OSError, EOFError, ...
            raise MediaError(f"{self.path}: not a NIfTI volume nibabel can read ({e}).") from None
        shape = self._image.shape
        if len(shape) < 3:
            raise MediaError(f"{self.path}: a volume needs three dimensions, this one has shape {shape}.")
        if axis not in (0, 1, 2):
            raise MediaError(f"{self.path}: axis must be 0, 1 or 2, got {axis!r}.")
        self.axis = axis
        rest = [d for i, d in enumerate(shape[:3]) if i != axis]
        # A slice is shown with its first remaining axis across and its second upwards.
        self.width, self.height = int(rest[0]), int(rest[1])
        self.number_of_frames = int(shape[axis])
        self.affine = np.asarray(self._image.affine)
        given = _check_window(window, self.path)
        if given is None:
            data = np.asarray(self._image.dataobj)
            given = ((float(data.min()) + float(data.max())) / 2, max(float(data.max()) - float(data.min()), 1e-9))
        self.window = given

    def raw(self, index: int) -> npt.NDArray[Any]:
        """Slice ``index``'s stored values (scaled as the file says), HxW."""
        index = self._check_index(index)
        slicer: list[Any] = [slice(None)] * len(self._image.shape)
        slicer[self.axis] = index
        for extra in range(3, len(self._image.shape)):
            slicer[extra] = 0  # the first volume of a 4-d series
        values = np.asarray(self._image.dataobj[tuple(slicer)])
        flipped: npt.NDArray[Any] = np.flipud(values.T)
        return flipped

    def frame(self, index: int) -> npt.NDArray[np.uint8]:
        """Slice ``index`` windowed to uint8."""
        return apply_window(self.raw(index), self.window)
