"""The sample project: every shape, every kind of attribute, predictions to review, a round trip."""

from PIL import Image

from labelspace import (
    BitmaskCoordinates,
    ChecklistAttribute,
    NumericAttribute,
    Project,
    RadioAttribute,
    Shape,
    TextAttribute,
)
from labelspace.model.ontology import walk_attributes
from labelspace.samples.project import IMAGES, draw_images, street_ontology, street_project


def test_the_ontology_has_every_shape_and_kind_of_attribute():
    ontology = street_ontology()
    assert {o.shape for o in ontology.objects} == set(Shape)
    skeleton = next(o for o in ontology.objects if o.shape is Shape.SKELETON)
    assert skeleton.skeleton is not None and skeleton.skeleton.edges
    attributes = list(walk_attributes([a for o in ontology.objects for a in o.attributes]))
    kinds = {type(a) for a in attributes}
    assert kinds == {RadioAttribute, ChecklistAttribute, TextAttribute, NumericAttribute}
    assert any(a.dynamic for a in attributes)
    nested = [a for a in attributes for option in a.options for _ in option.attributes]
    assert nested, "radio options nest attributes"
    roots = {type(c.attributes[0]) for c in ontology.classifications}
    assert roots == {RadioAttribute, ChecklistAttribute, TextAttribute, NumericAttribute}
    assert any(c.is_global for c in ontology.classifications) and not all(c.is_global for c in ontology.classifications)


def test_the_project_holds_every_shape_predictions_and_a_group(tmp_path):
    project = street_project(tmp_path)
    assert len(project.rows) == 4
    spaces = [s for row in project.rows for s in row.list_spaces()]
    assert [len(row.list_spaces()) for row in project.rows] == [1, 1, 1, 2]  # the last is a data group
    for space in spaces:
        assert space.media.startswith(f"{IMAGES}/")
        with Image.open(tmp_path / space.media) as image:
            assert image.size == (space.width, space.height)
    annotations = [a for s in spaces for a in s.get_annotations("object")]
    shapes = {a.object_instance.ontology_item.shape for a in annotations}
    assert shapes == set(Shape)
    by_hand = project.rows[0].list_spaces()[0]
    assert {a.object_instance.ontology_item.shape for a in by_hand.get_annotations("object")} == set(Shape)
    assert all(a.manual_annotation for a in by_hand.get_annotations("object"))
    predictions = [a for a in annotations if not a.manual_annotation]
    assert len(predictions) > 10 and all(0 < a.confidence < 1 for a in predictions)
    assert min(a.confidence for a in predictions) < 0.5  # a doubtful one to reject
    assert all(a.created_by for a in annotations)
    assert not project.rows[2].list_spaces()[0].get_object_instances()  # one row left to label
    left, right = project.rows[3].list_spaces()
    shared = {o.object_hash for o in left.get_object_instances()} & {
        o.object_hash for o in right.get_object_instances()
    }
    assert len(shared) == 1  # one car seen by both cameras
    tree = next(a for a in by_hand.get_annotations("object") if isinstance(a.coordinates, BitmaskCoordinates))
    assert (tree.coordinates.height, tree.coordinates.width) == (by_hand.height, by_hand.width)
    answered = [answer for o in by_hand.get_object_instances() for answer in o.get_static_answers()]
    assert {type(attribute) for attribute, _ in answered} == {
        RadioAttribute,
        ChecklistAttribute,
        TextAttribute,
        NumericAttribute,
    }
    assert any(attribute.title == "roof rack" for attribute, _ in answered)  # two levels of nesting
    classified = {c.ontology_item.title for c in by_hand.get_classification_instances()}
    assert classified == {"weather", "visibility (m)", "scene", "notes"}


def test_the_project_saves_and_loads_back_equal(tmp_path):
    project = street_project(tmp_path)
    project.save(tmp_path / "project.json")
    again = Project.load(tmp_path / "project.json")
    assert again.to_dict() == project.to_dict()
    assert again.ontology == project.ontology


def test_missing_images_are_drawn_again_and_present_ones_kept(tmp_path):
    draw_images(tmp_path)
    first = (tmp_path / IMAGES / "street-1.png").read_bytes()
    (tmp_path / IMAGES / "street-2.png").unlink()
    (tmp_path / IMAGES / "street-1.png").write_bytes(b"edited")
    draw_images(tmp_path, missing_only=True)
    assert (tmp_path / IMAGES / "street-1.png").read_bytes() == b"edited"
    draw_images(tmp_path)
    assert (tmp_path / IMAGES / "street-1.png").read_bytes() == first
    assert (tmp_path / IMAGES / "street-2.png").exists()
