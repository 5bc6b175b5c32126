"""How the store writes instances and log entries as bytes and JSON."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from labelspace.model.errors import LabelRowError, StoreError
from labelspace.model.native.fragments import fragment_hash
from labelspace.model.operations import Change

Image = tuple[int, int, "bytes | None"]
"""An instance as a log entry keeps it: its seq, its version, and its fragment's bytes (None: absent)."""


def dumps(value: Any) -> str:
    """JSON text (numpy arrays and scalars included)."""
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()


FRAGMENT_MAGIC = b"LSF1"
"""A fragment as the store keeps it: this, the JSON's length (4 bytes, little-endian), the JSON, then
the bytes of its packed columns, each referred to in the JSON as ``{"dtype": ..., "at": i, "n": n}``.
Reading a million frames then copies their bytes instead of decoding base64 text."""
BLOCK_MAGIC = b"LSB1"
"""The start of a block (see ``_blocks``): then the JSON list of a row's fragments."""
IMAGES_MAGIC = b"LSI1"
"""The start of a log entry's ``before`` images, once decompressed (see ``images_bytes``)."""
COMPRESS_BELOW = 16 << 10
"""Log images up to this many bytes are compressed; larger ones (long tracks) are kept as they are."""


def _columns(value: Any, swap: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """``value`` (a fragment's JSON tree) with each packed column (a dict with ``dtype``) replaced by ``swap`` of it."""
    if isinstance(value, dict):
        return swap(value) if "dtype" in value else {k: _columns(v, swap) for k, v in value.items()}
    if isinstance(value, list) and value and isinstance(value[0], (dict, list)):
        return [_columns(v, swap) for v in value]
    return value


def _with_magic(text: bytes, *buffers: bytes) -> bytes:
    return b"".join((FRAGMENT_MAGIC, len(text).to_bytes(4, "little"), text, *buffers))


def fragment_bytes(fragment: Mapping[str, Any] | None) -> bytes | None:
    """A fragment (made with ``instance_fragment(..., raw=True)``) as the instances table keeps it."""
    if fragment is None:
        return None
    try:  # most fragments (an image's boxes) have no column long enough to pack
        return _with_magic(orjson.dumps(fragment, option=orjson.OPT_SERIALIZE_NUMPY))
    except TypeError:  # bytes: packed columns, lifted out below
        pass
    buffers: list[bytes] = []
    size = 0

    def lift(column: dict[str, Any]) -> dict[str, Any]:
        nonlocal size
        data = column.get("bytes")
        if not isinstance(data, bytes):
            return column
        buffers.append(data)
        size += len(data)
        return {"dtype": column["dtype"], "at": size - len(data), "n": len(data)}

    return _with_magic(orjson.dumps(_columns(fragment, lift), option=orjson.OPT_SERIALIZE_NUMPY), *buffers)


def fragment_of(data: bytes | None, where: str) -> dict[str, Any] | None:
    """A fragment read back from the instances table or a log image (its columns' bytes not copied)."""
    if data is None:
        return None
    data = bytes(data)  # a driver may hand back a memoryview
    try:
        if not data.startswith(FRAGMENT_MAGIC):
            raise ValueError("it does not start as a fragment does")
        end = 8 + int.from_bytes(data[4:8], "little")
        body = memoryview(data)[end:]

        def drop(column: dict[str, Any]) -> dict[str, Any]:
            if "at" not in column:
                return column
            at, n = column["at"], column.get("n")
            if not (isinstance(at, int) and isinstance(n, int) and 0 <= at and at + n <= len(body)):
                raise ValueError("a column lies outside the data")
            return {"dtype": column["dtype"], "bytes": body[at : at + n]}

        value = _columns(orjson.loads(data[8:end]), drop)
    except (orjson.JSONDecodeError, ValueError) as e:
        raise StoreError(f"{where}: an instance's stored data cannot be read ({e}); the store is damaged.") from None
    if not isinstance(value, dict):
        raise StoreError(f"{where}: an instance's stored data is not a fragment; the store is damaged.")
    return value


def block_bytes(fragments: Mapping[str, Mapping[str, Any]]) -> tuple[bytes, int] | None:
    """A row's fragments (``row_fragments(row, raw=True)``) as a block, with its count of objects.

    None for a row without instances, or if a fragment holds packed columns (bytes, which JSON has
    not): that row's instances are stored one by one.
    """
    if not fragments:
        return None
    try:
        data = BLOCK_MAGIC + orjson.dumps(list(fragments.values()), option=orjson.OPT_SERIALIZE_NUMPY)
    except TypeError:
        return None
    return data, sum(1 for f in fragments.values() if f["kind"] == "object")


def block_fragments(data: bytes | memoryview, where: str) -> list[tuple[str, dict[str, Any]]]:
    """The fragments of a block with their hashes, in the row's order."""
    data = bytes(data)  # a driver may hand back a memoryview
    try:
        if not data.startswith(BLOCK_MAGIC):
            raise ValueError("it does not start as a block does")
        value = orjson.loads(memoryview(data)[len(BLOCK_MAGIC) :])
        if not isinstance(value, list) or not all(isinstance(f, dict) for f in value):
            raise ValueError("it is not a list of fragments")
        return [(fragment_hash(f), f) for f in value]
    except (orjson.JSONDecodeError, ValueError) as e:
        problem = str(e)
    except LabelRowError as e:
        problem = e.message
    raise StoreError(f"{where}: the row's stored instances cannot be read ({problem}); the store is damaged.")


def images_bytes(images: Mapping[str, Image]) -> bytes:
    """The ``before`` images of a log entry, zlib-compressed.

    ``IMAGES_MAGIC``, the JSON's length (4 bytes), JSON ``{hash: [seq, version, length or null]}``,
    then the fragments' bytes in that order.
    """
    head = {h: [seq, version, None if data is None else len(data)] for h, (seq, version, data) in images.items()}
    text = orjson.dumps(head)
    body = [data for _, _, data in images.values() if data is not None]
    raw = b"".join([IMAGES_MAGIC, len(text).to_bytes(4, "little"), text, *body])
    # Long tracks are mostly packed coordinates, which hardly compress (a quarter smaller for 1 ms an
    # edit at 50 kB): those are stored as they are, in zlib's framing all the same.
    return zlib.compress(raw, 1 if len(raw) <= COMPRESS_BELOW else 0)


def images_of(data: bytes, where: str) -> dict[str, Image]:
    """The ``before`` images of a log entry, each fragment back as bytes."""
    try:
        raw = zlib.decompress(data)
        if not raw.startswith(IMAGES_MAGIC):
            raise ValueError("not a log image")
        end = 8 + int.from_bytes(raw[4:8], "little")
        head = orjson.loads(raw[8:end])
        out: dict[str, Image] = {}
        at = end
        for h, (seq, version, n) in head.items():
            out[h] = (int(seq), int(version), None if n is None else raw[at : at + n])
            at += 0 if n is None else n
        if at != len(raw):
            raise ValueError("the images' lengths do not add up")
    except (zlib.error, orjson.JSONDecodeError, ValueError, TypeError) as e:
        raise StoreError(f"{where}: a log entry's images cannot be read ({e}); the store is damaged.") from None
    return out


def touched_of(changes: tuple[Change, ...]) -> dict[str, dict[str, Any]]:
    """Per instance an edit changed: ``{"frames": [[start, end], ...], "answers": bool}``."""
    out: dict[str, dict[str, Any]] = {}
    for change in changes:
        entry = out.setdefault(change.instance, {"frames": [], "answers": False})
        if change.kind == "answers":
            entry["answers"] = True
        entry["frames"] += [[r.start, r.end] for r in change.frames]
    return out


def clash(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[int] | None:
    """Where two edits of one instance collide: the first shared frame ([-1] for static answers), or None."""
    if mine.get("answers") and theirs.get("answers"):
        return [-1]
    if mine.get("whole") or theirs.get("whole"):
        return [0]
    for a, b in mine.get("frames", []):
        for c, d in theirs.get("frames", []):
            if a <= d and c <= b:
                return [max(a, c)]
    return None


__all__ = [
    "BLOCK_MAGIC",
    "Image",
    "block_bytes",
    "block_fragments",
    "clash",
    "dumps",
    "fragment_bytes",
    "fragment_of",
    "images_bytes",
    "images_of",
    "touched_of",
]
