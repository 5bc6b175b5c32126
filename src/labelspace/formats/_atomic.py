"""Writes that never tear: a file or folder is built beside its target and renamed into place when whole.

``atomic_file(path)`` yields a file open for writing in a temporary file next to ``path``; when
the block ends without error the data is flushed to disk (fsync), the temporary file replaces
``path`` in one rename, and the folder entry is synced. ``atomic_folder(path)`` does the same for
a folder format (YOLO, VOC, LabelMe): the new folder is built beside the target and swapped in
with one atomic exchange where the system has it (Linux ``renameat2``), so at every moment the
target is either the whole old output or the whole new one.

On an error, and on SIGTERM while writing, the temporary file or folder is removed and the
target is untouched. A process killed with SIGKILL cannot clean up: its leftovers carry its PID
in their names and the next write to the same target removes them.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from labelspace.model.errors import FormatError

_TEMP = ".tmp-labelspace"  # in every temporary name, with the writer's PID after it


def _leftovers(target: Path) -> Iterator[Path]:
    """Temporary files and folders that earlier writers to ``target`` left behind, if those writers are gone."""
    prefix = f".{target.name}{_TEMP}-"
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        pid_text = entry.name[len(prefix) :].split("-", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            yield entry


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class _Terminated(BaseException):
    """SIGTERM arrived while a write was under way."""


@contextlib.contextmanager
def _terminable(cleanup: Path) -> Iterator[None]:
    """Turn SIGTERM into an exception for the duration, remove ``cleanup``, then let SIGTERM do what it would have.

    Any other failure also removes ``cleanup``; an ``OSError`` becomes a ``FormatError``.
    """
    main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if main else None

    def on_term(signum: int, frame: Any) -> None:
        raise _Terminated

    if main:
        signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    except _Terminated:
        _remove(cleanup)
        signal.signal(signal.SIGTERM, previous)
        signal.raise_signal(signal.SIGTERM)  # the default ends the process here; a handler of the caller's runs
        raise FormatError("the write was interrupted by SIGTERM; the previous output is unchanged.") from None
    except BaseException:
        _remove(cleanup)
        raise
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)


def _temp_name(target: Path, suffix: str) -> Path:
    token = next(tempfile._get_candidate_names())  # type: ignore[attr-defined]
    return target.with_name(f".{target.name}{_TEMP}-{os.getpid()}-{token}{suffix}")


def _failed(target: Path, error: OSError) -> FormatError:
    reason = error.strerror or str(error)
    return FormatError(f"{target}: could not write ({reason}); the previous output is unchanged.")


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """Write a file through a temporary file beside it that replaces it only once complete.

    Raises:
        FormatError: If the file cannot be written (a full disk, no permission); the target is unchanged.
    """
    target = Path(path)
    if target.is_dir():
        raise FormatError(f"{target} is a folder; this format writes a file.")
    if not target.parent.is_dir():
        raise FormatError(f"{target.parent}: no such folder to write {target.name} into.")
    for leftover in _leftovers(target):
        _remove(leftover)
    tmp = _temp_name(target, ".part")
    try:
        with _terminable(tmp):
            with open(tmp, "xb") as f:
                yield f
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, target)
    except OSError as e:
        raise _failed(target, e) from None
    _sync_folder(target.parent)


def write_file(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically."""
    with atomic_file(path) as f:
        f.write(data)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2``); False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd = -100
    result = renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


def _is_empty_folder(path: Path) -> bool:
    return path.is_dir() and not any(path.iterdir())


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike[str], replace: bool = False) -> Iterator[Path]:
    """Build a folder beside ``path`` and swap it in whole once complete.

    Args:
        path: The output folder.
        replace: Replace a non-empty ``path`` whole. Without it, a folder that holds anything is
            refused, so that files of an earlier export are never mixed with the new ones.

    Raises:
        FormatError: If ``path`` is a file, or a non-empty folder without ``replace``, or the
            folder cannot be written; the target is unchanged.
    """
    target = Path(path)
    for leftover in _leftovers(target):
        if leftover.name.endswith(".old") and not target.exists():
            os.rename(leftover, target)  # a swap was cut short: the old output comes back first
        else:
            _remove(leftover)
    if target.exists() and not target.is_dir():
        raise FormatError(f"{target} is a file; this format writes a folder.")
    if target.is_dir() and not replace and not _is_empty_folder(target):
        raise FormatError(
            f"{target} already holds files; a new export is not mixed with an old one. Pass a new or empty "
            f"folder, or replace it whole (--overwrite on the command line, replace=True in Python)."
        )
    if not target.parent.is_dir():
        raise FormatError(f"{target.parent}: no such folder to write {target.name} into.")
    tmp = _temp_name(target, ".dir")
    try:
        with _terminable(tmp):
            tmp.mkdir()
            yield tmp
            _sync_tree(tmp)
            if target.exists() and _exchange(tmp, target):
                pass  # tmp now holds the old output, removed below
            elif target.exists():
                old = _temp_name(target, ".old")  # restored by the next write if a kill lands between the renames
                os.rename(target, old)
                os.rename(tmp, target)
                _remove(old)
            else:
                os.rename(tmp, target)
            _remove(tmp)
    except OSError as e:
        raise _failed(target, e) from None
    _sync_folder(target.parent)


def _sync_tree(folder: Path) -> None:
    for root, _, files in os.walk(folder):
        for name in files:
            fd = os.open(Path(root) / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_folder(Path(root))
