"""How the store writes instances and log entries as bytes and JSON."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import orjson

from labelspace.model.errors import StoreError
from labelspace.model.operations import Change

Image = tuple[int, int, "bytes | None"]
"""An instance as a log entry keeps it: its seq, its version, and its fragment's bytes (None: absent)."""


def dumps(value: Any) -> str:
    """JSON text (numpy arrays and scalars included)."""
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def fragment_bytes(fragment: Mapping[str, Any] | None) -> bytes | None:
    """A fragment as the instances table keeps it."""
    return None if fragment is None else orjson.dumps(fragment, option=orjson.OPT_SERIALIZE_NUMPY)


def fragment_of(data: bytes | None, where: str) -> dict[str, Any] | None:
    """A fragment read back from the instances table or a log image."""
    if data is None:
        return None
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise StoreError(f"{where}: an instance's stored data is not JSON ({e}); the store is damaged.") from None
    if not isinstance(value, dict):
        raise StoreError(f"{where}: an instance's stored data is not a fragment; the store is damaged.")
    return value


def images_bytes(images: Mapping[str, Image]) -> bytes:
    """The ``before`` images of a log entry: zlib of JSON ``{hash: [seq, version, fragment or null]}``."""
    parts = []
    # The fragments are JSON bytes already: they go in as they are, not parsed and dumped again.
    for h, (seq, version, data) in images.items():
        body = b"null" if data is None else data
        parts.append(orjson.dumps(h) + b":[" + str(seq).encode() + b"," + str(version).encode() + b"," + body + b"]")
    return zlib.compress(b"{" + b",".join(parts) + b"}", 1)


def images_of(data: bytes, where: str) -> dict[str, Image]:
    """The ``before`` images of a log entry, each fragment back as bytes."""
    try:
        raw = orjson.loads(zlib.decompress(data))
    except (zlib.error, orjson.JSONDecodeError) as e:
        raise StoreError(f"{where}: a log entry's images cannot be read ({e}); the store is damaged.") from None
    return {h: (int(s), int(v), None if f is None else orjson.dumps(f)) for h, (s, v, f) in raw.items()}


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


__all__ = ["Image", "clash", "dumps", "fragment_bytes", "fragment_of", "images_bytes", "images_of", "touched_of"]
