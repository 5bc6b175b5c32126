"""Which compressed packets no other picture refers to, so that a jump may skip them.

To show frame ``k`` of a keyframe group, a decoder must decode the group from its keyframe up to
``k``, but not the pictures that nothing else is predicted from: in H.264 those whose slices have
``nal_ref_idc`` 0 (most B-frames). Skipping the ones shown before ``k`` shortens a jump by about a
third on a stream with two B-frames between references, and changes no other picture: a
non-reference picture is, by definition, never used to predict another.

Only H.264 is read here. HEVC's "sub-layer non-reference" pictures can still be referred to by
higher temporal layers, and the other codecs have no such flag in their packets; their packets are
never said to be disposable.
"""

from __future__ import annotations

from labelspace.media._video_packets import CodecConfig

_VCL = (1, 5)  # coded slice of a non-IDR picture, of an IDR picture


def disposable(data: bytes, config: CodecConfig) -> bool:
    """Whether decoding may skip this packet without changing any other picture.

    Args:
        data: The packet's payload as the container holds it.
        config: The stream's decoder configuration (``codec_config``): its codec, and whether
            packets carry start codes (``annexb``) or length prefixes of the size its ``description``
            record says.
    """
    if config["codec_name"] != "h264":
        return False
    header = _first_slice_header(data, config)
    return header is not None and header & 0x60 == 0


def _first_slice_header(data: bytes, config: CodecConfig) -> int | None:
    """The first byte of the packet's first slice NAL unit, or None if it has none (or is malformed)."""
    if config["annexb"]:
        at = 0
        while True:
            at = data.find(b"\x00\x00\x01", at)
            if at < 0 or at + 3 >= len(data):
                return None
            header = data[at + 3]
            if header & 0x1F in _VCL:
                return header
            at += 3
    description = config["description"]
    if not description or len(description) < 5:
        return None
    size = (description[4] & 0x03) + 1
    at = 0
    while at + size < len(data):
        length = int.from_bytes(data[at : at + size], "big")
        if length <= 0 or at + size + length > len(data):
            return None
        header = data[at + size]
        if header & 0x1F in _VCL:
            return header
        at += size + length
    return None
