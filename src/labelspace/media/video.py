"""Videos, read with PyAV (the ``labelspace[video]`` extra).

Frame numbers are positions in presentation order, taken from the packets' timestamps when the
file is opened (demuxing, no decoding), so they are exact for variable frame rates too. Reading
frame ``i`` seeks to the keyframe at or before it and decodes forward; reading on from the last
frame read (the common case when stepping or tracking) decodes on without seeking, from the same
decoding pass: the frames a decoder releases only when it is drained at the end of the file (those
that B-frames hold back) stay in that pass, where the next read finds them. Recent frames are kept
in a small cache. The frame index is kept on disk (``_index_cache``): a video opened again does
not demux the whole file again.
"""

from __future__ import annotations

import os
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.media import _index_cache
from labelspace.media.base import MediaSource, require
from labelspace.model.errors import MediaError

CACHE_FRAMES = 16


class VideoSource(MediaSource):
    """A video file; frames are HxWx3 RGB."""

    kind = "video"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._av = require("av", "videos")
        self.path = Path(path)
        self._container: Any = None
        self._cache: OrderedDict[int, npt.NDArray[np.uint8]] = OrderedDict()
        self._last_decoded = -1  # frame index the decoder stands after, or -1 when it must seek
        self._pass: Iterator[Any] | None = None  # the decoding pass that frame came from
        container = self._open()
        stream = container.streams.video[0]
        cached = _index_cache.load(self.path)
        if cached is not None:
            pts, keys = [int(p) for p in cached[0]], [int(k) for k in cached[1]]
        else:
            pts, keys = self._index(container, stream)
            if pts:
                _index_cache.store(self.path, pts, keys)
        if not pts:
            raise MediaError(f"{self.path}: the video stream holds no frames.")
        self._pts = sorted(pts)
        self._index_of = {p: i for i, p in enumerate(self._pts)}
        self._keyframes = sorted(self._index_of[k] for k in keys) or [0]
        self.number_of_frames = len(self._pts)
        self.width = int(stream.codec_context.width)
        self.height = int(stream.codec_context.height)
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate else None
        self._time_base = stream.time_base
        self._last_decoded = -1
        container.seek(0, stream=stream)

    @staticmethod
    def _index(container: Any, stream: Any) -> tuple[list[int], list[int]]:
        """Every packet's timestamp and the keyframes' (a demuxing pass, no decoding)."""
        pts, keys = [], []
        for packet in container.demux(stream):
            if packet.pts is None:
                continue
            pts.append(packet.pts)
            if packet.is_keyframe:
                keys.append(packet.pts)
        return pts, keys

    def _open(self) -> Any:
        if self._container is None:
            try:
                self._container = self._av.open(str(self.path))
            except (self._av.error.FFmpegError, OSError) as e:
                raise MediaError(f"{self.path}: not a video PyAV can read ({e}).") from None
            if not self._container.streams.video:
                self._container.close()
                self._container = None
                raise MediaError(f"{self.path}: the file has no video stream.")
            self._container.streams.video[0].thread_type = "AUTO"
            self._last_decoded = -1
            self._pass = None
        return self._container

    def close(self) -> None:
        """Close the file (it reopens on the next read)."""
        if self._container is not None:
            self._container.close()
            self._container = None
        self._last_decoded = -1
        self._pass = None

    def timestamp(self, index: int) -> float:
        """Frame ``index``'s presentation time in seconds."""
        index = self._check_index(index)
        return float(self._pts[index] * self._time_base)

    def frame(self, index: int) -> npt.NDArray[np.uint8]:
        """Frame ``index`` (0-based, presentation order) as HxWx3 RGB."""
        index = self._check_index(index)
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        container = self._open()
        stream = container.streams.video[0]
        keyframe = self._keyframes[bisect_right(self._keyframes, index) - 1]
        if self._pass is None or not (keyframe <= self._last_decoded < index):
            container.seek(self._pts[keyframe], stream=stream, backward=True, any_frame=False)
            self._last_decoded = -1
            self._pass = iter(container.decode(stream))
        try:
            return self._decode_to(index)
        except self._av.error.EOFError:
            # The pass ended early (a file cut short): start one afresh from the keyframe, once.
            container.seek(self._pts[keyframe], stream=stream, backward=True, any_frame=False)
            self._last_decoded = -1
            self._pass = iter(container.decode(stream))
            try:
                return self._decode_to(index)
            except self._av.error.EOFError:
                self._pass = None
                self._last_decoded = -1
                raise MediaError(f"{self.path}: frame {index} could not be decoded (the stream ends early).") from None

    def _decode_to(self, index: int) -> npt.NDArray[np.uint8]:
        """Decode on in the current pass up to frame ``index`` (presentation order)."""
        assert self._pass is not None
        for decoded in self._pass:
            if decoded.pts is None:
                continue
            position = self._index_of.get(decoded.pts)
            if position is None:
                continue
            if position < index - CACHE_FRAMES // 2:
                self._last_decoded = position
                continue  # too far back to be asked for next: skip the RGB conversion
            array: npt.NDArray[np.uint8] = decoded.to_ndarray(format="rgb24")
            self._remember(position, array)
            self._last_decoded = position
            if position == index:
                return array
            if position > index:
                break
        # The pass is over, or went past the frame without it: the next read seeks afresh.
        self._last_decoded = -1
        self._pass = None
        raise MediaError(f"{self.path}: frame {index} could not be decoded.")

    def _remember(self, position: int, array: npt.NDArray[np.uint8]) -> None:
        self._cache[position] = array
        self._cache.move_to_end(position)
        while len(self._cache) > CACHE_FRAMES:
            self._cache.popitem(last=False)
