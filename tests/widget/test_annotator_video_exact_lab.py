"""End to end: the picture the browser paints for frame i is PyAV's frame i, not a neighbour.

Three files made here: 1920x1080 H.264 with B-frames, one with a variable frame rate (frame
durations of 1, 2 and 3 ticks), and H.264 with B-frames in AVI (whose timestamps count decode
order). All three are decoded in Chromium by WebCodecs from the packets the kernel sends. For frames
chosen at random, the painted canvas (read back at the canvas's size, half the video's) is compared
with PyAV's decode of that frame and of its neighbours, downscaled alike.
"""

import os
import random
from io import BytesIO

import numpy as np
import pytest

from tests.widget.jupyter import CHROMIUM

if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytest.importorskip("playwright.sync_api")
av = pytest.importorskip("av")

WIDTH, HEIGHT, FRAMES = 1920, 1080, 48
CANVAS_W, CANVAS_H = 960, 540  # the video fitted at exactly half its size


def frame_image(i: int) -> np.ndarray:
    """Frame i: a bar code of i across the top, a level and a band that move with i below it."""
    image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    image[:] = 40 + (i * 37) % 160
    for bit in range(8):
        image[:120, bit * WIDTH // 8 : (bit + 1) * WIDTH // 8] = 255 if (i >> (7 - bit)) & 1 else 0
    band = (i * 97) % (WIDTH - 200)
    image[300:900, band : band + 200] = (250, 30, 30)
    return image


def write(path, durations=None) -> None:
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=25, options={"bf": "2", "g": "12", "crf": "18", "preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        if durations is not None:
            from fractions import Fraction

            stream.codec_context.time_base = Fraction(1, 50)
        pts = 0
        for i in range(FRAMES):
            frame = av.VideoFrame.from_ndarray(frame_image(i), format="rgb24")
            if durations is not None:
                frame.pts = pts
                pts += durations[i % len(durations)]
            out.mux(stream.encode(frame))
        out.mux(stream.encode())


def reference(path) -> list[np.ndarray]:
    """PyAV's frames in presentation order, downscaled by 2 (2x2 means) to grey."""
    out = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            grey = frame.to_ndarray(format="rgb24").astype(np.float64).mean(axis=2)
            out.append(grey.reshape(HEIGHT // 2, 2, WIDTH // 2, 2).mean(axis=(1, 3)))
    return out


SETUP = """
from labelspace import Annotator, LabelRow, Ontology, Shape
ontology = Ontology()
ontology.add_object("car", Shape.BOUNDING_BOX)
"""


@pytest.fixture(scope="module")
def files(lab):
    _, root, _ = lab
    write(root / "bframes.mp4")
    write(root / "vfr.mp4", durations=[1, 2, 1, 3])
    write(root / "bframes.avi")  # timestamps in decode order: the pictures are numbered by the decoder's order
    return {name: reference(root / name) for name in ("bframes.mp4", "vfr.mp4", "bframes.avi")}


def painted(page) -> np.ndarray:
    from PIL import Image

    holder = page.locator(".ls-space-canvas").first
    png = holder.screenshot()
    image = Image.open(BytesIO(png)).convert("L")
    if image.size != (CANVAS_W, CANVAS_H):
        image = image.resize((CANVAS_W, CANVAS_H), Image.BOX)
    return np.asarray(image, np.float64)


@pytest.mark.parametrize("name", ["bframes.mp4", "vfr.mp4", "bframes.avi"])
def test_random_frames_painted_are_pyavs_frames(open_notebook, files, name):
    frames = files[name]
    assert len(frames) == FRAMES
    nb, page = open_notebook(
        SETUP,
        f"row = LabelRow.from_media(ontology, {{'cam': {name!r}}})\n"
        f"w = Annotator(row, width={CANVAS_W}, height={CANVAS_H})\nw",
    )
    nb.run(1)
    page.wait_for_selector(".ls-annotator[data-row='0'] .ls-space[data-source]", timeout=30_000)
    assert page.locator(".ls-space").first.get_attribute("data-source") == "video"
    page.locator(".ls-space-canvas").first.scroll_into_view_if_needed()
    chosen = [*random.Random(name).sample(range(FRAMES), 10), FRAMES - 1, 0]
    for frame in chosen:
        page.evaluate("(f) => document.querySelector('.ls-annotator').lsView.seek(f)", frame)
        page.wait_for_function(f"document.querySelector('.ls-annotator').dataset.frame === '{frame}'", timeout=15_000)
        page.wait_for_timeout(80)
        shot = painted(page)
        error = {i: float(np.abs(shot - frames[i]).mean()) for i in (frame - 1, frame, frame + 1) if 0 <= i < FRAMES}
        assert error[frame] < 6, f"frame {frame}: the painted picture is off by {error[frame]:.1f} grey levels"
        for neighbour in error.keys() - {frame}:
            assert error[neighbour] > 3 * error[frame] + 5, f"frame {frame} looks like frame {neighbour}: {error}"


def test_frames_stepped_to_from_the_cache_are_drawn_from_halved_pictures_and_are_pyavs(open_notebook, files):
    # Shown at half its size, a decoded picture stepped to is drawn from a copy halved in the page
    # (2x2 blocks of luma, converted from YUV by labelspace); the copy must still be exactly that frame.
    frames = files["bframes.mp4"]
    nb, page = open_notebook(
        SETUP,
        "row = LabelRow.from_media(ontology, {'cam': 'bframes.mp4'})\n"
        f"w = Annotator(row, width={CANVAS_W}, height={CANVAS_H})\nw",
    )
    nb.run(1)
    page.wait_for_selector(".ls-annotator[data-row='0'] .ls-space[data-source='video']", timeout=30_000)
    page.locator(".ls-space-canvas").first.scroll_into_view_if_needed()
    page.evaluate("() => document.querySelector('.ls-annotator').lsView.seek(20)")
    page.wait_for_function("document.querySelector('.ls-annotator').dataset.frame === '20'", timeout=15_000)
    page.wait_for_timeout(2500)  # the group, the next one and the pictures left out are decoded meanwhile
    drawn = []
    # On past the end of the group (12..23) into the next one, read ahead whole, and back again
    # before the frame jumped to (the pictures the jump left out are decoded afterwards).
    for frame in [*range(21, 31), *range(29, 14, -1)]:
        page.evaluate("(f) => document.querySelector('.ls-annotator').lsView.seek(f)", frame)
        page.wait_for_function(f"document.querySelector('.ls-annotator').dataset.frame === '{frame}'", timeout=15_000)
        page.wait_for_timeout(80)
        drawn.append(page.locator("[data-drawn-from]").first.get_attribute("data-drawn-from"))
        shot = painted(page)
        error = {i: float(np.abs(shot - frames[i]).mean()) for i in (frame - 1, frame, frame + 1)}
        assert error[frame] < 6, f"frame {frame}: the painted picture is off by {error[frame]:.1f} grey levels"
        for neighbour in error.keys() - {frame}:
            assert error[neighbour] > 3 * error[frame] + 5, f"frame {frame} looks like frame {neighbour}: {error}"
    # Every step found its picture decoded already: drawn from its halved copy, none decoded on demand.
    assert drawn.count("image") == 0, drawn
