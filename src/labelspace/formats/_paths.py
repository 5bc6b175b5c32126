"""Paths a labels file names: media paths kept inside the media root, and output names that never collide."""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path, PurePosixPath, PureWindowsPath

from labelspace.formats._common import Reader
from labelspace.model.spaces import MultiFrameSpace, Space

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_url(text: str) -> bool:
    """Whether a media reference is a URL (``http://``, ``s3://``, ...) rather than a local path."""
    return bool(_URL.match(text))


def is_absolute(path: str) -> bool:
    """Whether a path from a file is absolute on POSIX or on Windows (a root, a drive), wherever it was written."""
    return PurePosixPath(path.replace("\\", "/")).is_absolute() or PureWindowsPath(path).is_absolute()


def media_path(r: Reader, raw: object, where: str, root: Path | None, allow_outside: bool) -> str:
    """A media path from a file, refused if it leaves the media root (``..``, an absolute path elsewhere).

    URLs are kept as they are: they name no local file. Relative paths are kept relative (to the
    media root); an absolute path is kept only if it lies inside ``root``, or if ``allow_outside``.

    Raises:
        FormatError: Naming the file, the record and the path, and how to allow it.
    """
    text = r.text(raw, where)
    if "\x00" in text:
        raise r.fail(where, "a media path holds a NUL character.")
    if is_url(text) or allow_outside:
        return text
    posix = text.replace("\\", "/")
    if is_absolute(text):
        if root is not None and not PureWindowsPath(text).drive:
            resolved = Path(os.path.normpath(posix))
            try:
                resolved.relative_to(Path(os.path.abspath(root)))
                return text
            except ValueError:
                pass
        raise _outside(r, where, text, root)
    normal = posixpath.normpath(posix)
    if normal == ".." or normal.startswith("../"):
        raise _outside(r, where, text, root)
    return text


def _outside(r: Reader, where: str, text: str, root: Path | None) -> Exception:
    inside = f"the media root {str(root)!r}" if root is not None else "the folder of the labels file"
    return r.fail(
        where,
        f"the media path {text[:80]!r} leads outside {inside}. Give the folder that holds the media with --media "
        f"(media=... in Python), or allow paths outside it with --allow-outside-media (allow_outside_media=True).",
    )


class UniqueNames:
    """Hands out file names (without suffix) that never collide, case-insensitively: ``a``, ``a-2``, ``a-3``."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def __call__(self, wanted: str) -> str:
        """A name like ``wanted`` that no earlier call returned."""
        name, n = wanted, 1
        while name.casefold() in self._taken:
            n += 1
            name = f"{wanted}-{n}"
        self._taken.add(name.casefold())
        return name


def safe_stem(text: str) -> str:
    """A file-name stem from arbitrary text: letters, digits, ``-_.``; ``/`` keeps a relative folder."""
    parts = [p for p in text.replace("\\", "/").split("/") if p not in ("", ".", "..")]
    cleaned = ["".join(c if c.isalnum() or c in "-_." else "_" for c in p) for p in parts]
    stem = "/".join(c for c in cleaned if c)
    return stem or "image"


def frame_stem(space: Space, frame: int) -> str:
    """A name for one image or frame.

    The media's relative path without its suffix (or the space id), and the frame number for a
    video or volume.
    """
    media = space.media
    if media and not is_url(media) and not Path(media).is_absolute():
        base = safe_stem(str(Path(media).with_suffix("")))
    else:
        base = safe_stem(Path(media).stem if media else space.space_id)
    return f"{base}_{frame:06d}" if isinstance(space, MultiFrameSpace) else base
