"""End to end: the Annotator in JupyterLab 4 and Debian's Chromium, each edit checked in the kernel."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from tests.widget.jupyter import CHROMIUM

if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytest.importorskip("playwright.sync_api")

SCALE = 0.8
DOCS = os.path.join(os.path.dirname(__file__), "..", "..", "docs")

SETUP = """
import json
from labelspace import (Annotator, BoundingBoxCoordinates, ChecklistAttribute, LabelRow, NumericAttribute, Ontology,
    PolygonCoordinates, PointCoordinate, Project, RadioAttribute, Shape, SkeletonNode, SkeletonTemplate, TextAttribute)
from labelspace.widget.protocol import object_state

ontology = Ontology()
road = ontology.add_object("road", Shape.POLYGON, color="#1f77b4")
sign = ontology.add_object("sign", Shape.ROTATABLE_BOUNDING_BOX, color="#ff7f0e")
sky = ontology.add_object("sky", Shape.BITMASK, color="#17becf")
nodes = [SkeletonNode("head", 0.5, 0.0), SkeletonNode("left", 0.0, 1.0), SkeletonNode("right", 1.0, 1.0)]
template = SkeletonTemplate(nodes, [("head", "left"), ("head", "right")])
person = ontology.add_object("person", Shape.SKELETON, color="#2ca02c", skeleton=template)
car = ontology.add_object("car", Shape.BOUNDING_BOX, color="#d62728")
lane = ontology.add_object("lane", Shape.POLYLINE, color="#9467bd")
cone = ontology.add_object("cone", Shape.POINT, color="#e377c2")
occlusion = car.add_attribute(RadioAttribute, "occlusion", required=True)
visible = occlusion.add_option("visible")
hidden = occlusion.add_option("hidden")
how = hidden.add_nested_attribute(RadioAttribute, "how much")
half = how.add_option("half")
most = how.add_option("most")
car.add_attribute(TextAttribute, "make")
weather = ontology.add_classification()
sky_kind = weather.add_attribute(RadioAttribute, "weather")
sky_kind.add_option("sunny"); sky_kind.add_option("rain")

project = Project(ontology)
for i in range(2):
    row = LabelRow.from_media(ontology, {"street": f"street{i}.png"})
    project.add_row(row)
first = project.rows[0].list_spaces()[0]
for x, confidence in ((420, 0.9), (600, 0.4)):
    first.put_object_instance(car.create_instance(), BoundingBoxCoordinates.from_pixels((x, 380, 120, 80), 800, 600),
                              manual_annotation=False, confidence=confidence)

def state():
    out = []
    for space in w.row.list_spaces():
        for instance in space.get_object_instances():
            s = object_state(space, instance)
            run = s["runs"][0]
            out.append({"name": instance.ontology_item.name, "id": instance.object_hash, "coords": run["coordinates"],
                        "manual": run["meta"]["manual_annotation"], "answers": s["answers"]})
    return out
"""


@pytest.fixture(scope="module")
def images(lab):
    _, root, _ = lab
    for i in range(2):
        array = np.full((600, 800, 3), (90 + 40 * i, 110, 120), np.uint8)
        array[:250] = (150, 190, 230)  # sky
        array[400:] = (70, 70, 70)  # road
        Image.fromarray(array).save(root / f"street{i}.png")
    return root


@pytest.fixture
def annotator(open_notebook, images):
    """A notebook showing an Annotator on a two-row project; yields (nb, page, at, kernel_state).

    ``at(x, y)`` is where image pixel (x, y) of the first space is on the page now: the 800x600 image
    is shown at 0.8 in a 640x480 canvas, and running a cell may scroll the notebook.
    """
    nb, page = open_notebook(
        SETUP,
        "w = Annotator(project, width=640, height=480)\nw",
        "print(json.dumps(state()))",
        "print(json.dumps({'row': w.row_index}))",
    )
    nb.run(1)
    page.wait_for_selector(".ls-annotator[data-row='0']")
    page.wait_for_function("document.querySelector('.ls-space-canvas canvas') !== null")
    page.wait_for_timeout(300)

    def at(x, y):
        holder = page.locator(".ls-space-canvas").first
        holder.scroll_into_view_if_needed()
        box = holder.bounding_box()
        return box["x"] + x * SCALE, box["y"] + y * SCALE

    def state():
        page.wait_for_function("(document.querySelector('.ls-annotator').dataset.pending || '0') === '0'")
        nb.run(2)
        return json.loads(nb.output(2))

    return nb, page, at, state


def press(page, key):
    page.locator(".ls-annotator").focus()
    page.keyboard.press(key)


def updates(page):
    return int(page.evaluate("document.querySelector('.ls-annotator').dataset.updates || '0'"))


def wait_update(page, before):
    try:
        page.wait_for_function(
            f"Number(document.querySelector('.ls-annotator').dataset.updates || 0) > {before}", timeout=15_000
        )
    except Exception:
        note = page.locator(".ls-annotator .ls-note").inner_text()
        raise AssertionError(f"no update came from the kernel; the widget says: {note!r}") from None


def drag(page, start, end, steps=8):
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=steps)
    page.mouse.up()


def close(a, b, tolerance=0.004):
    return abs(a - b) <= tolerance


def test_draw_and_edit_every_kind_then_undo_and_redo(annotator):
    _, page, at, state = annotator

    # A polygon: click four vertices, close on the first.
    press(page, "1")
    n = updates(page)
    for x, y in ((100, 420), (300, 420), (300, 560), (100, 560)):
        page.mouse.click(*at(x, y))
    page.mouse.click(*at(100, 420))
    wait_update(page, n)
    roads = [o for o in state() if o["name"] == "road"]
    assert len(roads) == 1
    ring = roads[0]["coords"]["polygons"][0][0]
    assert len(ring) == 8 and close(ring[0], 100 / 800) and close(ring[1], 420 / 600)

    # Move a vertex (it is selected after drawing), then insert one by dragging an edge's midpoint.
    press(page, "Escape")  # back to selecting; the new polygon stays selected
    n = updates(page)
    drag(page, at(300, 560), at(340, 580))
    wait_update(page, n)
    n = updates(page)
    drag(page, at(200, 420), at(200, 390))
    wait_update(page, n)
    ring = next(o for o in state() if o["name"] == "road")["coords"]["polygons"][0][0]
    points = list(zip(ring[::2], ring[1::2], strict=True))
    assert len(points) == 5
    assert any(close(x, 340 / 800) and close(y, 580 / 600) for x, y in points)
    assert any(close(x, 200 / 800) and close(y, 390 / 600) for x, y in points)

    # A rotated box, drawn upright, then turned by its rotate handle.
    press(page, "2")
    n = updates(page)
    drag(page, at(500, 100), at(600, 160))
    wait_update(page, n)
    press(page, "Escape")
    n = updates(page)
    # The handle sits 24 screen pixels above the top edge's middle. Drag it round to the right.
    drag(page, at(550, 100 - 24 / SCALE), at(640, 130), steps=12)
    wait_update(page, n)
    sign = next(o for o in state() if o["name"] == "sign")["coords"]
    assert close(sign["w"], 100 / 800) and close(sign["h"], 60 / 600)
    assert 60 < sign["theta"] < 120  # turned clockwise about a quarter

    # A mask: paint a stroke, then erase part of it.
    press(page, "3")
    n = updates(page)
    drag(page, at(100, 100), at(300, 100), steps=20)
    wait_update(page, n)
    mask = next(o for o in state() if o["name"] == "sky")["coords"]
    painted = sum(mask["counts"][1::2])
    assert mask["width"] == 800 and mask["height"] == 600 and painted > 200 * 12
    press(page, "e")
    n = updates(page)
    drag(page, at(150, 100), at(250, 100), steps=12)
    wait_update(page, n)
    erased = sum(next(o for o in state() if o["name"] == "sky")["coords"]["counts"][1::2])
    assert 0 < erased < painted - 50 * 12

    # A skeleton placed into a dragged box, then one node moved.
    press(page, "4")
    n = updates(page)
    drag(page, at(600, 300), at(700, 400))
    wait_update(page, n)
    nodes = next(o for o in state() if o["name"] == "person")["coords"]["nodes"]
    assert [nd["name"] for nd in nodes] == ["head", "left", "right"]
    assert close(nodes[0]["x"], 650 / 800) and close(nodes[0]["y"], 300 / 600)
    assert close(nodes[2]["x"], 700 / 800) and close(nodes[2]["y"], 400 / 600)
    press(page, "Escape")
    n = updates(page)
    drag(page, at(700, 400), at(720, 420))
    wait_update(page, n)
    nodes = next(o for o in state() if o["name"] == "person")["coords"]["nodes"]
    assert close(nodes[2]["x"], 720 / 800) and close(nodes[2]["y"], 420 / 600)

    # Undo three times (the node move, the skeleton, the eraser stroke), redo twice.
    before = state()
    for _ in range(3):
        n = updates(page)
        press(page, "Control+z")
        wait_update(page, n)
    after_undo = {o["name"]: o for o in state()}
    assert "person" not in after_undo
    assert sum(after_undo["sky"]["coords"]["counts"][1::2]) == painted
    for _ in range(2):
        n = updates(page)
        press(page, "Control+Shift+z")
        wait_update(page, n)
    objects = state()
    redone = {o["name"]: o for o in objects}
    assert sum(redone["sky"]["coords"]["counts"][1::2]) == erased
    person = redone["person"]["coords"]["nodes"]
    assert close(person[2]["x"], 700 / 800)  # the node move is still undone
    assert len(objects) == len(before)


def test_attributes_predictions_and_the_next_row(annotator):
    nb, page, at, state = annotator

    # Draw a car and answer its nested radio attribute.
    press(page, "5")
    n = updates(page)
    drag(page, at(100, 100), at(220, 180))
    wait_update(page, n)
    panel = page.locator(".ls-attributes")
    n = updates(page)
    panel.get_by_label("hidden").check()
    wait_update(page, n)
    n = updates(page)
    panel.get_by_label("most").check()
    wait_update(page, n)
    cars = [o for o in state() if o["name"] == "car" and o["manual"]]
    assert len(cars) == 1
    assert len(cars[0]["answers"]) == 2  # occlusion and the nested "how much"

    # Predictions: the 0.9 one accepted with A, the 0.4 one rejected with R.
    press(page, "Escape")
    page.mouse.click(*at(420, 420))  # the edge of the first prediction's box (420, 380, 120, 80)
    n = updates(page)
    press(page, "a")
    wait_update(page, n)
    page.mouse.click(*at(600, 420))
    n = updates(page)
    press(page, "r")
    wait_update(page, n)
    cars = [o for o in state() if o["name"] == "car"]
    assert len(cars) == 2 and all(o["manual"] for o in cars)
    assert any(close(o["coords"]["x"], 420 / 800) for o in cars)
    assert not any(close(o["coords"]["x"], 600 / 800) for o in cars)

    # The next row (n), as the row list says.
    press(page, "n")
    page.wait_for_selector(".ls-annotator[data-row='1']")
    nb.run(3)
    assert json.loads(nb.output(3))["row"] == 1


def test_polyline_point_and_a_screenshot(annotator):
    """A polyline (Enter ends it) and a point; then the picture the README shows, taken here."""
    _, page, at, state = annotator
    press(page, "6")
    n = updates(page)
    for x, y in ((60, 590), (250, 470), (420, 430)):
        page.mouse.click(*at(x, y))
    press(page, "Enter")
    wait_update(page, n)
    press(page, "7")
    n = updates(page)
    page.mouse.click(*at(700, 520))
    wait_update(page, n)
    press(page, "1")
    n = updates(page)
    for x, y in ((40, 420), (330, 410), (380, 590), (20, 590)):
        page.mouse.click(*at(x, y))
    press(page, "Enter")
    wait_update(page, n)
    press(page, "4")
    n = updates(page)
    drag(page, at(560, 260), at(640, 420))
    wait_update(page, n)
    press(page, "3")
    n = updates(page)
    drag(page, at(40, 60), at(760, 80), steps=30)
    wait_update(page, n)
    objects = state()
    lane = next(o for o in objects if o["name"] == "lane")["coords"]["points"]
    assert len(lane) == 6 and close(lane[4], 420 / 800)
    cone = next(o for o in objects if o["name"] == "cone")["coords"]
    assert close(cone["x"], 700 / 800) and close(cone["y"], 520 / 600)
    press(page, "Escape")
    page.mouse.click(*at(420, 420))  # select a prediction, to show its review state
    page.wait_for_timeout(300)
    shot = page.locator(".ls-annotator").screenshot()
    assert len(shot) > 10_000
    if os.environ.get("LABELSPACE_SCREENSHOTS"):
        os.makedirs(DOCS, exist_ok=True)
        with open(os.path.join(DOCS, "annotator.png"), "wb") as f:
            f.write(shot)


def test_a_data_group_side_by_side_copy_paste_hide_and_help(open_notebook, images):
    """Two cameras of one row: side by side, then one at a time; a box copied from one onto the other."""
    nb, page = open_notebook(
        SETUP,
        "group = LabelRow.from_media(ontology, {'left': 'street0.png', 'right': 'street1.png'})\n"
        "w = Annotator(group, width=640, height=480)\nw",
        "boxes = lambda s: [object_state(s, i)['runs'][0]['coordinates'] for i in s.get_object_instances()]\n"
        "print(json.dumps([[s.space_id, boxes(s)] for s in w.row.list_spaces()]))",
    )
    nb.run(1)
    page.wait_for_selector(".ls-annotator[data-row='0']")
    spaces = page.locator(".ls-space")
    assert spaces.count() == 2
    left, right = (spaces.nth(i).locator(".ls-space-canvas") for i in range(2))
    left.scroll_into_view_if_needed()
    a, b = left.bounding_box(), right.bounding_box()
    assert a["x"] + a["width"] <= b["x"]  # side by side
    # Each camera's image is fitted into half the width: ask the view where image pixels are.
    view = page.evaluate("document.querySelector('.ls-annotator').lsView.views[0].stage.view")

    def at(x, y):
        box = left.bounding_box()  # now: focusing the widget may have scrolled the notebook
        return box["x"] + view["x"] + x * view["scale"], box["y"] + view["y"] + y * view["scale"]

    press(page, "5")
    n = updates(page)
    drag(page, at(100, 100), at(300, 200))
    wait_update(page, n)
    press(page, "Control+c")
    b = right.bounding_box()
    page.mouse.click(b["x"] + 5, b["y"] + 5)  # the right camera takes the focus (a click selects nothing)
    press(page, "Escape")
    n = updates(page)
    press(page, "Control+v")
    wait_update(page, n)
    nb.run(2)
    (_, on_left), (_, on_right) = json.loads(nb.output(2))
    assert len(on_left) == 1 and on_right == on_left  # the same normalised box on the other camera

    # One at a time: the tabs choose the camera shown.
    page.get_by_role("button", name="One at a time").click()
    assert spaces.nth(0).is_hidden() and spaces.nth(1).is_visible()  # the camera last worked on
    page.locator(".ls-tab").nth(0).click()
    assert spaces.nth(1).is_hidden() and spaces.nth(0).is_visible()

    # Hide the selected object; the help overlay lists the shortcuts.
    page.locator(".ls-object").first.click()
    press(page, "h")
    assert "ls-hidden" in (page.locator(".ls-object").first.get_attribute("class") or "")
    press(page, "?")
    help_text = page.locator(".ls-help").inner_text()
    assert "Undo" in help_text and "Accept the selected prediction" in help_text
    press(page, "Escape")
    assert page.locator(".ls-help").is_hidden()
