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


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for every end-to-end test of the session."""
    from tests.widget.jupyter import CHROMIUM, CHROMIUM_ARGS

    sync_playwright = require("playwright.sync_api").sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory, chromium):
    """One JupyterLab server (and the session's Chromium) for every end-to-end test: (url, root, browser)."""
    from tests.widget.jupyter import jupyter_lab

    root = tmp_path_factory.mktemp("lab")
    with jupyter_lab(root) as url:
        yield url, root, chromium


@pytest.fixture
def open_notebook(lab, request):
    """Open a fresh notebook with the given cells and run the first; returns (Notebook, page)."""
    from tests.widget.jupyter import Notebook, write_notebook

    url, root, browser = lab
    made = []

    def open_(*cells, scale=1):
        """``scale``: the page's device pixels to a CSS pixel."""
        stem = "".join(ch if ch.isalnum() else "_" for ch in request.node.name)[:40] + str(len(made))
        write_notebook(root / f"{stem}.ipynb", list(cells))
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, device_scale_factor=scale)
        # A workspace of its own, so that JupyterLab does not reopen other tests' notebooks.
        page.goto(f"{url}/lab/workspaces/{stem}/tree/{stem}.ipynb?reset")
        made.append(page)
        nb = Notebook(page, len(cells))
        nb.run(0)
        return nb, page

    yield open_
    for page in made:
        page.close()
