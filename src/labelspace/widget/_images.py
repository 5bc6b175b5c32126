"""Images for the browser: compressed bytes (JPEG, PNG, WebP) and their size, from anything a user holds.

Files and byte blobs that are already JPEG, PNG, WebP or GIF go to the browser untouched; other
formats are decoded and re-encoded as PNG. Arrays (numpy, or anything with ``.numpy()`` such as a
torch tensor) are normalised to 8-bit HxW, HxWx3 or HxWx4 and encoded: JPEG for grey and colour,
PNG when there is an alpha channel.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from labelspace.model.errors import InnotaterError

Colorspace = Literal["BGR", "RGB"]
JPEG_QUALITY = 90
_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class EncodedImage:
    """An image ready for the browser."""

    data: bytes
    mime: str
    width: int
    height: int


def sniff(data: bytes) -> str | None:
    """The MIME type of JPEG, PNG, GIF or WebP bytes, or None."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_path(item: object) -> bool:
    """Whether an item names a file."""
    return isinstance(item, (str, os.PathLike))


def is_array(item: object) -> bool:
    """Whether an item is an image array (numpy, or a tensor with ``.numpy()``)."""
    return isinstance(item, np.ndarray) or (hasattr(item, "numpy") and hasattr(item, "shape"))


def from_bytes(data: bytes, what: str) -> EncodedImage:
    """Bytes of an image file: passed through if the browser reads them, re-encoded as PNG if not."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            mime = sniff(data)
            if mime is not None:
                return EncodedImage(data, mime, width, height)
            return _encode(np.asarray(image.convert("RGBA" if "A" in image.getbands() else "RGB")))
    except (UnidentifiedImageError, OSError) as e:
        raise InnotaterError(f"{what} is not an image Pillow can read ({e}).") from None


def from_file(path: str | os.PathLike[str]) -> EncodedImage:
    """Read an image file."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise InnotaterError(f"cannot read image file {os.fspath(path)!r}: {e.strerror}.") from None
    return from_bytes(data, f"image file {os.fspath(path)!r}")


def to_uint8_image(item: Any, colorspace: Colorspace) -> np.ndarray:
    """Normalise an image array to uint8 HxW, HxWx3 or HxWx4 in RGB order.

    Channel-first arrays (CxHxW with C in 1, 3, 4) are moved to channel-last; floats are taken to
    be 0..1 and scaled to 0..255; 16-bit images are scaled down; ``colorspace="BGR"`` (the default,
    as from OpenCV) is flipped to RGB.
    """
    array = (
        item.detach().cpu().numpy()
        if hasattr(item, "detach")
        else item.numpy()
        if not isinstance(item, np.ndarray)
        else item
    )
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] not in (1, 3, 4) and array.shape[0] in (1, 3, 4):
        array = np.moveaxis(array, 0, -1)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)) or 0 in array.shape:
        raise InnotaterError(
            f"an image array must be HxW, HxWx1, HxWx3 or HxWx4 (or channel-first), got shape {array.shape}."
        )
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    elif np.issubdtype(array.dtype, np.floating):
        array = (np.clip(np.nan_to_num(array), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    elif array.dtype == np.uint16:
        array = (array >> 8).astype(np.uint8)
    elif np.issubdtype(array.dtype, np.integer):
        array = np.clip(array, 0, 255).astype(np.uint8)
    else:
        raise InnotaterError(f"an image array must hold numbers, got dtype {array.dtype}.")
    if colorspace == "BGR" and array.ndim == 3:
        array = array[:, :, [2, 1, 0, 3][: array.shape[2]]]
    return np.ascontiguousarray(array)


def _encode(array: np.ndarray) -> EncodedImage:
    from PIL import Image

    image = Image.fromarray(array)
    out = io.BytesIO()
    if array.ndim == 3 and array.shape[2] == 4:
        image.save(out, "PNG", compress_level=1)
        mime = "image/png"
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY)
        mime = "image/jpeg"
    return EncodedImage(out.getvalue(), mime, array.shape[1], array.shape[0])


def from_array(item: Any, colorspace: Colorspace) -> EncodedImage:
    """Encode an image array (see ``to_uint8_image``)."""
    return _encode(to_uint8_image(item, colorspace))
