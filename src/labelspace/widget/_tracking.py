"""Tracking for the Annotator: objects followed on a background thread, the result one undoable edit.

The tracker (``labelspace.assist.track_objects``) runs on a scratch copy of the objects (their
shape on the start frame and their keyframes, where tracking stops), never on the row the widget
shows, so edits made while it runs cannot race it. What it found becomes one ``batch`` operation
of ``put_object`` predictions (``manual_annotation=False`` with the tracker's confidence), which
the Annotator carries out like any edit: one step of undo, one update to the browser.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Literal

import numpy as np

from labelspace.model.coordinates import GeometricCoordinates
from labelspace.model.frames import Range
from labelspace.model.instances import ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.layouts import LAYOUTS, coordinates_from_row
from labelspace.model.ontology import Ontology
from labelspace.model.operations import coordinates_to_wire
from labelspace.model.spaces import MultiFrameSpace

Direction = Literal["forward", "backward"]


def _copy_for_tracking(
    ontology: Ontology, space: MultiFrameSpace, instances: list[ObjectInstance]
) -> tuple[MultiFrameSpace, list[ObjectInstance]]:
    """A scratch space holding copies of the instances with their runs (keyframes stop the tracker)."""
    scratch = LabelRow(ontology).add_video_space(space.space_id, space.number_of_frames, space.width, space.height)
    copies = []
    for instance in instances:
        copy = instance.ontology_item.create_instance(object_hash=instance.object_hash)
        runs = space.get_object_runs(instance)
        for i, (start, end) in enumerate(zip(runs.starts.tolist(), runs.ends.tolist(), strict=True)):
            scratch.put_object_instance(
                copy,
                Range(start, end),
                _coordinates(instance, runs.values[i]),
                manual_annotation=runs.metadata[i].manual_annotation,
                confidence=runs.metadata[i].confidence,
            )
        copies.append(copy)
    return scratch, copies


def _coordinates(instance: ObjectInstance, value: Any) -> GeometricCoordinates:
    if LAYOUTS[instance.ontology_item.shape].stride > 0:
        return coordinates_from_row(instance.ontology_item.shape, tuple(float(v) for v in np.asarray(value)))
    return value  # type: ignore[no-any-return]


class TrackingJob:
    """One tracking run: started on a thread, cancellable, reporting progress, its outcome kept for the caller.

    The job never touches the row shown: the Annotator takes ``outcome`` on the kernel's own
    thread (``on_ready`` tells it when) and carries out its operation like any edit.

    Args:
        ontology: The row's ontology.
        space: The space of the row shown.
        instances: The object instances to track (on ``start``).
        open_source: Opens the frames on the tracking thread: ``(source, close)``.
        start: The frame to track from.
        direction: ``"forward"`` or ``"backward"``.
        on_progress: ``on_progress(done, total)``, from the tracking thread.
        on_ready: Called once from the tracking thread when ``outcome`` is set.
    """

    def __init__(
        self,
        ontology: Ontology,
        space: MultiFrameSpace,
        instances: list[ObjectInstance],
        open_source: Callable[[], tuple[Any, Callable[[], None]]],
        start: int,
        direction: Direction,
        on_progress: Callable[[int, int], None],
        on_ready: Callable[[], None],
    ) -> None:
        self._space_id = space.space_id
        self._scratch, self._copies = _copy_for_tracking(ontology, space, instances)
        self._open_source = open_source
        self._start = start
        self._direction = direction
        self._on_progress = on_progress
        self._on_ready = on_ready
        self.cancel = threading.Event()
        self.outcome: tuple[dict[str, Any] | None, str] | None = None
        """``(operation or None, message)`` once tracking has ended."""
        self.taken = False
        """Set by the Annotator when it has carried out the outcome (it may be offered twice)."""
        self.thread = threading.Thread(target=self._run, name="labelspace-annotator-tracking", daemon=True)

    def _run(self) -> None:
        try:
            self.outcome = self._track()
        except Exception as e:  # reported to the person, never lost on a thread
            message = getattr(e, "message", None) or f"{type(e).__name__}: {e}"
            self.outcome = (None, f"Tracking failed: {message}")
        self._on_ready()

    def _track(self) -> tuple[dict[str, Any] | None, str]:
        from labelspace.assist import track_objects

        source, close = self._open_source()
        try:
            result = track_objects(
                self._scratch,
                self._copies,
                source,
                self._start,
                direction=self._direction,
                on_progress=self._on_progress,
                cancel=self.cancel,
            )
        finally:
            close()
        ops = []
        for copy, tracked in zip(self._copies, result.objects, strict=True):
            if not tracked.frames.size:
                continue
            # Only the frames tracked: the copy's other runs are the row's own, as they were.
            lo, hi = int(tracked.frames.min()), int(tracked.frames.max())
            runs = self._scratch.get_object_runs(copy)
            for i, (start, end) in enumerate(zip(runs.starts.tolist(), runs.ends.tolist(), strict=True)):
                first, last = max(start, lo), min(end, hi)
                if first > last or runs.metadata[i].manual_annotation:
                    continue
                ops.append(
                    {
                        "op": "put_object",
                        "space": self._space_id,
                        "object": copy.object_hash,
                        "frames": [[first, last]],
                        "coordinates": coordinates_to_wire(_coordinates(copy, runs.values[i])),
                        "on_overlap": "replace",
                        "meta": {"manual_annotation": False, "confidence": runs.metadata[i].confidence},
                    }
                )
        how = "Stopped" if result.cancelled else "Tracked"
        message = f"{how}: {len(self._copies)} object(s), {result.frames_done} frame(s) {self._direction}."
        return ({"op": "batch", "ops": ops} if ops else None), message
