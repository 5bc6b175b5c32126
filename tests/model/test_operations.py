"""Operations on a label row: each makes the change its name says, and its inverse restores the row exactly."""

import json

import numpy as np
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from labelspace import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    LabelRowError,
    PointCoordinate,
    PolygonCoordinates,
    Range,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinates,
)
from labelspace.model.history import History
from labelspace.model.operations import (
    OPERATIONS,
    apply_operation,
    coordinates_from_wire,
    coordinates_to_wire,
)
from tests.conftest import World, examples

BOX = {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}
MOVED = {"x": 0.2, "y": 0.2, "w": 0.3, "h": 0.4}


def snapshot(row):
    return json.dumps(row.to_dict(), sort_keys=True)


def wire(world, shape):
    """Wire coordinates of an object of each shape (on a 64 x 48 image for the mask)."""
    mask = np.zeros((48, 64), bool)
    mask[10:20, 5:30] = True
    return {
        "box": BOX,
        "rotated": {**BOX, "theta": 30.0},
        "point": {"x": 0.5, "y": 0.25},
        "polygon": {"polygons": [[[0.1, 0.1, 0.9, 0.1, 0.5, 0.9], [0.4, 0.3, 0.6, 0.3, 0.5, 0.5]]]},
        "polyline": {"points": [0.1, 0.1, 0.5, 0.5, 0.9, 0.2]},
        "mask": {"height": 48, "width": 64, "counts": BitmaskCoordinates(mask).counts.tolist()},
        "skeleton": {"name": "pose", "nodes": [{"name": "head", "x": 0.5, "y": 0.1, "visibility": "visible"}]},
    }[shape]


@pytest.fixture
def row(world):
    row = world.row()
    row.add_image_space("img", 64, 48)
    row.add_image_space("img2", 64, 48)
    row.add_video_space("cam", 100, 64, 48, fps=25)
    return row


def put(world, space, object_hash, shape="box", **extra):
    item = getattr(world, shape)
    return {
        "op": "put_object",
        "space": space,
        "object": object_hash,
        "feature": item.feature_node_hash,
        "coordinates": wire(world, shape),
        **extra,
    }


@pytest.mark.parametrize("shape", ["box", "rotated", "point", "polygon", "polyline", "mask", "skeleton"])
def test_put_object_of_every_shape_on_an_image_and_undo(world, row, shape):
    before = snapshot(row)
    edit = apply_operation(row, put(world, "img", "o1", shape))
    space = row.get_space(id="img")
    [instance] = space.get_object_instances()
    assert instance.object_hash == "o1" and instance.ontology_item is getattr(world, shape)
    [annotation] = space.get_annotations()
    assert coordinates_to_wire(annotation.coordinates) == wire(world, shape)
    assert [(c.op, c.kind, c.space, c.instance, c.frames) for c in edit.changes] == [
        ("put_object", "object", "img", "o1", (Range(0, 0),))
    ]
    after = snapshot(row)
    edit.undo(row)
    assert snapshot(row) == before
    edit.redo(row)
    assert snapshot(row) == after


def test_coordinates_wire_round_trip_for_every_shape(world):
    cases = [
        (world.box.shape, BoundingBoxCoordinates(0.4, 0.3, 0.1, 0.2)),
        (world.rotated.shape, RotatableBoundingBoxCoordinates(0.4, 0.3, 0.1, 0.2, -12.5)),
        (world.point.shape, PointCoordinate(0.5, 0.25)),
        (world.polygon.shape, PolygonCoordinates.from_pixels([[[(1, 1), (9, 1), (5, 9)]]], 10, 10)),
        (world.skeleton.shape, coordinates_from_wire(world.skeleton.shape, wire(world, "skeleton"))),
    ]
    for shape, coordinates in cases:
        assert coordinates_from_wire(shape, json.loads(json.dumps(coordinates_to_wire(coordinates)))) == coordinates
    assert isinstance(cases[-1][1], SkeletonCoordinates)


def test_replace_keeps_created_at_and_undo_brings_back_the_old_box_and_metadata(world, row):
    apply_operation(row, put(world, "img", "o1", meta={"created_by": "ann", "confidence": 0.5}))
    before = snapshot(row)
    edit = apply_operation(
        row,
        {**put(world, "img", "o1"), "coordinates": MOVED, "on_overlap": "replace", "meta": {"last_edited_by": "bob"}},
    )
    [annotation] = row.get_space(id="img").get_annotations()
    assert annotation.coordinates == BoundingBoxCoordinates(0.4, 0.3, 0.2, 0.2)
    assert annotation.metadata.created_by == "ann" and annotation.metadata.last_edited_by == "bob"
    edit.undo(row)
    assert snapshot(row) == before
    assert "bob" not in snapshot(row)  # the user the undone edit named is gone from the file too


def test_remove_then_undo_puts_the_same_instance_back_in_its_place(world, row):
    for h in ("a", "b", "c"):
        apply_operation(row, put(world, "img", h))
    space = row.get_space(id="img")
    b = space.get_object_instances()[1]
    b.set_answer(world.blue)
    before = snapshot(row)
    edit = apply_operation(row, {"op": "remove_object", "space": "img", "object": "b"})
    assert [o.object_hash for o in space.get_object_instances()] == ["a", "c"]
    edit.undo(row)
    assert [o.object_hash for o in space.get_object_instances()] == ["a", "b", "c"]
    assert space.get_object_instances()[1] is b and b.get_answer(world.colour) is world.blue
    assert snapshot(row) == before


def test_video_frame_edits_undo_exactly(world, row):
    apply_operation(row, put(world, "cam", "v", frames=[[0, 99]], meta={"manual_annotation": False}))
    apply_operation(
        row,
        {
            "op": "set_dynamic_answer",
            "space": "cam",
            "object": "v",
            "attribute": world.occlusion.feature_node_hash,
            "frames": [[10, 30]],
            "answer": world.hidden.feature_node_hash,
        },
    )
    steps = [
        {**put(world, "cam", "v"), "frames": 20, "coordinates": MOVED, "on_overlap": "replace"},
        {"op": "remove_object", "space": "cam", "object": "v", "frames": [[25, 40]]},
        {"op": "accept_object", "space": "cam", "object": "v"},
        {
            "op": "batch",
            "ops": [
                {**put(world, "cam", "v"), "frames": 60, "coordinates": MOVED, "on_overlap": "replace"},
                {"op": "interpolate", "space": "cam", "object": "v", "frames": [[41, 59]]},
            ],
        },
        {"op": "interpolate", "space": "cam", "object": "v"},
        {
            "op": "set_dynamic_answer",
            "space": "cam",
            "object": "v",
            "attribute": world.tags.feature_node_hash,
            "frames": [[0, 5]],
            "answer": [world.dirty.feature_node_hash],
        },
        {
            "op": "remove_dynamic_answer",
            "space": "cam",
            "object": "v",
            "attribute": world.occlusion.feature_node_hash,
            "frame": 12,
        },
        {"op": "remove_object", "space": "cam", "object": "v"},
    ]
    states = [snapshot(row)]
    edits = []
    for op in steps:
        edits.append(apply_operation(row, op))
        states.append(snapshot(row))
    space = row.get_space(id="cam")
    assert space.get_object_instances() == []
    for i in reversed(range(len(edits))):
        edits[i].undo(row)
        assert snapshot(row) == states[i], steps[i]["op"]
    [instance] = space.get_object_instances()
    assert space.get_object_frames(instance) == [Range(0, 99)]
    for i, edit in enumerate(edits):
        edit.redo(row)
        assert snapshot(row) == states[i + 1]


def test_an_edit_and_the_interpolation_it_causes_are_one_step(world, row):
    box = {"x": 0.0, "y": 0.0, "w": 0.1, "h": 0.1}
    apply_operation(row, {**put(world, "cam", "k"), "frames": 0, "coordinates": box})
    apply_operation(row, {**put(world, "cam", "k"), "frames": 10, "coordinates": {**box, "x": 0.5}})
    before = snapshot(row)
    edit = apply_operation(
        row,
        {
            "op": "batch",
            "ops": [
                {**put(world, "cam", "k"), "frames": 20, "coordinates": {**box, "x": 0.5, "y": 0.5}},
                {"op": "interpolate", "space": "cam", "object": "k"},
            ],
        },
    )
    space = row.get_space(id="cam")
    assert space.get_object_frames(space.get_object_instances()[0]) == [Range(0, 20)]
    assert [c.frames for c in edit.changes] == [(Range(20, 20),), (Range(1, 19),)]
    edit.undo(row)
    assert snapshot(row) == before
    with pytest.raises(LabelRowError, match="space 'img' is an image"):
        apply_operation(row, {"op": "interpolate", "space": "img", "object": "k"})
    with pytest.raises(LabelRowError, match=r"interpolate\.frames"):
        apply_operation(row, {"op": "interpolate", "space": "cam", "object": "k", "frames": "all"})
    assert snapshot(row) == before


def test_accept_makes_a_prediction_manual_and_keeps_its_confidence(world, row):
    apply_operation(row, put(world, "img", "p", meta={"manual_annotation": False, "confidence": 0.3}))
    apply_operation(row, {"op": "accept_object", "space": "img", "object": "p"})
    [annotation] = row.get_space(id="img").get_annotations()
    assert annotation.metadata.manual_annotation is True and annotation.metadata.confidence == 0.3


def test_static_answers_nested_and_classifications(world, row):
    apply_operation(row, put(world, "img", "o"))
    before = snapshot(row)
    edit = apply_operation(
        row,
        {
            "op": "batch",
            "ops": [
                {"op": "set_answer", "instance": "o", "attribute": "colr0001", "answer": "red00001"},
                {"op": "set_answer", "instance": "o", "attribute": "shad0001", "answer": "crimson"},
                {"op": "put_classification", "space": "img", "classification": "w1", "feature": "weat0001"},
                {"op": "set_answer", "instance": "w1", "attribute": "wtat0001", "answer": "rain0001"},
                {"op": "put_classification", "space": "img2", "classification": "s1", "feature": "scen0001"},
            ],
        },
    )
    [instance] = row.get_space(id="img").get_object_instances()
    assert instance.get_answer(world.shade) == "crimson"
    [weather] = row.get_space(id="img").get_classification_instances()
    assert weather.get_answer() is world.rain
    assert [c.kind for c in edit.changes] == ["answers", "answers", "classification", "answers", "classification"]
    edit.undo(row)
    assert snapshot(row) == before
    # A second classification of the same kind replaces the first (and undo brings the first back).
    edit.redo(row)
    after = snapshot(row)
    replace = apply_operation(
        row,
        {
            "op": "put_classification",
            "space": "img",
            "classification": "w2",
            "feature": "weat0001",
            "on_overlap": "replace",
        },
    )
    assert [c.classification_hash for c in row.get_space(id="img").get_classification_instances()] == ["w2"]
    replace.undo(row)
    assert snapshot(row) == after


REFUSED = [
    ({"op": "fly"}, "unknown operation 'fly'"),
    ("put", "must be an operation"),
    ({"op": "put_object", "space": "nowhere", "object": "x", "feature": "box00001", "coordinates": BOX}, "nowhere"),
    ({"op": "put_object", "space": "img", "object": "x", "coordinates": BOX}, "'feature' must name"),
    ({"op": "put_object", "space": "img", "object": "x", "feature": "nope0001", "coordinates": BOX}, "nope0001"),
    (
        {"op": "put_object", "space": "img", "object": "x", "feature": "box00001", "coordinates": {"x": 2}},
        "coordinates",
    ),
    (
        {"op": "put_object", "space": "img", "object": "x", "feature": "box00001", "coordinates": {**BOX, "w": 0.95}},
        "coordinates",
    ),
    ({"op": "put_object", "space": "img", "object": "taken", "coordinates": BOX}, "already on frame 0"),
    ({"op": "put_object", "space": "img", "object": "taken", "feature": "poly0001", "coordinates": BOX}, "is a 'car'"),
    (
        {"op": "put_object", "space": "img", "object": "y", "feature": "box00001", "coordinates": BOX, "frames": 3},
        "only frame 0",
    ),
    (
        {
            "op": "put_object",
            "space": "cam",
            "object": "y",
            "feature": "box00001",
            "coordinates": BOX,
            "frames": [[5, 500]],
        },
        "past the last frame",
    ),
    (
        {"op": "put_object", "space": "cam", "object": "y", "feature": "box00001", "coordinates": BOX, "frames": [[1]]},
        "[start, end] pair",
    ),
    (
        {
            "op": "put_object",
            "space": "img",
            "object": "y",
            "feature": "box00001",
            "coordinates": BOX,
            "meta": {"colour": 1},
        },
        "'meta' may hold",
    ),
    (
        {
            "op": "put_object",
            "space": "img",
            "object": "y",
            "feature": "box00001",
            "coordinates": BOX,
            "meta": {"confidence": 3},
        },
        "confidence",
    ),
    ({"op": "remove_object", "space": "img", "object": "ghost"}, "no object 'ghost'"),
    ({"op": "remove_object", "space": "img2", "object": "taken"}, "not on space 'img2'"),
    ({"op": "set_answer", "instance": "taken", "attribute": "colr0001", "answer": "sunn0001"}, "not an option"),
    ({"op": "set_answer", "instance": "taken", "attribute": "shad0001", "answer": "dark"}, "choose that option first"),
    ({"op": "set_answer", "instance": "taken", "attribute": "occl0001", "answer": "vis00001"}, "is dynamic"),
    ({"op": "set_answer", "instance": "taken", "attribute": "what", "answer": 1}, "no attribute 'what'"),
    (
        {
            "op": "set_dynamic_answer",
            "space": "img",
            "object": "taken",
            "attribute": "occl0001",
            "frames": 0,
            "answer": "vis00001",
        },
        "is an image",
    ),
    (
        {"op": "put_classification", "space": "img", "classification": "w9", "feature": "box00001"},
        "not a Classification",
    ),
    ({"op": "batch", "ops": [{"op": "remove_object", "space": "img", "object": "taken"}, {"op": "fly"}]}, "ops[1]"),
]


@pytest.mark.parametrize(("op", "message"), REFUSED, ids=[str(i) for i in range(len(REFUSED))])
def test_refused_operations_say_why_and_change_nothing(world, row, op, message):
    apply_operation(row, put(world, "img", "taken"))
    before = snapshot(row)
    with pytest.raises(LabelRowError) as raised:
        apply_operation(row, op)
    assert message in str(raised.value)
    assert snapshot(row) == before


def test_history_undoes_and_redoes_ten_thousand_steps(world, row):
    history = History(row, limit=10_000)
    before = snapshot(row)
    apply = history.apply
    apply(put(world, "img", "o"))
    for i in range(9_999):
        apply({**put(world, "img", "o"), "coordinates": {**BOX, "x": (i % 50) / 100}, "on_overlap": "replace"})
    after = snapshot(row)
    assert history.can_undo == 10_000
    while history.undo():
        pass
    assert snapshot(row) == before
    while history.redo():
        pass
    assert snapshot(row) == after


def test_history_forgets_past_its_limit_and_a_new_edit_clears_redo(world, row):
    history = History(row, limit=3)
    for h in "abcd":
        history.apply(put(world, "img", h))
    assert history.can_undo == 3
    history.undo()
    assert history.can_redo == 1
    history.apply(put(world, "img2", "e"))
    assert history.can_redo == 0
    assert history.apply({"op": "batch", "ops": []})[0] == 0  # an edit that changes nothing is not kept
    with pytest.raises(LabelRowError, match="positive int"):
        History(row, limit=0)


def test_every_operation_is_listed():
    assert set(OPERATIONS) == {
        "put_object",
        "remove_object",
        "accept_object",
        "put_classification",
        "remove_classification",
        "set_answer",
        "delete_answer",
        "set_dynamic_answer",
        "remove_dynamic_answer",
        "interpolate",
        "batch",
    }


# -- random sequences: undoing everything gives back the row, redoing gives back the result --

HASHES = ["a", "b", "c"]


def random_op(world, draw):
    kind = draw(st.sampled_from(["put", "put", "remove", "accept", "answer", "dynamic", "classify", "unclassify"]))
    space = draw(st.sampled_from(["img", "cam"]))
    h = draw(st.sampled_from(HASHES))
    start = draw(st.integers(0, 99))
    frames = [[start, min(99, start + draw(st.integers(0, 20)))]]
    on_cam = {"frames": frames} if space == "cam" else {}
    if kind == "put":
        x = draw(st.integers(0, 60)) / 100
        return {
            "op": "put_object",
            "space": space,
            "object": h,
            "feature": "box00001",
            "coordinates": {**BOX, "x": x},
            "on_overlap": draw(st.sampled_from(["error", "replace"])),
            "meta": draw(
                st.sampled_from([{}, {"manual_annotation": False, "confidence": 0.5}, {"last_edited_by": "u"}])
            ),
            **on_cam,
        }
    if kind == "remove":
        return {"op": "remove_object", "space": space, "object": h, **draw(st.sampled_from([{}, on_cam]))}
    if kind == "accept":
        return {"op": "accept_object", "space": space, "object": h}
    if kind == "answer":
        return {"op": "set_answer", "instance": h, "attribute": "make0001", "answer": draw(st.sampled_from(["x", "y"]))}
    if kind == "dynamic":
        return {
            "op": "set_dynamic_answer",
            "space": "cam",
            "object": h,
            "attribute": "occl0001",
            "frames": frames,
            "answer": draw(st.sampled_from(["vis00001", "hid00001"])),
        }
    if kind == "classify":
        return {
            "op": "put_classification",
            "space": space,
            "classification": "k" + h,
            "feature": "weat0001",
            "on_overlap": draw(st.sampled_from(["error", "replace"])),
            **on_cam,
        }
    return {"op": "remove_classification", "space": space, "classification": "k" + h, **on_cam}


@settings(max_examples=examples(60), deadline=None)
@given(st.data())
def test_random_edits_undo_and_redo_exactly(data):
    world = World()
    row = world.row()
    row.add_image_space("img", 64, 48)
    row.add_video_space("cam", 100, 64, 48)
    history = History(row)
    states = [snapshot(row)]
    for _ in range(data.draw(st.integers(1, 25))):
        op = random_op(world, data.draw)
        if data.draw(st.booleans()):
            op = {"op": "batch", "ops": [op, random_op(world, data.draw)]}
        before = snapshot(row)
        try:
            edit_id, _ = history.apply(op)
            note(f"applied {json.dumps(op)}")
        except LabelRowError:
            assert snapshot(row) == before
            continue
        if edit_id:
            states.append(snapshot(row))
        else:
            assert snapshot(row) == before
    for state in reversed(states[:-1]):
        history.undo()
        assert snapshot(row) == state
    for state in states[1:]:
        history.redo()
        assert snapshot(row) == state


def test_a_replace_that_removes_several_rivals_puts_them_back_in_order(world, row):
    for h, frames in (("k1", [[0, 9]]), ("k2", [[10, 19]]), ("k3", [[20, 29]])):
        apply_operation(
            row,
            {"op": "put_classification", "space": "cam", "classification": h, "feature": "weat0001", "frames": frames},
        )
    before = snapshot(row)
    edit = apply_operation(
        row,
        {
            "op": "put_classification",
            "space": "cam",
            "classification": "k9",
            "feature": "weat0001",
            "frames": [[0, 29]],
            "on_overlap": "replace",
        },
    )
    space = row.get_space(id="cam")
    assert [c.classification_hash for c in space.get_classification_instances()] == ["k9"]
    edit.undo(row)
    assert [c.classification_hash for c in space.get_classification_instances()] == ["k1", "k2", "k3"]
    assert snapshot(row) == before


def test_history_names_the_edits_undo_and_redo_would_take():
    from labelspace import LabelRow, Ontology, Shape

    ontology = Ontology()
    car = ontology.add_object("car", Shape.BOUNDING_BOX)
    row = LabelRow(ontology)
    row.add_image_space("img", width=100, height=50)
    history = History(row)
    assert history.next_undo() is None and history.next_redo() is None
    op = {
        "op": "put_object",
        "space": "img",
        "object": "aaaa0001",
        "feature": car.feature_node_hash,
        "coordinates": {"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2},
    }
    history.apply(op)
    assert history.next_undo().operation == op and history.next_redo() is None
    history.undo()
    assert history.next_undo() is None and history.next_redo().operation == op
