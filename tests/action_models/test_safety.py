"""SafetyAction: images the safety check calls polluted (argmax, a tie included) are denoised, safe ones pass with
their original pixels; the adversarial denoise itself (numpy bilateral + guided filters)."""

import random

import numpy as np
import pytest
from PIL import Image

from tests.fakehub_extra import put_safe_check
from waifuc_ui.action import SafetyAction
from waifuc_ui.action.denoise import bilateral, guided, remove_adversarial_noise
from waifuc_ui.inference.loaders import clear_caches

QUICK = {"b_iters": 2, "g_iters": 1}


def _noisy(colour, seed=0, size=(40, 30)):
    rng = np.random.default_rng(seed)
    base = np.full((size[1], size[0], 3), colour, np.int16)
    return Image.fromarray(np.clip(base + rng.integers(-3, 4, base.shape), 0, 255).astype(np.uint8))


def test_polluted_is_denoised_safe_passes_unchanged(fake_hub, run):
    put_safe_check(fake_hub, polluted=(0.9, 0.0, 0.0, 0.05), safe=(0.0, 0.0, 0.0, 0.5))
    red, blue = _noisy((200, 30, 30)), _noisy((30, 30, 200), seed=1)
    out, _, _ = run([(red, {"filename": "r.png"}), (blue, {"filename": "b.png"})],
                    SafetyAction(cfg_adversarial=QUICK))
    assert [it.meta["filename"] for it in out] == ["r.png", "b.png"]
    assert not np.array_equal(np.asarray(out[0].image), np.asarray(red))
    assert np.asarray(out[0].image).std(axis=(0, 1)).max() < np.asarray(red).std(axis=(0, 1)).max()
    assert np.array_equal(np.asarray(out[1].image), np.asarray(blue)) and out[1].image.mode == "RGB"


def test_at_the_tie_the_image_counts_as_polluted(fake_hub, run):
    put_safe_check(fake_hub, polluted=(0.0, 0.0, 0.0, 0.5), safe=(0.0, 0.0, 0.0, 0.5))
    image = _noisy((90, 90, 90))
    out, _, _ = run([(image, {})], SafetyAction(cfg_adversarial=QUICK))
    assert not np.array_equal(np.asarray(out[0].image), np.asarray(image))
    put_safe_check(fake_hub, polluted=(0.0, 0.0, 0.0, 0.5), safe=(0.0, 0.0, 0.0, 0.5001))
    clear_caches()  # files found once are remembered per process: forget the first model
    out, _, _ = run([(image, {})], SafetyAction(cfg_adversarial=QUICK))
    assert np.array_equal(np.asarray(out[0].image), np.asarray(image))


def test_options_are_checked_and_named_in_the_key(fake_hub):
    from waifuc_ui.core.errors import InvalidOptionError
    with pytest.raises(InvalidOptionError, match="max_batch_size"):
        SafetyAction(cfg_safe_check={"batch": 4})
    action = SafetyAction(cfg_safe_check={"model_name": "mobilenet.xs.v1"})
    assert [f.filename for f in action.required_files()] == ["mobilenet.xs.v1.onnx"]
    assert SafetyAction.per_item is True


def test_filters_keep_a_constant_image_and_smooth_small_noise():
    flat = np.full((12, 12, 3), 77, np.float32)
    assert np.allclose(bilateral(flat, 5, 8.0, 8.0), 77) and np.allclose(guided(flat, flat, 3, 16.0), 77)
    step = np.zeros((10, 10, 3), np.float32)
    step[:, 5:] = 200  # a strong edge survives the bilateral filter (colour weight ~ 0 across it)
    assert np.allclose(bilateral(step, 5, 8.0, 8.0), step, atol=1e-3)
    noisy = _noisy((120, 120, 120), seed=4, size=(48, 48))
    out = remove_adversarial_noise(noisy, rng=random.Random(0))
    assert out.size == noisy.size and out.mode == "RGB"
    assert np.asarray(out).astype(float).std() < 0.5 * np.asarray(noisy).astype(float).std()
