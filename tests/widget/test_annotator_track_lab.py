"""End to end: tracking from the Annotator in JupyterLab 4 and Debian's Chromium.

The video is made here: the textured square of tests/assist/test_tracking.py moving over its
textured background, encoded as H.264. A box is drawn around the square on frame 0 with the mouse,
`T` tracks it forward, and the kernel's row then holds a prediction on each of the next 50 frames
that overlaps the square with an IoU of at least 0.8.
"""

import json
import os

import pytest

from tests.widget.jupyter import CHROMIUM

if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytest.importorskip("playwright.sync_api")
pytest.importorskip("cv2")
av = pytest.importorskip("av")

from tests.assist.test_tracking import HEIGHT, SIDE, VIDEO, WIDTH, iou, path, true_box  # noqa: E402

SCALE = 1.0  # the 320x240 video in the middle of a 640x480 canvas (fitting never enlarges)
TRACKED = 50  # frames a track from the browser covers past its start

SETUP = """
import json
from labelspace import Annotator, LabelRow, Ontology, Shape
ontology = Ontology()
ontology.add_object("square", Shape.BOUNDING_BOX, color="#1f77b4")
row = LabelRow.from_media(ontology, {"cam": "track.mp4"})
space = row.get_space(id="cam")

def track():
    [square] = space.get_object_instances()
    frames, boxes = space.get_object_track(square)
    runs = space.get_object_runs(square)
    meta = {f: [m.manual_annotation, m.confidence]
            for s, e, m in zip(runs.starts.tolist(), runs.ends.tolist(), runs.metadata) for f in range(s, e + 1)}
    return {"frames": frames.tolist(), "boxes": boxes.tolist(), "meta": [meta[f] for f in frames.tolist()]}
"""


def write_video(file) -> None:
    with av.open(str(file), "w") as out:
        stream = out.add_stream("libx264", rate=25, options={"bf": "2", "g": "12", "crf": "12"})
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        for image in VIDEO:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        out.mux(stream.encode())


@pytest.fixture(scope="module")
def square_video(lab):
    _, root, _ = lab
    write_video(root / "track.mp4")
    return root / "track.mp4"


def press(page, key):
    page.locator(".ls-annotator").focus()
    page.keyboard.press(key)


def dataset(page, name):
    return page.evaluate(f"document.querySelector('.ls-annotator').dataset.{name} || ''")


def wait_for(page, condition, what, timeout=15_000):
    try:
        page.wait_for_function(condition, timeout=timeout)
    except Exception:
        note = page.locator(".ls-annotator .ls-note").inner_text()
        progress = page.locator(".ls-annotator .ls-progress").inner_text()
        raise AssertionError(f"{what}; the widget says {note!r}, its progress {progress!r}") from None


def wait_update(page, before):
    wait_for(
        page,
        f"Number(document.querySelector('.ls-annotator').dataset.updates || 0) > {before}",
        "no update came from the kernel",
    )
    page.wait_for_function("(document.querySelector('.ls-annotator').dataset.pending || '0') === '0'")


def test_a_box_drawn_on_frame_0_is_tracked_over_50_frames_from_the_browser(open_notebook, square_video):
    nb, page = open_notebook(SETUP, "w = Annotator(row, width=640, height=480)\nw", "print(json.dumps(track()))")
    nb.run(1)
    page.wait_for_selector(".ls-annotator[data-row='0']")
    page.wait_for_selector(".ls-timeline:not([hidden])")
    page.wait_for_function("document.querySelector('.ls-space-canvas canvas') !== null")
    page.wait_for_timeout(300)

    # Every progress message as the status bar shows it: (running, done, text).
    page.evaluate(
        """() => {
        window.lsProgress = [];
        const p = document.querySelector('.ls-annotator .ls-progress');
        new MutationObserver(() => window.lsProgress.push([p.dataset.running, p.dataset.done, p.textContent]))
            .observe(p, {attributes: true, childList: true, subtree: true});
    }"""
    )

    # Frame 0: the box tool (key 1), dragged from the square's top-left corner to its bottom-right.
    # Measured after the key: focusing the widget to press it may scroll the page.
    press(page, "1")
    holder = page.locator(".ls-space-canvas").first
    holder.scroll_into_view_if_needed()
    box = holder.bounding_box()
    left = box["x"] + (box["width"] - WIDTH * SCALE) / 2
    top = box["y"] + (box["height"] - HEIGHT * SCALE) / 2
    x, y = path(0)
    n = int(dataset(page, "updates") or 0)
    page.mouse.move(left + x * SCALE, top + y * SCALE)
    page.mouse.down()
    page.mouse.move(left + (x + SIDE) * SCALE, top + (y + SIDE) * SCALE, steps=8)
    page.mouse.up()
    wait_update(page, n)
    press(page, "Escape")  # back to selecting; the new box stays selected
    wait_for(page, "document.querySelector('.ls-annotator').dataset.selected !== ''", "the new box is not selected")
    assert dataset(page, "undo") == "1"

    n = int(dataset(page, "updates"))
    press(page, "t")
    # The last progress message comes after the tracked boxes are stored and sent to the browser.
    wait_for(
        page,
        "document.querySelector('.ls-annotator .ls-progress').textContent.startsWith('Tracked:')",
        "tracking did not finish",
        timeout=60_000,
    )
    wait_update(page, n)
    progress = page.evaluate("window.lsProgress")
    assert any(running == "true" for running, _, _ in progress), progress
    # Done only at the end: no earlier message says the task stopped (storing the result is its last step).
    assert all(running == "true" for running, _, _ in progress[:-1]), progress
    assert progress[-1][0] == "false", progress
    assert progress[-1][2].startswith(f"Tracked: 1 object(s), {TRACKED} frame(s) forward"), progress[-1]
    assert page.locator(".ls-annotator .ls-progress button").count() == 0  # no Cancel once done
    assert dataset(page, "undo") == "2"  # the drawing and the whole track: one step each

    nb.run(2)
    track = json.loads(nb.output(2))
    assert track["frames"] == list(range(TRACKED + 1))
    assert iou(track["boxes"][0], true_box(0)) >= 0.95  # drawn with the mouse
    assert track["meta"][0] == [True, 1.0]
    overlaps = [iou(b, true_box(f)) for f, b in zip(track["frames"], track["boxes"], strict=True)]
    low = {f: round(o, 3) for f, o in enumerate(overlaps) if o < 0.8}
    assert not low, f"frames where the box left the square: {low}"
    for f, (manual, confidence) in enumerate(track["meta"][1:], start=1):
        assert manual is False, f
        assert confidence is not None and 0 < confidence <= 1, (f, confidence)
