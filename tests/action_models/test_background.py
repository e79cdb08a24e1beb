"""BackgroundRemovalAction: the alpha is the isnetis mask after imgutils' post-processing, cached per image."""

import numpy as np
from PIL import Image

from tests.fakehub import record_feeds
from tests.fakehub_extra import put_isnetis
from waifuc_ui.action import BackgroundRemovalAction


def _image(seed, size=(96, 64)):
    rng = np.random.default_rng(seed)
    arr = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
    return Image.fromarray(arr)


def test_alpha_equals_the_models_mask(fake_hub, run, monkeypatch):
    put_isnetis(fake_hub)
    from waifuc_ui.inference import get_isnetis_mask
    images = [_image(1), _image(2, (50, 120))]
    masks = [get_isnetis_mask(im) for im in images]
    out, report, _ = run([(im, {"filename": f"i{k}.png", "x": k}) for k, im in enumerate(images)],
                         BackgroundRemovalAction())
    assert [it.meta["filename"] for it in out] == ["i0.png", "i1.png"] and out[1].meta["x"] == 1
    for item, image, mask in zip(out, images, masks):
        assert item.image.mode == "RGBA" and item.image.size == image.size
        layer_alpha = np.floor(np.float32(255) * mask).astype(np.int64)
        got = np.asarray(item.image).astype(np.int64)
        assert np.array_equal(got[..., 3], (layer_alpha * layer_alpha + 127) // 255)
        rgb = np.asarray(image).astype(np.int64)
        assert np.array_equal(got[..., :3], (rgb * layer_alpha[..., None] + 127) // 255)
    feeds = record_feeds(monkeypatch)
    again, _, _ = run([(im, {"filename": f"i{k}.png"}) for k, im in enumerate(images)], BackgroundRemovalAction())
    assert feeds == []  # the masks come from the analysis cache
    assert [np.array_equal(np.asarray(a.image), np.asarray(b.image)) for a, b in zip(again, out)] == [True, True]


def test_per_item_and_in_the_catalog():
    from waifuc_ui.pipeline.catalog import action_catalog
    assert BackgroundRemovalAction.per_item is True
    spec = action_catalog()["BackgroundRemovalAction"]
    assert spec.model_backed and spec.category == "process" and not spec.stateful
