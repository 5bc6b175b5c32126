"""End to end: the Annotator on a DICOM series in JupyterLab 4 and Debian's Chromium.

The series is made here: 24 axial slices of 128 x 128 CT values, each slice four flat quadrants
whose values include the slice's number, so that the grey level painted at a quadrant's middle
can be compared with what ``apply_window`` makes of its value under the window shown.
"""

import json
import os

import numpy as np
import pytest

from labelspace.media._volume import apply_window
from tests.widget.jupyter import CHROMIUM

if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytest.importorskip("playwright.sync_api")
pytest.importorskip("pydicom")

from tests.media.test_volume import write_series

FRAMES, SIZE = 24, 128
WINDOW = (40.0, 400.0)
# (row, column) of each quadrant's middle, and its value on slice k: QUADRANTS[q] + k (HU)
MIDDLES = [(32, 32), (32, 96), (96, 32), (96, 96)]
QUADRANTS = [-1000, 40, 300, 1200]


def hu(k: int) -> list[int]:
    return [v + k for v in QUADRANTS]


def stored_volume() -> np.ndarray:
    """Stored values (HU + 1024, as the series' rescale intercept says)."""
    out = np.empty((FRAMES, SIZE, SIZE), np.int16)
    half = SIZE // 2
    for k in range(FRAMES):
        for (r, c), value in zip(MIDDLES, hu(k), strict=True):
            r0, c0 = (r // half) * half, (c // half) * half
            out[k, r0 : r0 + half, c0 : c0 + half] = value + 1024
    return out


SETUP = """
import json
from labelspace import Annotator, LabelRow, Ontology, Shape
ontology = Ontology()
organ = ontology.add_object("organ", Shape.POLYGON, color="#2ca02c")
row = LabelRow.from_media(ontology, {"ct": "series"})
space = row.get_space(id="ct")

def polygons():
    return {f: [[(round(p.x * 128), round(p.y * 128)) for p in a.coordinates.values]
                for a in space.get_annotations_on_frame(f)]
            for f in range(space.number_of_frames) if space.get_annotations_on_frame(f)}
"""

# The grey levels painted at image pixels (row, column) of the main view (its image layer's canvas).
READ_PIXELS = """(points) => {
    const holder = document.querySelector('.ls-space-canvas');
    const canvas = holder.querySelector('canvas');
    const w = holder.clientWidth, h = holder.clientHeight;
    const ratio = canvas.width / w;
    const scale = Math.min(1, w / 128, h / 128);
    const x0 = (w - 128 * scale) / 2, y0 = (h - 128 * scale) / 2;
    const ctx = canvas.getContext('2d');
    const at = (offset, i) => Math.floor((offset + (i + 0.5) * scale) * ratio);
    return points.map(([r, c]) => ctx.getImageData(at(x0, c), at(y0, r), 1, 1).data[0]);
}"""

TWO_FRAMES = "new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))"


@pytest.fixture(scope="module")
def series(lab):
    _, root, _ = lab
    stored = stored_volume()
    return write_series(root / "series", stored, window=WINDOW, PixelSpacing=[0.8, 0.8], SliceThickness=2.0, step=2.0)


@pytest.fixture
def volume(open_notebook, series):
    nb, page = open_notebook(SETUP, "w = Annotator(row, width=900, height=560)\nw", "print(json.dumps(polygons()))")
    nb.run(1)
    page.wait_for_selector(".ls-space[data-source='volume'] .ls-volume-bar", timeout=30_000)
    page.wait_for_selector(".ls-reformat[data-axis='1'][data-index]")
    settle(page)
    return nb, page


def space(page):
    return page.locator(".ls-space").first


def settle(page) -> None:
    """Wait until no more slices are asked for (the first slice, its neighbours and the two reformats)."""
    last, same = None, 0
    while same < 4:
        page.wait_for_timeout(100)
        now = space(page).get_attribute("data-slices")
        same = same + 1 if now == last else 0
        last = now
    page.evaluate(TWO_FRAMES)


def window_shown(page) -> tuple[float, float]:
    center, width = space(page).get_attribute("data-window").split()
    return float(center), float(width)


def painted(page) -> list[int]:
    page.evaluate(TWO_FRAMES)
    return page.evaluate(READ_PIXELS, MIDDLES)


def expected(frame: int, window) -> list[int]:
    return apply_window(np.array(hu(frame), np.int16), window).tolist()


def press(page, key):
    page.locator(".ls-annotator").focus()
    page.keyboard.press(key)


def wait_update(page, before):
    try:
        page.wait_for_function(f"Number(document.querySelector('.ls-annotator').dataset.updates || 0) > {before}")
    except Exception:
        if os.environ.get("LABELSPACE_DEBUG_SHOTS"):
            page.screenshot(path=os.path.join(os.environ["LABELSPACE_DEBUG_SHOTS"], "volume-failed.png"))
        note = page.locator(".ls-annotator .ls-note").inner_text()
        raise AssertionError(f"no update came from the kernel; the widget says: {note!r}") from None


def test_window_level_paints_from_kept_values_and_a_polygon_lands_on_slice_12(volume):
    nb, page = volume
    assert window_shown(page) == WINDOW
    assert painted(page) == expected(0, WINDOW)

    # Right-drag: sideways the width, up and down the center; painted here, no slice asked for.
    slices = space(page).get_attribute("data-slices")
    holder = page.locator(".ls-space-canvas").first.bounding_box()
    cx, cy = holder["x"] + holder["width"] / 2, holder["y"] + holder["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.down(button="right")
    page.mouse.move(cx + 40, cy - 30, steps=5)
    page.mouse.move(cx + 60, cy - 50, steps=5)
    page.mouse.up(button="right")
    page.evaluate(TWO_FRAMES)
    window = window_shown(page)
    assert window[0] < WINDOW[0] and window[1] > WINDOW[1], window
    assert painted(page) == expected(0, window)
    assert space(page).get_attribute("data-slices") == slices

    # A preset, then the fields.
    page.locator(".ls-window-preset", has_text="bone").click()
    page.evaluate(TWO_FRAMES)
    assert window_shown(page) == (400.0, 1800.0)
    assert painted(page) == expected(0, (400.0, 1800.0))
    page.locator(".ls-window-field[data-field='center']").fill("300")
    page.locator(".ls-window-field[data-field='width']").fill("5")
    page.locator(".ls-window-field[data-field='width']").press("Enter")
    page.evaluate(TWO_FRAMES)
    assert window_shown(page) == (300.0, 5.0)
    assert painted(page) == expected(0, (300.0, 5.0))
    assert space(page).get_attribute("data-slices") == slices

    # Slice 12, under the same window.
    field = page.locator(".ls-frame-field")
    field.fill("12")
    field.press("Enter")
    page.wait_for_function("document.querySelector('.ls-annotator').dataset.frame === '12'")
    assert painted(page) == expected(12, (300.0, 5.0))

    # A polygon drawn with the polygon tool on slice 12.
    before = int(page.evaluate("document.querySelector('.ls-annotator').dataset.updates || '0'"))
    press(page, "1")  # focusing the widget may scroll the notebook: measure after
    box = page.locator(".ls-space-canvas").first.bounding_box()
    x0 = box["x"] + (box["width"] - SIZE) / 2
    y0 = box["y"] + (box["height"] - SIZE) / 2
    for x, y in [(40, 40), (90, 40), (90, 90), (40, 90)]:
        page.mouse.click(x0 + x, y0 + y)
    press(page, "Enter")
    wait_update(page, before)
    nb.run(2)
    assert json.loads(nb.output(2)) == {"12": [[[40, 40], [90, 40], [90, 90], [40, 90]]]}

    # The coronal reformat (row 64) shows the polygon's cut on slice 12.
    page.wait_for_function("document.querySelector(\".ls-reformat[data-axis='1']\").dataset.cuts === '1'")

    # A click high in the sagittal reformat goes to a later slice (the last is at the top) and
    # moves the crosshair's row.
    sagittal = page.locator(".ls-reformat[data-axis='2'] canvas")
    sagittal.scroll_into_view_if_needed()
    sagittal = sagittal.bounding_box()
    page.mouse.click(sagittal["x"] + sagittal["width"] * 0.25, sagittal["y"] + sagittal["height"] * 0.3)
    page.wait_for_function("document.querySelector('.ls-annotator').dataset.frame !== '12'")
    frame = int(page.evaluate("document.querySelector('.ls-annotator').dataset.frame"))
    assert 12 < frame < FRAMES
    row, column = map(int, space(page).get_attribute("data-cross").split())
    assert row < 64 and column == 64
    page.wait_for_function(f"document.querySelector(\".ls-reformat[data-axis='1']\").dataset.index === '{row}'")
