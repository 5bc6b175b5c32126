import numpy as np
import pytest

from labelspace import ClassificationInstance, LabelRowError, ObjectInstance


def test_static_answers_of_every_kind(world):
    car = world.box.create_instance()
    assert car.get_answer(world.colour) is None and car.get_answer(world.make) is None
    car.set_answer(world.red)  # radio: inferred from the option
    car.set_answer("crimson", world.shade)
    car.set_answer("Volvo", world.make)
    assert car.get_answer(world.colour) is world.red
    assert car.get_answer(world.shade) == "crimson"
    car.delete_answer(world.make)
    assert car.get_answer(world.make) is None
    assert car.object_hash and car.ontology_item is world.box and car.feature_hash == "box00001"
    assert isinstance(car, ObjectInstance)


def test_nested_answers_follow_their_option(world):
    car = world.box.create_instance()
    with pytest.raises(LabelRowError, match="nested under option 'red' of 'colour'; choose that option first"):
        car.set_answer("crimson", world.shade)
    car.set_answer(world.red)
    car.set_answer("crimson", world.shade)
    car.set_answer(world.blue, overwrite=True)
    assert car.get_answer(world.shade) is None  # its option is no longer chosen
    car.set_answer(world.red, overwrite=True)
    assert car.get_answer(world.shade) == "crimson"  # nothing was lost


def test_classification_instance_answers(world):
    weather = world.weather.create_instance()
    assert isinstance(weather, ClassificationInstance)
    assert not weather.is_global() and world.scene.create_instance().is_global()
    weather.set_answer(world.sunny)
    assert weather.get_answer() is world.sunny  # defaults to the root attribute
    with pytest.raises(LabelRowError, match="already answered; pass overwrite=True"):
        weather.set_answer(world.rain)
    weather.set_answer(world.rain, overwrite=True)
    assert weather.get_answer(world.weather_attr) is world.rain


def test_checklist_and_numeric_answers():
    from labelspace import ChecklistAttribute, NumericAttribute, Ontology, Shape

    o = Ontology()
    thing = o.add_object("thing", Shape.POINT)
    tags = thing.add_attribute(ChecklistAttribute, "tags")
    a, b = tags.add_option("a"), tags.add_option("b")
    size = thing.add_attribute(NumericAttribute, "size")
    x = thing.create_instance()
    assert x.get_answer(tags) == []
    x.set_answer([b, a])
    assert x.get_answer(tags) == [a, b]  # in ontology order
    x.set_answer(np.float32(2.5), size)
    assert x.get_answer(size) == 2.5 and type(x.get_answer(size)) is float
    x.set_answer(3, size, overwrite=True)
    assert x.get_answer(size) == 3


@pytest.mark.parametrize(
    ("answer", "attribute", "message"),
    [
        (5, "make", "TextAttribute 'make' needs a str, got int"),
        ("red", "colour", "RadioAttribute 'colour' needs one of its options"),
        ("x", "occlusion", "is dynamic: its answers are per frame"),
        (True, "speed", "is dynamic"),
        ("x", None, "has 2 static TextAttributes"),
        ("x", "scene_attr", "not an attribute of object 'car'"),
        ("x", "sunny", "attribute must be an Attribute"),
    ],
)
def test_bad_static_answers(world, answer, attribute, message):
    car = world.box.create_instance()
    with pytest.raises(LabelRowError, match=message):
        car.set_answer(answer, getattr(world, attribute) if attribute else None)
    assert car._answers == {}


def test_option_of_another_object_is_refused(world):
    weather = world.weather.create_instance()
    with pytest.raises(LabelRowError, match="Option 'red' is not an option of any attribute"):
        weather.set_answer(world.red)


def test_numeric_answers_must_be_finite():
    from labelspace import NumericAttribute, Ontology, Shape

    o = Ontology()
    thing = o.add_object("thing", Shape.POINT)
    size = thing.add_attribute(NumericAttribute, "size")
    with pytest.raises(LabelRowError, match="finite number"):
        thing.create_instance().set_answer(float("nan"), size)
    with pytest.raises(LabelRowError, match="needs an int or float, got bool"):
        thing.create_instance().set_answer(True, size)
