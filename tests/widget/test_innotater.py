"""The Innotater's Python side, without a browser: adapters, write-back, errors, messages."""

import numpy as np
import pytest

from labelspace.innotater import (
    BinaryClassInnotation,
    BoundingBoxInnotation,
    ButtonInnotation,
    GroupedInnotation,
    ImageInnotation,
    Innotater,
    InnotaterError,
    MultiClassInnotation,
    RepeatInnotation,
    TextInnotation,
)
from tests.widget.conftest import Sent, image_bytes, require

IMAGES = [np.zeros((60, 80, 3), np.uint8) for _ in range(3)]


def browser(w, **message):
    """Deliver a message as the browser does: errors are reported in w.message, not raised."""
    w._on_message(w, message, [])


def test_star_import_gives_every_name():
    namespace = {}
    exec("from labelspace.innotater import *", namespace)
    for name in (
        "Innotater",
        "ImageInnotation",
        "BoundingBoxInnotation",
        "MultiClassInnotation",
        "BinaryClassInnotation",
        "TextInnotation",
        "ButtonInnotation",
        "RepeatInnotation",
        "GroupedInnotation",
    ):
        assert name in namespace


# --- images ---------------------------------------------------------------------------------------


def test_filenames_with_path_bytes_and_arrays(files):
    folder, names = files
    blobs = [(folder / n).read_bytes() for n in names]
    w = Innotater(
        [
            ImageInnotation(names, path=folder, name="a"),
            ImageInnotation(blobs, name="b"),
            ImageInnotation(np.stack(IMAGES), name="c", colorspace="RGB"),
        ],
        TextInnotation(["x", "y", "z"]),
    )
    for name in "abc":
        encoded = w._by_name[name].encoded(2)
        assert (encoded.width, encoded.height) == (80, 60)
    assert w._by_name["a"].encoded(1).data == blobs[1]  # file bytes go to the browser untouched


def test_transform_is_applied():
    w = Innotater(ImageInnotation(list(range(3)), transform=lambda i: IMAGES[i] + 10), TextInnotation(["", "", ""]))
    assert w.inputs[0].encoded(0).width == 80


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: ImageInnotation(["nope.jpg"], path=d), r"image file '.*nope\.jpg' \(entry 0\) does not exist"),
        (lambda d: ImageInnotation(IMAGES, colorspace="HSV"), "colorspace must be 'RGB' or 'BGR', got 'HSV'"),
        (lambda d: ImageInnotation(IMAGES, width=-5), "width must be a whole number of pixels"),
        (
            lambda d: ImageInnotation(IMAGES, annotation_styles={"colour": "red"}),
            r"unknown annotation_styles \['colour'\]",
        ),
        (lambda d: ImageInnotation([3.5]), "entry 0 is a float; expected a file name, image bytes or an image array"),
        (lambda d: ImageInnotation(np.zeros((3, 4))), r"N x H x W or N x H x W x C"),
        (lambda d: ImageInnotation(), "needs data"),
        (lambda d: ImageInnotation(IMAGES, data=IMAGES), "both positionally and as data="),
        (lambda d: ImageInnotation(IMAGES, "extra"), "takes its data as the one positional argument"),
        (lambda d: ImageInnotation(IMAGES, layout=5), "layout must be a dict of CSS properties"),
    ],
)
def test_image_errors(tmp_path, make, message):
    with pytest.raises(InnotaterError, match=message):
        make(tmp_path)


def test_second_positional_none_is_accepted():
    """An example of the original passes ImageInnotation(images, None, name=...)."""
    assert ImageInnotation(IMAGES, None, name="food").data is IMAGES


def test_torch_images():
    torch = require("torch")
    tensors = [torch.zeros(3, 60, 80) for _ in range(3)]
    w = Innotater(ImageInnotation(tensors), TextInnotation(["", "", ""]))
    assert w.inputs[0].encoded(0).width == 80


def test_display_size_and_styles_go_in_the_spec():
    w = Innotater(
        ImageInnotation(IMAGES, name="im", width=300, height=200, annotation_styles={"lineWidth": 5, "lineDash": 3}),
        BoundingBoxInnotation(np.zeros((3, 4))),
    )
    spec = w.spec["inputs"][0]
    assert (spec["width"], spec["height"]) == (300, 200)
    assert spec["styles"]["lineWidth"] == 5 and spec["styles"]["lineDash"] == [3]
    assert spec["boxes"] == [{"target": w.targets[0].name}]


# --- boxes ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "sent", "expected"),
    [
        (np.zeros((3, 4), int), [10.4, 20.6, 30, 40], [10, 21, 30, 40]),
        (np.zeros((3, 4), np.float32), [10.5, 20.25, 30, 40], [10.5, 20.25, 30.0, 40.0]),
        ([[0, 0, 0, 0] for _ in range(3)], [1.6, 2, 3, 4], [2, 2, 3, 4]),
        ([[0.0, 0.0, 0.0, 0.0] for _ in range(3)], [1.5, 2, 3, 4], [1.5, 2.0, 3.0, 4.0]),
        (np.zeros((3, 4), int), "5, 6 7,8", [5, 6, 7, 8]),
        (np.zeros((3, 4), int), [50, 50, -10, -20], [40, 30, 10, 20]),  # drawn from the other corner
    ],
)
def test_boxes_write_back_in_place_with_their_type(targets, sent, expected):
    box = BoundingBoxInnotation(targets)
    w = Innotater(ImageInnotation(IMAGES), box)
    w.index = 1
    browser(w, kind="set", name=box.name, value=sent)
    row = targets[1]
    assert list(row) == expected
    assert type(row[0]) is type(expected[0]) if isinstance(targets, list) else row.dtype == targets.dtype
    assert w.values[box.name] == [float(v) for v in expected]
    assert w.dirty and w.dirty_uindexes == {1}


def test_tuple_rows_are_replaced():
    targets = [(0, 0, 0, 0)] * 3
    box = BoundingBoxInnotation(targets)
    w = Innotater(ImageInnotation(IMAGES), box)
    browser(w, kind="set", name=box.name, value=[1, 2, 3, 4])
    assert targets[0] == (1, 2, 3, 4)


@pytest.mark.parametrize("value", [[1, 2, 3], "a, b, c, d", [1, 2, 3, float("nan")], None, [True, 1, 2, 3]])
def test_bad_boxes_change_nothing(value):
    targets = np.zeros((3, 4), int)
    box = BoundingBoxInnotation(targets)
    w = Innotater(ImageInnotation(IMAGES), box)
    browser(w, kind="set", name=box.name, value=value)
    assert "x, y, w, h" in w.message
    assert not targets.any() and not w.dirty


def test_box_sources():
    a, b = ImageInnotation(IMAGES, name="left"), ImageInnotation(IMAGES, name="right")
    box = BoundingBoxInnotation(np.zeros((3, 4)), source="right")
    w = Innotater([a, b], box)
    assert box.image is b and w.spec["inputs"][1]["boxes"] == [{"target": box.name}]
    with pytest.raises(InnotaterError, match="source 'middle' names no ImageInnotation; the images are"):
        Innotater([a, b], BoundingBoxInnotation(np.zeros((3, 4)), source="middle"))
    with pytest.raises(InnotaterError, match="has no source and the Innotater has 2 ImageInnotations"):
        Innotater([a, b], BoundingBoxInnotation(np.zeros((3, 4))))
    with pytest.raises(InnotaterError, match="each entry must be a row of 4 numbers"):
        BoundingBoxInnotation(np.zeros((3, 2)))


# --- classes --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "classes", "pick", "expected"),
    [
        ([0, 2, 1], ["a", "b", "c"], 2, [2, 2, 1]),  # a Python list of indexes
        (np.array([0, 2, 1]), None, 1, [1, 2, 1]),  # classes guessed: 0..2
        (np.array([[0], [2], [1]]), ["a", "b", "c"], 1, [[1], [2], [1]]),  # a column vector
        (np.eye(3, dtype=int)[[0, 2, 1]], ["a", "b", "c"], 1, [[0, 1, 0], [0, 0, 1], [0, 1, 0]]),  # one-hot
        (np.zeros((3, 2), int), ["cat", "dog"], 0, [[1, 0], [0, 0], [0, 0]]),  # all-zero one-hot rows: none chosen
    ],
)
def test_multiclass_forms(data, classes, pick, expected):
    target = MultiClassInnotation(data, classes=classes)
    w = Innotater(ImageInnotation(IMAGES), target)
    browser(w, kind="set", name=target.name, value=pick)
    assert np.asarray(data).tolist() == expected
    assert w.values[target.name] == pick


def test_multiclass_spec_and_names():
    target = MultiClassInnotation([0, 1, 0], classes=["x", "y"], dropdown=True, desc="Kind")
    w = Innotater(ImageInnotation(IMAGES), target)
    spec = w.spec["targets"][0]
    assert spec["classes"] == ["x", "y"] and spec["dropdown"] and spec["desc"] == "Kind"
    browser(w, kind="set", name=target.name, value="y")
    assert target.data[0] == 1
    assert MultiClassInnotation(np.zeros((3, 4))).classes == ["0", "1", "2", "3"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: MultiClassInnotation([0, 0, 0]), "every entry is class 0.*pass classes"),
        (lambda: MultiClassInnotation([0, 5, 1], classes=["a", "b"]), "holds class index 5 but only 2 classes"),
        (
            lambda: MultiClassInnotation(np.array([[1, 1], [0, 1], [1, 0]]), classes=["a", "b"]),
            r"one-hot row 0 is \[1, 1\]",
        ),
        (lambda: MultiClassInnotation(np.array([[1, 0], [0, 2], [1, 0]])), r"one-hot row 1 is \[0, 2\]"),
        (lambda: MultiClassInnotation(np.eye(3), classes=["a", "b"]), "2 classes given but one-hot rows have 3"),
        (lambda: MultiClassInnotation([0.5, 1, 2]), "whole numbers"),
        (lambda: MultiClassInnotation([-1, 1, 2]), "0 or more"),
        (lambda: MultiClassInnotation(["a", "b"]), "must be numbers"),
        (lambda: MultiClassInnotation(np.zeros((3, 2, 2))), "entries have shape"),
    ],
)
def test_multiclass_errors(make, message):
    with pytest.raises(InnotaterError, match=message):
        make()


def test_bad_class_values_change_nothing():
    data = [0, 1, 0]
    target = MultiClassInnotation(data, classes=["a", "b"])
    w = Innotater(ImageInnotation(IMAGES), target)
    for value in (5, "zebra", True, None):
        browser(w, kind="set", name=target.name, value=value)
        assert w.message
    assert data == [0, 1, 0] and not w.dirty


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (np.array([False, True, False]), [True, True, False]),
        ([0, 1, 0], [1, 1, 0]),
        (np.array([[0], [1], [0]]), [[1], [1], [0]]),
        (np.array([[1, 0], [0, 1], [1, 0]]), [[0, 1], [0, 1], [1, 0]]),  # two-column one-hot
    ],
)
def test_binary_forms(data, expected):
    target = BinaryClassInnotation(data, name="Is fruit")
    w = Innotater(ImageInnotation(IMAGES), target)
    assert w.values["Is fruit"] is False
    browser(w, kind="set", name="Is fruit", value=True)
    assert np.asarray(data).tolist() == expected
    if isinstance(data, list):
        assert type(data[0]) is int
    assert w.spec["targets"][0]["classes"] == ["False", "True"]
    browser(w, kind="set", name="Is fruit", value="yes")
    assert "true or false" in w.message


# --- text and buttons -----------------------------------------------------------------------------


def test_text_targets_and_inputs():
    notes = ["a", "b", "c"]
    shown = ["one", "two", "three"]
    w = Innotater(TextInnotation(shown, name="review", multiline=False), TextInnotation(notes, name="note"))
    assert w.spec["inputs"][0]["disabled"] and not w.spec["targets"][0]["disabled"]
    assert w.spec["inputs"][0]["multiline"] is False
    browser(w, kind="set", name="note", value="changed")
    assert notes[0] == "changed"
    browser(w, kind="set", name="review", value="x")
    assert "read-only" in w.message and shown[0] == "one"


def test_text_too_long_for_a_numpy_string_array_is_refused():
    notes = np.zeros(3, dtype="<U2")
    w = Innotater(ImageInnotation(IMAGES), TextInnotation(notes, name="t"))
    browser(w, kind="set", name="t", value="toolong")
    assert "holds at most 2" in w.message and notes[0] == ""
    browser(w, kind="set", name="t", value="ok")
    assert notes[0] == "ok"


def test_button_calls_on_click_and_refreshes():
    targets = np.ones((3, 4), int)
    calls = []

    def reset(uindex, repeat_index, **kwargs):
        calls.append((uindex, repeat_index, kwargs))
        targets[uindex] = 0
        return True

    box = BoundingBoxInnotation(targets, name="box")
    w = Innotater(ImageInnotation(IMAGES), [box, ButtonInnotation(None, name="reset", desc="Reset", on_click=reset)])
    w.index = 2
    browser(w, kind="click", name="reset")
    assert calls == [(2, -1, {"name": "reset", "desc": "Reset"})]
    assert w.values["box"] == [0.0, 0.0, 0.0, 0.0] and w.dirty_uindexes == {2}


def test_a_failing_hook_is_reported():
    def broken(uindex, repeat_index, **kwargs):
        raise RuntimeError("disk full")

    w = Innotater(ImageInnotation(IMAGES), ButtonInnotation(None, name="b", on_click=broken))
    browser(w, kind="click", name="b")
    assert w.message == "on_click raised RuntimeError: disk full" and not w.dirty


# --- repeats and groups ---------------------------------------------------------------------------


def make_repeat():
    boxes = np.zeros((3, 4, 4), int)
    breeds = np.zeros((3, 4, 3), int)
    breeds[:, :, 0] = 1
    boxes[1, 2] = [5, 5, 10, 10]  # sample 1 uses three rows
    repeat = RepeatInnotation(
        (BoundingBoxInnotation, boxes),
        (MultiClassInnotation, breeds, {"name": "breed", "classes": ["a", "b", "c"], "dropdown": True}),
        (ButtonInnotation, None, {"desc": "X"}),
        min_repeats=1,
        max_repeats=4,
        name="animals",
    )
    return boxes, breeds, repeat


def test_repeat_rows_follow_the_data():
    *_, repeat = make_repeat()
    w = Innotater(ImageInnotation(IMAGES, name="im"), repeat)
    assert w.values["animals"]["rows"] == 1  # min_repeats, no box in use
    assert w.spec["inputs"][0]["boxes"] == [{"target": "animals", "column": 0}]
    spec = w.spec["targets"][0]
    assert [c["kind"] for c in spec["columns"]] == ["bbox", "multiclass", "button"]
    assert spec["columns"][1]["name"] == "breed" and (spec["min"], spec["max"]) == (1, 4)
    w.index = 1
    assert w.values["animals"]["rows"] == 3
    assert w.values["animals"]["items"][2] == [[5.0, 5.0, 10.0, 10.0], 0, None]


def test_repeat_cells_add_and_remove_rows():
    boxes, breeds, repeat = make_repeat()
    w = Innotater(ImageInnotation(IMAGES), repeat)
    browser(w, kind="add_row", name="animals")
    browser(w, kind="set", name="animals", row=1, column=0, value=[1, 2, 3, 4])
    browser(w, kind="set", name="animals", row=1, column=1, value=2)
    assert boxes[0, 1].tolist() == [1, 2, 3, 4] and breeds[0, 1].tolist() == [0, 0, 1]
    browser(w, kind="remove_row", name="animals", row=0)
    assert boxes[0, 0].tolist() == [1, 2, 3, 4] and breeds[0, 0].tolist() == [0, 0, 1]
    assert boxes[0, 1].tolist() == [0, 0, 0, 0] and w.values["animals"]["rows"] == 1
    browser(w, kind="remove_row", name="animals", row=0)
    assert "at least 1 rows must stay" in w.message
    for _ in range(3):
        browser(w, kind="add_row", name="animals")
    browser(w, kind="add_row", name="animals")
    assert "the most max_repeats allows" in w.message
    assert w.values["animals"]["rows"] == 4


def test_repeat_buttons_get_their_row():
    seen = []
    repeat = RepeatInnotation(
        (BoundingBoxInnotation, np.zeros((3, 2, 4))),
        (ButtonInnotation, None, {"desc": "X", "on_click": lambda u, r, **k: seen.append((u, r, k["desc"]))}),
        min_repeats=2,
        max_repeats=2,
    )
    w = Innotater(ImageInnotation(IMAGES), repeat)
    browser(w, kind="click", name=repeat.name, row=1, column=1)
    assert seen == [(0, 1, "X")]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: RepeatInnotation((BoundingBoxInnotation, np.zeros((3, 2, 4))), max_repeats=5),
            "at least max_repeats=5",
        ),
        (lambda: RepeatInnotation((BoundingBoxInnotation(np.zeros((3, 4))), None)), "the class, not an instance"),
        (lambda: RepeatInnotation(BoundingBoxInnotation), r"must be \(InnotationSubclass, data\)"),
        (lambda: RepeatInnotation(min_repeats=3, max_repeats=2), "min_repeats <= max_repeats"),
        (lambda: RepeatInnotation(), "needs at least one"),
    ],
)
def test_repeat_errors(make, message):
    with pytest.raises(InnotaterError, match=message):
        make()


def test_grouped_innotations():
    classes = np.zeros((3, 1), int)
    group = GroupedInnotation(
        MultiClassInnotation(classes, name="kind", classes=["a", "b"]),
        BoundingBoxInnotation(np.zeros((3, 4)), name="box"),
    )
    w = Innotater(ImageInnotation(IMAGES), group)
    assert [c["name"] for c in w.spec["targets"][0]["children"]] == ["kind", "box"]
    assert set(w.values) >= {"kind", "box"}
    browser(w, kind="set", name="kind", value=1)
    assert classes[0, 0] == 1


# --- the Innotater --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("indexes", "shown"),
    [
        (None, [0, 1, 2]),
        ([2, 0], [2, 0]),
        (np.array([True, False, True]), [0, 2]),
        (np.array([[False], [True], [True]]), [1, 2]),
    ],
)
def test_indexes(indexes, shown):
    w = Innotater(ImageInnotation(IMAGES), TextInnotation(["a", "b", "c"]), indexes=indexes)
    assert w.uindexes == shown and w.count == len(shown) and w.uindex == shown[0]
    w.index = len(shown) - 1
    assert w.uindex == shown[-1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"indexes": [0, 5]}, r"index 5 is outside the data \(0\.\.2\)"),
        ({"indexes": [True, False]}, "must be as long as the data"),
        ({"indexes": [False, False, False]}, "at least one True"),
        ({"indexes": []}, "non-empty"),
        ({"indexes": [0.5]}, "ints or booleans"),
        ({"save_hook": "save"}, "save_hook must be a function"),
    ],
)
def test_innotater_argument_errors(kwargs, message):
    with pytest.raises(InnotaterError, match=message):
        Innotater(ImageInnotation(IMAGES), TextInnotation(["a", "b", "c"]), **kwargs)


def test_data_lengths_must_agree_and_names_be_unique():
    with pytest.raises(
        InnotaterError,
        match="Data lengths disagree: ImageInnotation 'im' has 3 entries but BoundingBoxInnotation 'bb' has 2",
    ):
        Innotater(ImageInnotation(IMAGES, name="im"), BoundingBoxInnotation(np.zeros((2, 4)), name="bb"))
    with pytest.raises(InnotaterError, match="Two Innotations are named 'x'"):
        Innotater(ImageInnotation(IMAGES, name="x"), TextInnotation(["a", "b", "c"], name="x"))
    with pytest.raises(InnotaterError, match="inputs must hold Innotations"):
        Innotater([IMAGES], TextInnotation(["a", "b", "c"]))
    with pytest.raises(InnotaterError, match="needs inputs or targets"):
        Innotater(None, [])


def test_save_hook_gets_the_changed_indexes():
    calls = []
    result = {"ok": False}

    def hook(uindexes):
        calls.append(list(uindexes))
        return result["ok"]

    notes = ["", "", ""]
    w = Innotater(ImageInnotation(IMAGES), TextInnotation(notes, name="t"), save_hook=hook)
    assert w.spec["save"] and not w.dirty
    browser(w, kind="set", name="t", value="a")
    w.index = 2
    browser(w, kind="set", name="t", value="c")
    browser(w, kind="save")
    assert calls == [[0, 2]] and w.dirty  # the hook said no: still dirty
    result["ok"] = True
    browser(w, kind="save")
    assert calls[-1] == [0, 2] and not w.dirty and w.dirty_uindexes == set()


def test_save_without_a_hook_says_so():
    w = Innotater(ImageInnotation(IMAGES), TextInnotation(["", "", ""]))
    browser(w, kind="save")
    assert "no save_hook" in w.message


def test_images_are_sent_as_buffers_with_the_next_and_previous(files):
    folder, names = files
    w = Innotater(ImageInnotation(names, path=folder, name="im"), TextInnotation(["a", "b", "c"]))
    sent = Sent(w)
    browser(w, kind="ready")
    assert sent.images() == [("im", 0, 0), ("im", 1, 1), ("im", 2, 2)]
    content, buffers = sent.messages[0]
    assert content["mime"] == "image/jpeg" and (content["width"], content["height"]) == (80, 60)
    assert buffers[0] == (folder / names[0]).read_bytes()
    w.index = 1
    assert sent.images()[3:] == []  # 1, 0 and 2 were sent already
    browser(w, kind="want", name="im", index=0)
    assert sent.images()[-1] == ("im", 0, 0)


def test_positions_and_samples_differ_with_indexes(files):
    folder, names = files
    w = Innotater(ImageInnotation(names, path=folder, name="im"), TextInnotation(["a", "b", "c"]), indexes=[2, 1])
    sent = Sent(w)
    browser(w, kind="ready")
    assert sent.images() == [("im", 0, 2), ("im", 1, 1)]  # only two samples are shown


def test_unreadable_image_is_reported_not_raised(tmp_path):
    (tmp_path / "bad.jpg").write_bytes(b"not an image")
    w = Innotater(ImageInnotation(["bad.jpg"], path=tmp_path, name="im"), TextInnotation(["a"]))
    Sent(w)
    browser(w, kind="ready")
    assert "ImageInnotation 'im'" in w.message and "not an image" in w.message


def test_unknown_messages_are_reported():
    w = Innotater(ImageInnotation(IMAGES), TextInnotation(["a", "b", "c"], name="t"))
    w._on_message(w, {"kind": "set", "name": "ghost", "value": 1}, [])
    assert "no Innotation named 'ghost'" in w.message
    w._on_message(w, {"kind": "explode", "name": "t"}, [])
    assert "cannot 'explode'" in w.message


def test_update_ui_redraws_after_python_changes_the_data():
    targets = np.zeros((3, 4), int)
    w = Innotater(ImageInnotation(IMAGES), BoundingBoxInnotation(targets, name="b"))
    targets[0] = [1, 2, 3, 4]
    w.update_ui()
    assert w.values["b"] == [1.0, 2.0, 3.0, 4.0]


def test_png_blobs_are_kept():
    blobs = [image_bytes(np.zeros((5, 7, 3), np.uint8), "PNG")] * 2
    w = Innotater(ImageInnotation(blobs), TextInnotation(["a", "b"]))
    assert w.inputs[0].encoded(0).mime == "image/png"


def test_the_image_command_answers_the_browser_with_the_image_or_an_error(files):
    from labelspace.innotater import ImageInnotation, Innotater, TextInnotation

    folder, names = files
    w = Innotater(ImageInnotation(names, path=folder), TextInnotation(["a", "b", "c"]))
    reply, buffers = w._image({"name": w.spec["inputs"][0]["name"], "index": 2}, [])
    assert reply["kind"] == "image" and reply["index"] == 2 and (reply["width"], reply["height"]) == (80, 60)
    assert buffers[0][:3] == b"\xff\xd8\xff"
    for bad in ({"name": "nope", "index": 0}, {"name": w.spec["inputs"][0]["name"], "index": 9}, "junk"):
        reply, buffers = w._image(bad, [])
        assert reply["kind"] == "error" and buffers == []
    w.handle({"kind": "anywidget-command", "name": "_image", "id": "1", "msg": {}})
    assert w.message == ""
