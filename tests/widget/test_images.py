import io

import numpy as np
import pytest
from PIL import Image

from labelspace.model.errors import InnotaterError
from labelspace.widget import _images
from tests.widget.conftest import image_bytes, require


def decode(encoded):
    return np.asarray(Image.open(io.BytesIO(encoded.data)).convert("RGBA"))


@pytest.mark.parametrize(
    ("fmt", "mime"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/gif")]
)
def test_browser_formats_pass_through_untouched(fmt, mime):
    data = image_bytes(np.full((10, 20, 3), 128, np.uint8), fmt)
    encoded = _images.from_bytes(data, "test")
    assert encoded.data is data and encoded.mime == mime
    assert (encoded.width, encoded.height) == (20, 10)


def test_other_formats_are_reencoded_as_png():
    data = image_bytes(np.full((10, 20, 3), 77, np.uint8), "BMP")
    encoded = _images.from_bytes(data, "test")
    assert encoded.mime == "image/jpeg" and (encoded.width, encoded.height) == (20, 10)
    assert abs(int(decode(encoded)[5, 5, 0]) - 77) <= 2


def test_unreadable_bytes_say_so():
    with pytest.raises(InnotaterError, match="entry 3 is not an image Pillow can read"):
        _images.from_bytes(b"hello", "entry 3")


@pytest.mark.parametrize(
    ("array", "colorspace", "expected_rgb"),
    [
        (np.full((6, 8, 3), (10, 20, 200), np.uint8), "BGR", (200, 20, 10)),
        (np.full((6, 8, 3), (10, 20, 200), np.uint8), "RGB", (10, 20, 200)),
        (np.full((3, 6, 8), 0.5, np.float32), "RGB", (128, 128, 128)),  # channel-first floats
        (np.full((6, 8), 255, np.int64), "BGR", (255, 255, 255)),  # greyscale ints
        (np.full((6, 8, 1), 30, np.uint8), "BGR", (30, 30, 30)),
        (np.full((6, 8), 65535, np.uint16), "BGR", (255, 255, 255)),
        (np.ones((6, 8), bool), "BGR", (255, 255, 255)),
        (np.full((6, 8), 2.0), "BGR", (255, 255, 255)),  # floats beyond 1 are clipped
    ],
)
def test_arrays_are_normalised(array, colorspace, expected_rgb):
    encoded = _images.from_array(array, colorspace)
    assert (encoded.width, encoded.height) == (8, 6)
    assert encoded.mime == "image/jpeg"
    pixel = decode(encoded)[3, 4, :3].astype(int)
    assert np.abs(pixel - expected_rgb).max() <= 3


def test_alpha_is_kept_in_png():
    array = np.zeros((4, 4, 4), np.uint8)
    array[..., 0] = 255  # B in BGRA
    array[..., 3] = 100
    encoded = _images.from_array(array, "BGR")
    assert encoded.mime == "image/png"
    assert decode(encoded)[0, 0].tolist() == [0, 0, 255, 100]


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4, 5), (5, 4, 2), (0, 4)])
def test_bad_array_shapes(shape):
    with pytest.raises(InnotaterError, match="HxW, HxWx1, HxWx3 or HxWx4"):
        _images.from_array(np.zeros(shape, np.uint8), "BGR")


def test_torch_tensors():
    torch = require("torch")
    tensor = torch.full((3, 6, 8), 0.25)  # channel-first RGB floats, as torchvision gives
    encoded = _images.from_array(tensor, "RGB")
    assert (encoded.width, encoded.height) == (8, 6)
    assert np.abs(decode(encoded)[0, 0, :3].astype(int) - 64).max() <= 2
    if torch.cuda.is_available():  # pragma: no cover - no GPU here
        assert _images.from_array(tensor.cuda(), "RGB").width == 8
