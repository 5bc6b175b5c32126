"""Writing edits: one transaction per edit, checked against the versions it was based on.

The transaction writes the instances the edit changed and appends the entry (with what they were
before) to the edit log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from labelspace.model._meta import now_micros
from labelspace.store import _schema as t
from labelspace.store._blocks import explode
from labelspace.store._codec import Image, dumps, images_bytes


class StaleError(Exception):
    """The instances an edit was based on have changed in the store since (internal: the session merges or refuses)."""

    def __init__(self, hashes: list[str]) -> None:
        super().__init__(hashes)
        self.hashes = hashes


@dataclass(frozen=True)
class Written:
    """What an edit's transaction wrote: its log id, the row's newest log id before it, versions and seqs."""

    entry: int
    previous: int
    versions: dict[str, int]
    seqs: dict[str, int]


@dataclass(frozen=True)
class Entry:
    """An edit to write.

    Attributes:
        row_id: The row.
        user: Who made it.
        session: The writing session's id.
        kind: ``edit``, ``undo`` or ``redo``.
        target: The log id undone or redone (None for an edit).
        op: The operation (JSON-ready).
        touched: Per instance, the frames and answers changed (see ``_codec.touched_of``).
        data: Per instance, its fragment's bytes after the edit (None: it left the row).
        kinds: Per instance, ``object`` or ``classification`` (None for one that left the row: it keeps its kind).
        expected: Per instance, the version the edit was based on (0: not in the store).
        seqs: Per instance, a seq to restore (an undo brings an instance back to its place).
    """

    row_id: int
    user: str | None
    session: str
    kind: str
    target: int | None
    op: Mapping[str, Any]
    touched: Mapping[str, Any]
    data: Mapping[str, bytes | None]
    kinds: Mapping[str, str | None]
    expected: Mapping[str, int]
    seqs: Mapping[str, int]


# The statements an edit runs, built once: building a SQLAlchemy statement costs more than running it.
_LOCK_ROW = sa.select(t.rows.c.last_edit).where(t.rows.c.id == sa.bindparam("row_id"))
_LOCK_ROW_PG = _LOCK_ROW.with_for_update()
_FIND = sa.select(
    t.instances.c.hash, t.instances.c.seq, t.instances.c.version, t.instances.c.data, t.instances.c.kind
).where(t.instances.c.row_id == sa.bindparam("row_id"), t.instances.c.hash.in_(sa.bindparam("hashes", expanding=True)))
_TOP_SEQ = sa.select(sa.func.max(t.instances.c.seq)).where(t.instances.c.row_id == sa.bindparam("row_id"))
_INSERT = sa.insert(t.instances)
_UPDATE = (
    sa.update(t.instances)
    .where(t.instances.c.row_id == sa.bindparam("b_row_id"), t.instances.c.hash == sa.bindparam("b_hash"))
    .values(
        seq=sa.bindparam("seq"),
        version=sa.bindparam("version"),
        data=sa.bindparam("data"),
        kind=sa.bindparam("kind"),
    )
)
_LOG = sa.insert(t.edits).returning(t.edits.c.id)
_MOVE_HEAD = (
    sa.update(t.rows)
    .where(t.rows.c.id == sa.bindparam("b_row_id"))
    .values(last_edit=sa.bindparam("last_edit"), updated_at=sa.bindparam("updated_at"))
)


def write_entry(connection: Connection, entry: Entry) -> Written:
    """Write an edit in the caller's (write) transaction.

    Raises:
        StaleError: If an instance's version in the store is not the one the edit was based on
            (nothing is written; the caller's transaction should be left to roll back or end).
    """
    hashes = list(entry.data)
    # Lock the row first: writers of one row then queue here, so that two of them cannot both see an
    # instance missing (or the same next seq) and insert it twice. (SQLite's write lock is the whole file.)
    postgres = connection.dialect.name == "postgresql"
    previous = connection.execute(_LOCK_ROW_PG if postgres else _LOCK_ROW, {"row_id": entry.row_id}).scalar_one()
    if not previous:  # the row's first edit: its instances may still be the block it was added as
        explode(connection, entry.row_id, f"row {entry.row_id}")
    found: dict[str, Image] = {}
    kinds: dict[str, str] = {}
    for part in chunks(hashes):
        for h, seq, version, data, kind in connection.execute(_FIND, {"row_id": entry.row_id, "hashes": part}):
            found[h] = (seq, version, data)
            kinds[h] = kind
    stale = [h for h in hashes if found.get(h, (0, 0, None))[1] != entry.expected.get(h, 0)]
    if stale:
        raise StaleError(stale)
    next_seq = None
    versions, seqs = {}, {}
    inserts, updates = [], []
    for h in hashes:
        old = found.get(h)
        seq = entry.seqs.get(h)
        if seq is None and old is not None and old[2] is not None:
            seq = old[0]
        if seq is None:
            if next_seq is None:
                next_seq = (connection.execute(_TOP_SEQ, {"row_id": entry.row_id}).scalar() or 0) + 1
            seq, next_seq = next_seq, next_seq + 1
        version = (old[1] if old is not None else 0) + 1
        versions[h], seqs[h] = version, seq
        kind = entry.kinds.get(h) or kinds.get(h, "object")
        values = {"seq": seq, "version": version, "data": entry.data[h], "kind": kind}
        if old is None:
            inserts.append({"row_id": entry.row_id, "hash": h, **values})
        else:
            updates.append({"b_row_id": entry.row_id, "b_hash": h, **values})
    if inserts:
        connection.execute(_INSERT, inserts)
    if updates:
        connection.execute(_UPDATE, updates)
    before = {h: found.get(h, (seqs[h], 0, None)) for h in hashes}
    touched = {h: {**entry.touched.get(h, {}), "v": versions[h]} for h in hashes}
    now = now_micros()
    entry_id = connection.execute(
        _LOG,
        {
            "row_id": entry.row_id,
            "user": entry.user,
            "at": now,
            "kind": entry.kind,
            "target": entry.target,
            "op": dumps(entry.op),
            "touched": dumps(touched),
            "before": images_bytes(before),
            "session": entry.session,
        },
    ).scalar_one()
    connection.execute(_MOVE_HEAD, {"b_row_id": entry.row_id, "last_edit": entry_id, "updated_at": now})
    notify(connection, entry.row_id)
    return Written(entry_id, int(previous), versions, seqs)


def chunks(values: list[str], size: int = 500) -> list[list[str]]:
    """``values`` in lists of at most ``size`` (a bound on the parameters of one ``IN``)."""
    return [values[i : i + size] for i in range(0, len(values), size)]


CHANNEL = "labelspace_edits"


def notify(connection: Connection, row_id: int) -> None:
    """Tell PostgreSQL listeners that a row changed (delivered when the transaction commits)."""
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_notify(:channel, :row)"), {"channel": CHANNEL, "row": str(row_id)})


__all__ = ["CHANNEL", "Entry", "StaleError", "Written", "chunks", "notify", "write_entry"]
