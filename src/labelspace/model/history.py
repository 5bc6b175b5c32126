"""Undo and redo for a label row: a bounded list of edits, each undone and redone exactly.

``History`` keeps ``Edit`` objects (see ``operations``), not copies of the row: an edit holds the
few runs and answers it changed, so ten thousand steps of a row with thousands of shapes stay small.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from typing import Any

from labelspace.model.errors import LabelRowError
from labelspace.model.label_row import LabelRow
from labelspace.model.operations import Edit, apply_operation

DEFAULT_LIMIT = 10_000


class History:
    """The edits made to one label row, to undo and redo.

    Args:
        row: The row the edits are made to.
        limit: How many edits are kept for undo; the oldest are forgotten past it.
    """

    def __init__(self, row: LabelRow, limit: int = DEFAULT_LIMIT) -> None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise LabelRowError(f"History limit must be a positive int, got {limit!r}.")
        self.row = row
        self.limit = limit
        self._done: deque[tuple[int, Edit]] = deque(maxlen=limit)
        self._undone: list[tuple[int, Edit]] = []
        self._next_id = 1

    def apply(self, operation: Mapping[str, Any]) -> tuple[int, Edit]:
        """Carry out an operation and record it; returns its id and the edit.

        An edit that changed nothing is not recorded (its id is 0). Recording clears the redo list.

        Raises:
            LabelRowError: If the row refuses the operation (nothing changed, nothing recorded).
        """
        edit = apply_operation(self.row, operation)
        if edit.is_empty():
            return 0, edit
        return self.record(edit), edit

    def record(self, edit: Edit) -> int:
        """Record an edit already made to the row; returns its id."""
        edit_id = self._next_id
        self._next_id += 1
        self._done.append((edit_id, edit))
        self._undone.clear()
        return edit_id

    @property
    def can_undo(self) -> int:
        """How many edits can be undone."""
        return len(self._done)

    @property
    def can_redo(self) -> int:
        """How many undone edits can be redone."""
        return len(self._undone)

    def peek_undo(self) -> int:
        """The id of the edit that ``undo`` would undo, or 0."""
        return self._done[-1][0] if self._done else 0

    def peek_redo(self) -> int:
        """The id of the edit that ``redo`` would redo, or 0."""
        return self._undone[-1][0] if self._undone else 0

    def next_undo(self) -> Edit | None:
        """The edit that ``undo`` would undo, or None."""
        return self._done[-1][1] if self._done else None

    def next_redo(self) -> Edit | None:
        """The edit that ``redo`` would redo, or None."""
        return self._undone[-1][1] if self._undone else None

    def undo(self) -> tuple[int, Edit] | None:
        """Undo the last edit; None if there is none."""
        if not self._done:
            return None
        edit_id, edit = self._done.pop()
        edit.undo(self.row)
        self._undone.append((edit_id, edit))
        return edit_id, edit

    def redo(self) -> tuple[int, Edit] | None:
        """Redo the last undone edit; None if there is none."""
        if not self._undone:
            return None
        edit_id, edit = self._undone.pop()
        edit.redo(self.row)
        self._done.append((edit_id, edit))
        return edit_id, edit

    def clear(self) -> None:
        """Forget every edit (the row stays as it is)."""
        self._done.clear()
        self._undone.clear()
