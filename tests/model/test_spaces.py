from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from labelspace import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    ClassificationAnnotation,
    LabelRowError,
    ObjectAnnotation,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    Range,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)

BOX = BoundingBoxCoordinates(height=0.1, width=0.2, top_left_x=0.3, top_left_y=0.4)
BOX2 = BoundingBoxCoordinates(height=0.2, width=0.2, top_left_x=0.5, top_left_y=0.5)


def frames_of(space, instance):
    return [f for r in space.get_object_frames(instance) for f in range(r.start, r.end + 1)]


def coords_by_frame(space, instance):
    return {a.frame: a.coordinates for a in space.get_annotations("object", [instance.object_hash])}


# --- image space ---------------------------------------------------------------------------------


def test_image_put_get_remove_object(world):
    space = world.row().add_image_space("img", 640, 480)
    car = world.box.create_instance()
    assert space.put_object_instance(car, BOX) is None
    [ann] = space.get_annotations()
    assert isinstance(ann, ObjectAnnotation)
    assert (ann.frame, ann.coordinates, ann.object_hash) == (0, BOX, car.object_hash)
    assert ann.confidence == 1.0 and ann.manual_annotation is True and ann.created_by is None
    assert space.get_object_instances() == [car]
    assert space.remove_object_instance(car.object_hash) is car
    assert space.remove_object_instance(car.object_hash) is None
    assert list(space.get_annotations()) == []


def test_image_overlap_error_and_replace(world):
    space = world.row().add_image_space("img", 640, 480)
    car = world.box.create_instance()
    space.put_object_instance(car, BOX, created_by="ann@x.org")
    with pytest.raises(LabelRowError, match=r"already on frame 0 of space 'img'.*on_overlap='replace'"):
        space.put_object_instance(car, BOX2)
    space.put_object_instance(car, BOX2, on_overlap="replace", confidence=0.5)
    [ann] = space.get_annotations()
    assert ann.coordinates == BOX2
    assert ann.confidence == 0.5
    assert ann.created_by == "ann@x.org"  # kept: only the metadata given is replaced


def test_image_classification_clash_is_per_ontology_classification(world):
    space = world.row().add_image_space("img", 640, 480)
    first, second = world.weather.create_instance(), world.weather.create_instance()
    space.put_classification_instance(first)
    with pytest.raises(LabelRowError, match="Classification 'weather' is already on frame 0"):
        space.put_classification_instance(second)
    space.put_classification_instance(second, on_overlap="replace")
    assert space.get_classification_instances() == [second]
    [ann] = space.get_annotations("classification")
    assert isinstance(ann, ClassificationAnnotation) and ann.frame == 0
    assert space.remove_classification_instance(second.classification_hash) is second
    assert space.remove_classification_instance(second.classification_hash) is None


def test_image_global_classification_is_placed(world):
    space = world.row().add_image_space("img", 640, 480)
    scene = world.scene.create_instance()
    space.put_classification_instance(scene)
    assert [a.classification_hash for a in space.get_annotations("classification")] == [scene.classification_hash]


# --- frames --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frames", "expected"),
    [
        (3, [3]),
        ([5, 1, 3], [1, 3, 5]),
        ({7, 8}, [7, 8]),
        (Range(2, 4), [2, 3, 4]),
        ([Range(0, 1), Range(5, 6)], [0, 1, 5, 6]),
        (np.array([9, 2], np.int32), [2, 9]),
        (np.int64(4), [4]),
    ],
)
def test_every_form_of_frames(world, frames, expected):
    _, space = world.video(10)
    car = world.box.create_instance()
    space.put_object_instance(car, frames, BOX)
    assert frames_of(space, car) == expected


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        (-1, "Frame -1 is below 0"),
        (10, r"Frame 10 is past the last frame \(9\) of space 'cam'"),
        (Range(5, 12), r"Frame 12 is past the last frame \(9\)"),
        ([], "frames is empty"),
        ("3", "frames must be an int"),
        (3.0, "frames must be an int"),
        (True, "frames must be an int"),
        ([1, Range(2, 3)], "mixes ints and Ranges"),
        (np.array([1.5]), "numpy array"),
        (np.array([[1, 2]]), "numpy array"),
    ],
)
def test_bad_frames_raise_and_change_nothing(world, frames, message):
    row, space = world.video(10)
    car = world.box.create_instance()
    space.put_object_instance(car, 0, BOX)
    before = row.to_dict()
    with pytest.raises(LabelRowError, match=message):
        space.put_object_instance(car, frames, BOX2, on_overlap="replace")
    assert row.to_dict() == before


def test_range_validation():
    assert len(Range(3, 5)) == 3 and 4 in Range(3, 5) and Range(1, 2).overlaps(Range(2, 9))
    with pytest.raises(LabelRowError, match="ends before it starts"):
        Range(5, 3)
    with pytest.raises(LabelRowError, match="must be an int"):
        Range(0, 2.5)


# --- objects on frames ---------------------------------------------------------------------------


def test_overlap_error_names_first_clashing_frame(world):
    _, space = world.video(100)
    car = world.box.create_instance()
    space.put_object_instance(car, [Range(10, 20), Range(40, 50)], BOX)
    with pytest.raises(LabelRowError, match="already on frame 15 of space 'cam'"):
        space.put_object_instance(car, [Range(0, 5), Range(15, 45)], BOX2)
    assert frames_of(space, car) == [*range(10, 21), *range(40, 51)]


def test_replace_overwrites_only_frames_given(world):
    _, space = world.video(100)
    car = world.box.create_instance()
    space.put_object_instance(car, Range(0, 9), BOX)
    space.put_object_instance(car, [3, 4, 12], BOX2, on_overlap="replace")
    coords = coords_by_frame(space, car)
    assert sorted(coords) == [*range(10), 12]
    assert [f for f, c in coords.items() if c == BOX2] == [3, 4, 12]


def test_many_instances_of_one_object_share_frames(world):
    _, space = world.video(10)
    a, b = world.box.create_instance(), world.box.create_instance()
    space.put_object_instance(a, Range(0, 9), BOX)
    space.put_object_instance(b, Range(0, 9), BOX2)
    on_three = space.get_annotations_on_frame(3)
    assert [x.object_hash for x in on_three] == [a.object_hash, b.object_hash]


def test_annotations_are_in_frame_order(world):
    _, space = world.video(10)
    a, b = world.box.create_instance(), world.point.create_instance()
    space.put_object_instance(a, [5, 1], BOX)
    space.put_object_instance(b, [0, 5], PointCoordinate(0.5, 0.5))
    assert [(x.frame, x.object_hash) for x in space.get_annotations()] == [
        (0, b.object_hash),
        (1, a.object_hash),
        (5, a.object_hash),
        (5, b.object_hash),
    ]
    assert [x.frame for x in space.get_annotations(filter_instance_hashes=[b.object_hash])] == [0, 5]


def test_get_annotations_is_lazy(world):
    _, space = world.video(10_000_000)
    car = world.box.create_instance()
    space.put_object_instance(car, Range(0, 9_999_999), BOX)
    iterator = space.get_annotations()
    first = [next(iterator).frame for _ in range(3)]
    assert first == [0, 1, 2]


def test_per_frame_puts_of_one_value_share_runs(world):
    _, space = world.video(1000)
    made = datetime(2024, 1, 1, tzinfo=timezone.utc)
    fixed, fast, other = (world.box.create_instance() for _ in range(3))
    for f in [*range(200), *range(400, 299, -1), *range(200, 300)]:  # after, before and between runs
        space.put_object_instance(fixed, f, BOX, created_at=made, last_edited_at=made)
    assert len(space._objects[fixed.object_hash].runs) == 1
    for f in range(500):
        space.put_object_instance(fast, f, BOX)  # the per-frame fast path
        space.put_object_instance(other, f, BOX if f % 2 else BOX2)
    # runs split only where the default created_at moved on to the next millisecond
    assert len(space._objects[fast.object_hash].runs) < 100
    assert len(space._objects[other.object_hash].runs) == 500
    assert coords_by_frame(space, other)[7] == BOX and coords_by_frame(space, other)[8] == BOX2


def test_range_put_is_one_run_whatever_its_length(world):
    _, space = world.video(10_000_000)
    car = world.box.create_instance()
    space.put_object_instance(car, Range(0, 9_999_999), BOX)
    assert len(space._objects[car.object_hash].runs) == 1
    assert space.get_object_frames(car) == [Range(0, 9_999_999)]


@pytest.mark.parametrize(
    ("obj", "coordinates"),
    [
        ("box", BOX),
        ("rotated", RotatableBoundingBoxCoordinates(height=0.1, width=0.1, top_left_x=0.2, top_left_y=0.2, theta=30)),
        ("point", PointCoordinate(0.5, 0.25)),
        ("polygon", PolygonCoordinates(values=[PointCoordinate(0, 0), PointCoordinate(1, 0), PointCoordinate(1, 1)])),
        ("polyline", PolylineCoordinates([PointCoordinate(0, 0), PointCoordinate(1, 1)])),
        ("mask", BitmaskCoordinates(np.eye(48, 64, dtype=bool))),
        ("skeleton", SkeletonCoordinates([SkeletonCoordinate(0.1, 0.2, "head"), SkeletonCoordinate(0.1, 0.4, "neck")])),
    ],
)
def test_every_shape_round_trips_through_a_space(world, obj, coordinates):
    row, space = world.video(10, 64, 48)
    instance = getattr(world, obj).create_instance()
    space.put_object_instance(instance, Range(2, 3), coordinates)
    assert coords_by_frame(space, instance) == {2: coordinates, 3: coordinates}
    loaded = type(row).from_dict(row.to_dict())
    assert coords_by_frame(loaded.get_space(id="cam"), instance) == {2: coordinates, 3: coordinates}


def test_coordinates_must_match_the_shape(world):
    _, space = world.video(10)
    with pytest.raises(LabelRowError, match="is a bounding_box, so its coordinates must be BoundingBoxCoordinates"):
        space.put_object_instance(world.box.create_instance(), 0, PointCoordinate(0.1, 0.1))
    assert space.get_object_instances() == []


def test_bitmask_must_be_the_size_of_the_image(world):
    _, space = world.video(10, 64, 48)
    with pytest.raises(LabelRowError, match="bitmask is 10x10 but space 'cam' is 64x48"):
        space.put_object_instance(world.mask.create_instance(), 0, BitmaskCoordinates(np.ones((10, 10), bool)))


def test_instance_from_another_ontology_is_refused(world):
    from tests.conftest import World

    _, space = world.video(10)
    stranger = World().box.create_instance()
    with pytest.raises(LabelRowError, match="not in this label row's ontology"):
        space.put_object_instance(stranger, 0, BOX)


def test_wrong_instance_types_are_refused(world):
    row, space = world.video(10)
    with pytest.raises(LabelRowError, match=r"Expected an ObjectInstance \(from Object.create_instance\(\)\), got str"):
        space.put_object_instance("car", 0, BOX)
    with pytest.raises(LabelRowError, match="Expected a ClassificationInstance"):
        space.put_classification_instance(world.box.create_instance(), 0)
    with pytest.raises(LabelRowError, match="Expected an ObjectInstance"):
        space.put_object_track(world.weather.create_instance(), [0], [[0, 0, 0.1, 0.1]])
    from tests.conftest import World

    with pytest.raises(LabelRowError, match=r"Classification 'weather' .* is not in this label row's ontology"):
        space.put_classification_instance(World().weather.create_instance(), 0)
    assert row.to_dict()["spaces"][0]["objects"] == []


def test_two_instances_with_one_hash_are_refused(world):
    _, space = world.video(10)
    space.put_object_instance(world.box.create_instance("same"), 0, BOX)
    with pytest.raises(LabelRowError, match="instance hashes must be unique"):
        space.put_object_instance(world.box.create_instance("same"), 1, BOX)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"confidence": 1.5}, "confidence must be from 0.0 to 1.0"),
        ({"confidence": -0.1}, "confidence must be from 0.0 to 1.0"),
        ({"confidence": "high"}, "confidence must be a number"),
        ({"created_at": "2024-01-01"}, "created_at must be a datetime"),
        ({"created_by": 7}, "created_by must be a str"),
        ({"manual_annotation": 1}, "manual_annotation must be True, False or None"),
        ({"on_overlap": "merge"}, "on_overlap must be 'error' or 'replace'"),
    ],
)
def test_bad_metadata_raises_and_changes_nothing(world, kwargs, message):
    row, space = world.video(10)
    before = row.to_dict()
    with pytest.raises(LabelRowError, match=message):
        space.put_object_instance(world.box.create_instance(), 0, BOX, **kwargs)
    assert row.to_dict() == before


def test_metadata_is_kept_per_frame(world):
    _, space = world.video(10)
    car = world.box.create_instance()
    made = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=timezone.utc)
    before = datetime.now(timezone.utc) - timedelta(seconds=1)
    space.put_object_instance(
        car, Range(0, 4), BOX, created_at=made, created_by="a@x.org", confidence=0.7, manual_annotation=False
    )
    space.put_object_instance(car, Range(5, 9), BOX, last_edited_by="b@x.org")
    space.put_object_instance(car, 2, BOX2, on_overlap="replace", last_edited_by="c@x.org")
    by_frame = {a.frame: a for a in space.get_annotations()}
    assert by_frame[0].created_at == made and by_frame[0].created_by == "a@x.org"
    assert by_frame[0].confidence == 0.7 and by_frame[0].manual_annotation is False
    assert by_frame[2].created_at == made and by_frame[2].last_edited_by == "c@x.org"
    assert by_frame[2].last_edited_at >= before
    assert by_frame[7].created_at >= before and by_frame[7].created_at.tzinfo is not None
    assert by_frame[7].last_edited_by == "b@x.org" and by_frame[7].confidence == 1.0


def test_naive_datetimes_are_taken_as_utc(world):
    _, space = world.video(10)
    space.put_object_instance(world.box.create_instance(), 0, BOX, created_at=datetime(2024, 1, 1, 8, 30))
    [ann] = space.get_annotations()
    assert ann.created_at == datetime(2024, 1, 1, 8, 30, tzinfo=timezone.utc)


# --- removing ------------------------------------------------------------------------------------


def test_remove_from_some_frames_then_the_last_one(world):
    _, space = world.video(20)
    car = world.box.create_instance()
    space.put_object_instance(car, Range(0, 9), BOX)
    space.set_dynamic_answer(car, Range(0, 9), world.visible)
    assert space.remove_object_instance(car.object_hash, Range(0, 8)) is car
    assert frames_of(space, car) == [9]
    assert space.get_dynamic_answer(car, 9, world.occlusion)[0].ranges == [Range(9, 9)]
    assert space.remove_object_instance(car.object_hash, [15]) is car  # not there: nothing happens
    assert space.remove_object_instance(car.object_hash, 9) is car
    assert space.get_object_instances() == []
    assert space.remove_object_instance(car.object_hash) is None
    assert space.remove_object_instance("nope", 3) is None


def test_remove_with_no_frames_removes_everywhere(world):
    _, space = world.video(20)
    car = world.box.create_instance()
    space.put_object_instance(car, [1, 5, 9], BOX)
    assert space.remove_object_instance(car.object_hash) is car
    assert list(space.get_annotations()) == []


def test_remove_with_bad_frames_raises(world):
    _, space = world.video(20)
    car = world.box.create_instance()
    space.put_object_instance(car, 1, BOX)
    with pytest.raises(LabelRowError, match="past the last frame"):
        space.remove_object_instance(car.object_hash, 25)
    assert frames_of(space, car) == [1]


# --- classifications on frames -------------------------------------------------------------------


def test_frame_classification_clashes_with_same_class_only(world):
    _, space = world.video(20)
    sunny, rain = world.weather.create_instance(), world.weather.create_instance()
    space.put_classification_instance(sunny, Range(0, 9))
    with pytest.raises(LabelRowError, match="Classification 'weather' is already on frame 5"):
        space.put_classification_instance(rain, Range(5, 14))
    space.put_classification_instance(rain, Range(10, 14))
    space.put_classification_instance(rain, Range(5, 9), on_overlap="replace")
    assert space.get_classification_frames(sunny) == [Range(0, 4)]
    assert space.get_classification_frames(rain) == [Range(5, 14)]
    space.put_classification_instance(rain, Range(0, 4), on_overlap="replace")
    assert space.get_classification_instances() == [rain]  # sunny lost its last frame


def test_frame_classifications_need_frames_and_global_ones_refuse_them(world):
    _, space = world.video(20)
    with pytest.raises(LabelRowError, match="placed per frame: give the frames"):
        space.put_classification_instance(world.weather.create_instance())
    scene = world.scene.create_instance()
    with pytest.raises(LabelRowError, match="is global: it describes the whole space and takes no frames"):
        space.put_classification_instance(scene, 3)
    space.put_classification_instance(scene)
    other = world.scene.create_instance()
    with pytest.raises(LabelRowError, match="already on space 'cam'"):
        space.put_classification_instance(other)
    space.put_classification_instance(other, on_overlap="replace")
    assert space.get_classification_instances() == [other]
    [ann] = space.get_annotations("classification")
    assert ann.is_global and ann.frame == 0
    with pytest.raises(LabelRowError, match="is global"):
        space.remove_classification_instance(other.classification_hash, 3)
    assert space.remove_classification_instance(other.classification_hash) is other


def test_classification_annotations_frames_then_global(world):
    _, space = world.video(20)
    sunny, scene = world.weather.create_instance(), world.scene.create_instance()
    space.put_classification_instance(scene)
    space.put_classification_instance(sunny, [3, 1])
    assert [(a.frame, a.is_global) for a in space.get_annotations("classification")] == [
        (1, False),
        (3, False),
        (0, True),
    ]
    assert [a.classification_hash for a in space.get_annotations_on_frame(3, "classification")] == [
        scene.classification_hash,
        sunny.classification_hash,
    ]


def test_remove_classification_from_frames(world):
    _, space = world.video(20)
    sunny = world.weather.create_instance()
    space.put_classification_instance(sunny, Range(0, 9))
    assert space.remove_classification_instance(sunny.classification_hash, Range(0, 4)) is sunny
    assert space.get_classification_frames(sunny) == [Range(5, 9)]
    assert space.remove_classification_instance(sunny.classification_hash, Range(5, 9)) is sunny
    assert space.get_classification_instances() == []
    assert space.remove_classification_instance(sunny.classification_hash) is None


# --- dynamic answers -----------------------------------------------------------------------------


def test_dynamic_answers_of_every_kind(world):
    _, space = world.video(100)
    car = world.box.create_instance()
    space.put_object_instance(car, Range(0, 49), BOX)
    space.set_dynamic_answer(car, Range(0, 49), world.visible)
    space.set_dynamic_answer(car, Range(10, 19), world.hidden)
    space.set_dynamic_answer(car, Range(0, 9), [world.dirty, world.dented])
    space.set_dynamic_answer(car, 5, "scratched", world.note)
    space.set_dynamic_answer(car, Range(0, 3), 42.5)  # the only numeric attribute: inferred
    answers = space.get_dynamic_answer(car, Range(0, 99), world.occlusion)
    assert [(a.answer, a.ranges) for a in answers] == [
        (world.visible, [Range(0, 9), Range(20, 49)]),
        (world.hidden, [Range(10, 19)]),
    ]
    [tags] = space.get_dynamic_answer(car, 3, world.tags)
    assert tags.answer == [world.dented, world.dirty] and tags.ranges == [Range(0, 9)]
    assert space.get_dynamic_answer(car, 5, world.note)[0].answer == "scratched"
    assert space.get_dynamic_answer(car, 0, world.speed)[0].answer == 42.5
    assert space.get_dynamic_answer(car, 60, world.occlusion) == []


def test_dynamic_answer_applies_only_where_the_object_is(world):
    _, space = world.video(100)
    car = world.box.create_instance()
    space.put_object_instance(car, [Range(0, 9), Range(20, 29)], BOX)
    space.set_dynamic_answer(car, Range(0, 99), world.visible)
    assert space.get_dynamic_answer(car, 0, world.occlusion)[0].ranges == [Range(0, 9), Range(20, 29)]
    with pytest.raises(LabelRowError, match="is on none of the frames given"):
        space.set_dynamic_answer(car, Range(50, 60), world.hidden)


def test_get_dynamic_answer_filters(world):
    _, space = world.video(100)
    car = world.box.create_instance()
    space.put_object_instance(car, Range(0, 49), BOX)
    space.set_dynamic_answer(car, Range(0, 9), world.visible)
    space.set_dynamic_answer(car, Range(10, 19), world.hidden)
    space.set_dynamic_answer(car, Range(0, 4), [world.dented])
    space.set_dynamic_answer(car, Range(5, 9), [world.dented, world.dirty])
    assert [a.answer for a in space.get_dynamic_answer(car, Range(0, 49), world.occlusion, world.hidden)] == [
        world.hidden
    ]
    assert len(space.get_dynamic_answer(car, Range(0, 49), world.tags, world.dented)) == 2
    assert [a.ranges for a in space.get_dynamic_answer(car, Range(0, 49), world.tags, [world.dented])] == [
        [Range(0, 4)]
    ]


def test_remove_dynamic_answer(world):
    _, space = world.video(100)
    car = world.box.create_instance()
    space.put_object_instance(car, Range(0, 9), BOX)
    space.set_dynamic_answer(car, Range(0, 9), world.visible)
    space.set_dynamic_answer(car, Range(0, 9), [world.dented, world.dirty])
    space.remove_dynamic_answer(car, world.occlusion, 3)
    assert space.get_dynamic_answer(car, 0, world.occlusion)[0].ranges == [Range(0, 2), Range(4, 9)]
    space.remove_dynamic_answer(car, world.occlusion, 4, filter_answer=world.hidden)  # not the answer: kept
    assert space.get_dynamic_answer(car, 0, world.occlusion)[0].ranges == [Range(0, 2), Range(4, 9)]
    space.remove_dynamic_answer(car, world.tags, 5, filter_answer=world.dented)
    by_answer = {
        tuple(o.label for o in a.answer): a.ranges for a in space.get_dynamic_answer(car, Range(0, 9), world.tags)
    }
    assert by_answer == {("dented", "dirty"): [Range(0, 4), Range(6, 9)], ("dirty",): [Range(5, 5)]}
    space.remove_dynamic_answer(car, world.tags, 5, filter_answer=[world.dirty])
    assert space.get_dynamic_answer(car, 5, world.tags) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda w, s, car: s.set_dynamic_answer(car, 0, w.red), "is static"),
        (lambda w, s, car: s.get_dynamic_answer(car, 0, w.colour), "is static"),
        (lambda w, s, car: s.remove_dynamic_answer(car, w.colour, 0), "is static"),
        (lambda w, s, car: s.set_dynamic_answer(w.box.create_instance(), 0, w.visible), "is not on space 'cam'"),
        (lambda w, s, car: s.get_dynamic_answer(w.box.create_instance(), 0, w.occlusion), "is not on space 'cam'"),
        (lambda w, s, car: s.set_dynamic_answer(car, 0, 3, w.note), "TextAttribute 'note' needs a str"),
        (lambda w, s, car: s.set_dynamic_answer(car, 0, "x", w.scene_attr), "not an attribute of object 'car'"),
        (lambda w, s, car: s.set_dynamic_answer(car, 200, w.visible), "past the last frame"),
        (lambda w, s, car: s.set_dynamic_answer(car, 0, 7.5, w.note), "TextAttribute 'note' needs a str"),
    ],
)
def test_dynamic_answer_errors_change_nothing(world, call, message):
    row, space = world.video(100)
    car = world.box.create_instance()
    space.put_object_instance(car, Range(0, 9), BOX)
    space.set_dynamic_answer(car, Range(0, 9), world.visible)
    before = row.to_dict()
    with pytest.raises(LabelRowError, match=message):
        call(world, space, car)
    assert row.to_dict() == before


# --- tracks --------------------------------------------------------------------------------------


def test_track_put_and_get(world):
    _, space = world.video(1000)
    car = world.box.create_instance()
    frames = np.array([30, 10, 20])
    rows = np.array([[0.3, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.1], [0.2, 0.1, 0.1, 0.1]])
    space.put_object_track(car, frames, rows, created_by="tracker")
    got_frames, got_rows = space.get_object_track(car)
    assert got_frames.tolist() == [10, 20, 30]
    assert got_rows.tolist() == rows[[1, 2, 0]].tolist()
    assert coords_by_frame(space, car)[20] == BoundingBoxCoordinates(
        height=0.1, width=0.1, top_left_x=0.2, top_left_y=0.1
    )
    assert {a.created_by for a in space.get_annotations()} == {"tracker"}


def test_track_equals_per_frame_puts(world):
    _, a = world.video(500)
    _, b = world.video(500)
    rng = np.random.default_rng(1)
    frames = rng.choice(500, 200, replace=False)
    rows = np.column_stack([rng.random(200) * 0.5, rng.random(200) * 0.5, rng.random(200) * 0.5, rng.random(200) * 0.5])
    car = world.box.create_instance()
    a.put_object_track(car, frames, rows)
    for f, r in zip(frames.tolist(), rows.tolist(), strict=True):
        b.put_object_instance(car, f, BoundingBoxCoordinates(height=r[3], width=r[2], top_left_x=r[0], top_left_y=r[1]))
    assert coords_by_frame(a, car) == coords_by_frame(b, car)


def test_track_of_objects_and_replace(world):
    _, space = world.video(100)
    person = world.point.create_instance()
    space.put_object_instance(person, Range(0, 9), PointCoordinate(0.5, 0.5))
    with pytest.raises(LabelRowError, match="already on frame 5"):
        space.put_object_track(person, [5, 50], [PointCoordinate(0.1, 0.1), PointCoordinate(0.2, 0.2)])
    space.put_object_track(
        person, [5, 50], [PointCoordinate(0.1, 0.1), PointCoordinate(0.2, 0.2)], on_overlap="replace"
    )
    coords = coords_by_frame(space, person)
    assert coords[5] == PointCoordinate(0.1, 0.1) and coords[50] == PointCoordinate(0.2, 0.2)
    assert coords[4] == PointCoordinate(0.5, 0.5) and len(coords) == 11


@pytest.mark.parametrize(
    ("frames", "rows", "message"),
    [
        ([1, 1], [[0, 0, 0.1, 0.1]] * 2, "frame 1 more than once"),
        ([1, 2], [[0, 0, 0.1, 0.1]], r"must be an \(2, 4\) array"),
        ([1], [[0.95, 0, 0.1, 0.1]], "values row 0: BoundingBoxCoordinates reaches past the image"),
        ([1], [[np.nan, 0, 0.1, 0.1]], "values row 0"),
        ([100], [[0, 0, 0.1, 0.1]], "past the last frame"),
        ([1.5], [[0, 0, 0.1, 0.1]], "int frame numbers"),
        ([], np.empty((0, 4)), "non-empty"),
    ],
)
def test_track_errors_change_nothing(world, frames, rows, message):
    row, space = world.video(100)
    before = row.to_dict()
    with pytest.raises(LabelRowError, match=message):
        space.put_object_track(world.box.create_instance(), np.array(frames), np.array(rows))
    assert row.to_dict() == before


def test_get_object_track_of_an_absent_object(world):
    _, space = world.video(100)
    frames, rows = space.get_object_track(world.box.create_instance())
    assert frames.size == 0 and rows.shape == (0, 4)
    frames, items = space.get_object_track(world.polygon.create_instance())
    assert items == []


def test_annotation_views_are_snapshots(world):
    _, space = world.video(10)
    car = world.box.create_instance()
    space.put_object_instance(car, 0, BOX)
    [view] = space.get_annotations()
    space.put_object_instance(car, 0, BOX2, on_overlap="replace")
    assert view.coordinates == BOX
    assert "frame=0" in repr(view)
    with pytest.raises(AttributeError):
        view.confidence = 0.3
