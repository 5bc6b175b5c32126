"""The state synced between Python and the browser is declared once on each side; they must agree."""

import re
from pathlib import Path

from labelspace.widget.innotater import Innotater

MODEL_TS = Path(__file__).resolve().parents[2] / "js" / "src" / "widgets" / "innotater" / "model.ts"


def interface_keys(source: str, name: str) -> set[str]:
    body = re.search(rf"export interface {name} \{{(.*?)\n\}}", source, re.S)
    assert body, f"interface {name} not found in model.ts"
    return set(re.findall(r"^\s+(\w+)\??:", body.group(1), re.M))


def test_python_traitlets_and_typescript_model_name_the_same_keys():
    python = set(Innotater.class_own_traits(sync=True))
    typescript = interface_keys(MODEL_TS.read_text(), "Model")
    assert python == typescript
    assert {"index", "values", "spec"} <= python


def test_image_messages_carry_what_the_browser_reads(files):
    from labelspace.innotater import ImageInnotation, TextInnotation
    from tests.widget.conftest import Sent

    folder, names = files
    w = Innotater(ImageInnotation(names, path=folder), TextInnotation(["a", "b", "c"]))
    sent = Sent(w)
    w.handle({"kind": "ready"})
    content, _ = sent.messages[0]
    assert set(content) == interface_keys(MODEL_TS.read_text(), "ImageMessage")


def test_innotater_signatures_follow_the_seed():
    import inspect

    from labelspace import innotater as api

    def defaults(fn):
        return {
            n: p.default
            for n, p in inspect.signature(fn).parameters.items()
            if p.default is not inspect.Parameter.empty
        }

    assert list(inspect.signature(api.Innotater.__init__).parameters)[1:] == [
        "inputs",
        "targets",
        "indexes",
        "keyboard_shortcuts",
        "save_hook",
        "vertical",
    ]
    assert defaults(api.Innotater.__init__) == {
        "indexes": None,
        "keyboard_shortcuts": True,
        "save_hook": None,
        "vertical": False,
    }
    assert defaults(api.ImageInnotation.__init__) == {
        "path": "",
        "width": 0,
        "height": 0,
        "transform": None,
        "colorspace": "BGR",
        "annotation_styles": None,
    }
    assert defaults(api.BoundingBoxInnotation.__init__) == {"source": None}
    assert defaults(api.MultiClassInnotation.__init__) == {"classes": None, "dropdown": False}
    assert defaults(api.BinaryClassInnotation.__init__) == {"classes": None}
    assert defaults(api.TextInnotation.__init__) == {"multiline": True}
    assert defaults(api.ButtonInnotation.__init__) == {"on_click": None}
    assert defaults(api.RepeatInnotation.__init__) == {"min_repeats": 0, "max_repeats": 10}
    assert {"data", "name", "desc", "layout"} <= set(defaults(api.Innotation.__init__))


# --- the Annotator: js/src/protocol/*.ts and labelspace.widget.protocol ---------------------------

PROTOCOL_TS = Path(__file__).resolve().parents[2] / "js" / "src" / "protocol"


def interfaces(name: str) -> dict[str, set[str]]:
    """Every interface of a protocol file, with its keys."""
    source = (PROTOCOL_TS / name).read_text()
    return {i: interface_keys(source, i) for i in re.findall(r"^export interface (\w+)", source, re.M)}


def typed_dict_keys(cls) -> set[str]:
    return set(cls.__required_keys__ | cls.__optional_keys__)


def test_every_protocol_interface_is_a_typed_dict_with_the_same_keys():
    from labelspace.widget import protocol

    checked = []
    for name in ("ontology.ts", "state.ts", "messages.ts"):
        for interface, keys in interfaces(name).items():
            assert hasattr(protocol, interface), f"{name}: {interface} has no TypedDict in labelspace.widget.protocol"
            assert typed_dict_keys(getattr(protocol, interface)) == keys, interface
            checked.append(interface)
    assert {
        "OntologySpec",
        "ObjectSpec",
        "ClassificationSpec",
        "AttributeSpec",
        "OptionSpec",
        "SkeletonSpec",
        "SkeletonNodeSpec",
        "RowSummary",
        "SpaceState",
        "MetaState",
        "RunState",
        "DynamicRunState",
        "ObjectState",
        "ClassificationRunState",
        "ClassificationState",
        "HistoryState",
        "RowState",
        "InstanceKey",
        "RowMessage",
        "UpdateMessage",
        "RefusedMessage",
        "ImageRequest",
        "ImageResponse",
        "Model",
    } <= set(checked)


def test_every_operation_interface_matches_the_models_operations():
    from labelspace.model import operations

    for interface, keys in interfaces("operations.ts").items():
        assert typed_dict_keys(getattr(operations, interface)) == keys, interface


def test_annotator_traitlets_and_the_typescript_model_name_the_same_keys():
    from labelspace.widget import protocol
    from labelspace.widget.annotator import Annotator

    model = interfaces("state.ts")["Model"]
    assert set(Annotator.class_own_traits(sync=True)) == model
    assert typed_dict_keys(protocol.Model) == model


def test_messages_the_annotator_sends_have_exactly_the_keys_of_their_interfaces(tmp_path):
    import numpy as np
    from PIL import Image

    from labelspace import LabelRow, SkeletonTemplate
    from labelspace.widget.annotator import Annotator
    from tests.conftest import World
    from tests.widget.conftest import Sent

    world = World()
    world.ontology.add_object("hand", "skeleton", skeleton=SkeletonTemplate([("a", 0, 0), ("b", 1, 1)], [("a", "b")]))
    Image.fromarray(np.zeros((48, 64, 3), np.uint8)).save(tmp_path / "a.png")
    row = LabelRow.from_media(world.ontology, {"img": tmp_path / "a.png"})
    cam = row.add_video_space("cam", 10, 64, 48)
    state = {**interfaces("state.ts"), **interfaces("ontology.ts")}
    messages = interfaces("messages.ts")

    a = Annotator(row)
    sent = Sent(a)
    assert set(a.ontology) == state["OntologySpec"]
    for spec in a.ontology["objects"]:
        assert set(spec) == state["ObjectSpec"]
        for attribute in spec["attributes"]:
            assert set(attribute) == state["AttributeSpec"]
            for option in attribute["options"]:
                assert set(option) == state["OptionSpec"]
    skeleton = a.ontology["objects"][-1]["skeleton"]
    assert set(skeleton) == state["SkeletonSpec"] and set(skeleton["nodes"][0]) == state["SkeletonNodeSpec"]
    for spec in a.ontology["classifications"]:
        assert set(spec) == state["ClassificationSpec"]
    assert set(a.rows[0]) == state["RowSummary"]

    box = {"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}
    a.handle(
        {
            "kind": "edit",
            "request": 1,
            "op": {
                "op": "put_object",
                "space": "cam",
                "object": "o",
                "feature": "box00001",
                "frames": [[0, 4]],
                "coordinates": box,
            },
        }
    )
    a.handle(
        {
            "kind": "edit",
            "request": 2,
            "op": {
                "op": "set_dynamic_answer",
                "space": "cam",
                "object": "o",
                "attribute": "occl0001",
                "frames": [[0, 2]],
                "answer": "vis00001",
            },
        }
    )
    a.handle(
        {
            "kind": "edit",
            "request": 3,
            "op": {
                "op": "put_classification",
                "space": "cam",
                "classification": "c",
                "feature": "weat0001",
                "frames": 1,
            },
        }
    )
    a.handle(
        {"kind": "edit", "request": 4, "op": {"op": "remove_object", "space": "cam", "object": "o", "frames": [[0, 9]]}}
    )
    a.handle({"kind": "undo", "request": 5})
    a.handle({"kind": "edit", "request": 6, "op": {"op": "frobnicate"}})
    a.handle({"kind": "ready"})
    kinds = {"row": "RowMessage", "update": "UpdateMessage", "refused": "RefusedMessage"}
    seen = set()
    for content, _ in sent.messages:
        seen.add(content["kind"])
        assert set(content) == messages[kinds[content["kind"]]], content["kind"]
        if content["kind"] == "update":
            assert set(content["history"]) == state["HistoryState"]
            for key in content["removed_objects"] + content["removed_classifications"]:
                assert set(key) == state["InstanceKey"]
    assert seen == set(kinds)
    [removed] = [c for c, _ in sent.messages if c["kind"] == "update" and c["removed_objects"]]
    assert removed["removed_objects"] == [{"space": "cam", "id": "o"}]

    row_state = sent.messages[-1][0]["row"]
    assert set(row_state) == state["RowState"]
    assert set(row_state["spaces"][0]) == state["SpaceState"]
    [obj] = row_state["objects"]
    assert set(obj) == state["ObjectState"] and set(obj["runs"][0]) == state["RunState"]
    assert set(obj["runs"][0]["meta"]) == state["MetaState"]
    assert set(obj["dynamic"]["occl0001"][0]) == state["DynamicRunState"]
    [classification] = row_state["classifications"]
    assert set(classification) == state["ClassificationState"]
    assert set(classification["runs"][0]) == state["ClassificationRunState"]
    assert cam.number_of_frames == 10

    response, buffers = a._image({"row": 0, "space": "img", "frame": 0}, [])
    assert set(response) == messages["ImageResponse"] and len(buffers) == 1
    error, buffers = a._image({"row": 0, "space": "cam", "frame": 0}, [])
    assert set(error) == messages["ImageResponse"] and error["error"] and buffers == []
    assert set(messages["ImageRequest"]) == {"row", "space", "frame"}
