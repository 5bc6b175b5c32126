"""Drawn street scenes: the same seed draws the same image, and the geometry sits on what was drawn."""

import numpy as np
import pytest

from labelspace import BoundingBoxCoordinates, SkeletonCoordinates
from labelspace.samples.street import PEDESTRIAN, draw_street


def test_the_same_seed_draws_the_same_scene():
    a, b = draw_street(7), draw_street(7)
    assert np.array_equal(a.image, b.image)
    assert a.cars == b.cars and a.road == b.road and a.tree == b.tree
    assert not np.array_equal(a.image, draw_street(8).image)


@pytest.mark.parametrize(
    ("kwargs", "cars", "bus", "lights", "pedestrians", "tree"),
    [
        ({}, 3, True, 1, 1, True),
        ({"cars": 5, "bus": False, "lights": 2, "pedestrians": 2, "tree": False}, 5, False, 2, 2, False),
        ({"cars": 0, "lights": 0, "pedestrians": 0}, 0, True, 0, 0, True),
    ],
)
def test_what_is_asked_for_is_drawn(kwargs, cars, bus, lights, pedestrians, tree):
    scene = draw_street(1, width=320, height=180, **kwargs)
    assert scene.image.shape == (180, 320, 3) and scene.image.dtype == np.uint8
    assert (scene.width, scene.height) == (320, 180)
    assert len(scene.cars) == cars and (scene.bus is not None) == bus
    assert len(scene.lights) == len(scene.light_colours) == lights
    assert set(scene.light_colours) <= {"red", "amber", "green"}
    assert len(scene.pedestrians) == pedestrians and (scene.tree is not None) == tree
    assert len(scene.lanes) == 2


def test_geometry_sits_on_its_pixels():
    scene = draw_street(1)
    h, w = scene.image.shape[:2]
    sky = scene.image[5, w // 2]
    for box in scene.cars:
        assert isinstance(box, BoundingBoxCoordinates)
        x, y, bw, bh = (int(v) for v in box.to_pixels(w, h))
        inside = scene.image[y : y + bh, x : x + bw].reshape(-1, 3)
        assert (np.abs(inside.astype(int) - [72, 72, 78]).sum(axis=1) > 30).mean() > 0.5  # mostly not road
    mask = scene.tree.to_array()
    assert mask.shape == (h, w) and mask.any()
    leaves = scene.image[mask].astype(int)
    assert (leaves[:, 1] > leaves[:, 0]).all() and (leaves[:, 1] > leaves[:, 2]).all()  # green
    for person in scene.pedestrians:
        assert isinstance(person, SkeletonCoordinates)
        assert [n.name for n in person.values] == PEDESTRIAN.names
    assert not np.array_equal(sky, scene.image[h - 5, w // 2])
