"""VideoSource: frames numbered lazily (exact all the same), and keyframe groups of packets for WebCodecs."""

import gc
import threading
import time
from fractions import Fraction

import numpy as np
import pytest

from labelspace.media import _video_indexer, open_media, video
from labelspace.media._video_packets import VideoPacket, split_packets
from labelspace.model.errors import MediaError

av = pytest.importorskip("av")

INDEX_THREAD = "labelspace-video-index"


def write(path, frames, size=(64, 48), codec="libx264", options=None, pts=None, rate=25):
    """A video whose frames differ everywhere (a moving gradient, two blocks that count); ``pts`` in ms, if given."""
    width, height = size
    yy, xx = np.mgrid[0:height, 0:width]
    base = np.stack([xx * 4, yy * 5, (xx + yy) * 2], axis=-1).astype(np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate)
        stream.width, stream.height = width, height
        stream.pix_fmt = "yuv420p"
        stream.options = options or {}
        if pts is not None:
            stream.codec_context.time_base = Fraction(1, 1000)
        for i in range(frames):
            image = np.roll(base, i, axis=1)
            image[:8, :8] = (i * 7) % 256
            image[8:16, :8] = (i // 37) * 3
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            if pts is not None:
                frame.pts, frame.time_base = pts[i], Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def truth(path, wanted=None):
    """{frame number: RGB} as PyAV decodes the whole file, numbered by sorted pts (only ``wanted`` converted)."""
    with av.open(str(path)) as container:
        decoded = sorted(container.decode(video=0), key=lambda f: f.pts)
    return {i: f.to_ndarray(format="rgb24") for i, f in enumerate(decoded) if wanted is None or i in wanted}, [
        f.pts for f in decoded
    ]


def index_threads():
    return [t for t in threading.enumerate() if t.name == INDEX_THREAD and t.is_alive()]


def no_index_thread_left(seconds=5.0):
    deadline = time.monotonic() + seconds
    while index_threads() and time.monotonic() < deadline:
        time.sleep(0.01)
    return not index_threads()


@pytest.fixture(scope="module")
def long_video(tmp_path_factory):
    """3,000 frames of 64x48, a keyframe every 30, B-frames; and PyAV's frames for a few numbers."""
    path = tmp_path_factory.mktemp("long") / "long.mp4"
    write(path, 3000, options={"g": "30", "keyint_min": "30", "sc_threshold": "0", "bf": "2", "crf": "10"})
    wanted = {0, 1, 29, 30, 100, 1499, 1500, 2970, 2998, 2999}
    frames, pts = truth(path, wanted)
    return path, frames, pts


@pytest.fixture
def lazy(monkeypatch, tmp_path):
    """Opening reads only until frame 0 is numbered; a cache folder of the test's own (so nothing is cached yet)."""
    monkeypatch.setattr(video, "OPEN_BUDGET", 0.0)
    monkeypatch.setenv("LABELSPACE_CACHE_DIR", str(tmp_path / "cache"))
    yield tmp_path / "cache" / "video-index"
    assert no_index_thread_left()


class Gate:
    """Wraps VideoSource._index: each pass stops at packet ``at`` until released (or fails there, once)."""

    def __init__(self, monkeypatch, at, fail=None):
        self.at, self.fail = at, fail
        self.reached, self.release = threading.Event(), threading.Event()
        self.passes = []  # packets each pass gave
        original = video.VideoSource._index

        def gated(container, stream):
            self.passes.append(0)
            for count, item in enumerate(original(container, stream)):
                if count == self.at:
                    self.reached.set()
                    if self.fail is not None:
                        error, self.fail = self.fail, None
                        raise error
                    assert self.release.wait(10)
                self.passes[-1] = count + 1
                yield item

        monkeypatch.setattr(video.VideoSource, "_index", staticmethod(gated))


def test_a_frame_past_the_indexed_part_waits_for_it_and_is_exact(long_video, lazy, monkeypatch):
    path, frames, pts = long_video
    gate = Gate(monkeypatch, at=500)
    with open_media(path) as source:
        assert gate.reached.wait(10)
        assert not source.index_complete  # the pass is held at packet 500
        assert source.number_of_frames == 3000  # MP4 counts its frames in the header: the estimate is exact
        assert (source.frame(100) == frames[100]).all()  # numbered already: read at once
        read = {}
        reader = threading.Thread(target=lambda: read.setdefault("last", source.frame(2999)))
        reader.start()
        reader.join(0.3)
        assert reader.is_alive()  # frame 2999 is not numbered yet: the read waits
        gate.release.set()
        reader.join(10)
        assert (read["last"] == frames[2999]).all()
        assert source.wait_for_index(timeout=30)
        assert source.index_complete and source.number_of_frames == 3000
        assert [source.timestamp(i) for i in (0, 1500, 2999)] == [
            float(pts[i] * Fraction(1, 12800)) for i in (0, 1500, 2999)
        ]
        for i in (0, 1, 29, 30, 1499, 1500, 2970, 2998):
            assert (source.frame(i) == frames[i]).all(), i
        with pytest.raises(MediaError, match=r"frame 3000 is outside 0\.\.2999"):
            source.frame(3000)
    assert len(list(lazy.glob("*.npz"))) == 1  # the complete index is kept


def test_close_stops_the_pass_and_a_read_resumes_it_where_it_stopped(long_video, lazy, monkeypatch):
    path, frames, _ = long_video
    gate = Gate(monkeypatch, at=500)
    source = open_media(path)
    assert gate.reached.wait(10)
    threading.Timer(0.2, gate.release.set).start()
    source.close()  # stops the pass after its current batch
    assert no_index_thread_left(0) and not source.index_complete
    assert not list(lazy.glob("*.npz"))
    assert (source.frame(2999) == frames[2999]).all()  # resumes the pass, waits for it
    assert len(gate.passes) == 2 and gate.passes[1] < 3000 - 400  # sought to where it stopped, not from the start
    assert source.wait_for_index()
    lazily = source._indexer.index
    source.close()
    assert len(list(lazy.glob("*.npz"))) == 1
    with open_media(path) as again:  # the cache: no pass at all
        assert again.index_complete and again.number_of_frames == 3000
        assert len(gate.passes) == 2
        cached = again._indexer.index
        assert (cached.frame_pts, cached.keyframes, cached.starts) == (
            lazily.frame_pts,
            lazily.keyframes,
            lazily.starts,
        )
        assert (again.frame(1500) == frames[1500]).all()


def test_a_failure_of_the_background_pass_is_raised_by_the_next_read_that_needs_it(long_video, lazy, monkeypatch):
    path, frames, _ = long_video
    Gate(monkeypatch, at=500, fail=OSError("the disk went away")).release.set()  # fails once, then never holds
    with open_media(path) as source:
        assert (source.frame(30) == frames[30]).all()
        with pytest.raises(MediaError, match=r"long\.mp4: reading the video's packets failed.*the disk went away"):
            source.frame(2999)
        with pytest.raises(MediaError, match="the disk went away"):
            source.wait_for_index()
        assert (source.frame(29) == frames[29]).all()  # numbered before the failure: still read
        source.close()  # forgets the failure: the next read tries again
        assert (source.frame(2999) == frames[2999]).all()


def test_a_reader_dropped_without_closing_stops_its_pass(long_video, lazy, monkeypatch):
    path, _, _ = long_video
    gate = Gate(monkeypatch, at=500)
    source = open_media(path)
    assert gate.reached.wait(10)
    del source
    gc.collect()
    gate.release.set()
    assert no_index_thread_left()


def test_groups_of_the_long_video(long_video, lazy):
    path, frames, _ = long_video
    with open_media(path) as source:
        assert source.group_of(2999) == 99  # waits until the last group is known
        assert source.group_count == 100
        assert [source.group_of(i) for i in (0, 29, 30, 1499, 1500)] == [0, 0, 1, 49, 50]
        config = source.codec_config()
        for g in (0, 50, 99):
            group = source.group(g)
            assert (group.first, group.last) == (30 * g, 30 * g + 29)
            decoded = decode(group, config)
            assert sorted(decoded) == list(range(30 * g, 30 * g + 30))
            for i in set(decoded) & set(frames):
                assert (decoded[i] == frames[i]).all(), i
        with pytest.raises(MediaError, match=r"group 100 is outside 0\.\.99"):
            source.group(100)


def decode(group, config):
    """Decode a group's packets in order with a fresh decoder: {frame number: RGB}."""
    name = "libdav1d" if config["codec_name"] == "av1" else config["codec_name"]
    context = av.CodecContext.create(name, "r")
    if config["description"] is not None:
        context.extradata = config["description"]
    numbers = {p.pts: p.frame for p in group.packets}
    out = {}
    for p in group.packets:
        packet = av.Packet(p.data)
        packet.pts, packet.dts = p.pts, p.dts
        for frame in context.decode(packet):
            out[numbers[frame.pts]] = frame.to_ndarray(format="rgb24")
    for frame in context.decode(None):
        out[numbers[frame.pts]] = frame.to_ndarray(format="rgb24")
    return out


B_FRAMES = {"g": "12", "bf": "2", "crf": "10"}
VFR_PTS = np.cumsum([0] + [int(d) for d in np.random.default_rng(5).choice([20, 33, 40, 100, 7], 59)]).tolist()
FILES = {
    "h264 b-frames mp4": ("v.mp4", "libx264", B_FRAMES, None),
    "h264 b-pyramid variable rate mp4": ("vfr.mp4", "libx264", {**B_FRAMES, "bf": "3"}, VFR_PTS),
    "h264 open gop mp4": ("open.mp4", "libx264", {**B_FRAMES, "bf": "3", "x264-params": "open-gop=1"}, None),
    "h264 mkv (no decode timestamps)": ("v.mkv", "libx264", B_FRAMES, None),
    "vp9 webm": ("v.webm", "libvpx-vp9", {"g": "12", "deadline": "realtime", "cpu-used": "8"}, None),
    "hevc mp4 (open gops)": ("h.mp4", "libx265", {"g": "12", "x265-params": "log-level=error"}, None),
}


@pytest.mark.parametrize("name", list(FILES))
def test_a_group_decodes_on_its_own_into_exactly_its_frames(name, tmp_path, lazy, monkeypatch):
    filename, codec, options, pts = FILES[name]
    if codec not in av.codecs_available:
        pytest.skip(f"PyAV has no {codec} encoder here")
    monkeypatch.setattr(_video_indexer, "BATCH", 4)  # small batches: the groups are found while reading
    write(tmp_path / filename, 60, codec=codec, options=options, pts=pts)
    frames, _ = truth(tmp_path / filename)
    assert len(frames) == 60
    with open_media(tmp_path / filename) as source:
        config = source.codec_config()
        covered = []
        g = 0
        while g < source.group_count or not source.index_complete:
            if g >= source.group_count:
                source.group_of(covered[-1] + 1 if covered else 0)  # wait for the next group
                continue
            group = source.group(g)
            assert group.packets[0].is_keyframe
            decoded = decode(group, config)
            assert sorted(decoded) == list(range(group.first, group.last + 1)), g
            for i, image in decoded.items():
                assert (image == frames[i]).all(), (g, i)
                assert (source.frame(i) == frames[i]).all(), (g, i)
                assert source.group_of(i) == g
            covered += range(group.first, group.last + 1)
            g += 1
        assert covered == list(range(60))  # every frame in exactly one group
        assert source.number_of_frames == 60
    if name == "hevc mp4 (open gops)":
        assert config["codec"].startswith(("hvc1.", "hev1.")) and config["description"][0] == 1
    if codec == "libvpx-vp9":
        assert config["codec"] == "vp09.00.10.08" and config["description"] is None  # profile 0, level 1, 8 bits


def test_the_h264_codec_string_is_the_avcc_record_s_profile_and_level(tmp_path):
    write(tmp_path / "v.mp4", 12, options=B_FRAMES)
    with open_media(tmp_path / "v.mp4") as source, av.open(str(tmp_path / "v.mp4")) as container:
        config = source.codec_config()
        avcc = container.streams.video[0].codec_context.extradata
    assert config["description"] == avcc and avcc[0] == 1  # an avcC record (configurationVersion 1)
    assert config["codec"] == f"avc1.{avcc[1]:02x}{avcc[2]:02x}{avcc[3]:02x}"
    assert config["codec"].startswith("avc1.64")  # x264's High profile
    assert (config["codec_name"], config["annexb"], config["coded_width"], config["coded_height"]) == (
        "h264",
        False,
        64,
        48,
    )
    assert config["time_base"] == [1, 12800] and config["fps"] == 25.0


def test_h264_in_mpeg_ts_is_annex_b(tmp_path):
    write(tmp_path / "v.ts", 30, options=B_FRAMES)
    write(tmp_path / "v.mp4", 30, options=B_FRAMES)
    frames, _ = truth(tmp_path / "v.ts")
    with video.VideoSource(tmp_path / "v.ts") as source, open_media(tmp_path / "v.mp4") as mp4:
        config = source.codec_config()
        assert (config["annexb"], config["description"]) == (True, None)
        assert config["codec"] == mp4.codec_config()["codec"]  # read from the SPS in band
        for g in range(source.group_count):
            group = source.group(g)
            decoded = decode(group, config)
            assert sorted(decoded) == list(range(group.first, group.last + 1))
            assert all((image == frames[i]).all() for i, image in decoded.items())


def packet(size):
    return VideoPacket(b"x" * size, 0, 0, False, 0, 1)


@pytest.mark.parametrize(
    ("sizes", "limit", "runs"),
    [
        ([], 10, []),
        ([4, 4, 4], 10, [[4, 4], [4]]),
        ([5, 5, 5, 5], 10, [[5, 5], [5, 5]]),
        ([3, 12, 3], 10, [[3], [12], [3]]),  # a packet over the limit goes alone
        ([1] * 5, 1, [[1]] * 5),
    ],
)
def test_split_packets_keeps_the_order_and_the_limit(sizes, limit, runs):
    packets = [packet(s) for s in sizes]
    split = split_packets(packets, limit)
    assert [[len(p.data) for p in run] for run in split] == runs
    assert [p for run in split for p in run] == packets


def test_split_packets_refuses_a_limit_below_one():
    with pytest.raises(MediaError, match="max_bytes must be a positive number of bytes, got 0"):
        split_packets([packet(1)], 0)


def test_group_chunks_default_to_4_mib(tmp_path):
    mib = 1024 * 1024
    # 3 MiB and 1 MiB fit in one 4 MiB message; one byte more does not.
    assert [[len(p.data) for p in run] for run in split_packets([packet(3 * mib), packet(mib)])] == [[3 * mib, mib]]
    assert [len(run) for run in split_packets([packet(3 * mib), packet(mib + 1)])] == [1, 1]
    write(tmp_path / "v.mp4", 12, options=B_FRAMES)
    with open_media(tmp_path / "v.mp4") as source:
        group = source.group(0)
        assert group.chunks() == [group.packets]  # a small group is one message
        small = group.chunks(100)
        assert len(small) > 1 and [p for run in small for p in run] == list(group.packets)


def test_a_numbering_conflict_is_raised_by_every_read(tmp_path):
    write(tmp_path / "v.mp4", 12, options=B_FRAMES)
    with open_media(tmp_path / "v.mp4") as source:
        source._indexer.index.conflict = "packet 7 has timestamp 5, below that of frame 3"
        for read in (lambda: source.frame(0), lambda: source.timestamp(0), lambda: source.group(0)):
            with pytest.raises(MediaError, match=r"v\.mp4: frame numbers given out .* may be wrong: packet 7"):
                read()


def test_number_of_frames_cannot_be_set(tmp_path):
    write(tmp_path / "v.mp4", 12, options=B_FRAMES)
    with open_media(tmp_path / "v.mp4") as source, pytest.raises(AttributeError, match="read from the file"):
        source.number_of_frames = 3


@pytest.mark.parametrize("b_frames", ["2", "3"])
def test_h264_b_frames_in_avi_are_numbered_by_the_decoders_order(b_frames, tmp_path):
    # AVI has no presentation timestamps: its packets count up in decode order, so with B-frames a
    # picture's timestamp is not its frame. The oracle is PyAV's own decode, in the order it shows them.
    path = tmp_path / "b.avi"
    write(path, 60, options={"g": "12", "bf": b_frames, "crf": "10"})
    with av.open(str(path)) as container:
        packets = [p.pts for p in container.demux(video=0) if p.size]
        assert packets == sorted(packets)  # what makes the file hard: timestamps in decode order
    with av.open(str(path)) as container:
        shown = list(container.decode(video=0))
    assert [f.pts for f in shown] != sorted(f.pts for f in shown)  # ... though the pictures are reordered
    frames = [f.to_ndarray(format="rgb24") for f in shown]
    with open_media(path) as source:
        assert source.number_of_frames == 60
        order = [*range(60), *range(59, -1, -1), *np.random.default_rng(2).permutation(60).tolist()]
        for i in order:
            assert (source.frame(i) == frames[i]).all(), i
        config = source.codec_config()
        for g in range(source.group_count):
            group = source.group(g)
            decoded = decode(group, config)  # numbered by the frames the packets carry, as the browser does
            assert sorted(decoded) == list(range(group.first, group.last + 1))
            for i, image in decoded.items():
                assert (image == frames[i]).all(), (g, i)


def test_a_stream_with_presentation_timestamps_is_numbered_by_them(tmp_path):
    from labelspace.media._video_reorder import decode_ordered

    assert not decode_ordered(True, [0, 3, 1, 2, 6, 4, 5])  # MP4 with B-frames: pts fall in decode order
    assert decode_ordered(True, [1, 2, 3, 4])  # AVI with B-frames
    assert not decode_ordered(False, [1, 2, 3, 4])  # no B-frames: decode order is the order shown
    assert not decode_ordered(True, [7])
