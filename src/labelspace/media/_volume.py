"""What a volume offers beyond its frames: reformats along its other two axes, voxel spacing, windows.

A volume's values ``V`` are indexed ``[frame, row, column]``, shape ``(number_of_frames, height, width)``;
frame ``i`` is ``raw(i)``, the image its space labels. ``slice(axis, index)`` cuts the volume:

- axis 0, at frame ``i``: shape ``(height, width)``, equal to ``raw(i)``;
- axis 1, at row ``r``: ``V[:, r, :]``, shape ``(number_of_frames, width)``: image row ``k`` is
  row ``r`` of frame ``k``, image columns are the frames' columns;
- axis 2, at column ``c``: ``V[:, :, c]``, shape ``(number_of_frames, height)``: image row ``k``
  is column ``c`` of frame ``k``, image column ``j`` is the frames' row ``j``.

For an axial series axis 1 is the coronal view and axis 2 the sagittal view. Row ``k`` of a
reformat is always frame ``k``, so a label on frame ``k`` cuts the reformats on their row ``k``; a
viewer that wants the head at the top flips the reformats when it paints them, not in the data.

Values are the stored values after rescaling (DICOM RescaleSlope / RescaleIntercept, NIfTI
scl_slope / scl_inter): the stored values as they are where every slope is 1 and every intercept
0; int32 (int64 if it must) where the slopes, intercepts and stored values are all integers; float64
otherwise. The dtype is the same for every slice of a volume. The stored values are read once into
one array kept in their stored dtype (a 512x512x500 int16 CT is 256 MB) and released by ``close()``;
a DICOM series larger than ``medical.CACHE_BYTES`` is read slice by slice for each reformat instead.

A window is ``(center, width)``; ``apply_window`` gives its formula.
"""

from __future__ import annotations

import math
import os
import threading
from abc import abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.media.base import MediaSource
from labelspace.model.errors import MediaError

Window = tuple[float, float]
"""``(center, width)`` of a display window, in the volume's (rescaled) values."""

Spacing = tuple[float | None, float | None, float | None]
"""``(row spacing, column spacing, slice spacing)`` in millimetres; None where the file does not say."""

CT_PRESETS: dict[str, Window] = {
    "brain": (40.0, 80.0),
    "subdural": (75.0, 215.0),
    "stroke": (40.0, 40.0),
    "lung": (-600.0, 1500.0),
    "mediastinum": (50.0, 350.0),
    "abdomen": (50.0, 400.0),
    "liver": (30.0, 150.0),
    "bone": (400.0, 1800.0),
}
"""The usual CT windows, in Hounsfield units."""

ROBUST_PERCENTILES = (0.5, 99.5)
"""The data window spans these percentiles of the values."""

SAMPLE_FRAMES = 16
"""Frames (evenly spread) that the data window is computed from."""

SAMPLE_VALUES = 1 << 20
"""Values, at most, that the data window's percentiles are taken over."""

AXES = {0: "frame", 1: "row", 2: "column"}


def apply_window(values: npt.ArrayLike, window: Window | None) -> npt.NDArray[np.uint8]:
    """Map values to 0..255 through a window; the browser paints slices with the same formula.

    With ``low = center - width / 2``, each value ``v`` becomes::

        t = (v - low) / width          # in float64 (a JavaScript Number)
        t = min(max(t, 0), 1)          # NaN stays NaN
        pixel = floor(t * 255 + 0.5)   # Math.round(t * 255) in JavaScript; NaN gives 0

    It is the reference for the browser's pixels: apply it to decoded slices
    (``widget._volume.decode_slice``; float slices travel as float32). A float32 computation (a GPU
    shader) may differ by one where ``t * 255`` falls on a half, and a ``Uint8ClampedArray`` rounds
    halves to even: store integers into it.

    Args:
        values: The values (any shape, any numeric dtype).
        window: ``(center, width)``; None spans the values' own minimum and maximum.

    Returns:
        uint8 of the values' shape; all 0 when the width is not positive.
    """
    array = np.asarray(values, dtype=np.float64)
    if window is None:
        finite = array[np.isfinite(array)]
        if finite.size == 0:
            return np.zeros(array.shape, np.uint8)
        low, width = float(finite.min()), float(finite.max()) - float(finite.min())
    else:
        center, width = window
        low = center - width / 2
    if not width > 0:
        return np.zeros(array.shape, np.uint8)
    t = np.nan_to_num(np.clip((array - low) / width, 0.0, 1.0), nan=0.0)
    return np.floor(t * 255 + 0.5).astype(np.uint8)


def check_window(window: object, path: Path) -> Window | None:
    """A window given by the user as ``(center, width)``, or None."""
    if window is None:
        return None
    try:
        center, width = (float(v) for v in window)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise MediaError(f"{path}: window must be (center, width), got {window!r}.") from None
    if not (math.isfinite(center) and math.isfinite(width)):
        raise MediaError(f"{path}: a window's center and width must be finite, got ({center}, {width}).")
    if width <= 0:
        raise MediaError(f"{path}: a window's width must be positive, got {width}.")
    return center, width


def robust_window(samples: Sequence[npt.NDArray[Any]]) -> Window:
    """The window spanning ``ROBUST_PERCENTILES`` of the finite values in ``samples``.

    Falls back to the values' full range when the percentiles meet, and to a width of 1 around a
    single value (a constant volume); ``(0, 1)`` when there is no finite value at all.
    """
    values = np.concatenate([np.ravel(s) for s in samples]) if samples else np.zeros(0)
    if values.dtype.kind == "f":
        values = values[np.isfinite(values)]
    if values.size == 0:
        return (0.0, 1.0)
    values = values[:: max(1, values.size // SAMPLE_VALUES)]
    low, high = (float(p) for p in np.percentile(values, ROBUST_PERCENTILES))
    if high <= low:
        low, high = float(values.min()), float(values.max())
    if high <= low:
        return (low, 1.0)
    return ((low + high) / 2, high - low)


def _extremes(values: npt.NDArray[Any]) -> tuple[float, float] | None:
    """Smallest and largest finite value, or None."""
    if values.dtype.kind == "f":
        values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    return float(values.min()), float(values.max())


class Rescale:
    """Per-frame slope and intercept, applied the same way to a frame and to a reformat.

    Args:
        slopes: One slope per frame.
        intercepts: One intercept per frame.
    """

    def __init__(self, slopes: Sequence[float], intercepts: Sequence[float]) -> None:
        self.slopes = np.asarray(slopes, dtype=np.float64)
        self.intercepts = np.asarray(intercepts, dtype=np.float64)
        self.identity = bool(np.all(self.slopes == 1) and np.all(self.intercepts == 0))
        both = np.concatenate([self.slopes, self.intercepts])
        self.integral = bool(np.all(np.isfinite(both)) and np.all(both == np.round(both)))

    def dtype(self, stored: np.dtype[Any]) -> np.dtype[Any]:
        """The dtype of rescaled values whose stored values have dtype ``stored``, for the whole volume."""
        if self.identity:
            return stored
        if self.integral and stored.kind in "iub":
            info = np.iinfo(stored) if stored.kind != "b" else np.iinfo(np.uint8)
            ends = np.concatenate([self.slopes * info.min, self.slopes * info.max]) + np.tile(self.intercepts, 2)
            for candidate in (np.int32, np.int64):
                limits = np.iinfo(candidate)
                if ends.min() >= limits.min and ends.max() <= limits.max:
                    return np.dtype(candidate)
        return np.dtype(np.float64)

    def apply(self, stored: npt.NDArray[Any], frame: int | None) -> npt.NDArray[Any]:
        """Rescaled values, a new array.

        Args:
            stored: Stored values: of frame ``frame``, or (``frame`` None) with the frames along axis 0.
            frame: The frame the values are from; None for values of every frame.
        """
        dtype = self.dtype(stored.dtype).newbyteorder("=")
        out = np.array(stored, dtype=dtype)
        if self.identity:
            return out
        if frame is None:
            shape = (-1,) + (1,) * (stored.ndim - 1)
            slope, intercept = self.slopes.reshape(shape), self.intercepts.reshape(shape)
        else:
            slope, intercept = self.slopes[frame], self.intercepts[frame]
        out *= np.asarray(slope).astype(dtype)
        out += np.asarray(intercept).astype(dtype)
        return out

    def ends(self, frame: int, low: float, high: float) -> tuple[float, float]:
        """The rescaled values of a frame's stored ``low`` and ``high``, smaller first."""
        a = low * self.slopes[frame] + self.intercepts[frame]
        b = high * self.slopes[frame] + self.intercepts[frame]
        return (float(min(a, b)), float(max(a, b)))


class VolumeSource(MediaSource):
    """A stack of slices: frames for labelling, reformats for the other two views, windows for display.

    Subclasses set ``width``, ``height``, ``number_of_frames`` and ``_rescale``, and say how the stored
    values are read (``_load_stack``, optionally ``_read_frame``), what windows the file names
    (``_file_windows``) and the voxel spacing (``spacing``).

    Args:
        path: The file or folder.
        window: ``(center, width)`` for display; ``default_window`` when None.
    """

    kind = "medical"
    modality: str
    _rescale: Rescale
    _is_ct = False

    def __init__(self, path: str | os.PathLike[str], window: Window | None) -> None:
        self.path = Path(path)
        self._given_window = check_window(window, self.path)
        self._lock = threading.Lock()
        self._stack_loaded = False
        self._stack: npt.NDArray[Any] | None = None
        self._data_window: Window | None = None
        self._value_range: tuple[float, float] | None = None

    # What a subclass says about its file.

    @abstractmethod
    def _load_stack(self) -> npt.NDArray[Any] | None:
        """Every frame's stored values, ``[frame, row, column]``; None when too large to keep."""

    def _read_frame(self, index: int) -> npt.NDArray[Any]:
        """Frame ``index``'s stored values (from the kept stack unless a subclass can read one frame)."""
        stack = self._stored_stack()
        if stack is None:  # pragma: no cover - a subclass that may refuse a stack reads frames itself
            raise MediaError(f"{self.path}: frame {index} cannot be read without reading the whole volume.")
        frame: npt.NDArray[Any] = stack[index]
        return frame

    def _file_windows(self) -> list[Window]:
        """The windows the file names, its preferred first."""
        return []

    @property
    @abstractmethod
    def spacing(self) -> Spacing:
        """``(row spacing, column spacing, slice spacing)`` in millimetres; None where the file does not say.

        Row spacing is the distance between a frame's rows (a pixel's height), column spacing between
        its columns (a pixel's width), slice spacing between consecutive frames.
        """

    # The shared API.

    @property
    def shape(self) -> tuple[int, int, int]:
        """``(number_of_frames, height, width)``: the extent of axes 0, 1 and 2 of ``slice``."""
        return (self.number_of_frames, self.height, self.width)

    def raw(self, index: int) -> npt.NDArray[Any]:
        """Frame ``index``'s values after rescale slope and intercept (Hounsfield units for CT), HxW.

        Raises:
            MediaError: If ``index`` is not a frame of the volume.
        """
        index = self._check_index(index)
        return self._rescale.apply(self._read_frame(index), index)

    def slice(self, axis: int, index: int) -> npt.NDArray[Any]:
        """The volume's values cut at ``index`` along ``axis``, at full precision (see the module's table).

        ``slice(0, i)`` is ``raw(i)``; ``slice(1, r)`` is row ``r`` of every frame, shape
        ``(number_of_frames, width)``; ``slice(2, c)`` is column ``c`` of every frame, shape
        ``(number_of_frames, height)``. The first reformat reads the whole volume once and keeps it.

        Raises:
            MediaError: If ``axis`` is not 0, 1 or 2, or ``index`` is outside the axis.
        """
        axis = self._check_axis(axis)
        if axis == 0:
            return self.raw(index)
        index = self._check_position(axis, index)
        stack = self._stored_stack()
        if stack is not None:
            stored = stack[:, index] if axis == 1 else stack[:, :, index]
        else:
            cuts = [self._read_frame(i) for i in range(self.number_of_frames)]
            stored = np.stack([cut[index] if axis == 1 else cut[:, index] for cut in cuts])
        return self._rescale.apply(stored, None)

    def frame(self, index: int) -> npt.NDArray[np.uint8]:
        """Frame ``index`` windowed to uint8 through ``window`` (RGB frames are returned as they are)."""
        values = self.raw(index)
        if values.ndim == 3:
            return np.asarray(values, dtype=np.uint8)
        return apply_window(values, self.window)

    @property
    def window(self) -> Window:
        """``(center, width)`` that ``frame`` applies: the one given (when opening, or set), else ``default_window``.

        Set it to a ``(center, width)`` pair, or to None for the default again.
        """
        return self._given_window or self.default_window

    @window.setter
    def window(self, window: Window | None) -> None:
        self._given_window = check_window(window, self.path)

    @property
    def default_window(self) -> Window:
        """The file's window (DICOM WindowCenter/WindowWidth, NIfTI cal_min/cal_max), else ``presets()["auto"]``."""
        named = self._file_windows()
        return named[0] if named else self._auto_window()

    def presets(self) -> dict[str, Window]:
        """Named windows that fit the volume, in the order a menu would list them.

        ``"file"`` (then ``"file 2"``, ...) for each window the file names; ``"auto"``, the range
        between the 0.5th and 99.5th percentile of values sampled from ``SAMPLE_FRAMES`` frames;
        and for CT, ``CT_PRESETS`` (brain 40/80, lung -600/1500, bone 400/1800, ...).
        """
        presets: dict[str, Window] = {}
        for number, window in enumerate(self._file_windows(), start=1):
            presets["file" if number == 1 else f"file {number}"] = window
        presets["auto"] = self._auto_window()
        if self._is_ct:
            presets.update(CT_PRESETS)
        return presets

    @property
    def value_range(self) -> tuple[float, float]:
        """The smallest and largest (finite, rescaled) value in the volume; ``(0.0, 0.0)`` when there is none.

        Computed once, from the stored values of every frame (a DICOM series is read whole for it).
        """
        if self._value_range is None:
            stack = self._stored_stack()
            low, high = math.inf, -math.inf
            for i in range(self.number_of_frames):
                stored = stack[i] if stack is not None else self._read_frame(i)
                found = _extremes(stored)
                if found is not None:
                    a, b = self._rescale.ends(i, *found)
                    low, high = min(low, a), max(high, b)
            self._value_range = (low, high) if low <= high else (0.0, 0.0)
        return self._value_range

    def aspect(self, axis: int) -> float:
        """Height over width of one pixel of ``slice(axis, ...)``, from ``spacing``; 1.0 where it is not known.

        A viewer scales the slice's image this much vertically to show it in true proportions.
        """
        axis = self._check_axis(axis)
        rows, columns, frames = self.spacing
        vertical, horizontal = {0: (rows, columns), 1: (frames, columns), 2: (frames, rows)}[axis]
        if vertical is None or horizontal is None:
            return 1.0
        return vertical / horizontal

    def close(self) -> None:
        """Release the kept volume; reading again reads the file again."""
        with self._lock:
            self._stack, self._stack_loaded = None, False

    # Helpers.

    def _stored_stack(self) -> npt.NDArray[Any] | None:
        with self._lock:
            if not self._stack_loaded:
                self._stack = self._load_stack()
                self._stack_loaded = True
            return self._stack

    def _auto_window(self) -> Window:
        if self._data_window is None:
            count = min(self.number_of_frames, SAMPLE_FRAMES)
            frames = sorted({round(f) for f in np.linspace(0, self.number_of_frames - 1, count)})
            self._data_window = robust_window([self.raw(i) for i in frames])
        return self._data_window

    def _check_axis(self, axis: int) -> int:
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or axis not in AXES:
            raise MediaError(f"{self.path}: axis must be 0 (frames), 1 (rows) or 2 (columns), got {axis!r}.")
        return int(axis)

    def _check_position(self, axis: int, index: int) -> int:
        size = self.shape[axis]
        what = AXES[axis]
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise MediaError(f"{self.path}: a {what} index must be an int, got {type(index).__name__}.")
        if not 0 <= index < size:
            raise MediaError(
                f"{self.path}: {what} {index} is outside 0..{size - 1} (axis {axis} of shape {self.shape})."
            )
        return int(index)
