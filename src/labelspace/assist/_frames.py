"""Where trackers read frames: a media source or a numpy array, in the order of tracking.

Tracking backward reads frames in blocks, each decoded forward and handed out last frame first: a
video decoder can only go forward, so asking for frame ``i - 1`` after ``i`` would seek to a
keyframe and decode up to it for every frame. A block holds at most ``BLOCK_BYTES`` of frames.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from labelspace.model.errors import MediaError

Image = npt.NDArray[np.uint8]
BLOCK_BYTES = 128 * 2**20
"""The most a block of frames read for backward tracking may hold."""
BLOCK_FRAMES = 64
"""The most frames a block read for backward tracking may hold, however small they are."""


@runtime_checkable
class FrameSource(Protocol):
    """Anything trackers can read frames from: a ``labelspace.media.MediaSource`` is one.

    Attributes:
        number_of_frames: How many frames there are.
    """

    number_of_frames: int

    def frame(self, index: int) -> Image:
        """Frame ``index`` as uint8: HxWx3 RGB, or HxW grey."""
        ...


class ArrayFrames:
    """Frames held in a numpy array: ``(N, H, W, 3)`` RGB or ``(N, H, W)`` grey, uint8."""

    def __init__(self, frames: npt.NDArray[Any]) -> None:
        rgb = frames.ndim == 4 and frames.shape[3] == 3
        if frames.dtype != np.uint8 or not (rgb or frames.ndim == 3) or 0 in frames.shape:
            raise MediaError(
                f"A numpy array of frames must be uint8 of shape (frames, height, width, 3) or (frames, height, "
                f"width), got {frames.dtype} of shape {frames.shape}."
            )
        self._frames = frames
        self.number_of_frames = int(frames.shape[0])

    def frame(self, index: int) -> Image:
        """Frame ``index``."""
        image: Image = self._frames[index]
        return image


def as_frame_source(source: object) -> FrameSource:
    """A numpy array wrapped as a frame source, or the source itself after checking it is one.

    Raises:
        MediaError: If ``source`` is neither.
    """
    if isinstance(source, np.ndarray):
        return ArrayFrames(source)
    count = getattr(source, "number_of_frames", None)
    if not callable(getattr(source, "frame", None)) or isinstance(count, bool) or not isinstance(count, int):
        raise MediaError(
            f"source must be a MediaSource (from labelspace.media.open_media), anything with frame(i) and "
            f"number_of_frames, or a numpy array of frames; got {type(source).__name__}."
        )
    return source  # type: ignore[return-value]


class Frame:
    """One frame as the trackers need it, each form made when first asked for.

    BGR (OpenCV's channel order) for the box trackers, also halved once or more for large boxes;
    grey for optical flow.
    """

    def __init__(self, cv2: Any, index: int, image: object, expected: tuple[int, int] | None) -> None:
        if (
            not isinstance(image, np.ndarray)
            or image.dtype != np.uint8
            or not (image.ndim == 2 or (image.ndim == 3 and image.shape[2] == 3))
        ):
            shape = getattr(image, "shape", None)
            raise MediaError(
                f"Frame {index} of the source is not a uint8 HxWx3 RGB or HxW grey image: got {type(image).__name__} "
                f"of shape {shape} and dtype {getattr(image, 'dtype', None)}."
            )
        self.index = index
        self.height, self.width = int(image.shape[0]), int(image.shape[1])
        if expected is not None and (self.width, self.height) != expected:
            raise MediaError(
                f"Frame {index} of the source is {self.width}x{self.height}, but the frames before it are "
                f"{expected[0]}x{expected[1]}; every frame of a source must have one size."
            )
        self._cv2 = cv2
        self._image: Image = image
        self._bgr: Image | None = None
        self._halved: list[Image] = []
        self._gray: Image | None = None

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)`` in pixels."""
        return self.width, self.height

    @property
    def bgr(self) -> Image:
        """The frame in OpenCV's channel order, three channels."""
        if self._bgr is None:
            code = self._cv2.COLOR_GRAY2BGR if self._image.ndim == 2 else self._cv2.COLOR_RGB2BGR
            self._bgr = self._cv2.cvtColor(self._image, code)
        return self._bgr

    def reduced(self, level: int) -> tuple[Image, tuple[float, float]]:
        """The BGR frame halved ``level`` times, and the frame's pixels across and down to one of its pixels.

        Halving averages each 2x2 block (an odd last row or column is dropped).
        """
        while len(self._halved) < level:
            last = self._halved[-1] if self._halved else self.bgr
            size = (max(1, last.shape[1] // 2), max(1, last.shape[0] // 2))
            self._halved.append(self._cv2.resize(last, size, interpolation=self._cv2.INTER_AREA))
        image = self._halved[level - 1] if level else self.bgr
        return image, (self.width / image.shape[1], self.height / image.shape[0])

    @property
    def gray(self) -> Image:
        """The frame in grey levels."""
        if self._gray is None:
            image = self._image
            self._gray = image if image.ndim == 2 else self._cv2.cvtColor(image, self._cv2.COLOR_RGB2GRAY)
        return self._gray


def frames_in_order(source: FrameSource, start: int, end: int) -> Generator[tuple[int, Image], None, None]:
    """Yield ``(index, image)`` from frame ``start`` to ``end`` (inclusive), either way round.

    Backward, frames are read in blocks decoded forward (see the module's docstring), except from an
    array, which needs none.
    """
    first = source.frame(start)
    yield start, first
    if end >= start:
        for index in range(start + 1, end + 1):
            yield index, source.frame(index)
        return
    if isinstance(source, ArrayFrames):
        for index in range(start - 1, end - 1, -1):
            yield index, source.frame(index)
        return
    block = max(1, min(BLOCK_FRAMES, BLOCK_BYTES // max(1, first.nbytes)))
    last = start - 1
    while last >= end:
        low = max(end, last - block + 1)
        images = [source.frame(index) for index in range(low, last + 1)]
        for offset in range(len(images) - 1, -1, -1):
            yield low + offset, images[offset]
        last = low - 1
