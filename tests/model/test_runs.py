import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelspace.model._runs import RunTable, difference, intersect
from tests.conftest import examples


def runs(frames):
    """Turn a set of frames into sorted disjoint (starts, ends) arrays."""
    f = np.array(sorted(frames), np.int64)
    if f.size == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    breaks = np.flatnonzero(np.diff(f) != 1)
    return np.concatenate((f[:1], f[breaks + 1])), np.concatenate((f[breaks], f[-1:]))


def table_frames(table):
    """frame -> (tag, value) for every frame of a RunTable."""
    out = {}
    for i in range(len(table)):
        for f in range(table.starts[i], table.ends[i] + 1):
            out[f] = (table.tags[i], table.value(i))
    return out


frame_sets = st.sets(st.integers(0, 60), min_size=1, max_size=25)


@given(frame_sets, frame_sets)
def test_intersect_and_difference_match_sets(a, b):
    a_s, a_e = runs(a)
    b_s, b_e = runs(b)
    s, e, _, _ = intersect(a_s, a_e, b_s, b_e)
    assert {f for lo, hi in zip(s, e, strict=True) for f in range(lo, hi + 1)} == a & b
    s, e, _ = difference(a_s, a_e, b_s, b_e)
    assert {f for lo, hi in zip(s, e, strict=True) for f in range(lo, hi + 1)} == a - b


operations = st.lists(
    st.tuples(st.sampled_from(["put", "remove"]), frame_sets, st.integers(0, 3), st.integers(0, 2)),
    max_size=12,
)


@pytest.mark.parametrize("stride", [0, 2, -1])
@settings(max_examples=examples(150), deadline=None)
@given(operations=operations)
def test_run_table_behaves_like_a_dict_of_frames(stride, operations):
    table = RunTable(stride)
    model = {}
    objects = [("a",), ("b",), ("c",)]
    for op, frames, tag, v in operations:
        value = None if stride == 0 else ((float(v), 0.5) if stride > 0 else objects[v])
        s, e = runs(frames)
        if op == "remove":
            removed = table.remove(s, e)
            assert removed == len([f for f in frames if f in model])
            for f in frames:
                model.pop(f, None)
        else:
            # edited frames get tag + 10, fresh ones the tag itself
            values = None if stride == 0 else (np.array([value]) if stride > 0 else [value])
            table.splice(s, e, tag, lambda old: old + 10, values)
            for f in frames:
                model[f] = ((model[f][0] + 10) if f in model else tag, value)
        assert table_frames(table) == model
        starts, ends = np.array(table.starts), np.array(table.ends)
        assert (starts <= ends).all() and (starts[1:] > ends[:-1]).all()
        assert int((np.array(table.ends) - np.array(table.starts) + 1).sum()) == len(model)
        if len(model):
            assert table.first_clash(*runs(set(model))) == min(model)


def test_one_run_whatever_the_length():
    table = RunTable(4)
    table.splice(np.array([0]), np.array([9_999_999]), 0, None, np.array([[0.1, 0.2, 0.3, 0.4]]))
    assert len(table) == 1 and table.ends[0] - table.starts[0] + 1 == 10_000_000


def test_continuing_runs_with_equal_values_merge():
    table = RunTable(2)
    for start, end, row in ((0, 4, (0.5, 0.5)), (10, 10, (0.25, 0.5)), (5, 9, (0.5, 0.5))):
        table.splice(np.array([start]), np.array([end]), 1, None, np.array([row]))
    assert list(table.starts) == [0, 10] and list(table.ends) == [9, 10]
