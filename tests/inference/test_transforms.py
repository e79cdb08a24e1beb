"""preprocess.json stage semantics (imgutils preprocess/pillow.py)."""

import numpy as np
import pytest
from PIL import Image

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.inference.transforms import build_pipeline, make_center_crop, make_pad_to_size, make_resize, to_tensor


def grad(w, h):
    return Image.fromarray((np.arange(w * h * 3).reshape(h, w, 3) % 251).astype(np.uint8))


def test_resize_int_matches_shorter_side_and_truncates():
    assert make_resize(25)(grad(30, 20)).size == (37, 25)  # int(25 * 30 / 20) = 37
    assert make_resize(25)(grad(20, 30)).size == (25, 37)
    assert make_resize(25, max_size=30)(grad(30, 20)).size == (30, 20)  # int(30 * 25 / 37) = 20
    assert make_resize([16, 24])(grad(30, 20)).size == (24, 16)  # [h, w]
    img = grad(30, 20)
    assert make_resize(20)(img) is img  # already that size


def test_resize_antialias_flag_controls_reducing_gap():
    img = grad(300, 200)
    on = np.asarray(make_resize(20, 'bicubic')(img))
    off = np.asarray(make_resize(20, 'bicubic', antialias=False)(img))
    np.testing.assert_array_equal(on, np.asarray(img.resize((30, 20), Image.BICUBIC, reducing_gap=None)))
    np.testing.assert_array_equal(off, np.asarray(img.resize((30, 20), Image.BICUBIC, reducing_gap=1.0)))


def test_center_crop_floor_offsets_and_black_padding():
    img = grad(7, 5)
    np.testing.assert_array_equal(np.asarray(make_center_crop(3)(img)), np.asarray(img)[1:4, 2:5])
    padded = np.asarray(make_center_crop([7, 9])(img))  # (h, w) larger: pad black, offsets floor((9-7)/2)=1
    assert padded.shape == (7, 9, 3) and (padded[0] == 0).all() and (padded[:, 0] == 0).all()
    np.testing.assert_array_equal(padded[1:6, 1:8], np.asarray(img))


def test_pad_to_size_letterboxes_on_white():
    out = make_pad_to_size(10)(Image.new('RGB', (20, 10), (255, 0, 0)))
    arr = np.asarray(out)
    assert out.size == (10, 10) and (arr[:2] == 255).all() and (arr[7:] == 255).all()
    assert (arr[2:7] == [255, 0, 0]).all()  # 10x5 pasted at floor((10 - 5) / 2) = 2


def test_full_pipeline_and_unknown_stage():
    pipe = build_pipeline([{'type': 'convert_rgb'}, {'type': 'resize', 'size': [4, 4]}, {'type': 'to_tensor'},
                           {'type': 'rescale', 'rescale_factor': 2.0}, {'type': 'normalize', 'mean': 1, 'std': 2}])
    out = pipe(Image.new('RGBA', (8, 8), (255, 255, 255, 0)))
    assert out.dtype == np.float32 and out.shape == (3, 4, 4) and np.allclose(out, 0.5)
    assert to_tensor(Image.new('L', (2, 2), 255)).shape == (1, 2, 2)
    with pytest.raises(InvalidOptionError, match="'resize'"):
        build_pipeline([{'type': 'random_flip'}])
