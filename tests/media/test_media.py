import sys

import numpy as np
import pytest
from PIL import Image

from labelspace import LabelRow, Ontology
from labelspace.media import ImageSource, media_kind, open_media
from labelspace.model.errors import MediaError, MissingExtraError


def write_video(path, frames=40, size=(64, 48), gop=10, fps=25):
    """An H.264 video whose frame i is a flat grey of level 6 * i."""
    av = pytest.importorskip("av")
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"g": str(gop), "crf": "0", "bf": "2"}
        for i in range(frames):
            array = np.full((size[1], size[0], 3), 6 * i, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def test_images(tmp_path):
    array = (np.arange(48 * 64 * 3) % 251).astype(np.uint8).reshape(48, 64, 3)
    Image.fromarray(array).save(tmp_path / "a.png")
    with open_media(tmp_path / "a.png") as source:
        assert isinstance(source, ImageSource)
        assert (source.kind, source.width, source.height, source.number_of_frames) == ("image", 64, 48, 1)
        assert (source.frame(0) == array).all()
        with pytest.raises(MediaError, match=r"frame 1 is outside 0\.\.0"):
            source.frame(1)


def test_video_random_access_is_exact(tmp_path):
    write_video(tmp_path / "v.mp4")
    with open_media(tmp_path / "v.mp4") as source:
        assert (source.kind, source.width, source.height, source.number_of_frames) == ("video", 64, 48, 40)
        assert source.fps == 25
        for index in [25, 3, 39, 0, 10, 11, 12, 13, 9, 30]:
            assert abs(float(source.frame(index).mean()) - 6 * index) < 3, index
        assert source.timestamp(25) == pytest.approx(1.0)
        with pytest.raises(MediaError, match=r"frame 40 is outside 0\.\.39"):
            source.frame(40)


def write_textured_video(path, frames=150, size=(96, 64), gop=250):
    """An H.264 video with B-frames and the encoder's default keyframe interval: every frame distinct."""
    av = pytest.importorskip("av")
    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=25)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.options = {"g": str(gop), "bf": "3", "crf": "18"}
        for i in range(frames):
            array = np.roll(base, 2 * i, axis=1)
            array[: 4 + i % 40, :8] = 255 - 6 * (i % 40)
            for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def pyav_frames(path):
    """Every frame as PyAV decodes the file from start to end, in presentation order."""
    av = pytest.importorskip("av")
    with av.open(str(path)) as container:
        decoded = [(f.pts, f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]
    return [array for _, array in sorted(decoded, key=lambda d: d[0])]


def test_video_frames_equal_pyav_forward_backward_random_and_at_the_end(tmp_path):
    """The last frames too: a decoder releases them only when drained, and reading on must find them."""
    write_textured_video(tmp_path / "b.mp4")
    truth = pyav_frames(tmp_path / "b.mp4")
    assert len(truth) == 150
    with open_media(tmp_path / "b.mp4") as source:
        assert source.number_of_frames == 150
        source.frame(146)
        assert (source.frame(147) == truth[147]).all()  # used to raise av.error.EOFError
        assert (source.frame(149) == truth[149]).all()
    orders = {
        "forward": list(range(150)),
        "backward": list(range(149, -1, -1)),
        "random": [int(i) for i in np.random.default_rng(1).permutation(150)],
        "ends": [149, 0, 148, 1, 147, 146, 149, 145],
    }
    for name, order in orders.items():
        with open_media(tmp_path / "b.mp4") as source:
            for index in order:
                assert (source.frame(index) == truth[index]).all(), (name, index)


def test_a_video_opened_again_takes_its_index_from_the_cache(tmp_path, monkeypatch):
    from labelspace.media import _index_cache, video

    monkeypatch.setenv("LABELSPACE_CACHE_DIR", str(tmp_path / "cache"))
    write_video(tmp_path / "v.mp4", frames=30)
    with open_media(tmp_path / "v.mp4") as first:
        expected = [first.timestamp(i) for i in range(30)], first.frame(17)
    assert len(list((tmp_path / "cache" / "video-index").glob("*.npz"))) == 1
    passes = []
    original = video.VideoSource._index
    monkeypatch.setattr(video.VideoSource, "_index", staticmethod(lambda c, s: passes.append(1) or original(c, s)))
    with open_media(tmp_path / "v.mp4") as again:
        assert [again.timestamp(i) for i in range(30)] == expected[0]
        assert (again.frame(17) == expected[1]).all()
    assert passes == []  # no demuxing pass over the file
    # A changed file is indexed afresh; a cache entry that cannot be read is ignored.
    write_video(tmp_path / "v.mp4", frames=20)
    with open_media(tmp_path / "v.mp4") as changed:
        assert changed.number_of_frames == 20
    assert passes == [1]
    for entry in (tmp_path / "cache" / "video-index").glob("*.npz"):
        entry.write_bytes(b"not an index")
    assert _index_cache.load(_index_cache.entry(tmp_path / "v.mp4")) is None
    with open_media(tmp_path / "v.mp4") as again:
        assert again.number_of_frames == 20
    assert passes == [1, 1]


def test_video_reads_on_after_closing(tmp_path):
    write_video(tmp_path / "v.mp4", frames=12)
    source = open_media(tmp_path / "v.mp4")
    first = source.frame(5)
    source.close()
    source._cache.clear()
    assert (source.frame(5) == first).all()


def dicom_dataset(frames, rows=16, columns=20, slope=2.0, intercept=-100.0, position=None):
    pydicom = pytest.importorskip("pydicom")
    from pydicom.dataset import FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = pydicom.Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    ds.WindowCenter, ds.WindowWidth = 0, 200
    if frames > 1:
        ds.NumberOfFrames = frames
    if position is not None:
        ds.ImagePositionPatient = [0, 0, position]
    stored = (np.arange(frames * rows * columns) % 200).astype(np.uint16).reshape(frames, rows, columns)
    ds.PixelData = stored.tobytes()
    return ds, stored


def test_dicom_multiframe_file(tmp_path):
    ds, stored = dicom_dataset(5)
    ds.save_as(tmp_path / "ct.dcm", enforce_file_format=True)
    with open_media(tmp_path / "ct.dcm") as source:
        assert (source.kind, source.modality, source.width, source.height, source.number_of_frames) == (
            "medical",
            "dicom",
            20,
            16,
            5,
        )
        assert np.allclose(source.raw(3), stored[3] * 2.0 - 100.0)
        assert source.window == (0.0, 200.0)
        shown = source.frame(3)
        assert shown.dtype == np.uint8 and shown.shape == (16, 20)
        assert shown[stored[3] * 2.0 - 100.0 <= -100].max() == 0
        assert shown[stored[3] * 2.0 - 100.0 >= 100].min() == 255
    with open_media(tmp_path / "ct.dcm", window=(50, 100)) as source:
        assert source.window == (50.0, 100.0)


def test_dicom_folder_is_sorted_by_position(tmp_path):
    folder = tmp_path / "series"
    folder.mkdir()
    for name, z in (("a.dcm", 30.0), ("b.dcm", 10.0), ("c.dcm", 20.0)):
        ds, _ = dicom_dataset(1, slope=1.0, intercept=z)  # the intercept tells the slices apart
        ds.ImagePositionPatient = [0, 0, z]
        ds.save_as(folder / name, enforce_file_format=True)
    (folder / "notes.txt").write_text("not dicom")
    assert media_kind(folder) == "dicom"
    with open_media(folder) as source:
        assert source.number_of_frames == 3
        assert [float(source.raw(i)[0, 0]) for i in range(3)] == [10.0, 20.0, 30.0]


def test_a_sagittal_series_is_sorted_along_its_normal(tmp_path):
    folder = tmp_path / "sagittal"
    folder.mkdir()
    # rows run along y, columns down z: the slices step along x, and z is the same for all
    for name, x in (("a.dcm", -5.0), ("b.dcm", 15.0), ("c.dcm", 5.0)):
        ds, _ = dicom_dataset(1, slope=1.0, intercept=x)
        ds.ImageOrientationPatient = [0, 1, 0, 0, 0, -1]
        ds.ImagePositionPatient = [x, 0, 50]
        ds.InstanceNumber = {"a.dcm": 1, "b.dcm": 2, "c.dcm": 3}[name]  # numbered against the geometry
        ds.save_as(folder / name, enforce_file_format=True)
    with open_media(folder) as source:  # the normal (row x column) points to -x: the slices go 15, 5, -5
        assert [float(source.raw(i)[0, 0]) for i in range(3)] == [15.0, 5.0, -5.0]


def test_nifti_volumes(tmp_path):
    nibabel = pytest.importorskip("nibabel")
    volume = np.arange(20 * 16 * 6, dtype=np.float32).reshape(20, 16, 6)
    nibabel.save(nibabel.Nifti1Image(volume, np.diag([0.5, 0.5, 2.0, 1.0])), tmp_path / "brain.nii.gz")
    with open_media(tmp_path / "brain.nii.gz") as source:
        assert (source.modality, source.width, source.height, source.number_of_frames) == ("nifti", 20, 16, 6)
        assert (source.raw(2) == np.flipud(volume[:, :, 2].T)).all()
        assert source.frame(0).dtype == np.uint8
        assert source.affine[2, 2] == 2.0
    with open_media(tmp_path / "brain.nii.gz", axis=0) as source:
        assert (source.width, source.height, source.number_of_frames) == (16, 6, 20)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.png", None, "no such file or folder"),
        ("notes.txt", b"hello", "cannot tell what this file holds"),
        ("broken.png", b"not a png", "not an image Pillow can read"),
        ("broken.mp4", b"not a video", "not a video PyAV can read"),
        ("broken.nii", b"not nifti", "not a NIfTI volume nibabel can read"),
    ],
)
def test_unreadable_media_name_the_file(tmp_path, name, content, message):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(MediaError, match=f"{name}.*{message}|{message}"):
        open_media(tmp_path / name)


def test_a_missing_extra_names_the_pip_command(tmp_path, monkeypatch):
    write_video(tmp_path / "v.mp4", frames=2)
    monkeypatch.setitem(sys.modules, "av", None)  # as if PyAV were not installed
    with pytest.raises(MissingExtraError, match=r"pip install 'labelspace\[video\]'"):
        open_media(tmp_path / "v.mp4")


def test_label_row_from_media(tmp_path):
    Image.fromarray(np.zeros((48, 64, 3), np.uint8)).save(tmp_path / "a.jpg")
    write_video(tmp_path / "v.mp4", frames=12)
    ds, _ = dicom_dataset(5)
    ds.save_as(tmp_path / "ct.dcm", enforce_file_format=True)
    row = LabelRow.from_media(
        Ontology(), {"photo": tmp_path / "a.jpg", "cam": tmp_path / "v.mp4", "ct": tmp_path / "ct.dcm"}
    )
    photo, cam, ct = row.list_spaces()
    assert (photo.kind, photo.width, photo.height) == ("image", 64, 48)
    assert (cam.kind, cam.number_of_frames, cam.width, cam.fps) == ("video", 12, 64, 25.0)
    assert (ct.kind, ct.modality, ct.number_of_frames, ct.width, ct.height) == ("medical", "dicom", 5, 20, 16)
    single = LabelRow.from_media(Ontology(), str(tmp_path / "v.mp4"))
    assert [s.space_id for s in single.list_spaces()] == ["v.mp4"]
    with pytest.raises(MediaError, match=r"nope\.mp4: no such file"):
        LabelRow.from_media(Ontology(), {"x": tmp_path / "nope.mp4"})
