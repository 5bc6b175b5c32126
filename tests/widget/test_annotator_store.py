"""The Annotator on a stored row: edits committed before shown saved, undo from the log, others' edits pulled in."""

import pytest

from labelspace import Annotator, LabelRowError, LabelspaceError, StoreError
from labelspace.store import Store
from tests.store._workers import box_ontology, put, video_row


@pytest.fixture
def stored_row(tmp_path):
    store = Store(tmp_path / "labels.db")
    store.add_project("cams", box_ontology())
    row_id = store.add_row(video_row(store.ontology(), 50))
    return store, row_id


def sent(widget):
    out = []
    widget.send = lambda content, buffers=None: out.append(content)
    return out


def test_edits_in_the_widget_are_in_the_store_and_undo_reaches_earlier_sessions(stored_row):
    store, row_id = stored_row
    first = Annotator(store.open_row(row_id, user="ann"))
    messages = sent(first)
    first.handle({"kind": "edit", "request": 1, "op": put("a0000001", 3, 0.1)})
    assert first.save_status == "saved"
    assert messages[-1]["kind"] == "update" and messages[-1]["objects"][0]["id"] == "a0000001"
    assert store.load_row(row_id).to_dict() == first.row.to_dict()
    first.close()
    # A new kernel: the edit is there, and undo takes it back.
    second = Annotator(store.open_row(row_id, user="ann"))
    sent(second)
    assert second.history.can_undo == 1
    assert second.undo()
    assert store.load_row(row_id).get_space(id="cam").get_object_instances() == []
    assert second.redo()
    assert len(store.load_row(row_id).get_space(id="cam").get_object_instances()) == 1


def test_others_edits_are_shown(stored_row):
    store, row_id = stored_row
    widget = Annotator(store.open_row(row_id, user="ann"))
    messages = sent(widget)
    bob = store.open_row(row_id, user="bob")
    bob.apply(put("b0000001", 7, 0.4))
    assert widget.pull() == 1
    update = messages[-1]
    assert update["kind"] == "update" and [o["id"] for o in update["objects"]] == ["b0000001"]
    assert widget.rows[0]["objects"] == 1


def test_a_refused_edit_changes_neither_side(stored_row):
    store, row_id = stored_row
    widget = Annotator(store.open_row(row_id, user="ann"))
    sent(widget)
    widget.edit(put("a0000001", 3, 0.1))
    bad = {**put("a0000001", 3, 0.2), "on_overlap": "error"}
    with pytest.raises(LabelRowError):
        widget.edit(bad)
    assert len(store.history(row_id)) == 1
    with pytest.raises(LabelRowError, match="leave out autosave"):
        Annotator(store.open_row(row_id, user="ann"), autosave="x.json")


@pytest.fixture
def queue_store(tmp_path):
    store = Store(tmp_path / "queue.db")
    store.add_project("cams", box_ontology(), stages=["annotate", "review", "done"])
    ids = [store.add_row(video_row(store.ontology(), 10)) for _ in range(3)]
    return store, ids


def test_claiming_rows_one_after_another(queue_store):
    store, ids = queue_store
    ann = Annotator(store, user="ann", stage="annotate")
    messages = sent(ann)
    assert ann.work == {"user": "ann", "stage": "annotate", "first": True, "row_id": ids[0], "done": 0}
    bob = Annotator(store, user="bob")  # the first stage by default; never ann's row
    assert bob.work["row_id"] == ids[1]
    ann.handle({"kind": "edit", "request": 1, "op": put("a0000001", 3, 0.1)})
    ann.handle({"kind": "work", "action": "submit"})
    assert messages[-1]["kind"] == "row" and ann.row.to_dict() == store.load_row(ids[2]).to_dict()
    assert ann.work["row_id"] == ids[2] and ann.work["done"] == 1
    assert store.row_info(ids[0]).stage == "review" and store.row_info(ids[0]).assignee is None
    assert [e.user for e in store.history(ids[0])] == ["ann"]
    # Nothing left for ann after this one: an empty read-only row and a message that says so.
    assert ann.submit() is None
    assert ann.readonly and ann.row.list_spaces() == [] and ann.work["row_id"] is None
    assert "No row of 'annotate' is left" in ann.message
    with pytest.raises(LabelRowError, match="read-only"):
        ann.edit(put("a0000002", 1, 0.1))
    # A new kernel for bob carries on with the row he holds.
    bob.close()
    assert Annotator(store, user="bob").work["row_id"] == ids[1]


def test_review_accepts_and_rejects(queue_store):
    store, ids = queue_store
    for row_id in ids[:2]:
        store.set_stage(row_id, "review")
    rev = Annotator(store, user="rita", stage="review")
    sent(rev)
    assert rev.work["first"] is False and rev.work["row_id"] == ids[0]
    with pytest.raises(LabelspaceError, match="submitted, not accepted"):
        Annotator(store, user="ann").accept()
    assert rev.reject("box too loose") == ids[1]
    assert store.row_info(ids[0]).stage == "annotate"
    assert store.reviews(ids[0])[0].comment == "box too loose"
    assert rev.accept() is None
    assert store.row_info(ids[1]).stage == "done"


def test_a_row_moved_away_is_not_finished_twice(queue_store):
    store, ids = queue_store
    ann = Annotator(store, user="ann")
    sent(ann)
    store.set_stage(ids[0], "done")  # a lead moves it while ann holds it
    with pytest.raises(LabelspaceError, match="no longer held by ann"):
        ann.submit()
    assert store.row_info(ids[0]).stage == "done" and ann.work["row_id"] == ids[0]
    ann.handle({"kind": "work", "action": "claim"})
    assert ann.work["row_id"] == ids[1]
    ann.release()
    assert store.row_info(ids[1]).assignee is None and ann.work["row_id"] is None


def test_claiming_needs_a_user_and_a_known_stage(queue_store, monkeypatch):
    store, _ = queue_store
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    with pytest.raises(StoreError, match="pass user="):
        Annotator(store)
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert Annotator(store).work["user"] == "hubuser"
    with pytest.raises(StoreError, match="no stage 'qa'"):
        Annotator(store, user="ann", stage="qa")
    with pytest.raises(LabelRowError, match="for claiming rows from a Store"):
        Annotator(store.open_row(1, user="ann"), stage="annotate")
    with pytest.raises(LabelspaceError, match="does not claim rows"):
        Annotator(store.open_row(1, user="ann")).submit()


def test_the_served_page_knows_its_visitor(monkeypatch, queue_store):
    from labelspace.widget.served import page, visitor

    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    assert visitor("token=abc&user=%20alice%20") == "alice"
    assert visitor("token=abc") is None
    monkeypatch.setenv("JUPYTERHUB_USER", "hub-ann")
    assert visitor("user=alice") == "hub-ann"  # the hub's name wins over the address
    store, ids = queue_store
    shown = page({"url": str(store.engine.url.database), "project": "cams", "stage": "annotate"})
    assert isinstance(shown, Annotator) and shown.work["user"] == "hub-ann" and shown.work["row_id"] == ids[0]
    refused = page({"url": str(store.engine.url.database), "project": "cams", "stage": "qa"})
    assert "no stage" in refused.value


def test_an_imported_row_claimed_and_edited(tmp_path):
    """A row added by an import (its instances one block in the store) claimed, shown and edited in the Annotator."""
    from labelspace.model.native.fragments import instance_hashes
    from tests.store.test_blocks import box_op, imported, table_counts

    store, rows, ids = imported(str(tmp_path / "imported.db"), 2, 30)
    assert table_counts(store, ids[0]) == (1, 0)
    ann = Annotator(store, user="ann", stage="annotate")
    messages = sent(ann)
    assert ann.work["row_id"] == ids[0] and ann.rows[0]["objects"] == 30
    assert table_counts(store, ids[0]) == (0, 30)  # opened for editing: its instances moved out of the block
    h = instance_hashes(rows[0])[7]
    ann.handle({"kind": "edit", "request": 1, "op": box_op(h, 0.55)})
    assert ann.save_status == "saved"
    assert messages[-1]["kind"] == "update" and messages[-1]["objects"][0]["id"] == h
    boxes = {a.object_hash: a.coordinates for a in store.load_row(ids[0]).get_space(id="img000.jpg").get_annotations()}
    assert len(boxes) == 30 and boxes[h].top_left_x == pytest.approx(0.55)
    assert table_counts(store, ids[1]) == (1, 0)  # the row not yet claimed is still a block
    ann.close()
