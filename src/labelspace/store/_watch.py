"""Noticing other people's edits to an open row: PostgreSQL LISTEN/NOTIFY, or polling SQLite.

Every edit's transaction notifies the ``labelspace_edits`` channel on PostgreSQL (delivered at
commit) with the row id; a ``RowWatcher`` listens on its own connection. On SQLite it asks, twice
a second, for the row's newest edit id (one indexed read in WAL mode, which never waits for a writer).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from labelspace.store._log import CHANNEL

if TYPE_CHECKING:
    from labelspace.store.session import StoredRow

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5


class RowWatcher:
    """Calls ``on_change()`` (on its own thread) when the store holds edits to the row the session has not seen.

    Args:
        stored: The open row.
        on_change: Called with no arguments; it should pull the edits in (``stored.pull()``).
    """

    def __init__(self, stored: StoredRow, on_change: Callable[[], None]) -> None:
        self._stored = stored
        self._on_change = on_change
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"labelspace-watch-{stored.row_id}", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Stop watching (the thread ends within a poll)."""
        self._stop.set()

    def _check(self) -> None:
        try:
            if self._stored.changed():
                self._on_change()
        except Exception:  # a passing database failure: try again at the next poll
            log.debug("Watching row %s failed", self._stored.row_id, exc_info=True)

    def _run(self) -> None:
        if self._stored.store.dialect == "postgresql":
            try:
                self._listen()
                return
            except Exception:  # no listening connection: poll instead
                log.debug("LISTEN failed; polling row %s", self._stored.row_id, exc_info=True)
        while not self._stop.wait(POLL_SECONDS):
            self._check()

    def _listen(self) -> None:
        import psycopg

        url = self._stored.store.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            wanted = str(self._stored.row_id)
            self._check()  # edits made before listening began
            while not self._stop.is_set():
                for note in connection.notifies(timeout=POLL_SECONDS):
                    if note.payload == wanted:
                        self._check()
                    if self._stop.is_set():
                        break


__all__ = ["POLL_SECONDS", "RowWatcher"]
