"""Single images, read with Pillow."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import numpy.typing as npt

from labelspace.media.base import MediaSource
from labelspace.model.errors import MediaError


class ImageSource(MediaSource):
    """One image file; its one frame is RGB."""

    kind = "image"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from PIL import Image, UnidentifiedImageError

        self.path = Path(path)
        try:
            with Image.open(self.path) as image:
                self.width, self.height = image.size
        except (OSError, UnidentifiedImageError) as e:
            raise MediaError(f"{self.path}: not an image Pillow can read ({e}).") from None
        self.number_of_frames = 1

    def frame(self, index: int = 0) -> npt.NDArray[np.uint8]:
        """The image as HxWx3 RGB."""
        from PIL import Image

        self._check_index(index)
        with Image.open(self.path) as image:
            return np.asarray(image.convert("RGB"))
