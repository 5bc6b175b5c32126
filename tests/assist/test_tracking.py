import sys
import threading
import types

import numpy as np
import pytest

from labelspace import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    LabelRowError,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)
from labelspace.assist import TrackResult, track_objects
from labelspace.assist import _frames as frames_module
from labelspace.model.errors import MediaError, MissingExtraError

pytest.importorskip("cv2")

WIDTH, HEIGHT, FRAMES, SIDE = 320, 240, 60, 56


def path(i):
    """Top-left corner of the square on frame i: right 3.5 px a frame, up and down along a sine."""
    return round(40 + 3.5 * i), round(90 + 40 * float(np.sin(i / 9)))


def texture(rng, shape):
    """Noise with detail at several scales, as in a photograph (the coarse scales feed the flow's pyramid)."""
    cv2 = pytest.importorskip("cv2")
    out = np.zeros(shape)
    for sigma, weight in [(1.0, 1.0), (4.0, 2.0), (12.0, 3.0)]:
        layer = cv2.GaussianBlur(rng.normal(0, 1, shape), (0, 0), sigma)
        out += weight * layer / layer.std()
    return np.clip(128 + out * 40 / out.std(), 0, 255).astype(np.uint8)


def scene(frames=FRAMES, side=SIDE, gone_after=None):
    """A textured square moving over a textured background, as (frames, height, width, 3) RGB."""
    rng = np.random.default_rng(7)
    background = texture(rng, (HEIGHT, WIDTH, 3))
    # The square is redder than the background, as an object stands out from what is behind it.
    square = np.clip(texture(rng, (side, side, 3)) + np.array([50, -20, -20]), 0, 255).astype(np.uint8)
    video = np.empty((frames, HEIGHT, WIDTH, 3), np.uint8)
    for i in range(frames):
        video[i] = background
        if gone_after is None or i <= gone_after:
            x, y = path(i)
            video[i, y : y + side, x : x + side] = square
    return video


VIDEO = scene()


def true_box(i, side=SIDE):
    x, y = path(i)
    return np.array([x / WIDTH, y / HEIGHT, side / WIDTH, side / HEIGHT])


def box_coordinates(i, side=SIDE):
    x, y, w, h = true_box(i, side)
    return BoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y)


def iou(a, b):
    ax, ay, aw, ah = a[:4]
    bx, by, bw, bh = b[:4]
    ix = max(0.0, min(ax + aw, bx + bw) - max(ax, bx))
    iy = max(0.0, min(ay + ah, by + bh) - max(ay, by))
    inter = ix * iy
    return inter / (aw * ah + bw * bh - inter)


def metadata_by_frame(space, instance):
    runs = space.get_object_runs(instance)
    return {f: m for s, e, m in zip(runs.starts, runs.ends, runs.metadata, strict=True) for f in range(s, e + 1)}


def snapshot(space):
    """Everything the space holds, to tell that a failed call changed nothing."""
    out = []
    for instance in space.get_object_instances():
        runs = space.get_object_runs(instance)
        values = runs.values.tolist() if isinstance(runs.values, np.ndarray) else list(runs.values)
        out.append((instance.object_hash, runs.starts.tolist(), runs.ends.tolist(), values, runs.metadata))
    return out


@pytest.fixture
def video_space(world):
    return world.video(frames=FRAMES, width=WIDTH, height=HEIGHT)[1]


# --- boxes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "side"),
    [
        ("kcf", SIDE),  # KCF follows a box this large on a halved frame
        ("kcf", 32),  # and this one on the frame itself
        ("kcf", 37),  # given to KCF narrowed to 36 (a window of 74 pixels is slow to transform)
        ("csrt", SIDE),
    ],
)
def test_a_box_follows_the_square_for_50_frames(world, video_space, method, side):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0, side))
    video = VIDEO if side == SIDE else scene(side=side)
    result = track_objects(video_space, car, video, 0, max_frames=50, method=method)
    assert isinstance(result, TrackResult)
    assert (result.start, result.end, result.frames_done, result.frames_total, result.cancelled) == (
        0,
        50,
        50,
        50,
        False,
    )
    [tracked] = result.objects
    assert tracked.object_instance is car
    assert tracked.frames.tolist() == list(range(1, 51))
    assert tracked.confidence.tolist() == [1.0] * 50
    assert (tracked.stopped, tracked.stopped_at) == ("end", None)
    frames, rows = video_space.get_object_track(car)
    assert frames.tolist() == list(range(51))
    overlaps = [iou(rows[i], true_box(i, side)) for i in range(51)]
    assert min(overlaps) >= 0.8, overlaps
    meta = metadata_by_frame(video_space, car)
    assert meta[0].manual_annotation is True
    assert all(meta[f].manual_annotation is False and meta[f].confidence == 1.0 for f in range(1, 51))


def test_a_box_is_tracked_backward(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 59, box_coordinates(59))
    result = track_objects(video_space, [car], VIDEO, 59, end=9, direction="backward")
    [tracked] = result.objects
    assert tracked.frames.tolist() == list(range(58, 8, -1))
    assert (result.frames_done, tracked.stopped) == (50, "end")
    frames, rows = video_space.get_object_track(car)
    assert frames.tolist() == list(range(9, 60))
    assert min(iou(row, true_box(f)) for f, row in zip(frames, rows, strict=True)) >= 0.8


def test_several_boxes_at_once_and_a_rotated_box_keeps_its_angle(world, video_space):
    car, boat = world.box.create_instance(), world.rotated.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))
    x, y, w, h = true_box(0)
    video_space.put_object_instance(
        boat, 0, RotatableBoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y, theta=12.5)
    )
    result = track_objects(video_space, [car, boat], VIDEO, 0, max_frames=40)
    assert [t.object_instance for t in result.objects] == [car, boat]
    frames, rows = video_space.get_object_track(boat)
    assert frames.tolist() == list(range(41))
    assert (rows[:, 4] == 12.5).all()
    assert min(iou(row, true_box(f)) for f, row in zip(frames, rows, strict=True)) >= 0.8


def test_kcf_is_given_boxes_of_sides_quick_to_transform():
    from labelspace.assist._boxes import _smooth_rect, smooth_side

    def small_primes_only(n):
        for p in (2, 3, 5):
            while n % p == 0:
                n //= p
        return n == 1

    for side in range(1, 400):
        got = smooth_side(side)
        assert 1 <= got <= side and small_primes_only(2 * got), (side, got)
        assert not any(small_primes_only(2 * n) for n in range(got + 1, side + 1)), (side, got)
        assert got >= 0.9 * side - 1, (side, got)  # never much smaller than the box
    for rect in [(10, 20, 37, 41), (0, 0, 47, 5), (3, 4, 36, 36)]:
        left, top, w, h = _smooth_rect(rect)
        assert (w, h) == (smooth_side(rect[2]), smooth_side(rect[3]))
        # The centre moves by half a pixel at most: the displacement read back stays the box's.
        assert abs(left + w / 2 - (rect[0] + rect[2] / 2)) <= 0.5
        assert abs(top + h / 2 - (rect[1] + rect[3] / 2)) <= 0.5


def test_boxes_updated_on_several_threads_find_what_one_thread_finds(world, monkeypatch):
    from labelspace.assist import tracking

    def track():
        space = world.video(frames=FRAMES, width=WIDTH, height=HEIGHT)[1]
        cars = [world.box.create_instance() for _ in range(3)]
        for k, car in enumerate(cars):
            x, y, w, h = true_box(0)
            space.put_object_instance(
                car, 0, BoundingBoxCoordinates(height=h, width=w, top_left_x=x + k * 0.01, top_left_y=y)
            )
        threads = []
        original = tracking.ThreadPoolExecutor

        def recording(*args, **kwargs):
            pool = original(*args, **kwargs)
            threads.append(pool)
            return pool

        monkeypatch.setattr(tracking, "ThreadPoolExecutor", recording)
        track_objects(space, cars, VIDEO, 0, max_frames=30)
        return [space.get_object_track(car)[1] for car in cars], threads

    monkeypatch.setattr(tracking.os, "cpu_count", lambda: 2)
    together, pools = track()
    assert len(pools) == 1  # three boxes, two cores: a pool of two threads
    assert not any(t.name.startswith("labelspace-track") for t in threading.enumerate())  # all ended
    monkeypatch.setattr(tracking.os, "cpu_count", lambda: 1)
    alone, pools = track()
    assert pools == []
    for a, b in zip(together, alone, strict=True):
        assert a.shape == (31, 4)
        np.testing.assert_array_equal(a, b)


def test_grey_frames_of_a_volume(world):
    row = world.row()
    ct = row.add_medical_space("ct", FRAMES, WIDTH, HEIGHT, "nifti")
    grey = VIDEO.mean(axis=3).astype(np.uint8)
    car, person = world.box.create_instance(), world.point.create_instance()
    ct.put_object_instance(car, 0, box_coordinates(0))
    cx, cy = path(0)
    ct.put_object_instance(person, 0, PointCoordinate((cx + 20) / WIDTH, (cy + 20) / HEIGHT))
    track_objects(ct, [car, person], grey, 0, max_frames=30)
    frames, rows = ct.get_object_track(car)
    assert min(iou(r, true_box(f)) for f, r in zip(frames, rows, strict=True)) >= 0.8
    frames, points = ct.get_object_track(person)
    assert frames.tolist() == list(range(31))
    truth = np.array([[(path(f)[0] + 20) / WIDTH, (path(f)[1] + 20) / HEIGHT] for f in frames])
    assert np.abs((points - truth) * [WIDTH, HEIGHT]).max() <= 1.5


# --- optical flow -----------------------------------------------------------------------------------


def square_offsets(offsets, i):
    """Points at pixel offsets from the square's top-left corner on frame i, normalised."""
    x, y = path(i)
    return [((x + dx) / WIDTH, (y + dy) / HEIGHT) for dx, dy in offsets]


def pixel_error(points, truth):
    return float(np.abs((np.asarray(points) - np.asarray(truth)) * [WIDTH, HEIGHT]).max())


CORNERS = [(0, 0), (SIDE, 0), (SIDE, SIDE), (0, SIDE)]
INSIDE = [(8, 8), (46, 14), (26, 48)]  # 8 px from the edges at most


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_points_polylines_polygons_and_skeletons_follow_the_square(world, video_space, direction):
    start, end = (0, 50) if direction == "forward" else (59, 9)
    person, lane = world.point.create_instance(), world.polyline.create_instance()
    road, pose = world.polygon.create_instance(), world.skeleton.create_instance()
    video_space.put_object_instance(person, start, PointCoordinate(*square_offsets([(20, 20)], start)[0]))
    video_space.put_object_instance(
        lane, start, PolylineCoordinates([PointCoordinate(*p) for p in square_offsets(INSIDE, start)])
    )
    # The polygon is the square's outline: its vertices sit where half of the flow's window is background.
    video_space.put_object_instance(
        road, start, PolygonCoordinates([PointCoordinate(*p) for p in square_offsets(CORNERS, start)])
    )
    nodes = [SkeletonCoordinate(x, y, name) for (x, y), name in zip(square_offsets(INSIDE, start), "abc", strict=True)]
    video_space.put_object_instance(pose, start, SkeletonCoordinates(nodes, name="pose"))
    result = track_objects(video_space, [person, lane, road, pose], VIDEO, start, end=end, direction=direction)
    for tracked in result.objects:
        assert tracked.stopped == "end", tracked
        assert len(tracked.frames) == 50
        assert ((tracked.confidence > 0.5) & (tracked.confidence <= 1.0)).all()
    frames, points = video_space.get_object_track(person)
    assert len(frames) == 51
    assert max(pixel_error(p, square_offsets([(20, 20)], f)) for f, p in zip(frames, points, strict=True)) <= 1.5
    for instance, offsets in [(lane, INSIDE), (road, CORNERS), (pose, INSIDE)]:
        frames, shapes = video_space.get_object_track(instance)
        assert len(frames) == 51
        errors = [
            pixel_error([(p.x, p.y) for p in s.values], square_offsets(offsets, f))
            for f, s in zip(frames, shapes, strict=True)
        ]
        assert max(errors) <= 1.5, (instance, errors)
    _, skeletons = video_space.get_object_track(pose)
    assert all([n.name for n in s.values] == ["a", "b", "c"] and s.name == "pose" for s in skeletons)
    meta = metadata_by_frame(video_space, road)
    tracked_frames = result.objects[2].frames.tolist()
    assert {meta[f].manual_annotation for f in tracked_frames} == {False}
    assert [meta[f].confidence for f in tracked_frames] == result.objects[2].confidence.tolist()


def test_a_point_that_leaves_the_image_is_lost(world):
    row = world.row()
    space = row.add_video_space("cam", 40, WIDTH, HEIGHT)
    rng = np.random.default_rng(3)
    background = texture(rng, (HEIGHT, WIDTH + 12 * 40, 3))
    video = np.stack([background[:, 12 * i : 12 * i + WIDTH] for i in range(40)])  # the view pans right
    person = world.point.create_instance()
    space.put_object_instance(person, 0, PointCoordinate(60 / WIDTH, 0.5))
    [tracked] = track_objects(space, person, video, 0, max_frames=39).objects
    # The point moves 12 px left a frame from 60 px in: it reaches the edge on frame 5, and is off it on 6.
    assert tracked.stopped == "lost"
    assert tracked.stopped_at in (5, 6)
    frames, points = space.get_object_track(person)
    assert frames.tolist() == list(range(tracked.stopped_at))
    assert np.abs(points[:, 0] * WIDTH - (60 - 12 * frames)).max() <= 0.5


def test_a_box_whose_object_vanishes_is_lost(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))
    [tracked] = track_objects(video_space, car, scene(gone_after=20), 0, max_frames=50).objects
    assert tracked.stopped == "lost"
    assert 21 <= tracked.stopped_at <= 30
    assert tracked.frames.tolist() == list(range(1, tracked.stopped_at))


# --- keyframes, progress, cancelling ----------------------------------------------------------------------


def test_tracking_stops_at_the_next_keyframe_and_replaces_predictions(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))
    wrong = BoundingBoxCoordinates(height=0.1, width=0.1, top_left_x=0.0, top_left_y=0.0)
    video_space.put_object_instance(car, 12, wrong, manual_annotation=False, confidence=0.3)
    video_space.put_object_instance(car, 30, box_coordinates(30))  # a keyframe
    video_space.put_object_instance(car, 45, wrong, manual_annotation=False)
    calls = []
    result = track_objects(video_space, car, VIDEO, 0, max_frames=50, on_progress=lambda *a: calls.append(a))
    [tracked] = result.objects
    assert (tracked.stopped, tracked.stopped_at) == ("keyframe", 30)
    assert tracked.frames.tolist() == list(range(1, 30))
    assert calls == [(i, 50) for i in range(1, 30)] + [(50, 50)]
    assert result.frames_done == 29
    frames, rows = video_space.get_object_track(car)
    assert frames.tolist() == [*range(31), 45]
    assert min(iou(rows[f], true_box(f)) for f in range(31)) >= 0.8
    meta = metadata_by_frame(video_space, car)
    assert meta[12].manual_annotation is False and meta[12].confidence == 1.0  # the prediction was replaced
    assert meta[30].manual_annotation is True
    assert (rows[31] == [0.0, 0.0, 0.1, 0.1]).all()  # frame 45, past the keyframe, is left alone


def test_tracking_backward_stops_at_the_keyframe_before(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 50, box_coordinates(50))
    video_space.put_object_instance(car, 20, box_coordinates(20))
    [tracked] = track_objects(video_space, car, VIDEO, 50, direction="backward").objects
    assert (tracked.stopped, tracked.stopped_at) == ("keyframe", 20)
    assert tracked.frames.tolist() == list(range(49, 20, -1))


def test_a_keyframe_right_after_the_start_tracks_nothing(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, [0, 1], box_coordinates(0))
    result = track_objects(video_space, car, VIDEO, 0)
    assert result.frames_done == 0
    assert (result.objects[0].stopped, result.objects[0].stopped_at) == ("keyframe", 1)
    assert video_space.get_object_track(car)[0].tolist() == [0, 1]


def test_progress_is_reported_after_every_frame(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 10, box_coordinates(10))
    calls = []
    track_objects(
        video_space, car, VIDEO, 10, max_frames=20, on_progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(i, 20) for i in range(1, 21)]


def test_cancelling_keeps_what_was_tracked(world, video_space):
    car, person = world.box.create_instance(), world.point.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))
    video_space.put_object_instance(person, 0, PointCoordinate(*square_offsets([(20, 20)], 0)[0]))
    stop = threading.Event()
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if done == 10:
            stop.set()

    result = track_objects(video_space, [car, person], VIDEO, 0, max_frames=50, on_progress=progress, cancel=stop)
    assert result.cancelled is True
    assert result.frames_done == 10
    assert calls == [(i, 50) for i in range(1, 11)]
    for tracked, instance in zip(result.objects, [car, person], strict=True):
        assert (tracked.stopped, tracked.stopped_at) == ("cancelled", None)
        assert tracked.frames.tolist() == list(range(1, 11))
        assert video_space.get_object_track(instance)[0].tolist() == list(range(11))


def test_cancelled_before_the_first_frame_writes_nothing(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))
    stop = threading.Event()
    stop.set()
    result = track_objects(video_space, car, VIDEO, 0, cancel=stop)
    assert (result.cancelled, result.frames_done) == (True, 0)
    assert video_space.get_object_track(car)[0].tolist() == [0]


def test_tracking_from_the_last_frame_forward_does_nothing(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 59, box_coordinates(59))
    result = track_objects(video_space, car, VIDEO, 59)
    assert (result.end, result.frames_total, result.objects[0].stopped) == (59, 0, "end")


# --- errors: each changes nothing ------------------------------------------------------------------


def test_an_instance_not_on_the_start_frame_is_named(world, video_space):
    car, other = world.box.create_instance(), world.box.create_instance()
    video_space.put_object_instance(car, [0, 1, 2], box_coordinates(0))
    video_space.put_object_instance(other, 5, box_coordinates(5))
    before = snapshot(video_space)
    with pytest.raises(
        LabelRowError,
        match=r"Object 'car' \(.*\) is not on frame 5 of space 'cam' \(it is on frames \[Range\(start=0, end=2\)\]\)",
    ):
        track_objects(video_space, [other, car], VIDEO, 5)
    with pytest.raises(LabelRowError, match="not on the space at all"):
        track_objects(video_space, world.box.create_instance(), VIDEO, 5)
    assert snapshot(video_space) == before


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"end": 20, "max_frames": 5}, LabelRowError, "Give end .* or max_frames .*, not both"),
        (
            {"end": 2},
            LabelRowError,
            r"end \(2\) must be after start \(4\) when tracking forward; pass direction='backward'",
        ),
        ({"end": 9, "direction": "backward"}, LabelRowError, r"end \(9\) must be before start \(4\)"),
        ({"end": 60}, LabelRowError, r"end is frame 60, outside the frames 0\.\.59 of space 'cam'"),
        ({"start": -1}, LabelRowError, r"start is frame -1, outside"),
        ({"start": 4.0}, LabelRowError, "start must be an int frame number, got float"),
        ({"max_frames": 0}, LabelRowError, "max_frames must be a positive int, got 0"),
        ({"direction": "up"}, LabelRowError, "direction must be 'forward' or 'backward', got 'up'"),
        ({"method": "mosse"}, LabelRowError, "method must be 'kcf' or 'csrt', got 'mosse'"),
        ({"on_progress": 3}, LabelRowError, "on_progress must be a function"),
        ({"cancel": True}, LabelRowError, r"cancel must be a threading\.Event"),
        ({"source": VIDEO[:30]}, MediaError, "The source has 30 frames, too few to track to frame 54"),
        ({"source": VIDEO.astype(np.float32)}, MediaError, r"must be uint8 of shape \(frames, height, width, 3\)"),
        ({"source": [1, 2]}, MediaError, "source must be a MediaSource"),
        ({"object_instances": []}, LabelRowError, "object_instances is empty"),
        ({"object_instances": "car"}, LabelRowError, "must be an ObjectInstance or a list of them"),
        ({"object_instances": "twice"}, LabelRowError, "is given twice"),
    ],
)
def test_bad_arguments_change_nothing(world, video_space, arguments, error, message):
    car = world.box.create_instance()
    video_space.put_object_instance(car, [4, 5], box_coordinates(4))
    video_space.put_object_instance(car, 6, box_coordinates(6), manual_annotation=False)
    arguments = {"source": VIDEO, "start": 4, "object_instances": car, **arguments}
    if arguments["object_instances"] == "twice":
        arguments["object_instances"] = [car, car]
    before = snapshot(video_space)
    with pytest.raises(error, match=message):
        track_objects(
            video_space, arguments.pop("object_instances"), arguments.pop("source"), arguments.pop("start"), **arguments
        )
    assert snapshot(video_space) == before


def test_bitmasks_image_spaces_and_tiny_boxes_are_refused(world, video_space):
    sky = world.mask.create_instance()
    video_space.put_object_instance(sky, 0, BitmaskCoordinates(np.ones((HEIGHT, WIDTH), bool)))
    with pytest.raises(LabelRowError, match="bitmasks cannot be tracked"):
        track_objects(video_space, sky, VIDEO, 0)
    image = world.row().add_image_space("img", WIDTH, HEIGHT)
    with pytest.raises(LabelRowError, match="Tracking needs a space with frames"):
        track_objects(image, world.box.create_instance(), VIDEO, 0)
    car, bus = world.box.create_instance(), world.box.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))
    video_space.put_object_instance(
        bus, 0, BoundingBoxCoordinates(height=0.001, width=0.5, top_left_x=0.1, top_left_y=0.1)
    )
    before = snapshot(video_space)
    with pytest.raises(
        LabelRowError, match=r"its box covers 160x0.24 pixels of the 320x240 frame; a tracker needs at least 2x2"
    ):
        track_objects(video_space, [car, bus], VIDEO, 0)
    assert snapshot(video_space) == before


def test_a_frame_of_another_size_changes_nothing(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))

    class Source:
        number_of_frames = FRAMES

        def frame(self, index):
            return VIDEO[index] if index < 10 else VIDEO[index, :100]

    before = snapshot(video_space)
    with pytest.raises(MediaError, match="Frame 10 of the source is 320x100, but the frames before it are 320x240"):
        track_objects(video_space, car, Source(), 0)
    assert snapshot(video_space) == before


def test_an_error_while_tracking_changes_nothing(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))
    before = snapshot(video_space)

    def progress(done, total):
        if done == 5:
            raise RuntimeError("the progress bar broke")

    with pytest.raises(RuntimeError, match="the progress bar broke"):
        track_objects(video_space, car, VIDEO, 0, on_progress=progress)
    assert snapshot(video_space) == before


def test_without_opencv_the_error_names_the_extra(world, video_space, monkeypatch):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))
    before = snapshot(video_space)
    monkeypatch.setitem(sys.modules, "cv2", None)  # as if OpenCV were not installed
    with pytest.raises(MissingExtraError, match=r"Tracking needs OpenCV .*: pip install 'labelspace\[track\]'"):
        track_objects(video_space, car, VIDEO, 0)
    # An OpenCV without the contrib modules has optical flow but no KCF or CSRT.
    monkeypatch.setitem(sys.modules, "cv2", types.ModuleType("cv2"))
    with pytest.raises(
        MissingExtraError, match=r"The CSRT tracker is in OpenCV's contrib modules.*labelspace\[track\]"
    ):
        track_objects(video_space, car, VIDEO, 0, method="csrt")
    assert snapshot(video_space) == before


# --- reading frames --------------------------------------------------------------------------------------


class CountingSource:
    """A source that records the frames asked for."""

    number_of_frames = FRAMES

    def __init__(self):
        self.reads = []

    def frame(self, index):
        self.reads.append(index)
        return VIDEO[index]


def test_backward_reads_blocks_forward(monkeypatch):
    monkeypatch.setattr(frames_module, "BLOCK_FRAMES", 4)
    source = CountingSource()
    order = [i for i, _ in frames_module.frames_in_order(source, 10, 1)]
    assert order == list(range(10, 0, -1))
    assert source.reads == [10, 6, 7, 8, 9, 2, 3, 4, 5, 1]
    assert [i for i, _ in frames_module.frames_in_order(frames_module.ArrayFrames(VIDEO), 3, 0)] == [3, 2, 1, 0]


def test_a_callers_source_is_read_on_the_calling_thread(world, video_space):
    car = world.box.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))
    threads = set()

    class Source(CountingSource):
        def frame(self, index):
            threads.add(threading.get_ident())
            return super().frame(index)

    track_objects(video_space, car, Source(), 0, max_frames=20)
    assert threads == {threading.get_ident()}


def square_video(path):
    av = pytest.importorskip("av")
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.options = {"g": "12", "crf": "18", "bf": "2"}
        for image in VIDEO:
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def readers():
    return [t for t in threading.enumerate() if t.name == "labelspace-read-ahead"]


def test_a_video_file_is_read_ahead_and_an_error_stops_the_reading(world, video_space, tmp_path):
    from labelspace.media import open_media

    car = world.box.create_instance()
    video_space.put_object_instance(car, 0, box_coordinates(0))
    before = snapshot(video_space)
    seen = []

    def progress(done, total):
        seen.append(len(readers()))
        if done == 5:
            raise RuntimeError("the progress bar broke")

    with open_media(square_video(tmp_path / "square.mp4")) as video:
        with pytest.raises(RuntimeError, match="the progress bar broke"):
            track_objects(video_space, car, video, 0, on_progress=progress)
        assert seen and all(n == 1 for n in seen)  # read ahead while tracking
        assert readers() == []  # and stopped before the call returned
        assert snapshot(video_space) == before
        assert video.frame(0).shape == (HEIGHT, WIDTH, 3)  # the video is free to read again


def test_a_video_file_through_open_media(world, tmp_path):
    from labelspace.media import open_media

    square_video(tmp_path / "square.mp4")
    row = world.row()
    space = row.add_video_space("cam", FRAMES, WIDTH, HEIGHT, fps=25)
    car, bus = world.box.create_instance(), world.box.create_instance()
    space.put_object_instance(car, 0, box_coordinates(0))
    space.put_object_instance(bus, 59, box_coordinates(59))
    with open_media(tmp_path / "square.mp4") as video:
        track_objects(space, car, video, 0, max_frames=50)
        track_objects(space, bus, video, 59, end=9, direction="backward", method="csrt")
    for instance, expected in [(car, range(51)), (bus, range(9, 60))]:
        frames, rows = space.get_object_track(instance)
        assert frames.tolist() == list(expected)
        assert min(iou(r, true_box(f)) for f, r in zip(frames, rows, strict=True)) >= 0.8


def test_the_public_names_are_complete_sorted_and_documented():
    import inspect

    from labelspace import assist

    public = {n for n, v in vars(assist).items() if not n.startswith("_") and not inspect.ismodule(v)}
    assert set(assist.__all__) == public
    assert assist.__all__ == sorted(assist.__all__)
    for name in assist.__all__:
        value = getattr(assist, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name
