"""The pass that indexes a video: on the opening thread until the first frame is numbered, then in the background.

Opening a video reads packets (demuxing, no decoding) only until frame 0 is numbered and a small
time budget is spent; a short file is indexed whole in that time. The rest is read by a daemon
thread with its own container, which feeds the ``FrameIndex`` a batch of packets at a time and
wakes the readers waiting for frames not yet numbered (a condition variable). When the file ends,
the index is complete and kept in the cache (``_index_cache``).

Stopping (``stop``, from ``VideoSource.close``) ends the thread after its current batch. A read that
needs frames not yet numbered starts the pass again where it stopped: it seeks to the last keyframe
fed, checks that the packets from there are the ones fed already, and goes on; if they do not line
up it reads from the start, checking every packet fed. A failure of the pass is kept and raised, as
``MediaError`` naming the file, by the next call that needs frames the pass did not reach.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from labelspace.media import _index_cache
from labelspace.media._video_index import FrameIndex, Packet
from labelspace.model.errors import MediaError

BATCH = 64
"""Packets fed to the index (and readers woken) at a time."""

WAKE = 0.5
"""Seconds a waiting reader sleeps at most before it looks at the pass again."""

Demux = Callable[[Any, Any], Iterable[Packet]]
"""Given a container and its video stream, the packets from where the container stands, in decode order."""


class BackgroundIndex:
    """A video's ``FrameIndex`` and the pass that fills it.

    Args:
        path: The video (named in errors).
        open_container: Opens the file afresh (each pass has its own container).
        demux: Reads packets from a container (``VideoSource._index``).
        cache_entry: Where the index goes when complete (taken when the file was opened, so that a
            file changed meanwhile is not cached under its new size and time).
        index: An index complete already (from the cache); then there is no pass.
    """

    def __init__(
        self,
        path: Path,
        open_container: Callable[[], Any],
        demux: Demux,
        cache_entry: Path | None,
        index: FrameIndex | None = None,
    ) -> None:
        self.path = path
        self.index = index if index is not None else FrameIndex()
        self._open_container = open_container
        self._demux = demux
        self._cache_entry = cache_entry
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._container: Any = None  # the pass's own; only the thread running the pass touches it
        self._packets: Iterator[Packet] | None = None
        self._error: MediaError | None = None

    # -- running --

    def start(self, budget: float) -> None:
        """Index on this thread until frame 0 is numbered and ``budget`` seconds have gone, then in the background.

        Raises:
            MediaError: If the packets cannot be read.
        """
        deadline = time.perf_counter() + budget
        try:
            self._begin()
            self._pump(lambda: self.index.frame_count > 0 and time.perf_counter() >= deadline)
        except Exception as e:
            self._close_pass()
            raise self._failure(e) from None
        if not self.index.complete:
            self._start_thread()

    def stop(self) -> None:
        """End the background pass (after its current batch) and wait for it; a failure kept is forgotten."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        with self._cond:
            self._error = None  # the next read tries again

    def request_stop(self) -> None:
        """Ask the background pass to end, without waiting (for a reader that is garbage-collected)."""
        self._stop.set()

    @property
    def running(self) -> bool:
        """Whether the background pass is running."""
        return self._thread is not None and self._thread.is_alive()

    def wait(self, ready: Callable[[], bool], timeout: float | None = None) -> bool:
        """Wait until ``ready()`` (checked under the lock) holds, starting the pass again if it was stopped.

        Returns:
            True when ready; False when the index is complete and still not ready, or on timeout.

        Raises:
            MediaError: If the pass failed before getting there.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while not ready():
                if self.index.complete:
                    return False
                if self._error is not None:
                    raise MediaError(str(self._error))
                self._ensure_running()
                remaining = WAKE if deadline is None else min(WAKE, deadline - time.monotonic())
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def _ensure_running(self) -> None:
        if not self.index.complete and self._error is None and not self.running:
            self._start_thread()

    def _start_thread(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="labelspace-video-index", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            if self._packets is None:
                self._begin()
            self._pump(None)
        except Exception as e:
            with self._cond:
                self._error = self._failure(e)
        finally:
            self._close_pass()
            with self._cond:
                self._cond.notify_all()  # readers look again: complete, failed or stopped

    def _failure(self, error: Exception) -> MediaError:
        if isinstance(error, MediaError):
            return error
        return MediaError(
            f"{self.path}: reading the video's packets failed after {len(self.index.decode_pts)} packets "
            f"({type(error).__name__}: {error})."
        )

    # -- the pass --

    def _pump(self, enough: Callable[[], bool] | None) -> None:
        """Feed packets to the index a batch at a time until the file ends, ``enough()`` or a stop."""
        assert self._packets is not None
        batch: list[Packet] = []
        for packet in self._packets:
            batch.append(packet)
            if len(batch) >= BATCH:
                self._publish(batch, finished=False)
                batch = []
                if self._stop.is_set() or (enough is not None and enough()):
                    return
        self._publish(batch, finished=True)
        self._close_pass()
        index = self.index
        keys = [pts for pts, key in zip(index.decode_pts, index.is_key, strict=True) if key]
        _index_cache.store(self.path, index.decode_pts, keys, expected=self._cache_entry)

    def _publish(self, batch: list[Packet], finished: bool) -> None:
        with self._cond:
            self.index.feed(batch)
            if finished:
                self.index.finish()
            self._cond.notify_all()

    def _begin(self) -> None:
        """Open a container and stand its packets right after the last packet fed."""
        fed = len(self.index.decode_pts)
        self._container = self._open_container()
        stream = self._container.streams.video[0]
        if fed:
            keyframe = self.index.is_key.rfind(1)
            if keyframe > 0:
                self._container.seek(self.index.decode_pts[keyframe], stream=stream, backward=True, any_frame=False)
                packets = iter(self._demux(self._container, stream))
                if self._skip(packets, keyframe, fed, aligned=False):
                    self._packets = packets
                    return
                self._container.close()
                self._container = self._open_container()
                stream = self._container.streams.video[0]
        packets = iter(self._demux(self._container, stream))
        if fed and not self._skip(packets, 0, fed, aligned=True):
            raise MediaError(f"{self.path}: the file changed while its frames were being numbered; open it again.")
        self._packets = packets

    def _skip(self, packets: Iterator[Packet], start: int, fed: int, aligned: bool) -> bool:
        """Pass over the packets fed already (decode positions ``start`` to ``fed - 1``), checking each.

        Unless ``aligned``, first pass over what precedes the keyframe at ``start`` (a seek may land
        on an earlier keyframe). False if the packets do not line up with those fed.
        """
        decode_pts = self.index.decode_pts
        if not aligned:
            target = decode_pts[start]
            for pts, _, key in packets:
                if key and pts == target:
                    break
                if key and pts > target:
                    return False  # landed past it
            else:
                return False
            start += 1
        for position in range(start, fed):
            packet = next(packets, None)
            if packet is None or packet[0] != decode_pts[position]:
                return False
        return True

    def _close_pass(self) -> None:
        container, self._container, self._packets = self._container, None, None
        if container is not None:
            container.close()
