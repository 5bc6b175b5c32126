"""Tracking from the Annotator: a track message runs the tracker off the kernel's thread; its result is one edit."""

import threading

import numpy as np
import pytest

from labelspace import BoundingBoxCoordinates, LabelRow
from labelspace.widget.annotator import Annotator
from tests.assist.test_tracking import FRAMES, HEIGHT, VIDEO, WIDTH, box_coordinates, iou, true_box
from tests.widget.conftest import Sent

pytest.importorskip("cv2")


@pytest.fixture
def tracked(world):
    row = LabelRow(world.ontology)
    space = row.add_video_space("cam", FRAMES, WIDTH, HEIGHT, fps=25)
    car = world.box.create_instance()
    space.put_object_instance(car, 0, box_coordinates(0))
    a = Annotator(row, media={"cam": VIDEO})
    sent = Sent(a)
    a.handle({"kind": "ready"})
    return a, sent, space, car


def test_a_box_is_tracked_50_frames_as_one_undoable_edit_of_predictions(tracked):
    a, sent, space, car = tracked
    a.handle(
        {
            "kind": "track",
            "request": 7,
            "space": "cam",
            "objects": [car.object_hash],
            "frame": 0,
            "direction": "forward",
        }
    )
    assert a.wait_for_tracking(60)
    progress = [m for m, _ in sent.messages if m.get("kind") == "progress"]
    assert progress[0]["done"] == 0 and progress[-1]["done"] == progress[-1]["total"]
    # Running until the result is stored: no message before the last says every step is done, and
    # the count never goes back.
    assert all(m["done"] < m["total"] for m in progress[:-1])
    assert [m["done"] for m in progress] == sorted(m["done"] for m in progress)
    assert progress[-1]["message"].startswith("Tracked: 1 object(s), 50 frame(s)")
    update = [m for m, _ in sent.messages if m.get("kind") == "update"][-1]
    assert update["request"] == 7 and update["history"]["undo"] == 1
    frames, rows = space.get_object_track(car)
    assert frames.tolist() == list(range(51))
    for f, values in zip(frames.tolist(), rows, strict=True):
        assert iou(values, true_box(f)) >= 0.8, f
    annotations = {x.frame: x for x in space.get_annotations("object")}
    assert annotations[0].manual_annotation and not any(annotations[f].manual_annotation for f in range(1, 51))
    assert a.undo() and space.get_object_frames(car)[-1].end == 0


def test_tracking_refuses_what_it_cannot_track(tracked):
    a, sent, space, car = tracked
    a.handle({"kind": "track", "request": 1, "space": "cam", "objects": ["nope"], "frame": 0, "direction": "forward"})
    assert sent.messages[-1][0]["kind"] == "refused" and "not on space 'cam'" in sent.messages[-1][0]["message"]
    a.handle(
        {
            "kind": "track",
            "request": 2,
            "space": "cam",
            "objects": [car.object_hash],
            "frame": 0,
            "direction": "backward",
        }
    )
    assert a.wait_for_tracking(30)
    assert space.get_object_frames(car)[-1].end == 0  # nothing before frame 0


class Gate(list):
    """Frames that hold back frame 10 and later until the gate opens, saying when frame 10 is asked for."""

    def __init__(self, frames, gate):
        super().__init__(frames)
        self.gate = gate
        self.reached = threading.Event()

    def __getitem__(self, i):
        if isinstance(i, int) and i >= 10:
            self.reached.set()
            self.gate.wait(10)
        return super().__getitem__(i)


def test_cancel_stops_tracking_and_keeps_what_was_tracked(world):
    row = LabelRow(world.ontology)
    space = row.add_video_space("cam", FRAMES, WIDTH, HEIGHT, fps=25)
    car = world.box.create_instance()
    space.put_object_instance(car, 0, box_coordinates(0))
    gate = threading.Event()
    frames = Gate(list(VIDEO), gate)
    a = Annotator(row, media={"cam": frames})
    sent = Sent(a)
    a.handle(
        {
            "kind": "track",
            "request": 3,
            "space": "cam",
            "objects": [car.object_hash],
            "frame": 0,
            "direction": "forward",
        }
    )
    assert frames.reached.wait(30)  # frames 1-9 are tracked; the tracker waits for frame 10
    a.handle({"kind": "cancel"})
    gate.set()
    assert a.wait_for_tracking(30)
    last = [m for m, _ in sent.messages if m.get("kind") == "progress"][-1]
    assert last["message"].startswith("Stopped") and last["done"] == last["total"]
    done = space.get_object_track(car)[0]
    assert 0 < done[-1] <= 10 and np.all(np.diff(done) == 1)


def test_tracking_writes_only_the_frames_it_tracked(tracked):
    a, sent, space, car = tracked
    later = BoundingBoxCoordinates(height=0.1, width=0.1, top_left_x=0.5, top_left_y=0.5)
    space.put_object_instance(car, 57, later, manual_annotation=False, confidence=0.3)
    before = space.get_object_runs(car).metadata[-1]
    a.handle(
        {
            "kind": "track",
            "request": 4,
            "space": "cam",
            "objects": [car.object_hash],
            "frame": 0,
            "direction": "forward",
        }
    )
    assert a.wait_for_tracking(60)
    update = [m for m, _ in sent.messages if m.get("kind") == "update"][-1]
    [state] = update["objects"]
    assert space.get_object_runs(car).metadata[-1] == before  # frame 57 was not written again
    assert [r["start"] for r in state["runs"]][-1] == 57
