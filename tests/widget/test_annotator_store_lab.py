"""End to end: the sample project imported into a store, its first row claimed and edited in the
Annotator (Chromium, JupyterLab 4)."""

import json
import os

import pytest

from tests.widget.jupyter import CHROMIUM

if not os.path.exists(CHROMIUM):
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

pytest.importorskip("playwright.sync_api")

SETUP = """
import json, os
from labelspace import Annotator
from labelspace.samples.project import street_project
from labelspace.store import Store
project = street_project(".")
for f in ("imported.db", "imported.db-wal", "imported.db-shm"):
    if os.path.exists(f):
        os.remove(f)
store = Store("imported.db")
store.add_project("street", project)
w = Annotator(store, user="ann", stage="annotate", width=640, height=480)
w
"""

CHECK = """
row_id = w.work["row_id"]
print(json.dumps({
    "row": row_id,
    "status": w.save_status,
    "log": [[e.user, e.op["op"]] for e in store.history(row_id)],
    "same": store.load_row(row_id).to_dict() == w.row.to_dict(),
}))
"""


def test_an_imported_row_claimed_and_answered(open_notebook):
    nb, page = open_notebook(SETUP, CHECK)
    page.wait_for_selector(".ls-annotator[data-row='0']")
    page.locator(".ls-annotator").scroll_into_view_if_needed()
    page.locator(".ls-object").first.click()  # the first car
    panel = page.locator(".ls-attributes")
    panel.locator("fieldset").first.wait_for()

    # The car's dynamic attribute (occlusion) is named, not offered: an image takes no dynamic answers.
    assert "occlusion" in (panel.locator(".ls-frame-only").text_content() or "")
    assert panel.locator(".ls-attr-dynamic").count() == 0
    assert panel.locator("legend", has_text="occlusion").count() == 0

    # A static answer is committed to the store as it is made.
    panel.get_by_label("saloon").check()
    nb.run(1)
    done = json.loads(nb.output(1))
    for _ in range(20):  # the edit reaches the kernel a moment after the click
        if done["log"]:
            break
        page.wait_for_timeout(250)
        nb.run(1)
        done = json.loads(nb.output(1))
    assert done["log"] == [["ann", "set_answer"]] and done["status"] == "saved" and done["same"], done
    assert page.locator(".ls-annotator .ls-refused").count() == 0
    if os.environ.get("LABELSPACE_DEBUG_SHOTS"):
        page.locator(".ls-annotator").screenshot(path=os.path.join(os.environ["LABELSPACE_DEBUG_SHOTS"], "store.png"))
