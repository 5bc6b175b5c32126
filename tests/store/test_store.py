"""The store on a real SQLite file and a real PostgreSQL: the same tests on both."""

import time
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from labelspace import LabelRow, Project
from labelspace.model.native.fragments import instance_fragment, instance_hashes, row_head
from labelspace.samples.project import street_project
from labelspace.store import ConflictError, Store, StoreError
from tests.model.test_label_row import full_row
from tests.store._workers import box_ontology, put, video_row


@pytest.fixture
def street(tmp_path):
    return street_project(tmp_path / "images")


def ordered(row):
    """A row's labels whatever their order: its spaces and each instance's fragment (canonical).

    An instance brought in from another session lands after the row's own, and its metadata
    records after theirs; the labels are the same.
    """
    return row_head(row), {h: instance_fragment(row, h) for h in instance_hashes(row)}


def test_a_project_goes_in_and_comes_out_the_same(store_url, street, world):
    store = Store(store_url)
    pid = store.add_project("street", street)
    assert [r.title for r in store.rows()] == [", ".join(s.space_id for s in r.list_spaces()) for r in street.rows]
    for info, row in zip(store.rows(), street.rows, strict=True):
        assert store.load_row(info.id).to_dict() == row.to_dict()
        assert info.objects == len({o.object_hash for s in row.list_spaces() for o in s.get_object_instances()})
    assert store.load_project(pid).to_dict() == street.to_dict()
    # Every kind of space, shape, answer and metadata, in a second project.
    rich = full_row(world)
    store.add_project("rich", Project.of(rich))
    assert store.load_row(store.rows("rich")[0].id).to_dict() == rich.to_dict()
    store.close()


def test_many_rows_added_at_once_keep_their_order_and_labels(store_url):
    """More rows than one statement adds (ROWS_AT_ONCE): ids, positions and labels stay paired."""
    from labelspace import BoundingBoxCoordinates
    from labelspace.store.store import ROWS_AT_ONCE

    ontology = box_ontology()
    car = ontology.get_child_by_hash("car00001")
    rows = []
    for i in range(ROWS_AT_ONCE * 2 + 7):
        row = LabelRow(ontology)
        space = row.add_image_space(f"img{i:04d}.jpg", 640, 480)
        for k in range(i % 3):  # 0, 1 or 2 boxes, each placed by the row's number
            space.put_object_instance(car.create_instance(), BoundingBoxCoordinates(0.1, 0.1, k / 4, (i % 89) / 100))
        rows.append(row)
    store = Store(store_url)
    store.add_project("many", Project.of(rows[0]))
    ids = store.add_rows(rows[1:], "many")
    assert ids == sorted(ids) and len(set(ids)) == len(rows) - 1
    infos = store.rows("many")
    assert [i.position for i in infos] == list(range(len(rows)))
    assert [i.title for i in infos] == [f"img{i:04d}.jpg" for i in range(len(rows))]
    assert [i.id for i in infos[1:]] == ids
    for i in (1, ROWS_AT_ONCE, ROWS_AT_ONCE + 1, len(rows) - 1):
        assert store.load_row(infos[i].id).to_dict() == rows[i].to_dict()
    assert [i.objects for i in infos] == [i % 3 for i in range(len(rows))]
    store.close()


def test_every_edit_is_in_the_store_as_soon_as_it_returns(store_url):
    store = Store(store_url)
    store.add_project("cams", box_ontology())
    row_id = store.add_row(video_row(store.ontology()))
    stored = store.open_row(row_id, user="ann")
    stored.apply(put("a0000001", 5, 0.1))
    stored.apply(put("a0000001", 6, 0.2))
    stored.apply({"op": "remove_object", "space": "cam", "object": "a0000001", "frames": 5})
    # Another program opening the store now sees all three.
    other = Store(store_url)
    assert other.load_row(row_id).to_dict() == stored.row.to_dict()
    log = other.history(row_id)
    assert [e.op["op"] for e in log] == ["put_object", "put_object", "remove_object"]
    assert {e.user for e in log} == {"ann"} and all(e.instances == ("a0000001",) for e in log)
    store.close()
    other.close()


def test_undo_and_redo_survive_a_restart(store_url):
    store = Store(store_url)
    store.add_project("cams", box_ontology())
    row_id = store.add_row(video_row(store.ontology()))
    stored = store.open_row(row_id, user="ann")
    for i in range(3):
        stored.apply(put(f"a000000{i}", i, 0.1))
    after_two = store.history(row_id)[1].id
    store.close()
    again = Store(store_url).open_row(row_id, user="ann")
    assert again.can_undo() == 3
    assert [c.instance for c in again.undo()] == ["a0000002"]
    assert again.row.to_dict() == again.store.row_at(row_id, after_two).to_dict()
    assert again.can_redo() == 1
    # Someone else's session does not undo ann's edits.
    bob = again.store.open_row(row_id, user="bob")
    assert bob.can_undo() == 0 and bob.undo() is None
    third = Store(store_url).open_row(row_id, user="ann")
    assert third.can_redo() == 1
    third.redo()
    assert {o.object_hash for o in third.row.get_space(id="cam").get_object_instances()} == {
        "a0000000",
        "a0000001",
        "a0000002",
    }


def test_row_at_a_time_and_compaction(store_url):
    store = Store(store_url)
    store.add_project("cams", box_ontology())
    row_id = store.add_row(video_row(store.ontology()))
    stored = store.open_row(row_id, user="ann")
    stored.apply(put("a0000001", 1, 0.1))
    time.sleep(0.01)
    middle = datetime.now(timezone.utc)
    snapshot = stored.row.to_dict()
    time.sleep(0.01)
    stored.apply(put("a0000002", 2, 0.1))
    assert store.row_at(row_id, middle).to_dict() == snapshot
    assert store.row_at(row_id, 0).to_dict() == video_row(store.ontology()).to_dict()
    assert store.compact(before=middle) == 1
    # Who did what stays; the state before the compacted edit does not.
    assert [e.compacted for e in store.history(row_id)] == [True, False]
    assert store.row_at(row_id, middle).to_dict() == snapshot
    with pytest.raises(StoreError, match="compacted"):
        store.row_at(row_id, 0)
    assert store.open_row(row_id, user="ann").can_undo() == 2
    fresh = store.open_row(row_id, user="ann")
    fresh.undo()
    with pytest.raises(StoreError, match="compacted"):
        fresh.undo()


def test_two_people_on_one_row_lose_nothing(store_url):
    store = Store(store_url)
    store.add_project("cams", box_ontology())
    row_id = store.add_row(video_row(store.ontology()))
    ann = store.open_row(row_id, user="ann")
    ann.apply(put("shared01", 10, 0.1))
    bob = store.open_row(row_id, user="bob")
    # Different instances, and the same instance on other frames: merged.
    ann.apply(put("anns0001", 1, 0.1))
    ann.apply(put("shared01", 11, 0.2))
    bob.apply(put("shared01", 12, 0.3))
    bob.apply(put("bobs0001", 2, 0.1))
    assert bob.version("shared01") == 3
    ann.pull()
    # The same labels; instances brought in from others come after one's own in memory.
    assert ordered(ann.row) == ordered(bob.row) == ordered(store.load_row(row_id))
    cam = store.load_row(row_id).get_space(id="cam")
    runs = cam.get_object_runs(cam.get_object_instances()[0])
    assert runs.starts.tolist() == [10, 11, 12]
    # The same frames of the same instance: refused, and bob's row shows ann's version.
    ann.apply(put("shared01", 11, 0.5))
    with pytest.raises(ConflictError, match=r"ann changed instance 'shared01' \(frame 11\)"):
        bob.apply(put("shared01", 11, 0.6))
    assert ordered(bob.row) == ordered(store.load_row(row_id))
    bob.apply(put("shared01", 11, 0.6))  # made again on ann's version, it goes in
    # An undo of an edit someone changed since is refused.
    with pytest.raises(ConflictError, match="cannot undo"):
        ann.undo()


def test_a_new_ontology_version_keeps_old_rows_readable(store_url, street):
    store = Store(store_url)
    store.add_project("street", street)
    first = store.rows()[0].id
    changed = street.ontology.to_dict()
    changed["objects"] = changed["objects"][:1]
    from labelspace import Ontology

    smaller = Ontology.from_dict(changed)
    assert store.set_ontology(smaller) == 2
    assert store.load_row(first).to_dict() == street.rows[0].to_dict()
    row = LabelRow(store.ontology())
    row.add_image_space("new.png", 10, 10)
    new = store.add_row(row)
    assert store.load_row(new).ontology.to_dict() == smaller.to_dict()
    with pytest.raises(StoreError, match="newest one"):
        store.add_row(street.rows[0])


def test_claims_stages_reviews_and_progress(store_url, street):
    store = Store(store_url)
    store.add_project("street", street, stages=["annotate", "review", "done"])
    ids = [r.id for r in store.rows()]
    a = store.claim_next("ann")
    b = store.claim_next("bob")
    assert (a, b) == (ids[0], ids[1])
    assert store.claim_next("ann") == a  # a row held is handed back first
    with pytest.raises(StoreError, match="held by ann, not bob"):
        store.submit(a, "bob")
    assert store.submit(a, "ann") == "review"
    assert store.claim_next("rev", "review") == a
    hashes = instance_hashes(store.load_row(a))
    store.review(a, "rev", "reject", "the bus is a truck", instance=hashes[0])
    assert store.rows()[0].stage == "review"  # a verdict on one object leaves the row where it is
    store.review(a, "rev", "reject", "see the bus")
    assert store.rows()[0].stage == "annotate"
    assert [(r.verdict, r.instance) for r in store.reviews(a)] == [("reject", hashes[0]), ("reject", None)]
    progress = store.progress()
    assert progress["stages"] == {"annotate": 4, "review": 0, "done": 0}
    assert progress["people"]["bob"]["holding"] == 1 and progress["people"]["rev"]["reviews"] == 2
    store.set_stage(b, "done")
    assert store.progress()["stages"]["done"] == 1
    with pytest.raises(StoreError, match="no stage 'qa'"):
        store.claim_next("ann", "qa")
    assert "project 'street': 4 rows" in store.status()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("foo://x", "Unknown store URL scheme 'foo'"),
        ("sqlite://", "needs a file"),
        ("/no/such/folder/x.db", "does not exist"),
        ("", "A store is a file path"),
    ],
)
def test_bad_urls_say_what_is_expected(url, message):
    with pytest.raises(StoreError, match=message):
        Store(url)


def test_a_file_that_is_not_a_database(tmp_path):
    bad = tmp_path / "x.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store(bad)
    assert bad.read_bytes().startswith(b"this is not sqlite")


def test_a_newer_schema_is_refused(store_url):
    Store(store_url).close()
    engine = sa.create_engine(Store(store_url).url)
    with engine.begin() as c:
        c.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer than this labelspace knows"):
        Store(store_url)


def test_a_database_with_other_tables_is_not_taken_over(tmp_path):
    path = tmp_path / "other.db"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE invoices (id INTEGER)"))
    with pytest.raises(StoreError, match="not a labelspace store"):
        Store(path)


def test_a_locked_sqlite_file_is_reported_and_nothing_is_lost(tmp_path, monkeypatch):
    from labelspace.store import _engine

    monkeypatch.setattr(_engine, "SQLITE_BUSY_SECONDS", 0.2)
    path = tmp_path / "labels.db"
    store = Store(path)
    store.add_project("cams", box_ontology())
    row_id = store.add_row(video_row(store.ontology()))
    stored = store.open_row(row_id, user="ann")
    stored.apply(put("a0000001", 1, 0.1))
    before = stored.row.to_dict()
    import sqlite3

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="locked by another program"):
            stored.apply(put("a0000001", 2, 0.1))
        assert stored.row.to_dict() == before  # the failed edit is not in the row either
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    stored.apply(put("a0000001", 2, 0.1))
    assert Store(path).load_row(row_id).to_dict() == stored.row.to_dict()


def test_a_dropped_postgresql_connection_is_retried(postgres_server):
    url = postgres_server.new_database()
    store = Store(url)
    store.add_project("cams", box_ontology())
    row_id = store.add_row(video_row(store.ontology()))
    stored = store.open_row(row_id, user="ann")
    stored.apply(put("a0000001", 1, 0.1))
    assert postgres_server.kill_connections(url) >= 1
    stored.apply(put("a0000001", 2, 0.1))
    assert Store(url).load_row(row_id).to_dict() == stored.row.to_dict()
