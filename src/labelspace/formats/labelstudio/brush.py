"""Label Studio's brush masks: the run-length code its editor writes, both ways.

The editor encodes a brush mask with @thi.ng/rle-pack: the RGBA bytes of the whole image
(R = G = B = A), as a bit stream, most significant bit first. A 53-bit header holds the number of
bytes (32 bits), the word size less one (5 bits) and four run-length field widths less one (4
bits each). Blocks follow until that many words are out: 1 bit repeat (1) or literal (0), 2 bits
choosing a width, the count less one in that width, then one word to repeat or ``count`` words.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

_WORD = 8
_WIDTHS = (3, 4, 8, 16)


class _Bits:
    """Unsigned fields of up to 32 bits, read most significant bit first."""

    def __init__(self, data: bytes) -> None:
        self.data = data + bytes(5)  # a 40-bit window never reads past the end
        self.size = len(data) * 8
        self.pos = 0

    def take(self, width: int) -> int:
        end = self.pos + width
        if end > self.size:
            raise ValueError("the rle data ends in the middle of a block (truncated or corrupt)")
        start = self.pos >> 3
        window = int.from_bytes(self.data[start : start + 5], "big")
        self.pos = end
        return (window >> (40 - (end - start * 8))) & ((1 << width) - 1)


def decode_brush(rle: Sequence[int], width: int, height: int) -> npt.NDArray[np.uint8]:
    """A Label Studio brush ``rle`` as the alpha plane of its ``width`` x ``height`` RGBA image.

    The declared length is checked against ``4 * width * height`` before anything is allocated,
    and every block against the declared length.

    Raises:
        ValueError: If the data is not bytes, declares another length or word size, or is
            truncated or overruns.
    """
    bits = _Bits(bytes(rle))
    total = bits.take(32)
    if total != 4 * width * height:
        raise ValueError(
            f"the rle declares {total:,} values; a {width} x {height} image has {4 * width * height:,} (RGBA)"
        )
    word = bits.take(5) + 1
    widths = [bits.take(4) + 1 for _ in range(4)]
    if word != _WORD:
        raise ValueError(f"the rle holds {word}-bit words; Label Studio's brush masks hold bytes")
    values: list[int] = []
    counts: list[int] = []
    done = 0
    while done < total:
        repeat = bits.take(1)
        count = bits.take(widths[bits.take(2)]) + 1
        if done + count > total:
            raise ValueError(f"a block of {count} values runs past the declared {total:,}")
        if repeat:
            values.append(bits.take(_WORD))
            counts.append(count)
        else:
            values.extend(bits.take(_WORD) for _ in range(count))
            counts.extend([1] * count)
        done += count
    words = np.repeat(np.array(values, np.uint8), counts)
    return words[3::4].reshape(height, width)


class _BitSink:
    """Fields written most significant bit first, packed into bytes."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.bits = 0

    def put(self, value: int, width: int) -> None:
        self.acc = (self.acc << width) | value
        self.bits += width
        while self.bits >= 8:
            self.bits -= 8
            self.out.append((self.acc >> self.bits) & 0xFF)
        self.acc &= (1 << self.bits) - 1

    def done(self) -> list[int]:
        if self.bits:
            self.out.append((self.acc << (8 - self.bits)) & 0xFF)
            self.bits = 0
        return list(self.out)


def encode_brush(mask: npt.NDArray[np.bool_]) -> list[int]:
    """A ``height`` x ``width`` mask as Label Studio's brush ``rle``, byte for byte as its editor writes it.

    Each pixel is four equal bytes (255 inside, 0 outside), so every run of equal bytes is at
    least 4 long and the editor's encoder writes only repeat blocks: 65536 bytes at a time while
    more remain, then the rest.
    """
    flat = np.asarray(mask, dtype=bool).ravel()
    sink = _BitSink()
    sink.put(4 * flat.size, 32)
    sink.put(_WORD - 1, 5)
    for w in _WIDTHS:
        sink.put(w - 1, 4)
    limit = 1 << _WIDTHS[-1]
    starts = np.concatenate(([0], np.flatnonzero(flat[1:] != flat[:-1]) + 1))
    lengths = np.diff(np.concatenate((starts, [flat.size])))
    for inside, length in zip(flat[starts].tolist(), lengths.tolist(), strict=True):
        value, words = (255 if inside else 0), 4 * length
        while words > 0:
            count = min(words, limit)
            cls = next(c for c, w in enumerate(_WIDTHS) if count - 1 < 1 << w)
            sink.put(1, 1)
            sink.put(cls, 2)
            sink.put(count - 1, _WIDTHS[cls])
            sink.put(value, _WORD)
            words -= count
    return sink.done()
