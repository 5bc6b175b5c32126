from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from labelspace.model.interpolation import distance_to, signed_distance
from tests.conftest import World, examples


def box(x, y, w, h):
    return BoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y)


def rbox(x, y, w, h, t):
    return RotatableBoundingBoxCoordinates(height=h, width=w, top_left_x=x, top_left_y=y, theta=t)


def pts(*xy):
    return [PointCoordinate(x, y) for x, y in xy]


def at(space, instance, frame):
    [found] = [a for a in space.get_annotations_on_frame(frame) if a.object_hash == instance.object_hash]
    return found


def approx_points(points, expected, tol=1e-9):
    assert len(points) == len(expected)
    for p, (x, y) in zip(points, expected, strict=True):
        assert p.x == pytest.approx(x, abs=tol) and p.y == pytest.approx(y, abs=tol)


# --- rows: boxes, rotated boxes, points -----------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "start", "end", "frame", "expected"),
    [
        ("box", box(0.0, 0.0, 0.2, 0.2), box(0.4, 0.2, 0.4, 0.2), 5, (0.2, 0.1, 0.3, 0.2)),
        ("box", box(0.0, 0.0, 0.2, 0.2), box(0.4, 0.2, 0.4, 0.2), 1, (0.04, 0.02, 0.22, 0.2)),
        ("point", PointCoordinate(0.1, 0.9), PointCoordinate(0.9, 0.1), 5, (0.5, 0.5)),
        ("point", PointCoordinate(0.1, 0.9), PointCoordinate(0.9, 0.1), 9, (0.82, 0.18)),
        ("rotated", rbox(0.1, 0.1, 0.2, 0.2, 10), rbox(0.1, 0.1, 0.2, 0.2, 50), 5, (0.1, 0.1, 0.2, 0.2, 30)),
        # Across 0 degrees the shorter way: 350 -> 10 passes 0, not 180.
        ("rotated", rbox(0.1, 0.1, 0.2, 0.2, 350), rbox(0.1, 0.1, 0.2, 0.2, 10), 5, (0.1, 0.1, 0.2, 0.2, 360)),
        ("rotated", rbox(0.1, 0.1, 0.2, 0.2, 10), rbox(0.1, 0.1, 0.2, 0.2, 350), 5, (0.1, 0.1, 0.2, 0.2, 0)),
        ("rotated", rbox(0.1, 0.1, 0.2, 0.2, -170), rbox(0.1, 0.1, 0.2, 0.2, 170), 5, (0.1, 0.1, 0.2, 0.2, -180)),
        ("rotated", rbox(0.1, 0.1, 0.2, 0.2, 0), rbox(0.3, 0.1, 0.2, 0.2, 720), 5, (0.2, 0.1, 0.2, 0.2, 0)),
    ],
)
def test_rows_interpolate_linearly_and_angles_the_shorter_way(world, kind, start, end, frame, expected):
    _, space = world.video()
    item = {"box": world.box, "point": world.point, "rotated": world.rotated}[kind]
    obj = item.create_instance()
    space.put_object_instance(obj, 0, start)
    space.put_object_instance(obj, 10, end)
    assert space.interpolate(obj) == [Range(1, 9)]
    found = at(space, obj, frame)
    assert found.coordinates._row == pytest.approx(expected, abs=1e-9)
    assert found.manual_annotation is False and found.confidence == 1.0
    assert at(space, obj, 0).coordinates == start and at(space, obj, 10).coordinates == end


def test_interpolated_frames_replace_old_ones_but_never_keyframes(world):
    _, space = world.video()
    car = world.box.create_instance()
    space.put_object_instance(car, 0, box(0, 0, 0.1, 0.1))
    space.put_object_instance(car, 20, box(0.2, 0, 0.1, 0.1))
    space.put_object_instance(car, 40, box(0.2, 0.4, 0.1, 0.1))
    space.put_object_instance(car, Range(50, 60), box(0.5, 0.5, 0.1, 0.1), manual_annotation=False, confidence=0.3)
    assert space.interpolate(car) == [Range(1, 19), Range(21, 39)]
    # A keyframe moved: interpolating again follows it, and a tracker's frames after the last keyframe stay.
    space.put_object_instance(car, 20, box(0.4, 0, 0.1, 0.1), on_overlap="replace", manual_annotation=True)
    assert space.interpolate(car, Range(1, 39)) == [Range(1, 19), Range(21, 39)]
    assert at(space, car, 10).coordinates._row == pytest.approx((0.2, 0, 0.1, 0.1))
    assert at(space, car, 30).coordinates._row == pytest.approx((0.3, 0.2, 0.1, 0.1))
    assert at(space, car, 55).confidence == 0.3
    assert space.get_keyframes(car) == [Range(0, 0), Range(20, 20), Range(40, 40)]


def test_only_the_frames_asked_for_are_filled(world):
    _, space = world.video()
    car = world.box.create_instance()
    space.put_object_instance(car, 0, box(0, 0, 0.1, 0.1))
    space.put_object_instance(car, 10, box(0.5, 0, 0.1, 0.1))
    assert space.interpolate(car, [3, 4, 10, 50]) == [Range(3, 4)]
    assert space.get_object_frames(car) == [Range(0, 0), Range(3, 4), Range(10, 10)]


def test_a_run_of_keyframes_interpolates_from_its_last_frame(world):
    _, space = world.video()
    car = world.box.create_instance()
    space.put_object_instance(car, Range(0, 4), box(0, 0, 0.1, 0.1))
    space.put_object_instance(car, 14, box(0.5, 0, 0.1, 0.1))
    space.interpolate(car)
    assert at(space, car, 9).coordinates._row == pytest.approx((0.25, 0, 0.1, 0.1))


@pytest.mark.parametrize(
    ("frames", "message"),
    [
        (Range(90, 120), "past the last frame"),
        (-1, "frame"),
    ],
)
def test_bad_calls_raise_and_change_nothing(world, frames, message):
    row, space = world.video()
    car = world.box.create_instance()
    space.put_object_instance(car, 0, box(0, 0, 0.1, 0.1))
    space.put_object_instance(car, 10, box(0.5, 0, 0.1, 0.1))
    before = row.to_dict()
    with pytest.raises(LabelRowError, match=message):
        space.interpolate(car, frames)
    assert row.to_dict() == before
    stranger = world.box.create_instance()
    with pytest.raises(LabelRowError, match="not on space 'cam'"):
        space.interpolate(stranger)
    assert row.to_dict() == before


def test_nothing_to_fill_with_one_keyframe_or_touching_ones(world):
    _, space = world.video()
    car = world.box.create_instance()
    space.put_object_instance(car, 5, box(0, 0, 0.1, 0.1))
    assert space.interpolate(car) == []
    space.put_object_instance(car, 6, box(0.1, 0, 0.1, 0.1))
    assert space.interpolate(car) == []
    assert space.get_object_frames(car) == [Range(5, 6)]


# --- outlines ---------------------------------------------------------------------------------------


def test_polylines_with_the_same_vertices_move_vertex_by_vertex(world):
    _, space = world.video()
    lane = world.polyline.create_instance()
    space.put_object_instance(lane, 0, PolylineCoordinates(pts((0.1, 0.1), (0.3, 0.1), (0.3, 0.3))))
    space.put_object_instance(lane, 4, PolylineCoordinates(pts((0.5, 0.1), (0.7, 0.1), (0.7, 0.3))))
    space.interpolate(lane)
    approx_points(at(space, lane, 2).coordinates.values, [(0.3, 0.1), (0.5, 0.1), (0.5, 0.3)])


def test_polylines_with_different_vertex_counts_match_along_their_length(world):
    _, space = world.video()
    lane = world.polyline.create_instance()
    # Two points, then the same straight line drawn with five: every frame between is that line.
    space.put_object_instance(lane, 0, PolylineCoordinates(pts((0.1, 0.5), (0.9, 0.5))))
    five = [(0.1 + 0.2 * i, 0.5) for i in range(5)]
    space.put_object_instance(lane, 10, PolylineCoordinates(pts(*five)))
    space.interpolate(lane)
    middle = at(space, lane, 5).coordinates.values
    approx_points(middle, five)
    # A line that moves and gains a kink: the midpoint passes half-way to the kink.
    space.put_object_instance(lane, 20, PolylineCoordinates(pts((0.1, 0.5), (0.5, 0.1), (0.9, 0.5))))
    space.interpolate(lane)
    between = at(space, lane, 15).coordinates.values
    assert len(between) == 5
    assert between[2].x == pytest.approx(0.5) and between[2].y == pytest.approx(0.3)


def square(x, y, s, start=0, clockwise=True):
    corners = [(x, y), (x + s, y), (x + s, y + s), (x, y + s)]
    if not clockwise:
        corners = corners[::-1]
    corners = corners[start:] + corners[:start]
    return pts(*corners)


@pytest.mark.parametrize("start", [0, 1, 2, 3])
@pytest.mark.parametrize("clockwise", [True, False])
def test_a_moved_polygon_interpolates_whatever_vertex_it_starts_at_and_its_direction(world, start, clockwise):
    _, space = world.video()
    road = world.polygon.create_instance()
    space.put_object_instance(road, 0, PolygonCoordinates(square(0.1, 0.1, 0.2)))
    space.put_object_instance(road, 10, PolygonCoordinates(square(0.5, 0.3, 0.2, start, clockwise)))
    space.interpolate(road)
    ring = at(space, road, 5).coordinates.values
    xy = sorted((round(p.x, 9), round(p.y, 9)) for p in ring)
    assert xy == sorted((round(x, 9), round(y, 9)) for x, y in [(0.3, 0.2), (0.5, 0.2), (0.5, 0.4), (0.3, 0.4)])


def test_a_polygon_gaining_vertices_changes_smoothly(world):
    _, space = world.video()
    road = world.polygon.create_instance()
    space.put_object_instance(road, 0, PolygonCoordinates(pts((0.2, 0.2), (0.6, 0.2), (0.4, 0.6))))
    hexagon = [(0.4 + 0.2 * np.cos(a), 0.4 + 0.2 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 6, endpoint=False)]
    space.put_object_instance(road, 10, PolygonCoordinates(pts(*hexagon)))
    space.interpolate(road)
    rings = [at(space, road, f).coordinates.values for f in range(1, 10)]
    # Every step moves each sampled vertex a little: no jumps between neighbouring frames.
    for r1, r2 in pairwise(rings):
        assert len(r1) == len(r2)
        moves = [np.hypot(p.x - q.x, p.y - q.y) for p, q in zip(r1, r2, strict=True)]
        assert max(moves) < 0.08


def test_polygons_with_holes_interpolate_ring_by_ring_and_different_layouts_hold(world):
    _, space = world.video()
    road = world.polygon.create_instance()
    a = PolygonCoordinates(polygons=[[square(0.1, 0.1, 0.4), square(0.2, 0.2, 0.1)]])
    b = PolygonCoordinates(polygons=[[square(0.3, 0.1, 0.4), square(0.4, 0.2, 0.1)]])
    space.put_object_instance(road, 0, a)
    space.put_object_instance(road, 2, b)
    space.put_object_instance(road, 6, PolygonCoordinates(square(0.1, 0.1, 0.2)))
    space.interpolate(road)
    middle = at(space, road, 1).coordinates
    assert len(middle.polygons) == 1 and len(middle.polygons[0]) == 2
    assert min(p.x for p in middle.polygons[0][1]) == pytest.approx(0.3)
    # One hole against none: the nearer keyframe's shape.
    assert at(space, road, 3).coordinates == b
    assert at(space, road, 5).coordinates == PolygonCoordinates(square(0.1, 0.1, 0.2))


def test_skeleton_nodes_move_by_name_and_take_the_nearer_visibility(world):
    _, space = world.video()
    pose = world.skeleton.create_instance()
    a = SkeletonCoordinates(
        [SkeletonCoordinate(0.1, 0.1, "head"), SkeletonCoordinate(0.1, 0.5, "foot", "visible")], "body"
    )
    b = SkeletonCoordinates(
        [SkeletonCoordinate(0.5, 0.5, "foot", "invisible"), SkeletonCoordinate(0.5, 0.1, "head")], "body"
    )
    space.put_object_instance(pose, 0, a)
    space.put_object_instance(pose, 4, b)
    space.interpolate(pose)
    early = {n.name: n for n in at(space, pose, 1).coordinates.values}
    late = {n.name: n for n in at(space, pose, 3).coordinates.values}
    assert (early["head"].x, early["head"].y) == pytest.approx((0.2, 0.1))
    assert (early["foot"].x, early["foot"].y, early["foot"].visibility) == pytest.approx((0.2, 0.5, "visible"))
    assert late["foot"].visibility == "invisible" and late["foot"].x == pytest.approx(0.4)


# --- masks -------------------------------------------------------------------------------------------


def test_distance_transform_is_exact_against_brute_force():
    rng = np.random.default_rng(3)
    mask = rng.random((23, 31)) > 0.97
    mask[5, 7] = True
    ys, xs = np.nonzero(mask)
    gy, gx = np.mgrid[:23, :31]
    brute = np.sqrt(((gy[..., None] - ys) ** 2 + (gx[..., None] - xs) ** 2).min(axis=2))
    assert np.allclose(distance_to(mask), brute)
    sdf = signed_distance(mask)
    assert (sdf[mask] <= 0).all() and (sdf[~mask] > 0).all()


def disc(h, w, cy, cx, r):
    gy, gx = np.mgrid[:h, :w]
    return (gy - cy) ** 2 + (gx - cx) ** 2 <= r * r


def test_a_moving_growing_disc_mask_stays_a_disc_between(world):
    _, space = world.video(width=200, height=120)
    sky = world.mask.create_instance()
    space.put_object_instance(sky, 0, BitmaskCoordinates(disc(120, 200, 60, 50, 10)))
    space.put_object_instance(sky, 10, BitmaskCoordinates(disc(120, 200, 60, 70, 30)))
    space.interpolate(sky)
    middle = at(space, sky, 5).coordinates.to_array()
    # Half-way, the zero set of the mean of |p - a| - 10 and |p - b| - 30: |p - a| + |p - b| <= 40.
    gy, gx = np.mgrid[:120, :200]
    expected = np.hypot(gy - 60, gx - 50) + np.hypot(gy - 60, gx - 70) <= 40
    iou = (middle & expected).sum() / (middle | expected).sum()
    assert iou > 0.95
    assert at(space, sky, 0).coordinates == BitmaskCoordinates(disc(120, 200, 60, 50, 10))


def test_a_large_mask_is_worked_at_a_reduced_scale(world, monkeypatch):
    import labelspace.model.interpolation as interpolation

    monkeypatch.setattr(interpolation, "MASK_WORK_SIZE", 40)
    _, space = world.video(width=200, height=120)
    sky = world.mask.create_instance()
    space.put_object_instance(sky, 0, BitmaskCoordinates(disc(120, 200, 60, 60, 40)))
    space.put_object_instance(sky, 2, BitmaskCoordinates(disc(120, 200, 60, 100, 40)))
    space.interpolate(sky)
    middle = at(space, sky, 1).coordinates.to_array()
    gy, gx = np.mgrid[:120, :200]
    expected = np.hypot(gy - 60, gx - 60) + np.hypot(gy - 60, gx - 100) <= 80
    assert (middle & expected).sum() / (middle | expected).sum() > 0.9


def test_an_empty_mask_keyframe_holds_the_nearer_one(world):
    _, space = world.video(width=40, height=30)
    sky = world.mask.create_instance()
    empty = BitmaskCoordinates(np.zeros((30, 40), bool))
    full = BitmaskCoordinates(disc(30, 40, 15, 20, 5))
    space.put_object_instance(sky, 0, empty)
    space.put_object_instance(sky, 4, full)
    space.interpolate(sky)
    assert at(space, sky, 1).coordinates == empty and at(space, sky, 3).coordinates == full


# --- properties --------------------------------------------------------------------------------------


unit = st.floats(0.0, 0.45, allow_nan=False)


@settings(max_examples=examples(100), deadline=None)
@given(
    keys=st.lists(st.integers(0, 60), min_size=1, max_size=6, unique=True),
    corners=st.lists(st.tuples(unit, unit, unit, unit), min_size=6, max_size=6),
    extra=st.lists(st.integers(0, 60), max_size=4),
)
def test_interpolating_then_removing_interpolated_frames_gives_back_the_keyframes(keys, corners, extra):
    world = World()
    row, space = world.video(frames=61)
    car = world.box.create_instance()
    keys = sorted(keys)
    for frame, (x, y, w, h) in zip(keys, corners, strict=False):
        space.put_object_instance(car, frame, box(x, y, w + 0.01, h + 0.01))
    before = row.to_dict()
    filled = space.interpolate(car, extra or None)
    keyframes = set(keys)
    for r in filled:
        assert not keyframes & set(range(r.start, r.end + 1))
        assert keys[0] < r.start and r.end < keys[-1]
    if filled:
        space.remove_object_instance(car, filled)
    assert row.to_dict() == before
    assert [f for r in space.get_keyframes(car) for f in range(r.start, r.end + 1)] == keys


@settings(max_examples=examples(100), deadline=None)
@given(
    a=st.tuples(unit, unit, unit, unit, st.floats(-720, 720)),
    b=st.tuples(unit, unit, unit, unit, st.floats(-720, 720)),
    n=st.integers(2, 30),
)
def test_every_interpolated_rotated_box_is_valid_and_turns_at_most_half_a_turn(a, b, n):
    world = World()
    _, space = world.video(frames=31)
    boat = world.rotated.create_instance()
    space.put_object_instance(boat, 0, rbox(a[0], a[1], a[2] + 0.01, a[3] + 0.01, a[4]))
    space.put_object_instance(boat, n, rbox(b[0], b[1], b[2] + 0.01, b[3] + 0.01, b[4]))
    space.interpolate(boat)
    thetas = [at(space, boat, f).coordinates.theta for f in range(n)]
    assert abs(thetas[-1] - thetas[0]) <= 180 * (n - 1) / n + 1e-6
    steps = np.diff(thetas)
    assert np.allclose(steps, steps[0]) if len(steps) else True
