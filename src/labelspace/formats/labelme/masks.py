"""LabelMe's mask shapes: a PNG of the box of a mask, base64 in the file; read, painted into a full mask, written."""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence

import numpy as np

from labelspace.formats._common import Reader
from labelspace.formats._masks import mask_bounds, rasterise
from labelspace.model.coordinates import BoolArray


def read_png(r: Reader, data: bytes, where: str, width: int, height: int) -> BoolArray:
    """A mask shape's PNG as pixels (any not 0 is inside), refused if larger than its ``width`` x ``height`` image."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as png:
            pw, ph = png.size  # from the header: checked before anything is decoded
            if pw <= width and ph <= height:
                patch: BoolArray = np.asarray(png.convert("L")) != 0
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
        raise r.fail(where, f"not a PNG image ({str(e)[:80]}).") from None
    if pw > width or ph > height:
        raise r.fail(where, f"the mask PNG is {pw} x {ph}, bigger than its {width} x {height} image.")
    return patch


def paint(
    width: int,
    height: int,
    patches: Iterable[tuple[int, int, BoolArray]],
    outlines: Sequence[Sequence[tuple[float, float]]],
) -> BoolArray:
    """One ``height`` x ``width`` mask of a group: its mask patches (top, left, pixels) and its other shapes, filled."""
    full = np.zeros((height, width), dtype=bool)
    for top, left, patch in patches:
        full[top : top + patch.shape[0], left : left + patch.shape[1]] |= patch
    return full | rasterise([[outline] for outline in outlines], width, height)


def png_patch(mask: BoolArray) -> tuple[tuple[int, int], tuple[int, int], str] | None:
    """A mask as LabelMe holds it: the top-left and bottom-right pixels of its box, the box as a PNG in base64.

    None for an empty mask, which LabelMe cannot hold.
    """
    from PIL import Image

    bounds = mask_bounds(mask)
    if bounds is None:
        return None
    top, bottom, left, right = bounds
    buffer = io.BytesIO()
    Image.fromarray(mask[top : bottom + 1, left : right + 1].astype(np.uint8), mode="L").save(buffer, "PNG")
    return (left, top), (right, bottom), base64.b64encode(buffer.getvalue()).decode("ascii")
