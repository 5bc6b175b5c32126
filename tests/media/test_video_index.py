"""Frame numbers found while the packets arrive: never different from those of the whole file."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from labelspace.media._video_index import FrameIndex
from tests.conftest import examples


def decode_order(kinds):
    """Display-order positions in decode order: an anchor (I or P) is coded before the B-frames shown before it."""
    order, waiting = [], []
    for position, kind in enumerate(kinds):
        if kind == "B":
            waiting.append(position)
            continue
        order.append(position)
        order.extend(waiting)
        waiting = []
    assert not waiting
    return order


def with_dts(pts_in_decode_order):
    """Decode timestamps as a muxer writes them: the sorted pts, delayed just enough that pts >= dts throughout."""
    shown = sorted(pts_in_decode_order)
    for delay in range(len(shown) + 1):
        dts = [shown[k - delay] if k >= delay else shown[0] - (delay - k) for k in range(len(shown))]
        if all(p >= d for p, d in zip(pts_in_decode_order, dts, strict=True)):
            return dts
    raise AssertionError("unreachable")


@st.composite
def streams(draw):
    """Packets (pts, dts, keyframe) of a made-up stream: groups, B-frames, open or closed groups, irregular times."""
    sizes = draw(st.lists(st.integers(1, 12), min_size=1, max_size=6))
    b_frames = draw(st.integers(0, 3))
    open_groups = draw(st.booleans())
    kinds = []
    for size in sizes:
        kinds += ["I"] + ["P" if j % (b_frames + 1) == 0 else "B" for j in range(1, size)]
        if not open_groups and kinds[-1] == "B":
            kinds[-1] = "P"  # a closed group ends on an anchor: nothing of it waits for the next keyframe
    if kinds[-1] == "B":
        kinds[-1] = "P"
    steps = draw(st.lists(st.integers(1, 5), min_size=len(kinds), max_size=len(kinds)))
    shown = (draw(st.integers(-10, 10)) + np.cumsum(steps)).tolist()
    order = decode_order(kinds)
    pts = [shown[i] for i in order]
    keys = [kinds[i] == "I" for i in order]
    timing = draw(st.sampled_from(["dts", "none", "guessed later"]))
    dts = with_dts(pts)
    if timing == "none":
        dts = [None] * len(pts)
    elif timing == "guessed later":  # as Matroska: the first packets have none
        dts = [None, None, *dts[2:]][: len(pts)]
    batches = draw(st.lists(st.integers(1, 7), min_size=1, max_size=len(pts)))
    return list(zip(pts, dts, keys, strict=True)), batches


@settings(max_examples=examples(300), deadline=None)
@given(streams())
def test_frames_numbered_on_the_way_are_those_of_the_whole_file(stream):
    packets, batches = stream
    whole = FrameIndex.from_packets([p for p, _, _ in packets], [k for _, _, k in packets])
    index = FrameIndex()
    fed = 0
    while fed < len(packets):
        size = batches[min(len(batches) - 1, fed % len(batches))]
        index.feed(packets[fed : fed + size])
        fed += size
        n = index.frame_count
        assert index.conflict is None
        assert index.frame_pts == whole.frame_pts[:n]
        assert index.keyframes == [k for k in whole.keyframes if k < n]
        assert index.starts == whole.starts[: len(index.starts)]
        assert all(index.group_bounds(g) == whole.group_bounds(g) for g in range(index.group_count))
    index.finish()
    assert (index.frame_pts, index.keyframes, index.starts) == (
        whole.frame_pts,
        whole.keyframes,
        whole.starts,
    )
    # Every group is the packets of a run of decode positions, and they are exactly the frames with those numbers.
    ends = [*whole.starts[1:], len(packets)]
    for g, (start, end) in enumerate(zip(whole.starts, ends, strict=True)):
        frames = sorted(whole.frame_of(p) for p, _, _ in packets[start:end])
        assert frames == list(range(start, end)) == list(range(whole.group_bounds(g)[0], whole.group_bounds(g)[1] + 1))
        assert packets[start][2] or start == 0


def closed_groups(groups=4, size=6):
    kinds = (["I", "P", "B", "B", "P", "P"] * groups)[: groups * size]
    order = decode_order(kinds)
    pts = [100 * i for i in order]
    return list(zip(pts, with_dts(pts), [kinds[i] == "I" for i in order], strict=True))


def test_each_closed_group_is_a_group_and_the_first_frames_are_numbered_early():
    packets = closed_groups()
    index = FrameIndex()
    index.feed(packets[:4])
    assert index.frame_count >= 1  # decode timestamps: frame 0 is final after a few packets
    index.feed(packets[4:13])
    assert index.group_count == 1  # the second group's keyframe is numbered: group 0 is known end to end
    assert index.group_bounds(0) == (0, 5)
    index.feed(packets[13:])
    index.finish()
    assert index.starts == [0, 6, 12, 18] and index.group_count == 4
    # Without decode timestamps the groups do it: frames of the group before the previous one are final.
    index = FrameIndex()
    index.feed([(p, None, k) for p, _, k in packets[:13]])
    assert index.frame_count == 6 and index.frame_pts == [0, 100, 200, 300, 400, 500]


def test_an_open_group_is_merged_with_the_one_before():
    # Display: I0 B1 B2 P3 B4 B5 | I6 ...: B4 and B5 are coded after I6 (leading frames of the second group).
    kinds = ["I", "B", "B", "P", "B", "B", "I", "B", "P", "I", "P"]
    order = [0, 3, 1, 2, 6, 4, 5, 8, 7, 9, 10]
    pts = [10 * i for i in order]
    packets = list(zip(pts, with_dts(pts), [kinds[i] == "I" for i in order], strict=True))
    index = FrameIndex()
    index.feed(packets)
    index.finish()
    assert index.starts == [0, 9]  # I6 has leading frames: no group starts there; I9 starts one
    assert index.frame_pts == sorted(pts)


def test_a_packet_below_a_numbered_frame_is_a_conflict_and_the_end_rebuilds_the_index():
    index = FrameIndex()
    index.feed([(0, -1, True), (10, 0, False), (20, 10, False), (30, 20, False)])
    assert index.frame_pts == [0, 10]
    index.feed([(5, 21, False)])  # pts below its own dts: breaks the rule frames 0 and 10 were numbered by
    assert index.conflict is not None and "timestamp 5" in index.conflict
    index.feed([(40, 30, False)])
    index.finish()
    assert index.frame_pts == [0, 5, 10, 20, 30, 40]
    assert [index.frame_of(p) for p in (0, 5, 10, 20, 30, 40, 7)] == [0, 1, 2, 3, 4, 5, None]


def test_the_whole_file_at_once_matches_packet_by_packet_on_a_large_stream():
    rng = np.random.default_rng(3)
    packets = closed_groups(groups=200, size=6)
    index = FrameIndex()
    for start in range(0, len(packets), 50):
        index.feed(packets[start : start + 50])
    index.finish()
    whole = FrameIndex.from_packets(np.array([p for p, _, _ in packets]), np.array([k for _, _, k in packets]))
    assert (index.frame_pts, index.keyframes, index.starts) == (whole.frame_pts, whole.keyframes, whole.starts)
    assert len(whole.starts) == 200
    pts = packets[int(rng.integers(len(packets)))][0]
    assert whole.frame_pts[whole.frame_of(pts)] == pts
