"""End to end: the shapes layer draws again only where shapes changed, and leaves the pixels that
drawing everything afresh leaves (Chromium, JupyterLab 4).

After each edit, selection and threshold move, the page's shapes bitmap is read, then every
bitmap is drawn afresh and read again: the two must agree.
"""

import os

import numpy as np
import pytest
from PIL import Image

from tests.widget.jupyter import CHROMIUM

if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytest.importorskip("playwright.sync_api")

SETUP = """
import json
import numpy as np
from labelspace import Annotator, BoundingBoxCoordinates, LabelRow, Ontology, PolygonCoordinates, PointCoordinate, Shape
ontology = Ontology()
car = ontology.add_object("car", Shape.BOUNDING_BOX, color="#d62728")
road = ontology.add_object("road", Shape.POLYGON, color="#1f77b4")
row = LabelRow.from_media(ontology, {"crowd": "crowd.png"})
space = row.list_spaces()[0]
rng = np.random.default_rng(3)
for i in range(300):  # overlapping boxes and polygons, people's
    x, y = rng.random(2) * [700, 500]
    w, h = 20 + rng.random(2) * 80
    if i % 3:
        space.put_object_instance(car.create_instance(), BoundingBoxCoordinates.from_pixels((x, y, w, h), 800, 600))
    else:
        corners = ((0, 0), (1, 0.2), (0.8, 1), (0.1, 0.7))
        pts = [PointCoordinate((x + w * a) / 800, (y + h * b) / 600) for a, b in corners]
        space.put_object_instance(road.create_instance(), PolygonCoordinates(pts))
for i in range(120):  # predictions, their confidence labelled
    x, y = rng.random(2) * [700, 500]
    space.put_object_instance(car.create_instance(), BoundingBoxCoordinates.from_pixels((x, y, 60, 40), 800, 600),
                              manual_annotation=False, confidence=float(rng.random()))
target = car.create_instance()
space.put_object_instance(target, BoundingBoxCoordinates.from_pixels((350, 250, 90, 70), 800, 600))
w = Annotator(row, width=640, height=480)
w
"""

COMPARE = """
async () => {
  // The shapes layer's canvas as it was drawn, then as drawing every bitmap afresh draws it.
  const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  await frame();
  const view = document.querySelector('.ls-annotator').lsView.views[0];
  const canvas = view.stage.staticLayer.getCanvas()._canvas;
  const grab = () => canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const drawn = grab();
  view.shapes.invalidate();
  await frame();
  const fresh = grab();
  // Compared as premultiplied colour: a line drawn in one and not the other differs by far more
  // than the threshold. The rasteriser's anti-aliasing of an edge does not: it may differ by up to
  // about 40 of 255 between a path of all a bitmap's shapes and one of a few of them.
  let differ = 0, painted = 0;
  const where = [];
  for (let i = 0; i < drawn.length; i += 4) {
    if (fresh[i + 3] > 0) painted++;
    for (let k = 0; k < 4; k++) {
      const a = k === 3 ? drawn[i + 3] : (drawn[i + k] * drawn[i + 3]) / 255;
      const b = k === 3 ? fresh[i + 3] : (fresh[i + k] * fresh[i + 3]) / 255;
      if (Math.abs(a - b) > 96) {
        const x = (i / 4) % canvas.width, y = Math.floor(i / 4 / canvas.width);
        if (differ++ < 3) where.push([x, y, [...drawn.slice(i, i + 4)], [...fresh.slice(i, i + 4)]]);
        break;
      }
    }
  }
  return { differ, painted, where };
}
"""

SLIDE = "(v) => { const s = document.querySelector('.ls-threshold'); s.value = v; s.dispatchEvent(new Event('input')) }"

PREDICTION = """
() => {
  // A prediction of middling confidence, drawn (not selected).
  const store = document.querySelector('.ls-annotator').lsView.store;
  const middling = (o) => store.isPrediction(o) && o.meta.confidence > 0.4 && o.meta.confidence < 0.6;
  const a = [...store.objects.values()].find(middling);
  return [a.key, a.meta.confidence];
}
"""

PATCHES = "() => performance.getEntriesByName('ls-shapes-patch').map(e => e.detail)"

TARGET = """
() => {
  const v = document.querySelector('.ls-annotator').lsView;
  const a = [...v.store.objects.values()].find((o) => o.key.endsWith(window.__target));
  const g = v.store.shown(a);
  const view = v.views[0].stage.view;
  return { key: a.key, x: (g.x + g.w / 2) * view.scale + view.x, y: (g.y + g.h / 2) * view.scale + view.y };
}
"""


@pytest.fixture(scope="module")
def crowd(lab):
    _, root, _ = lab
    Image.fromarray(np.full((600, 800, 3), (90, 110, 120), np.uint8)).save(root / "crowd.png")
    return root


def same_as_afresh(page, where):
    result = page.evaluate(COMPARE)
    assert result["painted"] > 10_000, f"{where}: the shapes layer is nearly empty ({result})"
    assert result["differ"] == 0, (
        f"{where}: {result['differ']} pixels differ from drawing afresh (x, y, drawn, afresh): {result['where']}"
    )


@pytest.mark.parametrize("scale", [1, 1.5])  # 1.5: areas on whole device pixels, not CSS pixels
def test_edits_redraw_only_their_area_and_leave_the_same_pixels(open_notebook, crowd, scale):
    nb, page = open_notebook(SETUP, "print(target.object_hash)", scale=scale)
    page.wait_for_selector(".ls-annotator[data-row='0']")
    page.wait_for_timeout(800)  # the first paint and the view at rest
    nb.run(1)
    page.evaluate(f"window.__target = {nb.output(1).strip()!r}")
    same_as_afresh(page, "first paint")
    page.evaluate("() => performance.clearMeasures()")

    # Selecting takes the box off the bitmap: only its area is drawn again.
    target = page.evaluate(TARGET)
    page.evaluate(f"() => document.querySelector('.ls-annotator').lsView.store.select([{target['key']!r}])")
    same_as_afresh(page, "after selecting")
    patches = page.evaluate(PATCHES)
    assert patches, "selecting drew the whole bitmap again instead of the box's area"
    assert all(p["shapes"] < p["of"] / 3 for p in patches), patches

    # Dragging it, then leaving it selected elsewhere; deleting it; undoing the delete.
    holder = page.locator(".ls-space-canvas").first
    box = holder.bounding_box()
    sx, sy = box["x"] + target["x"], box["y"] + target["y"]
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move(sx + 120, sy - 60, steps=6)
    page.mouse.up()
    page.wait_for_function("(document.querySelector('.ls-annotator').dataset.pending || '0') === '0'")
    moved = page.evaluate(TARGET)
    assert abs(moved["x"] - target["x"] - 120) < 3, (target, moved)
    page.evaluate("() => document.querySelector('.ls-annotator').lsView.store.select([])")
    same_as_afresh(page, "after moving it and leaving it")
    page.evaluate(f"() => document.querySelector('.ls-annotator').lsView.store.select([{target['key']!r}])")
    page.locator(".ls-annotator").focus()
    page.keyboard.press("Delete")
    page.wait_for_function("(document.querySelector('.ls-annotator').dataset.pending || '0') === '0'")
    same_as_afresh(page, "after deleting it")
    page.keyboard.press("Control+z")
    page.wait_for_function("(document.querySelector('.ls-annotator').dataset.pending || '0') === '0'")
    page.wait_for_function(f"!!document.querySelector('.ls-annotator').lsView.store.objects.get({target['key']!r})")
    page.evaluate("() => document.querySelector('.ls-annotator').lsView.store.select([])")
    same_as_afresh(page, "after undoing the delete")
    assert len(page.evaluate(PATCHES)) >= 4

    # The threshold up and down by a step that hides, then shows, one prediction (its area drawn
    # again), and by much (whole bitmaps). The slider moves in steps of 0.01.
    key, confidence = page.evaluate(PREDICTION)
    below = int(confidence * 100) / 100
    steps = ((below, False), (below + 0.01, True), (below, True), (0.62, False), (0.3, False), (0.05, False))
    for value, little in steps:
        page.evaluate("() => performance.clearMeasures()")
        page.evaluate(SLIDE, f"{value:.2f}")
        same_as_afresh(page, f"threshold {value:.2f}")
        if little:
            assert page.evaluate(PATCHES), f"moving the threshold to {value:.2f} drew whole bitmaps again"

    # A selected prediction the threshold hides leaves the selection, and is drawn again when the
    # threshold comes back down.
    page.evaluate(f"() => document.querySelector('.ls-annotator').lsView.store.select([{key!r}])")
    same_as_afresh(page, "a prediction selected")
    page.evaluate(SLIDE, "0.9")
    page.evaluate(SLIDE, "0")
    same_as_afresh(page, "the selected prediction hidden by the threshold, then shown")

    # An edit (a selection) and a threshold move in the same frame.
    page.evaluate(
        f"""() => {{
      document.querySelector('.ls-annotator').lsView.store.select([{target["key"]!r}]);
      ({SLIDE})('0.45');
    }}"""
    )
    same_as_afresh(page, "a selection and the threshold in one frame")
