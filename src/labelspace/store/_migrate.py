"""The store's schema version: created or upgraded with Alembic when a store opens, refused when newer.

The migrations live in ``labelspace/store/migrations/versions``; the first revision creates every
table. A database written by a newer labelspace (a revision this one does not know) is refused,
so an older program never writes into a schema it does not understand.
"""

from __future__ import annotations

import functools
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from labelspace.model.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@functools.lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def head() -> str:
    """The newest schema revision this labelspace knows."""
    found = _script().get_current_head()
    assert found is not None
    return found


def current(connection: Connection) -> str | None:
    """The revision the database is at (None for a database without a store)."""
    return MigrationContext.configure(connection).get_current_revision()


def ensure_schema(connection: Connection, where: str) -> None:
    """Create the store's tables in an empty database, or bring an older schema up to date.

    Runs in the caller's write transaction, so two programs opening a new store at once create it once.

    Raises:
        StoreError: If the database is of a newer labelspace, or holds other tables than a store's.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7355608)"))  # one migrator at a time
    revision = current(connection)
    newest = head()
    if revision == newest:
        return
    known = {r.revision for r in _script().walk_revisions()}
    if revision is not None and revision not in known:
        raise StoreError(
            f"The store {where} has schema version {revision!r}, newer than this labelspace knows (up to "
            f"{newest!r}). Upgrade labelspace (pip install -U labelspace) to open it; nothing was changed."
        )
    if revision is None:
        tables = set(sa.inspect(connection).get_table_names())
        if tables - {"alembic_version"}:
            raise StoreError(
                f"{where} already holds tables that are not a labelspace store ({', '.join(sorted(tables)[:5])}); "
                "give the store its own database or file."
            )
    command.upgrade(_config(connection), "head")


__all__ = ["current", "ensure_schema", "head"]
