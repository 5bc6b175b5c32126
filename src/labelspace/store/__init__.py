"""A store for labels: every edit saved as it is made, SQLite by default, PostgreSQL for a team.

``Store(url)`` opens an embedded SQLite file (a path, or ``sqlite:///path``) or a PostgreSQL
database (``postgresql://...``, the ``postgres`` extra). ``store.open_row(row_id, user=...)``
gives a ``StoredRow`` whose edits are committed as they are made; ``Annotator`` takes it.
"""

from labelspace.model.errors import ConflictError, StoreError
from labelspace.store.session import StoredRow, StoreHistory
from labelspace.store.store import DEFAULT_STAGES, LogEntry, Review, RowInfo, Store

__all__ = [
    "DEFAULT_STAGES",
    "ConflictError",
    "LogEntry",
    "Review",
    "RowInfo",
    "Store",
    "StoreError",
    "StoreHistory",
    "StoredRow",
]
