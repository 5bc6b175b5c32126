import copy

import pytest

from labelspace import (
    Attribute,
    ChecklistAttribute,
    Classification,
    NumericAttribute,
    Object,
    Ontology,
    OntologyError,
    Option,
    RadioAttribute,
    Shape,
    TextAttribute,
)


def test_build_and_look_up(world):
    o = world.ontology
    assert o.get_child_by_hash("box00001") is world.box
    assert o.get_child_by_hash("red00001", Option) is world.red
    assert o.get_child_by_title("car", Object) is world.box
    assert o.get_child_by_title("shade") is world.shade
    assert o.get_child_by_title("weather", Attribute) is world.weather_attr
    assert world.weather.title == "weather" and o.get_child_by_hash("weat0001", Classification) is world.weather
    assert [x.name for x in o.objects] == ["car", "boat", "road", "lane", "person", "sky", "pose"]
    assert world.red.value == "red" and world.box.shape is Shape.BOUNDING_BOX


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda o: o.get_child_by_hash("nope"), "no element with feature_node_hash 'nope'"),
        (lambda o: o.get_child_by_hash("box00001", Classification), "is a Object, not a Classification"),
        (lambda o: o.get_child_by_title("nope"), "no element titled 'nope'"),
        (lambda o: o.add_object("x", "hexagon"), "'hexagon' is not a shape"),
        (lambda o: o.add_object("", Shape.POINT), "non-empty str name"),
        (lambda o: o.add_object("x", Shape.POINT, feature_node_hash="box00001"), "already has an element"),
        (lambda o: o.objects[0].add_attribute(str, "x"), "needs an attribute class"),
        (lambda o: o.objects[0].add_attribute(Attribute, "x"), "needs an attribute class"),
        (lambda o: o.classifications[0].add_attribute(TextAttribute, "again"), "already has its root attribute"),
        (lambda o: o.add_classification().add_attribute(TextAttribute, "t", dynamic=True), "cannot be dynamic"),
        (
            lambda o: o.objects[0].attributes[1].options[0].add_nested_attribute(TextAttribute, "x"),
            "belongs to a checklist",
        ),
        (lambda o: o.objects[0].attributes[0].add_option(""), "non-empty str label"),
    ],
)
def test_ontology_errors(world, call, message):
    with pytest.raises(OntologyError, match=message):
        call(world.ontology)


def test_duplicate_titles_need_a_type():
    o = Ontology()
    o.add_object("thing", Shape.POINT)
    c = o.add_classification()
    c.add_attribute(TextAttribute, "thing")
    with pytest.raises(OntologyError, match="3 elements titled 'thing'"):  # object, classification, attribute
        o.get_child_by_title("thing")
    assert isinstance(o.get_child_by_title("thing", TextAttribute), TextAttribute)
    assert o.get_child_by_title("thing", Classification) is c


def test_dict_round_trip(world):
    d = world.ontology.to_dict()
    again = Ontology.from_dict(d)
    assert again == world.ontology and again.to_dict() == d
    assert again.get_child_by_hash("shad0001", TextAttribute).name == "shade"
    assert again.get_child_by_hash("scen0001", Classification).is_global


def test_is_global_is_settable(world):
    world.weather.is_global = True
    assert world.weather.create_instance().is_global()


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda d: d["objects"][0].update(shape="hexagon"), r"ontology\.objects\[0\]\.shape: 'hexagon' is not a shape"),
        (lambda d: d["objects"][1].pop("name"), r"ontology\.objects\[1\]\.name: expected a non-empty string"),
        (lambda d: d["objects"][1].update(feature_node_hash="box00001"), "is used twice"),
        (lambda d: d["objects"][0]["attributes"][0].update(type="colour"), r"attributes\[0\]\.type: 'colour'"),
        (lambda d: d["classifications"][0].update(attributes=[]), "needs exactly one root attribute"),
        (
            lambda d: d["objects"][0]["attributes"][4]["options"][0]["attributes"][0].update(dynamic=True),
            "only top-level object attributes can be dynamic",
        ),
        (lambda d: d.update(objects="car"), r"ontology\.objects: expected a list of dicts"),
        (
            lambda d: d["objects"][0]["attributes"][1]["options"][0].update(attributes=[{"type": "text"}]),
            "only radio options can nest",
        ),
    ],
)
def test_malformed_dicts_name_the_field(world, corrupt, message):
    d = copy.deepcopy(world.ontology.to_dict())
    corrupt(d)
    with pytest.raises(OntologyError, match=message):
        Ontology.from_dict(d)


def test_every_attribute_kind_has_its_type_name():
    assert [c.kind for c in (RadioAttribute, ChecklistAttribute, TextAttribute, NumericAttribute)] == [
        "radio",
        "checklist",
        "text",
        "numeric",
    ]
