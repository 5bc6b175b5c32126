"""Tracking from the Annotator: a track message runs the tracker off the kernel's thread; its result is one edit."""

import numpy as np
import pytest

from labelspace import LabelRow
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


def test_tracking_refuses_what_it_cannot_track_and_can_be_cancelled(tracked, world):
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
    a.handle({"kind": "cancel"})
    assert a.wait_for_tracking(30)
    last = [m for m, _ in sent.messages if m.get("kind") == "progress"][-1]
    assert last["done"] == last["total"] and ("Stopped" in last["message"] or "Tracked" in last["message"])
    assert np.all(np.diff(space.get_object_track(car)[0]) == 1)
