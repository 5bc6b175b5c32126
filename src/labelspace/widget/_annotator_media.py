"""Frames of a row's spaces for the Annotator's browser: found, read, encoded once, kept, and fetched ahead.

Where a space's pixels come from: what the user gave (``media={space_id: path or array}``), else
the path the space records (``space.media``, as ``LabelRow.from_media`` and the formats set it).
A relative recorded path is looked for from the working folder, then from the other folders
given (the autosave file's folder: a labels file keeps its media paths relative to itself).

Image files the browser shows (JPEG, PNG, WebP, GIF) go as their own bytes; frames of videos
and volumes (and arrays) are encoded by ``_images``. Encoded frames are kept in a bounded LRU;
``prefetch`` encodes frames on a background thread so that the browser's request finds them ready.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from labelspace.formats._paths import is_url
from labelspace.media.base import MediaSource, open_media
from labelspace.model.errors import MediaError
from labelspace.model.spaces import MultiFrameSpace, Space
from labelspace.widget import _images
from labelspace.widget._images import EncodedImage

CAPACITY = 64
"""Encoded frames kept."""

OPEN_SOURCES = 4
"""Videos and volumes kept open (a reopened video is indexed from the cache, but its decoder starts afresh)."""


@dataclass(frozen=True)
class Located:
    """Where a space's pixels are: a file, or what the user gave (an array, or a sequence of frames)."""

    space_id: str
    multi_frame: bool
    path: Path | None = None
    given: Any = None


def given_frame(located: Located, frame: int) -> Any:
    """Frame ``frame`` of what the user gave for a space: an image, or a path to one.

    Raises:
        MediaError: If the media given has no such frame.
    """
    item = located.given
    if not located.multi_frame:
        return item
    try:
        return item[frame]
    except (IndexError, KeyError, TypeError):
        raise MediaError(
            f"The media given for space {located.space_id!r} has no frame {frame}: give an array (or a list) "
            f"with one image per frame."
        ) from None


class GivenFrames:
    """What the user gave for a video or volume (an array, or a list of images or paths) as a frame source."""

    def __init__(self, located: Located, number_of_frames: int) -> None:
        self._located = located
        self.number_of_frames = number_of_frames

    def frame(self, index: int) -> Any:
        """Frame ``index`` as an RGB uint8 array."""
        item = given_frame(self._located, index)
        if _images.is_path(item):
            with open_media(item) as source:
                return source.frame(0)
        return _images.to_uint8_image(item, "RGB")


class FrameStore:
    """Finds, reads and encodes frames of spaces, keeping the last ``capacity`` encoded.

    Args:
        given: ``{space_id: path or array}`` from the user; an array (or a list) for a video or
            volume is indexed by frame.
        roots: Folders a relative recorded media path is looked for in, after the working folder.
        capacity: How many encoded frames to keep.
    """

    def __init__(self, given: Mapping[str, Any], roots: Sequence[Path] = (), capacity: int = CAPACITY) -> None:
        self._given = dict(given)
        self._roots = list(roots)
        self._capacity = capacity
        self._cache: OrderedDict[Hashable, EncodedImage] = OrderedDict()
        self._pending: dict[Hashable, Future[EncodedImage]] = {}
        self._lock = threading.Lock()  # guards the cache and the pending table
        self._read_lock = threading.Lock()  # a reader is used by one thread at a time
        self._sources: OrderedDict[Path, MediaSource] = OrderedDict()
        self._executor: ThreadPoolExecutor | None = None
        self._generation = 0  # bumped by clear(): a fetch started before it is not kept

    # -- finding --

    def locate(self, space: Space) -> Located:
        """Where a space's pixels are.

        Raises:
            MediaError: If the space has no media, or its recorded path is a URL or is not found.
        """
        multi = isinstance(space, MultiFrameSpace)
        given = self._given.get(space.space_id)
        if given is not None:
            if _images.is_path(given):
                return Located(space.space_id, multi, path=Path(os.fspath(given)))
            return Located(space.space_id, multi, given=given)
        media = space.media
        how = (
            f"Give it with Annotator(source, media={{{space.space_id!r}: 'path/to/file'}}) (a path or an array), "
            f"or set space.media and call annotator.refresh()."
        )
        if not media:
            raise MediaError(f"Space {space.space_id!r} has no media to show: no path is recorded for it. {how}")
        if is_url(media):
            raise MediaError(
                f"Space {space.space_id!r} records its media as a URL ({media[:80]!r}); the Annotator reads local "
                f"files. Download it, then {how[0].lower()}{how[1:]}"
            )
        path = Path(media)
        if path.is_absolute() or path.exists():
            return Located(space.space_id, multi, path=path)
        for root in self._roots:
            if (root / path).exists():
                return Located(space.space_id, multi, path=root / path)
        places = ", ".join(repr(str(p)) for p in [Path.cwd(), *self._roots])
        raise MediaError(
            f"Space {space.space_id!r}: its media {media[:80]!r} was not found (looked from {places}). {how}"
        )

    @staticmethod
    def open_for_tracking(located: Located, number_of_frames: int) -> tuple[Any, Callable[[], None]]:
        """Frames for a tracker on another thread: a reader of its own (or the frames given), and how to close it.

        Raises:
            MediaError: If the media cannot be opened.
        """
        if located.path is not None:
            source = open_media(located.path)
            source.wait_for_index()
            return source, source.close
        return GivenFrames(located, number_of_frames), lambda: None

    # -- reading --

    def _open(self, path: Path) -> MediaSource:
        source = self._sources.get(path)
        if source is not None:
            self._sources.move_to_end(path)
            return source
        source = self._sources[path] = open_media(path)
        while len(self._sources) > OPEN_SOURCES:
            _, old = self._sources.popitem(last=False)
            old.close()
        return source

    @contextmanager
    def reading(self, located: Located) -> Iterator[MediaSource | None]:
        """The open reader of a space's media file, for this thread alone while the block runs.

        None for media given as arrays.

        Raises:
            MediaError: If the file cannot be opened.
        """
        if located.path is None:
            yield None
            return
        with self._read_lock:
            yield self._open(located.path)

    def encode(self, located: Located, frame: int) -> EncodedImage:
        """Read and encode one frame.

        Raises:
            MediaError: If the frame cannot be read (the message names the file).
            LabelspaceError: Other labelspace errors of the readers and encoders (a missing extra, a bad array).
        """
        if located.path is not None:
            with self._read_lock:
                source = self._open(located.path)
                if source.kind != "image":
                    return _images.from_array(source.frame(frame), colorspace="RGB")
            if frame != 0:
                raise MediaError(f"{located.path}: an image has only frame 0, not frame {frame}.")
            return _images.from_file(located.path)
        item = given_frame(located, frame)
        if _images.is_path(item):
            return _images.from_file(item)
        return _images.from_array(item, colorspace="RGB")

    def get(self, key: Hashable, space: Space, frame: int) -> EncodedImage:
        """A frame of a space, encoded: from the cache, from a prefetch under way, or read now.

        Raises:
            LabelspaceError: If the media cannot be found or read.
        """
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            future = self._pending.get(key)
        if future is not None:
            return future.result()
        encoded = self.encode(self.locate(space), frame)
        self._remember(key, encoded)
        return encoded

    def _remember(self, key: Hashable, encoded: EncodedImage) -> None:
        with self._lock:
            self._cache[key] = encoded
            self._cache.move_to_end(key)
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)

    def cached(self, key: Hashable) -> bool:
        """Whether a frame is encoded and kept."""
        with self._lock:
            return key in self._cache

    # -- fetching ahead --

    def prefetch(self, items: Iterable[tuple[Hashable, Space, int]]) -> list[Future[EncodedImage]]:
        """Encode frames on a background thread, in order; spaces without readable media are skipped.

        So are videos and volumes read from files: the browser asks for their packets or values
        (``_annotator_stream``), and for encoded frames only where it cannot decode them.

        Returns:
            The futures of the frames started (those not already kept or under way).
        """
        started = []
        for key, space, frame in items:
            with self._lock:
                if key in self._cache or key in self._pending:
                    continue
            try:
                located = self.locate(space)  # on the caller's thread: the space is not read by the worker
            except MediaError:
                continue
            if located.multi_frame and located.path is not None:
                # A video or volume file goes to the browser as packets or values, not as encoded
                # frames: decoding its frame here would only hold up the reader the browser waits for.
                continue
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="labelspace-annotator-frames")
            future = self._executor.submit(self.encode, located, frame)
            with self._lock:
                self._pending[key] = future
                generation = self._generation
            future.add_done_callback(lambda f, key=key, g=generation: self._settle(key, f, g))  # type: ignore[misc]
            started.append(future)
        return started

    def warm(self, spaces: Iterable[tuple[Space, int]], prepare: Callable[[Path, MediaSource, int], object]) -> None:
        """Open the video and volume files of ``spaces`` on the background thread, and ``prepare`` each.

        What the browser asks for first about a multi-frame file (its description, the packets of
        the frame it shows) then finds the file open and the work done. ``prepare(path, source,
        frame)`` runs on that thread with the reader held, as ``reading`` holds it. Failures are
        left for the browser's own request to report.
        """
        for space, frame in spaces:
            try:
                located = self.locate(space)  # on the caller's thread: the space is not read by the worker
            except MediaError:
                continue
            if not located.multi_frame or located.path is None:
                continue
            with self._lock:
                generation = self._generation
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="labelspace-annotator-frames")
            self._executor.submit(self._warm_one, located.path, frame, prepare, generation)

    def _warm_one(
        self, path: Path, frame: int, prepare: Callable[[Path, MediaSource, int], object], generation: int
    ) -> None:
        try:
            with self._read_lock:
                if generation != self._generation:
                    return  # cleared since: the media may have changed
                prepare(path, self._open(path), frame)
        except Exception:  # the browser's request reads it again and says what failed
            return

    def _settle(self, key: Hashable, future: Future[EncodedImage], generation: int) -> None:
        with self._lock:
            if self._pending.get(key) is future:
                del self._pending[key]
            if generation != self._generation or future.cancelled() or future.exception() is not None:
                return
        self._remember(key, future.result())

    def clear(self) -> None:
        """Forget every encoded frame (after the media or the rows changed)."""
        with self._lock:
            self._generation += 1
            self._pending.clear()
            self._cache.clear()
        with self._read_lock:
            for source in self._sources.values():
                source.close()
            self._sources.clear()

    def close(self) -> None:
        """Stop fetching ahead and close open files."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None
        self.clear()
