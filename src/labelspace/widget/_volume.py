"""Slices of a volume for the browser: their values at full bit depth in one binary buffer, windowed there.

A slice goes as one message: a JSON-ready header and one buffer. The buffer holds the slice's
values row by row (row 0 first), little-endian, in the narrowest of three types that holds them
exactly: int16 when every value is an integer in -32768..32767, else uint16 when every value is an
integer in 0..65535, else float32. Values are the volume's rescaled values (Hounsfield units for
CT), so that the browser applies the window itself (``labelspace.media._volume.apply_window`` is the formula to match).

The header::

    {"dtype": "int16" | "uint16" | "float32",
     "width": columns, "height": rows,       # of this slice: a reformat is (number_of_frames x width or height)
     "axis": 0 | 1 | 2, "index": i,          # as in VolumeSource.slice (axis 0: frames, 1: rows, 2: columns)
     "min": smallest finite value, "max": largest (None when there is none),
     "encoding": "zlib" | "raw"}            # zlib: decompress first (DecompressionStream("deflate"))

``describe_volume`` gives what the browser needs once per volume (shape, aspect of each view,
value range, windows).
"""

from __future__ import annotations

import zlib
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from labelspace.media._volume import VolumeSource, Window
from labelspace.model.errors import MediaError

SliceDtype = Literal["int16", "uint16", "float32"]

MAX_BUFFER_BYTES = 3 << 20
"""A slice's buffer stays below this (JupyterLab refuses websocket messages above about 10 MB)."""

ZLIB_LEVEL = 1
"""Level 1 takes a 512x512 CT slice from 512 KiB to about 240 KiB in about 9 ms; level 6 saves 3 % more, 2-7x slower."""

KEEP_COMPRESSED = 0.9
"""The compressed buffer is sent only when at most this fraction of the raw one."""

_WIRE: dict[str, np.dtype[Any]] = {"int16": np.dtype("<i2"), "uint16": np.dtype("<u2"), "float32": np.dtype("<f4")}


def wire_values(values: npt.ArrayLike) -> tuple[SliceDtype, npt.NDArray[Any]]:
    """The type a slice travels as, and its values in that type (little-endian).

    int16 when every value is an integer within int16, else uint16 when every value is an
    integer within uint16, else float32 (non-integer, NaN or infinite values, or integers beyond
    both ranges).
    """
    array = np.asarray(values)
    if array.dtype.kind in "iub" or (
        array.dtype.kind == "f" and bool(np.all(np.isfinite(array))) and bool(np.all(array == np.round(array)))
    ):
        if array.size == 0:
            return "int16", array.astype(_WIRE["int16"])
        low, high = array.min(), array.max()
        if low >= -(1 << 15) and high < 1 << 15:
            return "int16", array.astype(_WIRE["int16"])
        if low >= 0 and high < 1 << 16:
            return "uint16", array.astype(_WIRE["uint16"])
    return "float32", array.astype(_WIRE["float32"])


def encode_values(
    values: npt.ArrayLike, *, axis: int, index: int, compress: bool = True
) -> tuple[dict[str, Any], bytes]:
    """Encode one slice's values (rows x columns) for the browser.

    Args:
        values: The slice, 2-d, as ``VolumeSource.slice`` gives it.
        axis: The axis it was cut along, for the header.
        index: Where along that axis, for the header.
        compress: Try zlib (level ``ZLIB_LEVEL``); kept when it saves at least 10 %.

    Returns:
        ``(header, buffer)`` as the module describes.

    Raises:
        MediaError: If the values are not 2-d, or the buffer would exceed ``MAX_BUFFER_BYTES``.
    """
    array = np.asarray(values)
    if array.ndim != 2:
        raise MediaError(f"A slice to send must be 2-d (rows, columns), got shape {array.shape}.")
    dtype, wire = wire_values(array)
    if dtype == "float32":
        finite = wire[np.isfinite(wire)]
        ends: tuple[Any, Any] = (float(finite.min()), float(finite.max())) if finite.size else (None, None)
    else:
        ends = (int(wire.min()), int(wire.max())) if wire.size else (None, None)
    buffer = np.ascontiguousarray(wire).tobytes()
    encoding = "raw"
    if compress:
        packed = zlib.compress(buffer, ZLIB_LEVEL)
        if len(packed) <= KEEP_COMPRESSED * len(buffer):
            buffer, encoding = packed, "zlib"
    if len(buffer) > MAX_BUFFER_BYTES:
        raise MediaError(
            f"Slice {index} along axis {axis} ({array.shape[1]}x{array.shape[0]} {dtype}) takes {len(buffer)} bytes, "
            f"more than the {MAX_BUFFER_BYTES} one message may carry."
        )
    header = {
        "dtype": dtype,
        "width": int(array.shape[1]),
        "height": int(array.shape[0]),
        "axis": int(axis),
        "index": int(index),
        "min": ends[0],
        "max": ends[1],
        "encoding": encoding,
    }
    return header, buffer


def encode_slice(source: VolumeSource, axis: int, index: int, *, compress: bool = True) -> tuple[dict[str, Any], bytes]:
    """Read ``source.slice(axis, index)`` and encode it for the browser (see ``encode_values``).

    Raises:
        MediaError: If the axis or index is outside the volume (the message names the file and the
            valid range), the slice is not 2-d (an RGB volume), or it is too large for one message.
    """
    return encode_values(source.slice(axis, index), axis=axis, index=index, compress=compress)


def decode_slice(header: dict[str, Any], buffer: bytes) -> npt.NDArray[Any]:
    """The slice values back from a header and its buffer: what the browser does, in numpy.

    Raises:
        MediaError: If the header names an unknown dtype or encoding, or the buffer's size does not fit it.
    """
    dtype = _WIRE.get(str(header.get("dtype")))
    encoding = header.get("encoding", "raw")
    if dtype is None or encoding not in ("raw", "zlib"):
        raise MediaError(
            f"A slice header needs dtype in {sorted(_WIRE)} and encoding raw or zlib, got {header!r:.200}."
        )
    data = zlib.decompress(buffer) if encoding == "zlib" else bytes(buffer)
    height, width = int(header["height"]), int(header["width"])
    expected = height * width * dtype.itemsize
    if len(data) != expected:
        raise MediaError(f"A {width}x{height} {header['dtype']} slice takes {expected} bytes, got {len(data)}.")
    values: npt.NDArray[Any] = np.frombuffer(data, dtype=dtype).reshape(height, width)
    return values


def describe_volume(source: VolumeSource) -> dict[str, Any]:
    """What the browser needs once per volume, JSON-ready.

    Returns:
        ``{"shape": [frames, height, width], "spacing": [row, column, slice] (mm or None),
        "aspect": [pixel height / width of axis 0, 1, 2 views], "value_range": [min, max],
        "window": [center, width], "presets": {name: [center, width]}}``.
    """

    def pair(window: Window) -> list[float]:
        return [float(window[0]), float(window[1])]

    return {
        "shape": list(source.shape),
        "spacing": list(source.spacing),
        "aspect": [source.aspect(axis) for axis in (0, 1, 2)],
        "value_range": list(source.value_range),
        "window": pair(source.window),
        "presets": {name: pair(window) for name, window in source.presets().items()},
    }
