"""isnetis segmentation (imgutils 0.19.0 get_isnetis_mask / segment_rgba_with_isnetis) on a fake whose mask is
the input's red channel."""

import numpy as np
import pytest
from PIL import Image

from tests.fakehub import record_feeds
from tests.fakehub_extra import put_isnetis
from waifuc_ui.inference.cv_ops import resize_linear


def _red_image(w, h, seed=0):
    rng = np.random.default_rng(seed)
    arr = np.zeros((h, w, 3), np.uint8)
    arr[..., 0] = rng.integers(0, 256, (h, w))
    arr[..., 1] = 40
    return Image.fromarray(arr)


def test_resize_linear_follows_opencv_inter_linear():
    assert resize_linear(np.array([[0, 1]], np.float32), (4, 1)).tolist() == [[0.0, 0.25, 0.75, 1.0]]
    down = resize_linear(np.arange(16, dtype=np.float32).reshape(4, 4), (2, 2))
    assert down.tolist() == [[2.5, 4.5], [10.5, 12.5]]
    same = np.random.default_rng(1).random((5, 7, 3)).astype(np.float32)
    assert np.array_equal(resize_linear(same, (7, 5)), same)


def test_input_is_letterboxed_on_a_zero_square_canvas():
    from waifuc_ui.inference.segment import isnetis_input
    image = _red_image(1024, 512)
    x = isnetis_input(image)
    assert x.shape == (3, 1024, 1024) and x.dtype == np.float32
    assert not x[:, :256].any() and not x[:, 768:].any()  # (1024 - 512) // 2 rows of padding above and below
    expected = np.asarray(image).astype(np.float32).transpose(2, 0, 1) / np.float32(255)
    assert np.array_equal(x[:, 256:768], expected)


def test_mask_is_the_models_output_cropped_and_resized_back(fake_hub):
    put_isnetis(fake_hub)
    from waifuc_ui.inference import get_isnetis_mask
    image = _red_image(1024, 512)
    mask = get_isnetis_mask(image)
    assert mask.shape == (512, 1024)
    assert np.array_equal(mask, np.asarray(image)[..., 0].astype(np.float32) / np.float32(255))
    solid = Image.new('RGB', (300, 170), (200, 10, 10))  # resized both ways: a constant stays constant
    assert np.allclose(get_isnetis_mask(solid), 200 / 255, atol=1e-6)


def test_rgba_alpha_is_imgutils_istack_of_the_mask(fake_hub):
    put_isnetis(fake_hub)
    from waifuc_ui.inference import segment_rgba_with_isnetis
    image = _red_image(1024, 512, seed=3)
    mask, rgba = segment_rgba_with_isnetis(image)
    assert rgba.mode == 'RGBA' and rgba.size == image.size
    layer_alpha = np.floor(np.float32(255) * mask).astype(np.int64)  # uint8(clip(255 * mask)), truncated
    out = np.asarray(rgba).astype(np.int64)
    # pasted with itself as mask onto transparent black: every band becomes round(v * a / 255)
    assert np.array_equal(out[..., 3], (layer_alpha * layer_alpha + 127) // 255)
    assert np.array_equal(out[..., 1], (40 * layer_alpha + 127) // 255)


def test_batch_is_one_call_and_equals_single_images(fake_hub, monkeypatch):
    put_isnetis(fake_hub)
    from waifuc_ui.inference import get_isnetis_mask, get_isnetis_mask_batch
    images = [_red_image(64, 48, 1), _red_image(30, 90, 2), _red_image(50, 50, 3)]
    singles = [get_isnetis_mask(im) for im in images]
    feeds = record_feeds(monkeypatch)
    batch = get_isnetis_mask_batch(images, batch_size=4)
    assert len(feeds) == 1 and feeds[0][1]['img'].shape == (3, 3, 1024, 1024)
    for a, b in zip(batch, singles):
        assert np.array_equal(a, b)


def test_missing_model_says_which_file(fake_hub):
    from waifuc_ui.core.errors import ModelUnavailableError
    from waifuc_ui.inference import get_isnetis_mask
    with pytest.raises(ModelUnavailableError, match='isnetis.onnx'):
        get_isnetis_mask(_red_image(8, 8))
