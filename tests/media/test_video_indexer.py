"""The background pass and the group reader when a seek does not land where it should, or the file changed."""

from itertools import islice

import pytest

from labelspace.media._video_indexer import BackgroundIndex
from labelspace.media._video_packets import read_group
from labelspace.media.video import VideoSource
from labelspace.model.errors import MediaError
from tests.media.test_video import B_FRAMES, write

av = pytest.importorskip("av")


class LandsPast:
    """A container whose seeks land past the keyframe asked for (as a demuxer with a coarse index may)."""

    def __init__(self, path):
        self._container = av.open(str(path))
        self.streams = self._container.streams
        self._past = None
        self.seeks = 0

    def seek(self, pts, **options):
        self.seeks += 1
        self._container.seek(pts, **options)
        self._past = pts

    def demux(self, *args):
        landed = self._past is None
        for packet in self._container.demux(*args):
            landed = landed or (packet.is_keyframe and packet.pts is not None and packet.pts > self._past)
            if landed:
                yield packet

    def close(self):
        self._container.close()


@pytest.fixture
def clip(tmp_path):
    write(tmp_path / "v.mp4", 60, options=B_FRAMES)
    return tmp_path / "v.mp4"


def partly_indexed(path, opener, packets=30):
    """A BackgroundIndex fed the first packets of the file, as a pass stopped there leaves it."""
    background = BackgroundIndex(path, opener, VideoSource._index, None)
    with av.open(str(path)) as container:
        background.index.feed(list(islice(VideoSource._index(container, container.streams.video[0]), packets)))
    return background


def test_a_resumed_pass_that_lands_past_its_keyframe_reads_from_the_start(clip):
    opened = []

    def opener():
        opened.append(LandsPast(clip) if not opened else av.open(str(clip)))
        return opened[-1]

    background = partly_indexed(clip, opener)
    assert background.wait(lambda: background.index.complete, timeout=10)
    assert len(opened) == 2 and opened[0].seeks == 1  # sought, landed past, read again from the start
    with VideoSource(clip) as whole:
        expected = whole._indexer.index
        assert background.index.frame_pts == expected.frame_pts and background.index.starts == expected.starts


def test_a_resumed_pass_over_a_changed_file_fails_naming_it(clip, tmp_path):
    write(tmp_path / "other.mp4", 60, options={**B_FRAMES, "g": "7"})
    opened = []

    def opener():
        opened.append(LandsPast(clip) if not opened else av.open(str(tmp_path / "other.mp4")))
        return opened[-1]

    background = partly_indexed(clip, opener)
    with pytest.raises(MediaError, match=r"v\.mp4: the file changed while its frames were being numbered"):
        background.wait(lambda: background.index.complete, timeout=10)


def test_a_group_read_that_lands_past_its_keyframe_reads_from_the_start(clip):
    with VideoSource(clip) as source:
        source.wait_for_index()
        index = source._indexer.index
        for g in range(index.group_count):
            lands_past = LandsPast(clip)
            packets, container = read_group(lambda: av.open(str(clip)), lands_past, index, g)
            assert container is not lands_past  # it was closed and the file opened afresh
            container.close()
            assert packets == source.group(g).packets
            frames = [p.frame for p in packets if p.frame is not None]
            assert source.group_range(g) == (min(frames), max(frames))
