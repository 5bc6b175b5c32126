"""The state synced between Python and the browser is declared once on each side; they must agree."""

import re
from pathlib import Path

from labelspace.widget.innotater import Innotater

MODEL_TS = Path(__file__).resolve().parents[2] / "js" / "src" / "model.ts"


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
