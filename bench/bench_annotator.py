"""The Annotator in a real JupyterLab and Chromium: how fast it draws and edits many shapes.

    .venv/bin/python bench/bench_annotator.py

On a 3840x2160 image holding 1,000 polygons of 20 vertices and 1,000 boxes, measures (targets from
issue 8 in brackets):
  1. first paint of the image with its 2,000 shapes, from the row reaching the browser [200 ms];
  2. frame time while panning (right-drag) and zooming (wheel) [p95 16 ms];
  3. frame time while dragging a polygon vertex [p95 16 ms];
  4. one undo, from Ctrl+Z to the row redrawn with the kernel's answer [16 ms];
  5. a brush stroke with 50 masks on the image: time per step [p95 16 ms]; encoding and sending the
     mask when the stroke ends [50 ms];
  6. moving the confidence slider over 10,000 predictions, per move [50 ms];
  7. drawing every shape afresh for 2,000 to 20,000 shapes: the largest count drawn within a 60 fps
     frame (16.7 ms).
The peers cannot run here; the numbers their users and maintainers report are printed beside ours.
"""

# ruff: noqa: E501 - the JavaScript run in the page is kept on readable lines
from __future__ import annotations

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

WIDTH, HEIGHT = 3840, 2160
SCALING = (2_000, 5_000, 10_000, 15_000)

SETUP = f"""
import numpy as np
from labelspace import (Annotator, BitmaskCoordinates, BoundingBoxCoordinates, LabelRow, Ontology, PolygonCoordinates,
    PointCoordinate, Project, Shape)
W, H = {WIDTH}, {HEIGHT}
ontology = Ontology()
area = ontology.add_object("area", Shape.POLYGON)
car = ontology.add_object("car", Shape.BOUNDING_BOX)
sky = ontology.add_object("sky", Shape.BITMASK)
project = Project(ontology)
rng = np.random.default_rng(0)

def polygon(cx, cy, r, n):
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    rr = r * (0.7 + 0.3 * rng.random(n))
    return PolygonCoordinates([PointCoordinate(float(x), float(y)) for x, y in zip(
        np.clip((cx + rr * np.cos(a)) / W, 0, 1), np.clip((cy + rr * np.sin(a)) / H, 0, 1))])

def shapes_row(n_polygons, n_boxes, vertices=20, predictions=False):
    row = LabelRow.from_media(ontology, {{"photo": "photo.jpg"}})
    space = row.list_spaces()[0]
    for _ in range(n_polygons):
        cx, cy = rng.random(2) * [W, H]
        space.put_object_instance(area.create_instance(), polygon(cx, cy, 20 + rng.random() * 60, vertices))
    for _ in range(n_boxes):
        x, y = rng.random(2) * [W - 200, H - 200]
        w, h = 20 + rng.random(2) * 150
        meta = dict(manual_annotation=False, confidence=float(rng.random())) if predictions else {{}}
        space.put_object_instance(car.create_instance(), BoundingBoxCoordinates(h / H, w / W, x / W, y / H), **meta)
    project.add_row(row)

shapes_row(1000, 1000)                         # row 0: the benchmark's image
masks = LabelRow.from_media(ontology, {{"photo": "photo.jpg"}})   # row 1: 50 masks
space = masks.list_spaces()[0]
yy, xx = np.ogrid[0:H, 0:W]
for i in range(50):
    cx, cy = rng.random(2) * [W, H]
    m = (xx - cx) ** 2 + (yy - cy) ** 2 < (80 + 100 * rng.random()) ** 2
    space.put_object_instance(sky.create_instance(), BitmaskCoordinates(m))
project.add_row(masks)
shapes_row(0, 10_000, predictions=True)        # row 2: 10,000 predictions
for n in {SCALING!r}:                           # rows 3...: more and more shapes
    shapes_row(n // 2, n // 2, vertices=8)
w = Annotator(project, width=1280, height=720)
w
"""

INTERVALS = "() => window.__frames.slice(1).map((t, i) => t - window.__frames[i])"

INSTRUMENT = """
() => {
  window.__draws = [];
  // Listen to each layer once, however often this runs.
  for (const stage of Konva.stages) for (const layer of stage.getLayers()) {
    if (layer.__timed) continue;
    layer.__timed = true;
    let start = 0;
    layer.on('beforeDraw', () => { start = performance.now(); });
    layer.on('draw', () => { window.__draws.push([performance.now(), performance.now() - start]); });
  }
  window.__frames = [];
  window.__recording = true;
  const tick = (t) => { window.__frames.push(t); if (window.__recording) requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}
"""

FRAME_COSTS = """
() => {
  window.__recording = false;
  // The drawing done in each animation frame: layer draws grouped by the frame they fell in.
  const frames = window.__frames, draws = window.__draws, out = [];
  let j = 0;
  for (let i = 1; i < frames.length; i++) {
    let sum = 0, any = false;
    while (j < draws.length && draws[j][0] <= frames[i]) { if (draws[j][0] > frames[i - 1]) { sum += draws[j][1]; any = true; } j++; }
    if (any) out.push(sum);
  }
  return out;
}
"""


VERTEX = """
() => {
  const v = document.querySelector('.ls-annotator').lsView;
  const a = v.store.selected()[0];
  const g = v.store.shown(a);
  const view = v.views[0].stage.view;
  const p = g.parts[0][0][0];
  return [p.x * view.scale + view.x, p.y * view.scale + view.y];
}
"""

UNDO = """
(redo) => new Promise((resolve) => {
  // The work an undo costs on screen: its key handler (the store takes the undone states) and the
  // drawing of the frame that shows it. Layer draws are recorded by INSTRUMENT.
  const ann = document.querySelector('.ls-annotator');
  const out = {};
  const done = () => { if (out.shown !== undefined && out.confirmed !== undefined) resolve(out); };
  const t0 = performance.now();
  ann.addEventListener('ls-update', () => { out.confirmed = performance.now() - t0; done(); }, { once: true });
  ann.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', code: 'KeyZ', ctrlKey: true, shiftKey: redo, bubbles: true }));
  const t1 = performance.now();
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const drawn = window.__draws.filter(([t]) => t > t1).reduce((sum, [, d]) => sum + d, 0);
    out.shown = t1 - t0 + drawn;
    done();
  }));
})
"""


def p(values, q):
    return float(np.percentile(np.asarray(values, float), q)) if len(values) else float("nan")


def photo() -> Image.Image:
    rng = np.random.default_rng(1)
    small = rng.integers(0, 255, (HEIGHT // 40, WIDTH // 40, 3), dtype=np.uint8)
    return Image.fromarray(small).resize((WIDTH, HEIGHT), Image.BILINEAR)


ROW_PARTS = """
() => ({
  loaded: performance.getEntriesByName('ls-row-loaded')[0].duration,
  shown: performance.getEntriesByName('ls-row-shown')[0].duration,
})
"""


def goto_row(page, row: int) -> float:
    """Go to a row; return ms from the row reaching the browser to image and shapes both drawn."""
    page.evaluate("() => performance.clearMarks() || performance.clearMeasures()")
    page.evaluate(
        f"() => {{ const s = document.querySelector('.ls-row-select'); s.value = '{row}'; s.dispatchEvent(new Event('change')); }}"
    )
    page.wait_for_selector(f".ls-annotator[data-row='{row}']", timeout=120_000)
    page.wait_for_function(
        "() => performance.getEntriesByName('ls-image-drawn').length && performance.getEntriesByName('ls-shapes').length",
        timeout=120_000,
    )
    page.wait_for_timeout(300)
    return page.evaluate(
        """() => {
      const row = performance.getEntriesByName('ls-row')[0].startTime;
      const image = performance.getEntriesByName('ls-image-drawn').map(e => e.startTime).filter(t => t > row)[0];
      const shapes = performance.getEntriesByName('ls-shapes').filter(e => e.startTime > row)[0];
      return Math.max(image, shapes.startTime + shapes.duration) - row;
    }"""
    )


def main() -> None:
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        photo().save(root / "photo.jpg", quality=90)
        write_notebook(root / "bench.ipynb", [SETUP])
        with jupyter_lab(root) as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1700, "height": 1100})
            page.goto(f"{url}/lab/workspaces/bench/tree/bench.ipynb?reset")
            nb = Notebook(page, 1)
            started = time.perf_counter()
            nb.run(0, timeout=600_000)
            page.wait_for_selector(".ls-annotator[data-row='0']", timeout=120_000)
            results["kernel_build_s"] = time.perf_counter() - started
            page.wait_for_timeout(1500)
            holder = page.locator(".ls-space-canvas").first
            holder.scroll_into_view_if_needed()
            c = holder.bounding_box()
            cx, cy = c["x"] + c["width"] / 2, c["y"] + c["height"] / 2

            # 1. first paint: leave the row for one far from it and come back, five times.
            paints, parts = [], []
            for _ in range(5):
                goto_row(page, 2)
                paints.append(goto_row(page, 0))
                parts.append(page.evaluate(ROW_PARTS))
            results["first_paint"] = paints
            results["first_paint_parts"] = parts
            page.wait_for_timeout(500)

            # 2. pan and zoom.
            page.evaluate(INSTRUMENT)
            page.mouse.move(cx, cy)
            page.mouse.down(button="right")
            for k in range(120):
                a = k / 120 * 2 * np.pi
                page.mouse.move(cx + 200 * np.cos(a), cy + 120 * np.sin(a))
            page.mouse.up(button="right")
            for k in range(60):
                page.mouse.wheel(0, -60 if k < 30 else 60)
            page.wait_for_timeout(400)
            results["pan_zoom"] = page.evaluate(FRAME_COSTS)
            results["pan_zoom_intervals"] = page.evaluate(INTERVALS)

            # 3. drag a vertex of a polygon: select one from the objects list, grab its first vertex.
            page.locator(".ls-annotator").focus()
            page.keyboard.press("f")
            page.evaluate(
                "() => [...document.querySelectorAll('.ls-object')].find(li => li.dataset.key && li.textContent.startsWith('area')).click()"
            )
            page.wait_for_timeout(300)
            vertex = page.evaluate(VERTEX)
            page.evaluate(INSTRUMENT)
            sx, sy = c["x"] + vertex[0], c["y"] + vertex[1]
            page.mouse.move(sx, sy)
            page.mouse.down()
            for k in range(120):
                page.mouse.move(sx + 60 * np.sin(k / 20), sy + 40 * np.cos(k / 20) - 40)
            page.mouse.up()
            page.wait_for_timeout(400)
            results["vertex_drag"] = page.evaluate(FRAME_COSTS)
            results["vertex_drag_intervals"] = page.evaluate(INTERVALS)
            moved = page.evaluate(VERTEX)
            assert moved != vertex, "the vertex did not move"

            # 4. undo: from Ctrl+Z to the frame showing it, and to the kernel's confirmation.
            shown, confirmed = [], []
            page.evaluate(INSTRUMENT)
            for k in range(20):
                timing = page.evaluate(UNDO, k % 2 == 1)
                shown.append(timing["shown"])
                confirmed.append(timing["confirmed"])
            results["undo_shown"] = shown
            results["undo_confirmed"] = confirmed

            # 5. a brush stroke on the row with 50 masks.
            goto_row(page, 1)
            page.locator(".ls-annotator").focus()
            page.keyboard.press("3")
            page.evaluate(
                """() => {
              window.__steps = [];
              const holder = document.querySelector('.ls-space-canvas');
              let t0 = 0;
              holder.addEventListener('pointermove', () => { t0 = performance.now(); }, true);
              window.addEventListener('pointermove', () => { if (t0) window.__steps.push(performance.now() - t0); t0 = 0; });
            }"""
            )
            page.evaluate(INSTRUMENT)
            page.mouse.move(cx - 300, cy)
            page.mouse.down()
            for k in range(150):
                page.mouse.move(cx - 300 + 4 * k, cy + 80 * np.sin(k / 10))
            page.mouse.up()
            page.wait_for_timeout(500)
            handlers = page.evaluate("() => window.__steps")
            draws = page.evaluate(FRAME_COSTS)
            results["brush_handler"] = handlers
            results["brush_draw"] = draws
            results["mask_sent"] = page.evaluate(
                "() => performance.getEntriesByName('ls-mask-sent').map(e => e.duration)"
            )
            results["mask_encoded"] = page.evaluate(
                "() => performance.getEntriesByName('ls-mask-encoded').map(e => e.duration)"
            )

            # 6. the confidence slider over 10,000 predictions.
            goto_row(page, 2)
            results["slider"] = page.evaluate(
                """async () => {
              const slider = document.querySelector('.ls-threshold');
              const out = [];
              for (let k = 0; k <= 40; k++) {
                const t0 = performance.now();
                slider.value = String(k / 40);
                slider.dispatchEvent(new Event('input'));
                await new Promise((r) => requestAnimationFrame(() => r()));
                out.push(performance.now() - t0);
              }
              return out;
            }"""
            )

            # 7. drawing every shape afresh, for more and more shapes.
            scaling = []
            for i, n in enumerate(SCALING):
                goto_row(page, 3 + i)
                times = []
                for _ in range(5):
                    page.locator(".ls-annotator").focus()
                    page.keyboard.press("+")
                    page.wait_for_timeout(250)
                    times.append(page.evaluate("() => performance.getEntriesByName('ls-shapes').slice(-1)[0].duration"))
                # Panning over them: frame intervals while the view moves (the cached bitmaps move).
                page.evaluate(INSTRUMENT)
                page.mouse.move(cx, cy)
                page.mouse.down(button="right")
                for k in range(60):
                    a = k / 60 * 2 * np.pi
                    page.mouse.move(cx + 150 * np.cos(a), cy + 90 * np.sin(a))
                page.mouse.up(button="right")
                costs = page.evaluate(FRAME_COSTS)
                intervals = page.evaluate(INTERVALS)
                scaling.append((n, p(times, 50), p(costs, 95), p(intervals, 50)))
            results["scaling"] = scaling
            browser.close()

    version = os.popen(f"{CHROMIUM} --version 2>/dev/null").read().strip()
    print(
        f"Annotator in JupyterLab | {version} headless, software rendering | Python {platform.python_version()}"
        f" | {os.cpu_count()} cores"
    )
    print(
        f"kernel: building the project ({sum(SCALING) + 12_050:,} shapes) and showing the widget took"
        f" {results['kernel_build_s']:.1f} s"
    )
    print()
    fp = results["first_paint"]
    loaded = [p["loaded"] for p in results["first_paint_parts"]]  # type: ignore[attr-defined]
    shown = [p["shown"] for p in results["first_paint_parts"]]  # type: ignore[attr-defined]
    print(
        f"1. first paint, 3840x2160 image + 2,000 shapes:  p50 {p(fp, 50):6.1f} ms   max {max(fp):6.1f} ms   (5 times)   [target 200 ms]"
    )
    print(
        f"   of which the row read into the store p50 {p(loaded, 50):5.1f} ms, the lists and views p50 {p(shown, 50) - p(loaded, 50):5.1f} ms more"
    )
    pz = results["pan_zoom"]
    print(
        f"2. pan and zoom, drawing per frame:               p50 {p(pz, 50):6.2f} ms   p95 {p(pz, 95):6.2f} ms"
        f"   ({len(pz)} frames)   [p95 16 ms]"
    )  # type: ignore[arg-type]
    pi = results["pan_zoom_intervals"]
    print(f"   time between animation frames meanwhile:      p50 {p(pi, 50):6.2f} ms   p95 {p(pi, 95):6.2f} ms")
    vd = results["vertex_drag"]
    print(
        f"3. dragging a vertex, drawing per frame:          p50 {p(vd, 50):6.2f} ms   p95 {p(vd, 95):6.2f} ms"
        f"   ({len(vd)} frames)   [p95 16 ms]"
    )  # type: ignore[arg-type]
    vi = results["vertex_drag_intervals"]
    print(f"   time between animation frames meanwhile:      p50 {p(vi, 50):6.2f} ms   p95 {p(vi, 95):6.2f} ms")
    us, uc = results["undo_shown"], results["undo_confirmed"]
    print(
        f"4. undo and redo, handler + drawing the frame:  p50 {p(us, 50):6.2f} ms   p95 {p(us, 95):6.2f} ms   [16 ms]"
    )
    print(f"   ... to the kernel's confirmation (round trip): p50 {p(uc, 50):6.2f} ms   p95 {p(uc, 95):6.2f} ms")
    bh, bd = results["brush_handler"], results["brush_draw"]
    print(
        f"5. brush stroke with 50 masks: per step (stamp + repaint) p50 {p(bh, 50):6.2f} ms   p95 {p(bh, 95):6.2f} ms;"
        f" drawing per frame p95 {p(bd, 95):6.2f} ms; together at most {p(bh, 95) + p(bd, 95):6.2f} ms   [p95 16 ms]"
    )
    me, ms = results["mask_encoded"], results["mask_sent"]
    print(
        f"   encoding the 3840x2160 mask (run lengths):     {p(me, 50):6.2f} ms   [50 ms];"
        f" encoding and sending it {p(ms, 50):6.2f} ms"
    )
    sl = results["slider"]
    print(
        f"6. confidence slider over 10,000 predictions:     p50 {p(sl, 50):6.2f} ms   p95 {p(sl, 95):6.2f} ms"
        f"   max {max(sl):6.2f} ms   [50 ms]"
    )  # type: ignore[arg-type]
    print("7. more and more shapes (half boxes, half 8-vertex polygons): drawing them all afresh; panning over them")
    best = 0
    for n, fresh, pan_draw, pan_interval in results["scaling"]:  # type: ignore[attr-defined]
        print(
            f"   {n:>6,} shapes: afresh {fresh:6.2f} ms   panning: drawing p95 {pan_draw:5.2f} ms a frame,"
            f" frames every {pan_interval:5.2f} ms (p50)"
        )
        if fresh <= 1000 / 60:
            best = n
    print(f"   largest count drawn afresh within a 60 fps frame: {best:,}; panning moves cached bitmaps at any count")
    print()
    print(
        "Peers, as their users and maintainers report them (not run here): CVAT lags at 300-1,000 shapes and takes"
        " 2-5 s an action at 3,000 polygons; Label Studio calls 700-800 boxes impractical and freezes 10 s with a few"
        " brush masks."
    )


if __name__ == "__main__":
    main()
