"""Blocks: the instances of an added row kept in one record until the row is opened for editing.

Adding a row as one ``instances`` record per instance spent as long in the database as making the
records (an image of 100 boxes is 100 records, and SQLite takes about 10 us a record). A block is
the row's fragments as one JSON list in the row's order (``_codec.block_bytes``): one record a
row. Reading the row reads the list. Opening it for editing (``Store.open_row``) moves the block's
fragments into ``instances`` in a transaction of its own, each at version 1 with its place in the
list as its seq, so that its first edit costs what any edit costs; an edit that still finds a
block (a session opened another way) moves it first, in the edit's transaction. A row has a
block or instances, never both.

A row whose fragments hold packed columns (long video tracks) is stored instance by instance as
before: its instances are few and large, and JSON has no bytes.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from labelspace.store import _schema as t
from labelspace.store._bulk import BATCH, insert_instances
from labelspace.store._codec import block_fragments, fragment_bytes

_READ = sa.select(t.blocks.c.data).where(t.blocks.c.row_id == sa.bindparam("row_id"))
_TAKE_PG = _READ.with_for_update()  # two movers of one block: the second waits, then finds it gone
_DROP = sa.delete(t.blocks).where(t.blocks.c.row_id == sa.bindparam("row_id"))


def read_block(c: Connection, row_id: int, where: str, *, take: bool = False) -> list[tuple[str, dict[str, Any]]]:
    """The fragments of a row's block with their hashes (none if it has no block), in the caller's transaction.

    With ``take``, on PostgreSQL, the block is locked until the transaction ends (SQLite's write
    transaction holds the whole file already).
    """
    statement = _TAKE_PG if take and c.dialect.name == "postgresql" else _READ
    data = c.execute(statement, {"row_id": row_id}).scalar()
    return [] if data is None else block_fragments(data, where)


def explode(c: Connection, row_id: int, where: str) -> int:
    """Move a row's block into the instances table, in the caller's write transaction; returns how many."""
    found = read_block(c, row_id, where, take=True)
    values = [(row_id, h, f["kind"], seq, 1, fragment_bytes(f)) for seq, (h, f) in enumerate(found, 1)]
    for first in range(0, len(values), BATCH):
        insert_instances(c, values[first : first + BATCH])
    if found:
        c.execute(_DROP, {"row_id": row_id})
    return len(values)


__all__ = ["explode", "read_block"]
