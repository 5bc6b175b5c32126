"""Pausing CPython's cycle collector while millions of small containers are made.

Reading or writing a large project makes a few dicts, lists and objects per annotation. The cycle
collector runs every few hundred allocations and, as the number of live objects grows, walks all
of them again: about a third of the time of writing two million boxes. Bulk readers and writers
pause it for their duration; reference counting still frees what they drop, and whatever cycles
they leave are collected once it runs again.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cycle collector off (it is turned on again only if it was on)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


__all__ = ["collector_paused"]
