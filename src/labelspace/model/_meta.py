"""Annotation metadata (who, when, how sure), stored once per distinct record, as columns.

Runs of frames refer to records by index, so a million frames put in one call share one record.
Timestamps are kept as integer microseconds since the Unix epoch, in UTC. The default "now" is
taken at millisecond resolution so that puts in the same millisecond share a record.
"""

from __future__ import annotations

import time
from array import array
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from labelspace.model.errors import LabelRowError

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)
DEFAULT_CONFIDENCE = 1.0
DEFAULT_MANUAL_ANNOTATION = True
NO_USER = -1


def to_micros(value: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken to be in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return (value - EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    """The UTC datetime ``micros`` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=micros)


def now_micros() -> int:
    """Now, in microseconds since the epoch, truncated to the millisecond."""
    return time.time_ns() // 1_000_000 * 1000


@dataclass(frozen=True, slots=True)
class MetaInput:
    """Validated metadata arguments of one put call; ``None`` means "not given"."""

    created_at: int | None = None
    created_by: str | None = None
    last_edited_at: int | None = None
    last_edited_by: str | None = None
    confidence: float | None = None
    manual_annotation: bool | None = None

    def is_empty(self) -> bool:
        """Tell whether no field was given."""
        return self == _EMPTY


_EMPTY = MetaInput()


def check_meta(
    created_at: datetime | None,
    created_by: str | None,
    last_edited_at: datetime | None,
    last_edited_by: str | None,
    confidence: float | None,
    manual_annotation: bool | None,
) -> MetaInput:
    """Validate the metadata arguments of a put (they arrive from users, so types are checked).

    Raises:
        LabelRowError: Naming the argument that is of the wrong type or out of range.
    """
    for name, when in (("created_at", created_at), ("last_edited_at", last_edited_at)):
        if when is not None and not isinstance(when, datetime):
            raise LabelRowError(f"{name} must be a datetime or None, got {type(when).__name__} {when!r:.40}.")
    for name, who in (("created_by", created_by), ("last_edited_by", last_edited_by)):
        if who is not None and not isinstance(who, str):
            raise LabelRowError(f"{name} must be a str (such as an email) or None, got {type(who).__name__}.")
    if confidence is not None:
        numeric = isinstance(confidence, (int, float, np.integer, np.floating))
        if isinstance(confidence, (bool, np.bool_)) or not numeric:
            raise LabelRowError(f"confidence must be a number from 0.0 to 1.0, got {type(confidence).__name__}.")
        confidence = float(confidence)
        if not 0.0 <= confidence <= 1.0:
            raise LabelRowError(f"confidence must be from 0.0 to 1.0, got {confidence!r}.")
    if manual_annotation is not None:
        if not isinstance(manual_annotation, (bool, np.bool_)):
            raise LabelRowError(f"manual_annotation must be True, False or None, got {manual_annotation!r:.40}.")
        manual_annotation = bool(manual_annotation)
    return MetaInput(
        to_micros(created_at) if isinstance(created_at, datetime) else None,
        created_by,
        to_micros(last_edited_at) if isinstance(last_edited_at, datetime) else None,
        last_edited_by,
        float(confidence) if confidence is not None else None,
        manual_annotation,
    )


@dataclass(frozen=True, slots=True)
class Metadata:
    """Who made an annotation, when, and how sure: one record, shared by the frames of one put.

    Attributes:
        created_at: When the annotation was created (UTC).
        created_by: Who created it, if known.
        last_edited_at: When it was last edited (UTC).
        last_edited_by: Who last edited it, if known.
        confidence: From 0.0 to 1.0.
        manual_annotation: Whether a person made it (False for a model's prediction).
    """

    created_at: datetime
    created_by: str | None
    last_edited_at: datetime
    last_edited_by: str | None
    confidence: float
    manual_annotation: bool


Key = tuple[int, int, int, int, float, bool]


class MetaTable:
    """Distinct metadata records as columns, with users' names interned."""

    __slots__ = (
        "_index",
        "_records",
        "_user_ids",
        "confidence",
        "created_at",
        "created_by",
        "last_edited_at",
        "last_edited_by",
        "manual",
        "now_id",
        "now_ms",
        "users",
    )

    def __init__(self) -> None:
        self.created_at = array("q")
        self.created_by = array("i")
        self.last_edited_at = array("q")
        self.last_edited_by = array("i")
        self.confidence = array("d")
        self.manual = array("b")
        self.users: list[str] = []
        self._user_ids: dict[str, int] = {}
        self._index: dict[Key, int] = {}
        self._records: list[Metadata | None] = []  # built on first read, then shared
        self.now_ms = -1
        self.now_id = -1

    def __len__(self) -> int:
        return len(self.created_at)

    def user(self, name: str | None) -> int:
        """Intern a user name; ``None`` is ``NO_USER``."""
        if name is None:
            return NO_USER
        found = self._user_ids.get(name)
        if found is None:
            found = self._user_ids[name] = len(self.users)
            self.users.append(name)
        return found

    def add(self, key: Key) -> int:
        """Return the id of the record ``key``, adding it if new."""
        found = self._index.get(key)
        if found is not None:
            return found
        found = self._index[key] = len(self.created_at)
        self.created_at.append(key[0])
        self.created_by.append(key[1])
        self.last_edited_at.append(key[2])
        self.last_edited_by.append(key[3])
        self.confidence.append(key[4])
        self.manual.append(key[5])
        self._records.append(None)
        return found

    def default(self) -> int:
        """The record of a put with no metadata given, now."""
        now_ms = time.time_ns() // 1_000_000
        if now_ms != self.now_ms:
            now = now_ms * 1000
            self.now_id = self.add((now, NO_USER, now, NO_USER, DEFAULT_CONFIDENCE, DEFAULT_MANUAL_ANNOTATION))
            self.now_ms = now_ms
        return self.now_id

    def fresh(self, given: MetaInput) -> int:
        """The record for a new annotation: given fields, defaults for the rest."""
        if given.is_empty():
            return self.default()
        now = now_micros()
        created = given.created_at if given.created_at is not None else now
        return self.add(
            (
                created,
                self.user(given.created_by),
                given.last_edited_at if given.last_edited_at is not None else now,
                self.user(given.last_edited_by),
                given.confidence if given.confidence is not None else DEFAULT_CONFIDENCE,
                given.manual_annotation if given.manual_annotation is not None else DEFAULT_MANUAL_ANNOTATION,
            )
        )

    def edited(self, old: int, given: MetaInput) -> int:
        """The record for an annotation replaced in place: given fields win, the rest is kept.

        The edit time is the given ``last_edited_at`` or now.
        """
        return self.add(
            (
                given.created_at if given.created_at is not None else self.created_at[old],
                self.user(given.created_by) if given.created_by is not None else self.created_by[old],
                given.last_edited_at if given.last_edited_at is not None else now_micros(),
                self.user(given.last_edited_by) if given.last_edited_by is not None else self.last_edited_by[old],
                given.confidence if given.confidence is not None else self.confidence[old],
                given.manual_annotation if given.manual_annotation is not None else bool(self.manual[old]),
            )
        )

    def record(self, record: int) -> Metadata:
        """A record as Python values (built once per record)."""
        known = self._records[record]
        if known is not None:
            return known
        created_by = self.created_by[record]
        last_edited_by = self.last_edited_by[record]
        known = self._records[record] = Metadata(
            from_micros(self.created_at[record]),
            self.users[created_by] if created_by != NO_USER else None,
            from_micros(self.last_edited_at[record]),
            self.users[last_edited_by] if last_edited_by != NO_USER else None,
            self.confidence[record],
            bool(self.manual[record]),
        )
        return known
