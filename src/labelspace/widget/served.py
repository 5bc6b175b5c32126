"""The page ``labelspace serve`` shows each visitor: the Annotator, claiming rows of a store for them.

``labelspace serve`` runs Voila on a one-cell notebook that calls ``page()``; Voila gives every
visitor a kernel of their own, so each person holds their own row. Who the visitor is comes from
JupyterHub when the server runs there (``JUPYTERHUB_USER``), else from the page's address
(``?user=name``), else the page asks for a name first.

The server passes what to serve in the environment (``LABELSPACE_SERVE``, JSON: the store's URL,
the project, the stage and the folder media paths are relative to), never in the notebook.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

import ipywidgets  # type: ignore[import-untyped]

from labelspace.model.errors import LabelspaceError
from labelspace.store.store import Store
from labelspace.widget.annotator import Annotator

CONFIG_VAR = "LABELSPACE_SERVE"
NAME_CHARS = 80


def visitor(query: str | None = None) -> str | None:
    """Who is labelling: the JupyterHub user, else ``user=`` of the page's query string; None when neither says."""
    hub = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub:
        return hub
    found = parse_qs(os.environ.get("QUERY_STRING", "") if query is None else query).get("user", [""])
    name = found[0].strip()[:NAME_CHARS]
    return name or None


def page(config: Mapping[str, Any] | None = None) -> Any:
    """The widget to show: the Annotator for the visitor, a name prompt first if they are not known, or an error."""
    if config is None:
        raw = os.environ.get(CONFIG_VAR)
        if raw is None:
            return _error(f"Nothing to serve: {CONFIG_VAR} is not set (this page is made by labelspace serve).")
        config = json.loads(raw)
    try:
        store = Store(config["url"])
    except LabelspaceError as e:
        return _error(e.message)
    if config.get("root"):
        os.chdir(config["root"])  # media paths of the rows are relative to the folder serve was started in

    def annotator(user: str) -> Any:
        return Annotator(
            store, user=user, stage=config.get("stage"), project=config.get("project"), height=config.get("height")
        )

    name = visitor()
    if name is not None:
        try:
            return annotator(name)
        except LabelspaceError as e:
            return _error(e.message)
    field = ipywidgets.Text(placeholder="your name", description="Name:", layout=ipywidgets.Layout(width="20em"))
    start = ipywidgets.Button(description="Start labelling", button_style="primary")
    note = ipywidgets.HTML("")
    box = ipywidgets.VBox([ipywidgets.HTML("<b>Who is labelling?</b>"), ipywidgets.HBox([field, start]), note])

    def begin(_: object = None) -> None:
        user = field.value.strip()[:NAME_CHARS]
        if not user:
            note.value = _message("Type your name first: your edits and the rows you claim go under it.")
            return
        try:
            box.children = (annotator(user),)
        except LabelspaceError as e:
            note.value = _message(e.message)

    start.on_click(begin)
    return box


def _message(text: str) -> str:
    return f'<p style="color:#b00020">{html.escape(text)}</p>'


def _error(text: str) -> Any:
    return ipywidgets.HTML(_message(text))


__all__ = ["CONFIG_VAR", "page", "visitor"]
