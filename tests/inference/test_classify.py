"""Generic classifier contract: tensor fed, preprocess.json stages, score order, quirks, batching, names."""

import numpy as np
import pytest
from PIL import Image

from tests.fakehub import BLUE, RED, put_classifier, record_feeds, solid
from waifuc_ui.core.errors import InvalidOptionError, ModelUnavailableError
from waifuc_ui.inference import (
    anime_classify,
    anime_classify_score,
    anime_rating,
    anime_rating_score_batch,
    get_monochrome_score,
    is_monochrome,
)
from waifuc_ui.inference.classify import labels_scores_topk
from waifuc_ui.inference.specs import ANIME_CLASSIFY, ANIME_RATING, MONOCHROME

MONO_RULES = [(-1 / 3, -1 / 3, -1 / 3, 1.0), (1 / 3, 1 / 3, 1 / 3, 0.0)]


def rgba_test_image():
    """30x20 RGBA gradient whose alpha is 0 or 255 only, so compositing on white is exact."""
    x = np.arange(30 * 20 * 3, dtype=np.uint32).reshape(20, 30, 3) * 7 % 256
    alpha = np.where((np.arange(30)[None, :] + np.arange(20)[:, None]) % 3 == 0, 0, 255)
    return Image.fromarray(np.dstack([x, alpha]).astype(np.uint8), 'RGBA')


def independent_rgb(img):
    arr = np.asarray(img).astype(np.int64)
    rgb = np.where(arr[..., 3:] == 255, arr[..., :3], 255)
    return Image.fromarray(rgb.astype(np.uint8), 'RGB')


def test_fallback_tensor_is_bilinear_stretch_to_onnx_size_scaled_to_pm1(fake_hub, monkeypatch):
    put_classifier(fake_hub, MONOCHROME, ['monochrome', 'normal'], MONO_RULES, size=(24, 40))
    feeds = record_feeds(monkeypatch)
    img = rgba_test_image()
    get_monochrome_score(img)
    (names, feed), = feeds
    assert names == ['output'] and list(feed) == ['input']
    expected = np.asarray(independent_rgb(img).resize((40, 24), Image.BILINEAR), np.float32) / 255
    expected = ((expected - 0.5) / 0.5).transpose(2, 0, 1)[None]
    assert feed['input'].dtype == np.float32 and feed['input'].shape == (1, 3, 24, 40)
    np.testing.assert_array_equal(feed['input'], expected)


def test_dynamic_input_size_falls_back_to_384(fake_hub, monkeypatch):
    put_classifier(fake_hub, MONOCHROME, ['monochrome', 'normal'], MONO_RULES, size=None)
    feeds = record_feeds(monkeypatch)
    get_monochrome_score(solid(RED, (50, 10)))
    assert feeds[0][1]['input'].shape == (1, 3, 384, 384)


def test_preprocess_json_stages_replace_the_fallback(fake_hub, monkeypatch):
    stages = [{'type': 'resize', 'size': 40, 'interpolation': 'bicubic', 'max_size': None, 'antialias': True},
              {'type': 'center_crop', 'size': [32, 32]}, {'type': 'maybe_to_tensor'},
              {'type': 'normalize', 'mean': [0.485, 0.456, 0.406], 'std': [0.229, 0.224, 0.225]}]
    put_classifier(fake_hub, MONOCHROME, ['monochrome', 'normal'], MONO_RULES, size=(32, 32), preprocess=stages)
    feeds = record_feeds(monkeypatch)
    img = rgba_test_image()  # 30x20 -> shorter side 40 -> 60x40 -> centre crop 32
    get_monochrome_score(img)
    resized = independent_rgb(img).resize((60, 40), Image.BICUBIC, reducing_gap=None)
    arr = np.asarray(resized.crop((14, 4, 46, 36)), np.float32).transpose(2, 0, 1) / 255
    mean = np.array([0.485, 0.456, 0.406], np.float32).reshape(3, 1, 1)
    std = np.array([0.229, 0.224, 0.225], np.float32).reshape(3, 1, 1)
    np.testing.assert_array_equal(feeds[0][1]['input'][0], (arr - mean) / std)


def test_scores_are_model_probabilities_highest_first(fake_hub):
    put_classifier(fake_hub, ANIME_CLASSIFY, ['3d', 'bangumi', 'comic', 'illustration', 'not_painting'],
                   [(0, 0, 0, 0.05), (0, 0, 0, 0.1), (0.9, -0.9, -0.9, 0.0), (-0.6, 0, 0, 0.6), (0, 0, 0, 0.05)])
    scores = anime_classify_score(solid(BLUE))
    assert list(scores) == ['illustration', 'bangumi', '3d', 'not_painting', 'comic']
    assert scores['illustration'] == pytest.approx(0.6, abs=1e-6)
    assert scores['comic'] == pytest.approx(-0.9, abs=1e-6)
    label, score = anime_classify(solid(RED))
    assert label == 'comic' and score == pytest.approx(0.9, abs=1e-6)


def test_topk_keeps_only_the_best_k_in_stable_order():
    labels = ['a', 'b', 'c', 'd']
    scores = np.array([0.1, 0.4, 0.4, 0.1], np.float32)
    assert list(labels_scores_topk(labels, scores, topk=None)) == ['b', 'c', 'a', 'd']
    assert list(labels_scores_topk(labels, scores, topk=20)) == ['b', 'c', 'a', 'd']
    assert set(labels_scores_topk(labels, scores, topk=2)) == {'b', 'c'}


def test_is_monochrome_ignores_threshold_and_ties_go_to_monochrome(fake_hub):
    put_classifier(fake_hub, MONOCHROME, ['monochrome', 'normal'], MONO_RULES)
    red = solid(RED)  # monochrome score 1 - 1/3
    assert get_monochrome_score(red) == pytest.approx(2 / 3, abs=1e-6)
    assert is_monochrome(red, threshold=0.9) is True
    assert is_monochrome(solid((255, 255, 255)), threshold=0.0) is False
    put_classifier(fake_hub, MONOCHROME, ['monochrome', 'normal'], [(0, 0, 0, 0.5), (0, 0, 0, 0.5)])
    assert is_monochrome(red) is True


def test_batch_runs_one_call_per_batch_and_equals_single_calls(fake_hub, monkeypatch):
    put_classifier(fake_hub, ANIME_RATING, ['safe', 'r15', 'r18'],
                   [(-0.6, 0, 0, 0.7), (-0.1, 0, 0, 0.2), (0.7, 0, 0, 0.1)])
    images = [solid((40 * i, 0, 255 - 40 * i)) for i in range(5)]
    singles = [anime_rating(im) for im in images]
    feeds = record_feeds(monkeypatch)
    batch = anime_rating_score_batch(images, batch_size=2)
    assert [f[1]['input'].shape[0] for f in feeds] == [2, 2, 1]
    assert [max(s, key=s.get) for s in batch] == [label for label, _ in singles]
    assert [s[label] for s, (label, _) in zip(batch, singles)] == pytest.approx([score for _, score in singles])


def test_unknown_model_name_lists_valid_names(fake_hub):
    with pytest.raises(InvalidOptionError) as info:
        get_monochrome_score(solid(), model_name='mobilenetv9')
    msg = str(info.value)
    assert "'mobilenetv9'" in msg and "'mobilenetv3_large_100_dist_safe2'" in msg and 'deepghs/monochrome_detect' in msg


def test_unlisted_but_cached_model_name_is_accepted(fake_hub):
    put_classifier(fake_hub, MONOCHROME, ['monochrome', 'normal'], MONO_RULES, model_name='brand_new_v9')
    assert get_monochrome_score(solid(RED), model_name='brand_new_v9') == pytest.approx(2 / 3, abs=1e-6)


def test_known_model_missing_offline_raises_model_unavailable(fake_hub):
    with pytest.raises(ModelUnavailableError, match="classifier model 'mobilenetv3_v1.5_dist'"):
        anime_classify(solid())
