"""End to end: JupyterLab 4 in Debian's Chromium, driven by Playwright; the kernel holds the arrays."""

import json
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from tests.widget.jupyter import CHROMIUM, Notebook, jupyter_lab, write_notebook

if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytest.importorskip("playwright.sync_api")

SETUP = """
import json
import numpy as np
from labelspace.innotater import *
files = ['img0.jpg', 'img1.jpg', 'img2.jpg']
"""


@pytest.fixture(scope="module", autouse=True)
def images(lab):
    _, root, _ = lab
    for i in range(3):
        array = np.zeros((600, 800, 3), np.uint8)
        array[:, :, i] = 200
        Image.fromarray(array).save(root / f"img{i}.jpg")


@pytest.fixture
def notebook(open_notebook):
    return lambda *cells: open_notebook(SETUP, *cells)


def canvas_box(page, nth=0):
    return page.locator(".ls-canvas canvas").nth(nth).bounding_box()


def drag(page, start, end, steps=8):
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


def box_field(page, nth=0, previous="0, 0, 0, 0"):
    """The numbers in a box's text field, once it shows something other than ``previous``."""
    page.wait_for_function(
        "([n, old]) => { const f = document.querySelectorAll('.ls-box-text')[n]; return f && f.value !== old; }",
        arg=[nth, previous],
    )
    return [int(float(v)) for v in page.locator(".ls-box-text").nth(nth).input_value().split(",")]


def near(box, expected, tolerance=2):
    """Equal up to the display's precision: at half size one screen pixel is two image pixels."""
    return len(box) == 4 and all(abs(a - b) <= tolerance for a, b in zip(box, expected, strict=True))


def kernel_json(nb, cell, expression_cell_index):
    nb.run(expression_cell_index)
    return json.loads(nb.output(expression_cell_index))


def test_draw_a_box_on_a_scaled_image_then_press_n(notebook):
    nb, page = notebook(
        "targets = np.zeros((3, 4), dtype=int)\n"
        "w = Innotater(ImageInnotation(files, width=400), BoundingBoxInnotation(targets))\nw",
        "print(json.dumps({'targets': targets.tolist(), 'index': w.index}))",
    )
    nb.run(1)
    page.wait_for_selector('.ls-image[data-index="0"]')
    c = canvas_box(page)
    assert (c["width"], c["height"]) == (400, 300)  # an 800x600 image shown at half size
    drag(page, (c["x"] + 50, c["y"] + 40), (c["x"] + 150, c["y"] + 140))
    assert near(box_field(page), [100, 80, 200, 200])
    drawn = box_field(page)
    page.keyboard.press("n")
    page.wait_for_selector('.ls-image[data-index="1"]')
    page.wait_for_function("document.querySelector('.ls-box-text').value === '0, 0, 0, 0'")
    result = kernel_json(nb, None, 2)
    assert result == {"targets": [drawn, [0, 0, 0, 0], [0, 0, 0, 0]], "index": 1}


def test_select_move_resize_and_delete_a_box(notebook):
    nb, page = notebook(
        "targets = np.array([[100, 100, 200, 100], [0, 0, 0, 0], [0, 0, 0, 0]])\n"
        "w = Innotater(ImageInnotation(files, width=400), BoundingBoxInnotation(targets))\nw",
        "print(json.dumps(targets.tolist()))",
    )
    nb.run(1)
    page.wait_for_selector('.ls-image[data-index="0"]')
    c = canvas_box(page)
    field = page.locator(".ls-box-text")
    # The box spans screen (50, 50)-(150, 100). Click its edge to select it, then drag its middle.
    page.mouse.click(c["x"] + 50, c["y"] + 75)
    drag(page, (c["x"] + 100, c["y"] + 75), (c["x"] + 120, c["y"] + 85))
    moved = box_field(page, previous="100, 100, 200, 100")
    assert near(moved, [140, 120, 200, 100])
    # Resize by the bottom-right handle, now at screen (170, 110).
    drag(page, (c["x"] + 170, c["y"] + 110), (c["x"] + 180, c["y"] + 130))
    resized = box_field(page, previous=", ".join(map(str, moved)))
    assert near(resized, [140, 120, 220, 140], tolerance=3)
    assert kernel_json(nb, None, 2)[0] == resized
    page.locator(".ls-innotater").focus()
    page.keyboard.press("Delete")
    page.wait_for_function("document.querySelector('.ls-box-text').value === '0, 0, 0, 0'")
    assert kernel_json(nb, None, 2)[0] == [0, 0, 0, 0]
    field.fill("1, 2, 3, 4")
    field.press("Enter")
    page.wait_for_timeout(300)
    assert kernel_json(nb, None, 2)[0] == [1, 2, 3, 4]


def test_zoomed_in_drawing_still_gives_image_pixels(notebook):
    nb, page = notebook(
        "targets = np.zeros((3, 4), dtype=int)\n"
        "w = Innotater(ImageInnotation(files, width=400), BoundingBoxInnotation(targets))\nw",
        "print(json.dumps(targets.tolist()))",
    )
    nb.run(1)
    page.wait_for_selector('.ls-image[data-index="0"]')
    c = canvas_box(page)
    page.mouse.move(c["x"], c["y"])  # zoom about the top-left corner: image (0, 0) stays put
    for _ in range(4):
        page.mouse.wheel(0, -200)
    scale = page.evaluate("() => Konva.stages[0].scaleX()") if page.evaluate("() => !!window.Konva") else None
    page.wait_for_timeout(100)
    drag(page, (c["x"] + 40, c["y"] + 40), (c["x"] + 80, c["y"] + 60))
    page.wait_for_timeout(300)
    box = kernel_json(nb, None, 2)[0]
    # Zoomed in, 40 screen pixels are fewer than 80 image pixels.
    assert box[0] < 80 and box[2] < 80 and box[2] > 0
    assert scale is None or scale > 0.5
    page.locator(".ls-fit").click()
    drag(page, (c["x"] + 40, c["y"] + 40), (c["x"] + 80, c["y"] + 60))
    fitted = box_field(page, previous=", ".join(map(str, box)))
    assert near(fitted, [80, 80, 80, 40])
    # Pan with the right button by (+50, +30) screen pixels: the image moves, so the same screen
    # stroke lands 100 and 60 image pixels further up and left.
    page.mouse.move(c["x"] + 200, c["y"] + 150)
    page.mouse.down(button="right")
    page.mouse.move(c["x"] + 250, c["y"] + 180, steps=5)
    page.mouse.up(button="right")
    drag(page, (c["x"] + 140, c["y"] + 100), (c["x"] + 180, c["y"] + 120))
    assert near(box_field(page, previous=", ".join(map(str, fitted))), [180, 140, 80, 40])


def test_classes_text_and_save_hook(notebook):
    nb, page = notebook(
        "kinds = [0, 0, 0]\n"
        "flags = np.zeros((3, 1), dtype=int)\n"
        "notes = ['', '', '']\n"
        "saved = []\n"
        "def hook(uindexes):\n    saved.append(list(uindexes))\n    return True\n"
        "w = Innotater(ImageInnotation(files, width=200), [\n"
        "    MultiClassInnotation(kinds, classes=['veg', 'fruit', 'biscuit'], name='kind'),\n"
        "    BinaryClassInnotation(flags, name='ripe'),\n"
        "    TextInnotation(notes, name='note')], save_hook=hook)\nw",
        "print(json.dumps({'kinds': kinds, 'flags': flags.tolist(), 'notes': notes, 'saved': saved,"
        " 'dirty': w.dirty}))",
    )
    nb.run(1)
    page.wait_for_selector('.ls-image[data-index="0"]')
    assert page.locator(".ls-save").is_disabled()
    page.locator(".ls-multiclass select").select_option(label="biscuit")
    page.locator(".ls-binary input").check()
    page.locator(".ls-text textarea").fill("crunchy")
    page.locator(".ls-text textarea").blur()
    page.wait_for_function("!document.querySelector('.ls-save').disabled")
    page.locator(".ls-innotater").focus()
    page.keyboard.press("s")
    page.wait_for_function("document.querySelector('.ls-save').disabled")
    assert kernel_json(nb, None, 2) == {
        "kinds": [2, 0, 0],
        "flags": [[1], [0], [0]],
        "notes": ["crunchy", "", ""],
        "saved": [[0]],
        "dirty": False,
    }


def test_repeated_boxes_rows(notebook):
    nb, page = notebook(
        "boxes = np.zeros((3, 4, 4), dtype=int)\n"
        "w = Innotater(ImageInnotation(files, width=400), RepeatInnotation((BoundingBoxInnotation, boxes),"
        " min_repeats=1, max_repeats=4))\nw",
        "print(json.dumps(boxes[0].tolist()))",
    )
    nb.run(1)
    page.wait_for_selector('.ls-image[data-index="0"]')
    c = canvas_box(page)
    drag(page, (c["x"] + 10, c["y"] + 10), (c["x"] + 60, c["y"] + 60))
    first = box_field(page)
    assert near(first, [20, 20, 100, 100])
    page.locator(".ls-add").click()
    page.wait_for_function("document.querySelectorAll('.ls-repeat-row').length === 2")
    page.locator(".ls-box-text").nth(1).click()  # make the new row's box the one being drawn
    drag(page, (c["x"] + 200, c["y"] + 100), (c["x"] + 300, c["y"] + 200))
    second = box_field(page, nth=1)
    assert near(second, [400, 200, 200, 200])
    assert kernel_json(nb, None, 2)[:2] == [first, second]
    assert page.locator(".ls-canvas").first.evaluate("e => e.querySelectorAll('canvas').length") >= 2
    page.locator(".ls-remove").first.click()
    page.wait_for_function("document.querySelectorAll('.ls-repeat-row').length === 1")
    assert kernel_json(nb, None, 2)[:2] == [second, [0, 0, 0, 0]]


def test_the_browser_asks_for_images_it_lacks(notebook):
    nb, page = notebook(
        "w = Innotater(ImageInnotation(files * 3, width=200), TextInnotation(list('abcdefghi')))\nw",
        "w._send_images = lambda: None  # from now on only the browser's requests bring images",
    )
    nb.run(1)
    page.wait_for_selector('.ls-image[data-index="0"]')
    nb.run(2)
    page.locator(".ls-innotater").focus()
    for _ in range(4):
        page.keyboard.press("n")
    # Only samples 0 to 2 were sent ahead; sample 4 arrives because the browser asks for it.
    page.wait_for_selector('.ls-image[data-index="4"]', timeout=10_000)


def test_notebook_7(lab):
    """The same widget, no extension installed, in Notebook 7."""
    pytest.importorskip("notebook")
    _, root, browser = lab
    write_notebook(
        root / "nb7.ipynb",
        [
            SETUP + "targets = np.zeros((3, 4), dtype=int)\n"
            "w = Innotater(ImageInnotation(files, width=400), BoundingBoxInnotation(targets))\nw",
            "print(json.dumps({'targets': targets.tolist(), 'index': w.index}))",
        ],
    )
    with jupyter_lab(root, app="notebook") as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        try:
            page.goto(f"{url}/notebooks/nb7.ipynb")
            nb = Notebook(page, 2)
            nb.run(0)
            page.wait_for_selector('.ls-image[data-index="0"]')
            c = canvas_box(page)
            drag(page, (c["x"] + 50, c["y"] + 40), (c["x"] + 150, c["y"] + 140))
            drawn = box_field(page)
            assert near(drawn, [100, 80, 200, 200])
            page.keyboard.press("n")
            page.wait_for_selector('.ls-image[data-index="1"]')
            assert kernel_json(nb, None, 1) == {"targets": [drawn, [0, 0, 0, 0], [0, 0, 0, 0]], "index": 1}
        finally:
            page.close()


def test_chromium_is_debians():
    assert shutil.which("chromium") or os.path.exists(CHROMIUM)
