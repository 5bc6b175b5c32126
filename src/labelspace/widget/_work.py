"""Rows claimed one after another: the Annotator's work queue on a store's stage, for one person.

``WorkQueue.claim()`` asks the store for the person's next row of the stage (one they already
hold first, so a restarted kernel carries on where it was) and opens it for editing;
``finish(row_id, action)`` submits, accepts, rejects or gives back the row, after which the
Annotator claims the next one.
"""

from __future__ import annotations

import os

from labelspace.model.errors import StoreError
from labelspace.store.session import StoredRow
from labelspace.store.store import Store
from labelspace.widget.protocol import WorkState

ACTIONS = ("submit", "accept", "reject", "release")
"""What a person can do with the row they hold: ``submit`` (the first stage) and ``accept`` (a later
one) move it to the next stage, ``reject`` sends it back to the first, ``release`` gives it back."""


def user_name(user: str | None) -> str:
    """The person labelling: ``user``, else the JupyterHub user the kernel runs for.

    Raises:
        StoreError: If neither says who (edits and claims need a name).
    """
    if user is None:
        user = os.environ.get("JUPYTERHUB_USER") or None
    if user is None:
        raise StoreError(
            "Annotator on a store needs to know who is labelling: pass user='your name' (under JupyterHub "
            "the hub's user name is taken by itself)."
        )
    if not isinstance(user, str) or not user.strip():
        raise StoreError(f"user must be a non-empty name, got {user!r:.40}.")
    return user.strip()


class WorkQueue:
    """One person's rows of one stage of a store's project, claimed one at a time.

    Attributes:
        store: The store.
        user: Who claims the rows.
        stage: The stage the rows are claimed from.
        project: The project's id.
        done: How many rows this queue has finished (submitted, accepted or rejected).
    """

    def __init__(self, store: Store, user: str | None, stage: str | None, project: int | str | None) -> None:
        self.store = store
        self.user = user_name(user)
        self.project = store.project_id(project)
        stages = store.stages(self.project)
        self.stage = stages[0] if stage is None else stage
        if self.stage not in stages:
            raise StoreError(f"The project has no stage {self.stage!r}; its stages are {stages}.")
        self.first = self.stage == stages[0]
        self.done = 0

    def claim(self) -> StoredRow | None:
        """Claim the next row and open it for editing; None when no row of the stage is free."""
        row_id = self.store.claim_next(self.user, self.stage, self.project)
        return None if row_id is None else self.store.open_row(row_id, user=self.user)

    def finish(self, row_id: int, action: str, comment: str = "") -> str:
        """Finish with a held row; returns the stage it is in now.

        Raises:
            StoreError: For an action not in ``ACTIONS``, one that does not fit the stage, or a row
                the person no longer holds (nothing changed then).
        """
        if action not in ACTIONS:
            raise StoreError(f"What to do with a row is one of {', '.join(ACTIONS)}; got {action!r:.40}.")
        if action in ("accept", "reject") and self.first:
            raise StoreError(
                f"Rows of the first stage ({self.stage!r}) are submitted, not accepted or rejected; use submit."
            )
        if action == "release":
            self.store.release(row_id, self.user)
            return self.stage
        info = self.store.row_info(row_id)
        if info.assignee != self.user or info.stage != self.stage:
            raise StoreError(
                f"Row {row_id} is no longer held by {self.user} in stage {self.stage!r} (it is in "
                f"{info.stage!r}, held by {info.assignee or 'nobody'}); nothing was done to it."
            )
        if action == "submit":
            stage = self.store.submit(row_id, self.user)
        else:
            stage = self.store.review(row_id, self.user, action, comment)
        self.done += 1
        return stage

    def state(self, row_id: int | None) -> WorkState:
        """What the widget shows of the queue (the ``work`` trait)."""
        return {
            "user": self.user,
            "stage": self.stage,
            "first": self.first,
            "row_id": row_id,
            "done": self.done,
        }


__all__ = ["ACTIONS", "WorkQueue", "user_name"]
