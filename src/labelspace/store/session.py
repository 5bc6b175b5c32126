"""A row opened from a store: every edit committed as it is made, others' edits brought in, undo from the log.

``StoredRow`` holds a live ``LabelRow`` and the version of each of its instances in the store.
``apply(op)`` carries the operation out on the row, then writes the instances it changed in one
transaction that also checks they are still at the versions the edit was based on:

- if someone else changed one of them since, and their edit and this one touch different frames
  (and not both the static answers), their version is brought in and the operation made again on
  it (a merge);
- if they touch the same frames, the edit is refused with ``ConflictError`` and the row shows
  their version.

``undo()`` and ``redo()`` work from the edit log, so they survive a restart: the session's user's
edits on the row, newest first, each restored from the images the log kept of what it touched.
``pull()`` brings in the edits others have committed since (the Annotator calls it when the
store says the row changed).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from labelspace.model.errors import ConflictError, StoreError
from labelspace.model.frames import Range
from labelspace.model.history import History
from labelspace.model.label_row import LabelRow
from labelspace.model.native.fragments import instance_fragment, put_fragment
from labelspace.model.operations import Change, Edit, apply_operation
from labelspace.store import _schema as t
from labelspace.store._codec import clash, fragment_bytes, fragment_of, images_of, touched_of
from labelspace.store._engine import run
from labelspace.store._log import Entry, StaleError, Written, chunks, write_entry

if TYPE_CHECKING:
    from labelspace.store.store import Store

MERGE_ATTEMPTS = 5


class StoredRow:
    """A row of a store, open for editing by one user (see the module docstring).

    Made by ``Store.open_row``; give it to ``Annotator`` to label it in a notebook.

    Attributes:
        row: The label row (edit it through ``apply``, ``undo`` and ``redo`` so that the store keeps it).
        row_id: The row's id in the store.
        user: Who the edits are by.
    """

    def __init__(
        self,
        store: Store,
        row_id: int,
        row: LabelRow,
        versions: dict[str, int],
        seen: int,
        user: str | None,
    ) -> None:
        self._store = store
        self.row_id = row_id
        self.row = row
        self.user = user
        self._versions = versions
        self._seen = seen
        self.session = uuid.uuid4().hex
        self._lock = threading.RLock()
        self._stack: tuple[list[int], list[int]] | None = None  # (done, undone) log ids, read lazily
        self.history = StoreHistory(self)

    def __repr__(self) -> str:
        return f"StoredRow(row {self.row_id} of {self._store.url_shown!r}, user={self.user!r})"

    @property
    def store(self) -> Store:
        """The store the row is in."""
        return self._store

    @property
    def last_seen(self) -> int:
        """The newest edit log id the row in memory reflects."""
        return self._seen

    def version(self, instance_hash: str) -> int:
        """The store version of an instance as this session last saw it (0: not in the store)."""
        return self._versions.get(instance_hash, 0)

    # -- edits --

    def apply(self, op: Mapping[str, Any]) -> Edit:
        """Carry out an operation and commit it; returns the edit (empty if it changed nothing).

        Raises:
            LabelRowError: If the model refuses the operation (nothing changed).
            ConflictError: If someone else changed the same instance on the same frames since this
                session last saw it; the row now shows their version, this edit was not made.
            StoreError: If the database fails (the row in memory is as it was before the call).
        """
        with self._lock:
            for _ in range(MERGE_ATTEMPTS):
                edit = apply_operation(self.row, op)
                if edit.is_empty():
                    return edit
                touched = touched_of(edit.changes)
                try:
                    written = self._commit("edit", None, op, touched, {})
                except StaleError as stale:
                    edit.undo(self.row)
                    self._merge_or_refuse(stale.hashes, touched, since=self._seen)
                    continue
                except BaseException:
                    edit.undo(self.row)
                    raise
                self._after_write(written)
                stack = self._undo_stack()
                stack[0].append(written.entry)
                stack[1].clear()
                return edit
        raise ConflictError(
            f"Row {self.row_id}: others kept changing the instances this edit touches; it was not made after "
            f"{MERGE_ATTEMPTS} attempts. Try again."
        )

    def _commit(
        self,
        kind: str,
        target: int | None,
        op: Mapping[str, Any],
        touched: Mapping[str, Any],
        seqs: Mapping[str, int],
    ) -> Written:
        data: dict[str, bytes | None] = {}
        kinds: dict[str, str | None] = {}
        for h in touched:
            fragment = instance_fragment(self.row, h, raw=True)
            data[h] = fragment_bytes(fragment)
            kinds[h] = None if fragment is None else fragment["kind"]
        entry = Entry(
            self.row_id,
            self.user,
            self.session,
            kind,
            target,
            op,
            touched,
            data,
            kinds,
            {h: self._versions.get(h, 0) for h in touched},
            seqs,
        )
        return run(self._store.engine, lambda c: write_entry(c, entry), write=True, where=self._store.url_shown)

    def _after_write(self, written: Written) -> None:
        self._versions.update(written.versions)
        if written.previous <= self._seen:  # nobody else wrote to the row in between: the row is up to date
            self._seen = written.entry

    def _merge_or_refuse(self, hashes: list[str], touched: Mapping[str, Any], since: int) -> None:
        """Others changed ``hashes`` since ``since``: bring their edits in, and refuse if they clash with ours."""
        entries = self._entries_since(since)
        self._bring_in(entries)
        for entry_id, user, session, their in entries:
            if session == self.session:
                continue
            for h in hashes:
                if h in their:
                    where = clash(touched.get(h, {}), their[h])
                    if where is not None:
                        what = "static answers" if where == [-1] else f"frame {where[0]}"
                        raise ConflictError(
                            f"Row {self.row_id}: {user or 'someone'} changed instance {h!r} ({what}) in edit "
                            f"{entry_id}, after this session last saw it; this edit changes the same, so it was not "
                            "made. The row now shows their version: make the edit again if it still applies."
                        )

    # -- others' edits --

    def _entries_since(self, since: int) -> list[tuple[int, str | None, str, dict[str, Any]]]:
        def read(c: Connection) -> list[Any]:
            return list(
                c.execute(
                    sa.select(t.edits.c.id, t.edits.c.user, t.edits.c.session, t.edits.c.touched)
                    .where(t.edits.c.row_id == self.row_id, t.edits.c.id > since)
                    .order_by(t.edits.c.id)
                )
            )

        found = run(self._store.engine, read, write=False, where=self._store.url_shown)
        return [(i, u, s, orjson.loads(touched)) for i, u, s, touched in found]

    def _bring_in(self, entries: list[tuple[int, str | None, str, dict[str, Any]]]) -> list[Change]:
        """Make the row show the store's version of every instance ``entries`` touched."""
        if not entries:
            return []
        hashes = {h for _, _, _, touched in entries for h in touched}

        def read(c: Connection) -> list[Any]:
            out = []
            for part in chunks(sorted(hashes)):
                out += list(
                    c.execute(
                        sa.select(t.instances.c.hash, t.instances.c.version, t.instances.c.data).where(
                            t.instances.c.row_id == self.row_id, t.instances.c.hash.in_(part)
                        )
                    )
                )
            return out

        changes: list[Change] = []
        for h, version, data in run(self._store.engine, read, write=False, where=self._store.url_shown):
            if version == self._versions.get(h, 0):
                continue
            frames = tuple(
                Range(a, b) for _, _, _, touched in entries if h in touched for a, b in touched[h].get("frames", [])
            )
            changes += self._put(h, fragment_of(data, f"row {self.row_id}"), "pull", frames)
            self._versions[h] = version
        self._seen = max(self._seen, entries[-1][0])
        return changes

    def _put(self, h: str, fragment: Mapping[str, Any] | None, op: str, frames: tuple[Range, ...]) -> list[Change]:
        """Put one instance's fragment into the row; the changes it makes, one per space it was or is on."""
        spaces_before = self._spaces_of(h)
        put_fragment(self.row, h, fragment)
        out = []
        for space_id, kind in {**spaces_before, **self._spaces_of(h)}.items():
            out.append(Change(op, kind, space_id, h, frames))  # type: ignore[arg-type]
        return out

    def _spaces_of(self, h: str) -> dict[str, str]:
        out = {}
        for space in self.row.list_spaces():
            if h in space._objects:
                out[space.space_id] = "object"
            elif h in space._classifications:
                out[space.space_id] = "classification"
        return out

    def pull(self) -> list[Change]:
        """Bring in the edits others committed to this row since this session last looked.

        Returns:
            What changed in the row (one ``Change`` per instance and space; ``op`` is ``"pull"``).
        """
        with self._lock:
            entries = self._entries_since(self._seen)
            foreign = [e for e in entries if e[2] != self.session]
            changes = self._bring_in(foreign) if foreign else []
            if entries:
                self._seen = max(self._seen, entries[-1][0])
            if foreign:
                self._stack = None  # others' edits may make ours no longer undoable: read the stack again
            return changes

    def changed(self) -> bool:
        """Whether the store holds edits to this row that this session has not seen (a cheap check)."""
        newest = run(
            self._store.engine,
            lambda c: c.execute(sa.select(t.rows.c.last_edit).where(t.rows.c.id == self.row_id)).scalar(),
            write=False,
            where=self._store.url_shown,
        )
        return bool(newest and newest > self._seen)

    # -- undo and redo, from the log --

    def _undo_stack(self) -> tuple[list[int], list[int]]:
        """The user's edits on this row that can be undone and redone, newest last (read from the log)."""
        if self._stack is not None:
            return self._stack

        def read(c: Connection) -> list[Any]:
            return list(
                c.execute(
                    sa.select(t.edits.c.id, t.edits.c.kind, t.edits.c.target)
                    .where(t.edits.c.row_id == self.row_id, t.edits.c.user == self.user)
                    .order_by(t.edits.c.id)
                )
            )

        done: list[int] = []
        undone: list[int] = []
        for entry_id, kind, target in run(self._store.engine, read, write=False, where=self._store.url_shown):
            if kind == "edit":
                done.append(entry_id)
                undone.clear()
            elif kind == "undo" and done and done[-1] == target:
                undone.append(done.pop())
            elif kind == "redo" and undone and undone[-1] == target:
                done.append(undone.pop())
        self._stack = (done, undone)
        return self._stack

    def can_undo(self) -> int:
        """How many of the user's edits on this row can be undone."""
        return len(self._undo_stack()[0])

    def can_redo(self) -> int:
        """How many undone edits can be redone."""
        return len(self._undo_stack()[1])

    def undo(self) -> list[Change] | None:
        """Undo the user's last edit on this row (from the log); None if there is none.

        Raises:
            ConflictError: If someone else has changed what the edit touched since (nothing is undone).
        """
        return self._step("undo")

    def redo(self) -> list[Change] | None:
        """Redo the user's last undone edit; None if there is none.

        Raises:
            ConflictError: If someone else has changed what the undo touched since (nothing is redone).
        """
        return self._step("redo")

    def _step(self, which: str) -> list[Change] | None:
        with self._lock:
            self.pull()
            done, undone = self._undo_stack()
            stack = done if which == "undo" else undone
            if not stack:
                return None
            target = stack[-1]
            # Undo restores what the edit's images kept; redo restores what the undo's images kept.
            source = target if which == "undo" else self._last_undo_of(target)
            images, later = self._images_and_later(source)
            for entry_id, user, their in later:
                hit = sorted(set(images) & set(their))
                if hit:
                    raise ConflictError(
                        f"Row {self.row_id}: cannot {which} edit {target}: {user or 'someone'} has changed instance "
                        f"{hit[0]!r} since (edit {entry_id}); nothing was {which}ne."
                    )
            saved = {h: instance_fragment(self.row, h, raw=True) for h in images}
            changes: list[Change] = []
            try:
                for h, (_seq, _version, data) in images.items():
                    changes += self._put(h, fragment_of(data, f"row {self.row_id}"), which, ())
                touched = {h: {"frames": [], "answers": True, "whole": True} for h in images}
                seqs = {h: seq for h, (seq, _, _) in images.items()}
                written = self._commit(which, target, {"op": which, "edit": target}, touched, seqs)
            except BaseException as e:
                for h, fragment in saved.items():
                    put_fragment(self.row, h, fragment)
                if not isinstance(e, StaleError):
                    raise
                self.pull()
                raise ConflictError(
                    f"Row {self.row_id}: cannot {which} edit {target}: someone changed instance {e.hashes[0]!r} "
                    f"a moment ago; nothing was {which}ne. The row now shows their version."
                ) from None
            self._after_write(written)
            (undone if which == "undo" else done).append(stack.pop())
            return changes

    def _last_undo_of(self, target: int) -> int:
        found = run(
            self._store.engine,
            lambda c: c.execute(
                sa.select(sa.func.max(t.edits.c.id)).where(
                    t.edits.c.row_id == self.row_id, t.edits.c.kind == "undo", t.edits.c.target == target
                )
            ).scalar(),
            write=False,
            where=self._store.url_shown,
        )
        if found is None:
            raise StoreError(f"Row {self.row_id}: the log has no undo of edit {target} to redo.")
        return int(found)

    def _images_and_later(self, entry_id: int) -> tuple[dict[str, Any], list[tuple[int, str | None, dict[str, Any]]]]:
        def read(c: Connection) -> tuple[Any, list[Any]]:
            before = c.execute(sa.select(t.edits.c.before).where(t.edits.c.id == entry_id)).scalar()
            later = list(
                c.execute(
                    sa.select(t.edits.c.id, t.edits.c.user, t.edits.c.touched).where(
                        t.edits.c.row_id == self.row_id, t.edits.c.id > entry_id, t.edits.c.user != self.user
                    )
                )
            )
            return before, later

        before, later = run(self._store.engine, read, write=False, where=self._store.url_shown)
        if before is None:
            raise StoreError(
                f"Row {self.row_id}: edit {entry_id} was compacted (the log keeps who and what, not the state "
                "before it), so it can no longer be undone."
            )
        return images_of(before, f"edit {entry_id}"), [(i, u, orjson.loads(x)) for i, u, x in later]


class StoreHistory(History):
    """A stored row's undo and redo, as the Annotator uses a ``History``: every step committed to the store."""

    def __init__(self, stored: StoredRow) -> None:
        super().__init__(stored.row)
        self._stored = stored
        # The operations of log entries, for the undo and redo buttons' labels (read once each).
        self._operations: dict[int, Mapping[str, Any]] = {}

    def apply(self, operation: Mapping[str, Any]) -> tuple[int, Edit]:
        """Carry out and commit an operation (see ``StoredRow.apply``)."""
        edit = self._stored.apply(operation)
        if edit.is_empty():
            return 0, edit
        entry = self._stored._undo_stack()[0][-1]
        self._operations[entry] = edit.operation
        return entry, edit

    @property
    def can_undo(self) -> int:
        """How many edits can be undone (from the store's log)."""
        return self._stored.can_undo()

    @property
    def can_redo(self) -> int:
        """How many undone edits can be redone."""
        return self._stored.can_redo()

    def peek_undo(self) -> int:
        """The log id of the edit ``undo`` would undo, or 0."""
        done = self._stored._undo_stack()[0]
        return done[-1] if done else 0

    def peek_redo(self) -> int:
        """The log id of the edit ``redo`` would redo, or 0."""
        undone = self._stored._undo_stack()[1]
        return undone[-1] if undone else 0

    def _label_edit(self, entry_id: int) -> Edit | None:
        if not entry_id:
            return None
        operation = self._operations.get(entry_id)
        if operation is None:
            op = run(
                self._stored.store.engine,
                lambda c: c.execute(sa.select(t.edits.c.op).where(t.edits.c.id == entry_id)).scalar(),
                write=False,
                where=self._stored.store.url_shown,
            )
            operation = self._operations[entry_id] = orjson.loads(op) if op else {}
        return Edit(operation, ())

    def next_undo(self) -> Edit | None:
        """The edit ``undo`` would undo (its operation only), or None."""
        return self._label_edit(self.peek_undo())

    def next_redo(self) -> Edit | None:
        """The edit ``redo`` would redo (its operation only), or None."""
        return self._label_edit(self.peek_redo())

    def undo(self) -> tuple[int, Edit] | None:
        """Undo the last edit, from the log."""
        entry = self.peek_undo()
        changes = self._stored.undo()
        return None if changes is None else (entry, Edit({"op": "undo"}, (), tuple(changes)))

    def redo(self) -> tuple[int, Edit] | None:
        """Redo the last undone edit, from the log."""
        entry = self.peek_redo()
        changes = self._stored.redo()
        return None if changes is None else (entry, Edit({"op": "redo"}, (), tuple(changes)))

    def clear(self) -> None:
        """Nothing to forget: the history is the store's log."""


__all__ = ["StoreHistory", "StoredRow"]
