"""LPIPS: tensor fed, feature shapes and batching, pairwise differences from the diff model, clustering."""

import numpy as np
import pytest
from PIL import Image

from tests.fakehub import BLUE, GREEN, RED, lpips_head_weights, put_lpips, record_feeds, solid
from waifuc_ui.inference import lpips_batch_differences, lpips_clustering, lpips_difference, lpips_extract_feature
from waifuc_ui.inference.lpips import lpips_distance_matrix

SHAPES = [(64, 99, 99), (192, 49, 49), (384, 24, 24), (256, 24, 24), (256, 24, 24)]


def test_tensor_is_bilinear_400_in_0_1_without_normalisation(fake_hub, monkeypatch):
    put_lpips(fake_hub)
    feeds = record_feeds(monkeypatch)
    img = Image.fromarray((np.arange(30 * 50 * 3).reshape(30, 50, 3) * 3 % 256).astype(np.uint8))
    feats = lpips_extract_feature(img)
    expected = np.asarray(img.resize((400, 400), Image.BILINEAR), np.float32).transpose(2, 0, 1) / 255
    (names, feed), = feeds
    assert names == ['feat_0', 'feat_1', 'feat_2', 'feat_3', 'feat_4']
    np.testing.assert_array_equal(feed['input'][0], expected)
    assert [f.shape for f in feats] == [(1, *s) for s in SHAPES]


def test_list_input_is_batched(fake_hub, monkeypatch):
    put_lpips(fake_hub)
    feeds = record_feeds(monkeypatch)
    feats = lpips_extract_feature([solid(RED), solid(BLUE), solid(GREEN)], batch_size=2)
    assert [f[1]['input'].shape[0] for f in feeds] == [2, 1]
    assert [f.shape for f in feats] == [(3, *s) for s in SHAPES]


def test_difference_is_the_diff_model_output(fake_hub):
    put_lpips(fake_hub)
    red, blue = lpips_extract_feature(solid(RED)), lpips_extract_feature(solid(BLUE))
    expected = 0.0  # the fake diff model's formula: LPIPS' linear head over channel-normalised maps
    for a, b, w in zip(red, blue, lpips_head_weights()):
        na = a / (np.sqrt((a.astype(np.float64) ** 2).sum(axis=1, keepdims=True)) + 1e-10)
        nb = b / (np.sqrt((b.astype(np.float64) ** 2).sum(axis=1, keepdims=True)) + 1e-10)
        expected += float(((na - nb) ** 2 * w[None, :, None, None]).sum(axis=1).mean())
    assert lpips_difference(red, blue) == pytest.approx(expected, rel=1e-6)
    assert lpips_difference(solid(RED), solid(BLUE)) == pytest.approx(expected, rel=1e-6)
    assert lpips_difference(solid(RED), red) == 0.0


def test_batch_differences_pair_rows_in_chunks(fake_hub, monkeypatch):
    put_lpips(fake_hub)
    xs = lpips_extract_feature([solid(RED), solid(BLUE), solid(GREEN)])
    ys = lpips_extract_feature([solid(RED), solid(RED), solid(RED)])
    feeds = record_feeds(monkeypatch)
    d = lpips_batch_differences(xs, ys, batch_size=2)
    assert len(feeds) == 2 and sorted(feeds[0][1]) == sorted([f'feat_{s}_{i}' for s in 'xy' for i in range(5)])
    assert d.shape == (3,) and d[0] == 0.0
    assert d[1] == pytest.approx(lpips_difference(solid(BLUE), solid(RED)), rel=1e-6)


def test_distance_matrix_is_symmetric_and_clustering_labels(fake_hub):
    put_lpips(fake_hub)
    images = [solid(RED), solid((250, 0, 0)), solid(BLUE), solid((0, 0, 250)), solid(GREEN)]
    feats = lpips_extract_feature(images)
    m = lpips_distance_matrix(feats, batch_size=4)
    np.testing.assert_array_equal(m, m.T)
    assert m[0, 2] == pytest.approx(lpips_difference(solid(RED), solid(BLUE)), rel=1e-6)
    assert lpips_clustering(images) == [0, 0, 1, 1, -1]
    tuples = [tuple(f[i:i + 1] for f in feats) for i in range(5)]
    assert lpips_clustering(tuples, threshold=1e-9) == [-1] * 5  # near colours differ by more than 1e-9
    assert lpips_clustering(tuples[:2] + [tuple(f[0:1] for f in feats)], threshold=1e-9) == [0, -1, 0]
    assert lpips_clustering([]) == []
