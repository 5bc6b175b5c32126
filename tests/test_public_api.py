import importlib
import inspect

import labelspace


def test_all_is_complete_sorted_and_importable():
    public = {
        name
        for name, value in vars(labelspace).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name not in {"annotations"}
    }
    assert set(labelspace.__all__) - {"__version__"} == public
    names = [n for n in labelspace.__all__ if n != "__version__"]
    assert names == sorted(names)
    for name in labelspace.__all__:
        assert getattr(importlib.import_module("labelspace"), name) is not None


def test_every_public_name_is_documented():
    for name in labelspace.__all__:
        value = getattr(labelspace, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name


def test_seed_signatures_are_exact():
    """The names, parameters, keyword-only markers and defaults the seed documents list."""
    meta = ["created_at", "created_by", "last_edited_at", "last_edited_by", "confidence", "manual_annotation"]

    def params(fn):
        sig = inspect.signature(fn)
        return [(p.name, p.kind.name, p.default) for p in sig.parameters.values()]

    kw = "KEYWORD_ONLY"
    pos = "POSITIONAL_OR_KEYWORD"
    empty = inspect.Parameter.empty
    assert params(labelspace.ImageSpace.put_object_instance) == [
        ("self", pos, empty),
        ("object_instance", pos, empty),
        ("coordinates", pos, empty),
        ("on_overlap", kw, "error"),
        *[(m, kw, None) for m in meta],
    ]
    assert params(labelspace.ImageSpace.put_classification_instance) == [
        ("self", pos, empty),
        ("classification_instance", pos, empty),
        ("on_overlap", kw, "error"),
        *[(m, kw, None) for m in meta],
    ]
    assert params(labelspace.ImageSpace.remove_object_instance) == [("self", pos, empty), ("object_hash", pos, empty)]
    assert params(labelspace.ImageSpace.remove_classification_instance) == [
        ("self", pos, empty),
        ("classification_hash", pos, empty),
    ]
    assert params(labelspace.MultiFrameSpace.put_object_instance) == [
        ("self", pos, empty),
        ("object_instance", pos, empty),
        ("frames", pos, empty),
        ("coordinates", pos, empty),
        ("on_overlap", kw, "error"),
        *[(m, kw, None) for m in meta],
    ]
    assert params(labelspace.MultiFrameSpace.put_classification_instance) == [
        ("self", pos, empty),
        ("classification_instance", pos, empty),
        ("frames", pos, None),
        ("on_overlap", kw, "error"),
        *[(m, kw, None) for m in meta],
    ]
    assert params(labelspace.MultiFrameSpace.set_dynamic_answer) == [
        ("self", pos, empty),
        ("object_instance", pos, empty),
        ("frames", pos, empty),
        ("answer", pos, empty),
        ("attribute", pos, None),
    ]
    assert params(labelspace.MultiFrameSpace.remove_dynamic_answer) == [
        ("self", pos, empty),
        ("object_instance", pos, empty),
        ("attribute", pos, empty),
        ("frame", pos, empty),
        ("filter_answer", pos, None),
    ]
    assert params(labelspace.MultiFrameSpace.get_dynamic_answer) == [
        ("self", pos, empty),
        ("object_instance", pos, empty),
        ("frames", pos, empty),
        ("attribute", pos, empty),
        ("filter_answer", pos, None),
    ]
    assert params(labelspace.MultiFrameSpace.remove_object_instance) == [
        ("self", pos, empty),
        ("object_hash", pos, empty),
        ("frames", pos, None),
    ]
    assert params(labelspace.MultiFrameSpace.remove_classification_instance) == [
        ("self", pos, empty),
        ("classification_hash", pos, empty),
        ("frames", pos, None),
    ]
    assert issubclass(labelspace.VideoSpace, labelspace.MultiFrameSpace)
    assert issubclass(labelspace.MedicalSpace, labelspace.MultiFrameSpace)
    assert issubclass(labelspace.LabelRowError, ValueError)
    assert labelspace.LabelRowError("x").message == "x"
