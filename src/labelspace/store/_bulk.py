"""Adding many rows at once: each row's instances encoded in one pass, inserted in large batches.

A row's instances go in as one block (``_blocks``) when they can, else one record each. An import
spends most of its time making the fragments; the database's share is small with blocks (an
instance record cost SQLite about 10 us, as long as making it).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from labelspace.model.errors import StoreError
from labelspace.model.label_row import LabelRow
from labelspace.model.native.fragments import row_fragments
from labelspace.store import _schema as t
from labelspace.store._codec import block_bytes, fragment_bytes

BATCH = 5000
"""Instances written per statement."""
BLOCK_BATCH = 32 << 20
"""Bytes of blocks written per statement."""
COLUMNS = ("row_id", "hash", "kind", "seq", "version", "data")
BLOCK_COLUMNS = ("row_id", "objects", "data")
_PG_TYPES = {
    "row_id": "int8",
    "hash": "varchar",
    "kind": "varchar",
    "seq": "int4",
    "version": "int4",
    "objects": "int4",
    "data": "bytea",
}
"""The columns' PostgreSQL types, for ``COPY`` in binary (text would write every byte of data as two hex digits)."""

Encoded = list[tuple[str, str, bytes | None]]
"""A row's instances as stored one by one: (hash, kind, fragment bytes), in seq order."""


def encode_row(row: LabelRow) -> tuple[tuple[bytes, int] | None, Encoded]:
    """A row's instances as the store keeps them: a block with its count of objects, or else each instance."""
    fragments = row_fragments(row, raw=True)
    block = block_bytes(fragments)
    if block is not None:
        return block, []
    return None, [(h, f["kind"], fragment_bytes(f)) for h, f in fragments.items()]


def _insert(c: Connection, table: sa.Table, columns: tuple[str, ...], values: list[tuple[Any, ...]]) -> None:
    """Insert rows of ``table`` (tuples in ``columns`` order) straight through the driver.

    PostgreSQL loads them with ``COPY`` in binary. On SQLite, SQLAlchemy compiles the statement (its
    parameters in ``columns`` order) and its per-row parameter handling, a third of an import's
    time before blocks, is skipped: every column is an integer, text or bytes, which the driver
    takes as it is.
    """
    if not values:
        return
    if c.dialect.name == "postgresql":
        quote = c.dialect.identifier_preparer.quote
        names = ", ".join(quote(k) for k in columns)
        cursor = c.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([_PG_TYPES[k] for k in columns])
            for v in values:
                copy.write_row(v)
        return
    compiled = sa.insert(table).values({k: sa.bindparam(k) for k in columns}).compile(dialect=c.dialect)
    if list(compiled.positiontup or ()) != list(columns):  # the tuples must match the placeholders
        raise StoreError(f"Cannot add to {table.name} on {c.dialect.name}: its statement takes {compiled.positiontup}.")
    c.exec_driver_sql(str(compiled), values)


def insert_instances(c: Connection, values: list[tuple[Any, ...]]) -> None:
    """Insert instances, each ``(row_id, hash, kind, seq, version, data)``."""
    _insert(c, t.instances, COLUMNS, values)


def insert_blocks(c: Connection, values: list[tuple[Any, ...]]) -> None:
    """Insert blocks, each ``(row_id, objects, data)``."""
    _insert(c, t.blocks, BLOCK_COLUMNS, values)


__all__ = ["BATCH", "BLOCK_BATCH", "encode_row", "insert_blocks", "insert_instances"]
