"""The store's tables, in SQLAlchemy Core (the same on SQLite and PostgreSQL).

::

    projects    id, name, stages (JSON list), created_at
    ontologies  project_id, version, data (Ontology.to_dict JSON), created_at: a new version per change
    rows        id, project_id, position, title, ontology_version, head (the spaces, JSON), stage,
                assignee, claimed_at, last_edit (the newest edit log id), updated_at
    instances   row_id, hash, kind, seq (order in the row), version (bumped by every write),
                data (the instance's fragment as JSON bytes; NULL once removed)
    blocks      row_id, objects (how many object instances), data (the fragments of every instance of
                a row as it was added, one JSON list): an added row's instances kept as one record
                until it is opened for editing, which moves them into ``instances`` (0002)
    edits       id, row_id, user, at, kind (edit, undo, redo), target (the edit undone or redone),
                op (the operation, JSON), touched (JSON: per instance the version written, the
                frames and whether static answers changed), before (the touched instances as they
                were: zlib of JSON {hash: [seq, version, fragment or null]}; NULL once compacted),
                session (the writer's session id)
    reviews     id, row_id, user, at, verdict (accept, reject, comment), instance, comment

Times are microseconds since the epoch, UTC. The edit log is append-only; compaction only drops
``before`` images of old edits (who, when and what stay).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# SQLite's rowid alias needs INTEGER, PostgreSQL's identity wants BIGINT: one type that is both.
Id = BigInteger().with_variant(Integer(), "sqlite")

projects = Table(
    "projects",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("stages", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

ontologies = Table(
    "ontologies",
    metadata,
    Column("project_id", Id, ForeignKey("projects.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("data", Text, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

rows = Table(
    "rows",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("project_id", Id, ForeignKey("projects.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("title", String(500), nullable=False),
    Column("ontology_version", Integer, nullable=False),
    Column("head", Text, nullable=False),
    Column("stage", String(100), nullable=False),
    Column("assignee", String(200)),
    Column("claimed_at", BigInteger),
    Column("last_edit", BigInteger, nullable=False, default=0),
    Column("updated_at", BigInteger, nullable=False),
    Index("rows_by_stage", "project_id", "stage", "assignee", "position"),
)

instances = Table(
    "instances",
    metadata,
    Column("row_id", Id, ForeignKey("rows.id"), primary_key=True),
    Column("hash", String(100), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("data", LargeBinary),
)

blocks = Table(
    "blocks",
    metadata,
    Column("row_id", Id, ForeignKey("rows.id"), primary_key=True),
    Column("objects", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

edits = Table(
    "edits",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("row_id", Id, ForeignKey("rows.id"), nullable=False),
    Column("user", String(200)),
    Column("at", BigInteger, nullable=False),
    Column("kind", String(10), nullable=False),
    Column("target", BigInteger),
    Column("op", Text, nullable=False),
    Column("touched", Text, nullable=False),
    Column("before", LargeBinary),
    Column("session", String(40), nullable=False),
    Index("edits_by_row", "row_id", "id"),
    UniqueConstraint("session", "id"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("row_id", Id, ForeignKey("rows.id"), nullable=False),
    Column("user", String(200)),
    Column("at", BigInteger, nullable=False),
    Column("verdict", String(10), nullable=False),
    Column("instance", String(100)),
    Column("comment", Text, nullable=False),
    Index("reviews_by_row", "row_id", "id"),
)

SCHEMA_VERSION = "0002"
"""The Alembic revision this labelspace writes (``migrations/versions``)."""
