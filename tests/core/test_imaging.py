import numpy as np
from PIL import Image

from waifuc_ui.core.imaging import load_image, to_8bit


def test_sixteen_bit_grey_is_scaled_not_clipped_to_white():
    arr = np.array([[0, 256 * 10, 65535], [32768, 1000, 65280]], dtype=np.uint16)
    im = Image.frombytes("I;16", (3, 2), arr.astype("<u2").tobytes())
    rgb = load_image(im)
    assert rgb.mode == "RGB"
    assert np.asarray(rgb)[..., 0].tolist() == [[0, 10, 255], [128, 3, 255]]


def test_alpha_is_composited_on_the_background_like_a_masked_paste():
    rng = np.random.RandomState(0)
    im = Image.fromarray(rng.randint(0, 256, (7, 9, 4), dtype=np.uint8), "RGBA")
    expected = Image.new("RGB", im.size, "white")
    expected.paste(im, mask=im)
    assert np.array_equal(np.asarray(load_image(im)), np.asarray(expected))


def test_16_bit_is_scaled_not_clipped():
    image = Image.fromarray(np.array([[0, 256, 40000, 65535]], dtype=np.uint16))
    assert image.mode == "I;16"
    assert list(np.asarray(to_8bit(image))[0]) == [0, 1, 156, 255]
    floats = Image.fromarray(np.array([[0.0, 0.5, 1.0]], dtype=np.float32))
    assert list(np.asarray(to_8bit(floats))[0]) == [0, 128, 255]


def test_16_bit_grey_keeps_the_high_byte_like_pillows_16_bit_rgb_decoder():
    """One rule (>> 8): a 16-bit grey image and the same values as 16-bit RGB come out alike."""
    values = np.array([[0, 1000, 32768, 40000, 65280, 65535]], dtype=np.uint16)
    rgb16 = Image.frombytes("RGB", (6, 1), np.repeat(values, 3).astype(">u2").tobytes(), "raw", "RGB;16B")
    grey = np.asarray(to_8bit(Image.fromarray(values)))
    assert grey.tolist() == [[0, 3, 128, 156, 255, 255]]
    assert grey.tolist() == np.asarray(rgb16)[..., 0].tolist()
    assert np.asarray(to_8bit(Image.fromarray(values.astype(np.int32), "I"))).tolist() == grey.tolist()
    assert np.asarray(to_8bit(Image.fromarray(np.array([[0, 200]], dtype=np.int32), "I"))).tolist() == [[0, 200]]
