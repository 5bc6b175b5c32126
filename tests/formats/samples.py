"""Projects that exercise every format: images with every shape, and a video with tracks and answers."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np

from labelspace import (
    BitmaskCoordinates,
    BoundingBoxCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
    Project,
    Range,
    RotatableBoundingBoxCoordinates,
    SkeletonCoordinate,
    SkeletonCoordinates,
)
from tests.conftest import World

P = PointCoordinate
WHEN = datetime(2025, 6, 7, 8, 9, 10, 123456, tzinfo=timezone.utc)


def _shapes(world: World) -> list[tuple[object, object]]:
    return [
        (world.box, BoundingBoxCoordinates(height=0.25, width=0.5, top_left_x=0.125, top_left_y=0.25)),
        (world.rotated, RotatableBoundingBoxCoordinates(0.2, 0.2, 0.3, 0.3, 30.0)),
        (world.polygon, PolygonCoordinates(values=[P(0.1, 0.1), P(0.6, 0.1), P(0.4, 0.5)])),
        (
            world.polygon,
            PolygonCoordinates(
                polygons=[[[P(0, 0), P(1, 0), P(1, 1), P(0, 1)], [P(0.4, 0.4), P(0.6, 0.4), P(0.5, 0.6)]]]
            ),
        ),
        (world.polyline, PolylineCoordinates([P(0, 0), P(0.5, 0.5), P(0.7, 0.2)])),
        (world.point, P(0.25, 0.75)),
        (world.mask, BitmaskCoordinates(np.eye(48, 64, dtype=bool))),
        (
            world.skeleton,
            SkeletonCoordinates(
                [SkeletonCoordinate(0.1, 0.2, "head", "visible"), SkeletonCoordinate(0.1, 0.4, "neck", "occluded")]
            ),
        ),
    ]


def image_project(world: World | None = None) -> Project:
    """Two rows of images (one a two-image group) with every shape, answers, classifications and metadata."""
    world = world or World()
    project = Project(world.ontology)
    row = world.row()
    first = row.add_image_space("street", 64, 48)
    for obj, coordinates in _shapes(world):
        instance = obj.create_instance()
        if obj is world.box:
            instance.set_answer(world.red)
            instance.set_answer("dark", world.shade)
            instance.set_answer("Volvo", world.make)
        first.put_object_instance(instance, coordinates, created_at=WHEN, created_by="ann@example.org", confidence=0.75)
    weather = world.weather.create_instance()
    weather.set_answer(world.rain)
    first.put_classification_instance(weather, created_by="rev@example.org")
    second = row.add_image_space("yard", 64, 48)
    second.put_object_instance(
        world.box.create_instance(),
        BoundingBoxCoordinates(height=0.5, width=0.5, top_left_x=0.0, top_left_y=0.0),
        manual_annotation=False,
        confidence=0.5,
    )
    project.add_row(row, media={"street": "images/street.jpg", "yard": "images/yard.png"})
    other = world.row()
    other.add_image_space("empty", 32, 32)
    project.add_row(other, media="images/empty.jpg")
    return project


def video_project(world: World | None = None) -> Project:
    """One video with box tracks, dynamic answers, frame and global classifications, and other shapes."""
    world = world or World()
    project = Project(world.ontology)
    row = world.row()
    video = row.add_video_space("clip", 20, 64, 48, fps=10)
    car = world.box.create_instance()
    car.set_answer(world.blue)
    video.put_object_instance(
        car, Range(0, 9), BoundingBoxCoordinates(0.25, 0.5, 0.125, 0.25), created_at=WHEN, created_by="a@x.org"
    )
    video.put_object_track(
        car,
        np.arange(12, 16),
        np.column_stack([np.linspace(0, 0.4, 4), np.full(4, 0.1), np.full(4, 0.2), np.full(4, 0.2)]),
    )
    video.set_dynamic_answer(car, Range(0, 4), world.hidden)
    video.set_dynamic_answer(car, Range(5, 15), world.visible)
    video.set_dynamic_answer(car, Range(2, 3), "dent", world.note)
    video.set_dynamic_answer(car, 13, 12.5, world.speed)
    for obj, coordinates in _shapes(world)[1:]:
        video.put_object_instance(obj.create_instance(), [3, 7, 8], coordinates, confidence=0.9)
    weather = world.weather.create_instance()
    weather.set_answer(world.sunny)
    video.put_classification_instance(weather, Range(5, 12), confidence=0.5)
    scene = world.scene.create_instance()
    scene.set_answer("motorway")
    video.put_classification_instance(scene)
    project.add_row(row, media={"clip": "videos/clip.mp4"})
    return project
