"""Adding many rows at once: their instances encoded in one pass per row, inserted in large batches.

An import spends about three quarters of its time making fragments and the rest in the database.
(Encoding the next rows in a thread while a batch is written gained about 6%: the encoding holds
the interpreter's lock.)
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from labelspace.model.errors import StoreError
from labelspace.model.label_row import LabelRow
from labelspace.model.native.fragments import row_fragments
from labelspace.store import _schema as t
from labelspace.store._codec import fragment_bytes

BATCH = 5000
"""Instances written per statement."""
COLUMNS = ("row_id", "hash", "kind", "seq", "version", "data")
_INSERT = sa.insert(t.instances).values({k: sa.bindparam(k) for k in COLUMNS})

Encoded = list[tuple[str, str, bytes | None]]
"""A row's instances as stored: (hash, kind, fragment bytes), in seq order."""


def encode_row(row: LabelRow) -> Encoded:
    """A row's instances as the instances table keeps them."""
    return [(h, f["kind"], fragment_bytes(f)) for h, f in row_fragments(row, raw=True).items()]


def insert_instances(c: Connection, values: list[tuple[Any, ...]]) -> None:
    """Insert instances, each ``(row_id, hash, kind, seq, version, data)``, straight through the driver.

    PostgreSQL loads them with ``COPY``. On SQLite, SQLAlchemy compiles the statement (its
    parameters in ``COLUMNS`` order) and its per-row parameter handling, a third of an import's
    time, is skipped: every column is an integer, text or bytes, which the driver takes as it is.
    """
    if c.dialect.name == "postgresql":
        quote = c.dialect.identifier_preparer.quote
        columns = ", ".join(quote(k) for k in COLUMNS)
        cursor = c.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {quote(t.instances.name)} ({columns}) FROM STDIN") as copy:
            for v in values:
                copy.write_row(v)
        return
    compiled = _INSERT.compile(dialect=c.dialect)
    if list(compiled.positiontup or ()) != list(COLUMNS):  # the tuples must match the placeholders
        raise StoreError(f"Cannot add instances on {c.dialect.name}: its statement takes {compiled.positiontup}.")
    c.exec_driver_sql(str(compiled), values)


__all__ = ["BATCH", "encode_row", "insert_instances"]
