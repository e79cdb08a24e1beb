"""CDC upscaling (imgutils 0.19.0 upscale_with_cdc) on a fake whose output repeats the input s x s times."""

import numpy as np
from PIL import Image

from tests.fakehub_extra import put_cdc


def _image(w, h, mode='RGB', seed=0):
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (h, w, len(mode)), dtype=np.uint8), mode)


def _uint8(x):
    return (np.clip(x, 0.0, 1.0) * 255.0).astype(np.uint8)


def test_scale_is_read_from_the_model(fake_hub):
    put_cdc(fake_hub, scale=3)
    from waifuc_ui.inference.upscale import cdc_scale
    assert cdc_scale() == 3


def test_output_is_reshaped_as_is_and_sized_by_the_scale(fake_hub):
    put_cdc(fake_hub, scale=2)
    from waifuc_ui.inference import upscale_with_cdc
    image = _image(32, 32)
    out = upscale_with_cdc(image)
    assert out.size == (64, 64) and out.mode == 'RGB'
    x = np.asarray(image).astype(np.float32) / 255.0
    assert np.array_equal(np.asarray(out), _uint8(np.tile(x, (2, 2, 1))))


def test_sides_are_reflect_padded_to_16_and_cropped_back(fake_hub):
    put_cdc(fake_hub, scale=2)
    from waifuc_ui.inference import upscale_with_cdc
    image = _image(20, 20, seed=1)
    out = upscale_with_cdc(image)
    assert out.size == (40, 40)
    x = (np.asarray(image).astype(np.float32) / 255.0).transpose(2, 0, 1)
    padded = np.pad(x, ((0, 0), (0, 12), (0, 12)), mode='reflect')
    expected = np.tile(padded, (1, 2, 2))[:, :40, :40].transpose(1, 2, 0)
    assert np.array_equal(np.asarray(out), _uint8(expected))


def test_alpha_is_upscaled_too(fake_hub):
    put_cdc(fake_hub, scale=2)
    from waifuc_ui.inference import upscale_with_cdc
    image = _image(16, 16, mode='RGBA', seed=2)
    out = upscale_with_cdc(image)
    assert out.mode == 'RGBA' and out.size == (32, 32)
    a = np.asarray(image)[..., 3].astype(np.float32) / 255.0
    grey = np.clip(np.stack([np.tile(a, (2, 2))] * 3), 0.0, 1.0).mean(axis=0)  # as a grey image: mean of 3 outputs
    assert np.array_equal(np.asarray(out)[..., 3], _uint8(grey))


def test_tiles_cover_the_image_and_batch_gives_the_same(fake_hub):
    put_cdc(fake_hub, scale=2)
    from waifuc_ui.inference import upscale_with_cdc, upscale_with_cdc_batch
    from waifuc_ui.inference.upscale import tile_origins
    assert tile_origins(40, 100, 512, 64) == (40, [0], [0, 40, 60])  # side <= overlap: tiles do not overlap
    assert tile_origins(600, 1000, 512, 64) == (512, [0, 88], [0, 448, 488])
    images = [_image(32, 32, seed=3), _image(48, 20, seed=4)]
    batch = upscale_with_cdc_batch(images, tile_size=16, tile_overlap=8, batch_size=4)
    single = [upscale_with_cdc(im, tile_size=16, tile_overlap=8) for im in images]
    assert [np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(batch, single)] == [True, True]
    assert batch[1].size == (96, 40)
