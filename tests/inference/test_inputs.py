"""Input helpers: lookup-table encoders are bit-identical to the reference formulas; prefetching keeps order."""

import io

import numpy as np
import pytest
from PIL import Image

from waifuc_ui.inference import ccip, classify
from waifuc_ui.inference.inputs import RGB_ENCODE_LUT, encode_with_lut, prepared_batches, rgb_encode, to_pil


@pytest.fixture
def image():
    rng = np.random.default_rng(7)
    return Image.fromarray(rng.integers(0, 256, (37, 53, 3), dtype=np.uint8))


def chw(image):
    return np.asarray(image).transpose(2, 0, 1)


def test_luts_equal_the_formulas_bit_for_bit(image):
    np.testing.assert_array_equal(rgb_encode(image), chw(image).astype(np.float32) / 255)
    np.testing.assert_array_equal(encode_with_lut(image, classify._PM1_LUT), classify._pm1(chw(image)))
    np.testing.assert_array_equal(encode_with_lut(image, ccip._CLIP_LUT), ccip._clip_normalise(chw(image)))
    assert rgb_encode(image).dtype == np.float32 and RGB_ENCODE_LUT.shape == (3, 256)
    np.testing.assert_array_equal(rgb_encode(image.convert('L')), rgb_encode(image.convert('L').convert('RGB')))


def test_to_pil_accepts_paths_bytes_and_items(tmp_path, image):
    path = tmp_path / 'a.png'
    image.save(path)
    buf = io.BytesIO()
    image.save(buf, 'PNG')

    class Item:
        pass
    item = Item()
    item.image = image
    for source in (str(path), path, buf.getvalue(), item, image):
        np.testing.assert_array_equal(np.asarray(to_pil(source)), np.asarray(image))
    with pytest.raises(TypeError, match='int'):
        to_pil(3)


def test_prepared_batches_keep_order_and_raise_on_their_batch():
    got = [(chunk, out) for chunk, out in prepared_batches(range(7), 3, lambda x: x * 10)]
    assert got == [([0, 1, 2], [0, 10, 20]), ([3, 4, 5], [30, 40, 50]), ([6], [60])]
    assert list(prepared_batches([], 3, str)) == []

    def fail_on_4(x):
        if x == 4:
            raise ValueError('bad image 4')
        return x
    gen = prepared_batches(range(7), 3, fail_on_4)
    assert next(gen) == ([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match='bad image 4'):
        next(gen)
