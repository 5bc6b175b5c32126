"""``labelspace serve``: the Annotator on a store, for a team, in the browser through Voila.

Each visitor gets a kernel of their own running ``labelspace.widget.served.page()``, which claims
rows of the stage for them one after another (``Annotator(store, user=..., stage=...)``); every
edit is committed to the store as it is made, so several people label one project at once.

The server listens on 127.0.0.1 unless told otherwise, behind a token (random unless given) that
is written to the server's own configuration file rather than its command line, where other
users of the machine could read it. Its Jupyter folders, notebook and log live in a temporary
folder removed when it stops; Ctrl-C, SIGTERM or SIGHUP stop it.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import sys
import tempfile
import webbrowser
from collections.abc import Callable
from pathlib import Path

from labelspace._lab import (
    _KERNEL_TITLE,
    KERNEL,
    _stop_signals,
    free_port,
    jupyter_environment,
    require_modules,
    serve_until_stopped,
)
from labelspace.formats._atomic import write_file
from labelspace.model.errors import LabelspaceError, StoreError
from labelspace.store._engine import normalise_url
from labelspace.store.store import Store
from labelspace.widget.served import CONFIG_VAR

NOTEBOOK_FILE = "labelspace.ipynb"
NOT_LOADED = ("@jupyter-notebook/lab-extension", "@voila-dashboards/jupyterlab-preview")
"""JupyterLab extensions the page does not load: they are for JupyterLab and Notebook themselves."""
_CELL = "from labelspace.widget.served import page\n\npage()"


def require_voila() -> None:
    """Check that this Python has Voila and ipykernel (``MissingExtraError`` says how to install them)."""
    require_modules(
        ("voila", "ipykernel"),
        "labelspace serve shows the Annotator through Voila",
        "pip install 'labelspace[serve]'",
    )


def check_store(url: str, project: str | None, stage: str | None) -> tuple[str, int, str, int]:
    """Open the store and find the project and stage now, so that a mistake is told before a server starts.

    Returns:
        The store as shown (no password), the project's id, the stage, and how many rows are in it.
    """
    store = Store(url)
    try:
        pid = store.project_id(project)
        stages = store.stages(pid)
        stage = stages[0] if stage is None else stage
        if stage not in stages:
            raise StoreError(f"The project has no stage {stage!r}; its stages are {stages}.")
        return store.url_shown, pid, stage, len(store.rows(pid, stage=stage))
    finally:
        store.close()


def notebook_json() -> dict[str, object]:
    """The served notebook (nbformat 4): one cell that shows the page."""
    return {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": "page", "metadata": {}, "outputs": [], "source": _CELL}
        ],
        "metadata": {
            "kernelspec": {"display_name": _KERNEL_TITLE, "language": "python", "name": KERNEL},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def server_command(notebook: Path, host: str, port: int) -> list[str]:
    """The Voila command serving ``notebook`` on ``host:port`` (the token is in its configuration file)."""
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={port}",
        "--Voila.port_retries=0",  # the printed address must be the one it listens on
        "--strip_sources=True",
        "--show_tracebacks=False",
    ]


def _address(host: str) -> str:
    """How to reach ``host`` in a URL (a wildcard address is reached by this machine's name)."""
    if host in ("0.0.0.0", "::", ""):
        return socket.gethostname()
    return f"[{host}]" if ":" in host else host


def run(
    url: str,
    *,
    project: str | None = None,
    stage: str | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    token: str | None = None,
    root: str | os.PathLike[str] = ".",
    height: int | None = None,
    browser: bool = False,
    echo: Callable[[str], None] = print,
) -> int:
    """Serve the Annotator on a store until stopped; returns 0 once stopped by a signal.

    Args:
        url: The store (a path or a SQLite or PostgreSQL URL).
        project: The project's name or id (needed when the store holds several).
        stage: The stage rows are claimed from (the project's first by default).
        host: The address to listen on (127.0.0.1: this machine only).
        port: The port; 0 for a free one.
        token: The token visitors need in the URL; a random one if None.
        root: The folder the rows' relative media paths are relative to.
        height: The Annotator's height in pixels (None: the browser chooses).
        browser: Open the URL in a web browser as well.
        echo: Where lines for the person go.

    Raises:
        MissingExtraError: If Voila or ipykernel is not installed.
        StoreError: If the store, the project or the stage cannot be found (nothing was started).
        LabelspaceError: If the server did not start or stopped by itself (with the end of its log).
    """
    require_voila()
    if token is not None and (len(token) < 8 or not token.isprintable() or " " in token):
        raise LabelspaceError("A token must be at least 8 characters, printable, without spaces.")
    media_root = Path(root).resolve()
    if not media_root.is_dir():
        raise LabelspaceError(f"The media folder {str(media_root)!r} is not a folder.")
    url = normalise_url(url)  # a relative SQLite path would be looked for from each kernel's folder
    shown, pid, stage, waiting = check_store(url, project, stage)
    token = token or secrets.token_urlsafe(32)
    folder = Path(tempfile.mkdtemp(prefix="labelspace-serve-"))
    try:
        with _stop_signals() as stop:
            env = jupyter_environment(folder)
            config = Path(env["JUPYTER_CONFIG_DIR"]) / "voila.json"
            settings = {
                "Voila": {"token": token},
                # Extensions for JupyterLab itself, made for a newer JupyterLab than Voila's, would fail to load.
                "VoilaConfiguration": {"extension_denylist": list(NOT_LOADED)},
            }
            write_file(config, json.dumps(settings).encode())
            os.chmod(config, 0o600)
            notebook = folder / NOTEBOOK_FILE
            write_file(notebook, (json.dumps(notebook_json(), indent=1) + "\n").encode())
            served = {"url": url, "project": pid, "stage": stage, "root": str(media_root), "height": height}
            env[CONFIG_VAR] = json.dumps(served)
            port = port or free_port()
            base = f"http://{_address(host)}:{port}"
            log_path = folder / "server.log"
            echo(f"Serving {shown}, project {pid}, stage {stage!r} ({waiting} rows in it) ...")

            def up() -> None:
                link = f"{base}/?token={token}"
                echo("Open the Annotator at (each person adds &user=THEIR-NAME, or is asked for it):")
                echo(f"    {link}")
                if host not in ("127.0.0.1", "localhost", "::1"):
                    echo(f"Listening on {host}: anyone who can reach this machine and has the token can label.")
                echo("Every edit is saved to the store as it is made. Press Ctrl-C to stop.")
                sys.stdout.flush()
                if browser:
                    webbrowser.open(link)

            local = f"http://127.0.0.1:{port}" if host in ("0.0.0.0", "127.0.0.1") else base
            serve_until_stopped(
                server_command(notebook, host, port),
                folder,
                env,
                log_path,
                stop,
                what="Voila",
                status_url=f"{local}/labelspace-up",  # any answer will do: Voila has no status page
                token=token,
                up=up,
                echo=echo,
                any_answer=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    echo("Stopped.")
    return 0


__all__ = ["NOTEBOOK_FILE", "check_store", "require_voila", "run"]
