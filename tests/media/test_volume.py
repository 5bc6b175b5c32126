"""Volumes cut along all three axes, their spacing, windows and value range (media/_volume.py, media/medical.py).

The volume every test compares with is built from ``raw``: ``V[i] == raw(i)``, so ``V`` is indexed
``[frame, row, column]``. ``slice(1, r)`` must be ``V[:, r, :]`` and ``slice(2, c)`` ``V[:, :, c]``.
"""

import numpy as np
import pytest

from labelspace.media import _volume, medical, open_media
from labelspace.media.medical import DicomSource, NiftiSource, apply_window
from labelspace.model.errors import MediaError

pydicom = pytest.importorskip("pydicom")
nibabel = pytest.importorskip("nibabel")

FRAMES, ROWS, COLUMNS = 7, 12, 10


def ct_stored(frames=FRAMES, rows=ROWS, columns=COLUMNS, seed=0):
    """Stored int16 values of a CT: HU + 1024, air to dense bone, every voxel different enough to tell apart."""
    rng = np.random.default_rng(seed)
    return rng.integers(-100, 3100, (frames, rows, columns)).astype(np.int16)


def dicom_file(stored, *, intercept=-1024.0, slope=1.0, modality="CT", window=None, **attributes):
    """A DICOM dataset (multi-frame when ``stored`` has several frames) holding ``stored`` as its pixels."""
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
    ds.Modality = modality
    frames, rows, columns = stored.shape
    ds.Rows, ds.Columns = rows, columns
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    signed = stored.dtype.kind == "i"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, int(signed)
    if slope is not None:
        ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    if window is not None:
        ds.WindowCenter, ds.WindowWidth = window
    if frames > 1:
        ds.NumberOfFrames = frames
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    ds.PixelData = stored.astype("<i2" if signed else "<u2").tobytes()
    return ds


def write_series(folder, stored, *, z0=-40.0, step=3.0, shuffle=True, rescales=None, **attributes):
    """One file per frame, positions ``z0 + step * i`` along z, written in a shuffled order."""
    folder.mkdir()
    order = np.random.default_rng(1).permutation(len(stored)) if shuffle else range(len(stored))
    for n, i in enumerate(order):
        slope, intercept = rescales[i] if rescales else (1.0, -1024.0)
        ds = dicom_file(stored[i : i + 1], slope=slope, intercept=intercept, **attributes)
        ds.ImagePositionPatient = [0.0, 0.0, z0 + step * i]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.InstanceNumber = n + 1  # numbered against the geometry on purpose
        ds.save_as(folder / f"slice{n:03d}.dcm", enforce_file_format=True)
    return folder


def volume_of(source):
    """The volume as the frames give it: ``V[i] == raw(i)``."""
    return np.stack([source.raw(i) for i in range(source.number_of_frames)])


def assert_cuts(source, expected):
    """Every slice along every axis equals the volume's, in value and dtype."""
    assert source.shape == expected.shape
    for i in range(source.number_of_frames):
        cut = source.slice(0, i)
        assert cut.dtype == expected.dtype and (cut == expected[i]).all()
    for r in range(source.height):
        cut = source.slice(1, r)
        assert cut.shape == (source.number_of_frames, source.width) and cut.dtype == expected.dtype
        assert (cut == expected[:, r, :]).all(), r
    for c in range(source.width):
        cut = source.slice(2, c)
        assert cut.shape == (source.number_of_frames, source.height) and cut.dtype == expected.dtype
        assert (cut == expected[:, :, c]).all(), c


@pytest.fixture
def ct_multiframe(tmp_path):
    stored = ct_stored()
    ds = dicom_file(stored, window=(40, 400), PixelSpacing=[0.7, 0.8], SpacingBetweenSlices=2.5)
    ds.save_as(tmp_path / "ct.dcm", enforce_file_format=True)
    return tmp_path / "ct.dcm", stored.astype(np.int32) - 1024


def test_a_multiframe_ct_is_cut_along_every_axis(ct_multiframe):
    path, hu = ct_multiframe
    with open_media(path) as source:
        assert isinstance(source, DicomSource)
        assert source.shape == (FRAMES, ROWS, COLUMNS)
        assert source.raw(3).dtype == np.int32  # integer HU, not float64
        assert (volume_of(source) == hu).all()
        assert_cuts(source, hu)
        # The convention spelt out: a reformat's row k is frame k.
        assert source.slice(1, 5)[2, 7] == hu[2, 5, 7] and source.slice(2, 7)[2, 5] == hu[2, 5, 7]
        assert source.spacing == (0.7, 0.8, 2.5)
        assert source.aspect(0) == pytest.approx(0.7 / 0.8)
        assert source.aspect(1) == pytest.approx(2.5 / 0.8)
        assert source.aspect(2) == pytest.approx(2.5 / 0.7)
        assert source.value_range == (float(hu.min()), float(hu.max()))
        assert source.dicom_modality == "CT"


def test_the_cuts_after_close_read_the_file_again(ct_multiframe):
    path, hu = ct_multiframe
    source = open_media(path)
    first = source.slice(2, 3)
    source.close()
    assert source._stack is None
    assert (source.slice(2, 3) == first).all() and (source.raw(6) == hu[6]).all()


def test_a_series_is_sorted_and_cut_with_each_slice_s_own_rescale(tmp_path):
    stored = ct_stored(frames=6)
    rescales = [(1.0, -1024.0)] * 6
    rescales[4] = (2.0, -2048.0)  # one slice stored at another scale: its HU are 2 * stored - 2048
    folder = write_series(tmp_path / "series", stored, rescales=rescales, PixelSpacing=[0.5, 0.6], SliceThickness=5)
    expected = np.stack([stored[i].astype(np.int32) * s + int(b) for i, (s, b) in enumerate(rescales)]).astype(np.int32)
    with open_media(folder) as source:
        assert source.number_of_frames == 6
        assert source._stack is None  # headers only, until a reformat asks for the volume
        assert (source.raw(4) == expected[4]).all() and source.raw(4).dtype == np.int32
        assert source._stack is None
        assert_cuts(source, expected)
        assert source._stack is not None and source._stack.dtype == np.int16  # kept in the stored dtype
        assert source.spacing == (0.5, 0.6, 3.0)  # positions win over SliceThickness
        assert source.value_range == (float(expected.min()), float(expected.max()))


def test_a_series_too_large_to_keep_is_cut_slice_by_slice(tmp_path, monkeypatch):
    stored = ct_stored(frames=4)
    folder = write_series(tmp_path / "series", stored)
    monkeypatch.setattr(medical, "CACHE_BYTES", 0)
    with open_media(folder) as source:
        assert_cuts(source, stored.astype(np.int32) - 1024)
        assert source._stack is None
        assert source.value_range == (float(stored.min()) - 1024, float(stored.max()) - 1024)


def test_a_series_slice_gone_since_opening_is_named(tmp_path):
    folder = write_series(tmp_path / "series", ct_stored(frames=3), shuffle=False)
    with open_media(folder) as source:
        (folder / "slice001.dcm").unlink()
        assert source.raw(0).shape == (ROWS, COLUMNS)
        with pytest.raises(MediaError, match=r"slice001\.dcm: not a DICOM file pydicom can read"):
            source.raw(1)
        with pytest.raises(MediaError, match=r"slice001\.dcm: not a DICOM file pydicom can read"):
            source.slice(2, 0)


def test_a_series_with_a_slice_of_another_size_says_which(tmp_path):
    folder = write_series(tmp_path / "series", ct_stored(frames=3))
    odd = dicom_file(ct_stored(frames=1, rows=5))
    odd.ImagePositionPatient = [0.0, 0.0, 100.0]
    odd.save_as(folder / "odd.dcm", enforce_file_format=True)
    with open_media(folder) as source:
        assert source.raw(0).shape == (ROWS, COLUMNS)
        with pytest.raises(
            MediaError, match=r"odd\.dcm: slice 3 of .*series is 10x5, but the series' slices are 10x12"
        ):
            source.slice(1, 0)


def test_spacing_without_positions_falls_back_to_the_header(tmp_path):
    stored = ct_stored(frames=3)
    dicom_file(stored, SliceThickness=1.5).save_as(tmp_path / "thick.dcm", enforce_file_format=True)
    dicom_file(stored).save_as(tmp_path / "bare.dcm", enforce_file_format=True)
    with open_media(tmp_path / "thick.dcm") as source:
        assert source.spacing == (None, None, 1.5)
        assert source.aspect(0) == 1.0 and source.aspect(1) == 1.0
    with open_media(tmp_path / "bare.dcm") as source:
        assert source.spacing == (None, None, None)


def test_an_enhanced_multiframe_keeps_its_geometry_in_functional_groups(tmp_path):
    from pydicom.dataset import Dataset
    from pydicom.sequence import Sequence

    stored = ct_stored(frames=4)
    ds = dicom_file(stored, slope=None)
    measures = Dataset()
    measures.PixelSpacing, measures.SliceThickness = [0.4, 0.45], 9.0
    voi = Dataset()
    voi.WindowCenter, voi.WindowWidth = -600, 1500
    shared = Dataset()
    shared.PixelMeasuresSequence = Sequence([measures])
    shared.FrameVOILUTSequence = Sequence([voi])
    ds.SharedFunctionalGroupsSequence = Sequence([shared])
    frames = []
    for i in range(4):
        position, transform, item = Dataset(), Dataset(), Dataset()
        position.ImagePositionPatient = [0.0, 0.0, 10.0 - 1.25 * i]
        transform.RescaleSlope, transform.RescaleIntercept = 1, -1000 - i
        item.PlanePositionSequence = Sequence([position])
        item.PixelValueTransformationSequence = Sequence([transform])
        frames.append(item)
    ds.PerFrameFunctionalGroupsSequence = Sequence(frames)
    ds.save_as(tmp_path / "enhanced.dcm", enforce_file_format=True)
    expected = np.stack([stored[i].astype(np.int32) - 1000 - i for i in range(4)])
    with open_media(tmp_path / "enhanced.dcm") as source:
        assert source.spacing == (0.4, 0.45, 1.25)  # from the frames' positions, not SliceThickness
        assert source.default_window == (-600.0, 1500.0)
        assert_cuts(source, expected)


def test_a_nifti_volume_is_cut_along_every_axis_with_its_own_orientation(tmp_path):
    data = np.random.default_rng(2).integers(-1024, 3000, (10, 12, 7)).astype(np.int16)  # x, y, z
    image = nibabel.Nifti1Image(data, np.diag([0.9, 0.8, 2.5, 1.0]))
    image.header.set_xyzt_units("mm")
    nibabel.save(image, tmp_path / "ct.nii.gz")
    with open_media(tmp_path / "ct.nii.gz") as source:
        assert isinstance(source, NiftiSource)
        # frame z: columns run along x, rows along y with the last y on top
        expected = np.stack([np.flipud(data[:, :, z].T) for z in range(7)])
        assert source.shape == (7, 12, 10) == expected.shape
        assert_cuts(source, expected)
        assert source.slice(2, 3)[5, 0] == data[3, 11, 5]  # column x=3, row 0 is the last y, row k is z=k
        assert source.spacing == pytest.approx((0.8, 0.9, 2.5))
        assert source.aspect(1) == pytest.approx(2.5 / 0.9)
        assert source.value_range == (float(data.min()), float(data.max()))
        assert source._stack.dtype == np.int16
    with open_media(tmp_path / "ct.nii.gz", axis=0) as source:  # frames along x
        expected = np.stack([np.flipud(data[x, :, :].T) for x in range(10)])
        assert source.shape == (10, 7, 12)
        assert_cuts(source, expected)
        assert source.spacing == pytest.approx((2.5, 0.8, 0.9))


def test_a_nifti_with_scaling_keeps_integers_and_its_stored_dtype(tmp_path):
    data = np.random.default_rng(3).integers(0, 3000, (6, 5, 4)).astype(np.int16)
    image = nibabel.Nifti1Image(data, np.eye(4))
    image.header.set_slope_inter(1.0, -1024.0)
    nibabel.save(image, tmp_path / "scaled.nii.gz")
    with open_media(tmp_path / "scaled.nii.gz") as source:
        expected = np.stack([np.flipud(data[:, :, z].T) for z in range(4)]).astype(np.int32) - 1024
        assert_cuts(source, expected)
        assert source.raw(0).dtype == np.int32 and source._stack.dtype == np.int16


def test_non_integer_scaling_gives_float64(tmp_path):
    data = np.arange(4 * 3 * 2, dtype=np.int16).reshape(4, 3, 2)
    image = nibabel.Nifti1Image(data, np.eye(4))
    image.header.set_slope_inter(0.5, 0.25)
    nibabel.save(image, tmp_path / "pet.nii")
    with open_media(tmp_path / "pet.nii") as source:
        expected = np.stack([np.flipud(data[:, :, z].T) for z in range(2)]) * 0.5 + 0.25
        assert source.raw(1).dtype == np.float64
        assert_cuts(source, expected)


def test_a_4d_nifti_is_cut_in_its_first_volume(tmp_path):
    data = np.random.default_rng(4).random((5, 4, 3, 2)).astype(np.float32)
    nibabel.save(nibabel.Nifti1Image(data, np.eye(4)), tmp_path / "series.nii.gz")
    with open_media(tmp_path / "series.nii.gz") as source:
        assert_cuts(source, np.stack([np.flipud(data[:, :, z, 0].T) for z in range(3)]))
        held = source._stack
        while held.base is not None:
            held = held.base
        assert held.size == 5 * 4 * 3  # the other volume is not kept


@pytest.mark.parametrize(
    ("modality", "window", "names"),
    [
        (
            "CT",
            (40, 400),
            ["file", "auto", "brain", "subdural", "stroke", "lung", "mediastinum", "abdomen", "liver", "bone"],
        ),
        ("CT", None, ["auto", "brain", "subdural", "stroke", "lung", "mediastinum", "abdomen", "liver", "bone"]),
        ("MR", None, ["auto"]),
        ("MR", ([100, 300], [200, 600]), ["file", "file 2", "auto"]),
        ("", None, ["auto"]),
    ],
)
def test_presets_fit_the_modality(tmp_path, modality, window, names):
    dicom_file(ct_stored(), modality=modality, window=window).save_as(tmp_path / "v.dcm", enforce_file_format=True)
    with open_media(tmp_path / "v.dcm") as source:
        presets = source.presets()
        assert list(presets) == names
        if modality == "CT":
            assert presets["brain"] == (40, 80) and presets["lung"] == (-600, 1500)
            assert presets["bone"] == (400, 1800) and presets["abdomen"] == (50, 400)
        if window is None:
            assert source.default_window == presets["auto"] == source.window
        else:
            assert source.default_window == presets["file"] == source.window
        if "file 2" in presets:
            assert presets["file 2"] == (300.0, 600.0)


def test_the_data_window_spans_the_robust_range(tmp_path):
    hu = ct_stored().astype(np.int32) - 1024
    hu[0, 0, 0], hu[1, 0, 0] = -30000, 30000  # outliers that a min/max window would be stretched by
    dicom_file((hu + 1024).astype(np.int16), modality="MR").save_as(tmp_path / "v.dcm", enforce_file_format=True)
    low, high = np.percentile(hu, [0.5, 99.5])
    with open_media(tmp_path / "v.dcm") as source:
        assert source.default_window == pytest.approx(((low + high) / 2, high - low))
        assert source.value_range == (-30000.0, 30000.0)
        assert (source.frame(2) == apply_window(hu[2], source.default_window)).all()


def test_the_data_window_samples_long_volumes(tmp_path):
    data = np.zeros((4, 4, 100), np.float32)
    data[:, :, ::2] = 1.0  # even frames 1, odd frames 0: the window needs frames of both kinds
    nibabel.save(nibabel.Nifti1Image(data, np.eye(4)), tmp_path / "v.nii")
    with open_media(tmp_path / "v.nii") as source:
        assert source.default_window == (0.5, 1.0)


def test_nifti_windows_come_from_cal_min_and_cal_max(tmp_path):
    data = np.random.default_rng(5).random((6, 5, 4)).astype(np.float32) * 100
    image = nibabel.Nifti1Image(data, np.eye(4))
    image.header["cal_min"], image.header["cal_max"] = 10.0, 30.0
    nibabel.save(image, tmp_path / "cal.nii.gz")
    nibabel.save(nibabel.Nifti1Image(data, np.eye(4)), tmp_path / "plain.nii.gz")
    with open_media(tmp_path / "cal.nii.gz") as source:
        assert source.default_window == (20.0, 20.0)
        assert list(source.presets()) == ["file", "auto"]
    with open_media(tmp_path / "plain.nii.gz") as source:
        low, high = np.percentile(data, [0.5, 99.5])
        assert source.default_window == pytest.approx(((low + high) / 2, high - low))
        assert list(source.presets()) == ["auto"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([[np.nan, 1.0]], [[0, 0]]),
        ([[1.0, 1.0]], [[0, 0]]),
        ([[np.inf, 0.0, 2.0]], [[255, 0, 255]]),
    ],
)
def test_a_window_of_the_values_own_range(values, expected):
    assert (apply_window(np.array(values), None) == np.array(expected)).all()


def test_constant_volumes_get_a_usable_window(tmp_path):
    nibabel.save(nibabel.Nifti1Image(np.full((3, 3, 3), 7, np.int16), np.eye(4)), tmp_path / "flat.nii")
    with open_media(tmp_path / "flat.nii") as source:
        assert source.default_window == (7.0, 1.0)
        assert (source.frame(0) == 128).all()
        assert source.value_range == (7.0, 7.0)


def test_the_window_can_be_set_and_reset(ct_multiframe):
    path, hu = ct_multiframe
    with open_media(path, window=(0, 100)) as source:
        assert source.window == (0.0, 100.0) and source.default_window == (40.0, 400.0)
        source.window = (500, 1000)
        assert source.window == (500.0, 1000.0)
        assert (source.frame(1) == apply_window(hu[1], (500, 1000))).all()
        source.window = None
        assert source.window == (40.0, 400.0)
        for bad, message in [
            ((1, 0), "width must be positive"),
            ("wide", r"must be \(center, width\)"),
            ((0, np.inf), "finite"),
        ]:
            with pytest.raises(MediaError, match=f"ct.dcm: .*{message}"):
                source.window = bad
        assert source.window == (40.0, 400.0)  # a failed set changes nothing


@pytest.mark.parametrize(
    ("axis", "index", "message"),
    [
        (0, 7, r"frame 7 is outside 0\.\.6"),
        (0, -1, r"frame -1 is outside 0\.\.6"),
        (1, 12, r"row 12 is outside 0\.\.11"),
        (2, 10, r"column 10 is outside 0\.\.9"),
        (2, -1, r"column -1 is outside 0\.\.9"),
        (1, 1.5, "a row index must be an int, got float"),
        (2, True, "a column index must be an int, got bool"),
        (3, 0, r"axis must be 0 \(frames\), 1 \(rows\) or 2 \(columns\), got 3"),
        (-1, 0, "axis must be .* got -1"),
        ("1", 0, "axis must be .* got '1'"),
        (True, 0, "axis must be .* got True"),
    ],
)
def test_cuts_outside_the_volume_name_the_file_and_the_range(ct_multiframe, axis, index, message):
    path, _ = ct_multiframe
    with open_media(path) as source:
        with pytest.raises(MediaError, match=f"ct\\.dcm: {message}"):
            source.slice(axis, index)
        if isinstance(axis, int) and axis not in (0, 1, 2):
            with pytest.raises(MediaError, match="ct\\.dcm: axis must be"):
                source.aspect(axis)


def test_rescale_picks_the_narrowest_exact_dtype():
    rescale = _volume.Rescale([1.0, 1.0], [-1024.0, 0.0])
    assert rescale.dtype(np.dtype(np.int16)) == np.int32
    assert rescale.dtype(np.dtype(np.uint32)) == np.int64
    assert _volume.Rescale([1.0], [0.0]).dtype(np.dtype(">u2")) == np.dtype(">u2")
    assert _volume.Rescale([1.0], [0.0]).apply(np.array([1, 2], ">u2"), 0).dtype == np.dtype("=u2")
    assert _volume.Rescale([0.5], [0.0]).dtype(np.dtype(np.int16)) == np.float64
    assert _volume.Rescale([1.0], [0.5]).dtype(np.dtype(np.int16)) == np.float64
    assert _volume.Rescale([2.0], [1.0]).dtype(np.dtype(np.float32)) == np.float64
