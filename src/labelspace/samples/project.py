"""The sample project ``labelspace demo`` opens: drawn street images, an ontology of every kind, labels to review.

``street_project(folder)`` draws the images into ``folder/images/`` and returns a ``Project``
whose spaces name them relative to ``folder``:

- ``street-1.png``: labelled by a person, one object of every shape, answers to every kind of
  attribute (nested radio options included) and every kind of classification.
- ``street-2.png``: predictions only (``manual_annotation=False``, each with its confidence), one
  of them wrong, to review.
- ``street-3.png``: nothing labelled yet.
- ``crossing``: a data group of two images side by side (``left`` and ``right`` cameras); one
  car is the same instance on both, the right camera's boxes are predictions.

Nothing is downloaded: the images are drawn by ``labelspace.samples.street`` from fixed seeds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image

from labelspace.model.coordinates import BoundingBoxCoordinates, GeometricCoordinates
from labelspace.model.instances import ObjectInstance
from labelspace.model.label_row import LabelRow
from labelspace.model.ontology import (
    ChecklistAttribute,
    Classification,
    NumericAttribute,
    Object,
    Ontology,
    Option,
    RadioAttribute,
    Shape,
    TextAttribute,
)
from labelspace.model.project import Project
from labelspace.model.spaces import ImageSpace
from labelspace.samples.street import PEDESTRIAN, Scene, draw_street

IMAGES = "images"
"""The folder, inside the project's folder, that holds the drawn images."""

PERSON = "ann@labelspace.dev"
DETECTOR = "detector-v0.3"

# The scenes, by file name.
_SCENES: dict[str, Callable[[], Scene]] = {
    "street-1.png": partial(draw_street, 1, cars=3, bus=True, lights=1, pedestrians=1, tree=True),
    "street-2.png": partial(draw_street, 2, cars=4, bus=False, lights=2, pedestrians=2, tree=True),
    "street-3.png": partial(draw_street, 3, cars=2, bus=True, lights=1, pedestrians=1, tree=False),
    "crossing-left.png": partial(draw_street, 4, cars=2, bus=False, lights=1, pedestrians=1, tree=True),
    "crossing-right.png": partial(draw_street, 5, cars=3, bus=True, lights=1, pedestrians=0, tree=False),
}


def street_ontology() -> Ontology:
    """An ontology with an object of every shape and every kind of attribute and classification.

    Objects: ``car`` (bounding box; a text ``make``, a dynamic radio ``occlusion`` answered per
    frame on videos, a radio ``use`` whose options nest further attributes two levels deep, a
    numeric ``passengers`` and a checklist ``lights on``), ``bus`` (rotatable bounding box),
    ``road`` (polygon), ``lane marking`` (polyline), ``traffic light`` (point), ``pedestrian``
    (skeleton, from ``street.PEDESTRIAN``) and ``tree`` (bitmask). Classifications: ``weather``
    (radio, with a nested ``intensity``), ``visibility (m)`` (numeric), and two that describe a
    whole image: ``scene`` (checklist) and ``notes`` (text).
    """
    ontology = Ontology()
    car = ontology.add_object("car", Shape.BOUNDING_BOX)
    car.add_attribute(TextAttribute, "make")
    occlusion = car.add_attribute(RadioAttribute, "occlusion", dynamic=True)
    for label in ("visible", "partly hidden", "hidden"):
        occlusion.add_option(label)
    use = car.add_attribute(RadioAttribute, "use")
    private = use.add_option("private")
    body = private.add_nested_attribute(RadioAttribute, "body")
    body.add_option("saloon")
    estate = body.add_option("estate")
    rack = estate.add_nested_attribute(RadioAttribute, "roof rack")
    rack.add_option("yes")
    rack.add_option("no")
    body.add_option("hatchback")
    taxi = use.add_option("taxi")
    taxi.add_nested_attribute(TextAttribute, "company")
    use.add_option("police")
    car.add_attribute(NumericAttribute, "passengers")
    lights_on = car.add_attribute(ChecklistAttribute, "lights on")
    for label in ("headlights", "indicator", "brake lights"):
        lights_on.add_option(label)

    bus = ontology.add_object("bus", Shape.ROTATABLE_BOUNDING_BOX)
    bus.add_attribute(NumericAttribute, "line")
    bus.add_attribute(TextAttribute, "destination")
    road = ontology.add_object("road", Shape.POLYGON)
    surface = road.add_attribute(RadioAttribute, "surface")
    for label in ("asphalt", "cobbles", "gravel"):
        surface.add_option(label)
    lane = ontology.add_object("lane marking", Shape.POLYLINE)
    style = lane.add_attribute(RadioAttribute, "style")
    style.add_option("dashed")
    style.add_option("solid")
    light = ontology.add_object("traffic light", Shape.POINT)
    lamp = light.add_attribute(RadioAttribute, "lit")
    for label in ("red", "amber", "green"):
        lamp.add_option(label)
    pedestrian = ontology.add_object("pedestrian", Shape.SKELETON, skeleton=PEDESTRIAN)
    activity = pedestrian.add_attribute(RadioAttribute, "activity")
    for label in ("walking", "standing", "crossing"):
        activity.add_option(label)
    ontology.add_object("tree", Shape.BITMASK)

    weather = ontology.add_classification().add_attribute(RadioAttribute, "weather")
    weather.add_option("sunny")
    weather.add_option("cloudy")
    rain = weather.add_option("rain")
    intensity = rain.add_nested_attribute(RadioAttribute, "intensity")
    intensity.add_option("light")
    intensity.add_option("heavy")
    ontology.add_classification().add_attribute(NumericAttribute, "visibility (m)")
    scene = ontology.add_classification(is_global=True).add_attribute(ChecklistAttribute, "scene")
    for label in ("urban", "residential", "highway", "night"):
        scene.add_option(label)
    ontology.add_classification(is_global=True).add_attribute(TextAttribute, "notes")
    return ontology


def draw_images(folder: str | os.PathLike[str], *, missing_only: bool = False) -> dict[str, Scene]:
    """Draw the sample images into ``folder/images/`` as PNG files.

    Args:
        folder: The project's folder.
        missing_only: Write only the images that are not there (the drawing is the same each time).

    Returns:
        Each scene by its file name.
    """
    images = Path(folder) / IMAGES
    images.mkdir(parents=True, exist_ok=True)
    scenes = {}
    for name, draw in _SCENES.items():
        scene = scenes[name] = draw()
        path = images / name
        if not (missing_only and path.exists()):
            Image.fromarray(scene.image).save(path)
    return scenes


def street_project(folder: str | os.PathLike[str]) -> Project:
    """Draw the sample images into ``folder/images/`` and return the project that labels them.

    The spaces' media paths are relative to ``folder`` (``images/street-1.png``), so the project
    is meant to be saved in ``folder`` (``project.save(folder / "project.json")``).
    """
    scenes = draw_images(folder)
    ontology = street_ontology()
    project = Project(ontology)
    rng = np.random.default_rng(0)

    def media(name: str) -> str:
        return f"{IMAGES}/{name}"

    row = LabelRow(ontology)
    _label_by_hand(_space(row, "street-1.png", scenes["street-1.png"]), scenes["street-1.png"], ontology)
    project.add_row(row, media={"street-1.png": media("street-1.png")})

    row = LabelRow(ontology)
    _predict(_space(row, "street-2.png", scenes["street-2.png"]), scenes["street-2.png"], ontology, rng)
    project.add_row(row, media={"street-2.png": media("street-2.png")})

    row = LabelRow(ontology)
    _space(row, "street-3.png", scenes["street-3.png"])
    project.add_row(row, media={"street-3.png": media("street-3.png")})

    row = LabelRow(ontology)
    left = _space(row, "left", scenes["crossing-left.png"])
    right = _space(row, "right", scenes["crossing-right.png"])
    _label_group(left, scenes["crossing-left.png"], right, scenes["crossing-right.png"], ontology, rng)
    project.add_row(row, media={"left": media("crossing-left.png"), "right": media("crossing-right.png")})
    return project


def _space(row: LabelRow, space_id: str, scene: Scene) -> ImageSpace:
    return row.add_image_space(space_id, scene.width, scene.height)


def _classification(ontology: Ontology, title: str) -> Classification:
    return next(c for c in ontology.classifications if c.title == title)


def _label_by_hand(space: ImageSpace, scene: Scene, ontology: Ontology) -> None:
    """Every shape, every kind of answer, put by a person."""
    car = ontology.get_child_by_title("car", Object)
    use = ontology.get_child_by_title("use", RadioAttribute)
    body = ontology.get_child_by_title("body", RadioAttribute)
    rack = ontology.get_child_by_title("roof rack", RadioAttribute)
    company = ontology.get_child_by_title("company", TextAttribute)
    lights_on = ontology.get_child_by_title("lights on", ChecklistAttribute)
    for i, box in enumerate(scene.cars):
        instance = car.create_instance()
        instance.set_answer(("Volvo", "Fiat", "Toyota")[i % 3], ontology.get_child_by_title("make", TextAttribute))
        if i == 0:
            instance.set_answer(use.options[0])  # private, an estate with a roof rack: two levels of nesting
            instance.set_answer(body.options[1])
            instance.set_answer(rack.options[0])
        elif i == 1:
            instance.set_answer(use.options[1])  # a taxi, with its company
            instance.set_answer("City Cabs", company)
        instance.set_answer(1 + i, ontology.get_child_by_title("passengers", NumericAttribute))
        instance.set_answer([lights_on.options[0]] if i % 2 == 0 else [lights_on.options[0], lights_on.options[2]])
        space.put_object_instance(instance, box, created_by=PERSON)
    if scene.bus is not None:
        bus = ontology.get_child_by_title("bus", Object).create_instance()
        bus.set_answer(42, ontology.get_child_by_title("line", NumericAttribute))
        bus.set_answer("Central Station", ontology.get_child_by_title("destination", TextAttribute))
        space.put_object_instance(bus, scene.bus, created_by=PERSON)
    road = ontology.get_child_by_title("road", Object).create_instance()
    road.set_answer(ontology.get_child_by_title("surface", RadioAttribute).options[0])
    space.put_object_instance(road, scene.road, created_by=PERSON)
    dashed = ontology.get_child_by_title("style", RadioAttribute).options[0]
    for line in scene.lanes:
        lane = ontology.get_child_by_title("lane marking", Object).create_instance()
        lane.set_answer(dashed)
        space.put_object_instance(lane, line, created_by=PERSON)
    lit = ontology.get_child_by_title("lit", RadioAttribute)
    for point, colour in zip(scene.lights, scene.light_colours, strict=True):
        light = ontology.get_child_by_title("traffic light", Object).create_instance()
        light.set_answer(next(o for o in lit.options if o.label == colour))
        space.put_object_instance(light, point, created_by=PERSON)
    activity = ontology.get_child_by_title("activity", RadioAttribute)
    for skeleton in scene.pedestrians:
        person = ontology.get_child_by_title("pedestrian", Object).create_instance()
        person.set_answer(activity.options[0])
        space.put_object_instance(person, skeleton, created_by=PERSON)
    if scene.tree is not None:
        space.put_object_instance(
            ontology.get_child_by_title("tree", Object).create_instance(), scene.tree, created_by=PERSON
        )

    weather = _classification(ontology, "weather").create_instance()
    weather.set_answer(ontology.get_child_by_title("weather", RadioAttribute).options[0])
    space.put_classification_instance(weather, created_by=PERSON)
    visibility = _classification(ontology, "visibility (m)").create_instance()
    visibility.set_answer(800)
    space.put_classification_instance(visibility, created_by=PERSON)
    scene_tags = ontology.get_child_by_title("scene", ChecklistAttribute)
    tags = _classification(ontology, "scene").create_instance()
    tags.set_answer([scene_tags.options[0], scene_tags.options[1]])
    space.put_classification_instance(tags, created_by=PERSON)
    notes = _classification(ontology, "notes").create_instance()
    notes.set_answer("The bus stands at an angle: its box is turned with it.")
    space.put_classification_instance(notes, created_by=PERSON)


def _predict(space: ImageSpace, scene: Scene, ontology: Ontology, rng: np.random.Generator) -> None:
    """What a detector found: every annotation a prediction with its confidence, one of them wrong."""

    def put(instance: ObjectInstance, coordinates: GeometricCoordinates, confidence: float | None = None) -> None:
        if confidence is None:
            confidence = round(float(rng.uniform(0.55, 0.98)), 2)
        space.put_object_instance(
            instance, coordinates, created_by=DETECTOR, manual_annotation=False, confidence=confidence
        )

    car = ontology.get_child_by_title("car", Object)
    for box in scene.cars:
        put(car.create_instance(), box)
    # A lit window taken for a car: a low-confidence mistake for the reviewer to reject.
    put(car.create_instance(), BoundingBoxCoordinates(height=0.05, width=0.06, top_left_x=0.3, top_left_y=0.3), 0.31)
    put(ontology.get_child_by_title("road", Object).create_instance(), scene.road)
    for line in scene.lanes:
        put(ontology.get_child_by_title("lane marking", Object).create_instance(), line)
    lit = ontology.get_child_by_title("lit", RadioAttribute)
    for point, colour in zip(scene.lights, scene.light_colours, strict=True):
        light = ontology.get_child_by_title("traffic light", Object).create_instance()
        light.set_answer(next(o for o in lit.options if o.label == colour))
        put(light, point)
    for skeleton in scene.pedestrians:
        put(ontology.get_child_by_title("pedestrian", Object).create_instance(), skeleton)
    if scene.tree is not None:
        put(ontology.get_child_by_title("tree", Object).create_instance(), scene.tree)
    weather = _classification(ontology, "weather").create_instance()
    weather.set_answer(ontology.get_child_by_title("weather", RadioAttribute).options[1])
    space.put_classification_instance(weather, created_by=DETECTOR, manual_annotation=False, confidence=0.7)


def _label_group(
    left: ImageSpace,
    left_scene: Scene,
    right: ImageSpace,
    right_scene: Scene,
    ontology: Ontology,
    rng: np.random.Generator,
) -> None:
    """Two cameras: the nearest car is one instance seen by both; the right camera's boxes are predictions."""
    car = ontology.get_child_by_title("car", Object)
    make = ontology.get_child_by_title("make", TextAttribute)
    shared = car.create_instance()
    shared.set_answer("Volvo", make)
    left.put_object_instance(shared, left_scene.cars[-1], created_by=PERSON)
    right.put_object_instance(
        shared, right_scene.cars[-1], created_by=DETECTOR, manual_annotation=False, confidence=0.88
    )
    for box in left_scene.cars[:-1]:
        left.put_object_instance(car.create_instance(), box, created_by=PERSON)
    for box in right_scene.cars[:-1]:
        confidence = round(float(rng.uniform(0.5, 0.95)), 2)
        right.put_object_instance(
            car.create_instance(), box, created_by=DETECTOR, manual_annotation=False, confidence=confidence
        )
    if right_scene.bus is not None:
        bus = ontology.get_child_by_title("bus", Object).create_instance()
        right.put_object_instance(bus, right_scene.bus, created_by=DETECTOR, manual_annotation=False, confidence=0.74)
    for skeleton in left_scene.pedestrians:
        person = ontology.get_child_by_title("pedestrian", Object).create_instance()
        person.set_answer(ontology.get_child_by_title("activity", RadioAttribute).options[2])
        left.put_object_instance(person, skeleton, created_by=PERSON)
    weather = _classification(ontology, "weather").create_instance()
    weather.set_answer(ontology.get_child_by_title("rain", Option))
    weather.set_answer(ontology.get_child_by_title("intensity", RadioAttribute).options[0])
    left.put_classification_instance(weather, created_by=PERSON)
