"""Videos, read with PyAV (the ``labelspace[video]`` extra).

Frame numbers are positions in presentation order: frame ``i`` is the packet with the ``i``-th
smallest timestamp over the whole file (demuxing, no decoding), so they are exact for variable
frame rates too. Where the timestamps rise in decode order although the pictures are reordered
(H.264 with B-frames in AVI), a picture is numbered by its place in the decoder's output instead
(``_video_reorder``). Opening does not read the whole file: frames are numbered as their packets are
read, the first ones on the opening thread and the rest by a background thread with its own
container (``_video_indexer``; when a number is final is ``_video_index``'s to say). A call that
needs a frame not yet numbered waits for it; ``number_of_frames`` is an estimate from the file's
header until the index is complete (``index_complete``, ``wait_for_index``). The index is kept on
disk (``_index_cache``): a video opened again is numbered at once.

Reading frame ``i`` seeks to the keyframe at or before it and decodes forward; reading on from the
last frame read (the common case when stepping or tracking) decodes on without seeking, from the
same decoding pass: the frames a decoder releases only when it is drained at the end of the file
(those that B-frames hold back) stay in that pass, where the next read finds them. Recent frames
are kept in a small cache.

For the browser's WebCodecs decoder the compressed packets are handed out a keyframe group at a
time (``codec_config``, ``group_of``, ``group``; ``_video_packets``), each packet with the frame
number its timestamp maps to. A reader is used by one thread at a time.
"""

from __future__ import annotations

import os
import weakref
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import numpy.typing as npt

from labelspace.media import _index_cache
from labelspace.media._video_index import FrameIndex, Packet
from labelspace.media._video_indexer import BackgroundIndex
from labelspace.media._video_packets import (
    CHUNK_BYTES,
    CodecConfig,
    VideoGroup,
    VideoPacket,
    codec_config,
    read_group,
    split_packets,
)
from labelspace.media._video_reorder import CHECKED, decode_ordered, renumber
from labelspace.media.base import MediaSource, require
from labelspace.model.errors import MediaError

__all__ = ["CHUNK_BYTES", "CodecConfig", "VideoGroup", "VideoPacket", "VideoSource", "split_packets"]

CACHE_FRAMES = 16

OPEN_BUDGET = 0.05
"""Seconds of packet reading spent on the opening thread once frame 0 is numbered (a short file is indexed whole)."""


def _opener(av: ModuleType, path: Path) -> Callable[[], Any]:
    """Opens the file afresh (for the background pass and for packets; holds no reference to the reader)."""
    return lambda: av.open(str(path))


class VideoSource(MediaSource):
    """A video file; frames are HxWx3 RGB."""

    kind = "video"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._av = require("av", "videos")
        self.path = Path(path)
        self._container: Any = None
        self._packet_container: Any = None
        self._cache: OrderedDict[int, npt.NDArray[np.uint8]] = OrderedDict()
        self._last_decoded = -1  # frame index the decoder stands after, or -1 when it must seek
        self._pass: Iterator[Any] | None = None  # the decoding pass that frame came from
        self._decode_ordered: bool | None = None  # whether they do (``_video_reorder``), once known
        self._config: CodecConfig | None = None
        container = self._open()
        stream = container.streams.video[0]
        self.width = int(stream.codec_context.width)
        self.height = int(stream.codec_context.height)
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate else None
        self._time_base = stream.time_base
        self._estimate = self._estimate_frames(container, stream, self.fps)
        entry = _index_cache.entry(self.path)
        cached = _index_cache.load(entry)
        opener = _opener(self._av, self.path)
        if cached is not None:
            pts, keys = cached
            index = FrameIndex.from_packets(pts, np.isin(pts, keys))
            self._indexer = BackgroundIndex(self.path, opener, self._index, entry, index)
        else:
            self._indexer = BackgroundIndex(self.path, opener, self._index, entry)
            try:
                self._indexer.start(OPEN_BUDGET)
            except MediaError:
                self.close()
                raise
        weakref.finalize(self, self._indexer.request_stop)
        if self._indexer.index.complete and not self._indexer.index.frame_count:
            self.close()
            raise MediaError(f"{self.path}: the video stream holds no frames.")

    @staticmethod
    def _index(container: Any, stream: Any) -> Iterator[Packet]:
        """Every packet's pts, dts and keyframe flag from where the container stands (demuxing, no decoding)."""
        for packet in container.demux(stream):
            if packet.pts is not None:
                yield packet.pts, packet.dts, bool(packet.is_keyframe)

    @staticmethod
    def _estimate_frames(container: Any, stream: Any, fps: float | None) -> int:
        """The number of frames the header announces (MP4 counts them), else duration times rate."""
        if stream.frames:
            return int(stream.frames)
        if fps and stream.duration and stream.time_base:
            return round(float(stream.duration * stream.time_base) * fps)
        if fps and container.duration:
            return round(float(container.duration) / 1_000_000 * fps)
        return 0

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
        """Close the file and stop numbering frames in the background (both resume on the next read)."""
        indexer = getattr(self, "_indexer", None)
        if indexer is not None:
            indexer.stop()
        for container in (self._container, self._packet_container):
            if container is not None:
                container.close()
        self._container = self._packet_container = None
        self._last_decoded = -1
        self._pass = None

    # -- the frame index --

    @property
    def number_of_frames(self) -> int:
        """The number of frames: exact once ``index_complete``, until then the header's estimate."""
        index = self._indexer.index
        if index.complete:
            return index.frame_count
        return max(self._estimate, index.frame_count)

    @number_of_frames.setter
    def number_of_frames(self, value: int) -> None:
        raise AttributeError("A video's number_of_frames is read from the file; it cannot be set.")

    @property
    def index_complete(self) -> bool:
        """Whether every frame is numbered (the whole file has been read), so ``number_of_frames`` is exact."""
        return self._indexer.index.complete

    def wait_for_index(self, timeout: float | None = None) -> bool:
        """Wait until every frame is numbered.

        Args:
            timeout: Seconds to wait at most; None waits as long as it takes.

        Returns:
            Whether the index is complete.

        Raises:
            MediaError: If reading the packets failed.
        """
        index = self._indexer.index
        return self._indexer.wait(lambda: index.complete, timeout)

    def _check_index(self, index: int) -> int:
        """Check a frame number, waiting until it is numbered (or the index is complete and it is past the end)."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise MediaError(f"{self.path}: a frame index must be an int, got {type(index).__name__}.")
        index = int(index)
        self._check_conflict()
        frames = self._indexer.index
        if index < 0 or not self._indexer.wait(lambda: index < frames.frame_count):
            raise MediaError(f"{self.path}: frame {index} is outside 0..{self.number_of_frames - 1}.")
        return index

    def _check_conflict(self) -> None:
        conflict = self._indexer.index.conflict
        if conflict is not None:
            raise MediaError(
                f"{self.path}: frame numbers given out while the video was being indexed may be wrong: {conflict}. "
                f"Open the video again after wait_for_index(): it is then numbered from its complete index."
            )

    def timestamp(self, index: int) -> float:
        """Frame ``index``'s presentation time in seconds."""
        index = self._check_index(index)
        return float(self._indexer.index.frame_pts[index] * self._time_base)

    # -- frames --

    def frame(self, index: int) -> npt.NDArray[np.uint8]:
        """Frame ``index`` (0-based, presentation order) as HxWx3 RGB."""
        index = self._check_index(index)
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        container = self._open()
        stream = container.streams.video[0]
        frames = self._indexer.index
        before = bisect_right(frames.keyframes, index) - 1  # every keyframe shown before a numbered frame is numbered
        keyframe = frames.keyframes[before] if before >= 0 else 0
        seek_to = frames.frame_pts[keyframe]
        if self._pass is None or not (keyframe <= self._last_decoded < index):
            container.seek(seek_to, stream=stream, backward=True, any_frame=False)
            self._last_decoded = -1
            self._pass = iter(container.decode(stream))
        try:
            return self._decode_to(index)
        except self._av.error.EOFError:
            # The pass ended early (a file cut short): start one afresh from the keyframe, once.
            container.seek(seek_to, stream=stream, backward=True, any_frame=False)
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
        frame_of = self._indexer.index.frame_of
        counted = self._timestamps_in_decode_order()
        for decoded in self._pass:
            if decoded.pts is None:
                continue
            if counted and self._last_decoded >= 0:
                position: int | None = self._last_decoded + 1  # the picture after the last one of this pass
            else:
                position = frame_of(decoded.pts)  # where counted: the pass's first picture, its keyframe's own
            if position is None:
                continue  # not numbered yet: past the frame asked for
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

    def _timestamps_in_decode_order(self) -> bool:
        """Whether pictures are numbered by their place in the decoder's output (``_video_reorder``), not their pts."""
        if self._decode_ordered is None:
            index = self._indexer.index
            self._indexer.wait(lambda: len(index.decode_pts) >= CHECKED)
            reorders = bool(self._open().streams.video[0].codec_context.has_b_frames)
            self._decode_ordered = decode_ordered(reorders, index.decode_pts)
        return self._decode_ordered

    def _remember(self, position: int, array: npt.NDArray[np.uint8]) -> None:
        self._cache[position] = array
        self._cache.move_to_end(position)
        while len(self._cache) > CACHE_FRAMES:
            self._cache.popitem(last=False)

    # -- packets for the browser --

    def codec_config(self) -> CodecConfig:
        """How to configure a WebCodecs ``VideoDecoder`` for this video (see ``CodecConfig``)."""
        if self._config is None:
            self._config = codec_config(self._open().streams.video[0], self._first_packet)
        return self._config.copy()

    def _first_packet(self) -> bytes | None:
        with self._av.open(str(self.path)) as container:
            for packet in container.demux(container.streams.video[0]):
                if packet.size:
                    return bytes(packet)
        return None

    @property
    def group_count(self) -> int:
        """The number of keyframe groups known end to end (all of them once ``index_complete``)."""
        return self._indexer.index.group_count

    def group_of(self, frame: int) -> int:
        """The keyframe group that holds a frame (waiting until that group is known end to end).

        Raises:
            MediaError: If the frame is outside the video.
        """
        frame = self._check_index(frame)
        index = self._indexer.index
        self._indexer.wait(lambda: index.group_known(frame))
        return bisect_right(index.starts, frame) - 1

    def group_range(self, group: int) -> tuple[int, int]:
        """The first and last frame of a keyframe group, without reading its packets (waiting until it is known).

        A stream with open groups (leading B-frames after a keyframe, as x265 writes by default) has
        its groups merged until one starts cleanly, so a group can be long: look before reading it.

        Raises:
            MediaError: If there is no such group.
        """
        return self._indexer.index.group_bounds(self._check_group(group))

    def _check_group(self, group: int) -> int:
        if isinstance(group, bool) or not isinstance(group, (int, np.integer)):
            raise MediaError(f"{self.path}: a group number must be an int, got {type(group).__name__}.")
        group = int(group)
        self._check_conflict()
        index = self._indexer.index
        if group < 0 or not self._indexer.wait(lambda: group < index.group_count):
            raise MediaError(f"{self.path}: group {group} is outside 0..{index.group_count - 1}.")
        return group

    def group(self, group: int) -> VideoGroup:
        """Keyframe group ``group``: its frames and its packets in decode order (demuxed, not decoded).

        Fed in order to a fresh decoder (configured with ``codec_config()``), the packets decode to
        exactly the frames ``first`` to ``last``; the groups cover every frame once.

        Raises:
            MediaError: If there is no such group, or the file cannot be read or has changed.
        """
        group = self._check_group(group)
        index = self._indexer.index
        opener = _opener(self._av, self.path)
        try:
            if self._packet_container is None:
                self._packet_container = opener()
            packets, self._packet_container = read_group(opener, self._packet_container, index, group)
        except (self._av.error.FFmpegError, OSError) as e:
            stale, self._packet_container = self._packet_container, None  # it may stand anywhere now, or be closed
            if stale is not None:
                stale.close()
            raise MediaError(f"{self.path}: the packets of group {group} could not be read ({e}).") from None
        first, last = index.group_bounds(group)
        if packets is not None and self._timestamps_in_decode_order():
            packets = renumber(self._av, self._open().streams.video[0], packets, first)
        if packets is None or sorted(p.frame for p in packets if p.frame is not None) != list(range(first, last + 1)):
            raise MediaError(
                f"{self.path}: the packets of group {group} do not match the frames numbered when the video was "
                f"opened (frames {first}..{last}); has the file changed? Open it again."
            )
        return VideoGroup(group, first, last, packets)
