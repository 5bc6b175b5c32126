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


def _rle(mask: np.ndarray, compressed: bool) -> dict:
    """A COCO RLE of a mask, as pycocotools writes it (compressed text) or uncompressed counts."""
    import pycocotools.mask as mask_api

    if compressed:
        rle = mask_api.encode(np.asfortranarray(mask.astype(np.uint8)))
        return {"size": [int(v) for v in rle["size"]], "counts": rle["counts"].decode("ascii")}
    flat = mask.ravel(order="F").astype(np.int8)
    changes = np.flatnonzero(np.diff(flat)) + 1
    bounds = np.concatenate(([0], changes, [flat.size]))
    counts = np.diff(bounds).tolist()
    if flat[0]:
        counts = [0, *counts]
    return {"size": list(mask.shape), "counts": counts}


def coco_person_layout() -> dict:
    """COCO laid out as the 2017 release lays out ``person`` (polygons, crowd RLE, keypoints), box-only and raw RLE."""
    h, w = 48, 64
    crowd = np.zeros((h, w), bool)
    crowd[30:45, 5:60] = True
    blob = np.zeros((h, w), bool)
    blob[2:10, 40:50] = True
    return {
        "info": {"description": "shaped like COCO 2017", "year": 2017},
        "licenses": [{"id": 1, "name": "CC BY 4.0", "url": ""}],
        "images": [
            {"id": 397133, "file_name": "000000397133.jpg", "width": w, "height": h, "license": 1},
            {"id": 37777, "file_name": "000000037777.jpg", "width": w, "height": h, "license": 1},
        ],
        "categories": [
            {
                "supercategory": "person",
                "id": 1,
                "name": "person",
                "keypoints": ["nose", "left_eye", "right_eye"],
                "skeleton": [[1, 2], [1, 3]],
            },
            {"supercategory": "vehicle", "id": 3, "name": "car"},
            {"supercategory": "outdoor", "id": 10, "name": "traffic light"},
        ],
        "annotations": [
            {
                "id": 1,
                "image_id": 397133,
                "category_id": 1,
                "segmentation": [[10.0, 5.0, 20.0, 5.0, 20.0, 25.0, 10.0, 25.0]],
                "area": 200.0,
                "bbox": [10.0, 5.0, 10.0, 20.0],
                "iscrowd": 0,
                "keypoints": [15, 7, 2, 13, 6, 1, 0, 0, 0],
                "num_keypoints": 2,
            },
            {
                "id": 2,
                "image_id": 397133,
                "category_id": 1,
                "segmentation": _rle(crowd, compressed=True),
                "area": float(crowd.sum()),
                "bbox": [5.0, 30.0, 55.0, 15.0],
                "iscrowd": 1,
                "keypoints": [0] * 9,
                "num_keypoints": 0,
            },
            {"id": 3, "image_id": 37777, "category_id": 3, "bbox": [1.5, 2.5, 30.0, 20.0], "area": 600.0, "iscrowd": 0},
            {
                "id": 4,
                "image_id": 37777,
                "category_id": 3,
                "segmentation": [[40, 30, 60, 30, 60, 40], [5, 40, 15, 40, 10, 47]],
                "bbox": [5, 30, 55, 17],
                "area": 150.0,
                "iscrowd": 0,
            },
            {
                "id": 5,
                "image_id": 37777,
                "category_id": 10,
                "segmentation": _rle(blob, compressed=False),
                "bbox": [40, 2, 10, 8],
                "area": 80.0,
                "iscrowd": 0,
            },
        ],
    }


def coco_results() -> tuple[dict, list]:
    """A small COCO dataset and a results file of detections on it (boxes and masks with scores), as detectors write."""
    h, w = 48, 64
    dataset = {
        "images": [
            {"id": 1, "file_name": "a.jpg", "width": w, "height": h},
            {"id": 2, "file_name": "b.jpg", "width": w, "height": h},
        ],
        "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
        "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 10], "area": 100, "iscrowd": 0}],
    }
    mask = np.zeros((h, w), bool)
    mask[10:20, 10:30] = True
    results = [
        {"image_id": 1, "category_id": 1, "bbox": [1.2, 2.1, 9.5, 10.25], "score": 0.91},
        {"image_id": 2, "category_id": 2, "bbox": [30.0, 5.0, 20.0, 15.0], "score": 0.35},
        {
            "image_id": 2,
            "category_id": 1,
            "segmentation": _rle(mask, compressed=True),
            "bbox": [10, 10, 20, 10],
            "score": 0.77,
        },
    ]
    return dataset, results


def cvat_video_file() -> str:
    """A CVAT for video export shaped as CVAT writes it: a job's meta, tracks with keyframes, outside, attributes."""
    return """<?xml version="1.0" encoding="utf-8"?>
<annotations>
  <version>1.1</version>
  <meta>
    <job>
      <id>7</id>
      <size>10</size>
      <mode>interpolation</mode>
      <overlap>5</overlap>
      <start_frame>0</start_frame>
      <stop_frame>9</stop_frame>
      <labels>
        <label><name>car</name><color>#fa3253</color><type>rectangle</type><attributes>
          <attribute><name>parked</name><mutable>True</mutable><input_type>checkbox</input_type>
            <default_value>false</default_value><values>false\ntrue</values></attribute>
        </attributes></label>
        <label><name>lane</name><color>#33ddff</color><type>polyline</type><attributes></attributes></label>
      </labels>
    </job>
    <original_size><width>64</width><height>48</height></original_size>
    <dumped>2024-05-06 07:08:09.000000+00:00</dumped>
  </meta>
  <track id="0" label="car" source="manual">
    <box frame="0" keyframe="1" outside="0" occluded="0" xtl="1.00" ytl="2.00" xbr="21.00" ybr="12.00" z_order="0">
      <attribute name="parked">false</attribute>
    </box>
    <box frame="4" keyframe="1" outside="0" occluded="0" xtl="11.00" ytl="2.00" xbr="31.00" ybr="12.00" z_order="0">
      <attribute name="parked">true</attribute>
    </box>
    <box frame="7" keyframe="1" outside="1" occluded="0" xtl="11.00" ytl="2.00" xbr="31.00" ybr="12.00" z_order="0">
      <attribute name="parked">true</attribute>
    </box>
  </track>
  <track id="1" label="lane" source="manual">
    <polyline frame="2" keyframe="1" outside="0" occluded="0" points="0.00,40.00;63.00,30.00" z_order="0"></polyline>
    <polyline frame="6" keyframe="1" outside="0" occluded="0" points="0.00,44.00;63.00,34.00" z_order="0"></polyline>
  </track>
</annotations>
"""
