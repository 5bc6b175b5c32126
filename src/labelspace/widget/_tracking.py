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
    """One tracking run: started on a thread, cancellable, reporting progress and then its edit.

    Args:
        ontology: The row's ontology.
        space: The space of the row shown.
        instances: The object instances to track (on ``start``).
        source: Frames: a media source or an array, as ``track_objects`` takes them.
        start: The frame to track from.
        direction: ``"forward"`` or ``"backward"``.
        on_progress: ``on_progress(done, total)``, from the tracking thread.
        on_done: ``on_done(operation or None, message)``, from the tracking thread, once.
        close: Called when the job no longer needs ``source`` (to close a file opened for it).
    """

    def __init__(
        self,
        ontology: Ontology,
        space: MultiFrameSpace,
        instances: list[ObjectInstance],
        source: Any,
        start: int,
        direction: Direction,
        on_progress: Callable[[int, int], None],
        on_done: Callable[[dict[str, Any] | None, str], None],
        close: Callable[[], None] = lambda: None,
    ) -> None:
        self._space = space
        self._scratch, self._copies = _copy_for_tracking(ontology, space, instances)
        self._source = source
        self._start = start
        self._direction = direction
        self._on_progress = on_progress
        self._on_done = on_done
        self._close = close
        self.cancel = threading.Event()
        self._thread = threading.Thread(target=self._run, name="labelspace-annotator-tracking", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        from labelspace.assist import track_objects

        try:
            result = track_objects(
                self._scratch,
                self._copies,
                self._source,
                self._start,
                direction=self._direction,
                on_progress=self._on_progress,
                cancel=self.cancel,
            )
        except Exception as e:  # reported to the person, never lost on a thread
            message = getattr(e, "message", None) or f"{type(e).__name__}: {e}"
            self._on_done(None, f"Tracking failed: {message}")
            return
        finally:
            self._close()
        ops = []
        for copy in self._copies:
            runs = self._scratch.get_object_runs(copy)
            for i, (start, end) in enumerate(zip(runs.starts.tolist(), runs.ends.tolist(), strict=True)):
                meta = runs.metadata[i]
                if meta.manual_annotation:
                    continue
                coordinates = _coordinates(copy, runs.values[i])
                ops.append(
                    {
                        "op": "put_object",
                        "space": self._space.space_id,
                        "object": copy.object_hash,
                        "frames": [[start, end]],
                        "coordinates": coordinates_to_wire(coordinates),
                        "on_overlap": "replace",
                        "meta": {"manual_annotation": False, "confidence": meta.confidence},
                    }
                )
        done = result.frames_done
        how = "stopped" if result.cancelled else "tracked"
        message = f"{how.capitalize()}: {len(self._copies)} object(s), {done} frame(s) {self._direction}."
        self._on_done({"op": "batch", "ops": ops} if ops else None, message)
