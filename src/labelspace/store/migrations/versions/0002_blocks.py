"""Blocks: the instances of an added row kept as one record until the row is opened for editing.

Revision ID: 0002
Revises: 0001

Adding a row wrote one ``instances`` record per instance; a large import spent as long in the
database as making the records. A row added now keeps all its fragments in one ``blocks`` record;
opening the row for editing moves them into ``instances`` (``labelspace.store._blocks``). Rows of a store made
by 0001 keep their instances as they are; going back down moves every block into ``instances``.
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the blocks table."""
    op.create_table(
        "blocks",
        sa.Column("row_id", ID, sa.ForeignKey("rows.id"), primary_key=True),
        sa.Column("objects", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        # Kept out of line without compression: compressing a block costs more than writing it.
        op.execute("ALTER TABLE blocks ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    """Move every block's instances into the instances table (as revision 0001 keeps them), then drop blocks."""
    bind = op.get_bind()
    blocks = sa.table("blocks", sa.column("row_id"), sa.column("data"))
    instances = sa.table("instances", *(sa.column(k) for k in ("row_id", "hash", "kind", "seq", "version", "data")))
    keys = {"object": "object_hash", "classification": "classification_hash"}
    for row_id, data in bind.execute(sa.select(blocks.c.row_id, blocks.c.data)).all():
        fragments = orjson.loads(bytes(data)[4:])  # after the block's 4-byte magic
        values = []
        for seq, fragment in enumerate(fragments, 1):
            text = orjson.dumps(fragment)  # a fragment without packed columns: magic, length, JSON
            values.append(
                {
                    "row_id": row_id,
                    "hash": fragment["record"][keys[fragment["kind"]]],
                    "kind": fragment["kind"],
                    "seq": seq,
                    "version": 1,
                    "data": b"LSF1" + len(text).to_bytes(4, "little") + text,
                }
            )
        if values:
            bind.execute(sa.insert(instances), values)
    op.drop_table("blocks")
