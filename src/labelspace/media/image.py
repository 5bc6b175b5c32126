"""Single images, read with Pillow."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import numpy.typing as npt

from labelspace.media.base import MediaSource
from labelspace.model.errors import MediaError

_PIL_LIMIT = threading.Lock()


def image_size(path: str | os.PathLike[str]) -> tuple[int, int]:
    """An image's ``(width, height)`` from its header, without decoding its pixels.

    Pillow's decompression-bomb refusal is off here (nothing is decoded); callers check sizes
    against their own limits.

    Raises:
        MediaError: If the file is not an image Pillow can read.
    """
    from PIL import Image, UnidentifiedImageError

    with _PIL_LIMIT:
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            with Image.open(path) as image:
                width, height = image.size
        except (OSError, UnidentifiedImageError, ValueError, SyntaxError) as e:
            raise MediaError(f"{path}: not an image Pillow can read ({e}).") from None
        finally:
            Image.MAX_IMAGE_PIXELS = saved
    return int(width), int(height)


class ImageSource(MediaSource):
    """One image file; its one frame is RGB."""

    kind = "image"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from PIL import Image, UnidentifiedImageError

        self.path = Path(path)
        try:
            with Image.open(self.path) as image:
                self.width, self.height = image.size
        except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as e:
            raise MediaError(f"{self.path}: not an image Pillow can read ({e}).") from None
        self.number_of_frames = 1

    def frame(self, index: int = 0) -> npt.NDArray[np.uint8]:
        """The image as HxWx3 RGB."""
        from PIL import Image

        self._check_index(index)
        with Image.open(self.path) as image:
            return np.asarray(image.convert("RGB"))
