"""``Store``: projects, rows and labels in a database, every edit logged, work shared by a team.

``Store("labels.db")`` opens (or creates) an embedded SQLite file; ``Store("postgresql://...")``
a PostgreSQL database for a team. What a store holds is described in ``_schema``; how an open
row commits its edits in ``session``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from labelspace.model._collector import collector_paused
from labelspace.model._meta import from_micros, now_micros, to_micros
from labelspace.model.errors import LabelRowError, StoreError
from labelspace.model.label_row import LabelRow
from labelspace.model.native.fragments import (
    label_row_from_fragments,
    row_head,
)
from labelspace.model.ontology import Ontology
from labelspace.model.project import Project
from labelspace.store import _schema as t
from labelspace.store._blocks import explode, read_block
from labelspace.store._bulk import BATCH, BLOCK_BATCH, encode_row, insert_blocks, insert_instances
from labelspace.store._codec import dumps, fragment_of, images_of
from labelspace.store._engine import create_engine, describe_url, normalise_url, run
from labelspace.store._migrate import ensure_schema
from labelspace.store.session import StoredRow

DEFAULT_STAGES = ("annotate", "review", "done")


_NEW_ROWS = sa.insert(t.rows).returning(t.rows.c.id, sort_by_parameter_order=True)
ROWS_AT_ONCE = 500
"""Rows added per call, their ids returned in order: one statement on PostgreSQL; on SQLite, whose
returned rows have no guaranteed order, SQLAlchemy runs one statement a row."""


@dataclass(frozen=True)
class RowInfo:
    """A row as the store lists it."""

    id: int
    project_id: int
    position: int
    title: str
    stage: str
    assignee: str | None
    objects: int
    last_edit: int


@dataclass(frozen=True)
class LogEntry:
    """One entry of a row's edit log: who, when, what (the operation) and which instances."""

    id: int
    row_id: int
    user: str | None
    at: datetime
    kind: str
    target: int | None
    op: dict[str, Any]
    instances: tuple[str, ...]
    compacted: bool


@dataclass(frozen=True)
class Review:
    """A reviewer's verdict on a row or on one object of it."""

    id: int
    row_id: int
    user: str | None
    at: datetime
    verdict: str
    instance: str | None
    comment: str


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise StoreError(f"{what} must be a non-empty string, got {value!r:.60}.")
    return value


class Store:
    """A label store in SQLite (a file path or ``sqlite:///path``) or PostgreSQL (``postgresql://...``).

    Opening creates the tables in a new database and upgrades an older schema; a database of a
    newer labelspace is refused.

    Args:
        url: A file path or ``sqlite:///path`` for an embedded SQLite file (WAL mode), or
            ``postgresql://user:password@host:port/database`` (needs ``labelspace[postgres]``).

    Raises:
        StoreError: A bad URL, a database that cannot be reached or is not a store, a newer schema.
    """

    def __init__(self, url: str | os.PathLike[str]) -> None:
        self.url = normalise_url(url)
        self.url_shown = describe_url(self.url)
        self.engine = create_engine(self.url)
        self._ontologies: dict[tuple[int, int], Ontology] = {}
        # Projects are never renamed or removed, and their stages never change: looked up once.
        self._projects: dict[int | str | None, int] = {}
        self._stages: dict[int, list[str]] = {}
        try:
            run(self.engine, lambda c: ensure_schema(c, self.url_shown), write=True, where=self.url_shown)
        except BaseException:
            self.engine.dispose()
            raise

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    def close(self) -> None:
        """Close the store's connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url_shown!r})"

    def _read(self, work: Any) -> Any:
        return run(self.engine, work, write=False, where=self.url_shown)

    def _write(self, work: Any) -> Any:
        return run(self.engine, work, write=True, where=self.url_shown)

    # -- projects and ontologies --

    def add_project(
        self,
        name: str,
        source: Ontology | Project,
        *,
        stages: Sequence[str] = DEFAULT_STAGES,
        user: str | None = None,
    ) -> int:
        """Add a project (with its rows if ``source`` is a ``Project``); returns its id.

        Args:
            name: A name unique in the store.
            source: The project's ontology, or a project whose ontology and rows to store.
            stages: The stages a row goes through, first to last (the first is where rows start).
            user: Who adds it (recorded on nothing else; rows start unassigned).
        """
        _text(name, "A project name")
        ontology = source.ontology if isinstance(source, Project) else source
        if not isinstance(ontology, Ontology):
            raise StoreError(f"add_project needs an Ontology or a Project, got {type(source).__name__}.")
        stages = list(stages)
        if not stages or len(set(stages)) != len(stages) or not all(isinstance(s, str) and s for s in stages):
            raise StoreError(f"stages must be distinct non-empty names, first to last, got {stages!r:.80}.")
        now = now_micros()

        def work(c: Connection) -> int:
            if c.execute(sa.select(t.projects.c.id).where(t.projects.c.name == name)).first():
                raise StoreError(f"The store already has a project {name!r}; pick another name.")
            project_id = int(
                c.execute(
                    sa.insert(t.projects)
                    .values(name=name, stages=dumps(stages), created_at=now)
                    .returning(t.projects.c.id)
                ).scalar_one()
            )
            c.execute(
                sa.insert(t.ontologies).values(
                    project_id=project_id, version=1, data=dumps(ontology.to_dict()), created_at=now
                )
            )
            if isinstance(source, Project):
                self._insert_rows(c, project_id, 1, stages[0], list(source.rows), 0)
            return project_id

        found = int(self._write(work))
        self._projects.pop(None, None)  # the store may no longer have only one
        return found

    def projects(self) -> list[dict[str, Any]]:
        """Every project: id, name, stages, ontology version and row count."""

        def work(c: Connection) -> list[dict[str, Any]]:
            counts: dict[Any, Any] = dict(
                c.execute(sa.select(t.rows.c.project_id, sa.func.count()).group_by(t.rows.c.project_id)).all()
            )
            versions = dict(
                c.execute(
                    sa.select(t.ontologies.c.project_id, sa.func.max(t.ontologies.c.version)).group_by(
                        t.ontologies.c.project_id
                    )
                ).all()
            )
            return [
                {
                    "id": int(i),
                    "name": name,
                    "stages": orjson.loads(stages),
                    "ontology_version": int(versions.get(i, 1)),
                    "rows": int(counts.get(i, 0)),
                }
                for i, name, stages in c.execute(
                    sa.select(t.projects.c.id, t.projects.c.name, t.projects.c.stages).order_by(t.projects.c.id)
                )
            ]

        return list(self._read(work))

    def project_id(self, project: int | str | None = None) -> int:
        """A project's id from its id or name; with None, the store's only project.

        Raises:
            StoreError: If there is no such project (or, for None, not exactly one).
        """
        cached = self._projects.get(project)
        if cached is not None:
            return cached
        found = self.projects()
        for p in found:
            self._projects[p["id"]] = self._projects[p["name"]] = int(p["id"])
            self._stages[int(p["id"])] = list(p["stages"])
        if project is None:
            if len(found) != 1:
                raise StoreError(f"The store has {len(found)} projects; name one of {[p['name'] for p in found][:10]}.")
            self._projects[None] = int(found[0]["id"])
            return int(found[0]["id"])
        for p in found:
            if project in (p["id"], p["name"]):
                return int(p["id"])
        raise StoreError(f"The store has no project {project!r}; it has {[p['name'] for p in found][:10]}.")

    def stages(self, project: int | str | None = None) -> list[str]:
        """A project's stages, first to last."""
        return list(self._stages[self.project_id(project)])  # project_id read them with the project

    def ontology(self, project: int | str | None = None, version: int | None = None) -> Ontology:
        """A project's ontology: the newest version, or the one asked for."""
        pid = self.project_id(project)
        if version is None:
            version = int(
                self._read(
                    lambda c: c.execute(
                        sa.select(sa.func.max(t.ontologies.c.version)).where(t.ontologies.c.project_id == pid)
                    ).scalar()
                )
            )
        return self._ontology(pid, version)

    def _ontology(self, project_id: int, version: int) -> Ontology:
        key = (project_id, version)
        found = self._ontologies.get(key)
        if found is None:
            data = self._read(
                lambda c: c.execute(
                    sa.select(t.ontologies.c.data).where(
                        t.ontologies.c.project_id == project_id, t.ontologies.c.version == version
                    )
                ).scalar()
            )
            if data is None:
                raise StoreError(f"Project {project_id} has no ontology version {version}.")
            found = self._ontologies[key] = Ontology.from_dict(orjson.loads(data))
        return found

    def set_ontology(self, ontology: Ontology, project: int | str | None = None) -> int:
        """Store a new version of a project's ontology; returns the version.

        Rows keep the version they were labelled with (so old labels stay readable); new rows get this one.
        """
        if not isinstance(ontology, Ontology):
            raise StoreError(f"set_ontology needs an Ontology, got {type(ontology).__name__}.")
        pid = self.project_id(project)

        def work(c: Connection) -> int:
            top = c.execute(
                sa.select(sa.func.max(t.ontologies.c.version)).where(t.ontologies.c.project_id == pid)
            ).scalar()
            version = int(top or 0) + 1
            c.execute(
                sa.insert(t.ontologies).values(
                    project_id=pid, version=version, data=dumps(ontology.to_dict()), created_at=now_micros()
                )
            )
            return version

        return int(self._write(work))

    # -- rows --

    def add_rows(
        self, rows: Iterable[LabelRow], project: int | str | None = None, *, user: str | None = None
    ) -> list[int]:
        """Add label rows to a project (with their labels, in one transaction); returns their ids.

        The rows must use the project's newest ontology (the same items, by hash).
        """
        pid = self.project_id(project)
        stages = self.stages(pid)
        ontology = self.ontology(pid)
        rows = list(rows)
        for row in rows:
            if not isinstance(row, LabelRow):
                raise StoreError(f"add_rows takes LabelRows, got {type(row).__name__}.")
            if row.ontology is not ontology and row.ontology.to_dict() != ontology.to_dict():
                raise StoreError(
                    "A row's ontology differs from the project's newest one; store it with set_ontology first, "
                    "or build the row on store.ontology(project)."
                )

        def work(c: Connection) -> list[int]:
            top = c.execute(sa.select(sa.func.max(t.rows.c.position)).where(t.rows.c.project_id == pid)).scalar()
            version = c.execute(
                sa.select(sa.func.max(t.ontologies.c.version)).where(t.ontologies.c.project_id == pid)
            ).scalar_one()
            return self._insert_rows(c, pid, version, stages[0], rows, int(top or 0) + 1 if top is not None else 0)

        return list(self._write(work))

    def add_row(self, row: LabelRow, project: int | str | None = None, *, user: str | None = None) -> int:
        """Add one label row to a project; returns its id."""
        return self.add_rows([row], project, user=user)[0]

    def _insert_rows(
        self,
        c: Connection,
        project_id: int,
        ontology_version: int,
        stage: str,
        rows: list[LabelRow],
        position: int,
    ) -> list[int]:
        now = now_micros()
        ids: list[int] = []
        values: list[tuple[Any, ...]] = []
        blocks: list[tuple[Any, ...]] = []
        block_bytes = 0
        with collector_paused():  # a few dicts per instance, millions of them in a large import
            for first in range(0, len(rows), ROWS_AT_ONCE):  # rows in a few calls, their ids in order
                chunk = rows[first : first + ROWS_AT_ONCE]
                params = []
                for i, row in enumerate(chunk, position + first):
                    title = ", ".join(s.space_id for s in row.list_spaces()) or f"row {i + 1}"
                    params.append(
                        {
                            "project_id": project_id,
                            "position": i,
                            "title": title[:500],
                            "ontology_version": ontology_version,
                            "head": dumps(row_head(row)),
                            "stage": stage,
                            "last_edit": 0,
                            "updated_at": now,
                        }
                    )
                new_ids = [int(i) for i in c.execute(_NEW_ROWS, params).scalars()]
                if len(new_ids) != len(chunk):
                    raise StoreError(f"The database gave {len(new_ids)} ids for {len(chunk)} new rows; none was added.")
                ids += new_ids
                for row_id, row in zip(new_ids, chunk, strict=True):
                    block, each = encode_row(row)
                    if block is not None:
                        blocks.append((row_id, block[1], block[0]))
                        block_bytes += len(block[0])
                    values += [(row_id, h, kind, seq, 1, data) for seq, (h, kind, data) in enumerate(each, 1)]
                    if len(values) >= BATCH:  # many rows' instances in one statement; memory stays bounded
                        insert_instances(c, values)
                        values = []
                    if block_bytes >= BLOCK_BATCH:
                        insert_blocks(c, blocks)
                        blocks, block_bytes = [], 0
            insert_instances(c, values)
            insert_blocks(c, blocks)
        return ids

    def rows(self, project: int | str | None = None, *, stage: str | None = None) -> list[RowInfo]:
        """The rows of a project (all projects with None when the store has several), in order."""
        pid = None if project is None and len(self.projects()) != 1 else self.project_id(project)
        return self._row_infos(pid, stage, None)

    def row_info(self, row_id: int) -> RowInfo:
        """One row as ``rows`` lists it (its stage, who holds it, how many objects).

        Raises:
            StoreError: If the store has no such row.
        """
        found = self._row_infos(None, None, row_id)
        if not found:
            raise StoreError(f"The store has no row {row_id!r}.")
        return found[0]

    def _row_infos(self, pid: int | None, stage: str | None, row_id: int | None) -> list[RowInfo]:

        def work(c: Connection) -> list[RowInfo]:
            counts = (
                sa.select(t.instances.c.row_id, sa.func.count().label("n"))
                .where(t.instances.c.data.is_not(None), t.instances.c.kind == "object")
                .group_by(t.instances.c.row_id)
                .subquery()
            )
            query = (
                sa.select(
                    t.rows.c.id,
                    t.rows.c.project_id,
                    t.rows.c.position,
                    t.rows.c.title,
                    t.rows.c.stage,
                    t.rows.c.assignee,
                    sa.func.coalesce(counts.c.n, 0) + sa.func.coalesce(t.blocks.c.objects, 0),
                    t.rows.c.last_edit,
                )
                .select_from(t.rows)
                .outerjoin(counts, counts.c.row_id == t.rows.c.id)
                .outerjoin(t.blocks, t.blocks.c.row_id == t.rows.c.id)
                .order_by(t.rows.c.project_id, t.rows.c.position)
            )
            if pid is not None:
                query = query.where(t.rows.c.project_id == pid)
            if stage is not None:
                query = query.where(t.rows.c.stage == stage)
            if row_id is not None:
                query = query.where(t.rows.c.id == row_id)
            return [
                RowInfo(int(a), int(b), int(p), ti, st, asg, int(n), int(le))
                for a, b, p, ti, st, asg, n, le in c.execute(query)
            ]

        return list(self._read(work))

    def _row_record(self, c: Connection, row_id: int) -> Any:
        found = c.execute(
            sa.select(t.rows.c.project_id, t.rows.c.ontology_version, t.rows.c.head, t.rows.c.last_edit).where(
                t.rows.c.id == row_id
            )
        ).first()
        if found is None:
            raise StoreError(f"The store has no row {row_id!r}; store.rows() lists them.")
        return found

    def _where(self, row_id: int) -> str:
        return f"row {row_id} of {self.url_shown}"

    def _fetch(self, c: Connection, row_id: int) -> tuple[Any, list[tuple[str, int, Any]], bool]:
        """A row's record, its instances in their order, and whether they are a block, in the caller's transaction.

        Each instance as (hash, version, fragment), the fragment None once the instance is removed.
        """
        if isinstance(row_id, bool) or not isinstance(row_id, int):
            raise StoreError(f"A row id is an int (store.rows() lists them), got {row_id!r:.40}.")
        record = self._row_record(c, row_id)
        where = self._where(row_id)
        found: list[tuple[str, int, Any]] = [(h, 1, f) for h, f in read_block(c, row_id, where)]
        blocked = bool(found)
        found += [
            (h, int(v), fragment_of(data, where))
            for h, v, data in c.execute(
                sa.select(t.instances.c.hash, t.instances.c.version, t.instances.c.data)
                .where(t.instances.c.row_id == row_id)
                .order_by(t.instances.c.seq)
            )
        ]
        return record, found, blocked

    def _decode(self, row_id: int, record: Any, fragments: list[Any]) -> LabelRow:
        """A row from its record and its instances' fragments (in order; None for a removed one)."""
        project_id, version, head, _ = record
        ontology = self._ontology(int(project_id), int(version))
        try:
            return label_row_from_fragments(orjson.loads(head), [f for f in fragments if f is not None], ontology)
        except LabelRowError as e:
            raise StoreError(f"{self._where(row_id)} cannot be read: {e.message}") from None

    def _load(self, row_id: int) -> tuple[LabelRow, dict[str, int], int, bool]:
        record, found, blocked = self._read(lambda c: self._fetch(c, row_id))
        row = self._decode(row_id, record, [f for _, _, f in found])
        return row, {h: v for h, v, _ in found}, int(record[3]), blocked

    def load_row(self, row_id: int) -> LabelRow:
        """A copy of a row as it is now (edits to it are not stored; use ``open_row`` to edit)."""
        return self._load(row_id)[0]

    def open_row(self, row_id: int, user: str | None = None) -> StoredRow:
        """Open a row for editing by ``user``: every edit through it is committed as it is made."""
        if user is not None:
            _text(user, "user")
        row, versions, last_edit, blocked = self._load(row_id)
        if blocked:  # never edited: its instances are moved out of their block now, for its first edit
            self._write(lambda c: explode(c, row_id, self._where(row_id)))
        return StoredRow(self, row_id, row, versions, last_edit, user)

    def load_project(self, project: int | str | None = None) -> Project:
        """The project's rows as they are now, as a ``Project`` (for exporting to a format)."""
        pid = self.project_id(project)
        out = Project(self.ontology(pid))

        def work(c: Connection) -> list[tuple[int, Any, list[Any], bool]]:
            # One transaction: the rows as they all were at one moment, whatever is being edited.
            ids = c.execute(
                sa.select(t.rows.c.id).where(t.rows.c.project_id == pid).order_by(t.rows.c.position)
            ).scalars()
            return [(row_id, *self._fetch(c, row_id)) for row_id in list(ids)]

        for row_id, record, found, _ in self._read(work):
            row = self._decode(row_id, record, [f for _, _, f in found])
            if row.ontology is not out.ontology:
                row = LabelRow.from_dict(row.to_dict(), out.ontology)
            out.add_row(row)
        return out

    # -- the log --

    def history(self, row_id: int) -> list[LogEntry]:
        """A row's edit log, oldest first: who, when, what."""

        def work(c: Connection) -> list[Any]:
            self._row_record(c, row_id)
            return list(
                c.execute(
                    sa.select(
                        t.edits.c.id,
                        t.edits.c.row_id,
                        t.edits.c.user,
                        t.edits.c.at,
                        t.edits.c.kind,
                        t.edits.c.target,
                        t.edits.c.op,
                        t.edits.c.touched,
                        t.edits.c.before.is_(None),
                    )
                    .where(t.edits.c.row_id == row_id)
                    .order_by(t.edits.c.id)
                )
            )

        return [
            LogEntry(
                int(i), int(r), u, from_micros(int(at)), k, tg, orjson.loads(op), tuple(orjson.loads(tc)), bool(gone)
            )
            for i, r, u, at, k, tg, op, tc, gone in self._read(work)
        ]

    def row_at(self, row_id: int, when: datetime | int) -> LabelRow:
        """A row as it was at a time (a datetime, or a log id: as it was after that edit).

        Raises:
            StoreError: If the log before ``when`` has been compacted (the state then is no longer kept).
        """
        if isinstance(when, datetime):
            micros = to_micros(when)
            condition = t.edits.c.at > micros
        elif isinstance(when, int) and not isinstance(when, bool):
            condition = t.edits.c.id > when
        else:
            raise StoreError(f"row_at takes a datetime or a log id, got {when!r:.40}.")
        where = self._where(row_id)

        def work(c: Connection) -> tuple[Any, list[Any], list[Any]]:
            record = self._row_record(c, row_id)
            # A row with a block has had no edit: its block is the row as it was added.
            found: list[tuple[str, int, Any]] = [
                (h, seq, f) for seq, (h, f) in enumerate(read_block(c, row_id, where), 1)
            ]
            found += [
                (h, seq, fragment_of(data, where))
                for h, seq, data in c.execute(
                    sa.select(t.instances.c.hash, t.instances.c.seq, t.instances.c.data).where(
                        t.instances.c.row_id == row_id
                    )
                )
            ]
            later = list(
                c.execute(
                    sa.select(t.edits.c.id, t.edits.c.before)
                    .where(t.edits.c.row_id == row_id, condition)
                    .order_by(t.edits.c.id.desc())
                )
            )
            return record, found, later

        record, found, later = self._read(work)
        state = {h: (seq, data) for h, seq, data in found}
        for entry_id, before in later:
            if before is None:
                raise StoreError(
                    f"Row {row_id}: the log was compacted up to edit {entry_id}; the row as it was before then is "
                    "no longer kept (who did what, and when, still is: store.history)."
                )
            for h, (seq, _version, data) in images_of(before, f"edit {entry_id}").items():
                state[h] = (seq, fragment_of(data, where))
        return self._decode(row_id, record, [f for _, f in sorted(state.values(), key=lambda x: x[0])])

    def compact(self, before: datetime | None = None, row_id: int | None = None) -> int:
        """Fold old edits into the rows' state: drop what the log kept of the state before each edit.

        Who did what, and when, stays in the log; undo and ``row_at`` stop at the compacted edits.
        Returns how many entries were compacted.
        """
        micros = to_micros(before) if before is not None else now_micros()

        def work(c: Connection) -> int:
            query = sa.update(t.edits).where(t.edits.c.at <= micros, t.edits.c.before.is_not(None))
            if row_id is not None:
                query = query.where(t.edits.c.row_id == row_id)
            return int(c.execute(query.values(before=None)).rowcount)

        return int(self._write(work))

    def log_bytes(self) -> tuple[int, int]:
        """How many log entries there are, and how many bytes their operations and images take."""

        def work(c: Connection) -> tuple[int, int]:
            n, size = c.execute(
                sa.select(
                    sa.func.count(),
                    sa.func.coalesce(
                        sa.func.sum(
                            sa.func.length(t.edits.c.op)
                            + sa.func.length(t.edits.c.touched)
                            + sa.func.coalesce(sa.func.length(t.edits.c.before), 0)
                        ),
                        0,
                    ),
                )
            ).one()
            return int(n), int(size)

        result: tuple[int, int] = self._read(work)
        return result

    # -- work for a team --

    def claim_next(self, user: str, stage: str | None = None, project: int | str | None = None) -> int | None:
        """Hand ``user`` the next free row of a stage (the first stage by default); returns its id or None.

        A row the user already holds in that stage is handed back first. The claim is atomic: two
        people asking at once never get the same row.
        """
        _text(user, "user")
        pid = self.project_id(project)
        stages = self.stages(pid)
        stage = stages[0] if stage is None else stage
        if stage not in stages:
            raise StoreError(f"Project {pid} has no stage {stage!r}; its stages are {stages}.")

        def work(c: Connection) -> int | None:
            base = sa.select(t.rows.c.id).where(t.rows.c.project_id == pid, t.rows.c.stage == stage)
            held = c.execute(base.where(t.rows.c.assignee == user).order_by(t.rows.c.position).limit(1)).scalar()
            if held is not None:
                return int(held)
            query = base.where(t.rows.c.assignee.is_(None)).order_by(t.rows.c.position).limit(1)
            if c.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            found = c.execute(query).scalar()
            if found is None:
                return None
            c.execute(sa.update(t.rows).where(t.rows.c.id == found).values(assignee=user, claimed_at=now_micros()))
            return int(found)

        result: int | None = self._write(work)
        return result

    def release(self, row_id: int, user: str) -> None:
        """Give a claimed row back (it becomes free in its stage)."""
        self._move(row_id, user, None, "release")

    def submit(self, row_id: int, user: str) -> str:
        """Finish a row's stage: it moves to the next stage, free for the next person; returns the stage."""
        return self._move(row_id, user, +1, "submit")

    def set_stage(self, row_id: int, stage: str) -> None:
        """Put a row in a stage (free, whoever held it)."""
        self._move(row_id, None, stage, "set_stage")

    def _move(self, row_id: int, user: str | None, to: int | str | None, why: str) -> str:
        def work(c: Connection) -> str:
            found = c.execute(
                sa.select(t.rows.c.project_id, t.rows.c.stage, t.rows.c.assignee).where(t.rows.c.id == row_id)
            ).first()
            if found is None:
                raise StoreError(f"The store has no row {row_id!r}.")
            project_id, stage, assignee = found
            if user is not None and assignee != user:
                raise StoreError(
                    f"Row {row_id} is held by {assignee or 'nobody'}, not {user}; {why} is for the person holding it."
                )
            stages = orjson.loads(
                c.execute(sa.select(t.projects.c.stages).where(t.projects.c.id == project_id)).scalar_one()
            )
            if to is None:
                new = stage
            elif isinstance(to, int):
                new = stages[min(stages.index(stage) + to, len(stages) - 1)] if stage in stages else stages[0]
            else:
                if to not in stages:
                    raise StoreError(f"Row {row_id}'s project has no stage {to!r}; its stages are {stages}.")
                new = to
            c.execute(
                sa.update(t.rows)
                .where(t.rows.c.id == row_id)
                .values(stage=new, assignee=None, claimed_at=None, updated_at=now_micros())
            )
            return str(new)

        return str(self._write(work))

    def review(
        self,
        row_id: int,
        user: str,
        verdict: str,
        comment: str = "",
        *,
        instance: str | None = None,
    ) -> str:
        """Accept or reject a row (or one object of it) with a comment.

        A verdict on the whole row moves it: ``accept`` to the next stage, ``reject`` back to the
        first; a verdict on one instance (``instance=``) is recorded and leaves the row where it is.
        ``comment`` records a remark only. Returns the stage the row is in now.
        """
        _text(user, "user")
        if verdict not in ("accept", "reject", "comment"):
            raise StoreError(f"A review verdict is 'accept', 'reject' or 'comment', got {verdict!r:.40}.")
        if not isinstance(comment, str):
            raise StoreError(f"A review comment is text, got {type(comment).__name__}.")

        def work(c: Connection) -> str:
            found = c.execute(sa.select(t.rows.c.project_id, t.rows.c.stage).where(t.rows.c.id == row_id)).first()
            if found is None:
                raise StoreError(f"The store has no row {row_id!r}.")
            if instance is not None:
                known = c.execute(
                    sa.select(t.instances.c.hash).where(
                        t.instances.c.row_id == row_id, t.instances.c.hash == instance, t.instances.c.data.is_not(None)
                    )
                ).scalar()
                if known is None and instance not in dict(read_block(c, row_id, self._where(row_id))):
                    raise StoreError(f"Row {row_id} has no instance {instance!r} to review.")
            c.execute(
                sa.insert(t.reviews).values(
                    row_id=row_id, user=user, at=now_micros(), verdict=verdict, instance=instance, comment=comment
                )
            )
            if instance is None and verdict != "comment":
                stages = orjson.loads(
                    c.execute(sa.select(t.projects.c.stages).where(t.projects.c.id == found[0])).scalar_one()
                )
                at = stages.index(found[1]) if found[1] in stages else 0
                new = stages[min(at + 1, len(stages) - 1)] if verdict == "accept" else stages[0]
                c.execute(
                    sa.update(t.rows)
                    .where(t.rows.c.id == row_id)
                    .values(stage=new, assignee=None, claimed_at=None, updated_at=now_micros())
                )
                return str(new)
            return str(found[1])

        return str(self._write(work))

    def reviews(self, row_id: int) -> list[Review]:
        """A row's reviews, oldest first."""
        found = self._read(
            lambda c: list(
                c.execute(
                    sa.select(
                        t.reviews.c.id,
                        t.reviews.c.row_id,
                        t.reviews.c.user,
                        t.reviews.c.at,
                        t.reviews.c.verdict,
                        t.reviews.c.instance,
                        t.reviews.c.comment,
                    )
                    .where(t.reviews.c.row_id == row_id)
                    .order_by(t.reviews.c.id)
                )
            )
        )
        return [Review(int(i), int(r), u, from_micros(int(at)), v, inst, cm) for i, r, u, at, v, inst, cm in found]

    def progress(self, project: int | str | None = None) -> dict[str, Any]:
        """How far a project is: rows per stage, and per person the rows held, edits made and reviews given."""
        pid = self.project_id(project)
        stages = self.stages(pid)

        def work(c: Connection) -> dict[str, Any]:
            per_stage: dict[Any, Any] = dict(
                c.execute(
                    sa.select(t.rows.c.stage, sa.func.count())
                    .where(t.rows.c.project_id == pid)
                    .group_by(t.rows.c.stage)
                ).all()
            )
            people: dict[str, dict[str, int]] = {}

            def person(name: str | None) -> dict[str, int]:
                return people.setdefault(name or "(nobody)", {"holding": 0, "edits": 0, "rows_edited": 0, "reviews": 0})

            for name, n in c.execute(
                sa.select(t.rows.c.assignee, sa.func.count())
                .where(t.rows.c.project_id == pid, t.rows.c.assignee.is_not(None))
                .group_by(t.rows.c.assignee)
            ):
                person(name)["holding"] = int(n)
            in_project = sa.select(t.rows.c.id).where(t.rows.c.project_id == pid).scalar_subquery()
            for name, n, m in c.execute(
                sa.select(t.edits.c.user, sa.func.count(), sa.func.count(sa.distinct(t.edits.c.row_id)))
                .where(t.edits.c.row_id.in_(in_project))
                .group_by(t.edits.c.user)
            ):
                person(name)["edits"], person(name)["rows_edited"] = int(n), int(m)
            for name, n in c.execute(
                sa.select(t.reviews.c.user, sa.func.count())
                .where(t.reviews.c.row_id.in_(in_project))
                .group_by(t.reviews.c.user)
            ):
                person(name)["reviews"] = int(n)
            return {
                "stages": {s: int(per_stage.get(s, 0)) for s in stages},
                "people": people,
                "rows": int(sum(per_stage.values())),
            }

        result: dict[str, Any] = self._read(work)
        return result

    def status(self) -> str:
        """A few lines on what the store holds: its URL, schema, projects with their stages and people."""
        from labelspace.store._migrate import current

        revision = self._read(current)
        entries, size = self.log_bytes()
        lines = [f"store {self.url_shown} ({self.dialect}, schema {revision})"]
        for p in self.projects():
            progress = self.progress(p["id"])
            stages = ", ".join(f"{s} {n}" for s, n in progress["stages"].items())
            lines.append(f"project {p['name']!r}: {p['rows']} rows, ontology v{p['ontology_version']}; {stages}")
            for name, counts in sorted(progress["people"].items()):
                lines.append(
                    f"  {name}: holding {counts['holding']}, {counts['edits']} edits on {counts['rows_edited']} rows, "
                    f"{counts['reviews']} reviews"
                )
        lines.append(f"edit log: {entries} entries, {size / 1e6:.1f} MB")
        return "\n".join(lines)


__all__ = ["DEFAULT_STAGES", "LogEntry", "Review", "RowInfo", "Store"]
