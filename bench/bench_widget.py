"""The Innotater in a real JupyterLab and Chromium: how fast it steps and drags.

    .venv/bin/python bench/bench_widget.py

Measures:
  1. the time from pressing ``n`` to the next 1920x1080 JPEG being painted, over 50 images
     (p50 / p95): once pausing 300 ms between presses, as an annotator looking at each image
     does, and once pressing as fast as paints allow;
  2. frame times while dragging one box with 500 boxes shown: the time Konva spends drawing per
     frame, and the interval between animation frames.

Targets (issue 3): p95 under 50 ms for the next image, under 16 ms per frame while dragging.
"""

from __future__ import annotations

import io
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright
from tests.widget.jupyter import CHROMIUM, CHROMIUM_ARGS, Notebook, jupyter_lab, write_notebook

IMAGES = 51
BOXES = 500

INSTRUMENT = """
() => {
  window.__painted = [];
  window.__keys = [];
  document.addEventListener('keydown', (e) => { if (e.key === 'n') window.__keys.push(performance.now()); }, true);
  document.addEventListener('ls-painted', (e) => {
    const drawn = performance.now();
    requestAnimationFrame(() => window.__painted.push({index: e.detail.index, drawn, frame: performance.now()}));
  });
}
"""

DRAG_INSTRUMENT = """
() => {
  window.__draws = [];
  window.__frames = [];
  const canvas = [...document.querySelectorAll('.ls-innotater')].pop().querySelector('.ls-canvas');
  const stage = Konva.stages.find((s) => canvas.contains(s.container()));
  for (const layer of stage.getLayers()) {
    let start = 0;
    layer.on('beforeDraw', () => { start = performance.now(); });
    layer.on('draw', () => { window.__draws.push(performance.now() - start); });
  }
  window.__recording = true;
  const tick = (t) => { window.__frames.push(t); if (window.__recording) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}
"""


def photo_like(seed: int) -> bytes:
    """A 1920x1080 JPEG that compresses like a photo (smooth shapes and some texture), ~quality 90."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:1080, 0:1920].astype(np.float32)
    image = np.zeros((1080, 1920, 3), np.float32)
    for c in range(3):
        fx, fy, phase = rng.random(3) * [0.01, 0.01, 6.28]
        image[..., c] = 128 + 80 * np.sin(x * fx + phase) * np.cos(y * fy)
    image += rng.normal(0, 12, image.shape)
    out = io.BytesIO()
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(out, "JPEG", quality=90)
    return out.getvalue()


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def step_through(page, pause_ms: int) -> list[float]:
    """Press n through every image; return milliseconds from each key press to the next paint."""
    page.evaluate("() => { window.__painted = []; window.__keys = []; }")
    latencies = []
    for i in range(1, IMAGES):
        page.keyboard.press("n")
        page.wait_for_function(f"() => window.__painted.some(p => p.index === {i})", timeout=20_000)
        if pause_ms:
            page.wait_for_timeout(pause_ms)
    painted = page.evaluate("() => window.__painted")
    keys = page.evaluate("() => window.__keys")
    by_index = {p["index"]: p["frame"] for p in painted}
    for i, pressed in enumerate(keys, start=1):
        latencies.append(by_index[i] - pressed)
    return latencies


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        sizes = []
        for i in range(IMAGES):
            data = photo_like(i)
            sizes.append(len(data))
            (root / f"photo{i:02d}.jpg").write_bytes(data)
        rng = np.random.default_rng(0)
        xy = rng.random((BOXES, 2)) * [1800, 1000]
        wh = 20 + rng.random((BOXES, 2)) * 80
        np.save(root / "boxes.npy", np.concatenate([xy, wh], axis=1).astype(int)[None])
        write_notebook(
            root / "bench.ipynb",
            [
                "import numpy as np\nfrom labelspace.innotater import *\n"
                f"files = [f'photo{{i:02d}}.jpg' for i in range({IMAGES})]\n"
                f"targets = np.zeros(({IMAGES}, 4), dtype=int)\n"
                "w = Innotater(ImageInnotation(files, width=960), BoundingBoxInnotation(targets))\nw",
                "boxes = np.load('boxes.npy')\n"
                "w2 = Innotater(ImageInnotation(files[:1], width=960),"
                f" RepeatInnotation((BoundingBoxInnotation, boxes), max_repeats={BOXES}))\nw2",
            ],
        )
        with jupyter_lab(root) as url, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 1100})
            page.goto(f"{url}/lab/workspaces/bench/tree/bench.ipynb?reset")
            nb = Notebook(page, 2)
            page.evaluate(INSTRUMENT)
            nb.run(0)
            page.wait_for_selector('.ls-image[data-index="0"]', timeout=30_000)
            page.wait_for_timeout(1000)
            page.locator(".ls-innotater").first.focus()
            paced = step_through(page, pause_ms=300)
            page.keyboard.press("Home")
            for _ in range(IMAGES):
                page.keyboard.press("p")
            page.wait_for_function("() => document.querySelector('.ls-image').dataset.index === '0'", timeout=60_000)
            page.wait_for_timeout(1000)
            rapid = step_through(page, pause_ms=0)

            nb.run(1)
            page.wait_for_function("() => document.querySelectorAll('.ls-repeat-row').length === 500", timeout=60_000)
            page.wait_for_timeout(1500)
            canvas = page.locator(".ls-innotater").last.locator(".ls-canvas canvas").first
            canvas.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            c = canvas.bounding_box()
            x0, y0, w0, h0 = np.load(root / "boxes.npy")[0, 0] / 2  # the first box, on the half-size display
            page.mouse.click(c["x"] + x0, c["y"] + y0 + h0 / 2)  # select it by its left edge
            first_field = page.locator(".ls-innotater").last.locator(".ls-box-text").first
            before = first_field.input_value()
            page.evaluate(DRAG_INSTRUMENT)
            page.mouse.move(c["x"] + x0 + w0 / 2, c["y"] + y0 + h0 / 2)
            page.mouse.down()
            started = time.perf_counter()
            for k in range(240):
                angle = k / 240 * 2 * np.pi
                page.mouse.move(c["x"] + 400 + 150 * np.cos(angle), c["y"] + 250 + 100 * np.sin(angle))
            drag_seconds = time.perf_counter() - started
            page.mouse.up()
            page.evaluate("() => { window.__recording = false; }")
            page.wait_for_timeout(500)
            after = first_field.input_value()
            assert after != before, "the drag did not move the box"
            draws = page.evaluate("() => window.__draws")
            frames = page.evaluate("() => window.__frames")
            intervals = np.diff(frames).tolist()
            browser.close()

    version = os.popen(f"{CHROMIUM} --version 2>/dev/null").read().strip()
    print(f"Innotater in JupyterLab | {version} headless | Python {platform.python_version()} | {os.cpu_count()} cores")
    print()
    print(
        f"1. n -> next 1920x1080 JPEG painted ({IMAGES - 1} steps; JPEGs {np.mean(sizes) / 1024:.0f} KiB on average;"
        " shown at 960 px)"
    )
    print(
        f"   pausing 300 ms between presses: p50 {percentile(paced, 50):6.1f} ms   p95 {percentile(paced, 95):6.1f} ms"
        f"   max {max(paced):6.1f} ms"
    )
    print(
        f"   pressing as fast as paints:     p50 {percentile(rapid, 50):6.1f} ms   p95 {percentile(rapid, 95):6.1f} ms"
        f"   max {max(rapid):6.1f} ms"
    )
    print()
    print(
        f"2. dragging one box among {BOXES} (240 mouse moves in {drag_seconds:.2f} s;"
        f" the box went from {before} to {after})"
    )
    print(
        f"   Konva draw per frame:       p50 {percentile(draws, 50):6.2f} ms   p95 {percentile(draws, 95):6.2f} ms"
        f"   ({len(draws)} draws)"
    )
    print(
        f"   animation frame interval:   p50 {percentile(intervals, 50):6.2f} ms"
        f"   p95 {percentile(intervals, 95):6.2f} ms"
        f"   ({len(intervals)} frames)"
    )


if __name__ == "__main__":
    main()
