import io

import numpy as np
import pytest
from PIL import Image


def require(module: str):
    """Import a module the tests need; skip without it (a failure in CI, see tests/conftest.py)."""
    return pytest.importorskip(module)


def image_bytes(array: np.ndarray, fmt: str) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, fmt)
    return out.getvalue()


@pytest.fixture
def files(tmp_path):
    """Three JPEG files of 80x60 pixels, distinct colours; returns (folder, names)."""
    names = []
    for i, colour in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
        array = np.zeros((60, 80, 3), np.uint8)
        array[:] = colour
        name = f"img{i}.jpg"
        Image.fromarray(array).save(tmp_path / name)
        names.append(name)
    return tmp_path, names


class Sent:
    """Captures what a widget sends to the browser."""

    def __init__(self, widget):
        self.messages = []
        widget.send = lambda content, buffers=None: self.messages.append((content, buffers))

    def images(self):
        return [(m["name"], m["index"], m["uindex"]) for m, _ in self.messages if m.get("kind") == "image"]
