"""API edges: numpy scalars wherever a number or bool goes, removals given an instance, constructors given junk."""

import numpy as np
import pytest

from labelspace import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    LabelRowError,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    Range,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)

BOX = BoundingBoxCoordinates(height=0.1, width=0.2, top_left_x=0.3, top_left_y=0.4)


@pytest.mark.parametrize("confidence", [np.float32(0.5), np.float64(0.5), np.float16(0.5)])
def test_numpy_confidence_is_taken(world, confidence):
    _, video = world.video(10)
    car = world.box.create_instance()
    video.put_object_instance(car, Range(0, 2), BOX, confidence=confidence, manual_annotation=np.bool_(False))
    [first, *_] = video.get_annotations()
    assert first.confidence == 0.5 and type(first.confidence) is float
    assert first.manual_annotation is False


def test_numpy_numbers_everywhere_a_number_goes(world):
    row = world.row()
    video = row.add_video_space("cam", np.int64(20), np.int32(64), np.int64(48), fps=np.float32(12.5))
    assert video.fps == 12.5 and video.number_of_frames == 20
    car = world.box.create_instance()
    video.put_object_instance(car, np.int64(3), BoundingBoxCoordinates(*np.array([0.1, 0.2, 0.3, 0.4])))
    video.put_object_instance(car, Range(np.int64(4), np.int32(6)), BOX)
    video.set_dynamic_answer(car, np.int64(4), np.float32(33.5))  # the numeric attribute is inferred
    assert video.get_dynamic_answer(car, 4, world.speed)[0].answer == 33.5
    assert PointCoordinate.from_pixels((np.int64(5), np.float32(6)), np.int64(10), np.int64(12)) == PointCoordinate(
        0.5, 0.5
    )


@pytest.mark.parametrize("bad", ["high", np.float64("nan"), 1.5, -0.1, True, [0.5]])
def test_a_bad_confidence_is_refused_and_changes_nothing(world, bad):
    _, video = world.video(10)
    car = world.box.create_instance()
    with pytest.raises(LabelRowError, match="confidence must be"):
        video.put_object_instance(car, 1, BOX, confidence=bad)
    assert video.get_object_instances() == []


def test_removing_by_instance_removes_it(world):
    row, video = world.video(10)
    image = row.add_image_space("photo", 64, 48)
    car, bike = world.box.create_instance(), world.box.create_instance()
    video.put_object_instance(car, Range(0, 5), BOX)
    image.put_object_instance(bike, BOX)
    assert video.remove_object_instance(car, Range(0, 2)) is car
    assert video.get_object_frames(car) == [Range(3, 5)]
    assert video.remove_object_instance(car) is car and video.get_object_instances() == []
    assert image.remove_object_instance(bike) is bike and image.get_object_instances() == []
    rain = world.weather.create_instance()
    video.put_classification_instance(rain, Range(0, 3))
    assert video.remove_classification_instance(rain, Range(0, 1)) is rain
    assert video.get_classification_frames(rain) == [Range(2, 3)]
    assert video.remove_classification_instance(rain) is rain and video.get_classification_instances() == []


def test_removing_an_instance_that_is_not_there_says_so_or_raises(world):
    _, video = world.video(10)
    car = world.box.create_instance("car00001")
    video.put_object_instance(car, 1, BOX)
    assert video.remove_object_instance(world.box.create_instance()) is None  # not on the space: None, as for a hash
    twin = world.box.create_instance("car00001")
    with pytest.raises(LabelRowError, match="Another instance with hash 'car00001' is on space 'cam'"):
        video.remove_object_instance(twin)
    assert video.get_object_instances() == [car]
    for junk in (42, None, 3.5, ["car00001"], world.weather.create_instance()):
        with pytest.raises(LabelRowError, match="Expected an object hash \\(str\\) or the ObjectInstance itself"):
            video.remove_object_instance(junk)
    with pytest.raises(LabelRowError, match="Expected a classification hash"):
        video.remove_classification_instance(car)
    assert video.get_object_instances() == [car]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: BoundingBoxCoordinates(None, 0.1, 0.1, 0.1), "height must be a number, got NoneType"),
        (lambda: BoundingBoxCoordinates.from_pixels((1, 2, 3, 4), 0, 10), "image width must be a positive whole"),
        (lambda: BoundingBoxCoordinates.from_pixels((1, 2, 3, 4), 10, None), "image height must be a positive whole"),
        (lambda: BoundingBoxCoordinates.from_pixels((1, 2, 3, 4), True, 10), "image width must be a positive whole"),
        (lambda: BoundingBoxCoordinates.from_pixels((1, 2, 3, 4), 10.5, 10), "image width must be a positive whole"),
        (lambda: BoundingBoxCoordinates.from_pixels(None, 10, 10), "needs 4 numbers, got None"),
        (lambda: RotatableBoundingBoxCoordinates.from_pixels((1, 2, 3, 4, 5), "a", 3), "image width"),
        (lambda: PointCoordinate(0.1, "x"), "PointCoordinate.y must be a number, got str"),
        (lambda: PointCoordinate.from_pixels((1, 2), -5, 3), "image width must be a positive whole"),
        (lambda: PolygonCoordinates(values=None), "needs points"),
        (lambda: PolygonCoordinates.from_pixels([[[(1, 2), (3, 4), (5, 6)]]], 0, 10), "image width"),
        (lambda: PolygonCoordinates.from_pixels(None, 10, 10), "needs parts of rings"),
        (lambda: PolylineCoordinates(None), "values must be a list of PointCoordinate"),
        (lambda: PolylineCoordinates.from_pixels(5, 10, 10), "needs \\(x, y\\) pixels"),
        (lambda: SkeletonCoordinate(None, 0.1, "a"), "x must be a number"),
        (lambda: SkeletonCoordinates(None), "values must be a list of SkeletonCoordinate"),
        (lambda: BitmaskCoordinates(None), "needs a 2-d height x width mask"),
        (lambda: BitmaskCoordinates(np.zeros((0, 4))), "needs a 2-d height x width mask"),
        (lambda: BitmaskCoordinates.from_rle(None, 2, 2), "needs a list of whole-number run lengths"),
        (lambda: BitmaskCoordinates.from_rle([4], None, 2), "image height must be a positive whole"),
        (lambda: BitmaskCoordinates.from_rle([4], 2, 0), "image width must be a positive whole"),
        (lambda: BitmaskCoordinates.from_rle(["a"], 2, 2), "needs a list of whole-number run lengths"),
    ],
)
def test_constructors_refuse_junk_with_a_labelspace_error(make, message):
    with pytest.raises(LabelRowError, match=message):
        make()
