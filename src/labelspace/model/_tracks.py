"""What a space keeps per instance: the runs of frames it is on, with values, metadata and dynamic answers."""

from __future__ import annotations

import struct
from typing import Any

from labelspace.model._dynamic import AnswerTrack
from labelspace.model._meta import MetaTable
from labelspace.model._runs import RunTable
from labelspace.model.annotations import ObjectRuns
from labelspace.model.coordinates import GeometricCoordinates
from labelspace.model.instances import ClassificationInstance, ObjectInstance
from labelspace.model.layouts import LAYOUTS, coordinates_from_row


class ObjectTrack:
    """An object instance on a space: its runs (each with a value and a metadata record) and dynamic answers."""

    __slots__ = ("coordinates_type", "dynamic", "instance", "layout", "pack", "row", "runs")

    def __init__(self, instance: ObjectInstance) -> None:
        self.instance = instance
        self.layout = LAYOUTS[instance.ontology_item.shape]
        self.runs = RunTable(self.layout.stride)
        self.dynamic: dict[str, AnswerTrack] = {}  # by attribute hash
        # Copied out of the layout for the per-frame put, which reads them on every call.
        self.coordinates_type = self.layout.coordinates
        self.row = self.layout.row
        # Appending a packed row of floats is the cheapest way to grow an array("d") from a tuple.
        self.pack = struct.Struct(f"={max(self.layout.stride, 0)}d").pack

    def coordinates(self, run: int) -> GeometricCoordinates:
        """The coordinates of one run."""
        value = self.runs.value(run)
        if self.layout.stride > 0:
            return coordinates_from_row(self.instance.ontology_item.shape, value)  # type: ignore[arg-type]
        return value  # type: ignore[return-value]

    def view(self, meta: MetaTable) -> ObjectRuns:
        """The runs as arrays."""
        runs = self.runs
        values: Any = runs.np_rows() if runs.stride > 0 else list(runs.objects)
        return ObjectRuns(runs.np_starts(), runs.np_ends(), values, [meta.record(t) for t in runs.tags])


class ClassificationTrack:
    """A classification instance on a space: runs of frames with metadata, or one record when global."""

    __slots__ = ("global_record", "instance", "runs")

    def __init__(self, instance: ClassificationInstance) -> None:
        self.instance = instance
        self.runs = RunTable(0)
        self.global_record: int | None = None
