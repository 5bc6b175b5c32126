"""Opening a store's database: URLs, the SQLite and PostgreSQL engines, transactions with safe retries.

A store URL is a file path or ``sqlite:///path`` (an embedded SQLite file, WAL mode) or
``postgresql://user:password@host:port/db`` (psycopg, the ``postgres`` extra). Every transaction
that writes is immediate on SQLite (it takes the write lock first, so two writers never deadlock
and a claim is atomic); a transaction that fails before its commit is retried when the failure
is one that retrying can cure (a busy SQLite file, a dropped PostgreSQL connection).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from labelspace.model.errors import MissingExtraError, StoreError

T = TypeVar("T")

SQLITE_BUSY_SECONDS = 10.0
"""How long a SQLite writer waits for another's lock before the store reports the file locked."""
RETRIES = 4


def describe_url(url: str) -> str:
    """A URL as it may be shown: the password hidden."""
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def normalise_url(url: str | os.PathLike[str]) -> str:
    """A store URL in SQLAlchemy's form: a path becomes ``sqlite:///absolute/path``."""
    if isinstance(url, os.PathLike):
        url = os.fspath(url)
    if not isinstance(url, str) or not url:
        raise StoreError(f"A store is a file path, sqlite:///path or postgresql://..., got {url!r:.60}.")
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    scheme = url.split("://", 1)[0].lower()
    if scheme in ("sqlite", "sqlite+pysqlite"):
        path = url.split("://", 1)[1]
        if not path.startswith("/") or path in ("/", "/:memory:"):
            raise StoreError(
                f"A SQLite store needs a file: sqlite:///relative/path or sqlite:////absolute/path, got {url!r:.80}."
            )
        return "sqlite:///" + str(Path(path[1:]).expanduser().resolve())
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    raise StoreError(
        f"Unknown store URL scheme {scheme!r} in {describe_url(url)!r}: expected a file path, sqlite:///path or "
        "postgresql://user:password@host/database."
    )


def create_engine(url: str) -> Engine:
    """An engine for a normalised store URL, set up for the store's transactions."""
    if url.startswith("sqlite:"):
        path = Path(url[len("sqlite:///") :])
        if not path.parent.is_dir():
            raise StoreError(f"Cannot create the store {str(path)!r}: the folder {str(path.parent)!r} does not exist.")
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise MissingExtraError("A PostgreSQL store needs psycopg: pip install 'labelspace[postgres]'.") from None
    # No ping before each use: a connection the server dropped fails its first statement, and run()
    # retries the whole transaction on a fresh one (a round trip saved on every edit).
    return sa.create_engine(url, connect_args={"connect_timeout": 10})


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_begin
    cursor = dbapi_connection.cursor()
    # WAL: readers never wait for the writer; NORMAL sync is durable across a killed process.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    # The driver's own transaction handling is off (isolation_level=None): begin here, immediate
    # for writers so that the write lock is taken before anything is read.
    write = connection.get_execution_options().get("write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _retryable(error: DBAPIError) -> bool:
    if error.connection_invalidated:
        return True
    text = str(error.orig).lower()
    return isinstance(error, OperationalError) and (
        "database is locked" in text
        or "could not connect" in text
        or "connection refused" in text
        or "server closed the connection" in text
        or "terminating connection" in text
        or "connection is closed" in text
        or "consuming input failed" in text
    )


def explain(error: BaseException, where: str) -> StoreError:
    """A StoreError that says what went wrong with the database and what to do."""
    text = str(getattr(error, "orig", error)).strip().splitlines()[0] if str(error) else type(error).__name__
    if "database is locked" in text.lower():
        return StoreError(
            f"The SQLite store {where} is locked by another program (waited {SQLITE_BUSY_SECONDS:.0f} s for it); "
            "nothing was written. Close the program that holds it, or try again."
        )
    if "unable to open database" in text.lower():
        return StoreError(f"Cannot open the SQLite store {where}: {text}. Check the path and its permissions.")
    if "file is not a database" in text.lower():
        return StoreError(f"{where} is not a SQLite database: {text}.")
    return StoreError(f"The store {where} failed: {text}. Nothing was written.")


@contextmanager
def _connection(engine: Engine, write: bool) -> Iterator[Connection]:
    with engine.connect() as connection:
        if write:
            connection = connection.execution_options(write=True)
        with connection.begin():
            yield connection


def run(engine: Engine, work: Callable[[Connection], T], *, write: bool, where: str) -> T:
    """Run ``work`` in one transaction, retrying it from the start when the failure is a passing one.

    ``work`` must do nothing outside the transaction that a second run would repeat.

    Raises:
        StoreError: When the database fails for good (the transaction was rolled back).
    """
    delay = 0.05
    for attempt in range(RETRIES):
        try:
            with _connection(engine, write) as connection:
                return work(connection)
        except DBAPIError as e:
            if attempt + 1 < RETRIES and _retryable(e):
                time.sleep(delay)
                delay *= 4
                continue
            raise explain(e, where) from e
    raise AssertionError("unreachable")  # pragma: no cover


__all__ = ["create_engine", "describe_url", "explain", "normalise_url", "run"]
