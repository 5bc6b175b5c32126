"""The headless demo behind ``labelspace summary``: label an image and a long video, save, reload."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labelspace.model.coordinates import (
    BoundingBoxCoordinates,
    PointCoordinate,
    PolygonCoordinates,
    PolylineCoordinates,
)
from labelspace.model.frames import Range
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import ChecklistAttribute, Classification, Object, Ontology, RadioAttribute
from labelspace.model.spaces import ImageSpace, VideoSpace
from labelspace.samples import traffic_ontology


@dataclass(frozen=True)
class SpaceSummary:
    """Counts for one space."""

    space_id: str
    kind: str
    frames: int
    objects: int
    object_frames: int
    classifications: int
    classification_frames: int
    dynamic_answer_frames: int


def summarise(row: LabelRow) -> list[SpaceSummary]:
    """Count instances and annotated frames in each space of a row."""
    out = []
    for space in row.list_spaces():
        object_frames = sum(sum(len(r) for r in space.get_object_frames(o)) for o in space.get_object_instances())
        classification_frames = sum(
            sum(len(r) for r in space.get_classification_frames(c)) or space.number_of_frames
            for c in space.get_classification_instances()
        )
        dynamic = 0
        if isinstance(space, VideoSpace):
            for o in space.get_object_instances():
                for attribute in o.ontology_item.attributes:
                    if attribute.dynamic:
                        answers = space.get_dynamic_answer(o, Range(0, space.number_of_frames - 1), attribute)
                        dynamic += sum(len(r) for a in answers for r in a.ranges)
        out.append(
            SpaceSummary(
                space.space_id,
                space.kind,
                space.number_of_frames,
                len(space.get_object_instances()),
                object_frames,
                len(space.get_classification_instances()),
                classification_frames,
                dynamic,
            )
        )
    return out


def _label_image(space: ImageSpace, ontology: Ontology, rng: np.random.Generator) -> None:
    car = ontology.get_child_by_title("car", Object)
    pedestrian = ontology.get_child_by_title("pedestrian", Object)
    road = ontology.get_child_by_title("road", Object)
    lane = ontology.get_child_by_title("lane", Object)
    for i in range(3):
        instance = car.create_instance()
        instance.set_answer(["Volvo", "Fiat", "Tesla"][i])
        x, y = 0.1 + 0.28 * i, 0.55 + 0.05 * rng.random()
        space.put_object_instance(
            instance,
            BoundingBoxCoordinates.from_pixels((x * 1280, y * 720, 200, 110), 1280, 720),
            created_by="demo@labelspace.dev",
            confidence=0.9 + 0.03 * i,
        )
    for x in (0.2, 0.7):
        space.put_object_instance(pedestrian.create_instance(), PointCoordinate(x, 0.6))
    space.put_object_instance(
        road.create_instance(),
        PolygonCoordinates(
            values=[
                PointCoordinate(0, 1),
                PointCoordinate(0.45, 0.5),
                PointCoordinate(0.55, 0.5),
                PointCoordinate(1, 1),
            ]
        ),
    )
    space.put_object_instance(
        lane.create_instance(), PolylineCoordinates([PointCoordinate(0.5, 1), PointCoordinate(0.5, 0.5)])
    )
    weather = ontology.get_child_by_title("weather", RadioAttribute)
    sunny = next(c for c in ontology.classifications if c.attributes[0] is weather).create_instance()
    sunny.set_answer(weather.options[0])
    space.put_classification_instance(sunny, created_by="demo@labelspace.dev")


def _label_video(space: VideoSpace, ontology: Ontology, rng: np.random.Generator, tracks: int) -> None:
    car = ontology.get_child_by_title("car", Object)
    occlusion = ontology.get_child_by_title("occlusion", RadioAttribute)
    n = space.number_of_frames
    for t in range(tracks):
        instance = car.create_instance()
        instance.set_answer(["Volvo", "Fiat", "Tesla", "Toyota"][t % 4])
        length = int(rng.integers(n // 20, n // 3))
        start = int(rng.integers(0, n - length))
        frames = np.arange(start, start + length)
        phase = np.linspace(0, 2 * np.pi, length)
        w, h = 0.08 + 0.04 * rng.random(), 0.06 + 0.03 * rng.random()
        x = (0.45 + 0.4 * np.sin(phase + t)) * (1 - w)
        y = (0.5 + 0.3 * np.cos(phase * 0.5 + t)) * (1 - h)
        rows = np.column_stack([x, y, np.full(length, w), np.full(length, h)])
        space.put_object_track(
            instance, frames, rows, created_by="tracker@labelspace.dev", manual_annotation=False, confidence=0.8
        )
        cut = start + length // 2
        space.set_dynamic_answer(instance, Range(start, cut), occlusion.options[0])
        space.set_dynamic_answer(instance, Range(cut + 1, start + length - 1), occlusion.options[1])
    weather = ontology.get_child_by_title("weather", RadioAttribute)
    weather_class = next(c for c in ontology.classifications if c.attributes[0] is weather)
    for option, (a, b) in zip(weather.options, ((0, 0.4), (0.4, 0.7), (0.7, 1.0)), strict=True):
        period = weather_class.create_instance()
        period.set_answer(option)
        space.put_classification_instance(period, Range(int(a * n), int(b * n) - 1))
    scene = ontology.get_child_by_title("scene", ChecklistAttribute)
    scene_class = ontology.get_child_by_hash("scene001", Classification)
    tags = scene_class.create_instance()
    tags.set_answer([scene.options[0], scene.options[1]])
    space.put_classification_instance(tags)


@dataclass(frozen=True)
class DemoResult:
    """What the demo did."""

    path: Path
    bytes: int
    label_seconds: float
    save_seconds: float
    load_seconds: float
    round_trip_equal: bool
    summary: list[SpaceSummary]


def run_demo(out_dir: Path, frames: int = 10_000, tracks: int = 20, seed: int = 0) -> DemoResult:
    """Label the bundled sample, save it to ``out_dir/labels.json``, reload it and compare."""
    rng = np.random.default_rng(seed)
    ontology = traffic_ontology()
    t0 = time.perf_counter()
    row = LabelRow(ontology)
    _label_image(row.add_image_space("street.jpg", 1280, 720), ontology, rng)
    _label_video(row.add_video_space("dashcam.mp4", frames, 1920, 1080, fps=25), ontology, rng, tracks)
    t1 = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "labels.json"
    row.save(path)
    t2 = time.perf_counter()
    loaded = LabelRow.load(path)
    t3 = time.perf_counter()
    return DemoResult(
        path, path.stat().st_size, t1 - t0, t2 - t1, t3 - t2, loaded.to_dict() == row.to_dict(), summarise(loaded)
    )
