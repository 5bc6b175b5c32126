"""A Jupyter server extension: the kernel's answers reach the browser without waiting for TCP's ACK.

Jupyter Server writes what the kernel sends to the browser's websocket with Nagle's algorithm on.
A widget's answer comes as several messages in a row (the kernel's "busy" status, the answer, its
"idle" status); the first goes out at once, the next waits until the browser acknowledges the
first, and the browser delays that acknowledgement (40 ms on Linux) hoping to send it with data
of its own. Every command of the widgets (a frame, a slice, an edit's answer) then takes 40-50 ms
instead of a few, on a machine where everything else is local. This extension turns the delay
off (``TCP_NODELAY``) on the kernels' websockets.

It is enabled on installing labelspace (``jupyter_server_config.d/labelspace.json``) and does
nothing to a server whose kernel websocket class is not Jupyter Server's own (a gateway, say).
Switch it off with ``jupyter server extension disable labelspace.widget.server_extension``.
"""

from __future__ import annotations

from typing import Any

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

NAME = "labelspace.widget.server_extension"


class PromptConnection(ZMQChannelsWebsocketConnection):
    """Jupyter Server's kernel websocket connection, its socket set to send without delay."""

    def connect(self) -> Any:
        """Set the websocket's socket to send at once, then connect as Jupyter Server does.

        Called from the handler's ``open()``, once the websocket is established. What Jupyter
        Server's ``connect`` returns (a future, or a coroutine in older versions) is returned.
        """
        self.websocket_handler.set_nodelay(True)
        return super().connect()


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": NAME}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Put ``PromptConnection`` in place of Jupyter Server's own kernel websocket connection."""
    settings = serverapp.web_app.settings
    current = settings.get("kernel_websocket_connection_class")
    if current is ZMQChannelsWebsocketConnection:
        settings["kernel_websocket_connection_class"] = PromptConnection
        serverapp.log.info("labelspace: kernel websockets send without delay (TCP_NODELAY)")
    elif current is not PromptConnection:
        name = getattr(current, "__qualname__", repr(current))
        serverapp.log.info(f"labelspace: kernel websockets left as they are (their class is {name})")
