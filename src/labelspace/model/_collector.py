"""Pausing CPython's cycle collector while millions of small containers are made.

Reading or writing a large project makes a few dicts, lists and objects per annotation. The cycle
collector runs every few hundred allocations and, as the number of live objects grows, walks all
of them again: about a third of the time of writing two million boxes. Bulk readers and writers
pause it for their duration; reference counting still frees what they drop, and whatever cycles
they leave are collected once it runs again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_on = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cycle collector off, for the whole process.

    Pauses nest and may overlap across threads: the collector is turned on again when the last
    one ends, and only if it was on when the first began.
    """
    global _depth, _was_on
    with _lock:
        if _depth == 0:
            _was_on = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_on:
                gc.enable()


__all__ = ["collector_paused"]
