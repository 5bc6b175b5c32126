"""An added row's instances kept as one block until it is opened for editing (real SQLite and PostgreSQL)."""

import threading

import numpy as np
import pytest
import sqlalchemy as sa
from alembic import command

from labelspace import BoundingBoxCoordinates, LabelRow, Project, Range
from labelspace.model.native.fragments import instance_fragment, instance_hashes
from labelspace.store import Store, StoreError
from labelspace.store import _schema as t
from labelspace.store._codec import fragment_bytes
from labelspace.store._migrate import _config, current
from labelspace.store.session import StoredRow
from tests.store._workers import box_ontology
from tests.store.test_store import ordered


def image_rows(n, boxes):
    ontology = box_ontology()
    car = ontology.get_child_by_hash("car00001")
    rows = []
    for i in range(n):
        row = LabelRow(ontology)
        space = row.add_image_space(f"img{i:03d}.jpg", 640, 480)
        for k in range(boxes):
            space.put_object_instance(
                car.create_instance(), BoundingBoxCoordinates(0.1, 0.1, 0.8 * k / boxes, 0.8 * i / n), confidence=0.5
            )
        rows.append(row)
    return rows


def imported(store_url, n, boxes):
    """A new store holding a project of ``n`` images of ``boxes`` boxes: the store, the rows and their ids."""
    rows = image_rows(n, boxes)
    project = Project(rows[0].ontology)
    for row in rows:
        project.add_row(row)
    store = Store(store_url)
    store.add_project("p", project)
    return store, rows, [info.id for info in store.rows()]


def table_counts(store, row_id):
    with store.engine.connect() as c:
        blocks = c.execute(sa.select(sa.func.count()).where(t.blocks.c.row_id == row_id)).scalar()
        instances = c.execute(sa.select(sa.func.count()).where(t.instances.c.row_id == row_id)).scalar()
    return blocks, instances


def box_op(obj, x):
    return {
        "op": "put_object",
        "space": "img000.jpg",
        "object": obj,
        "feature": "car00001",
        "frames": [[0, 0]],
        "coordinates": {"x": x, "y": 0.1, "w": 0.2, "h": 0.2},
        "on_overlap": "replace",
    }


def test_an_added_row_is_one_block_until_it_is_opened_for_editing(store_url):
    store, rows, _ = imported(store_url, 3, 40)
    info = store.rows()[0]
    assert table_counts(store, info.id) == (1, 0)
    assert [i.objects for i in store.rows()] == [40, 40, 40]
    assert store.load_row(info.id).to_dict() == rows[0].to_dict()
    added = store.load_row(info.id)
    hashes = instance_hashes(rows[0])

    stored = store.open_row(info.id, user="ann")
    assert {stored.version(h) for h in hashes} == {1}
    # Opened for editing, the block's instances are in their own records, in the row's order.
    assert table_counts(store, info.id) == (0, 40)
    assert store.rows()[0].objects == 40
    stored.apply(box_op(hashes[3], 0.3))
    stored.apply(box_op("new00001", 0.6))
    stored.apply({"op": "remove_object", "space": "img000.jpg", "object": hashes[0], "frames": 0})
    assert table_counts(store, info.id) == (0, 41)
    with store.engine.connect() as c:
        kept = {
            h: (seq, v, data)
            for h, seq, v, data in c.execute(
                sa.select(t.instances.c.hash, t.instances.c.seq, t.instances.c.version, t.instances.c.data).where(
                    t.instances.c.row_id == info.id
                )
            )
        }
    assert [kept[h][0] for h in hashes] == list(range(1, 41))
    assert kept[hashes[3]][1] == 2 and kept[hashes[7]][1] == 1 and kept[hashes[0]][2] is None
    assert kept[hashes[7]][2] == fragment_bytes(instance_fragment(rows[0], hashes[7], raw=True))
    assert ordered(store.load_row(info.id)) == ordered(stored.row)
    assert store.rows()[0].objects == 40  # one removed, one added
    # The row as it was added is still there, before the first edit.
    assert store.row_at(info.id, 0).to_dict() == added.to_dict()
    first = store.history(info.id)[0].id
    assert len(store.row_at(info.id, first).get_space(id="img000.jpg").get_object_instances()) == 40
    # Undo goes back through the first edit to the row as it was added.
    for _ in range(3):
        stored.undo()
    assert ordered(store.load_row(info.id)) == ordered(added)
    # The other rows are untouched blocks.
    assert table_counts(store, store.rows()[1].id) == (1, 0)
    assert [ordered(r) for r in store.load_project().rows] == [ordered(r) for r in (stored.row, *rows[1:])]
    store.close()


def test_an_edit_that_finds_a_block_moves_it_first(store_url):
    """A session made without open_row (nothing moved yet): its first edit moves the block in its own transaction."""
    store, rows, (row_id,) = imported(store_url, 1, 10)
    row, versions, last_edit, _ = store._load(row_id)
    stored = StoredRow(store, row_id, row, versions, last_edit, "ann")
    assert table_counts(store, row_id) == (1, 0)
    h = instance_hashes(rows[0])[4]
    stored.apply(box_op(h, 0.4))
    assert table_counts(store, row_id) == (0, 10)
    assert stored.version(h) == 2
    assert ordered(store.load_row(row_id)) == ordered(stored.row)
    store.close()


def test_a_row_with_long_tracks_is_kept_instance_by_instance(store_url):
    ontology = box_ontology()
    row = LabelRow(ontology)
    video = row.add_video_space("cam", 2000, 640, 480, fps=25)
    car = ontology.get_child_by_hash("car00001").create_instance()
    frames = np.arange(0, 2000)
    video.put_object_track(car, frames, np.tile([0.1, 0.1, 0.2, 0.2], (2000, 1)) + frames[:, None] / 1e4)
    video.put_object_instance(
        ontology.get_child_by_hash("prs00001").create_instance(),
        Range(3, 9),
        BoundingBoxCoordinates(0.1, 0.1, 0.3, 0.3),
    )
    store = Store(store_url)
    store.add_project("v", Project.of(row))
    row_id = store.rows()[0].id
    assert table_counts(store, row_id) == (0, 2)  # packed columns: no block
    assert store.load_row(row_id).to_dict() == row.to_dict()
    assert store.rows()[0].objects == 2
    store.close()


def test_reviews_of_an_instance_in_a_block(store_url):
    store, rows, (row_id,) = imported(store_url, 1, 5)
    h = instance_hashes(rows[0])[2]
    assert store.review(row_id, "rev", "reject", "too loose", instance=h) == "annotate"
    with pytest.raises(StoreError, match="has no instance 'nothere1'"):
        store.review(row_id, "rev", "reject", instance="nothere1")
    assert [(r.instance, r.verdict) for r in store.reviews(row_id)] == [(h, "reject")]
    assert table_counts(store, row_id) == (1, 0)  # a review is not an edit
    store.close()


def test_several_people_opening_a_new_row_at_once_lose_nothing(store_url):
    """People opening a row at once all find its block: one moves it, and none of their first edits is lost."""
    store, rows, (row_id,) = imported(store_url, 1, 20)
    hashes = instance_hashes(rows[0])
    people = 4
    barrier = threading.Barrier(people, timeout=60)
    errors = []

    def person(i):
        try:
            own = Store(store_url)
            barrier.wait()  # open at once: each finds the block and moves it, or finds it moved
            stored = own.open_row(row_id, user=f"p{i}")
            stored.apply(box_op(hashes[i], 0.05 * (i + 1)))
            own.close()
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=person, args=(i,)) for i in range(people)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []
    assert table_counts(store, row_id) == (0, 20)
    row = store.load_row(row_id)
    boxes = {a.object_hash: a.coordinates for a in row.get_space(id="img000.jpg").get_annotations()}
    assert len(boxes) == 20
    for i in range(people):
        assert boxes[hashes[i]].top_left_x == pytest.approx(0.05 * (i + 1))
    assert len(store.history(row_id)) == people
    store.close()


def test_a_damaged_block_is_reported(store_url):
    store, _, (row_id,) = imported(store_url, 1, 3)
    with store.engine.begin() as c:
        c.execute(sa.update(t.blocks).values(data=b'LSB1[{"kind": 3}]'))
    with pytest.raises(StoreError, match=r"stored instances cannot be read.*damaged"):
        store.load_row(row_id)
    with pytest.raises(StoreError, match=r"stored instances cannot be read.*damaged"):
        store.open_row(row_id)
    store.close()


def test_going_down_to_the_first_schema_moves_blocks_into_instances(store_url):
    store, rows, ids = imported(store_url, 2, 6)
    with store.engine.begin() as c:
        command.downgrade(_config(c), "0001")
        assert current(c) == "0001"
        assert "blocks" not in sa.inspect(c).get_table_names()
        datas = dict(
            c.execute(sa.select(t.instances.c.hash, t.instances.c.data).where(t.instances.c.row_id == ids[0])).all()
        )
    assert datas == {h: fragment_bytes(instance_fragment(rows[0], h, raw=True)) for h in instance_hashes(rows[0])}
    store.close()
    again = Store(store_url)  # brought up to date as it opens
    assert [again.load_row(i).to_dict() for i in ids] == [r.to_dict() for r in rows]
    assert table_counts(again, ids[0]) == (0, 6)
    again.close()
