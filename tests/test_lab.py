"""``labelspace demo``: a real JupyterLab started, answering behind its token, stopped by a signal."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from labelspace import Project, _lab
from labelspace.cli import main

pytest.importorskip("jupyterlab")
pytest.importorskip("ipykernel")

URL = re.compile(r"(http://127\.0\.0\.1:(\d+))/lab/tree/annotate\.ipynb\?token=([\w-]+)")


def isolated_env(tmp_path):
    """Jupyter folders of the test's own, so nothing reads or writes the user's settings."""
    env = dict(os.environ)
    for var in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
        (tmp_path / "home" / var).mkdir(parents=True, exist_ok=True)
        env[var] = str(tmp_path / "home" / var)
    env.pop("JUPYTER_TOKEN", None)
    return env


class Launcher:
    """``labelspace demo`` as a child process; its printed lines are read as they come."""

    def __init__(self, tmp_path, folder, *args):
        code = "import sys; from labelspace.cli import main; sys.exit(main())"
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "demo", "--dir", str(folder), *args],
            env=isolated_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines = []

    def wait_for_url(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            found = URL.search(line)
            if found:
                return found.group(1), int(found.group(2)), found.group(3)
        self.process.kill()
        raise AssertionError(f"no URL printed:\n{''.join(self.lines)}{self.process.stdout.read()}")

    def stop(self, signum, timeout=15):
        self.process.send_signal(signum)
        try:
            status = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        rest = self.process.stdout.read()
        self.lines.append(rest)
        return status, "".join(self.lines)


def get(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as e:
        return e.code


def processes_naming(text):
    """The ids of processes whose command line holds ``text`` (Linux's /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if text.encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            pass
    return found


def port_is_closed(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def test_demo_serves_the_notebook_behind_a_token_and_stops_on_a_signal(tmp_path):
    folder = tmp_path / "work"
    launcher = Launcher(tmp_path, folder)
    base, port, token = launcher.wait_for_url()
    try:
        assert get(f"{base}/api/status?token={token}") == 200
        assert get(f"{base}/api/status") == 403
        assert get(f"{base}/api/status?token=wrong{token}") == 403
        assert get(f"{base}/api/status", {"Authorization": f"token {token}"}) == 200
        # The kernel the notebook runs is this Python, from the launcher's own data folder.
        with urllib.request.urlopen(f"{base}/api/kernelspecs?token={token}", timeout=10) as answer:
            specs = json.load(answer)
        assert specs["kernelspecs"]["labelspace"]["spec"]["argv"][0] == sys.executable
        written = json.loads((folder / ".jupyter/data/kernels/labelspace/kernel.json").read_text())
        assert written["argv"][0] == sys.executable
        with urllib.request.urlopen(f"{base}/api/contents/annotate.ipynb?token={token}", timeout=10) as answer:
            served = json.load(answer)
        assert served["type"] == "notebook"
        # Open the notebook with its kernel, as JupyterLab does; stopping must stop the kernel too.
        session = {"path": "annotate.ipynb", "type": "notebook", "kernel": {"name": "labelspace"}}
        request = urllib.request.Request(
            f"{base}/api/sessions?token={token}",
            data=json.dumps(session).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            kernel = json.load(answer)["kernel"]["id"]
        if Path("/proc").is_dir():
            assert processes_naming(kernel)
    finally:
        status, output = launcher.stop(signal.SIGINT)
    assert status == 0, output
    assert "Traceback" not in output and "Stopped." in output
    assert port_is_closed(port)
    assert not processes_naming(kernel)

    notebook = json.loads((folder / "annotate.ipynb").read_text())
    code = "".join(c["source"] for c in notebook["cells"] if c["cell_type"] == "code")
    assert "Annotator(" in code and "autosave='project.json'" in code
    assert notebook["metadata"]["kernelspec"]["name"] == "labelspace"
    assert Project.load(folder / "project.json").rows
    settings = folder / ".jupyter/config/lab/user-settings/@jupyterlab/apputils-extension"
    assert json.loads((settings / "notification.jupyterlab-settings").read_text())["fetchNews"] == "false"
    assert not any((tmp_path / "home").rglob("*.jupyterlab-settings"))  # nothing written where the user's are


def test_a_second_run_reuses_the_project_and_stops_on_sigterm(tmp_path):
    folder = tmp_path / "work"
    first = _lab.prepare(folder)
    assert not first.reused
    edited = Project.load(first.project)
    space = edited.rows[2].list_spaces()[0]
    car = next(o for o in edited.ontology.objects if o.name == "car")
    from labelspace import BoundingBoxCoordinates

    space.put_object_instance(car.create_instance(), BoundingBoxCoordinates(0.1, 0.1, 0.2, 0.6))  # a person's edit
    edited.save(first.project)
    saved = first.project.read_bytes()
    (folder / "annotate.ipynb").write_text((folder / "annotate.ipynb").read_text().replace("Run the cell", "Run it"))
    notebook = (folder / "annotate.ipynb").read_text()

    free = _lab.free_port()
    launcher = Launcher(tmp_path, folder, "--port", str(free))
    _, port, _ = launcher.wait_for_url()
    status, output = launcher.stop(signal.SIGTERM)
    assert port == free
    assert status == 0, output
    assert "Reusing the project" in output and "Traceback" not in output
    assert first.project.read_bytes() == saved
    assert (folder / "annotate.ipynb").read_text() == notebook
    assert port_is_closed(port)


def test_a_taken_port_is_refused_with_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        launcher = Launcher(tmp_path, tmp_path / "work", "--port", str(port))
        status = launcher.process.wait(90)
        output = launcher.process.stdout.read()
    assert status == 1, output
    assert "JupyterLab did not start" in output and "Traceback" not in output.split("the end of its log:")[0]


def test_without_jupyterlab_it_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(_lab, "find_spec", lambda name: None if name == "jupyterlab" else object())
    result = CliRunner().invoke(main, ["demo", "--dir", str(tmp_path / "work")])
    assert result.exit_code == 1
    assert "jupyterlab is not installed" in result.output
    assert "pip install 'labelspace[lab]'" in result.output and "labelspace summary" in result.output
    assert not (tmp_path / "work").exists()


def test_the_notebook_is_valid_nbformat():
    nbformat = pytest.importorskip("nbformat")
    nbformat.validate(nbformat.from_dict(_lab.notebook_json()))


def test_bad_port_exits_2():
    result = CliRunner().invoke(main, ["demo", "--port", "70000"])
    assert result.exit_code == 2 and "--port" in result.output
