"""Per-frame answers to dynamic attributes: one ``AnswerTrack`` per attribute of an object on a space.

Answers are interned (each distinct answer stored once, in the order first given) and placed on
runs of frames, as coordinates are; ``MultiFrameSpace`` checks its callers' input and calls these.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np

from labelspace.model._runs import RunTable, intersect
from labelspace.model.annotations import AnswerForFrames, AnswersForFrames, DynamicAnswerRuns
from labelspace.model.frames import IntArray, Range, merge_runs, runs_to_ranges
from labelspace.model.instances import StoredAnswer, answer_value
from labelspace.model.ontology import Attribute, ChecklistAttribute, Option


def answer_key(value: StoredAnswer) -> Hashable:
    """What makes two stored answers the same answer."""
    if isinstance(value, Option):
        return ("option", value.feature_node_hash)
    if isinstance(value, tuple):
        return ("options", tuple(o.feature_node_hash for o in value))
    if isinstance(value, str):
        return ("text", value)
    return ("number", value)


def matches(value: StoredAnswer, wanted: object) -> bool:
    """Whether a stored answer is the one a caller filters for (see ``get_dynamic_answer``)."""
    if isinstance(value, tuple):
        if isinstance(wanted, Option):
            return any(o is wanted for o in value)
        if isinstance(wanted, Iterable) and not isinstance(wanted, str):
            return {o.feature_node_hash for o in value} == {getattr(o, "feature_node_hash", o) for o in wanted}
        return False
    if isinstance(value, Option):
        return value is wanted
    return value == wanted and not isinstance(wanted, (bool, np.bool_))


class AnswerTrack:
    """Per-frame answers of one dynamic attribute of one object on one space."""

    __slots__ = ("answers", "attribute", "ids", "next_id", "runs")

    def __init__(self, attribute: Attribute) -> None:
        self.attribute = attribute
        self.runs = RunTable(0)
        self.answers: dict[int, StoredAnswer] = {}  # in the order first given
        self.ids: dict[Hashable, int] = {}
        self.next_id = 0

    def id_for(self, value: StoredAnswer) -> int:
        """The id of an answer, interning it if new."""
        key = answer_key(value)
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = self.next_id
            self.answers[found] = value
            self.next_id += 1
        return found

    def drop_unused(self) -> None:
        """Forget answers that no longer hold on any frame."""
        used = set(np.unique(self.runs.np_tags()).tolist())
        for answer_id in [a for a in self.answers if a not in used]:
            del self.ids[answer_key(self.answers.pop(answer_id))]

    def ranges_of(self, answer_id: int) -> list[Range]:
        """The frames where an answer holds, merged."""
        tags = self.runs.np_tags()
        pick = tags == answer_id
        starts, ends = merge_runs(self.runs.np_starts()[pick], self.runs.np_ends()[pick])
        return runs_to_ranges(starts, ends)

    def set(self, starts: IntArray, ends: IntArray, value: StoredAnswer) -> None:
        """Give ``value`` on the runs (the caller keeps them to frames the object is on)."""
        self.runs.splice(starts, ends, self.id_for(value), None, None)
        self.drop_unused()

    def remove(self, frame: int, filter_answer: object) -> None:
        """Remove the answer on one frame (or, with a filter, only a matching one; checklist options one by one)."""
        run = self.runs.find(frame)
        if run < 0:
            return
        current = self.answers[self.runs.tags[run]]
        one = np.array([frame], np.int64)
        if filter_answer is None:
            self.runs.remove(one, one)
        elif isinstance(self.attribute, ChecklistAttribute):
            taken = [filter_answer] if isinstance(filter_answer, Option) else list(filter_answer)  # type: ignore[call-overload]
            assert isinstance(current, tuple)
            left = tuple(o for o in current if not any(o is t for t in taken))
            if not left:
                self.runs.remove(one, one)
            elif len(left) != len(current):
                self.runs.splice(one, one, self.id_for(left), None, None)
        elif matches(current, filter_answer):
            self.runs.remove(one, one)
        self.drop_unused()

    def answers_on(self, starts: IntArray, ends: IntArray, filter_answer: object) -> AnswersForFrames:
        """Every answer holding on one of the frames, with all the ranges it holds on."""
        lo, hi = self.runs.overlapping(starts, ends)
        hit: set[int] = set()
        if lo < hi:
            _, _, _, ib = intersect(starts, ends, self.runs.np_starts(lo, hi), self.runs.np_ends(lo, hi))
            hit = set(self.runs.np_tags(lo, hi)[ib].tolist())
        return [
            AnswerForFrames(answer_value(value), self.ranges_of(answer_id))
            for answer_id, value in self.answers.items()
            if answer_id in hit and (filter_answer is None or matches(value, filter_answer))
        ]

    def view(self) -> DynamicAnswerRuns:
        """The track as arrays (answer ids renumbered 0.. in the order first given)."""
        position = {answer_id: i for i, answer_id in enumerate(self.answers)}
        tags = self.runs.np_tags()
        return DynamicAnswerRuns(
            self.attribute,
            [answer_value(v) for v in self.answers.values()],
            self.runs.np_starts(),
            self.runs.np_ends(),
            np.fromiter((position[t] for t in tags.tolist()), np.int64, tags.size),
        )
