import numpy as np
from PIL import Image

from waifuc_ui.core.imaging import load_image


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
