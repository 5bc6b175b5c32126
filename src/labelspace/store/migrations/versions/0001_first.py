"""The first schema: projects, versioned ontologies, rows, instances, the edit log and reviews.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# Frozen as this revision wrote them: later revisions change the tables with their own steps.
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "projects",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("stages", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "ontologies",
        sa.Column("project_id", ID, sa.ForeignKey("projects.id"), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "rows",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("project_id", ID, sa.ForeignKey("projects.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("ontology_version", sa.Integer, nullable=False),
        sa.Column("head", sa.Text, nullable=False),
        sa.Column("stage", sa.String(100), nullable=False),
        sa.Column("assignee", sa.String(200)),
        sa.Column("claimed_at", sa.BigInteger),
        sa.Column("last_edit", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_index("rows_by_stage", "rows", ["project_id", "stage", "assignee", "position"])
    op.create_table(
        "instances",
        sa.Column("row_id", ID, sa.ForeignKey("rows.id"), primary_key=True),
        sa.Column("hash", sa.String(100), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary),
    )
    op.create_table(
        "edits",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("row_id", ID, sa.ForeignKey("rows.id"), nullable=False),
        sa.Column("user", sa.String(200)),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("target", sa.BigInteger),
        sa.Column("op", sa.Text, nullable=False),
        sa.Column("touched", sa.Text, nullable=False),
        sa.Column("before", sa.LargeBinary),
        sa.Column("session", sa.String(40), nullable=False),
        sa.UniqueConstraint("session", "id"),
    )
    op.create_index("edits_by_row", "edits", ["row_id", "id"])
    op.create_table(
        "reviews",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("row_id", ID, sa.ForeignKey("rows.id"), nullable=False),
        sa.Column("user", sa.String(200)),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("instance", sa.String(100)),
        sa.Column("comment", sa.Text, nullable=False),
    )
    op.create_index("reviews_by_row", "reviews", ["row_id", "id"])


def downgrade() -> None:
    """Drop the tables."""
    for table in ("reviews", "edits", "instances", "rows", "ontologies", "projects"):
        op.drop_table(table)
