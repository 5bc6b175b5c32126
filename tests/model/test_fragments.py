"""Fragments: one instance of a row in native form, the unit the store keeps."""

import orjson
import pytest

from labelspace import LabelRow, LabelRowError, PointCoordinate, PolygonCoordinates, Range
from labelspace.model.native.fragments import (
    instance_fragment,
    instance_hashes,
    label_row_from_fragments,
    put_fragment,
    row_fragments,
    row_head,
)
from labelspace.model.operations import apply_operation
from tests.model.test_label_row import BOX, full_row, snapshot


def fragments_of(row):
    return [instance_fragment(row, h) for h in instance_hashes(row)]


def test_a_row_is_its_fragments(world):
    row = full_row(world)
    frags = fragments_of(row)
    # Fragments are JSON (the store keeps them as bytes) and decode to the same row.
    frags = [orjson.loads(orjson.dumps(f)) for f in frags]
    again = label_row_from_fragments(row_head(row), frags, row.ontology)
    assert snapshot(again) == snapshot(row)
    assert again.to_dict() == row.to_dict()
    assert fragments_of(again) == frags


@pytest.mark.parametrize("raw", [False, True])
def test_a_rows_fragments_made_in_one_pass_are_each_instances_fragment(world, raw):
    row = full_row(world)
    image = row.add_image_space("many", 640, 480)
    for i in range(30):  # boxes and polygons on one run, several sharing a metadata record
        image.put_object_instance(world.box.create_instance(), BOX, created_by=f"u{i % 3}@x.org", confidence=0.5)
    image.put_object_instance(
        world.polygon.create_instance(),
        PolygonCoordinates(values=[PointCoordinate(0, 0), PointCoordinate(1, 0), PointCoordinate(0, 1)]),
    )
    together = row_fragments(row, raw=raw)
    assert list(together) == instance_hashes(row)
    assert together == {h: instance_fragment(row, h, raw=raw) for h in instance_hashes(row)}


def test_fragments_are_canonical_whatever_else_the_row_holds(world):
    row = full_row(world)
    frags = fragments_of(row)
    # The last instance alone on a copy of the row's spaces gives the same fragment.
    alone = label_row_from_fragments(row_head(row), frags[-1:], row.ontology)
    assert instance_fragment(alone, instance_hashes(row)[-1]) == frags[-1]


def test_put_fragment_replaces_and_removes_one_instance(world):
    row = full_row(world)
    other = LabelRow.from_dict(row.to_dict())
    car = instance_hashes(row)[0]
    video = row.get_space(id="cam")
    instance = video.get_object_instances()[0]
    video.put_object_instance(instance, Range(800, 810), BOX, created_by="c@x.org")
    # The other copy takes the changed instance from its fragment alone.
    put_fragment(other, car, instance_fragment(row, car))
    assert instance_fragment(other, car) == instance_fragment(row, car)
    assert snapshot(other) == snapshot(row)
    put_fragment(other, car, None)
    assert instance_fragment(other, car) is None
    assert all(car not in {o.object_hash for o in s.get_object_instances()} for s in other.list_spaces())


def test_put_fragment_undoes_an_edit_exactly(world):
    row = full_row(world)
    car = instance_hashes(row)[0]
    before = instance_fragment(row, car)
    edit = apply_operation(row, {"op": "remove_object", "space": "cam", "object": car, "frames": [[0, 99]]})
    assert not edit.is_empty() and instance_fragment(row, car) != before
    put_fragment(row, car, before)
    assert instance_fragment(row, car) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f["spaces"][0].update(id="nowhere"), "no space 'nowhere'"),
        (lambda f: f.update(kind="thing"), "kind 'object' or 'classification'"),
        (lambda f: f["spaces"][0]["track"].update(meta=[99]), "metadata records"),
        (lambda f: f["record"].update(feature_node_hash="nope"), "not a Object of the ontology"),
    ],
)
def test_a_bad_fragment_is_refused_and_changes_nothing(world, change, message):
    row = full_row(world)
    car = instance_hashes(row)[0]
    before = row.to_dict()
    bad = orjson.loads(orjson.dumps(instance_fragment(row, car)))
    change(bad)
    with pytest.raises(LabelRowError, match=message):
        put_fragment(row, car, bad)
    assert row.to_dict() == before
