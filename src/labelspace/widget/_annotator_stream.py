"""What the Annotator's browser is sent for videos and volumes instead of finished pictures.

A video goes as its compressed packets, a keyframe group at a time, for the browser's WebCodecs
decoder; a volume goes as slices of values at full bit depth, windowed in the browser. The
``_media`` command says which of these a space's media allow (``describe``); ``GroupParts`` cuts
a video's groups into messages of at most ``CHUNK_BYTES`` and keeps the last few groups read, so
that the parts of one group are demuxed once.

A part travels as a JSON header and one buffer with the packets' payloads end to end::

    {"group": g, "first": first frame, "last": last frame, "part": k, "parts": n,
     "frames": [frame shown by each packet, -1 for none], "keys": [1 for a keyframe, else 0],
     "sizes": [payload bytes of each packet],
     "drops": [1 for a packet no other picture refers to (``disposable``), else 0]}

Packets are in decode order; fed in order to a decoder configured as ``describe`` says, the parts
of a group decode on their own to exactly its frames. A packet's frame number is what the browser
uses as the chunk's timestamp, so that each decoded picture says which frame it is. A jump to a
frame may leave out the packets marked in ``drops`` that show frames before it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from labelspace.media._video_disposable import disposable
from labelspace.media._video_packets import CHUNK_BYTES
from labelspace.media._volume import VolumeSource
from labelspace.media.base import MediaSource
from labelspace.media.video import VideoSource
from labelspace.model.errors import MediaError
from labelspace.widget._volume import describe_volume

GROUPS_KEPT = 4
"""Keyframe groups whose parts are kept (a group's parts are asked for one after another)."""


def describe(source: MediaSource) -> tuple[dict[str, Any], list[bytes]]:
    """How a space's media go to the browser: ``kind`` "video" (packets), "volume" (slices) or "frames".

    A video's description carries its decoder configuration (``codec``, ``coded_width``,
    ``coded_height``, ``annexb``, ``codec_name``) and, when the stream has one, the decoder
    configuration record as the one buffer. A volume's is ``describe_volume``'s. Anything else
    (images, colour volumes) goes as encoded frames.
    """
    if isinstance(source, VideoSource):
        config = source.codec_config()
        description = config.get("description")
        header: dict[str, Any] = {
            "kind": "video",
            "codec": config["codec"],
            "codec_name": config["codec_name"],
            "coded_width": config["coded_width"],
            "coded_height": config["coded_height"],
            "annexb": config["annexb"],
            "has_description": description is not None,
        }
        return header, [description] if description is not None else []
    if isinstance(source, VolumeSource) and len(source.shape) == 3 and source.raw(0).ndim == 2:
        return {"kind": "volume", **describe_volume(source)}, []
    return {"kind": "frames"}, []


class GroupParts:
    """The parts of videos' keyframe groups, as the browser asks for them, the last ``kept`` groups kept.

    Args:
        max_bytes: Payload of one part at most (a packet larger than this goes alone).
        kept: How many groups to keep.
    """

    def __init__(self, max_bytes: int = CHUNK_BYTES, kept: int = GROUPS_KEPT) -> None:
        self._max_bytes = max_bytes
        self._kept = kept
        self._groups: OrderedDict[tuple[Any, int], list[tuple[dict[str, Any], bytes]]] = OrderedDict()

    def part(self, key: Any, source: VideoSource, frame: int, part: int) -> tuple[dict[str, Any], bytes]:
        """Part ``part`` of the group that holds ``frame`` of a video (``key`` names the video).

        Raises:
            MediaError: If the frame is outside the video, its packets cannot be read, or the group
                has no such part.
        """
        group = source.group_of(frame)
        parts = self._groups.get((key, group))
        if parts is None:
            parts = self._cut(source, group)
            self._groups[(key, group)] = parts
            while len(self._groups) > self._kept:
                self._groups.popitem(last=False)
        else:
            self._groups.move_to_end((key, group))
        if not 0 <= part < len(parts):
            raise MediaError(f"{source.path}: group {group} has parts 0..{len(parts) - 1}, not {part}.")
        return parts[part]

    def _cut(self, source: VideoSource, group: int) -> list[tuple[dict[str, Any], bytes]]:
        read = source.group(group)
        config = source.codec_config()
        runs = read.chunks(self._max_bytes)
        out = []
        for k, run in enumerate(runs):
            header = {
                "group": read.index,
                "first": read.first,
                "last": read.last,
                "part": k,
                "parts": len(runs),
                "frames": [-1 if p.frame is None else p.frame for p in run],
                "keys": [int(p.is_keyframe) for p in run],
                "sizes": [len(p.data) for p in run],
                "drops": [int(disposable(p.data, config)) for p in run],
            }
            out.append((header, b"".join(p.data for p in run)))
        return out

    def forget(self) -> None:
        """Drop every kept group (the media changed)."""
        self._groups.clear()
