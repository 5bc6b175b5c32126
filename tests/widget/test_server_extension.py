"""The Jupyter server extension that sends the kernel's messages to the browser without delay."""

import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

pytest.importorskip("jupyter_server")

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

from labelspace._lab import jupyter_environment
from labelspace.widget import server_extension
from labelspace.widget.server_extension import PromptConnection


def _server(connection_class):
    lines = []
    log = SimpleNamespace(info=lines.append)
    settings = {"kernel_websocket_connection_class": connection_class}
    app = SimpleNamespace(web_app=SimpleNamespace(settings=settings), log=log)
    return app, lines


def test_it_is_installed_and_enabled_with_labelspace(tmp_path):
    # What `pip install labelspace` put in the environment's jupyter_server_config.d, as Jupyter sees it.
    out = subprocess.run(
        [sys.executable, "-m", "jupyter", "server", "extension", "list"],
        env=jupyter_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = " ".join(re.sub(r"\x1b\[[0-9;]*m", "", out.stdout + out.stderr).split())  # colours and spacing out
    assert "labelspace.widget.server_extension enabled" in text
    assert "labelspace.widget.server_extension OK" in text


def test_it_replaces_jupyter_servers_own_connection_only():
    app, lines = _server(ZMQChannelsWebsocketConnection)
    server_extension._load_jupyter_server_extension(app)
    assert app.web_app.settings["kernel_websocket_connection_class"] is PromptConnection
    assert "TCP_NODELAY" in lines[0]
    server_extension._load_jupyter_server_extension(app)  # loaded twice: still the one
    assert app.web_app.settings["kernel_websocket_connection_class"] is PromptConnection

    class Gateway(ZMQChannelsWebsocketConnection):
        pass

    app, lines = _server(Gateway)
    server_extension._load_jupyter_server_extension(app)
    assert app.web_app.settings["kernel_websocket_connection_class"] is Gateway
    assert "left as they are" in lines[0] and "Gateway" in lines[0]


def test_the_connection_sets_nodelay_before_connecting(monkeypatch):
    calls = []

    def connect(self):
        calls.append("connect")
        return "jupyter server's answer"

    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", connect)
    handler = SimpleNamespace(set_nodelay=lambda value: calls.append(("nodelay", value)))
    connection = PromptConnection.__new__(PromptConnection)
    monkeypatch.setattr(PromptConnection, "websocket_handler", handler, raising=False)
    assert connection.connect() == "jupyter server's answer"
    assert calls == [("nodelay", True), "connect"]


def test_a_real_server_loads_it(open_notebook, lab):
    _, root, _ = lab
    nb, _ = open_notebook("1 + 1")  # a kernel, and the page's websocket to it
    assert "2" in nb.output(0)
    log = (root / ".jupyter" / "server.log").read_text()
    assert "labelspace: kernel websockets send without delay (TCP_NODELAY)" in log
