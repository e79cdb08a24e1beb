"""safe_check (imgutils 0.19.0): random 384x384 crops, (x/255 - 0.5)/0.5, mean of the model's (polluted, safe)."""

import random

import numpy as np
from PIL import Image

from tests.fakehub import record_feeds
from tests.fakehub_extra import put_safe_check

POLLUTED_ON_RED = dict(polluted=(0.9, 0.0, 0.0, 0.05), safe=(0.0, 0.0, 0.0, 0.5))


def test_crop_count_and_bounds_follow_imgutils():
    from waifuc_ui.inference.safety import crop_boxes
    assert crop_boxes(200, 100, 8, random.Random(0)) == [(0, 0, 200, 100)] * 2  # ceil(20000 / 384^2) + 1
    boxes = crop_boxes(1000, 500, 8, random.Random(5))
    assert len(boxes) == 5  # ceil(500000 / 147456) = 4, + 1
    assert all(0 <= x0 <= 616 and 0 <= y0 <= 116 and x1 - x0 == 384 and y1 - y0 == 384 for x0, y0, x1, y1 in boxes)
    assert len(crop_boxes(4000, 4000, 8, random.Random(0))) == 8  # capped by max_batch_size


def test_scores_labels_and_input_encoding(fake_hub, monkeypatch):
    put_safe_check(fake_hub, **POLLUTED_ON_RED)
    from waifuc_ui.inference import safe_check, safe_check_score
    feeds = record_feeds(monkeypatch)
    scores = safe_check_score(Image.new('RGB', (100, 80), (255, 0, 0)))
    assert abs(scores['polluted'] - 0.95) < 1e-5 and abs(scores['safe'] - 0.5) < 1e-6
    x = feeds[0][1]['input']
    assert x.shape == (2, 3, 384, 384) and x.dtype == np.float32  # 2 crops, both the whole image
    assert np.all(x[:, 0] == 1.0) and np.all(x[:, 1] == -1.0)
    label, score = safe_check(Image.new('RGB', (100, 80), (0, 0, 255)))
    assert label == 'safe' and abs(score - 0.5) < 1e-6
    grey = safe_check_score(Image.new('RGB', (10, 10), (51, 51, 51)))  # 51/255 = 0.2 -> -0.6 on every channel
    assert np.allclose(feeds[-1][1]['input'], np.float32((np.float32(0.2) - 0.5) / 0.5))
    assert abs(grey['polluted'] - (0.9 * 0.2 + 0.05)) < 1e-5


def test_a_tie_is_polluted_as_numpys_argmax():
    from waifuc_ui.inference.safety import safe_label
    assert safe_label({'polluted': 0.5, 'safe': 0.5}) == ('polluted', 0.5)
    assert safe_label({'polluted': 0.49, 'safe': 0.51}) == ('safe', 0.51)


def test_batch_shares_calls_and_seeded_crops_do_not_depend_on_the_batch(fake_hub, monkeypatch):
    put_safe_check(fake_hub, **POLLUTED_ON_RED)
    from waifuc_ui.inference import safe_check_score, safe_check_score_batch
    rng = np.random.default_rng(0)
    images = [Image.fromarray(rng.integers(0, 256, (500, 700, 3), dtype=np.uint8)) for _ in range(2)]
    alone = [safe_check_score(im, seed=7) for im in images]
    feeds = record_feeds(monkeypatch)
    together = safe_check_score_batch(images, seed=7)
    assert together == alone
    assert len(feeds) == 1 and feeds[0][1]['input'].shape[0] == 2 * 4  # ceil(350000 / 384^2) + 1 each
