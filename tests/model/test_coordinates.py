import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

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

P = PointCoordinate


def test_box_compares_by_value_and_is_immutable():
    a = BoundingBoxCoordinates(height=0.1, width=0.2, top_left_x=0.3, top_left_y=0.4)
    assert a == BoundingBoxCoordinates(0.1, 0.2, 0.3, 0.4)
    assert hash(a) == hash(BoundingBoxCoordinates(0.1, 0.2, 0.3, 0.4))
    with pytest.raises(AttributeError):
        a.height = 0.5  # type: ignore[misc]
    assert BoundingBoxCoordinates(1, 1, 0, 0).height == 1.0 and isinstance(
        BoundingBoxCoordinates(1, 1, 0, 0).height, float
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: BoundingBoxCoordinates(0.1, 0.1, 350, 0.2), "top_left_x is 350.0, outside 0..1.*from_pixels"),
        (lambda: BoundingBoxCoordinates(-0.1, 0.1, 0, 0), "height is -0.1"),
        (lambda: BoundingBoxCoordinates(0.5, 0.5, 0.7, 0.1), "reaches past the image"),
        (lambda: BoundingBoxCoordinates(float("nan"), 0.1, 0, 0), "height is nan"),
        (lambda: BoundingBoxCoordinates("0.1", 0.1, 0, 0), "height must be a number"),
        (lambda: BoundingBoxCoordinates(True, 0.1, 0, 0), "height must be a number"),
        (lambda: RotatableBoundingBoxCoordinates(0.1, 0.1, 0, 0, float("inf")), "theta must be a finite angle"),
        (lambda: PointCoordinate(1.5, 0.2), "x is 1.5"),
        (lambda: PointCoordinate(0.5, -1), "y is -1.0"),
        (lambda: PolygonCoordinates(values=[P(0, 0), P(1, 1)]), "at least 3 points"),
        (lambda: PolygonCoordinates(), "needs points"),
        (
            lambda: PolygonCoordinates(values=[P(0, 0), P(1, 0), P(1, 1)], polygons=[[[P(0, 0), P(0, 1), P(1, 1)]]]),
            "values and polygons disagree",
        ),
        (lambda: PolygonCoordinates(values=[(0, 0), (1, 0), (1, 1)]), "must hold PointCoordinate"),
        (lambda: PolylineCoordinates([P(0, 0)]), "at least 2 points"),
        (
            lambda: SkeletonCoordinates([SkeletonCoordinate(0, 0, "a"), SkeletonCoordinate(1, 1, "a")]),
            "two nodes named 'a'",
        ),
        (lambda: SkeletonCoordinate(0, 0, "a", visibility="maybe"), "visibility must be one of"),
        (lambda: SkeletonCoordinates([]), "at least one node"),
        (lambda: BitmaskCoordinates(np.zeros(5, bool)), "2-d height x width mask"),
        (lambda: BitmaskCoordinates(np.full((2, 2), 3)), "boolean \\(or 0/1\\) mask"),
        (lambda: BitmaskCoordinates.from_rle([1, 2], 2, 2), "add up to height \\* width = 4"),
    ],
)
def test_invalid_coordinates_say_what_is_wrong(make, message):
    with pytest.raises(LabelRowError, match=message):
        make()


@pytest.mark.parametrize(
    ("cls", "pixels"),
    [
        (BoundingBoxCoordinates, (64, 48, 320, 240)),
        (RotatableBoundingBoxCoordinates, (64, 48, 320, 240, 15.0)),
        (PointCoordinate, (639, 0)),
    ],
)
def test_pixel_round_trip(cls, pixels):
    c = cls.from_pixels(pixels, 640, 480)
    assert c.to_pixels(640, 480) == pytest.approx(pixels)


def test_box_from_pixels_is_normalised():
    assert BoundingBoxCoordinates.from_pixels((64, 48, 320, 240), 640, 480) == BoundingBoxCoordinates(
        height=0.5, width=0.5, top_left_x=0.1, top_left_y=0.1
    )
    with pytest.raises(LabelRowError, match="needs 4 numbers, got 3"):
        BoundingBoxCoordinates.from_pixels((1, 2, 3), 640, 480)
    with pytest.raises(LabelRowError, match=r"from_pixels: \(600, 0, 100, 10\) reaches outside the 640 x 480 image"):
        BoundingBoxCoordinates.from_pixels((600, 0, 100, 10), 640, 480)


def test_polygon_with_holes_and_parts():
    outer = [P(0, 0), P(1, 0), P(1, 1), P(0, 1)]
    hole = [P(0.4, 0.4), P(0.6, 0.4), P(0.5, 0.6)]
    second = [P(0, 0), P(0.1, 0), P(0, 0.1)]
    poly = PolygonCoordinates(polygons=[[outer, hole], [second]])
    assert poly.values == tuple(outer)
    assert len(poly.polygons) == 2 and len(poly.polygons[0]) == 2
    assert poly == PolygonCoordinates(polygons=[[outer, hole], [second]])
    assert PolygonCoordinates.from_pixels(poly.to_pixels(10, 20), 10, 20) == poly
    assert PolylineCoordinates.from_pixels([(0, 0), (5, 10)], 10, 20) == PolylineCoordinates([P(0, 0), P(0.5, 0.5)])


def test_skeleton_to_pixels():
    s = SkeletonCoordinates([SkeletonCoordinate(0.5, 0.25, "head", "visible")], name="person")
    assert s.to_pixels(100, 200) == {"head": (50.0, 50.0)}


@given(arrays(np.bool_, st.tuples(st.integers(1, 12), st.integers(1, 12))))
def test_bitmask_rle_round_trip(mask):
    b = BitmaskCoordinates(mask)
    assert (b.to_array() == mask).all()
    assert b.area() == int(mask.sum())
    assert int(b.counts.sum()) == mask.size
    assert b == BitmaskCoordinates.from_rle(b.counts, *mask.shape)
    assert hash(b) == hash(BitmaskCoordinates(mask.astype(np.uint8)))


def test_bitmask_uses_coco_column_major_rle():
    # pycocotools encodes [[0, 1], [1, 1]] read column by column: 0,1 | 1,1 -> counts [1, 3]
    assert BitmaskCoordinates(np.array([[0, 1], [1, 1]], bool)).counts.tolist() == [1, 3]
    assert BitmaskCoordinates(np.ones((2, 2), bool)).counts.tolist() == [0, 4]
    with pytest.raises(AttributeError):
        BitmaskCoordinates(np.ones((2, 2), bool)).height = 3
