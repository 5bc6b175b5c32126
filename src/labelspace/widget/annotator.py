"""The Annotator: label a row (or step through a project's rows) in a notebook, with every shape and attribute.

The browser sends edits as operations (``labelspace.model.operations``); the kernel carries them
out on the label row through a per-row ``History`` (so each can be undone exactly) and answers
with the state now of every instance the edit touched. The row itself is the truth: a refused
edit changes nothing and the browser is told why.

The synced state is the ``sync=True`` traits below, mirrored by the ``Model`` interface of
``js/src/protocol/state.ts``; messages and their shapes are in ``labelspace.widget.protocol``
(mirroring ``messages.ts``). Pixels travel through the ``_image`` command as binary buffers.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import anywidget
import traitlets
from anywidget.experimental import command

from labelspace.media._volume import VolumeSource
from labelspace.media.base import MediaSource
from labelspace.media.video import VideoSource
from labelspace.model.errors import LabelRowError, LabelspaceError
from labelspace.model.history import History
from labelspace.model.label_row import LabelRow
from labelspace.model.operations import Change, Edit
from labelspace.model.project import Project
from labelspace.model.spaces import MultiFrameSpace, Space
from labelspace.store._watch import RowWatcher
from labelspace.store.session import StoredRow
from labelspace.store.store import Store
from labelspace.widget import protocol
from labelspace.widget._annotator_media import FrameStore
from labelspace.widget._annotator_stream import GroupParts, describe
from labelspace.widget._autosave import Autosaver
from labelspace.widget._images import is_array, is_path
from labelspace.widget._tracking import TrackingJob
from labelspace.widget._volume import encode_slice
from labelspace.widget._work import WorkQueue
from labelspace.widget.protocol import (
    ImageResponse,
    ProgressMessage,
    RefusedMessage,
    RowMessage,
    UpdateMessage,
)

STATIC = Path(__file__).parent / "static"
log = logging.getLogger(__name__)

MESSAGE_KINDS = ("ready", "edit", "undo", "redo", "goto", "track", "cancel", "work")
"""The kinds of message the browser sends (``anywidget-command`` messages are anywidget's own)."""

MESSAGE_BYTES = 4 << 20
"""A row's objects are sent in messages of about this many bytes of JSON at most (JupyterLab refuses
websocket messages above about 10 MB)."""


def _size(value: object, name: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LabelRowError(f"Annotator: {name} must be a number of pixels (an int >= 0) or None, got {value!r:.40}.")
    return value


def _request(content: Mapping[str, Any]) -> int | None:
    request = content.get("request")
    return request if isinstance(request, int) and not isinstance(request, bool) else None


class Annotator(anywidget.AnyWidget):
    """Label a ``LabelRow`` or step through the rows of a ``Project``, in a notebook.

    Every edit made in the browser is an operation carried out on the row (see
    ``labelspace.model.operations``) and kept in the row's ``history`` for undo and redo; edits the
    model refuses change nothing and are reported in the widget.

    Args:
        source: The ``LabelRow`` to label, a ``Project`` whose rows to step through, a row of
            a store (``store.open_row(row_id, user=...)``), or a ``Store`` to claim rows from one
            after another (with ``user=`` and ``stage=``). On a store every edit, undo and redo is
            committed before the widget shows it saved, undo reaches back to edits of earlier
            sessions, and other people's edits to the row appear as they land.
        media: Where the pixels are, ``{space_id: path or array}`` (for a project, used for the
            space of that id in every row); an array for a video or volume holds one image per
            frame. For a row with one space, one path or array. Spaces not named show the media
            they record (``space.media``: ``LabelRow.from_media`` and the formats set it); a
            relative path is looked for from the working folder, then from the autosave file's folder.
        on_change: Called with each ``Change`` an edit, undo or redo makes (undo and redo set
            ``change.undo``). Errors it raises are shown in the widget and logged; the edit stands.
        autosave: A native JSON file (``.json`` or ``.json.gz``) to save the row (or the whole
            project) to, atomically, half a second after the last edit, and when the interpreter
            exits; ``save()`` saves at once.
        readonly: Show the labels without letting them change (edits are refused).
        width: Width of the widget in pixels; 0 or None lets the browser choose.
        height: Height of the widget in pixels; 0 or None lets the browser choose.
        user: With a ``Store``: who is labelling (under JupyterHub, the hub's user by default).
            Rows are claimed for this person; ``submit()`` (or the Submit button) moves the row
            to the next stage and claims the next one.
        stage: With a ``Store``: the stage to claim rows from (the project's first by default).
            In a later stage (a review) the row is accepted or rejected instead of submitted.
        project: With a ``Store`` of several projects: which one (name or id).

    Raises:
        LabelRowError: If an argument is not of a kind it takes (the message says what is).
    """

    _esm = STATIC / "annotator.js"
    _css = STATIC / "annotator.css"

    # The state shared with the browser; the Model interface of js/src/protocol/state.ts declares the same keys.
    ontology = traitlets.Dict().tag(sync=True)
    row_index = traitlets.Int(0).tag(sync=True)
    row_count = traitlets.Int(1).tag(sync=True)
    rows = traitlets.List(traitlets.Any()).tag(sync=True)
    readonly = traitlets.Bool(False).tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)
    height = traitlets.Int(0).tag(sync=True)
    message = traitlets.Unicode("").tag(sync=True)
    save_status = traitlets.Enum(("", "pending", "saved", "failed"), default_value="").tag(sync=True)
    work = traitlets.Dict().tag(sync=True)  # claiming rows from a store: user, stage, row_id, done; else empty

    def __init__(
        self,
        source: LabelRow | Project | StoredRow | Store,
        media: Mapping[str, Any] | str | os.PathLike[str] | Any | None = None,
        *,
        on_change: Callable[[Change], Any] | None = None,
        autosave: str | os.PathLike[str] | None = None,
        readonly: bool = False,
        width: int | None = None,
        height: int | None = None,
        user: str | None = None,
        stage: str | None = None,
        project: int | str | None = None,
    ) -> None:
        self._queue: WorkQueue | None = None
        if isinstance(source, Store):
            if autosave is not None:
                raise LabelRowError(
                    "Annotator: rows from a store are saved by the store as each edit is made; leave out autosave."
                )
            self._queue = WorkQueue(source, user, stage, project)
            source = self._queue.claim() or LabelRow(source.ontology(self._queue.project))
        elif user is not None or stage is not None or project is not None:
            raise LabelRowError(
                "Annotator: user=, stage= and project= are for claiming rows from a Store (Annotator(store, "
                "user=..., stage=...)); for a row opened from a store, give the user to store.open_row."
            )
        self._readonly_wanted = bool(readonly)
        self._stored = source if isinstance(source, StoredRow) else None
        if isinstance(source, StoredRow):
            if autosave is not None:
                raise LabelRowError(
                    "Annotator: a row from a store is saved by the store as each edit is made; leave out autosave."
                )
            source = source.row
        if isinstance(source, Project):
            rows = source.rows
            if not rows:
                raise LabelRowError("Annotator: the project has no rows to label; add rows with project.add_row(row).")
        elif isinstance(source, LabelRow):
            rows = [source]
        else:
            raise LabelRowError(
                f"Annotator needs a LabelRow, a Project, a stored row or a Store, got {type(source).__name__}."
            )
        if on_change is not None and not callable(on_change):
            raise LabelRowError(f"Annotator: on_change must be a function taking a Change, got {on_change!r:.40}.")
        if autosave is not None and not is_path(autosave):
            raise LabelRowError(f"Annotator: autosave must be a file path, got {type(autosave).__name__}.")
        self._source = source
        self._rows: list[LabelRow] = rows
        self._histories: dict[int, History] = {}
        if self._stored is not None:
            self._histories[id(self._stored.row)] = self._stored.history
        self._current = 0
        self._on_change = on_change
        self._lock = threading.RLock()  # edits and saves never interleave
        self._autosave_path = Path(os.fspath(autosave)) if autosave is not None else None
        roots = [self._autosave_path.parent] if self._autosave_path is not None else []
        self._frames = FrameStore(self._media_mapping(media), roots)
        self._parts = GroupParts()
        self._autosaver = Autosaver(self._write, self._saved) if self._autosave_path is not None else None
        self._tracking: TrackingJob | None = None
        self._tracking_request = 0
        self._tracking_row = 0
        self._tracking_done = threading.Event()
        self._progress_total = 1  # the steps of the task last reported (its end reports them all done)
        self._tracking_done.set()
        super().__init__(
            ontology=protocol.ontology_spec(rows[0].ontology),
            row_index=0,
            row_count=len(rows),
            rows=self._summaries(),
            readonly=bool(readonly),
            width=_size(width, "width"),
            height=_size(height, "height"),
        )
        self.on_msg(self._on_message)
        self.observe(self._on_row_index, names="row_index")
        self._watcher: RowWatcher | None = None
        self._watch()
        if self._queue is not None:
            self._show_work()
        else:  # the first row's videos are opened while the browser draws the widget
            self._frames.warm(((s, 0) for s in self.row.list_spaces()), self._warm_video)

    def _watch(self) -> None:
        if self._stored is not None:
            self.save_status = "saved"
            loop = _main_loop()
            if loop is not None:  # in a kernel: show others' edits as they land
                self._watcher = RowWatcher(self._stored, lambda: loop.add_callback(self.pull))

    def _media_mapping(self, media: object) -> dict[str, Any]:
        if media is None:
            return {}
        if is_path(media) or is_array(media):
            spaces = self._rows[0].list_spaces() if isinstance(self._source, LabelRow) else []
            if len(spaces) != 1:
                raise LabelRowError(
                    "Annotator: one media path or array fits a label row with one space; give media as "
                    "{space_id: path or array}."
                )
            return {spaces[0].space_id: media}
        if not isinstance(media, Mapping):
            raise LabelRowError(f"Annotator: media must be {{space_id: path or array}}, got {type(media).__name__}.")
        known = {s.space_id for row in self._rows for s in row.list_spaces()}
        for space_id in media if self._queue is None else ():  # rows claimed later may have other spaces
            if space_id not in known:
                raise LabelRowError(
                    f"Annotator: media names space {space_id!r}, but no row has it; the spaces are {sorted(known)}."
                )
        return dict(media)

    # -- what is shown --

    @property
    def row(self) -> LabelRow:
        """The label row shown."""
        return self._rows[self._current]

    @property
    def history(self) -> History:
        """The undo history of the row shown (each row keeps its own)."""
        row = self.row
        found = self._histories.get(id(row))
        if found is None:
            found = self._histories[id(row)] = History(row)
        return found

    def _title(self, index: int) -> str:
        return protocol.row_title(self._rows[index], index)

    def _summaries(self) -> list[Any]:  # RowSummary dicts, as the rows trait holds them
        return [protocol.row_summary(row, self._title(i)) for i, row in enumerate(self._rows)]

    def _row_message(self) -> RowMessage:
        return {
            "kind": "row",
            "row": protocol.row_state(self.row, self._current, self._title(self._current), self.history),
        }

    def _send_row(self) -> None:
        message = self._row_message()
        row = message["row"]
        first, rest = protocol.split_objects(row["objects"], MESSAGE_BYTES)
        row["objects"] = first
        self.send(message)
        # A row too large for one message: its other objects follow as updates (the browser adds them).
        history = row["history"]
        for objects in rest:
            more: UpdateMessage = {
                "kind": "update",
                "request": None,
                "objects": objects,
                "classifications": [],
                "removed_objects": [],
                "removed_classifications": [],
                "history": history,
            }
            self.send(more)
        self._prefetch()

    def _prefetch(self) -> None:
        """Get ready what the browser asks for first.

        The shown row's video files opened, with the packets of their first frame cut; the first
        frames of this row's and the next row's other spaces encoded.
        """
        self._frames.warm(((s, 0) for s in self.row.list_spaces()), self._warm_video)
        items = []
        for index in (self._current, self._current + 1):
            if index < len(self._rows):
                items += [((index, s.space_id, 0), s, 0) for s in self._rows[index].list_spaces()]
        self._frames.prefetch(items)

    def _warm_video(self, path: Path, source: MediaSource, frame: int) -> None:
        """On the frames' thread, with the reader held: a video's description and the packets of ``frame``."""
        if isinstance(source, VideoSource):
            describe(source)
            self._parts.part(path, source, frame, 0)

    def goto(self, index: int) -> None:
        """Show row ``index`` of the project (0 for a single row).

        Raises:
            LabelRowError: If there is no such row.
        """
        if isinstance(index, bool) or not isinstance(index, int):
            raise LabelRowError(f"goto takes a row number (int), got {type(index).__name__}.")
        if not 0 <= index < len(self._rows):
            raise LabelRowError(f"Row {index} is out of range: rows are 0..{len(self._rows) - 1}.")
        self._show(index)

    def next(self) -> bool:
        """Show the next row; returns False (and stays) on the last."""
        if self._current + 1 >= len(self._rows):
            return False
        self._show(self._current + 1)
        return True

    def previous(self) -> bool:
        """Show the previous row; returns False (and stays) on the first."""
        if self._current == 0:
            return False
        self._show(self._current - 1)
        return True

    def _show(self, index: int) -> None:
        self._current = index  # set first: the row_index observer sees nothing to do
        self.row_index = index
        self.message = ""
        self._send_row()

    def _on_row_index(self, change: Mapping[str, Any]) -> None:
        """The browser (or Python) set ``row_index``: show that row, clamped to the rows there are."""
        new = change["new"]
        if new == self._current:
            return
        clamped = max(0, min(new, len(self._rows) - 1))
        self._show(clamped)
        if clamped != new:
            self.message = f"Row {new} is out of range: rows are 0..{len(self._rows) - 1}; showing row {clamped}."

    def refresh(self) -> None:
        """Send the row again after changing it (or its media, or the project's rows) in Python.

        The row's undo history is cleared: edits made outside the widget are not in it, and older
        steps may no longer apply to the row as it is now.
        """
        with self._lock:
            if isinstance(self._source, Project) and self._source.rows:
                self._rows = self._source.rows
                live = {id(r) for r in self._rows}
                self._histories = {k: h for k, h in self._histories.items() if k in live}
            self._current = min(self._current, len(self._rows) - 1)
            self.history.clear()
            self._frames.clear()
            self._parts.forget()
            self.ontology = dict(protocol.ontology_spec(self._rows[0].ontology))
            self.row_count = len(self._rows)
            self.rows = self._summaries()
            self._show(self._current)

    # -- claiming rows from a store --

    def submit(self) -> int | None:
        """Finish the row held (it moves to the next stage) and claim the next; returns its id (None: none left).

        Raises:
            LabelspaceError: If the Annotator does not claim rows from a store, or the store refuses
                (the row is then still shown and held).
        """
        return self._finish("submit")

    def accept(self, comment: str = "") -> int | None:
        """In a review stage: accept the row held (it moves on), with a comment, and claim the next."""
        return self._finish("accept", comment)

    def reject(self, comment: str = "") -> int | None:
        """In a review stage: send the row held back to the first stage, with a comment, and claim the next."""
        return self._finish("reject", comment)

    def release(self) -> None:
        """Give the row held back, free for someone else; the widget then shows nothing to label."""
        queue = self._need_queue()
        with self._lock:
            if self._stored is not None:
                queue.finish(self._stored.row_id, "release")
            self._open(None)
        self.message = f"Row given back. Call annotator.claim() to claim a row of {queue.stage!r} again."

    def claim(self) -> int | None:
        """Claim the next row (the one held first, if any) and show it; returns its id (None: none left)."""
        queue = self._need_queue()
        with self._lock:
            self._open(queue.claim())
        return None if self._stored is None else self._stored.row_id

    def _need_queue(self) -> WorkQueue:
        if self._queue is None:
            raise LabelspaceError(
                "This Annotator does not claim rows from a store; make it with Annotator(store, user=..., stage=...)."
            )
        return self._queue

    def _finish(self, action: str, comment: str = "") -> int | None:
        queue = self._need_queue()
        with self._lock:
            if self._stored is None:
                raise LabelspaceError(f"No row is held to {action}; call annotator.claim() to claim one.")
            row_id = self._stored.row_id
            stage = queue.finish(row_id, action, comment)
            self._open(queue.claim())
        self.message = f"Row {row_id} is now in stage {stage!r}." + (
            "" if self._stored is not None else f" No row of {queue.stage!r} is left to claim."
        )
        return None if self._stored is None else self._stored.row_id

    def _open(self, stored: StoredRow | None) -> None:
        """Show a newly claimed row (None: nothing to label, an empty read-only row)."""
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        job = self._tracking
        if job is not None:
            job.cancel.set()
        queue = self._need_queue()
        row = stored.row if stored is not None else LabelRow(queue.store.ontology(queue.project))
        self._stored = stored
        self._source = row
        self._rows = [row]
        self._histories = {} if stored is None else {id(row): stored.history}
        self._current = 0
        self._frames.clear()
        self._parts.forget()
        self.ontology = dict(protocol.ontology_spec(row.ontology))
        self.row_count = 1
        self.rows = self._summaries()
        self._show(0)
        self._show_work()
        self._watch()

    def _show_work(self) -> None:
        queue = self._need_queue()
        self.work = dict(queue.state(None if self._stored is None else self._stored.row_id))
        self.readonly = self._readonly_wanted or self._stored is None
        if self._stored is None:
            self.message = f"No row of stage {queue.stage!r} is free for {queue.user}: nothing to label now."

    def _handle_work(self, content: Mapping[str, Any]) -> None:
        self.message = ""  # a refusal below then always reaches the browser (which waits for it to re-enable)
        action = content.get("action")
        comment = content.get("comment", "")
        if not isinstance(comment, str):
            raise LabelRowError(f"A work message's comment is text, got {type(comment).__name__}.")
        if action == "submit":
            self.submit()
        elif action == "accept":
            self.accept(comment)
        elif action == "reject":
            self.reject(comment)
        elif action == "release":
            self.release()
        elif action == "claim":
            self.claim()
        else:
            raise LabelRowError(
                f"A work message's action is submit, accept, reject, release or claim; got {action!r:.40}."
            )

    # -- edits --

    def edit(self, op: Mapping[str, Any]) -> Edit:
        """Carry out one operation on the row shown, as the browser would, and tell the browser.

        Args:
            op: An operation (see ``labelspace.model.operations``).

        Returns:
            The edit (empty if the operation changed nothing).

        Raises:
            LabelRowError: If the model refuses the operation, or the widget is read-only. Nothing changed then.
        """
        return self._edit(op, None)

    def _edit(self, op: Mapping[str, Any], request: int | None) -> Edit:
        if self.readonly:
            raise LabelRowError(
                "This Annotator is read-only (readonly=True): the edit was not made. Set annotator.readonly = "
                "False to allow edits."
            )
        with self._lock:
            _, edit = self.history.apply(op)
        self._after(edit, request, None)
        return edit

    def undo(self) -> bool:
        """Undo the last edit of the row shown; returns whether there was one."""
        return self._step("undo", None)

    def redo(self) -> bool:
        """Redo the last undone edit of the row shown; returns whether there was one."""
        return self._step("redo", None)

    def _step(self, which: Literal["undo", "redo"], request: int | None) -> bool:
        if self.readonly:
            raise LabelRowError(
                f"This Annotator is read-only (readonly=True): nothing to {which}. Set annotator.readonly = False "
                f"to allow edits."
            )
        with self._lock:
            done = self.history.undo() if which == "undo" else self.history.redo()
        if done is None:
            self._send_update((), request)
            return False
        self._after(done[1], request, which)
        return True

    def _after(self, edit: Edit, request: int | None, undo: Literal["undo", "redo"] | None) -> None:
        """Tell the browser, the row list, the callback and the autosave what an edit, undo or redo changed."""
        self.message = ""
        self._send_update(edit.changes, request)
        if not edit.changes:
            return
        summary = protocol.row_summary(self.row, self._title(self._current))
        if self.rows[self._current] != summary:
            rows = list(self.rows)
            rows[self._current] = summary
            self.rows = rows
        for change in edit.changes:
            self._call_on_change(dataclasses.replace(change, undo=undo) if undo else change)
        if self._autosaver is not None:
            self._autosaver.schedule()
        if self._stored is not None:
            self.save_status = "saved"  # the store committed the edit before it was shown

    def pull(self) -> int:
        """Bring in the edits others have committed to the stored row, and show them; returns how many changes.

        Called by itself in a kernel when the store says the row changed; a row not from a store has nothing to pull.
        """
        if self._stored is None:
            return 0
        with self._lock:
            changes = self._stored.pull()
        if changes and self.row is self._stored.row:
            self._send_update(changes, None)
            summary = protocol.row_summary(self.row, self._title(self._current))
            if self.rows[self._current] != summary:
                rows = list(self.rows)
                rows[self._current] = summary
                self.rows = rows
            for change in changes:
                self._call_on_change(change)
        return len(changes)

    def _send_update(self, changes: Sequence[Change], request: int | None) -> None:
        touched = [(c.kind, c.space, c.instance) for c in changes]
        objects, classifications, removed_objects, removed_classifications = protocol.states_of(self.row, touched)
        update: UpdateMessage = {
            "kind": "update",
            "request": request,
            "objects": objects,
            "classifications": classifications,
            "removed_objects": removed_objects,
            "removed_classifications": removed_classifications,
            "history": protocol.history_state(self.history),
        }
        self.send(update)

    def _call_on_change(self, change: Change) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(change)
        except Exception as e:  # the user's callback: report it, keep the edit and the widget going
            log.exception("Annotator on_change callback failed")
            self.message = f"on_change raised {type(e).__name__}: {e} (the edit was made)."

    # -- saving --

    def _write(self) -> None:
        assert self._autosave_path is not None
        with self._lock:
            self._source.save(self._autosave_path)

    def _saved(self, status: str, error: BaseException | None) -> None:
        self.save_status = status
        if error is not None:
            detail = error.message if isinstance(error, LabelspaceError) else f"{type(error).__name__}: {error}"
            self.message = f"Autosave to {str(self._autosave_path)!r} failed: {detail}"

    def save(self) -> None:
        """Save the row (or the project) to the autosave file now.

        Raises:
            LabelspaceError: If there is no autosave file (pass ``autosave=``), or writing fails
                (the file is then as it was; ``save_status`` is ``"failed"``).
        """
        if self._autosaver is None:
            raise LabelspaceError(
                "This Annotator has no autosave file; pass autosave='labels.json' to it, or save with row.save(path)."
            )
        self._autosaver.flush(force=True)

    def close(self) -> None:
        """Save a pending edit, stop fetching frames ahead, and close the widget."""
        # Also called by ipywidgets' __del__, on an object whose __init__ may have stopped early.
        watcher: RowWatcher | None = getattr(self, "_watcher", None)
        if watcher is not None:
            watcher.stop()
        autosaver: Autosaver | None = getattr(self, "_autosaver", None)
        if autosaver is not None:
            autosaver.flush(raise_errors=False)
        frames: FrameStore | None = getattr(self, "_frames", None)
        if frames is not None:
            frames.close()
        super().close()

    # -- messages from the browser --

    def _on_message(self, _widget: object, content: Any, buffers: Sequence[bytes]) -> None:
        # A traceback in a comm handler is invisible to the user: every failure ends in `message`.
        try:
            self.handle(content)
        except LabelspaceError as e:
            self.message = e.message
        except Exception as e:
            log.exception("Annotator could not handle a message from the browser")
            self.message = f"Internal error handling {str(content)[:80]}: {type(e).__name__}: {e}"

    def handle(self, content: Any) -> None:
        """Carry out one message from the browser (also usable from Python, for tests and scripts).

        Messages: ``{"kind": "ready"}``, ``{"kind": "edit", "request": n, "op": {...}}``,
        ``{"kind": "undo" | "redo", "request": n}``, ``{"kind": "goto", "row": i}``.

        Raises:
            LabelspaceError: For a malformed message (edits the model refuses are answered with a
                ``refused`` message instead).
        """
        if not isinstance(content, Mapping):
            raise LabelRowError(f"The browser sent a message that is not an object: {content!r:.60}.")
        kind = content.get("kind")
        if kind == "anywidget-command":
            return  # anywidget's own command protocol shares the channel
        if kind == "ready":
            self._send_row()
        elif kind == "edit":
            self._handle_edit(content)
        elif kind == "undo" or kind == "redo":
            self._handle_step(kind, content)
        elif kind == "goto":
            self._handle_goto(content)
        elif kind == "track":
            self._handle_track(content)
        elif kind == "cancel":
            job = self._tracking
            if job is not None:
                job.cancel.set()
        elif kind == "work":
            self._handle_work(content)
        else:
            raise LabelRowError(
                f"The browser sent a message of unknown kind {kind!r:.40}; expected one of {', '.join(MESSAGE_KINDS)}."
            )

    # -- tracking --

    def _handle_track(self, content: Mapping[str, Any]) -> None:
        request = _request(content)
        if request is None:
            raise LabelRowError(f"A track message needs a request number (int), got {content.get('request')!r:.40}.")
        if self.readonly:
            self._refuse(request, "This Annotator is read-only (readonly=True): nothing was tracked.")
            return
        if self._tracking is not None:
            self._refuse(request, "Tracking is already under way; wait for it or cancel it first.")
            return
        space_id, ids, frame, direction = (content.get(k) for k in ("space", "objects", "frame", "direction"))
        if not isinstance(space_id, str) or not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise LabelRowError("A track message needs 'space' (a space id) and 'objects' (a list of object hashes).")
        if direction not in ("forward", "backward"):
            raise LabelRowError(f"A track message's direction must be 'forward' or 'backward', got {direction!r:.40}.")
        space = self.row.get_space(id=space_id)
        if not isinstance(space, MultiFrameSpace):
            self._refuse(request, f"Space {space_id!r} is an image: there is nothing to track through.")
            return
        if isinstance(frame, bool) or not isinstance(frame, int) or not 0 <= frame < space.number_of_frames:
            raise LabelRowError(f"A track message's frame must be 0..{space.number_of_frames - 1}, got {frame!r:.40}.")
        by_hash = {o.object_hash: o for o in space.get_object_instances()}
        missing = [i for i in ids if i not in by_hash]
        if missing or not ids:
            self._refuse(request, f"Nothing to track: object(s) {missing or ids} are not on space {space_id!r}.")
            return
        try:
            located = self._frames.locate(space)
        except LabelspaceError as e:
            self._refuse(request, e.message)
            return
        loop = _main_loop()
        row_index = self._current

        def call(fn: Callable[[], None]) -> None:
            # In a kernel, on its own thread; elsewhere there is no browser, and wait_for_tracking
            # takes the outcome.
            if loop is not None:
                loop.add_callback(fn)

        def progress(done: int, total: int) -> None:
            # One step more than the frames: storing the result. The task runs until that is done.
            if done == total or done % 5 == 0:
                call(lambda: self._send_progress(request, done, total + 1, f"Tracking: {done} / {total} frames"))

        job = TrackingJob(
            self.row.ontology,
            space,
            [by_hash[i] for i in ids],
            lambda: FrameStore.open_for_tracking(located, space.number_of_frames),
            frame,
            direction,
            progress,
            lambda: call(lambda: self._finish_tracking(job, request, row_index)),
        )
        self._tracking, self._tracking_request, self._tracking_row = job, request, row_index
        self._tracking_done.clear()
        self._send_progress(request, 0, 1, "Tracking…")
        job.thread.start()

    def _send_progress(self, request: int, done: int, total: int, message: str) -> None:
        self._progress_total = total
        progress: ProgressMessage = {
            "kind": "progress",
            "request": request,
            "task": "tracking",
            "done": done,
            "total": total,
            "message": message,
        }
        self.send(progress)

    def _finish_tracking(self, job: TrackingJob, request: int, row_index: int) -> None:
        """Carry out a tracking job's outcome, once, on the kernel's thread (or the caller's, outside a kernel)."""
        with self._lock:
            if job.taken or job.outcome is None:
                return
            job.taken = True
        op, message = job.outcome
        try:
            if op is not None and row_index != self._current:
                message = "Tracking finished after the row changed: its result was not kept."
            elif op is not None:
                try:
                    self._edit(op, request)
                except LabelspaceError as e:
                    message = f"The tracked shapes could not be stored: {e.message}"
            steps = self._progress_total
            self._send_progress(request, steps, steps, message)
        finally:
            if self._tracking is job:
                self._tracking = None
            self._tracking_done.set()

    def wait_for_tracking(self, timeout: float | None = None) -> bool:
        """Wait until the tracking started from the browser has ended, and store its result; False on a timeout.

        In a notebook the result is stored by itself when tracking ends; this is for scripts and
        tests (and a cell that wants to wait).
        """
        job = self._tracking
        if job is None:
            return True
        job.thread.join(timeout)
        if job.thread.is_alive():
            return False
        self._finish_tracking(job, self._tracking_request, self._tracking_row)
        return self._tracking_done.is_set()

    def _refuse(self, request: int, message: str) -> None:
        self.message = message
        refused: RefusedMessage = {"kind": "refused", "request": request, "message": message}
        self.send(refused)

    def _handle_edit(self, content: Mapping[str, Any]) -> None:
        request = _request(content)
        if request is None:
            raise LabelRowError(f"An edit message needs a request number (int), got {content.get('request')!r:.40}.")
        try:
            self._edit(content.get("op"), request)  # type: ignore[arg-type]
        except LabelspaceError as e:
            self._refuse(request, e.message)

    def _handle_step(self, which: Literal["undo", "redo"], content: Mapping[str, Any]) -> None:
        request = _request(content)
        if request is None:
            raise LabelRowError(f"An {which} message needs a request number (int), got {content.get('request')!r:.40}.")
        try:
            self._step(which, request)
        except LabelspaceError as e:
            self._refuse(request, e.message)

    def _handle_goto(self, content: Mapping[str, Any]) -> None:
        job = self._tracking
        if job is not None:
            job.cancel.set()
        row = content.get("row")
        if isinstance(row, bool) or not isinstance(row, int):
            raise LabelRowError(f"A goto message needs a row number (int), got {row!r:.40}.")
        clamped = max(0, min(row, len(self._rows) - 1))
        self._show(clamped)
        if clamped != row:
            self.message = f"Row {row} is out of range: rows are 0..{len(self._rows) - 1}; showing row {clamped}."

    # -- pixels --

    @command
    def _image(self, msg: Any, buffers: Sequence[bytes]) -> tuple[ImageResponse, list[bytes]]:
        """The ``_image`` command: frame ``frame`` of space ``space`` of row ``row``, encoded for the browser.

        Never raises (anywidget would then not answer at all): a failure is an ``error`` in the response.
        """

        def work() -> tuple[dict[str, Any], list[bytes]]:
            row_index, space, frame = self._image_request(msg)
            encoded = self._frames.get((row_index, space.space_id, frame), space, frame)
            return {"mime": encoded.mime, "width": encoded.width, "height": encoded.height}, [encoded.data]

        response, data = self._answer("image", {"mime": "", "width": 0, "height": 0}, work)
        return response, data  # type: ignore[return-value]  # an ImageResponse: mime, width, height, error

    def _image_request(self, msg: Any) -> tuple[int, Space, int]:
        if not isinstance(msg, Mapping):
            raise LabelRowError(f"An image request must be {{row, space, frame}}, got {msg!r:.60}.")
        row_index, space_id, frame = msg.get("row"), msg.get("space"), msg.get("frame", 0)
        if isinstance(row_index, bool) or not isinstance(row_index, int) or not 0 <= row_index < len(self._rows):
            raise LabelRowError(f"Image request: row must be 0..{len(self._rows) - 1}, got {row_index!r:.40}.")
        if not isinstance(space_id, str):
            raise LabelRowError(f"Image request: space must be a space id (str), got {space_id!r:.40}.")
        space = self._rows[row_index].get_space(id=space_id)
        if isinstance(frame, bool) or not isinstance(frame, int) or not 0 <= frame < space.number_of_frames:
            raise LabelRowError(
                f"Image request: frame must be 0..{space.number_of_frames - 1} for space {space_id!r}, got "
                f"{frame!r:.40}."
            )
        return row_index, space, frame

    def _answer(
        self, what: str, fallback: dict[str, Any], work: Callable[[], tuple[dict[str, Any], list[bytes]]]
    ) -> tuple[dict[str, Any], list[bytes]]:
        """Answer a media command: ``work()``'s header with ``error: ""``, or ``fallback`` with the error.

        Never raises (anywidget would then not answer at all).
        """
        try:
            header, buffers = work()
        except LabelspaceError as e:
            return {**fallback, "error": e.message}, []
        except Exception as e:
            log.exception("Annotator could not read the %s", what)
            return {**fallback, "error": f"Could not read the {what}: {type(e).__name__}: {e}"}, []
        return {**header, "error": ""}, buffers

    @command
    def _media(self, msg: Any, buffers: Sequence[bytes]) -> tuple[dict[str, Any], list[bytes]]:
        """The ``_media`` command: how a space's media go to the browser (``_annotator_stream.describe``).

        A failure is an ``error`` with ``kind`` "frames": the browser then asks for frames.
        """

        def work() -> tuple[dict[str, Any], list[bytes]]:
            _, space, _ = self._image_request(msg)
            with self._frames.reading(self._frames.locate(space)) as source:
                return ({"kind": "frames"}, []) if source is None else describe(source)

        return self._answer("media", {"kind": "frames"}, work)

    @command
    def _video(self, msg: Any, buffers: Sequence[bytes]) -> tuple[dict[str, Any], list[bytes]]:
        """The ``_video`` command: part ``part`` of the keyframe group holding frame ``frame`` (see ``GroupParts``)."""

        def work() -> tuple[dict[str, Any], list[bytes]]:
            _, space, frame = self._image_request(msg)
            part = msg.get("part", 0)
            if isinstance(part, bool) or not isinstance(part, int):
                raise LabelRowError(f"A video request's part must be an int, got {part!r:.40}.")
            located = self._frames.locate(space)
            with self._frames.reading(located) as source:
                if not isinstance(source, VideoSource):
                    raise LabelRowError(f"Space {space.space_id!r} is not shown from a video file: ask for images.")
                header, data = self._parts.part(located.path, source, frame, part)
            return header, [data]

        return self._answer("video", {}, work)

    @command
    def _slice(self, msg: Any, buffers: Sequence[bytes]) -> tuple[dict[str, Any], list[bytes]]:
        """The ``_slice`` command: a volume's values cut at ``index`` along ``axis`` (``_volume.encode_slice``)."""

        def work() -> tuple[dict[str, Any], list[bytes]]:
            _, space, _ = self._image_request({**msg, "frame": 0} if isinstance(msg, Mapping) else msg)
            axis, index = msg.get("axis"), msg.get("index")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (axis, index)):
                raise LabelRowError(f"A slice request needs ints axis and index, got {axis!r:.20}, {index!r:.20}")
            with self._frames.reading(self._frames.locate(space)) as source:
                if not isinstance(source, VolumeSource):
                    raise LabelRowError(f"Space {space.space_id!r} is not shown from a volume: ask for images.")
                header, data = encode_slice(source, axis, index)
            return header, [data]

        return self._answer("volume", {}, work)


def _main_loop() -> Any:
    """The kernel's event loop, where a tracking thread hands its result back (None outside a kernel)."""
    try:
        from ipykernel.kernelbase import Kernel
    except ImportError:
        return None
    if not Kernel.initialized():
        return None
    return getattr(Kernel.instance(), "io_loop", None)


__all__ = ["Annotator"]
