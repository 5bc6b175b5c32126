"""Frame numbers of a video, worked out from its packets' timestamps while the packets are still arriving.

Frame ``i`` is the packet with the ``i``-th smallest presentation timestamp (pts) over the whole
file. Packets arrive in decode order and, with B-frames, a later packet can carry a smaller pts, so
a pts seen early does not yet know its rank. A pts is *final* (its frame number can no longer
change) once no packet still to come can have a smaller one. Two rules give that lower bound:

- Decode timestamps. A frame is shown no earlier than it is decoded (pts >= dts) and packets come
  in decode order (dts never decreases), so nothing still to come has a pts below the last dts
  seen. Used while every packet so far has carried a dts that obeys both (MP4, MPEG-TS).
- Keyframe segments, where dts are missing (Matroska stores none; the demuxer guesses them).
  Reordering reaches back no further than the segment before (the leading B-frames of an open
  group are shown after the previous segment's frames), so nothing still to come has a pts below
  the smallest one of the previous and the current segment.

At the end of the file every pts is final. A packet that breaks the bound all the same (its pts
below a frame already numbered) is recorded as ``conflict``: the numbers given out may be wrong.
The pass goes on, and at the end the index is rebuilt from all the timestamps, so it is right then.

Groups for the browser's decoder: decode-order runs of packets, from a keyframe up to the next
keyframe that starts a group. A keyframe starts a group only if the packets before it are exactly
the frames before it, and it is itself the next frame (no leading frames, which would need the
previous group's pictures to decode). Then group ``g`` holds the packets at decode positions
``starts[g]`` to ``starts[g + 1] - 1`` and they are exactly the frames with those numbers. Open
groups (leading B-frames) are merged with the group before them, so every group decodes on its own.

The index only grows: a frame number, keyframe or group start, once recorded, is never changed
(except by the rebuild after a conflict), so readers may look up recorded entries without a lock.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable
from typing import Any

import numpy as np
import numpy.typing as npt

Packet = tuple[int, "int | None", bool]
"""What the index needs of a packet: its pts, its dts (or None) and whether it is a keyframe."""


class FrameIndex:
    """The frame numbers of one video, fed its packets in decode order.

    Attributes:
        decode_pts: Every packet's pts, in decode order (packets without a pts are left out).
        is_key: Per decode position, 1 for a keyframe packet.
        frame_pts: The pts of every final frame, in presentation order: frame ``i`` is ``frame_pts[i]``.
        keyframes: Frame numbers of the final keyframes, increasing.
        starts: The first frame (equal to the first decode position) of every group whose start is known.
        complete: Whether the whole file has been fed.
        conflict: Why frame numbers given out may have been wrong, if a packet broke the rules above.
    """

    def __init__(self) -> None:
        self.decode_pts: list[int] = []
        self.is_key = bytearray()
        self.frame_pts: list[int] = []
        self.keyframes: list[int] = []
        self.starts: list[int] = [0]
        self.complete = False
        self.conflict: str | None = None
        self._pending: list[tuple[int, int]] = []  # heap of (pts, decode position) not yet final
        self._key_frame: dict[int, int] = {}  # decode position of a keyframe not yet judged -> its frame number
        self._candidates: deque[tuple[int, int]] = deque()  # (decode position, largest pts before it) of keyframes
        self._prefix_max: int | None = None
        self._dts_ok = True
        self._last_dts: int | None = None
        self._previous_min: int | None = None  # smallest pts of the previous keyframe segment
        self._current_min: int | None = None  # ... and of the current one so far

    # -- reading --

    @property
    def frame_count(self) -> int:
        """How many frames are numbered (all of them once complete)."""
        return len(self.frame_pts)

    @property
    def group_count(self) -> int:
        """How many groups are known end to end."""
        return len(self.starts) if self.complete else len(self.starts) - 1

    def frame_of(self, pts: int) -> int | None:
        """The number of the frame with this pts, if it is numbered (``frame_pts`` is sorted: a bisection)."""
        frame = bisect_left(self.frame_pts, pts)
        return frame if frame < len(self.frame_pts) and self.frame_pts[frame] == pts else None

    def group_bounds(self, group: int) -> tuple[int, int]:
        """The first and last frame of a group known end to end."""
        first = self.starts[group]
        last = self.starts[group + 1] - 1 if group + 1 < len(self.starts) else len(self.frame_pts) - 1
        return first, last

    def group_known(self, frame: int) -> bool:
        """Whether the group holding a frame is known end to end."""
        return self.complete or frame < self.starts[-1]

    # -- feeding --

    def feed(self, packets: Iterable[Packet]) -> None:
        """Take the next packets (decode order) and number every frame that has become final."""
        # One loop with the state in locals: this runs for every packet of the file.
        decode_pts, is_key, pending, candidates = self.decode_pts, self.is_key, self._pending, self._candidates
        push = heapq.heappush
        last_numbered = self.frame_pts[-1] if self.frame_pts else None
        prefix_max, dts_ok, last_dts = self._prefix_max, self._dts_ok, self._last_dts
        previous_min, current_min = self._previous_min, self._current_min
        position = len(decode_pts)
        for pts, dts, key in packets:
            if last_numbered is not None and pts < last_numbered and self.conflict is None:
                self.conflict = (
                    f"packet {position} (in decode order) has timestamp {pts}, below that of frame "
                    f"{len(self.frame_pts) - 1} ({last_numbered}), which was already numbered"
                )
            if key:
                if position and prefix_max is not None:
                    candidates.append((position, prefix_max))
                previous_min, current_min = current_min, pts
            elif current_min is None or pts < current_min:
                current_min = pts
            decode_pts.append(pts)
            is_key.append(1 if key else 0)
            if prefix_max is None or pts > prefix_max:
                prefix_max = pts
            push(pending, (pts, position))
            if dts_ok:
                if dts is None or pts < dts or (last_dts is not None and dts < last_dts):
                    dts_ok = False
                else:
                    last_dts = dts
            position += 1
        self._prefix_max, self._dts_ok, self._last_dts = prefix_max, dts_ok, last_dts
        self._previous_min, self._current_min = previous_min, current_min
        if dts_ok:
            bound = last_dts
        elif previous_min is not None and current_min is not None:
            bound = min(previous_min, current_min)
        else:
            bound = None
        if bound is not None:
            self._release(bound)
        self._judge()

    def finish(self) -> None:
        """The file has ended: every frame is final."""
        self._release(None)
        self._judge()
        if self.conflict is not None:
            rebuilt = FrameIndex.from_packets(self.decode_pts, np.frombuffer(bytes(self.is_key), np.uint8))
            self.frame_pts = rebuilt.frame_pts
            self.keyframes, self.starts = rebuilt.keyframes, rebuilt.starts
        self.complete = True

    def _release(self, bound: int | None) -> None:
        """Number every pending frame whose pts is below ``bound`` (nothing to come can precede it); all if None."""
        pending, pop = self._pending, heapq.heappop
        frame_pts, is_key = self.frame_pts, self.is_key
        while pending and (bound is None or pending[0][0] < bound):
            pts, position = pop(pending)
            frame = len(frame_pts)
            frame_pts.append(pts)
            if is_key[position]:
                self.keyframes.append(frame)
                if position > 0:  # the first packet always starts group 0: it is never judged
                    self._key_frame[position] = frame

    def _judge(self) -> None:
        """Decide, in decode order, which keyframes whose number is final start a group."""
        while self._candidates and self._candidates[0][0] in self._key_frame:
            position, before = self._candidates.popleft()
            frame = self._key_frame.pop(position)
            if before < self.decode_pts[position] and frame == position:
                self.starts.append(position)

    # -- all at once --

    @classmethod
    def from_packets(cls, pts: Any, is_key: Any) -> FrameIndex:
        """The complete index of a whole file at once (vectorised; for a cached index).

        Args:
            pts: Every packet's pts in decode order.
            is_key: Per packet, whether it is a keyframe.
        """
        decode = np.asarray(pts, np.int64)
        keys = np.asarray(is_key, bool)
        n = len(decode)
        order = np.argsort(decode, kind="stable")  # equal timestamps keep their decode order, as the heap does
        rank: npt.NDArray[np.int64] = np.empty(n, np.int64)
        rank[order] = np.arange(n)
        key_positions = np.flatnonzero(keys)
        candidates = key_positions[key_positions > 0]
        before = np.maximum.accumulate(decode)[candidates - 1] if n else decode[:0]
        starting = candidates[(before < decode[candidates]) & (rank[candidates] == candidates)]
        index = cls()
        index.decode_pts = decode.tolist()
        index.is_key = bytearray(keys.astype(np.uint8).tobytes())
        index.frame_pts = decode[order].tolist()
        index.keyframes = np.sort(rank[key_positions]).tolist()
        index.starts = [0, *starting.tolist()]
        index.complete = True
        return index
