"""The Annotator's Python side without a browser: real rows and projects, messages as the browser sends them."""

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from labelspace import (
    Annotator,
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    LabelRow,
    LabelRowError,
    LabelspaceError,
    Project,
    Range,
)
from labelspace.model.operations import Change, apply_operation, coordinates_to_wire
from labelspace.widget import _autosave, protocol
from tests.conftest import World
from tests.widget.conftest import Sent

BOX = {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}
MOVED = {"x": 0.2, "y": 0.2, "w": 0.3, "h": 0.4}
ROOT = Path(__file__).resolve().parents[2]


def wire(shape):
    """Wire coordinates of an object of each shape (the mask on a 64 x 48 image)."""
    mask = np.zeros((48, 64), bool)
    mask[10:20, 5:30] = True
    return {
        "box": BOX,
        "rotated": {**BOX, "theta": 30.0},
        "point": {"x": 0.5, "y": 0.25},
        # An outer ring and a hole.
        "polygon": {"polygons": [[[0.1, 0.1, 0.9, 0.1, 0.5, 0.9], [0.4, 0.3, 0.6, 0.3, 0.5, 0.5]]]},
        "polyline": {"points": [0.1, 0.1, 0.5, 0.5, 0.9, 0.2]},
        "mask": {"height": 48, "width": 64, "counts": BitmaskCoordinates(mask).counts.tolist()},
        "skeleton": {
            "name": "pose",
            "nodes": [
                {"name": "head", "x": 0.5, "y": 0.1, "visibility": "visible"},
                {"name": "hip", "x": 0.5, "y": 0.6, "visibility": "occluded"},
            ],
        },
    }[shape]


def put(world, space, object_hash, shape="box", **extra):
    return {
        "op": "put_object",
        "space": space,
        "object": object_hash,
        "feature": getattr(world, shape).feature_node_hash,
        "coordinates": wire(shape),
        **extra,
    }


def write_png(path, level):
    array = np.zeros((48, 64, 3), np.uint8)
    array[:, :, 0] = level
    array[10:20, 10:20] = 255
    Image.fromarray(array).save(path)
    return path


def browser(widget, **message):
    """Deliver a message as the browser does: failures end in widget.message, never raised."""
    widget._on_message(widget, message, [])


def last(sent, kind=None):
    contents = [m for m, _ in sent.messages if kind is None or m.get("kind") == kind]
    assert contents, f"nothing of kind {kind!r} was sent"
    return contents[-1]


def without_times(d):
    """A native dict without the metadata times (two rows edited a moment apart differ only there)."""
    d = json.loads(json.dumps(d))
    for space in d["spaces"]:
        space["metadata"].pop("created_at")
        space["metadata"].pop("last_edited_at")
    return d


def wait_for(condition, timeout=10.0):
    """Wait for something a background thread does (a deadline, not a speed check)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


@pytest.fixture
def pngs(tmp_path):
    return [write_png(tmp_path / f"img{i}.png", 40 * i) for i in range(3)]


@pytest.fixture
def row(world, pngs):
    return LabelRow.from_media(world.ontology, {"img": pngs[0], "img2": pngs[1]})


@pytest.fixture
def project(world, pngs):
    project = Project(world.ontology)
    for path in pngs:
        project.add_row(LabelRow.from_media(world.ontology, {"img": path}))
    return project


# --- the row ----------------------------------------------------------------------------------------


def test_a_row_too_large_for_one_message_sends_its_other_objects_as_updates(world, monkeypatch):
    from labelspace import Range
    from labelspace.widget import annotator as annotator_module

    row = world.row()
    video = row.add_video_space("cam", number_of_frames=300, width=64, height=48)
    for k in range(30):
        car = world.box.create_instance(f"car{k:02d}")
        for f in range(0, 300, 3):  # a run every 3 frames, each with its own box
            video.put_object_instance(car, Range(f, f + 2), BoundingBoxCoordinates(0.1, 0.1, f / 400, k / 40))
    monkeypatch.setattr(annotator_module, "MESSAGE_BYTES", 20_000)
    a = Annotator(row)
    sent = Sent(a)
    browser(a, kind="ready")
    messages = [m for m, _ in sent.messages]
    rows = [m for m in messages if m["kind"] == "row"]
    more = [m for m in messages if m["kind"] == "update"]
    assert len(rows) == 1 and len(more) >= 2
    assert all(len(json.dumps(m["objects"])) <= 2 * 20_000 for m in [rows[0]["row"], *more])
    assert all(m["request"] is None and m["removed_objects"] == [] for m in more)
    ids = [o["id"] for o in rows[0]["row"]["objects"]] + [o["id"] for m in more for o in m["objects"]]
    assert ids == [f"car{k:02d}" for k in range(30)]
    assert [o["runs"] for m in more for o in m["objects"]] == [
        o["runs"] for o in protocol.row_state(row, 0, "", None)["objects"][len(rows[0]["row"]["objects"]) :]
    ]


def test_ready_sends_the_whole_row(world, row):
    space = row.get_space(id="img")
    car = world.box.create_instance("car1")
    car.set_answer(world.red)
    space.put_object_instance(car, BoundingBoxCoordinates(0.4, 0.3, 0.1, 0.2), confidence=0.5, created_by="ann")
    a = Annotator(row)
    sent = Sent(a)
    browser(a, kind="ready")
    message = last(sent)
    assert message["kind"] == "row" and set(message) == {"kind", "row"}
    state = message["row"]
    assert state["index"] == 0 and state["title"] == "img, img2"
    assert state["spaces"] == [
        {"id": "img", "kind": "image", "title": "img", "width": 64, "height": 48, "frames": 1, "fps": None},
        {"id": "img2", "kind": "image", "title": "img2", "width": 64, "height": 48, "frames": 1, "fps": None},
    ]
    assert state["objects"] == [
        {
            "space": "img",
            "id": "car1",
            "feature": "box00001",
            "runs": [
                {
                    "start": 0,
                    "end": 0,
                    "coordinates": {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4},
                    "meta": {"confidence": 0.5, "manual_annotation": True, "created_by": "ann", "last_edited_by": None},
                }
            ],
            "answers": {"colr0001": "red00001"},
            "dynamic": {},
        }
    ]
    assert state["classifications"] == []
    assert state["history"] == {"undo": 0, "redo": 0, "undo_label": "", "redo_label": ""}
    json.dumps(message)  # all of it goes over the wire as JSON
    assert a.row_count == 1 and a.rows == [{"title": "img, img2", "objects": 1, "spaces": ["img", "img2"]}]
    assert a.width == 0 and a.height == 0 and a.save_status == "" and a.message == ""


@pytest.mark.parametrize("shape", ["box", "rotated", "polygon", "polyline", "point", "skeleton", "mask"])
def test_an_edit_of_every_shape_does_what_apply_operation_does(world, row, shape):
    twin = LabelRow.from_dict(row.to_dict(), world.ontology)
    a = Annotator(row)
    sent = Sent(a)
    op = put(world, "img", "o1", shape)
    browser(a, kind="edit", request=7, op=op)
    apply_operation(twin, op)
    assert without_times(row.to_dict()) == without_times(twin.to_dict())
    update = last(sent)
    assert update["kind"] == "update" and update["request"] == 7
    [state] = update["objects"]
    [instance] = row.get_space(id="img").get_object_instances()
    assert state == protocol.object_state(row.get_space(id="img"), instance)
    assert [r["coordinates"] for r in state["runs"]] == [wire(shape)]
    assert update["removed_objects"] == [] and update["classifications"] == []
    assert update["history"]["undo"] == 1 and update["history"]["undo_label"] == "put object"
    assert a.message == "" and a.rows[0]["objects"] == 1


def test_undo_and_redo_messages_restore_the_row_exactly(world, row):
    a = Annotator(row)
    sent = Sent(a)
    steps = [
        put(world, "img", "a"),
        put(world, "img", "b", "polygon"),
        {**put(world, "img", "a"), "coordinates": MOVED, "on_overlap": "replace", "meta": {"last_edited_by": "bob"}},
        {"op": "set_answer", "instance": "a", "attribute": "colr0001", "answer": "blue0001"},
        {"op": "remove_object", "space": "img", "object": "b"},
        {"op": "put_classification", "space": "img2", "classification": "c", "feature": "weat0001"},
    ]
    states = [row.to_dict()]
    for i, op in enumerate(steps):
        browser(a, kind="edit", request=i, op=op)
        assert last(sent)["kind"] == "update", a.message
        states.append(row.to_dict())
    for i in reversed(range(len(steps))):
        browser(a, kind="undo", request=100 + i)
        assert row.to_dict() == states[i]
        assert last(sent)["request"] == 100 + i and last(sent)["history"]["redo"] == len(steps) - i
    browser(a, kind="undo", request=200)  # nothing left: answered, nothing changes
    assert last(sent)["objects"] == [] and last(sent)["request"] == 200 and row.to_dict() == states[0]
    for i in range(len(steps)):
        browser(a, kind="redo", request=300 + i)
        assert row.to_dict() == states[i + 1]
    assert a.undo() is True and row.to_dict() == states[-2]
    assert a.redo() is True and a.redo() is False and row.to_dict() == states[-1]


def test_undo_sends_the_state_of_what_it_touched(world, row):
    a = Annotator(row)
    sent = Sent(a)
    browser(a, kind="edit", request=1, op=put(world, "img", "a"))
    browser(a, kind="edit", request=2, op={"op": "remove_object", "space": "img", "object": "a"})
    assert last(sent)["removed_objects"] == [{"space": "img", "id": "a"}]
    browser(a, kind="undo", request=3)
    update = last(sent)
    assert [o["id"] for o in update["objects"]] == ["a"] and update["removed_objects"] == []
    assert update["history"] == {"undo": 1, "redo": 1, "undo_label": "put object", "redo_label": "remove object"}


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ({"op": "put_object", "space": "img", "object": "o1", "feature": "nope", "coordinates": BOX}, "nope"),
        ({"op": "put_object", "space": "zzz", "object": "o9", "feature": "box00001", "coordinates": BOX}, "zzz"),
        ({"op": "frobnicate"}, "unknown operation"),
        ("not an op", "must be an operation"),
        ({"op": "set_answer", "instance": "o1", "attribute": "colr0001", "answer": "sunn0001"}, "not an option"),
    ],
)
def test_a_refused_edit_says_why_and_changes_nothing(world, row, op, message):
    apply_operation(row, put(world, "img", "o1"))
    before = row.to_dict()
    a = Annotator(row)
    sent = Sent(a)
    browser(a, kind="edit", request=5, op=op)
    refused = last(sent)
    assert refused["kind"] == "refused" and refused["request"] == 5 and message in refused["message"]
    assert a.message == refused["message"]
    assert row.to_dict() == before and a.history.can_undo == 0


def test_an_overlap_is_refused_with_the_models_message(world, row):
    a = Annotator(row)
    sent = Sent(a)
    a.edit(put(world, "img", "o1"))
    before = row.to_dict()
    with pytest.raises(LabelRowError) as expected:
        apply_operation(LabelRow.from_dict(before, world.ontology), put(world, "img", "o1", on_overlap="error"))
    browser(a, kind="edit", request=2, op=put(world, "img", "o1", on_overlap="error"))
    assert last(sent) == {"kind": "refused", "request": 2, "message": expected.value.message}
    assert row.to_dict() == before
    with pytest.raises(LabelRowError, match="already on frame 0"):
        a.edit(put(world, "img", "o1"))
    # The next good edit clears the message.
    browser(a, kind="edit", request=3, op={**put(world, "img", "o1"), "on_overlap": "replace", "coordinates": MOVED})
    assert last(sent)["kind"] == "update" and a.message == ""


def test_readonly_refuses_edits(world, row):
    a = Annotator(row, readonly=True)
    sent = Sent(a)
    before = row.to_dict()
    browser(a, kind="edit", request=1, op=put(world, "img", "o1"))
    assert last(sent)["kind"] == "refused" and "read-only" in last(sent)["message"]
    browser(a, kind="undo", request=2)
    assert last(sent) == {"kind": "refused", "request": 2, "message": a.message} and "read-only" in a.message
    with pytest.raises(LabelRowError, match="read-only"):
        a.edit(put(world, "img", "o1"))
    assert row.to_dict() == before and a.readonly is True
    a.readonly = False
    a.edit(put(world, "img", "o1"))
    assert len(row.get_space(id="img").get_object_instances()) == 1


def test_nested_radio_answers(world, row):
    apply_operation(row, put(world, "img", "o1"))
    a = Annotator(row)
    sent = Sent(a)
    browser(
        a, kind="edit", request=1, op={"op": "set_answer", "instance": "o1", "attribute": "shad0001", "answer": "x"}
    )
    assert last(sent)["kind"] == "refused" and "choose that option first" in last(sent)["message"]
    browser(
        a,
        kind="edit",
        request=2,
        op={
            "op": "batch",
            "ops": [
                {"op": "set_answer", "instance": "o1", "attribute": "colr0001", "answer": "red00001"},
                {"op": "set_answer", "instance": "o1", "attribute": "shad0001", "answer": "dark"},
            ],
        },
    )
    update = last(sent)
    [state] = update["objects"]
    assert state["answers"] == {"colr0001": "red00001", "shad0001": "dark"}
    assert update["history"]["undo_label"] == "set answer (2)"
    instance = row.get_space(id="img").get_object_instances()[0]
    assert instance.get_answer(world.shade) == "dark"


def test_static_answers_go_to_every_space_the_instance_is_on(world, row):
    a = Annotator(row)
    sent = Sent(a)
    a.edit(put(world, "img", "o1"))
    a.edit(put(world, "img2", "o1"))
    a.edit({"op": "set_answer", "instance": "o1", "attribute": "make0001", "answer": "Volvo"})
    update = last(sent)
    assert [(o["space"], o["id"], o["answers"]) for o in update["objects"]] == [
        ("img", "o1", {"make0001": "Volvo"}),
        ("img2", "o1", {"make0001": "Volvo"}),
    ]
    assert a.rows[0]["objects"] == 1  # one instance on two spaces


def test_predictions_are_accepted_and_removed(world, row):
    a = Annotator(row)
    sent = Sent(a)
    for h in ("p1", "p2"):
        a.edit(put(world, "img", h, meta={"manual_annotation": False, "confidence": 0.4}))
    browser(a, kind="ready")
    metas = [o["runs"][0]["meta"] for o in last(sent, "row")["row"]["objects"]]
    assert [(m["manual_annotation"], m["confidence"]) for m in metas] == [(False, 0.4), (False, 0.4)]
    browser(a, kind="edit", request=1, op={"op": "accept_object", "space": "img", "object": "p1"})
    [state] = last(sent)["objects"]
    assert state["id"] == "p1" and state["runs"][0]["meta"]["manual_annotation"] is True
    assert state["runs"][0]["meta"]["confidence"] == 0.4
    browser(a, kind="edit", request=2, op={"op": "remove_object", "space": "img", "object": "p2"})
    update = last(sent)
    assert update["removed_objects"] == [{"space": "img", "id": "p2"}] and update["objects"] == []
    assert [o.object_hash for o in row.get_space(id="img").get_object_instances()] == ["p1"]
    assert a.rows[0]["objects"] == 1


def test_video_runs_dynamic_answers_and_classifications(world):
    row, _ = world.video(frames=100, width=64, height=48)
    a = Annotator(row)
    sent = Sent(a)
    a.edit(put(world, "cam", "v", frames=[[0, 49]]))
    a.edit({**put(world, "cam", "v"), "frames": 20, "coordinates": MOVED, "on_overlap": "replace"})
    [state] = last(sent)["objects"]
    assert [(r["start"], r["end"], r["coordinates"]) for r in state["runs"]] == [
        (0, 19, BOX),
        (20, 20, MOVED),
        (21, 49, BOX),
    ]
    a.edit(
        {
            "op": "set_dynamic_answer",
            "space": "cam",
            "object": "v",
            "attribute": "occl0001",
            "frames": [[10, 30]],
            "answer": "hid00001",
        }
    )
    a.edit(
        {
            "op": "set_dynamic_answer",
            "space": "cam",
            "object": "v",
            "attribute": "tags0001",
            "frames": [[0, 5]],
            "answer": ["dirt0001"],
        }
    )
    [state] = last(sent)["objects"]
    assert state["dynamic"] == {
        "occl0001": [{"start": 10, "end": 30, "answer": "hid00001"}],
        "tags0001": [{"start": 0, "end": 5, "answer": ["dirt0001"]}],
    }
    a.edit({"op": "put_classification", "space": "cam", "classification": "w", "feature": "weat0001", "frames": 3})
    a.edit({"op": "put_classification", "space": "cam", "classification": "s", "feature": "scen0001"})
    browser(a, kind="ready")
    state = last(sent, "row")["row"]
    assert state["spaces"] == [
        {"id": "cam", "kind": "video", "title": "cam", "width": 64, "height": 48, "frames": 100, "fps": 25.0}
    ]
    assert [(c["id"], c["global"], [(r["start"], r["end"]) for r in c["runs"]]) for c in state["classifications"]] == [
        ("w", False, [(3, 3)]),
        ("s", True, [(0, 99)]),
    ]


def test_a_replace_that_removes_a_rival_classification_sends_it_removed(world):
    row, _ = world.video(frames=10)
    a = Annotator(row)
    sent = Sent(a)
    a.edit({"op": "put_classification", "space": "cam", "classification": "w1", "feature": "weat0001", "frames": 3})
    a.edit(
        {
            "op": "put_classification",
            "space": "cam",
            "classification": "w2",
            "feature": "weat0001",
            "frames": 3,
            "on_overlap": "replace",
        }
    )
    update = last(sent)
    assert [c["id"] for c in update["classifications"]] == ["w2"]
    assert update["removed_classifications"] == [{"space": "cam", "id": "w1"}]


# --- Python side ------------------------------------------------------------------------------------


def test_python_edits_refresh_and_history(world, row):
    a = Annotator(row)
    sent = Sent(a)
    edit = a.edit(put(world, "img", "o1"))
    assert [c.op for c in edit.changes] == ["put_object"] and last(sent)["request"] is None
    assert a.history is a.history and a.history.can_undo == 1 and a.row is row
    assert a.undo() is True and a.undo() is False
    assert row.get_space(id="img").get_object_instances() == []
    # A change made to the row in Python, then shown.
    row.get_space(id="img2").put_object_instance(world.point.create_instance("pt"), coordinates_from(world))
    a.refresh()
    state = last(sent, "row")["row"]
    assert [o["id"] for o in state["objects"]] == ["pt"] and a.history.can_redo == 0
    assert a.rows[0]["objects"] == 1


def coordinates_from(world):
    from labelspace import PointCoordinate

    return PointCoordinate(0.5, 0.5)


def test_constructor_checks_its_arguments(world, row, pngs):
    with pytest.raises(LabelRowError, match="needs a LabelRow, a Project, a stored row or a Store"):
        Annotator("labels.json")
    with pytest.raises(LabelRowError, match="no rows"):
        Annotator(Project(world.ontology))
    with pytest.raises(LabelRowError, match=r"media names space 'cam', but no row has it"):
        Annotator(row, {"cam": pngs[0]})
    with pytest.raises(LabelRowError, match="one media path or array fits a label row with one space"):
        Annotator(row, pngs[0])
    with pytest.raises(LabelRowError, match="on_change must be a function"):
        Annotator(row, on_change=3)
    with pytest.raises(LabelRowError, match="width must be a number of pixels"):
        Annotator(row, width=-1)
    a = Annotator(row, width=800, height=600)
    assert (a.width, a.height) == (800, 600)


def test_malformed_messages_never_raise(world, row):
    a = Annotator(row)
    sent = Sent(a)
    for message in (
        {"kind": "bogus"},
        {"kind": "edit", "op": put(world, "img", "o1")},
        {"kind": "undo", "request": "x"},
        {"kind": "goto", "row": "next"},
    ):
        a.message = ""
        browser(a, **message)
        assert a.message, message
    a.message = ""
    a._on_message(a, ["not", "a", "dict"], [])
    assert "not an object" in a.message
    a.message = ""
    browser(a, kind="anywidget-command", name="_image", id="1", msg={})
    assert a.message == "" and sent.messages == []
    assert row.get_space(id="img").get_object_instances() == []


# --- projects ---------------------------------------------------------------------------------------


def test_stepping_through_a_project(world, project):
    a = Annotator(project)
    sent = Sent(a)
    assert a.row_count == 3 and [r["title"] for r in a.rows] == ["img"] * 3
    assert [r["objects"] for r in a.rows] == [0, 0, 0]
    browser(a, kind="goto", row=1)
    assert last(sent, "row")["row"]["index"] == 1 and a.row_index == 1 and a.row is project.rows[1]
    browser(a, kind="edit", request=1, op=put(world, "img", "o1"))
    assert [r["objects"] for r in a.rows] == [0, 1, 0]
    assert a.next() is True and a.row_index == 2 and a.next() is False
    assert a.history.can_undo == 0  # each row keeps its own history
    assert a.previous() is True and a.history.can_undo == 1
    a.goto(0)
    assert last(sent, "row")["row"]["index"] == 0 and a.previous() is False
    with pytest.raises(LabelRowError, match=r"Row 3 is out of range: rows are 0\.\.2"):
        a.goto(3)
    browser(a, kind="goto", row=9)
    assert a.row_index == 2 and "out of range" in a.message and last(sent, "row")["row"]["index"] == 2
    a.row_index = 1  # as the browser sets the synced trait
    assert last(sent, "row")["row"]["index"] == 1 and a.message == ""
    browser(a, kind="undo", request=4)
    assert [r["objects"] for r in a.rows] == [0, 0, 0]


def test_refresh_picks_up_rows_added_to_the_project(world, project, pngs):
    a = Annotator(project)
    project.add_row(LabelRow.from_media(world.ontology, {"img": pngs[0]}))
    a.refresh()
    assert a.row_count == 4 and len(a.rows) == 4


# --- images -----------------------------------------------------------------------------------------


def test_the_image_command_sends_the_png_bytes(row, pngs):
    a = Annotator(row)
    response, buffers = a._image({"row": 0, "space": "img2", "frame": 0}, [])
    assert response == {"mime": "image/png", "width": 64, "height": 48, "error": ""}
    assert buffers == [pngs[1].read_bytes()]


def test_image_errors_are_answers_not_exceptions(world, row):
    bare = world.row()
    bare.add_image_space("nothing", 32, 32)
    a = Annotator(bare)
    response, buffers = a._image({"row": 0, "space": "nothing", "frame": 0}, [])
    assert buffers == [] and (response["mime"], response["width"], response["height"]) == ("", 0, 0)
    assert "has no media" in response["error"] and "media={'nothing'" in response["error"]
    a = Annotator(row)
    for msg, text in [
        ({"row": 3, "space": "img", "frame": 0}, "row must be 0..0"),
        ({"row": 0, "space": "cam", "frame": 0}, "no space 'cam'"),
        ({"row": 0, "space": "img", "frame": 1}, "frame must be 0..0"),
        ("junk", "must be {row, space, frame}"),
    ]:
        response, buffers = a._image(msg, [])
        assert text in response["error"] and buffers == []
    row.get_space(id="img").media = "https://example.com/a.png"
    a.refresh()
    assert "URL" in a._image({"row": 0, "space": "img", "frame": 0}, [])[0]["error"]
    row.get_space(id="img").media = "missing/a.png"
    a.refresh()
    assert "was not found" in a._image({"row": 0, "space": "img", "frame": 0}, [])[0]["error"]


def test_the_image_command_through_anywidgets_channel(row, pngs):
    a = Annotator(row)
    sent = Sent(a)
    a._handle_custom_msg(
        {"kind": "anywidget-command", "id": "42", "name": "_image", "msg": {"row": 0, "space": "img", "frame": 0}},
        [],
    )
    [(content, buffers)] = sent.messages
    assert content == {
        "id": "42",
        "kind": "anywidget-command-response",
        "response": {"mime": "image/png", "width": 64, "height": 48, "error": ""},
    }
    assert buffers == [pngs[0].read_bytes()] and a.message == ""


def test_media_given_as_arrays(world):
    row = world.row()
    row.add_image_space("still", 20, 10)
    row.add_video_space("clip", 3, 20, 10)
    frames = np.zeros((3, 10, 20, 3), np.uint8)
    frames[1] = 200
    a = Annotator(row, {"still": np.full((10, 20, 3), 90, np.uint8), "clip": frames})
    response, [data] = a._image({"row": 0, "space": "clip", "frame": 1}, [])
    assert (response["mime"], response["width"], response["height"]) == ("image/jpeg", 20, 10)
    assert abs(float(np.asarray(Image.open(io.BytesIO(data))).mean()) - 200) < 3
    response, [data] = a._image({"row": 0, "space": "still", "frame": 0}, [])
    assert abs(float(np.asarray(Image.open(io.BytesIO(data))).mean()) - 90) < 3


def test_video_frames_are_read_and_encoded(world, tmp_path):
    from tests.media.test_media import write_video

    write_video(tmp_path / "v.mp4", frames=12)
    row = LabelRow.from_media(world.ontology, tmp_path / "v.mp4")
    a = Annotator(row)
    response, [data] = a._image({"row": 0, "space": "v.mp4", "frame": 5}, [])
    assert (response["mime"], response["width"], response["height"], response["error"]) == ("image/jpeg", 64, 48, "")
    assert abs(float(np.asarray(Image.open(io.BytesIO(data))).mean()) - 30) < 4


def test_volume_slices_are_read_and_encoded(world, tmp_path):
    nibabel = pytest.importorskip("nibabel")
    volume = np.zeros((20, 16, 6), np.float32)
    volume[:, :, 4] = 1000.0
    nibabel.save(nibabel.Nifti1Image(volume, np.eye(4)), tmp_path / "brain.nii.gz")
    row = LabelRow.from_media(world.ontology, {"brain": tmp_path / "brain.nii.gz"})
    a = Annotator(row)
    sent = Sent(a)
    browser(a, kind="ready")
    assert last(sent)["row"]["spaces"][0]["kind"] == "nifti" and last(sent)["row"]["spaces"][0]["frames"] == 6
    _, [dark_data] = a._image({"row": 0, "space": "brain", "frame": 0}, [])
    bright, [bright_data] = a._image({"row": 0, "space": "brain", "frame": 4}, [])
    assert (bright["mime"], bright["width"], bright["height"]) == ("image/jpeg", 20, 16)
    level = [float(np.asarray(Image.open(io.BytesIO(d))).mean()) for d in (dark_data, bright_data)]
    assert level[0] < level[1]
    a.close()


def test_a_relative_media_path_is_found_beside_the_autosave_file(world, tmp_path, pngs, monkeypatch):
    row = world.row()
    row.add_image_space("img", 64, 48).media = pngs[2].name  # relative to the labels file, as formats keep it
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert "was not found" in Annotator(row)._image({"row": 0, "space": "img", "frame": 0}, [])[0]["error"]
    a = Annotator(row, autosave=tmp_path / "labels.json")
    assert a._image({"row": 0, "space": "img", "frame": 0}, [])[1] == [pngs[2].read_bytes()]


def test_the_next_rows_first_frames_are_fetched_ahead(project):
    a = Annotator(project)
    Sent(a)
    browser(a, kind="ready")
    wait_for(lambda: a._frames.cached((1, "img", 0)))
    assert not a._frames.cached((2, "img", 0))
    a.close()


# --- on_change and autosave -------------------------------------------------------------------------


def test_on_change_receives_each_change_including_undo_and_redo(world, row):
    changes = []
    a = Annotator(row, on_change=changes.append)
    a.edit(put(world, "img", "o1"))
    a.edit({"op": "set_answer", "instance": "o1", "attribute": "make0001", "answer": "Fiat"})
    a.undo()
    a.redo()
    assert changes == [
        Change("put_object", "object", "img", "o1", (Range(0, 0),)),
        Change("set_answer", "answers", None, "o1"),
        Change("set_answer", "answers", None, "o1", undo="undo"),
        Change("set_answer", "answers", None, "o1", undo="redo"),
    ]


def test_a_failing_on_change_does_not_break_the_edit(world, row, caplog):
    def broken(change):
        raise RuntimeError("boom")

    a = Annotator(row, on_change=broken)
    sent = Sent(a)
    browser(a, kind="edit", request=1, op=put(world, "img", "o1"))
    assert last(sent)["kind"] == "update" and len(row.get_space(id="img").get_object_instances()) == 1
    assert "on_change raised RuntimeError: boom" in a.message
    assert "on_change" in caplog.text
    browser(a, kind="undo", request=2)
    assert row.get_space(id="img").get_object_instances() == []


def test_autosave_writes_after_an_edit_and_save_flushes(world, row, tmp_path):
    path = tmp_path / "labels.json"
    a = Annotator(row, autosave=path)
    assert a.save_status == ""
    a.edit(put(world, "img", "o1"))
    assert a.save_status == "pending"
    wait_for(lambda: a.save_status == "saved")
    assert LabelRow.load(path, world.ontology).to_dict() == row.to_dict()
    a._autosaver.delay = 60  # a save that would not come in time on its own
    a.edit(put(world, "img2", "o2"))
    assert a.save_status == "pending"
    a.save()
    assert a.save_status == "saved" and LabelRow.load(path, world.ontology).to_dict() == row.to_dict()
    a.undo()
    _autosave.flush_all()  # what the interpreter runs at exit
    assert LabelRow.load(path, world.ontology).to_dict() == row.to_dict()
    with pytest.raises(LabelspaceError, match="no autosave file"):
        Annotator(row).save()


def test_autosave_of_a_project_writes_the_whole_project(world, project, tmp_path):
    path = tmp_path / "project.json.gz"
    a = Annotator(project, autosave=path)
    a._autosaver.delay = 60
    a.goto(2)
    a.edit(put(world, "img", "o1"))
    a.save()
    loaded = Project.load(path, world.ontology)
    assert [len(r.get_space(id="img").get_object_instances()) for r in loaded.rows] == [0, 0, 1]


def test_a_failing_autosave_is_reported(world, row, tmp_path):
    (tmp_path / "taken").write_text("a file where a folder should be")
    a = Annotator(row, autosave=tmp_path / "taken" / "labels.json")
    a._autosaver.delay = 60
    a.edit(put(world, "img", "o1"))
    with pytest.raises(LabelspaceError):
        a.save()
    assert a.save_status == "failed" and "Autosave to" in a.message and "failed" in a.message
    a._autosaver.cancel()


def test_the_last_edit_is_saved_when_the_interpreter_exits(tmp_path, pngs):
    path = tmp_path / "labels.json"
    script = f"""
from labelspace import Annotator, LabelRow
from tests.conftest import World
world = World()
row = LabelRow.from_media(world.ontology, {{"img": {str(pngs[0])!r}}})
a = Annotator(row, autosave={str(path)!r})
a._autosaver.delay = 60
a.edit({{"op": "put_object", "space": "img", "object": "o1", "feature": "box00001", "coordinates": {BOX!r}}})
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=120)
    saved = json.loads(path.read_text())
    assert [o["object_hash"] for o in saved["objects"]] == ["o1"]


# --- the ontology -----------------------------------------------------------------------------------


def test_ontology_spec_describes_objects_attributes_and_skeletons():
    from labelspace import Ontology, RadioAttribute, SkeletonTemplate, TextAttribute

    world = World()
    spec = Annotator(world.row()).ontology
    assert [(o["name"], o["shape"], o["hash"]) for o in spec["objects"]] == [
        ("car", "bounding_box", "box00001"),
        ("boat", "rotatable_bounding_box", "rot00001"),
        ("road", "polygon", "poly0001"),
        ("lane", "polyline", "line0001"),
        ("person", "point", "pnt00001"),
        ("sky", "bitmask", "mask0001"),
        ("pose", "skeleton", "skel0001"),
    ]
    car = spec["objects"][0]
    assert car["color"] == world.box.color and car["skeleton"] is None
    colour = next(a for a in car["attributes"] if a["hash"] == "colr0001")
    assert colour["kind"] == "radio" and colour["dynamic"] is False and colour["required"] is False
    assert colour["options"][0] == {
        "hash": "red00001",
        "label": "red",
        "value": "red",
        "attributes": [
            {"hash": "shad0001", "name": "shade", "kind": "text", "required": False, "dynamic": False, "options": []}
        ],
    }
    assert [(a["hash"], a["kind"], a["dynamic"]) for a in car["attributes"][:4]] == [
        ("occl0001", "radio", True),
        ("tags0001", "checklist", True),
        ("note0001", "text", True),
        ("sped0001", "numeric", True),
    ]
    assert [(c["hash"], c["name"], c["global"]) for c in spec["classifications"]] == [
        ("weat0001", "weather", False),
        ("scen0001", "scene", True),
    ]
    assert all(c["color"].startswith("#") for c in spec["classifications"])

    ontology = Ontology()
    template = SkeletonTemplate([("head", 0, 0), ("hip", 0, 10), ("knee", 4, 20)], [("head", "hip"), ("hip", "knee")])
    pose = ontology.add_object("pose", "skeleton", skeleton=template)
    pose.add_attribute(RadioAttribute, "side", required=True).add_option("left").add_nested_attribute(
        TextAttribute, "why"
    )
    [spec_pose] = protocol.ontology_spec(ontology)["objects"]
    assert spec_pose["skeleton"] == {
        "nodes": [
            {"name": "head", "x": 0.0, "y": 0.0},
            {"name": "hip", "x": 0.0, "y": 0.5},
            {"name": "knee", "x": 1.0, "y": 1.0},
        ],
        "edges": [(0, 1), (1, 2)],
    }
    assert spec_pose["attributes"][0]["required"] is True
    assert spec_pose["attributes"][0]["options"][0]["attributes"][0]["name"] == "why"


def test_wire_coordinates_match_the_models(world, row):
    a = Annotator(row)
    a.edit(put(world, "img", "r", "rotated"))
    [annotation] = row.get_space(id="img").get_annotations()
    state = protocol.row_state(row, 0, "t", a.history)
    assert state["objects"][0]["runs"][0]["coordinates"] == coordinates_to_wire(annotation.coordinates)


def test_the_signature_is_the_one_documented():
    import inspect

    params = inspect.signature(Annotator.__init__).parameters.values()
    assert [(p.name, p.kind.name, p.default) for p in params][1:] == [
        ("source", "POSITIONAL_OR_KEYWORD", inspect.Parameter.empty),
        ("media", "POSITIONAL_OR_KEYWORD", None),
        ("on_change", "KEYWORD_ONLY", None),
        ("autosave", "KEYWORD_ONLY", None),
        ("readonly", "KEYWORD_ONLY", False),
        ("width", "KEYWORD_ONLY", None),
        ("height", "KEYWORD_ONLY", None),
        # Claiming rows from a store (issue 10): Annotator(store, user=..., stage=...).
        ("user", "KEYWORD_ONLY", None),
        ("stage", "KEYWORD_ONLY", None),
        ("project", "KEYWORD_ONLY", None),
    ]
    for name in ("undo", "redo", "edit", "row", "goto", "next", "previous", "refresh", "save", "history", "submit"):
        assert inspect.getdoc(getattr(Annotator, name)), name
