"""Reading a labels file's bytes within limits: sizes a file declares are checked before anything is allocated.

``Limits`` holds the documented bounds; every reader takes one (``DEFAULT_LIMITS`` unless the
caller raises them). A gzip file is inflated a piece at a time and refused once past the limit,
so a small ``.json.gz`` cannot take gigabytes.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from labelspace.model.errors import FormatError


@dataclass(frozen=True)
class Limits:
    """What a labels file may declare before it is refused; raise them for bigger data.

    Attributes:
        max_file_bytes: Bytes of one labels file (JSON, XML, text), after inflating gzip.
        max_mask_pixels: Pixels of one mask a file may ask to decode (width x height).
        max_frames: Frames of one video or volume.
        max_image_side: Width or height, in pixels, of one image or frame.

    Example::

        from labelspace.formats import Limits, load
        project = load("huge.coco.json", limits=Limits(max_file_bytes=16 * 2**30))
    """

    max_file_bytes: int = 2 * 2**30
    max_mask_pixels: int = 2**28
    max_frames: int = 10_000_000
    max_image_side: int = 1_000_000


DEFAULT_LIMITS = Limits()

_GZIP = b"\x1f\x8b"


def read_bytes(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> bytes:
    """A file's bytes, inflated if it is gzip, refused past ``limits.max_file_bytes``.

    Raises:
        FileNotFoundError: If there is no such file.
        FormatError: If the file is larger than the limit, or its gzip stream is broken or truncated.
    """
    source = Path(path)
    limit = limits.max_file_bytes
    with open(source, "rb") as f:
        if f.read(2) != _GZIP:
            if os.fstat(f.fileno()).st_size > limit:
                raise _too_big(source, limit)
            f.seek(0)
            return f.read()
    try:
        with gzip.open(source, "rb") as g:
            data = g.read(limit + 1)  # inflates a piece at a time, never past the limit
    except (OSError, EOFError, zlib.error) as e:
        raise FormatError(f"{source}: not a whole gzip file ({e}).") from None
    if len(data) > limit:
        raise _too_big(source, limit, inflated=True)
    return data


def _too_big(source: Path, limit: int, inflated: bool = False) -> FormatError:
    what = "inflates to more than" if inflated else "is larger than"
    return FormatError(
        f"{source} {what} {limit:,} bytes, the reader's limit; if it is meant to be this big, raise it with "
        f"Limits(max_file_bytes=...)."
    )


def parse_json(data: bytes, source: str) -> Any:
    """Parse JSON, accepting the NaN and Infinity that Python's json module writes.

    Raises:
        FormatError: If the bytes are not JSON (the message names the source and the position).
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        first = e
    try:  # NaN, Infinity: orjson refuses them, Python's own reader takes them
        return json.loads(data, parse_constant=_constant)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise FormatError(f"{source}: not valid JSON ({first}).") from None


def _constant(name: str) -> float:
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[name]


def read_json(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> Any:
    """A JSON (or gzip JSON) file, parsed within limits."""
    return parse_json(read_bytes(path, limits), str(path))


def read_xml(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> ET.Element:
    """An XML file's root element, within limits (entities are not expanded past expat's own guards).

    Raises:
        FormatError: If the file is not well-formed XML.
    """
    data = read_bytes(path, limits)
    try:
        return ET.fromstring(data)
    except ET.ParseError as e:
        raise FormatError(f"{path}: not valid XML ({e}).") from None


def root_tag(path: str | os.PathLike[str]) -> str | None:
    """The name of an XML file's root element (read from its start, the file closed after), or None."""
    try:
        with open(path, "rb") as f:
            for _, element in ET.iterparse(f, events=("start",)):
                return str(element.tag)
    except (ET.ParseError, OSError):
        return None
    return None


def read_text(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS) -> str:
    """A UTF-8 text file, within limits.

    Raises:
        FormatError: If it is not UTF-8 text.
    """
    data = read_bytes(path, limits)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FormatError(f"{path}: not UTF-8 text ({e.reason} at byte {e.start}).") from None
