"""End to end: the objects list holds every object of a row, and only the rows scrolled into view
are in the page (Chromium, JupyterLab 4)."""

import os

import numpy as np
import pytest
from PIL import Image

from tests.widget.jupyter import CHROMIUM

if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytest.importorskip("playwright.sync_api")

SETUP = """
import numpy as np
from labelspace import Annotator, BoundingBoxCoordinates, LabelRow, Ontology, Shape
ontology = Ontology()
car = ontology.add_object("car", Shape.BOUNDING_BOX)
person = ontology.add_object("person", Shape.BOUNDING_BOX)
row = LabelRow.from_media(ontology, {"street": "street.png"})
space = row.list_spaces()[0]
rng = np.random.default_rng(5)
hashes = []
for i in range(2000):
    x, y = rng.random(2) * [700, 500]
    instance = (car if i < 1999 else person).create_instance()
    space.put_object_instance(instance, BoundingBoxCoordinates.from_pixels((x, y, 30, 20), 800, 600))
    hashes.append(instance.object_hash)
w = Annotator(row, width=640, height=480)
w
"""

LISTED = """
() => {
  const list = document.querySelector('.ls-object-list');
  const rows = [...list.querySelectorAll('.ls-object')];
  const top = list.scrollTop, bottom = top + list.clientHeight;
  return {
    header: document.querySelector('.ls-objects h4').textContent,
    keys: rows.map((li) => li.dataset.key.split('/').pop()),
    inView: rows
      .filter((li) => li.offsetTop >= top && li.offsetTop + li.offsetHeight <= bottom)
      .map((li) => li.dataset.key.split('/').pop()),
    selected: rows.filter((li) => li.classList.contains('ls-selected')).map((li) => li.dataset.key.split('/').pop()),
    scrollHeight: list.scrollHeight,
  };
}
"""


@pytest.fixture(scope="module")
def street(lab):
    _, root, _ = lab
    Image.fromarray(np.full((600, 800, 3), (120, 120, 110), np.uint8)).save(root / "street.png")
    return root


def test_every_object_listed_only_those_in_view_in_the_page(open_notebook, street):
    nb, page = open_notebook(SETUP, "print(' '.join(hashes))")
    page.wait_for_selector(".ls-annotator[data-row='0']")
    nb.run(1)
    hashes = nb.output(1).split()
    assert len(hashes) == 2000
    page.locator(".ls-annotator").scroll_into_view_if_needed()

    listed = page.evaluate(LISTED)
    assert listed["header"] == "Objects (2000)"
    assert listed["scrollHeight"] >= 2000 * 20  # room for every row
    assert 8 <= len(listed["keys"]) <= 30, len(listed["keys"])
    assert listed["inView"][0] == hashes[0] and listed["keys"] == hashes[: len(listed["keys"])]

    # Scrolled to the end: the last object (the person) is there, the first ones are gone.
    page.evaluate("() => { const l = document.querySelector('.ls-object-list'); l.scrollTop = l.scrollHeight; }")
    page.wait_for_function(f"!!document.querySelector('.ls-object[data-key$=\"{hashes[-1]}\"]')")
    listed = page.evaluate(LISTED)
    assert hashes[-1] in listed["inView"] and hashes[0] not in listed["keys"]
    assert len(listed["keys"]) <= 30
    last = page.locator(f".ls-object[data-key$='{hashes[-1]}']")
    assert (last.text_content() or "").startswith("person")

    # Clicking a row selects its object; selecting one elsewhere (Tab on the image) brings its row
    # into view, marked.
    last.click()
    page.wait_for_function(f"document.querySelector('.ls-annotator').lsView.store.selection.has('street/{hashes[-1]}')")
    page.evaluate(f"() => document.querySelector('.ls-annotator').lsView.store.select(['street/{hashes[1000]}'])")
    page.wait_for_function(f"!!document.querySelector('.ls-object.ls-selected[data-key$=\"{hashes[1000]}\"]')")
    listed = page.evaluate(LISTED)
    assert listed["selected"] == [hashes[1000]] and hashes[1000] in listed["inView"]
    assert hashes[-1] not in listed["keys"]

    # Its hide toggle works on the row in view.
    page.locator(f".ls-object[data-key$='{hashes[1000]}'] button", has_text="hide").click()
    row = f"document.querySelector('.ls-object[data-key$=\"{hashes[1000]}\"]')"
    page.wait_for_function(f"{row}.classList.contains('ls-hidden')")
    store = "document.querySelector('.ls-annotator').lsView.store"
    assert page.evaluate(f"() => {store}.objects.get('street/{hashes[1000]}').hidden")
