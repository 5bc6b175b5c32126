"""Numeric columns in native JSON: plain lists, or packed as base64 of little-endian bytes.

``DictReader`` reads values out of a decoded JSON tree (packed or plain columns, strings,
integers), raising ``LabelRowError`` that names the path of the first bad field.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from labelspace.model.errors import LabelRowError

PACK_AT = 64  # columns longer than this are packed as base64 when packing
PACKED_DTYPES = {"<i4": np.int32, "<i8": np.int64, "<f8": np.float64, "|b1": np.bool_}


Packing = bool | Literal["raw"]
"""How long columns are written: ``False`` as lists, ``True`` packed as base64 (JSON files), ``"raw"``
packed as the bytes themselves (``{"dtype": ..., "bytes": b"..."}``, for containers that hold binary)."""


def pack_column(values: npt.NDArray[Any], packed: Packing) -> Any:
    """A column as JSON: a list, or (with ``packed``, when long) ``{"dtype": ..., "base64": ...}`` (or ``"bytes"``)."""
    if not packed or values.size <= PACK_AT:
        return values.tolist()
    if values.dtype.kind == "i":
        values = (
            values.astype("<i4")
            if values.size == 0 or (values.min() >= -(2**31) and values.max() < 2**31)
            else values.astype("<i8")
        )
    elif values.dtype.kind == "f":
        values = values.astype("<f8")
    if packed == "raw":
        return {"dtype": values.dtype.str, "bytes": values.tobytes()}
    return {"dtype": values.dtype.str, "base64": base64.b64encode(values.tobytes()).decode("ascii")}


class DictReader:
    """Reads a decoded JSON tree, raising ``LabelRowError`` that names the path of the first bad field."""

    @staticmethod
    def fail(path: str, message: str) -> LabelRowError:
        """A LabelRowError naming the path."""
        return LabelRowError(f"{path}: {message}")

    def map(self, d: Mapping[str, Any], key: str, path: str) -> Mapping[str, Any]:
        """The object at ``d[key]``."""
        value = d.get(key)
        if not isinstance(value, Mapping):
            raise self.fail(f"{path}.{key}", f"expected an object, got {type(value).__name__}.")
        return value

    def seq(self, d: Mapping[str, Any], key: str, path: str) -> Sequence[Any]:
        """The list at ``d[key]`` (empty if absent)."""
        value = d.get(key, [])
        if not isinstance(value, (list, tuple, np.ndarray)):
            raise self.fail(f"{path}.{key}", f"expected a list, got {type(value).__name__}.")
        return cast(Sequence[Any], value)

    def dicts(self, d: Mapping[str, Any], key: str, path: str) -> list[Mapping[str, Any]]:
        """The list of objects at ``d[key]``."""
        items = self.seq(d, key, path)
        for i, item in enumerate(items):
            if not isinstance(item, Mapping):
                raise self.fail(f"{path}.{key}[{i}]", f"expected an object, got {type(item).__name__}.")
        return list(items)

    def text(self, d: Mapping[str, Any], key: str, path: str) -> str:
        """The non-empty string at ``d[key]``."""
        value = d.get(key)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{path}.{key}", f"expected a non-empty string, got {value!r:.60}.")
        return value

    def integer(self, d: Mapping[str, Any], key: str, path: str) -> int:
        """The integer at ``d[key]``."""
        value = d.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{path}.{key}", f"expected an integer, got {value!r:.60}.")
        return value

    def numbers(self, d: Mapping[str, Any], key: str, path: str, dtype: type, n: int | None = None) -> Any:
        """The numeric column at ``d[key]`` (plain or packed) as a numpy array, of ``n`` values if given."""
        packed = d.get(key)
        if isinstance(packed, Mapping):
            unpacked = self.unpack(packed, f"{path}.{key}", dtype)
            if n is not None and unpacked.size != n:
                raise self.fail(f"{path}.{key}", f"expected {n} values, got {unpacked.size}.")
            return unpacked
        raw = self.seq(d, key, path)
        try:
            values: npt.NDArray[Any] = np.asarray(raw, dtype=dtype)
        except (TypeError, ValueError, OverflowError):
            raise self.fail(f"{path}.{key}", f"expected a list of {np.dtype(dtype).name} numbers.") from None
        if values.ndim != 1:
            raise self.fail(f"{path}.{key}", "expected a flat list of numbers.")
        if (
            np.issubdtype(values.dtype, np.integer)
            and len(raw)
            and not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in _sample(raw))
        ):
            raise self.fail(f"{path}.{key}", "expected a list of integers.")
        if n is not None and values.size != n:
            raise self.fail(f"{path}.{key}", f"expected {n} values, got {values.size}.")
        return values

    def unpack(self, packed: Mapping[str, Any], path: str, dtype: type) -> Any:
        """A packed column as a numpy array of ``dtype``."""
        kind = packed.get("dtype")
        data = packed.get("base64")
        raw: Any = packed.get("bytes")  # only from a binary container (JSON text has no bytes)
        if kind not in PACKED_DTYPES or not (isinstance(data, str) or isinstance(raw, (bytes, memoryview))):
            raise self.fail(path, f"a packed column needs dtype (one of {list(PACKED_DTYPES)}) and base64 text.")
        if not isinstance(raw, (bytes, memoryview)):
            try:
                raw = base64.b64decode(cast(str, data), validate=True)
            except (ValueError, binascii.Error):
                raise self.fail(path, "the base64 text is malformed.") from None
        source = np.dtype(kind)
        if len(raw) % source.itemsize:
            raise self.fail(path, f"{len(raw)} bytes is not a whole number of {kind} values.")
        values = np.frombuffer(raw, source)
        target = np.dtype(dtype)
        if (target.kind in "iu") != (source.kind in "iu") or (target.kind == "b") != (source.kind == "b"):
            raise self.fail(path, f"expected {target.name} values, the column holds {source.name}.")
        return values.astype(target)


def _sample(values: Sequence[Any]) -> Iterable[Any]:
    # Checking every element of a million-long column in Python would cost more than the load.
    return values if len(values) <= 64 else [values[0], values[len(values) // 2], values[-1]]
