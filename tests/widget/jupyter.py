"""A real JupyterLab 4 server and a real Chromium, for end-to-end tests of the widgets."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from labelspace._lab import HOME, KERNEL, jupyter_environment

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def jupyter_lab(root: Path, app: str = "jupyterlab") -> Iterator[str]:
    """Run JupyterLab (or, with ``app="notebook"``, Notebook 7) serving ``root``; yield its URL; stop it after."""
    # Jupyter folders of the server's own, with the news pop-up off and a kernel that is this Python
    # (so the notebook imports the labelspace under test): the same set-up as `labelspace demo`.
    env = jupyter_environment(root)
    home = root / HOME
    port = free_port()
    log = open(home / "server.log", "w")  # noqa: SIM115 - open for the server's whole life
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            app,
            "--no-browser",
            f"--port={port}",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--allow-root",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.disable_check_xsrf=True",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/status", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"JupyterLab did not start:\n{(home / 'server.log').read_text()[-3000:]}"
                    ) from None
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def write_notebook(path: Path, cells: list[str]) -> None:
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None}
                    for c in cells
                ],
                "metadata": {"kernelspec": {"name": KERNEL, "display_name": KERNEL, "language": "python"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )


class Notebook:
    """Drive an open notebook in JupyterLab through Playwright."""

    def __init__(self, page, cells: int) -> None:
        self.page = page
        self.count = 0
        panel = ".jp-NotebookPanel:not(.lm-mod-hidden)"
        page.wait_for_selector(f'{panel} .jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000)
        page.wait_for_function(
            "() => [...document.querySelectorAll('.jp-KernelName')].some(e => /ipykernel|Python/i.test(e.textContent))",
            timeout=60_000,
        )
        self.cells = page.locator(f"{panel} .jp-Cell")
        from playwright.sync_api import expect

        expect(self.cells).to_have_count(cells, timeout=30_000)

    def run(self, i: int, timeout: float = 60_000) -> None:
        """Run cell ``i`` and wait until its prompt shows a new execution count.

        A key press that reaches a notebook still settling is sometimes lost; the press is repeated
        then, but never while the cell is queued or running (its prompt shows ``[*]``).
        """
        prompt = self.cells.nth(i).locator(".jp-InputPrompt")
        before = prompt.inner_text().strip()
        deadline = time.monotonic() + timeout / 1000
        while True:
            prompt.click()
            self.page.keyboard.press("Shift+Enter")
            retry_at = time.monotonic() + 10
            while time.monotonic() < min(retry_at, deadline):
                text = prompt.inner_text().strip()
                if text != before and text[1:-2].isdigit():
                    self.count = int(text[1:-2])
                    return
                if text == "[*]:":
                    retry_at = deadline  # running: wait, do not press again
                time.sleep(0.05)
            if time.monotonic() >= deadline:
                raise AssertionError(f"cell {i} did not run; its prompt reads {prompt.inner_text()!r}")

    def output(self, i: int) -> str:
        return self.cells.nth(i).locator(".jp-OutputArea-output").last.inner_text()
