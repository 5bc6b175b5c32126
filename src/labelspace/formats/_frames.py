"""An object's annotations frame by frame, for exports that write a record per frame.

Read through the model's run views (``get_object_runs``, ``get_dynamic_answer_runs``): the
coordinates and metadata of a run are built once and shared by its frames, and dynamic answers
are followed with one pointer per attribute as the frames go up, so a long track costs a few
list lookups per frame rather than a search.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from labelspace.model.annotations import Metadata
from labelspace.model.coordinates import GeometricCoordinates
from labelspace.model.instances import ObjectInstance
from labelspace.model.layouts import coordinates_from_row
from labelspace.model.ontology import Attribute
from labelspace.model.spaces import MultiFrameSpace, Space

FrameAnnotation = tuple[int, GeometricCoordinates, Metadata, list[tuple[Attribute, Any]]]
"""``(frame, coordinates, metadata, [(dynamic attribute, answer on that frame), ...])``."""


def object_frames(space: Space, instance: ObjectInstance) -> Iterator[FrameAnnotation]:
    """Every frame an object is on, in frame order, with its coordinates, metadata and dynamic answers there.

    The runs are taken as Python values a block at a time, so a track of millions of runs costs
    its compact columns, not a Python object per run.
    """
    runs = space.get_object_runs(instance)
    shape = instance.ontology_item.shape
    rows = runs.values if isinstance(runs.values, np.ndarray) else None
    dynamic = [
        (a.attribute, a.starts.tolist(), a.ends.tolist(), a.answer_ids.tolist(), a.answers)
        for a in (space.get_dynamic_answer_runs(instance) if isinstance(space, MultiFrameSpace) else [])
    ]
    at = [0] * len(dynamic)
    for block in range(0, len(runs), _BLOCK):
        starts = runs.starts[block : block + _BLOCK].tolist()
        ends = runs.ends[block : block + _BLOCK].tolist()
        values: list[Any] = (
            rows[block : block + _BLOCK].tolist() if rows is not None else list(runs.values[block : block + _BLOCK])
        )
        for k, (first, last) in enumerate(zip(starts, ends, strict=True)):
            coordinates = coordinates_from_row(shape, values[k]) if rows is not None else values[k]
            meta = runs.metadata[block + k]
            for frame in range(first, last + 1):
                answers = []
                for j, (attribute, a_starts, a_ends, ids, answer_values) in enumerate(dynamic):
                    p = at[j]
                    while p < len(a_starts) and a_ends[p] < frame:
                        p += 1
                    at[j] = p
                    if p < len(a_starts) and a_starts[p] <= frame:
                        answers.append((attribute, answer_values[ids[p]]))
                yield frame, coordinates, meta, answers


_BLOCK = 1024
