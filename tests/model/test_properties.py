"""Random put / remove / replace sequences against a plain dict-of-frames reference model."""

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from labelspace import BoundingBoxCoordinates, LabelRow, LabelRowError, Range
from tests.conftest import World, examples

N = 30
BOXES = [BoundingBoxCoordinates(height=0.1, width=0.1, top_left_x=i / 10, top_left_y=0.5) for i in range(5)]
USERS = [None, "a@x.org", "b@x.org"]
frame_sets = st.sets(st.integers(0, N - 1), min_size=1, max_size=12)


def as_frames(frames, form):
    """Present a set of frames in one of the accepted forms."""
    ordered = sorted(frames)
    if form == "list":
        return ordered
    if form == "array":
        return np.array(ordered[::-1])
    if form == "set":
        return set(ordered)
    runs, start = [], ordered[0]
    for a, b in zip(ordered, [*ordered[1:], None], strict=True):
        if b != a + 1:
            runs.append(Range(start, a))
            start = b
    return runs[0] if len(runs) == 1 and form == "range" else runs


forms = st.sampled_from(["list", "array", "set", "ranges", "range"])


class SpaceMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.w = World()
        self.row = LabelRow(self.w.ontology)
        self.space = self.row.add_video_space("cam", N, 100, 100)
        self.cars = [self.w.box.create_instance(f"car{i}") for i in range(3)]
        self.weathers = [self.w.weather.create_instance(f"wth{i}") for i in range(2)]
        self.options = [self.w.visible, self.w.hidden]
        # reference model
        self.objects = {}  # hash -> {frame: (box index, created_by, confidence)}
        self.classes = {}  # hash -> set of frames
        self.dynamic = {}  # hash -> {frame: option index}

    @rule(
        i=st.integers(0, 2),
        frames=frame_sets,
        form=forms,
        box=st.integers(0, 4),
        replace=st.booleans(),
        user=st.sampled_from(USERS),
        confidence=st.sampled_from([None, 0.5]),
    )
    def put_object(self, i, frames, form, box, replace, user, confidence):
        car = self.cars[i]
        current = self.objects.get(car.object_hash, {})
        clash = sorted(set(current) & frames)
        try:
            self.space.put_object_instance(
                car,
                as_frames(frames, form),
                BOXES[box],
                on_overlap="replace" if replace else "error",
                created_by=user,
                confidence=confidence,
            )
        except LabelRowError as e:
            assert clash and not replace
            assert f"already on frame {clash[0]} " in e.message
            return
        assert replace or not clash
        for f in frames:
            old = current.get(f)
            if old is None:
                current[f] = (box, user, confidence if confidence is not None else 1.0)
            else:
                current[f] = (
                    box,
                    user if user is not None else old[1],
                    confidence if confidence is not None else old[2],
                )
        self.objects[car.object_hash] = current

    @rule(i=st.integers(0, 2), frames=frame_sets, replace=st.booleans(), data=st.data())
    def put_track(self, i, frames, replace, data):
        car = self.cars[i]
        current = self.objects.get(car.object_hash, {})
        ordered = sorted(frames)
        boxes = [data.draw(st.integers(0, 4)) for _ in ordered]
        rows = np.array([[BOXES[b].top_left_x, BOXES[b].top_left_y, BOXES[b].width, BOXES[b].height] for b in boxes])
        clash = sorted(set(current) & frames)
        try:
            self.space.put_object_track(car, np.array(ordered), rows, on_overlap="replace" if replace else "error")
        except LabelRowError:
            assert clash and not replace
            return
        for f, b in zip(ordered, boxes, strict=True):
            old = current.get(f)
            current[f] = (b, old[1], old[2]) if old else (b, None, 1.0)
        self.objects[car.object_hash] = current

    @rule(i=st.integers(0, 2), frames=st.one_of(st.none(), frame_sets), form=forms)
    def remove_object(self, i, frames, form):
        car = self.cars[i]
        was_there = car.object_hash in self.objects
        result = self.space.remove_object_instance(car.object_hash, None if frames is None else as_frames(frames, form))
        assert result is (car if was_there else None)
        if not was_there:
            return
        current = self.objects[car.object_hash]
        for f in frames if frames is not None else list(current):
            current.pop(f, None)
            self.dynamic.get(car.object_hash, {}).pop(f, None)
        if not current:
            del self.objects[car.object_hash]
            self.dynamic.pop(car.object_hash, None)

    @rule(i=st.integers(0, 1), frames=frame_sets, form=forms, replace=st.booleans())
    def put_classification(self, i, frames, form, replace):
        mine = self.weathers[i]
        taken = set().union(*self.classes.values()) if self.classes else set()
        clash = sorted(taken & frames)
        try:
            self.space.put_classification_instance(
                mine, as_frames(frames, form), on_overlap="replace" if replace else "error"
            )
        except LabelRowError as e:
            assert clash and not replace
            assert f"already on frame {clash[0]} " in e.message
            return
        for other in list(self.classes):
            if other != mine.classification_hash:
                self.classes[other] -= frames
                if not self.classes[other]:
                    del self.classes[other]
        self.classes[mine.classification_hash] = self.classes.get(mine.classification_hash, set()) | frames

    @rule(i=st.integers(0, 1), frames=st.one_of(st.none(), frame_sets))
    def remove_classification(self, i, frames):
        mine = self.weathers[i]
        was_there = mine.classification_hash in self.classes
        result = self.space.remove_classification_instance(
            mine.classification_hash, None if frames is None else sorted(frames)
        )
        assert result is (mine if was_there else None)
        if was_there:
            if frames is None:
                del self.classes[mine.classification_hash]
            else:
                self.classes[mine.classification_hash] -= frames
                if not self.classes[mine.classification_hash]:
                    del self.classes[mine.classification_hash]

    @rule(i=st.integers(0, 2), frames=frame_sets, option=st.integers(0, 1))
    def set_dynamic(self, i, frames, option):
        car = self.cars[i]
        present = self.objects.get(car.object_hash, {})
        try:
            self.space.set_dynamic_answer(car, sorted(frames), self.options[option])
        except LabelRowError:
            assert not (set(present) & frames)
            return
        answers = self.dynamic.setdefault(car.object_hash, {})
        for f in set(present) & frames:
            answers[f] = option

    @rule(i=st.integers(0, 2), frame=st.integers(0, N - 1), option=st.one_of(st.none(), st.integers(0, 1)))
    def remove_dynamic(self, i, frame, option):
        car = self.cars[i]
        if car.object_hash not in self.objects:
            return
        self.space.remove_dynamic_answer(car, self.w.occlusion, frame, None if option is None else self.options[option])
        answers = self.dynamic.get(car.object_hash, {})
        if frame in answers and (option is None or answers[frame] == option):
            del answers[frame]

    @invariant()
    def objects_match(self):
        seen = {}
        for a in self.space.get_annotations("object"):
            seen.setdefault(a.object_hash, {})[a.frame] = (BOXES.index(a.coordinates), a.created_by, a.confidence)
        assert seen == self.objects
        assert {c.object_hash for c in self.space.get_object_instances()} == set(self.objects)

    @invariant()
    def classifications_match(self):
        seen = {}
        for a in self.space.get_annotations("classification"):
            seen.setdefault(a.classification_hash, set()).add(a.frame)
        assert seen == self.classes

    @invariant()
    def dynamic_answers_match(self):
        for car in self.cars:
            if car.object_hash not in self.objects:
                continue
            got = {}
            for answer in self.space.get_dynamic_answer(car, Range(0, N - 1), self.w.occlusion):
                for r in answer.ranges:
                    for f in range(r.start, r.end + 1):
                        got[f] = self.options.index(answer.answer)
            assert got == self.dynamic.get(car.object_hash, {})

    @precondition(lambda self: self.objects or self.classes)
    @rule()
    def save_and_load_round_trip(self):
        again = LabelRow.from_dict(self.row.to_dict())
        assert again.to_dict() == self.row.to_dict()
        before = [(a.frame, a.object_hash, a.coordinates, a.created_by) for a in self.space.get_annotations()]
        after = [
            (a.frame, a.object_hash, a.coordinates, a.created_by) for a in again.get_space(id="cam").get_annotations()
        ]
        assert before == after


SpaceMachine.TestCase.settings = settings(max_examples=examples(150), stateful_step_count=25, deadline=None)
TestSpaceMachine = SpaceMachine.TestCase
