"""Frames read on a thread of their own, a few ahead of the tracker that uses them.

PyAV decodes and OpenCV tracks with the interpreter's lock released, so on two cores the next
frames are decoded while the trackers work on this one, instead of one after the other.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

DEPTH = 4
"""How many items may wait, read and not yet taken (four 1080p RGB frames: 25 MB)."""
_POLL = 0.05
"""How often (seconds) a blocked reader looks whether it was closed."""


class _End:
    """What the reading thread hands over last: the items ran out, or reading raised ``error``."""

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    """Take items of ``items`` as ``next`` would, while a thread reads the next ones.

    The iterator is used by the reading thread only, and closed by it. An error it raises is raised
    by ``next`` in its place, after the items read before it. ``close`` stops the thread and waits
    for it, so that whatever the iterator reads from is free again when it returns.
    """

    def __init__(self, items: Iterator[T], depth: int = DEPTH) -> None:
        self._items = items
        self._queue: queue.Queue[T | _End] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._ended = False
        self._thread = threading.Thread(target=self._read, name="labelspace-read-ahead", daemon=True)
        self._thread.start()

    def _hand_over(self, item: T | _End) -> bool:
        """Queue an item; False once closed."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        error: BaseException | None = None
        try:
            for item in self._items:
                if not self._hand_over(item) or self._stop.is_set():
                    break
        except BaseException as e:  # handed to the taker, raised there
            error = e
        try:
            close = getattr(self._items, "close", None)
            if close is not None:
                close()
        except BaseException as e:
            error = error or e
        self._hand_over(_End(error))

    def __iter__(self) -> ReadAhead[T]:
        return self

    def __next__(self) -> T:
        if self._ended:
            raise StopIteration
        while True:
            try:
                item = self._queue.get(timeout=_POLL)
                break
            except queue.Empty:
                if not self._thread.is_alive() and self._queue.empty():  # it always ends with _End: a defect
                    self._ended = True
                    raise RuntimeError("The frame reader stopped without handing over its end.") from None
        if isinstance(item, _End):
            self._ended = True
            self._thread.join()
            if item.error is not None:
                raise item.error
            raise StopIteration
        return item

    def close(self) -> None:
        """Stop reading and wait for the thread; items read and not taken are dropped."""
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=_POLL)
        self._ended = True


__all__ = ["DEPTH", "ReadAhead"]
