"""The frame index of a video, kept on disk so that a video opened again starts at once.

Numbering a video's frames exactly needs every packet's timestamp (demuxing, no decoding); for a
long file that pass takes seconds (it runs in the background, ``_video_indexer``). Its result is
kept in the user's cache folder
(``platformdirs.user_cache_dir("labelspace")``, or ``$LABELSPACE_CACHE_DIR``), keyed by the file's
absolute path, size and modification time, so a changed file is indexed afresh. A cache entry that
cannot be read is ignored; one that cannot be written is skipped: the cache never fails a read.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

VERSION = 1


def cache_dir() -> Path:
    """Where video indexes are kept."""
    configured = os.environ.get("LABELSPACE_CACHE_DIR")
    if configured:
        return Path(configured) / "video-index"
    try:
        import platformdirs
    except ImportError:  # pragma: no cover - platformdirs comes with the video extra
        return Path.home() / ".cache" / "labelspace" / "video-index"
    return Path(platformdirs.user_cache_dir("labelspace")) / "video-index"


def entry(path: Path) -> Path | None:
    """Where the index of the file as it is now is kept (None if the file cannot be read)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = f"{VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    return cache_dir() / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".npz")


def load(where: Path | None) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
    """A video's packet and keyframe timestamps kept at ``where`` (its ``entry``), if indexed before."""
    if where is None or not where.exists():
        return None
    try:
        with np.load(where, allow_pickle=False) as data:
            pts = np.asarray(data["pts"], np.int64)
            keys = np.asarray(data["keys"], np.int64)
    except (OSError, ValueError, KeyError):
        return None
    if pts.ndim != 1 or keys.ndim != 1 or not len(pts):
        return None
    return pts, keys


def store(path: Path, pts: list[int], keys: list[int], expected: Path | None = None) -> None:
    """Keep a video's index (written beside its place and renamed in, so readers never see half).

    Args:
        path: The video.
        pts: Every packet's timestamp, in decode order.
        keys: The keyframes' timestamps.
        expected: ``entry(path)`` taken when the indexing began: if the file has changed since, the
            index (of the file as it was) is not kept.
    """
    where = entry(path)
    if where is None or (expected is not None and expected != where):
        return
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=where.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, pts=np.asarray(pts, np.int64), keys=np.asarray(keys, np.int64))
            os.replace(temporary, where)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return
