"""The Annotator's commands for videos as packets and volumes as values (_media, _video, _slice).

The packets the ``_video`` command sends are decoded here by a fresh PyAV decoder, as the
browser's WebCodecs decoder would decode them, and compared with the reader's frames.
"""

import numpy as np
import pytest

from labelspace import Annotator, LabelRow, Ontology, Shape
from labelspace.media import open_media
from labelspace.media._video_disposable import disposable
from labelspace.model.errors import MediaError
from labelspace.widget._annotator_stream import GroupParts
from labelspace.widget._volume import decode_slice
from tests.media.test_media import write_video

av = pytest.importorskip("av")


@pytest.fixture
def ontology():
    o = Ontology()
    o.add_object("car", Shape.BOUNDING_BOX)
    return o


@pytest.fixture
def clip(tmp_path):
    write_video(tmp_path / "clip.mp4", frames=40, gop=10)
    return tmp_path / "clip.mp4"


def decode_parts(config, parts):
    """Decode the packets of a group's parts with a fresh decoder: {frame: rgb array}, keyed by each packet's frame."""
    codec = av.CodecContext.create(config["codec_name"], "r")
    if config["description"] is not None:
        codec.extradata = config["description"]
    shown = {}
    for header, data in parts:
        offset = 0
        for frame, size in zip(header["frames"], header["sizes"], strict=True):
            packet = av.Packet(data[offset : offset + size])
            packet.pts = frame
            offset += size
            for picture in codec.decode(packet):
                shown[picture.pts] = picture.to_ndarray(format="rgb24")
    for picture in codec.decode(None):
        shown[picture.pts] = picture.to_ndarray(format="rgb24")
    return shown


def test_media_says_a_video_goes_as_packets_with_its_decoder_configuration(ontology, clip):
    a = Annotator(LabelRow.from_media(ontology, {"cam": clip}))
    response, buffers = a._media({"row": 0, "space": "cam", "frame": 0}, [])
    assert response["kind"] == "video" and response["error"] == ""
    assert response["codec"].startswith("avc1.") and response["codec_name"] == "h264"
    assert (response["coded_width"], response["coded_height"]) == (64, 48)
    with open_media(clip) as source:
        description = source.codec_config()["description"]
    assert response["has_description"] == (description is not None)
    assert buffers == ([description] if description is not None else [])


def test_every_frame_decoded_from_the_parts_sent_is_the_readers_frame(ontology, clip):
    a = Annotator(LabelRow.from_media(ontology, {"cam": clip}))
    with open_media(clip) as source:
        config = source.codec_config()
        source.wait_for_index()
        expected = [source.frame(i) for i in range(source.number_of_frames)]
    seen = set()
    frame = 0
    while frame < len(expected):
        header, [data] = a._video({"row": 0, "space": "cam", "frame": frame, "part": 0}, [])
        assert header["error"] == "" and header["first"] <= frame <= header["last"]
        parts = [(header, data)]
        for k in range(1, header["parts"]):
            more, [payload] = a._video({"row": 0, "space": "cam", "frame": frame, "part": k}, [])
            parts.append((more, payload))
        assert sum(len(d) for _, d in parts) == sum(sum(h["sizes"]) for h, _ in parts)
        assert parts[0][0]["keys"][0] == 1
        shown = decode_parts(config, parts)
        assert sorted(shown) == list(range(header["first"], header["last"] + 1))
        for i, picture in shown.items():
            assert np.array_equal(picture, expected[i]), f"frame {i}"
        seen.update(shown)
        frame = header["last"] + 1
    assert seen == set(range(len(expected)))


def test_a_group_larger_than_a_part_is_cut_into_parts_that_decode_in_order(clip):
    with open_media(clip) as source:
        config = source.codec_config()
        source.wait_for_index()
        group = source.group(source.group_of(0))
        limit = max(len(p.data) for p in group.packets) + 1  # at least two parts for a group of several packets
        parts_of = GroupParts(max_bytes=limit)
        first, _ = parts_of.part("clip", source, 0, 0)
        parts = [parts_of.part("clip", source, 0, k) for k in range(first["parts"])]
        assert first["parts"] >= 2
        assert all(len(data) <= limit for _, data in parts)
        assert [f for h, _ in parts for f in h["frames"]] == [p.frame for p in group.packets]
        shown = decode_parts(config, parts)
        assert sorted(shown) == list(range(group.first, group.last + 1))
        assert all(np.array_equal(shown[i], source.frame(i)) for i in shown)
        with pytest.raises(MediaError, match="not 99"):
            parts_of.part("clip", source, 0, 99)


def test_video_requests_that_cannot_be_answered_say_why(ontology, clip, tmp_path):
    a = Annotator(LabelRow.from_media(ontology, {"cam": clip}))
    for msg, text in [
        ({"row": 0, "space": "cam", "frame": 400, "part": 0}, "frame must be 0..39"),
        ({"row": 0, "space": "cam", "frame": 0, "part": 7}, "not 7"),
        ({"row": 0, "space": "cam", "frame": 0, "part": "x"}, "part must be an int"),
        ({"row": 0, "space": "nope", "frame": 0, "part": 0}, "no space 'nope'"),
    ]:
        header, buffers = a._video(msg, [])
        assert text in header["error"] and buffers == []
    # Frames given as an array are not a video file: the browser is told to ask for images.
    b = Annotator(LabelRow.from_media(ontology, {"cam": clip}), media={"cam": np.zeros((40, 48, 64, 3), np.uint8)})
    assert b._media({"row": 0, "space": "cam", "frame": 0}, []) == ({"kind": "frames", "error": ""}, [])
    assert "ask for images" in b._video({"row": 0, "space": "cam", "frame": 0, "part": 0}, [])[0]["error"]


def test_media_of_images_is_frames(ontology, tmp_path):
    from PIL import Image

    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "a.png")
    a = Annotator(LabelRow.from_media(ontology, {"img": tmp_path / "a.png"}))
    assert a._media({"row": 0, "space": "img", "frame": 0}, []) == ({"kind": "frames", "error": ""}, [])
    header, buffers = a._media({"row": 0, "space": "missing", "frame": 0}, [])
    assert header["kind"] == "frames" and "no space 'missing'" in header["error"] and buffers == []


def test_a_volume_goes_as_slices_of_values(ontology, tmp_path):
    pytest.importorskip("pydicom")
    from tests.media.test_volume import ct_stored, dicom_file

    stored = ct_stored(frames=6, rows=20, columns=24)
    dicom_file(stored, window=(40, 400)).save_as(tmp_path / "ct.dcm", enforce_file_format=True)
    a = Annotator(LabelRow.from_media(ontology, {"ct": tmp_path / "ct.dcm"}))
    media, buffers = a._media({"row": 0, "space": "ct", "frame": 0}, [])
    assert media["kind"] == "volume" and media["shape"] == [6, 20, 24] and media["window"] == [40.0, 400.0]
    assert buffers == []
    hu = stored.astype(np.int32) - 1024
    for axis, index, expected in [(0, 3, hu[3]), (1, 5, hu[:, 5]), (2, 23, hu[:, :, 23])]:
        header, [data] = a._slice({"row": 0, "space": "ct", "axis": axis, "index": index}, [])
        assert header["error"] == "" and header["dtype"] == "int16"
        assert np.array_equal(decode_slice(header, data), expected)
    for msg, text in [
        ({"row": 0, "space": "ct", "axis": 3, "index": 0}, "axis"),
        ({"row": 0, "space": "ct", "axis": 0, "index": 6}, "0..5"),
        ({"row": 0, "space": "ct", "axis": "0", "index": 0}, "ints axis and index"),
    ]:
        header, out = a._slice(msg, [])
        assert text in header["error"] and out == []


def test_frames_of_video_files_are_not_encoded_ahead_in_the_kernel(ontology, clip, tmp_path):
    from labelspace.widget._annotator_media import FrameStore

    row = LabelRow.from_media(ontology, {"cam": clip})
    store = FrameStore({})
    assert store.locate(row.get_space(id="cam")).path == clip  # found: the empty prefetch is not a failure
    assert store.prefetch([((0, "cam", 0), row.get_space(id="cam"), 0)]) == []  # sent as packets instead
    given = FrameStore({"cam": np.zeros((40, 48, 64, 3), np.uint8)})
    [future] = given.prefetch([((0, "cam", 0), row.get_space(id="cam"), 0)])  # arrays go as encoded frames
    assert future.result().mime in ("image/jpeg", "image/png", "image/webp")
    given.close()


def test_the_first_rows_videos_are_opened_and_cut_before_the_browser_asks(ontology, clip, tmp_path, monkeypatch):
    from labelspace.widget import _annotator_stream

    cut = []
    original = _annotator_stream.GroupParts._cut

    def counting(self, source, group):
        cut.append(group)
        return original(self, source, group)

    monkeypatch.setattr(_annotator_stream.GroupParts, "_cut", counting)
    a = Annotator(LabelRow.from_media(ontology, {"cam": clip}))
    a._frames._executor.submit(lambda: None).result(timeout=30)  # the frames' thread has done what it was given
    assert cut == [0]  # group 0 cut on the frames' thread, with nothing asked
    assert list(a._frames._sources) == [clip]
    header, [data] = a._video({"row": 0, "space": "cam", "frame": 0, "part": 0}, [])
    assert header["error"] == "" and header["first"] == 0 and cut == [0]  # answered from what was cut
    assert len(data) == sum(header["sizes"])
    # A file that cannot be read is left for the browser's request to report.
    (tmp_path / "bad.mp4").write_bytes(b"not a video")
    b = Annotator(LabelRow.from_media(ontology, {"cam": clip}), media={"cam": tmp_path / "bad.mp4"})
    b._frames._executor.submit(lambda: None).result(timeout=30)
    header, buffers = b._video({"row": 0, "space": "cam", "frame": 0, "part": 0}, [])
    assert "bad.mp4" in header["error"] and buffers == []
    a.close()
    b.close()


def write_moving(path, pyramid, frames=60, gop=30):
    """H.264 with two B-frames between references (forced), over a pattern that moves every frame."""
    rng = np.random.default_rng(1)
    base = rng.integers(0, 255, (48, 96, 3), dtype=np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.options = {"g": str(gop), "keyint_min": str(gop), "sc_threshold": "0", "bf": "2", "b-adapt": "0"}
        stream.options["b-pyramid"] = pyramid
        for i in range(frames):
            picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(base[:, i % 32 : i % 32 + 64]), format="rgb24")
            for packet in stream.encode(picture):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@pytest.mark.parametrize("pyramid", ["none", "normal"])
def test_a_jump_that_skips_the_packets_marked_disposable_decodes_every_other_frame_the_same(tmp_path, pyramid):
    path = tmp_path / "moving.mp4"
    write_moving(path, pyramid)
    with open_media(path) as source:
        config = source.codec_config()
        source.wait_for_index()
        parts_of = GroupParts()
        frame = 0
        marked = set()
        while frame < source.number_of_frames:
            header, data = parts_of.part("moving", source, frame, 0)
            assert header["parts"] == 1 and len(header["drops"]) == len(header["sizes"])
            assert header["drops"][0] == 0  # the keyframe
            full = decode_parts(config, [(header, data)])
            marked |= {f for f, drop in zip(header["frames"], header["drops"], strict=True) if drop}
            for target in range(header["first"], header["last"] + 1):
                # What the browser feeds on a jump to `target`: every packet but the marked ones shown before it.
                pairs = zip(header["frames"], header["drops"], strict=True)
                keep = [not (drop and 0 <= shown < target) for shown, drop in pairs]
                offsets = np.cumsum([0, *header["sizes"]])
                kept = {
                    "frames": [f for f, k in zip(header["frames"], keep, strict=True) if k],
                    "sizes": [s for s, k in zip(header["sizes"], keep, strict=True) if k],
                }
                payload = b"".join(data[offsets[i] : offsets[i + 1]] for i, k in enumerate(keep) if k)
                shown = decode_parts(config, [(kept, payload)])
                assert target in shown
                for i, picture in shown.items():
                    assert np.array_equal(picture, full[i]), f"frame {i} on a jump to {target}"
            frame = header["last"] + 1
    # FFmpeg's picture types as the oracle: without a pyramid every B-frame is disposable; with one,
    # one B-frame of each pair is a reference and only the other is.
    with av.open(str(path)) as container:
        types = [picture.pict_type for picture in container.decode(video=0)]
    b_frames = {i for i, kind in enumerate(types) if kind == av.video.frame.PictureType.B}
    assert len(b_frames) >= 20
    if pyramid == "none":
        assert marked == b_frames
    else:
        assert marked < b_frames and len(marked) >= len(b_frames) // 3


def test_packets_with_start_codes_are_read_for_disposable_slices_too(tmp_path):
    write_moving(tmp_path / "moving.mp4", "none")
    with open_media(tmp_path / "moving.mp4") as source:
        config = source.codec_config()
        source.wait_for_index()
        packets = source.group(0).packets
    size = (config["description"][4] & 3) + 1

    def annexb(data):
        """The packet's NAL units with start codes instead of length prefixes (as MPEG-TS and raw .h264 carry them)."""
        out, at = b"", 0
        while at < len(data):
            length = int.from_bytes(data[at : at + size], "big")
            out += b"\x00\x00\x00\x01" + data[at + size : at + size + length]
            at += size + length
        return out

    in_band = {**config, "annexb": True, "description": None}
    flags = [disposable(p.data, config) for p in packets]
    assert any(flags) and not flags[0]
    assert [disposable(annexb(p.data), in_band) for p in packets] == flags
    # Other codecs, and packets with nothing to read, are never disposable.
    assert not disposable(packets[2].data, {**config, "codec_name": "hevc"})
    assert not disposable(b"", config) and not disposable(b"\x00\x00\x01", in_band)
    assert not disposable(b"\x00\x00\x00\x00\x01", config)
