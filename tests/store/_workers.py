"""Processes that use a store at once (run by the concurrency and kill tests)."""

from __future__ import annotations

import sys
import time

import numpy as np

from labelspace import LabelRow, Ontology, Shape
from labelspace.store import ConflictError, Store

FRAMES = 100_000


def box_ontology() -> Ontology:
    ontology = Ontology()
    ontology.add_object("car", Shape.BOUNDING_BOX, feature_node_hash="car00001")
    ontology.add_object("person", Shape.BOUNDING_BOX, feature_node_hash="prs00001")
    return ontology


def video_row(ontology: Ontology, frames: int = FRAMES) -> LabelRow:
    row = LabelRow(ontology)
    row.add_video_space("cam", frames, 640, 480, fps=25)
    return row


def put(obj: str, frame: int, x: float, feature: str = "car00001") -> dict:
    return {
        "op": "put_object",
        "space": "cam",
        "object": obj,
        "feature": feature,
        "frames": [[frame, frame]],
        "coordinates": {"x": x, "y": 0.1, "w": 0.2, "h": 0.2},
        "on_overlap": "replace",
    }


def writer(url: str, row_id: int, index: int, writers: int, seconds: float, out) -> None:
    """Put boxes on this writer's frames of one shared object and of its own, for ``seconds``; report each commit."""
    store = Store(url)
    stored = store.open_row(row_id, user=f"w{index}")
    rng = np.random.default_rng(index)
    committed = []
    refused = 0
    deadline = time.monotonic() + seconds
    n = 0
    while time.monotonic() < deadline:
        frame = index + writers * int(rng.integers(0, FRAMES // writers))
        x = round(float(rng.random()) * 0.7, 6)
        target = "shared01" if n % 2 == 0 else f"own{index:05d}"
        try:
            stored.apply(put(target, frame, x))
        except ConflictError:
            refused += 1
            continue
        committed.append((target, frame, x))
        n += 1
    store.close()
    out.put((index, committed, refused))


def claimer(url: str, user: str, out) -> None:
    """Claim rows until none is left, submitting each; report the ids claimed."""
    store = Store(url)
    got = []
    while True:
        row_id = store.claim_next(user, "annotate")
        if row_id is None:
            break
        got.append(row_id)
        store.submit(row_id, user)
    store.close()
    out.put((user, got))


def edit_until_killed(url: str, row_id: int) -> None:
    """Edit a row for ever, printing each edit's number once it is committed (the test kills this process)."""
    store = Store(url)
    stored = store.open_row(row_id, user="killed")
    start = stored.can_undo()
    n = start
    while True:
        stored.apply(put(f"k{n:07d}", n % FRAMES, 0.3))
        if n % 3 == 2:
            stored.apply({"op": "remove_object", "space": "cam", "object": f"k{n - 1:07d}"})
        print(n, flush=True)
        n += 1


if __name__ == "__main__":
    edit_until_killed(sys.argv[1], int(sys.argv[2]))
