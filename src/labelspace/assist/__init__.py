"""Assisted labelling: trackers that follow object instances through frames and write predictions.

``track_objects`` follows boxes with OpenCV's KCF or CSRT tracker and points, polylines, polygons
and skeletons with pyramidal Lucas-Kanade optical flow; it needs the ``labelspace[track]`` extra
(``opencv-contrib-python-headless``), and no model weights.
"""

from labelspace.assist._frames import FrameSource
from labelspace.assist.tracking import (
    DEFAULT_MAX_FRAMES,
    CancelFlag,
    ProgressCallback,
    StopReason,
    TrackDirection,
    TrackedObject,
    TrackMethod,
    TrackResult,
    track_objects,
)

__all__ = [
    "CancelFlag",
    "DEFAULT_MAX_FRAMES",
    "FrameSource",
    "ProgressCallback",
    "StopReason",
    "TrackDirection",
    "TrackMethod",
    "TrackResult",
    "TrackedObject",
    "track_objects",
]
