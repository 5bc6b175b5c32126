"""Slices of volumes encoded for the browser (widget/_volume.py): exact round trips, the narrowest type, windows."""

import json
import zlib

import numpy as np
import pytest

from labelspace.media import open_media
from labelspace.media.medical import apply_window as media_apply_window
from labelspace.model.errors import MediaError
from labelspace.widget import _volume
from labelspace.widget._volume import decode_slice, describe_volume, encode_slice, encode_values

pytest.importorskip("pydicom")
nibabel = pytest.importorskip("nibabel")

from tests.media.test_volume import COLUMNS, FRAMES, ROWS, ct_stored, dicom_file  # noqa: E402

LITTLE = {"int16": "<i2", "uint16": "<u2", "float32": "<f4"}


def decode_by_hand(header, buffer):
    """What the browser does: inflate if asked, then view the bytes as the header's little-endian type."""
    data = zlib.decompress(buffer) if header["encoding"] == "zlib" else buffer
    return np.frombuffer(data, LITTLE[header["dtype"]]).reshape(header["height"], header["width"])


@pytest.fixture
def ct(tmp_path):
    stored = ct_stored()
    dicom_file(stored, window=(40, 400), PixelSpacing=[0.7, 0.8], SpacingBetweenSlices=2.5).save_as(
        tmp_path / "ct.dcm", enforce_file_format=True
    )
    with open_media(tmp_path / "ct.dcm") as source:
        yield source, stored.astype(np.int32) - 1024


def test_every_slice_of_a_ct_round_trips_exactly_as_int16(ct):
    source, hu = ct
    cuts = [(0, i, hu[i]) for i in range(FRAMES)]
    cuts += [(1, r, hu[:, r, :]) for r in range(ROWS)]
    cuts += [(2, c, hu[:, :, c]) for c in range(COLUMNS)]
    for axis, index, expected in cuts:
        header, buffer = encode_slice(source, axis, index)
        assert isinstance(buffer, bytes)
        assert header["dtype"] == "int16"
        assert (header["axis"], header["index"]) == (axis, index)
        assert (header["height"], header["width"]) == expected.shape
        assert (header["min"], header["max"]) == (int(expected.min()), int(expected.max()))
        decoded = decode_by_hand(header, buffer)
        assert (decoded == expected).all()
        assert (decode_slice(header, buffer) == expected).all()
        json.dumps(header)


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (np.array([[-1024, 3071]], np.int32), "int16"),
        (np.array([[-32768, 32767]], np.int64), "int16"),
        (np.array([[0.0, -1024.0, 2000.0]]), "int16"),  # float64 that holds integers
        (np.array([[0, 60000]], np.int32), "uint16"),
        (np.array([[0, 65535]], np.uint16), "uint16"),
        (np.array([[0.0, 40000.0]]), "uint16"),
        (np.array([[0, 255]], np.uint8), "int16"),
        (np.array([[True, False]]), "int16"),
        (np.array([[-1, 40000]], np.int32), "float32"),  # fits neither
        (np.array([[0, 70000]], np.int32), "float32"),
        (np.array([[0.5, 1.0]]), "float32"),
        (np.array([[0.25, -3.5]], np.float32), "float32"),
    ],
)
def test_values_travel_in_the_narrowest_exact_type(values, dtype):
    header, buffer = encode_values(values, axis=0, index=0, compress=False)
    assert header["dtype"] == dtype and header["encoding"] == "raw"
    assert len(buffer) == values.size * np.dtype(LITTLE[dtype]).itemsize
    assert (decode_by_hand(header, buffer) == values).all()
    assert header["min"] == values.min() and header["max"] == values.max()


def test_unsigned_data_goes_as_uint16(tmp_path):
    stored = np.random.default_rng(6).integers(0, 65536, (3, 8, 9)).astype(np.uint16)
    dicom_file(stored, slope=None, modality="MR").save_as(tmp_path / "mr.dcm", enforce_file_format=True)
    with open_media(tmp_path / "mr.dcm") as source:
        assert source.raw(0).dtype == np.uint16
        for axis, index, expected in [(0, 1, stored[1]), (1, 4, stored[:, 4, :]), (2, 8, stored[:, :, 8])]:
            header, buffer = encode_slice(source, axis, index)
            assert header["dtype"] == "uint16"
            assert (decode_by_hand(header, buffer) == expected).all()


def test_non_integer_data_falls_back_to_float32(tmp_path):
    data = np.random.default_rng(7).random((6, 5, 4)) * 10 - 3
    image = nibabel.Nifti1Image(data.astype(np.float32), np.eye(4))
    nibabel.save(image, tmp_path / "pet.nii.gz")
    with open_media(tmp_path / "pet.nii.gz") as source:
        header, buffer = encode_slice(source, 2, 3)
        expected = source.slice(2, 3)
        assert header["dtype"] == "float32"
        assert (decode_by_hand(header, buffer) == expected).all()
        assert header["min"] == float(expected.min()) and header["max"] == float(expected.max())


def test_nan_and_infinite_values_travel_as_float32_and_stay_out_of_the_range():
    values = np.array([[np.nan, 1.5, -2.0], [np.inf, 3.0, -np.inf]])
    header, buffer = encode_values(values, axis=1, index=2)
    decoded = decode_by_hand(header, buffer)
    assert header["dtype"] == "float32" and (header["min"], header["max"]) == (-2.0, 3.0)
    assert np.isnan(decoded[0, 0]) and (decoded[1] == values[1]).all()
    header, _ = encode_values(np.full((2, 2), np.nan), axis=0, index=0)
    assert (header["min"], header["max"]) == (None, None)
    json.dumps(header)


def test_zlib_is_used_where_it_pays():
    y, x = np.mgrid[:64, :64]
    smooth = np.where((x - 32) ** 2 + (y - 32) ** 2 < 900, 40, -1024).astype(np.int16)
    header, buffer = encode_values(smooth, axis=0, index=0)
    assert header["encoding"] == "zlib" and len(buffer) < smooth.nbytes / 4
    assert (decode_by_hand(header, buffer) == smooth).all()
    noise = np.random.default_rng(8).integers(-32768, 32768, (64, 64)).astype(np.int16)
    header, buffer = encode_values(noise, axis=0, index=0)
    assert header["encoding"] == "raw" and buffer == noise.astype("<i2").tobytes()
    header, buffer = encode_values(smooth, axis=0, index=0, compress=False)
    assert header["encoding"] == "raw" and len(buffer) == smooth.nbytes


def test_a_slice_too_large_for_one_message_is_refused(monkeypatch):
    values = np.random.default_rng(9).random((64, 64))
    monkeypatch.setattr(_volume, "MAX_BUFFER_BYTES", 1000)
    with pytest.raises(
        MediaError, match=r"Slice 5 along axis 2 \(64x64 float32\) takes 16384 bytes, more than the 1000"
    ):
        encode_values(values, axis=2, index=5, compress=False)


def test_a_slice_must_be_two_dimensional():
    with pytest.raises(MediaError, match=r"must be 2-d \(rows, columns\), got shape \(2, 2, 3\)"):
        encode_values(np.zeros((2, 2, 3), np.uint8), axis=0, index=0)


def test_cuts_outside_the_volume_say_so(ct):
    source, _ = ct
    with pytest.raises(MediaError, match=r"ct\.dcm: row 12 is outside 0\.\.11"):
        encode_slice(source, 1, 12)
    with pytest.raises(MediaError, match=r"ct\.dcm: axis must be 0 \(frames\), 1 \(rows\) or 2 \(columns\), got 3"):
        encode_slice(source, 3, 0)


@pytest.mark.parametrize(
    ("header", "buffer", "message"),
    [
        ({"dtype": "int8", "width": 1, "height": 1, "encoding": "raw"}, b"\0", "needs dtype in"),
        ({"dtype": "int16", "width": 1, "height": 1, "encoding": "gzip"}, b"\0\0", "encoding raw or zlib"),
        ({"dtype": "int16", "width": 2, "height": 2, "encoding": "raw"}, b"\0\0", "takes 8 bytes, got 2"),
    ],
)
def test_decoding_a_bad_header_says_what_is_wrong(header, buffer, message):
    with pytest.raises(MediaError, match=message):
        decode_slice(header, buffer)


def window_by_formula(values, center, width):
    """The docstring's formula, written out once more."""
    low = center - width / 2
    out = []
    for v in np.asarray(values, np.float64).ravel():
        t = (v - low) / width
        t = 0.0 if np.isnan(t) else min(max(t, 0.0), 1.0)
        out.append(int(np.floor(t * 255 + 0.5)))
    return np.array(out, np.uint8).reshape(np.shape(values))


@pytest.mark.parametrize(
    ("center", "width", "values", "pixels"),
    [
        (40, 80, [0, 40, 80, -1000, 1000], [0, 128, 255, 0, 255]),  # 40 is t = 0.5: 128.0, rounded up
        (0, 2, [-1, -0.5, 0.5, 1], [0, 64, 191, 255]),  # 63.75 -> 64, 191.25 -> 191
        (50, 400, [np.nan, np.inf, -np.inf], [0, 255, 0]),
        (127.5, 255, [0, 1, 254, 255, 256], [0, 1, 254, 255, 255]),  # low 0, width 255: values are pixels
    ],
)
def test_the_window_formula(center, width, values, pixels):
    assert list(media_apply_window(np.array([values]), (center, width))[0]) == pixels


def test_the_reference_window_matches_the_formula_and_the_media_frames(ct):
    source, _ = ct
    rng = np.random.default_rng(10)
    values = np.concatenate([rng.normal(0, 600, 2000), rng.integers(-1024, 3000, 2000)]).reshape(40, 100)
    for center, width in [(40, 80), (-600, 1500), (40.1, 80.3), (0.5, 1.0), (1e-3, 7e-3)]:
        assert (media_apply_window(values, (center, width)) == window_by_formula(values, center, width)).all()
    for i in range(FRAMES):
        header, buffer = encode_slice(source, 0, i)
        assert (source.frame(i) == media_apply_window(decode_slice(header, buffer), source.window)).all()


def test_describe_volume_is_json_ready(ct):
    source, hu = ct
    described = json.loads(json.dumps(describe_volume(source)))
    assert described["shape"] == [FRAMES, ROWS, COLUMNS]
    assert described["spacing"] == [0.7, 0.8, 2.5]
    assert described["aspect"] == pytest.approx([0.7 / 0.8, 2.5 / 0.8, 2.5 / 0.7])
    assert described["value_range"] == [hu.min(), hu.max()]
    assert described["window"] == [40, 400]
    assert described["presets"]["lung"] == [-600, 1500] and "auto" in described["presets"]
