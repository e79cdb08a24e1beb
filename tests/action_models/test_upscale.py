"""UpscaleAction: only images whose shorter side is below min_size are upscaled, by the model's scale."""

import numpy as np
import pytest
from PIL import Image

from tests.fakehub import record_feeds
from tests.fakehub_extra import put_cdc
from waifuc_ui.action import UpscaleAction


def _image(w, h, seed=0):
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8))


def test_only_small_images_are_upscaled_by_the_contracts_scale(fake_hub, run, monkeypatch):
    put_cdc(fake_hub, scale=4)
    small, wide, big = _image(20, 24, 1), _image(100, 30, 2), _image(40, 40, 3)
    feeds = record_feeds(monkeypatch)
    out, _, _ = run([(small, {"filename": "s.png"}), (wide, {"filename": "w.png"}), (big, {"filename": "b.png"})],
                    UpscaleAction(min_size=32))
    assert [it.image.size for it in out] == [(80, 96), (400, 120), (40, 40)]
    assert out[2].image is big and "upscale" not in out[2].meta
    assert out[0].meta["upscale"] == {"model": "HGSR-MHR-anime-aug_X4_320", "from": [20, 24], "to": [80, 96]}
    fed = [f[1]["input"].shape for f in feeds]
    assert all(s[2] != 40 for s in fed)  # the big image never reached the model
    # tiles of side 20 at rows 0 and 4 (placed at 0 and 16 after x4); rows 0-15 come from the first tile alone,
    # whose output starts with the input itself (the fake repeats its input)
    x = np.asarray(small).astype(np.float32) / 255.0
    assert np.array_equal(np.asarray(out[0].image)[:16, :20], (x[:16] * 255.0).astype(np.uint8))


def test_cached_and_min_size_is_a_decision(fake_hub, run, monkeypatch):
    put_cdc(fake_hub, scale=2)
    items = [(_image(20, 20, 5), {"filename": "a.png"}), (_image(50, 50, 6), {"filename": "b.png"})]
    run(items, UpscaleAction(min_size=64))
    feeds = record_feeds(monkeypatch)
    out, _, _ = run(items, UpscaleAction(min_size=32))
    assert feeds == [] and [it.image.size for it in out] == [(40, 40), (50, 50)]


def test_bad_options_and_catalog():
    from waifuc_ui.core.errors import InvalidOptionError
    from waifuc_ui.pipeline.catalog import action_catalog
    with pytest.raises(InvalidOptionError, match="min_size"):
        UpscaleAction(min_size=0)
    spec = action_catalog()["UpscaleAction"]
    assert UpscaleAction.per_item is True and spec.model_backed
    assert {p.name: p.default for p in spec.params}["min_size"] == 512
