"""Keyframe groups of compressed packets, and the decoder configuration, for the browser's WebCodecs decoder.

The browser decodes video itself (``VideoDecoder``); the kernel only demuxes. ``codec_config``
describes the stream as WebCodecs wants it (the codec string, the ``description`` record);
``read_group`` demuxes one keyframe group (``_video_index`` says where the groups are) by seeking
to its keyframe and reading up to the next group's, without decoding, and checks every packet
against the index. Each packet carries the frame number its pts maps to, so the frame the browser
paints is the frame Python numbers. ``split_packets`` cuts a group into messages of bounded size.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from labelspace.media._video_index import FrameIndex
from labelspace.model.errors import MediaError

CHUNK_BYTES = 4 * 1024 * 1024
"""Default payload of one message (JupyterLab's websocket refuses messages above about 10 MB)."""


@dataclass(frozen=True, slots=True)
class VideoPacket:
    """One compressed packet.

    Attributes:
        data: The payload, as the container holds it (length-prefixed NAL units for H.264 in MP4).
        pts: Presentation timestamp, in the stream's time base (None if the container gives none).
        dts: Decode timestamp (None if the container gives none).
        is_keyframe: Whether decoding can start here.
        frame: The frame number (presentation order) of the picture this packet shows; None without a pts.
        duration: In the stream's time base (None if unknown).
    """

    data: bytes
    pts: int | None
    dts: int | None
    is_keyframe: bool
    frame: int | None
    duration: int | None


@dataclass(frozen=True, slots=True)
class VideoGroup:
    """A keyframe group: packets in decode order that decode on their own into frames ``first`` to ``last``.

    Attributes:
        index: The group's number.
        first: Its first frame (presentation order).
        last: Its last frame.
        packets: In decode order, starting with a keyframe; together they show exactly frames
            ``first`` to ``last``.
    """

    index: int
    first: int
    last: int
    packets: tuple[VideoPacket, ...]

    def __post_init__(self) -> None:
        if not 0 <= self.first <= self.last:
            raise MediaError(
                f"A group spans frames first..last with 0 <= first <= last, got {self.first}..{self.last}."
            )

    @property
    def size(self) -> int:
        """Total payload in bytes."""
        return sum(len(p.data) for p in self.packets)

    def chunks(self, max_bytes: int = CHUNK_BYTES) -> list[tuple[VideoPacket, ...]]:
        """The packets cut into runs of at most ``max_bytes`` of payload, in decode order (see ``split_packets``)."""
        return split_packets(self.packets, max_bytes)


def split_packets(packets: Sequence[VideoPacket], max_bytes: int = CHUNK_BYTES) -> list[tuple[VideoPacket, ...]]:
    """Cut packets into consecutive runs whose payload is at most ``max_bytes``, keeping their order.

    Fed to a decoder one after another, the runs are the packets in their order. A packet larger
    than ``max_bytes`` on its own makes a run of one (a packet cannot be cut).

    Raises:
        MediaError: If ``max_bytes`` is not positive.
    """
    if max_bytes <= 0:
        raise MediaError(f"max_bytes must be a positive number of bytes, got {max_bytes}.")
    runs: list[tuple[VideoPacket, ...]] = []
    run: list[VideoPacket] = []
    size = 0
    for packet in packets:
        if run and size + len(packet.data) > max_bytes:
            runs.append(tuple(run))
            run, size = [], 0
        run.append(packet)
        size += len(packet.data)
    if run:
        runs.append(tuple(run))
    return runs


# -- reading a group --


def read_group(
    open_container: Callable[[], Any], container: Any, index: FrameIndex, group: int
) -> tuple[tuple[VideoPacket, ...] | None, Any]:
    """Demux one group known end to end: seek to its keyframe, read up to the next group's.

    Args:
        open_container: Opens the file afresh (when a seek does not land where it should).
        container: An open container used for packets only.
        index: The video's index (its group starts and pts are read, not changed).
        group: The group's number.

    Returns:
        The packets, or None if they do not line up with the index (the file changed); and the
        container to use from now on (a fresh one if the seek did not land where it should).
    """
    first, last = index.group_bounds(group)
    if index.is_key[first]:
        stream = container.streams.video[0]
        container.seek(index.decode_pts[first], stream=stream, backward=True, any_frame=False)
        packets = _collect(container.demux(stream), index, first, last + 1, aligned=False)
        if packets is not None:
            return packets, container
    container.close()
    container = open_container()
    return _collect(container.demux(container.streams.video[0]), index, first, last + 1, aligned=True), container


def _collect(
    demuxed: Iterable[Any], index: FrameIndex, first: int, stop: int, aligned: bool
) -> tuple[VideoPacket, ...] | None:
    """The packets at decode positions ``first`` to ``stop - 1`` (and any without a pts among them).

    ``aligned``: the packets start at decode position 0; else they start at or before the keyframe
    at ``first`` (after a seek). None if they do not line up with the index.
    """
    decode_pts = index.decode_pts
    position: int | None = 0 if aligned else None
    out: list[VideoPacket] = []
    for packet in demuxed:
        if packet.size == 0:
            continue  # the empty packet that ends a demuxing pass
        pts = packet.pts
        if position is None:  # after a seek: find the group's keyframe
            if pts is None or not packet.is_keyframe:
                continue
            if pts > decode_pts[first]:
                return None  # landed past it
            if pts < decode_pts[first]:
                continue
            position = first
        if pts is None:
            if position > first:
                out.append(_packet(packet, None))
            continue
        if position == stop:
            break
        if pts != decode_pts[position]:
            return None
        if position >= first:
            out.append(_packet(packet, index.frame_of(pts)))
        position += 1
    if position != stop:
        return None
    return tuple(out)


def _packet(packet: Any, frame: int | None) -> VideoPacket:
    return VideoPacket(
        data=bytes(packet),
        pts=packet.pts,
        dts=packet.dts,
        is_keyframe=bool(packet.is_keyframe),
        frame=frame,
        duration=int(packet.duration) if packet.duration else None,
    )


# -- the decoder's configuration --


class CodecConfig(TypedDict):
    """What a WebCodecs ``VideoDecoder.configure`` needs, and how the packets are timed.

    ``codec`` is the WebCodecs codec string (``avc1.64001f``, ``hvc1.1.6.L93.B0``,
    ``vp09.00.10.08``, ``av01.0.04M.08``), or the FFmpeg codec name when no string can be made;
    ``description`` the decoder configuration record (avcC, hvcC, av1C), None when the stream has
    none or carries its parameters in band (``annexb``: H.264/HEVC packets with start codes).
    """

    codec: str
    codec_name: str
    coded_width: int
    coded_height: int
    description: bytes | None
    time_base: list[int]
    fps: float | None
    annexb: bool


def codec_config(stream: Any, first_packet: Callable[[], bytes | None]) -> CodecConfig:
    """The decoder configuration of a video stream.

    Args:
        stream: The PyAV video stream.
        first_packet: The first packet's payload (read only for H.264 whose parameters are in band).
    """
    context = stream.codec_context
    name = str(context.codec.canonical_name)
    extradata: bytes | None = bytes(context.extradata) if context.extradata else None
    width, height = int(context.width), int(context.height)
    rate = stream.average_rate or stream.guessed_rate
    fps = float(rate) if rate else None
    annexb = False
    description = extradata
    codec = name
    if name in ("h264", "hevc") and (extradata is None or _has_start_code(extradata)):
        annexb, description = True, None
    if name == "h264":
        if extradata is not None and not annexb and len(extradata) >= 4 and extradata[0] == 1:
            codec = "avc1." + extradata[1:4].hex()
        else:
            sps = _h264_sps(extradata or b"") or _h264_sps(first_packet() or b"")
            if sps is not None:
                codec = "avc1." + sps.hex()
    elif name == "hevc" and extradata is not None and not annexb:
        tag = str(context.codec_tag or "")
        codec = _hevc(extradata, tag if tag in ("hvc1", "hev1") else "hvc1") or name
    elif name == "vp9":
        codec = _vp9(str(context.pix_fmt or "yuv420p"), width, height, fps, int(getattr(context, "level", -99) or -99))
    elif name == "vp8":
        codec = "vp8"
    elif name == "av1" and extradata is not None:
        codec = _av1(extradata) or name
    coded_width = int(getattr(context, "coded_width", 0) or 0) or width
    coded_height = int(getattr(context, "coded_height", 0) or 0) or height
    time_base = stream.time_base
    return CodecConfig(
        codec=codec,
        codec_name=name,
        coded_width=coded_width,
        coded_height=coded_height,
        description=description,
        time_base=[int(time_base.numerator), int(time_base.denominator)],
        fps=fps,
        annexb=annexb,
    )


def _has_start_code(data: bytes) -> bool:
    return data.startswith((b"\x00\x00\x01", b"\x00\x00\x00\x01"))


def _nal_units(data: bytes) -> Iterator[bytes]:
    """The NAL units of an Annex B byte stream."""
    starts = [m.end() for m in re.finditer(b"\x00\x00\x01", data)]
    for begin, end in zip(starts, [*starts[1:], len(data) + 3], strict=True):
        yield data[begin : end - 3].rstrip(b"\x00")


def _h264_sps(data: bytes) -> bytes | None:
    """profile_idc, the constraint flags and level_idc of the first H.264 SPS in an Annex B stream."""
    for unit in _nal_units(data):
        if unit and unit[0] & 0x1F == 7 and len(unit) >= 4:
            return unit[1:4]
    return None


def _hevc(hvcc: bytes, sample_entry: str) -> str | None:
    """The codec string (ISO/IEC 14496-15, annex E) from an HEVCDecoderConfigurationRecord."""
    if len(hvcc) < 13 or hvcc[0] != 1:
        return None
    space = hvcc[1] >> 6
    tier = "H" if hvcc[1] & 0x20 else "L"
    profile = hvcc[1] & 0x1F
    compatibility = int.from_bytes(hvcc[2:6], "big")
    reversed_bits = int(f"{compatibility:032b}"[::-1], 2)
    constraints = list(hvcc[6:12])
    while constraints and constraints[-1] == 0:
        constraints.pop()
    parts = [sample_entry, f"{'ABC'[space - 1] if space else ''}{profile}", f"{reversed_bits:X}", f"{tier}{hvcc[12]}"]
    parts += [f"{b:X}" for b in constraints]
    return ".".join(parts)


_VP9_LEVELS = (  # level, largest picture (luma samples), largest luma sample rate
    (10, 36864, 829440),
    (11, 73728, 2764800),
    (20, 122880, 4608000),
    (21, 245760, 9216000),
    (30, 552960, 20736000),
    (31, 983040, 36864000),
    (40, 2228224, 83558400),
    (41, 2228224, 160432128),
    (50, 8912896, 311951360),
    (51, 8912896, 588251136),
    (52, 8912896, 1176502272),
    (60, 35651584, 1176502272),
    (61, 35651584, 2353004544),
    (62, 35651584, 4706009088),
)


def _vp9(pix_fmt: str, width: int, height: int, fps: float | None, level: int) -> str:
    """``vp09.PP.LL.DD``: profile from chroma and depth, level given or the smallest that fits the size and rate."""
    depth = 12 if "p12" in pix_fmt else 10 if "p10" in pix_fmt else 8
    subsampled = pix_fmt.startswith(("yuv420", "yuvj420", "nv12", "gray"))
    profile = (0 if subsampled else 1) + (2 if depth > 8 else 0)
    if level <= 0:
        samples = width * height
        rate = samples * (fps or 0)
        level = next((lv for lv, size, most in _VP9_LEVELS if samples <= size and rate <= most), 62)
    return f"vp09.{profile:02d}.{level:02d}.{depth:02d}"


def _av1(av1c: bytes) -> str | None:
    """``av01.P.LLT.DD`` from an AV1CodecConfigurationRecord."""
    if len(av1c) < 3 or av1c[0] != 0x81:
        return None
    profile, level = av1c[1] >> 5, av1c[1] & 0x1F
    tier = "H" if av1c[2] & 0x80 else "M"
    high, twelve = av1c[2] & 0x40, av1c[2] & 0x20
    depth = 12 if high and twelve else 10 if high else 8
    return f"av01.{profile}.{level:02d}{tier}.{depth:02d}"
