"""``labelspace demo``: the Annotator on the sample project, in a JupyterLab of its own on this machine.

The working folder holds everything: ``project.json`` (the sample project, made on the first
run and reused after, so a person's edits are kept), its ``images/``, the notebook
``annotate.ipynb`` whose cell opens the Annotator with autosave to ``project.json``, and a
``.jupyter/`` folder with the server's own configuration, data, runtime files and log. The
user's Jupyter settings are neither read nor changed.

The server listens on 127.0.0.1 only, behind a random token, on a free port unless one is
given. It runs in a session of its own, so Ctrl-C (SIGINT), SIGTERM or SIGHUP reach the
launcher alone, which stops the server (its kernels with it) and exits with status 0.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from types import FrameType

from labelspace.formats._atomic import write_file
from labelspace.model.errors import LabelspaceError, MissingExtraError
from labelspace.model.project import Project

PROJECT_FILE = "project.json"
NOTEBOOK_FILE = "annotate.ipynb"
KERNEL = "labelspace"
"""The kernel the notebook names: this Python (one of its own name, so no other ``python3`` is taken instead)."""
HOME = ".jupyter"
"""The server's own Jupyter folders (config, data, runtime, ipython) and its log, inside the working folder."""

START_SECONDS = 120.0
STOP_SECONDS = 15.0

_KERNEL_TITLE = f"labelspace (Python {sys.version_info.major}.{sys.version_info.minor})"
_CELL = f"""from labelspace import Annotator, Project

project = Project.load({PROJECT_FILE!r})
Annotator(project, autosave={PROJECT_FILE!r})"""

_INTRO = f"""# The labelspace Annotator on a sample project

Run the cell below (Shift+Enter). It opens `{PROJECT_FILE}`: four rows of street images, one of them
a data group of two cameras side by side. The first is labelled by hand with every shape; the second
holds a detector's predictions (with their confidences, one of them wrong) to review; the third is
yours to label. Every edit is saved to `{PROJECT_FILE}` as you make it.

Stop JupyterLab with Ctrl-C in the terminal that runs `labelspace demo` (or `make demo`)."""


@dataclass(frozen=True)
class Workspace:
    """The working folder, made ready.

    Attributes:
        folder: The folder (absolute).
        project: The project file.
        notebook: The notebook that opens the Annotator.
        reused: Whether the project was there already (and was left as it was).
    """

    folder: Path
    project: Path
    notebook: Path
    reused: bool


def require_modules(names: tuple[str, ...], needs: str, install: str) -> None:
    """Check that this Python has the modules ``names``.

    Raises:
        MissingExtraError: Saying that ``needs`` (what they are for) and how to install them.
    """
    missing = [name for name in names if find_spec(name) is None]
    if missing:
        raise MissingExtraError(
            f"{needs}, but {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed in this "
            f"Python ({sys.executable}). Install them with: {install}"
        )


def require_jupyterlab() -> None:
    """Check that this Python has JupyterLab and ipykernel (``MissingExtraError`` says how to install them)."""
    require_modules(
        ("jupyterlab", "ipykernel"),
        "labelspace demo opens the Annotator in JupyterLab",
        "pip install 'labelspace[lab]' (make demo does this). For the demo without a notebook, run: labelspace summary",
    )


def prepare(folder: str | os.PathLike[str]) -> Workspace:
    """Make the working folder ready: the sample project (unless one is there), its images, the notebook.

    An existing ``project.json`` is kept as it is, with the person's edits; images missing beside
    it are drawn again (they are the same drawing), and an existing notebook is kept too.
    """
    from labelspace.samples.project import draw_images, street_project

    root = Path(folder).resolve()
    root.mkdir(parents=True, exist_ok=True)
    project_file = root / PROJECT_FILE
    reused = project_file.exists()
    if reused:
        draw_images(root, missing_only=True)
    else:
        project: Project = street_project(root)
        project.save(project_file)
    notebook = root / NOTEBOOK_FILE
    if not notebook.exists():
        write_file(notebook, (json.dumps(notebook_json(), indent=1) + "\n").encode())
    return Workspace(root, project_file, notebook, reused)


def notebook_json() -> dict[str, object]:
    """The demo notebook (nbformat 4): an introduction and the cell that opens the Annotator."""
    return {
        "cells": [
            {"cell_type": "markdown", "id": "intro", "metadata": {}, "source": _INTRO},
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "annotator",
                "metadata": {},
                "outputs": [],
                "source": _CELL,
            },
        ],
        "metadata": {
            "kernelspec": {"display_name": _KERNEL_TITLE, "language": "python", "name": KERNEL},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def jupyter_environment(folder: Path) -> dict[str, str]:
    """The environment for the server: Jupyter folders of its own inside ``folder/.jupyter``.

    Its settings switch off JupyterLab's news and update pop-up, and its kernel ``labelspace`` is
    this Python (the one labelspace runs in), so the notebook imports this labelspace.
    """
    home = folder / HOME
    env = dict(os.environ)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_DATA_DIR", "data"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
    ):
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(home / sub)
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    write_file(
        settings / "notification.jupyterlab-settings",
        json.dumps({"fetchNews": "false", "checkForUpdates": False}).encode(),
    )
    kernel = home / "data" / "kernels" / KERNEL
    kernel.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": _KERNEL_TITLE,
        "language": "python",
    }
    write_file(kernel / "kernel.json", json.dumps(spec, indent=1).encode())
    return env


def die_with_launcher() -> None:
    """In a server's child process, before it runs: ask Linux to stop it (SIGTERM) when the launcher dies.

    Ctrl-C and SIGTERM reach the launcher, which stops the server in order; this covers a launcher
    killed with SIGKILL, which would otherwise leave the server running in its own session. Elsewhere
    than Linux it does nothing.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command(folder: Path, port: int) -> list[str]:
    """The command that starts JupyterLab on 127.0.0.1:``port`` serving ``folder``.

    The token is not in it: it goes in the environment (``JUPYTER_TOKEN``), which other users of
    the machine cannot read, unlike a command line.
    """
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",  # the printed address must be the one it listens on
        f"--ServerApp.root_dir={folder}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--ServerApp.allow_root=True")
    return command


def run(
    folder: str | os.PathLike[str],
    *,
    port: int = 0,
    browser: bool = False,
    echo: Callable[[str], None] = print,
) -> int:
    """Make the working folder ready, start JupyterLab on it, print the notebook's URL and serve until stopped.

    Args:
        folder: The working folder (made if missing).
        port: The port to listen on; 0 for a free one.
        browser: Open the URL in a web browser as well.
        echo: Where lines for the person go.

    Returns:
        0 once stopped by SIGINT, SIGTERM or SIGHUP.

    Raises:
        MissingExtraError: If JupyterLab or ipykernel is not installed.
        LabelspaceError: If the server did not start or stopped by itself (with the end of its log).
    """
    require_jupyterlab()
    with _stop_signals() as stop:
        workspace = prepare(folder)
        if workspace.reused:
            echo(f"Reusing the project in {workspace.folder} (your edits are kept; delete the folder to start afresh).")
        else:
            echo(f"Made the sample project in {workspace.folder}: {PROJECT_FILE}, images/, {NOTEBOOK_FILE}.")
        if stop.is_set():
            return 0
        env = jupyter_environment(workspace.folder)
        log_path = workspace.folder / HOME / "server.log"
        token = env["JUPYTER_TOKEN"] = secrets.token_urlsafe(32)
        port = port or free_port()
        base = f"http://127.0.0.1:{port}"
        echo(f"Starting JupyterLab (its log: {log_path}) ...")

        def up() -> None:
            url = f"{base}/lab/tree/{NOTEBOOK_FILE}?token={token}"
            echo("Open the Annotator at:")
            echo(f"    {url}")
            echo(f"Run the notebook's cell; edits are saved to {workspace.project} as you make them.")
            echo("Press Ctrl-C to stop.")
            if browser:
                webbrowser.open(url)

        serve_until_stopped(
            server_command(workspace.folder, port),
            workspace.folder,
            env,
            log_path,
            stop,
            what="JupyterLab",
            status_url=f"{base}/api/status",
            token=token,
            up=up,
            echo=echo,
        )
    echo("Stopped.")
    return 0


def serve_until_stopped(
    command: list[str],
    folder: Path,
    env: dict[str, str],
    log_path: Path,
    stop: threading.Event,
    *,
    what: str,
    status_url: str,
    token: str,
    up: Callable[[], None],
    echo: Callable[[str], None],
    any_answer: bool = False,
) -> None:
    """Run a server (its output to ``log_path``), call ``up`` once it answers, serve until ``stop`` is set, stop it.

    The server runs in a session of its own (Ctrl-C reaches the launcher alone, which stops it in
    order) and is stopped by Linux if the launcher dies.

    Raises:
        LabelspaceError: If it does not start, or stops by itself (with the end of its log).
    """
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            command,
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_launcher,
        )
    try:
        if _wait_until_up(server, status_url, token, stop, log_path, what, any_answer):
            up()
            while not stop.wait(0.5):
                if server.poll() is not None:
                    raise LabelspaceError(f"{what} stopped by itself; the end of its log:\n{_tail(log_path)}")
        echo(f"Stopping {what} ...")
    finally:
        _stop(server)


@contextmanager
def _stop_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT, SIGTERM or SIGHUP while inside; the previous handlers come back after."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    wanted = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])
    previous = {s: signal.signal(s, handler) for s in wanted}
    try:
        yield stop
    finally:
        for s, old in previous.items():
            signal.signal(s, old)


def _wait_until_up(
    server: subprocess.Popen[bytes],
    status_url: str,
    token: str,
    stop: threading.Event,
    log: Path,
    what: str = "JupyterLab",
    any_answer: bool = False,
) -> bool:
    """Poll the server's status until it answers (True), or until stopped (False).

    With ``any_answer`` an HTTP error status counts as an answer (a server with no status page).

    Raises:
        LabelspaceError: If the server exits, or does not answer within ``START_SECONDS``, with the end of its log.
    """
    deadline = time.monotonic() + START_SECONDS
    request = urllib.request.Request(status_url, headers={"Authorization": f"token {token}"})
    while not stop.is_set():
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:
                if answer.status == 200:
                    return True
        except urllib.error.HTTPError:
            if any_answer:
                return True
        except OSError:  # not listening yet (URLError is an OSError)
            pass
        if server.poll() is not None:
            raise LabelspaceError(
                f"{what} did not start (exit status {server.returncode}); the end of its log:\n{_tail(log)}"
            )
        if time.monotonic() > deadline:
            raise LabelspaceError(
                f"{what} did not answer within {START_SECONDS:.0f} s; the end of its log:\n{_tail(log)}"
            )
        stop.wait(0.2)
    return False


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Ask the server to shut down (it stops its kernels), wait, and kill it if it does not."""
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])
