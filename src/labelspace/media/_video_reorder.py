"""Videos whose timestamps follow decode order although their pictures are reordered.

AVI has no presentation timestamps: FFmpeg gives its packets a count in decode order. With
H.264 B-frames the decoder shows pictures in another order than it receives them, so the
timestamps no longer say which picture is which frame: the packet shown third may carry the
second timestamp. Frame numbers stay the ranks of those timestamps (their count is right), but a
picture's number is its place in the decoder's output instead: a closed group decodes into its
frames in order, its keyframe first.

``decode_ordered`` tells such a stream from the rest (pictures reordered, yet timestamps only
rising in decode order); ``renumber`` gives a group's packets the frames their pictures are, by
decoding the group once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise
from typing import Any

from labelspace.media._video_packets import VideoPacket
from labelspace.model.errors import MediaError

CHECKED = 64
"""Packets looked at. With presentation timestamps and B-frames, one falls within the first group."""


def decode_ordered(reorders: bool, decode_pts: Sequence[int]) -> bool:
    """Whether the timestamps (``decode_pts``, in decode order) only rise, in a stream whose pictures are reordered.

    Only the first ``CHECKED`` are looked at.
    """
    pts = decode_pts[:CHECKED]
    return reorders and len(pts) > 1 and all(a < b for a, b in pairwise(pts))


def renumber(av: Any, stream: Any, packets: Sequence[VideoPacket], first: int) -> tuple[VideoPacket, ...]:
    """The group's packets, each with the frame its picture is: ``first`` plus its place in the decoder's output.

    Args:
        av: The PyAV module.
        stream: The video stream (its codec and extradata configure the decoder).
        packets: The group in decode order, from its keyframe.
        first: The group's first frame.

    Raises:
        MediaError: If the pictures decoded are not one a packet (the group does not decode on its own).
    """
    context = av.CodecContext.create(stream.codec_context.codec.name, "r")
    context.thread_type = "AUTO"  # the pictures come out in the order shown all the same, after the last packet
    if stream.codec_context.extradata:
        context.extradata = bytes(stream.codec_context.extradata)
    shown: list[int] = []  # decode positions, in the order the decoder shows their pictures
    for position, p in enumerate(packets):
        packet = av.Packet(p.data)
        packet.pts = packet.dts = position
        shown += [int(picture.pts) for picture in context.decode(packet)]
    shown += [int(picture.pts) for picture in context.decode(None)]
    numbered = [position for position, p in enumerate(packets) if p.frame is not None]
    if sorted(shown) != numbered:
        raise MediaError(
            f"The group from frame {first} decoded into {len(shown)} pictures for {len(numbered)} packets: its "
            "frames cannot be told apart (the video's timestamps follow decode order)."
        )
    frame_of = {position: first + rank for rank, position in enumerate(shown)}
    return tuple(
        replace(p, frame=frame_of[position]) if p.frame is not None else p for position, p in enumerate(packets)
    )
