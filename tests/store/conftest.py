"""The store's tests run on a real SQLite file and on a real PostgreSQL started for the test session."""

import pytest

from tests.store.postgres import Server, binaries


@pytest.fixture(scope="session")
def postgres_server():
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    server = Server()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A URL of a new, empty store: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "labels.db")
    return request.getfixturevalue("postgres_server").new_database()
