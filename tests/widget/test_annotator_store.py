"""The Annotator on a stored row: edits committed before shown saved, undo from the log, others' edits pulled in."""

import pytest

from labelspace import Annotator, LabelRowError
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
