"""Saving after edits without saving on every keystroke: a debounced save, flushed at interpreter exit.

``Autosaver.schedule()`` (re)starts a short timer; when it fires, the save runs. ``flush()`` runs
a pending save now, and every pending save is flushed when the interpreter exits cleanly
(``atexit``), so the last edit before a kernel is stopped is on disk. Saves run one at a time.
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)

DELAY = 0.5
"""Seconds of quiet after the last edit before saving."""

# Savers with an edit not yet written, held (strongly) until it is: a widget dropped before its save
# fired still gets its last edit written at exit.
_PENDING: set[Autosaver] = set()
_PENDING_LOCK = threading.Lock()


def _hold(saver: Autosaver, pending: bool) -> None:
    with _PENDING_LOCK:
        if pending:
            _PENDING.add(saver)
        else:
            _PENDING.discard(saver)


class Autosaver:
    """Runs ``save`` a short while after the last ``schedule()``, and when flushed.

    Args:
        save: Writes the labels; raises on failure.
        report: Called with ``"pending"``, ``"saved"``, or ``"failed"`` and the error.
        delay: Seconds of quiet before saving.
    """

    def __init__(
        self,
        save: Callable[[], None],
        report: Callable[[str, BaseException | None], None],
        delay: float = DELAY,
    ) -> None:
        self._save = save
        self._report = report
        self.delay = delay
        self._timer: threading.Timer | None = None
        self._dirty = False
        self._state = threading.Lock()  # guards the timer and the dirty flag
        self._writing = threading.Lock()  # one save at a time

    @property
    def pending(self) -> bool:
        """Whether an edit waits to be saved."""
        return self._dirty

    def schedule(self) -> None:
        """Save after ``delay`` seconds unless scheduled again before then."""
        with self._state:
            self._dirty = True
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self._fire)
            self._timer.daemon = True  # the exit hook flushes; a timer must not hold the interpreter up
            self._timer.start()
        _hold(self, True)
        self._report("pending", None)

    def _fire(self) -> None:
        try:
            self.flush(raise_errors=False)
        except Exception:  # pragma: no cover - flush reports its own errors; never let a timer thread die loudly
            log.exception("labelspace autosave failed")

    def flush(self, *, raise_errors: bool = True, force: bool = False) -> bool:
        """Save now if an edit is pending (or always, with ``force``).

        Returns:
            Whether a save ran and succeeded.

        Raises:
            Exception: What the save raised, with ``raise_errors`` (it is reported either way).
        """
        with self._writing:
            with self._state:
                if self._timer is not None:
                    self._timer.cancel()
                    self._timer = None
                if not (self._dirty or force):
                    return False
                self._dirty = False
            _hold(self, False)
            try:
                self._save()
            except Exception as e:
                with self._state:
                    self._dirty = True  # still unsaved: the exit hook tries again
                _hold(self, True)
                self._report("failed", e)
                if raise_errors:
                    raise
                log.exception("labelspace autosave failed")
                return False
        self._report("saved", None)
        return True

    def cancel(self) -> None:
        """Forget a pending save."""
        with self._state:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._dirty = False
        _hold(self, False)


def flush_all() -> None:
    """Flush every pending save (called at interpreter exit)."""
    with _PENDING_LOCK:
        savers = list(_PENDING)
    for saver in savers:
        saver.flush(raise_errors=False)


atexit.register(flush_all)
