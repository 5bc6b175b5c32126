"""`labelspace serve` end to end: a team labels one store in real Chromium pages served by Voila.

The server is the real command, started as a user starts it; each page is a person (their name in
the address, or typed when asked). What they do is checked in the store itself.
"""

import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from labelspace.store import Store
from tests.widget.conftest import require

TOKEN = "team-token-1234"
CLI = [sys.executable, "-c", "from labelspace.cli import main; main()"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A store of the sample project's rows and `labelspace serve` on it: (base URL, store path, server)."""
    require("voila")
    from labelspace.samples.project import street_project

    root = tmp_path_factory.mktemp("serve")
    store = Store(root / "team.db")
    store.add_project("streets", street_project(root))
    store.close()
    server = subprocess.Popen(
        [*CLI, "serve", "team.db", "--port", "0", "--token", TOKEN],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "?token=" in line:
            break
    link = next((x.strip() for x in lines if "?token=" in x), None)
    assert link, "serve printed no URL:\n" + "".join(lines)
    yield link.split("/?")[0], root / "team.db", server, lines
    if server.poll() is None:  # a test failed before stopping it: stop it as Ctrl-C does (Voila with it)
        server.send_signal(signal.SIGINT)
        try:
            server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def annotator_of(browser, link, name=None):
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(link + (f"&user={name}" if name else ""))
    return page


def who(page):
    page.wait_for_selector(".ls-work-who", timeout=90_000)
    return page.inner_text(".ls-work-who")


def test_a_team_labels_one_store_through_serve(served, chromium):
    base, path, _, lines = served
    link = f"{base}/?token={TOKEN}"
    assert "stage 'annotate' (4 rows in it)" in "".join(lines)
    # Without the token there is nothing but the login page.
    with urllib.request.urlopen(f"{base}/", timeout=10) as answer:
        assert "/login" in answer.url
    alice = annotator_of(chromium, link, "alice")
    assert who(alice) == "alice · annotate · row 1"
    bob = annotator_of(chromium, link, "bob")
    assert who(bob) == "bob · annotate · row 2"  # never alice's row
    # Alice draws a car in the sky and it is in the store, under her name, before the widget says saved.
    objects = Store(path).row_info(1).objects
    alice.wait_for_function("document.querySelector('.ls-space-canvas canvas') !== null")
    alice.wait_for_timeout(500)
    alice.locator(".ls-annotator").focus()
    alice.keyboard.press("1")
    box = alice.locator(".ls-space-canvas").first.bounding_box()
    x, y = box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.12
    updates = "Number(document.querySelector('.ls-annotator').dataset.updates || 0)"
    before = alice.evaluate(updates)
    alice.mouse.move(x, y)
    alice.mouse.down()
    alice.mouse.move(x + 60, y + 30, steps=8)
    alice.mouse.up()
    alice.wait_for_function(f"{updates} > {before}", timeout=30_000)
    alice.wait_for_function("document.querySelector('.ls-saved').textContent === 'saved'")
    store = Store(path)
    history = store.history(1)
    assert [(e.user, e.kind) for e in history] == [("alice", "edit")]
    alice.screenshot(path=str(path.parent / "serve-alice.png"))
    # Submit: row 1 goes to review, and alice is handed the next free row (3: bob holds 2).
    alice.click(".ls-work-submit")
    alice.wait_for_function("document.querySelector('.ls-work-who').textContent.endsWith('row 3 · 1 done')")
    info = store.row_info(1)
    assert (info.stage, info.assignee, info.objects) == ("review", None, objects + 1)
    # Someone not known by name is asked for it first.
    carol = annotator_of(chromium, link)
    carol.wait_for_selector("text=Who is labelling?", timeout=90_000)
    carol.fill("input[placeholder='your name']", "carol")
    carol.click("text=Start labelling")
    assert who(carol) == "carol · annotate · row 4"
    assert store.progress()["people"]["alice"]["edits"] == 1
    for page in (alice, bob, carol):
        page.close()
    store.close()


def test_a_reviewer_accepts_with_a_comment_then_serve_stops_cleanly(served, chromium, tmp_path):
    _, path, server, _ = served
    review = subprocess.Popen(
        [*CLI, "serve", str(path), "--stage", "review", "--port", "0", "--token", TOKEN],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        line = ""
        while "?token=" not in line:
            line = review.stdout.readline()
            assert line, "serve --stage review printed no URL"
        rita = annotator_of(chromium, line.strip(), "rita")
        if Store(path).row_info(1).stage != "review":
            pytest.skip("the first test did not submit row 1")
        assert who(rita) == "rita · review · row 1"
        rita.fill(".ls-work-comment", "good box")
        rita.click(".ls-work-accept")
        rita.wait_for_function("document.querySelector('.ls-work-who').textContent.includes('nothing free')")
        store = Store(path)
        assert store.row_info(1).stage == "done"
        assert [(r.user, r.verdict, r.comment) for r in store.reviews(1)] == [("rita", "accept", "good box")]
        rita.close()
    finally:
        review.send_signal(signal.SIGINT)
        review.communicate(timeout=60)
    server.send_signal(signal.SIGINT)
    out, _ = server.communicate(timeout=60)
    assert server.returncode == 0 and "Stopped." in out
    wrong = subprocess.run([*CLI, "serve", str(tmp_path / "none.db")], capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 1 and "no such store file" in wrong.stderr
    assert not (tmp_path / "none.db").exists()


def test_killing_serve_stops_voila_too(served):
    _, path, _, _ = served
    server = subprocess.Popen(
        [*CLI, "serve", str(path), "--port", "0", "--token", TOKEN], stdout=subprocess.PIPE, text=True
    )
    line = ""
    while "?token=" not in line:
        line = server.stdout.readline()
        assert line, "serve printed no URL"
    base = line.strip().split("/?")[0]
    urllib.request.urlopen(f"{base}/login", timeout=10).close()  # Voila answers
    server.send_signal(signal.SIGKILL)  # the launcher cannot stop Voila in order now
    server.wait(10)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{base}/login", timeout=2).close()
        except OSError:
            break  # nothing listens any more
        time.sleep(0.5)
    else:
        raise AssertionError("Voila kept running after its launcher was killed")
