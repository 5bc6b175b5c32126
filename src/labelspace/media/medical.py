"""Medical volumes: DICOM (one multi-frame file, or a folder of slices) and NIfTI (the ``labelspace[medical]`` extra).

A volume's frames are its slices. ``frame(i)`` gives the slice windowed to uint8 for display;
``raw(i)`` gives the stored values after rescaling (Hounsfield units for CT); ``slice(axis, i)``
cuts the volume along any of its three axes. The window is ``(center, width)``: given when
opening (or set), else the file's own, else a robust range of the data. What the volumes share
(reformats, windows, value range) is in ``_volume``; this module reads the two formats.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.media._volume import Rescale, Spacing, VolumeSource, Window, apply_window
from labelspace.media.base import require
from labelspace.model.errors import MediaError

__all__ = ["DicomSource", "NiftiSource", "Window", "apply_window"]

CACHE_BYTES = 2 << 30
"""A DICOM series larger than this is not kept in memory: its reformats read every slice each time."""


def _values(value: Any) -> list[float]:
    """Every number of a DICOM value that may be multi-valued."""
    try:
        return [float(v) for v in value]
    except TypeError:
        return [float(value)]


def _find(dataset: Any, keyword: str, group: str, frame: int = 0) -> Any:
    """A DICOM attribute: at the top of the dataset, else in its shared functional groups, else in frame's own.

    Enhanced multi-frame files keep pixel spacing, windows, rescale and plane positions in
    functional group sequences (``group``, e.g. ``PixelMeasuresSequence``) instead of at the top.
    """
    value = getattr(dataset, keyword, None)
    if value not in (None, ""):
        return value
    for sequence, item in (("SharedFunctionalGroupsSequence", 0), ("PerFrameFunctionalGroupsSequence", frame)):
        groups = getattr(dataset, sequence, None)
        if not groups or item >= len(groups):
            continue
        found = getattr(groups[item], group, None)
        if found:
            value = getattr(found[0], keyword, None)
            if value not in (None, ""):
                return value
    return None


def _rescale_of(dataset: Any, frame: int = 0) -> tuple[float, float]:
    """``(slope, intercept)`` of a DICOM frame; ``(1, 0)`` where the file has none."""
    slope = _find(dataset, "RescaleSlope", "PixelValueTransformationSequence", frame)
    intercept = _find(dataset, "RescaleIntercept", "PixelValueTransformationSequence", frame)
    return (float(slope) if slope is not None and float(slope) != 0 else 1.0, float(intercept or 0))


def _normal(dataset: Any) -> npt.NDArray[np.float64]:
    """The direction slices step along: row direction x column direction (z when the file does not say)."""
    orientation = _find(dataset, "ImageOrientationPatient", "PlaneOrientationSequence")
    if orientation is not None and len(orientation) == 6:
        return np.cross(np.asarray(orientation[:3], float), np.asarray(orientation[3:], float))
    return np.array([0.0, 0.0, 1.0])


def _along(position: Any, normal: npt.NDArray[np.float64]) -> float | None:
    """Where a position (ImagePositionPatient) lies along the normal, or None without one."""
    if position is None or len(position) != 3:
        return None
    return float(np.dot(np.asarray(position, float), normal))


def _step(alongs: list[float | None]) -> float | None:
    """The distance between consecutive slices from their positions: the median step, if all are known."""
    if len(alongs) < 2 or any(a is None for a in alongs):
        return None
    steps = np.abs(np.diff(np.asarray(alongs, dtype=np.float64)))
    steps = steps[steps > 0]
    return float(np.median(steps)) if steps.size else None


def _positive(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = abs(float(value))
    except (TypeError, ValueError):
        return None
    return number if number > 0 and np.isfinite(number) else None


class DicomSource(VolumeSource):
    """A DICOM volume: a multi-frame file, a single-frame file, or a folder of slices sorted by position.

    A multi-frame file's frames keep the file's order; a folder's slices are sorted along the
    series' normal (then by InstanceNumber).

    Args:
        path: The file or folder.
        window: ``(center, width)`` for display; the file's WindowCenter/WindowWidth by default,
            else a robust range of the data.

    Attributes:
        dicom_modality: The file's Modality (``"CT"``, ``"MR"``, ...), or None; CT gets the CT presets.
    """

    modality = "dicom"

    def __init__(self, path: str | os.PathLike[str], window: Window | None = None) -> None:
        self._pydicom = require("pydicom", "DICOM files")
        super().__init__(path, window)
        if self.path.is_dir():
            headers = []
            for file in sorted(self.path.iterdir()):
                if not file.is_file():
                    continue
                try:
                    headers.append((file, self._pydicom.dcmread(file, stop_before_pixels=True)))
                except (self._pydicom.errors.InvalidDicomError, OSError):
                    continue
            if not headers:
                raise MediaError(f"{self.path}: the folder holds no DICOM files.")
            headers.sort(key=lambda item: self._slice_order(item[1]))
            self._files = [file for file, _ in headers]
            first = headers[0][1]
            self.number_of_frames = len(self._files)
            normal = _normal(first)
            alongs = [_along(getattr(h, "ImagePositionPatient", None), normal) for _, h in headers]
            rescales = [_rescale_of(h) for _, h in headers]
        else:
            first = self._dataset(self.path)
            self._files = []
            stack = self._stored_frames(first, self.path)
            self.number_of_frames = int(stack.shape[0])
            self._stack, self._stack_loaded = stack, True  # pydicom has read every frame already
            normal = _normal(first)
            per_frame = getattr(first, "PerFrameFunctionalGroupsSequence", None) or []
            alongs = [
                _along(_find(first, "ImagePositionPatient", "PlanePositionSequence", i), normal)
                for i in range(len(per_frame))
            ]
            rescales = [_rescale_of(first, i) for i in range(self.number_of_frames)]
        self.height, self.width = int(first.Rows), int(first.Columns)
        self._header = first
        self._rescale = Rescale([s for s, _ in rescales], [i for _, i in rescales])
        self._is_ct = str(getattr(first, "Modality", "")).upper() == "CT"
        self.dicom_modality: str | None = str(first.Modality) if getattr(first, "Modality", None) else None
        spacing = _find(first, "PixelSpacing", "PixelMeasuresSequence")
        rows, columns = (
            (_positive(v) for v in spacing[:2]) if spacing is not None and len(spacing) >= 2 else (None, None)
        )
        between = _step(alongs) if len(alongs) == self.number_of_frames else None
        if between is None:
            between = _positive(_find(first, "SpacingBetweenSlices", "PixelMeasuresSequence")) or _positive(
                _find(first, "SliceThickness", "PixelMeasuresSequence")
            )
        self._spacing: Spacing = (rows, columns, between)

    @staticmethod
    def _slice_order(header: Any) -> tuple[float, float]:
        """Where a slice lies along the series' normal (row x column direction), then its number."""
        along = _along(getattr(header, "ImagePositionPatient", None), _normal(header))
        return (along or 0.0, float(getattr(header, "InstanceNumber", 0) or 0))

    def _stored_frames(self, dataset: Any, file: Path) -> npt.NDArray[Any]:
        """A file's stored pixel values with the frames along axis 0 (one frame for a single-frame file)."""
        try:
            array: npt.NDArray[Any] = np.asarray(dataset.pixel_array)
        except Exception as e:  # pydicom raises several kinds for missing or compressed pixel data
            raise MediaError(f"{file}: cannot read the pixel data ({type(e).__name__}: {e}).") from None
        if int(getattr(dataset, "NumberOfFrames", 1) or 1) == 1:
            array = array[None]
        return array

    def _dataset(self, file: Path) -> Any:
        try:
            return self._pydicom.dcmread(file)
        except (self._pydicom.errors.InvalidDicomError, OSError) as e:
            raise MediaError(f"{file}: not a DICOM file pydicom can read ({e}).") from None

    def _read_file(self, index: int) -> npt.NDArray[Any]:
        file = self._files[index]
        frame: npt.NDArray[Any] = self._stored_frames(self._dataset(file), file)[0]
        if frame.shape[:2] != (self.height, self.width):
            raise MediaError(
                f"{file}: slice {index} of {self.path} is {frame.shape[1]}x{frame.shape[0]}, "
                f"but the series' slices are {self.width}x{self.height}."
            )
        return frame

    def _load_stack(self) -> npt.NDArray[Any] | None:
        if not self._files:
            return self._stored_frames(self._dataset(self.path), self.path)
        bits = int(getattr(self._header, "BitsAllocated", 16) or 16)
        samples = int(getattr(self._header, "SamplesPerPixel", 1) or 1)
        if self.number_of_frames * self.height * self.width * samples * max(bits // 8, 1) > CACHE_BYTES:
            return None
        return np.stack([self._read_file(i) for i in range(self.number_of_frames)])

    def _read_frame(self, index: int) -> npt.NDArray[Any]:
        with self._lock:
            stack = self._stack
        if stack is not None or not self._files:
            return super()._read_frame(index)
        return self._read_file(index)

    def _file_windows(self) -> list[Window]:
        centers = _find(self._header, "WindowCenter", "FrameVOILUTSequence")
        widths = _find(self._header, "WindowWidth", "FrameVOILUTSequence")
        if centers is None or widths is None:
            return []
        return [(c, w) for c, w in zip(_values(centers), _values(widths), strict=False) if w > 0]

    @property
    def spacing(self) -> Spacing:
        """``(row spacing, column spacing, slice spacing)`` in mm; None where the file does not say.

        Rows and columns from PixelSpacing; slices from the slices' positions along the normal (the
        median step), else SpacingBetweenSlices, else SliceThickness.
        """
        return self._spacing


class NiftiSource(VolumeSource):
    """A NIfTI volume (.nii, .nii.gz), sliced along one axis (the first volume of a 4-d series).

    Frame ``i`` holds the voxels whose index along ``axis`` is ``i``; its columns run along the
    first remaining voxel axis and its rows along the second, the last row at the top.

    Args:
        path: The file.
        axis: The axis whose index is the frame number (2, the last spatial axis, by default).
        window: ``(center, width)`` for display; the header's cal_min/cal_max when set, else a
            robust range of the data.
    """

    modality = "nifti"

    def __init__(self, path: str | os.PathLike[str], axis: int = 2, window: Window | None = None) -> None:
        nibabel = require("nibabel", "NIfTI volumes")
        super().__init__(path, window)
        try:
            self._image = nibabel.load(str(self.path))
        except Exception as e:  # nibabel raises ImageFileError, OSError, EOFError, ...
            raise MediaError(f"{self.path}: not a NIfTI volume nibabel can read ({e}).") from None
        shape = self._image.shape
        if len(shape) < 3:
            raise MediaError(f"{self.path}: a volume needs three dimensions, this one has shape {shape}.")
        if isinstance(axis, bool) or axis not in (0, 1, 2):
            raise MediaError(f"{self.path}: axis must be 0, 1 or 2, got {axis!r}.")
        self.axis = axis
        self._across, self._up = (i for i in range(3) if i != axis)
        self.width, self.height = int(shape[self._across]), int(shape[self._up])
        self.number_of_frames = int(shape[axis])
        self.affine = np.asarray(self._image.affine)
        data = self._image.dataobj
        slope, inter = float(getattr(data, "slope", 1.0)), float(getattr(data, "inter", 0.0))
        self._rescale = Rescale([slope] * self.number_of_frames, [inter] * self.number_of_frames)
        header = self._image.header
        zooms = [float(z) for z in header.get_zooms()[:3]]
        unit = {"meter": 1000.0, "micron": 0.001}.get(header.get_xyzt_units()[0], 1.0)
        row, column, between = (_positive(zooms[i] * unit) for i in (self._up, self._across, axis))
        self._spacing: Spacing = (row, column, between)
        low, high = float(header["cal_min"]), float(header["cal_max"])
        self._calibration: list[Window] = (
            [((low + high) / 2, high - low)] if np.isfinite(low) and np.isfinite(high) and high > low else []
        )

    def _load_stack(self) -> npt.NDArray[Any]:
        data = self._image.dataobj
        stored = np.asanyarray(data.get_unscaled() if hasattr(data, "get_unscaled") else data)
        if stored.ndim > 3:  # the first volume of a 4-d series, copied so that the others are let go
            stored = np.array(stored[(slice(None),) * 3 + (0,) * (stored.ndim - 3)])
        stack: npt.NDArray[Any] = np.flip(np.transpose(stored, (self.axis, self._up, self._across)), axis=1)
        return stack

    def _file_windows(self) -> list[Window]:
        return list(self._calibration)

    @property
    def spacing(self) -> Spacing:
        """``(row spacing, column spacing, slice spacing)`` in mm from the header's voxel sizes (pixdim).

        Sizes in metres or microns are converted; sizes without a unit are taken as millimetres.
        """
        return self._spacing
