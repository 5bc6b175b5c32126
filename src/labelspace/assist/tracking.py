"""Track object instances from a frame through the frames after (or before) it, and write what was found.

::

    from labelspace.assist import track_objects
    from labelspace.media import open_media

    with open_media("street.mp4") as video:
        result = track_objects(space, [car, person], video, start=120, max_frames=100)

Each instance starts from its coordinates on the start frame. Boxes and rotated boxes are followed
by OpenCV's KCF or CSRT tracker (``labelspace.assist._boxes``); points, polylines and skeletons by
pyramidal Lucas-Kanade optical flow, point by point, and polygons by the flow of what is inside
them (``labelspace.assist._points``). Bitmasks are not tracked. No model weights are downloaded:
all of it comes with ``opencv-contrib-python-headless``, the ``labelspace[track]`` extra.

What is found is written into the space as predictions (``manual_annotation=False``, with the
tracker's confidence), replacing earlier predictions on those frames. An instance stops at its next
keyframe (the next frame where its annotation is manual), which is left as it is, and where its
tracker loses it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, Optional, Protocol, Union

import numpy as np
import numpy.typing as npt

from labelspace.assist._boxes import BoxFollower
from labelspace.assist._flow import flow
from labelspace.assist._frames import Frame, FrameSource, Image, as_frame_source, frames_in_order
from labelspace.assist._opencv import BoxMethod, box_tracker_factory, opencv
from labelspace.assist._points import PointsFollower, PolygonFollower
from labelspace.assist._read_ahead import ReadAhead
from labelspace.media import MediaSource
from labelspace.model.errors import LabelRowError, MediaError
from labelspace.model.frames import IntArray
from labelspace.model.instances import ObjectInstance
from labelspace.model.ontology import Shape
from labelspace.model.spaces import MultiFrameSpace

FloatArray = npt.NDArray[np.float64]
TrackDirection = Literal["forward", "backward"]
"""Which way to track: to later frames (``"forward"``) or earlier ones (``"backward"``)."""
TrackMethod = BoxMethod
"""The box tracker: ``"kcf"`` (fast, keeps the box's size) or ``"csrt"`` (slower, follows scale)."""
StopReason = Literal["end", "keyframe", "lost", "cancelled"]
"""Why an instance's tracking ended; see ``TrackedObject.stopped``."""
ProgressCallback = Callable[[int, int], None]
"""Called as ``on_progress(done, total)`` with the frames tracked so far and the frames asked for."""

DEFAULT_MAX_FRAMES = 50
"""How many frames past the start are tracked when neither ``end`` nor ``max_frames`` is given."""

_BOX_SHAPES = (Shape.BOUNDING_BOX, Shape.ROTATABLE_BOUNDING_BOX)
_STRIDED = (Shape.BOUNDING_BOX, Shape.ROTATABLE_BOUNDING_BOX, Shape.POINT)


class CancelFlag(Protocol):
    """What ``cancel`` must offer: a ``threading.Event`` is one."""

    def is_set(self) -> bool:
        """Whether tracking should stop."""
        ...


@dataclass(frozen=True, slots=True, eq=False)
class TrackedObject:
    """What tracking did for one object instance.

    Attributes:
        object_instance: The instance.
        frames: ``(n,)`` the frames written, in the order tracked (falling when tracking backward).
            The start frame is not among them: it is where the instance was taken from.
        confidence: ``(n,)`` the confidence written on each of those frames: 1.0 for boxes while
            the tracker holds them; for optical flow, the fraction of points that passed its
            forward-backward check.
        stopped: Why tracking this instance ended: ``"end"`` (it reached the last frame asked
            for), ``"keyframe"`` (the next frame holds a manual annotation of it, left as it is),
            ``"lost"`` (its tracker lost it, or it left the image) or ``"cancelled"``.
        stopped_at: The frame it was not tracked on: the keyframe, or the frame where it was lost;
            None when it reached the end or was cancelled.
    """

    object_instance: ObjectInstance
    frames: IntArray
    confidence: FloatArray
    stopped: StopReason
    stopped_at: Optional[int]


@dataclass(frozen=True, slots=True, eq=False)
class TrackResult:
    """What a call of ``track_objects`` did.

    Attributes:
        objects: One entry per instance, in the order they were given.
        start: The frame tracking started from.
        end: The last frame asked for.
        frames_done: How many frames past the start were tracked (fewer than ``frames_total``
            when every instance stopped early, or the call was cancelled).
        frames_total: How many frames past the start were asked for.
        cancelled: Whether ``cancel`` stopped the call; what was tracked until then is written.
    """

    objects: tuple[TrackedObject, ...]
    start: int
    end: int
    frames_done: int
    frames_total: int
    cancelled: bool


Follower = Union[BoxFollower, PointsFollower, PolygonFollower]


@dataclass(eq=False)
class _Progress:
    """One instance on its way: its follower, how far it may go, and what it found so far."""

    instance: ObjectInstance
    value: Any
    limit: Optional[int]
    follower: Any = None
    frames: list[int] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    confidence: list[float] = field(default_factory=list)
    stopped: Optional[StopReason] = None
    stopped_at: Optional[int] = None

    def stop(self, reason: StopReason, frame: Optional[int]) -> None:
        self.stopped, self.stopped_at = reason, frame

    def result(self) -> TrackedObject:
        return TrackedObject(
            self.instance,
            np.array(self.frames, np.int64),
            np.array(self.confidence, np.float64),
            self.stopped or "end",
            self.stopped_at,
        )


def track_objects(
    space: MultiFrameSpace,
    object_instances: Union[ObjectInstance, Sequence[ObjectInstance]],
    source: Union[FrameSource, npt.NDArray[np.uint8]],
    start: int,
    *,
    end: Optional[int] = None,
    max_frames: Optional[int] = None,
    direction: TrackDirection = "forward",
    method: TrackMethod = "kcf",
    on_progress: Optional[ProgressCallback] = None,
    cancel: Optional[CancelFlag] = None,
) -> TrackResult:
    """Track object instances from frame ``start`` on, and write each frame found into the space.

    Each instance starts from its coordinates on ``start``. The frames it is found on are written
    with ``put_object_track(..., on_overlap="replace", manual_annotation=False, confidence=...)``:
    predictions there before (an earlier tracking, an interpolation) are replaced. Manual
    annotations are never overwritten: an instance stops at its next keyframe, the next frame in
    the direction of tracking where it has a manual annotation (tracking again from that keyframe
    carries on past it). An instance also stops where its tracker loses it or it leaves the image.
    Coordinates are clipped to the image.

    Args:
        space: The video or volume the instances are on.
        object_instances: One instance or several, each on frame ``start``; boxes, rotated boxes,
            points, polylines, polygons or skeletons.
        source: The frames: a ``MediaSource`` (``labelspace.media.open_media``), anything with
            ``frame(i)`` (HxWx3 RGB or HxW grey, uint8) and ``number_of_frames``, or a numpy array
            ``(frames, height, width[, 3])`` of uint8. Frame ``i`` of the source is frame ``i`` of
            the space; frames may be of another size than the space's (positions are normalised).
            A ``MediaSource`` is read on a thread of its own, a few frames ahead, while the call
            lasts (do not read it elsewhere meanwhile); other sources on the calling thread.
        start: The frame to track from.
        end: The last frame to track to (inclusive), after ``start`` when tracking forward,
            before it backward. Give ``end`` or ``max_frames``, not both.
        max_frames: How many frames past ``start`` to track, stopping at the space's first or last
            frame; ``DEFAULT_MAX_FRAMES`` (50) when neither this nor ``end`` is given.
        direction: ``"forward"`` (to later frames) or ``"backward"`` (to earlier ones).
        method: The tracker for boxes and rotated boxes: ``"kcf"`` (fast; keeps the box's size)
            or ``"csrt"`` (several times slower; follows the object's scale). A rotated box is
            tracked by the axis-aligned box around it and keeps its angle. Other shapes always
            use optical flow.
        on_progress: Called as ``on_progress(done, total)`` after each frame tracked, with
            ``total`` the frames asked for; when every instance has stopped before the end, a last
            call reports ``(total, total)``.
        cancel: Checked before each frame (a ``threading.Event``, or anything with ``is_set()``);
            once set, tracking stops, what was tracked so far is written, and the result says
            ``cancelled``.

    Returns:
        What was tracked, per instance.

    A call that raises changes nothing in the space, whether it fails on its arguments or while
    reading frames (an error raised by ``on_progress`` included): results are written at the end.

    Raises:
        LabelRowError: If an argument is invalid: the space is not a video or volume, an
            instance is not on frame ``start`` (or is a bitmask), a frame leaves the space, or a
            box is too small to track.
        MediaError: If the source is not a frame source, has too few frames, or hands out a
            frame that is not an image.
        MissingExtraError: If OpenCV (``labelspace[track]``) is not installed, or lacks the
            contrib trackers that boxes need.
    """
    last = _check_range(space, start, end, max_frames, direction)
    instances = _check_instances(space, object_instances, start, last)
    if method not in ("kcf", "csrt"):
        raise LabelRowError(f"method must be 'kcf' or 'csrt', got {method!r}.")
    if on_progress is not None and not callable(on_progress):
        raise LabelRowError(f"on_progress must be a function (done, total) or None, got {type(on_progress).__name__}.")
    if cancel is not None and not callable(getattr(cancel, "is_set", None)):
        raise LabelRowError(f"cancel must be a threading.Event (anything with is_set()) or None, got {cancel!r:.40}.")
    frames = as_frame_source(source)
    if max(start, last) >= frames.number_of_frames:
        raise MediaError(
            f"The source has {frames.number_of_frames} frames, too few to track to frame {max(start, last)}: "
            f"frame i of the source must be frame i of space {space.space_id!r}."
        )
    cv2 = opencv()
    boxes = any(p.instance.ontology_item.shape in _BOX_SHAPES for p in instances)
    factory = box_tracker_factory(cv2, method) if boxes else None
    total = abs(last - start)
    done, cancelled = _follow(cv2, factory, method, frames, start, last, instances, on_progress, cancel)
    if not cancelled and done < total and on_progress is not None:
        on_progress(total, total)
    _write(space, instances)
    return TrackResult(tuple(p.result() for p in instances), start, last, done, total, cancelled)


def _follow(
    cv2: Any,
    factory: Optional[Callable[[], Any]],
    method: str,
    source: FrameSource,
    start: int,
    last: int,
    instances: list[_Progress],
    on_progress: Optional[ProgressCallback],
    cancel: Optional[CancelFlag],
) -> tuple[int, bool]:
    """Follow the instances frame by frame, keeping what is found in their ``_Progress``.

    Returns:
        How many frames were stepped, and whether ``cancel`` stopped it.
    """
    step = 1 if last >= start else -1
    total = abs(last - start)
    done = 0
    in_order = frames_in_order(source, start, last)
    reading: ReadAhead[Frame] | Generator[Frame, None, None] | None = None
    pool: ThreadPoolExecutor | None = None
    try:
        index, image = next(in_order)
        previous = Frame(cv2, index, image, None)
        for progress in instances:
            progress.follower = _follower(cv2, factory, method, progress, previous)
        # From a media file, the next frames are decoded and put in the forms the trackers take on
        # a thread of their own while they work on this one. Other sources are read on this thread:
        # an array costs nothing to read, and a caller's own source may not be used from another.
        prepared = _prepared(cv2, in_order, previous.size, [p.follower for p in instances])
        reading = ReadAhead(prepared) if isinstance(source, MediaSource) else prepared
        # OpenCV's trackers let go of the interpreter while they update: several boxes are updated
        # at once, one on each core.
        boxes = sum(isinstance(p.follower, BoxFollower) for p in instances)
        workers = min(boxes, os.cpu_count() or 1)
        if workers > 1:
            pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="labelspace-track")
        moving = instances
        while done < total:
            for progress in moving:
                if progress.limit == index + step:
                    progress.stop("keyframe", index + step)
            moving = [p for p in moving if p.stopped is None]
            if not moving:
                break
            if cancel is not None and cancel.is_set():
                for progress in moving:
                    progress.stop("cancelled", None)
                return done, True
            frame = next(reading)
            index = frame.index
            _advance(cv2, moving, previous, frame, pool)
            moving = [p for p in moving if p.stopped is None]
            done += 1
            if on_progress is not None:
                on_progress(done, total)
            previous = frame
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
        (reading or in_order).close()
    return done, False


def _prepared(
    cv2: Any, frames: Generator[tuple[int, Image], None, None], size: tuple[int, int], followers: list[Any]
) -> Generator[Frame, None, None]:
    """The frames after the first, checked, with the forms ``followers`` take already made.

    BGR at the levels the box trackers use, grey for optical flow.
    """
    levels = {f.level for f in followers if isinstance(f, BoxFollower)}
    grey = any(not isinstance(f, BoxFollower) for f in followers)
    try:
        for index, image in frames:
            frame = Frame(cv2, index, image, size)
            for level in levels:
                frame.reduced(level)
            if grey:
                frame.gray  # noqa: B018 - made here, on the reading thread
            yield frame
    finally:
        frames.close()


def _frame_number(space: MultiFrameSpace, value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise LabelRowError(f"{name} must be an int frame number, got {type(value).__name__} {value!r:.40}.")
    frame = int(value)
    if not 0 <= frame < space.number_of_frames:
        raise LabelRowError(
            f"{name} is frame {frame}, outside the frames 0..{space.number_of_frames - 1} of space {space.space_id!r}."
        )
    return frame


def _check_range(space: object, start: object, end: object, max_frames: object, direction: object) -> int:
    """The last frame to track to, after checking the space, the frames and the direction."""
    if not isinstance(space, MultiFrameSpace):
        raise LabelRowError(
            f"Tracking needs a space with frames (a VideoSpace or MedicalSpace), got {type(space).__name__}."
        )
    if direction not in ("forward", "backward"):
        raise LabelRowError(f"direction must be 'forward' or 'backward', got {direction!r}.")
    first = _frame_number(space, start, "start")
    step = 1 if direction == "forward" else -1
    if end is not None:
        if max_frames is not None:
            raise LabelRowError(
                f"Give end (the last frame to track to) or max_frames (how many frames to track), not both; "
                f"got end={end!r} and max_frames={max_frames!r}."
            )
        last = _frame_number(space, end, "end")
        if (last - first) * step < 0:
            side = "after" if step > 0 else "before"
            raise LabelRowError(
                f"end ({last}) must be {side} start ({first}) when tracking {direction}; pass "
                f"direction={'backward' if step > 0 else 'forward'!r} to track the other way."
            )
        return last
    count = DEFAULT_MAX_FRAMES if max_frames is None else max_frames
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count <= 0:
        raise LabelRowError(f"max_frames must be a positive int, got {max_frames!r}.")
    return min(space.number_of_frames - 1, first + int(count)) if step > 0 else max(0, first - int(count))


def _check_instances(space: MultiFrameSpace, given: object, start: int, last: int) -> list[_Progress]:
    """Each instance with its coordinates on ``start`` and the keyframe it must stop at, after checking it."""
    if isinstance(given, ObjectInstance):
        items: list[object] = [given]
    elif isinstance(given, Iterable) and not isinstance(given, (str, bytes)):
        items = list(given)
    else:
        raise LabelRowError(
            f"object_instances must be an ObjectInstance or a list of them, got {type(given).__name__}."
        )
    if not items:
        raise LabelRowError("object_instances is empty: give the object instances to track.")
    out: list[_Progress] = []
    for item in items:
        if not isinstance(item, ObjectInstance):
            raise LabelRowError(
                f"object_instances must hold ObjectInstance values, got {type(item).__name__} {item!r:.40}."
            )
        if any(p.instance is item for p in out):
            raise LabelRowError(f"{item!r} is given twice in object_instances; give each instance once.")
        shape = item.ontology_item.shape
        if shape is Shape.BITMASK:
            raise LabelRowError(
                f"{_name(item)} is a bitmask; bitmasks cannot be tracked (boxes, rotated boxes, points, "
                f"polylines, polygons and skeletons can)."
            )
        runs = space.get_object_runs(item)
        run = int(np.searchsorted(runs.starts, start, "right")) - 1
        if run < 0 or runs.ends[run] < start:
            where = f"it is on frames {runs.frames()[:4]}" if len(runs) else "it is not on the space at all"
            raise LabelRowError(
                f"{_name(item)} is not on frame {start} of space {space.space_id!r} ({where}). Tracking starts "
                f"from an instance's coordinates on the start frame: put it there first, or start from a "
                f"frame it is on."
            )
        value = np.array(runs.values[run], np.float64) if shape in _STRIDED else runs.values[run]
        out.append(_Progress(item, value, _next_keyframe(runs.starts, runs.ends, runs.metadata, start, last)))
    return out


def _next_keyframe(starts: IntArray, ends: IntArray, metadata: Sequence[Any], start: int, last: int) -> Optional[int]:
    """The first frame after ``start`` on the way to ``last`` where the annotation is manual, if any."""
    manual = np.array([m.manual_annotation for m in metadata], np.bool_)
    if last >= start:
        ahead = manual & (ends > start)
        firsts = np.maximum(starts[ahead], start + 1)
        return int(firsts.min()) if firsts.size else None
    behind = manual & (starts < start)
    lasts = np.minimum(ends[behind], start - 1)
    return int(lasts.max()) if lasts.size else None


def _name(instance: ObjectInstance) -> str:
    return f"Object {instance.ontology_item.name!r} ({instance.object_hash})"


def _follower(
    cv2: Any, factory: Optional[Callable[[], Any]], method: str, progress: _Progress, frame: Frame
) -> Follower:
    shape = progress.instance.ontology_item.shape
    if shape in _BOX_SHAPES:
        assert factory is not None
        return BoxFollower(cv2, factory, method == "kcf", progress.value, frame, _name(progress.instance))
    if shape is Shape.POLYGON:
        return PolygonFollower(cv2, progress.value, frame)
    return PointsFollower(progress.value, frame)


def _advance(cv2: Any, moving: list[_Progress], previous: Frame, frame: Frame, pool: ThreadPoolExecutor | None) -> None:
    """Move every instance still tracked from ``previous`` to ``frame``: one optical flow for all points.

    Boxes are updated on ``pool`` when given (``frame`` must already hold the reduced copies they
    read, as ``_prepared`` makes them: the threads only read it).
    """
    boxes = [p for p in moving if isinstance(p.follower, BoxFollower)]
    if pool is not None and len(boxes) > 1:
        found = list(pool.map(lambda p: p.follower.update(frame), boxes))
    else:
        found = [p.follower.update(frame) for p in boxes]
    for progress, box in zip(boxes, found, strict=True):
        _record(progress, frame.index, box)
    flowing = [(p, p.follower.points_to_flow()) for p in moving if not isinstance(p.follower, BoxFollower)]
    if not flowing:
        return
    moved, tracked = flow(cv2, previous.gray, frame.gray, np.vstack([points for _, points in flowing]))
    at = 0
    for progress, points in flowing:
        n = points.shape[0]
        _record(progress, frame.index, progress.follower.update(frame, moved[at : at + n], tracked[at : at + n]))
        at += n


def _record(progress: _Progress, index: int, found: Optional[tuple[Any, float]]) -> None:
    if found is None:
        progress.stop("lost", index)
        return
    progress.frames.append(index)
    progress.values.append(found[0])
    progress.confidence.append(found[1])


def _write(space: MultiFrameSpace, instances: list[_Progress]) -> None:
    """Write what was found: one ``put_object_track`` per instance and confidence."""
    for progress in instances:
        if not progress.frames:
            continue
        frames = np.array(progress.frames, np.int64)
        confidence = np.array(progress.confidence, np.float64)
        strided = progress.instance.ontology_item.shape in _STRIDED
        for value in np.unique(confidence):
            pick = np.flatnonzero(confidence == value)
            values: Any = [progress.values[i] for i in pick.tolist()]
            if strided:
                values = np.vstack(values)
            space.put_object_track(
                progress.instance,
                frames[pick],
                values,
                on_overlap="replace",
                manual_annotation=False,
                confidence=float(value),
            )
