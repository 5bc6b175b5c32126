"""How the store keeps instances as bytes: packed columns raw beside their JSON, log images, damage found."""

import numpy as np
import pytest

from labelspace.model.errors import StoreError
from labelspace.model.native.fragments import instance_fragment, label_row_from_fragments, row_head
from labelspace.store._codec import (
    COMPRESS_BELOW,
    FRAGMENT_MAGIC,
    fragment_bytes,
    fragment_of,
    images_bytes,
    images_of,
)
from tests.store._workers import box_ontology, video_row


def long_track():
    ontology = box_ontology()
    row = video_row(ontology, 500)
    space = row.get_space(id="cam")
    car = ontology.get_child_by_title("car")
    instance = car.create_instance()
    boxes = np.random.default_rng(0).random((500, 4)) * 0.5
    space.put_object_track(instance, np.arange(500), boxes)
    return row, instance.object_hash


def test_a_long_track_keeps_its_columns_as_bytes_and_reads_back_the_same():
    row, h = long_track()
    raw = instance_fragment(row, h, raw=True)
    data = fragment_bytes(raw)
    assert data.startswith(FRAGMENT_MAGIC)
    assert b"base64" not in data and len(data) < len(fragment_bytes(instance_fragment(row, h)) or b"")
    back = fragment_of(data, "test")
    rebuilt = label_row_from_fragments(row_head(row), [back], row.ontology)
    assert rebuilt.to_dict() == row.to_dict()


def test_a_fragment_with_base64_columns_is_kept_and_read_too():
    row, h = long_track()
    text = fragment_bytes(instance_fragment(row, h))  # columns as base64 text: nothing after the JSON
    assert b"base64" in text
    assert label_row_from_fragments(row_head(row), [fragment_of(text, "t")], row.ontology).to_dict() == row.to_dict()


def test_data_that_is_not_a_fragment_is_refused():
    with pytest.raises(StoreError, match="does not start as a fragment"):
        fragment_of(b'{"kind": "object"}', "row 1")


@pytest.mark.parametrize("cut", [5, 9, 40, -10])
def test_damaged_fragments_are_refused_with_a_clear_error(cut):
    row, h = long_track()
    data = fragment_bytes(instance_fragment(row, h, raw=True))
    damaged = data[:cut]
    with pytest.raises(StoreError, match="damaged"):
        fragment_of(damaged, "row 1")


def test_log_images_round_trip_small_and_large():
    row, h = long_track()
    big = fragment_bytes(instance_fragment(row, h, raw=True))
    assert len(big) > COMPRESS_BELOW
    images = {h: (1, 3, big), "gone0001": (2, 1, None), "small001": (3, 2, b'{"kind":"object"}')}
    assert images_of(images_bytes(images), "edit 1") == images
    with pytest.raises(StoreError, match="damaged"):
        images_of(images_bytes(images)[:-5], "edit 1")
