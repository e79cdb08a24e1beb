"""CCIP: tensor fed, metric model for differences, files for thresholds/params, clustering labels."""

import numpy as np
import pytest
from PIL import Image
from sklearn.cluster import DBSCAN, OPTICS

from tests.fakehub import BLUE, GREEN, RED, put_ccip, record_feeds, solid
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.inference import (
    ccip_batch_differences,
    ccip_batch_extract_features,
    ccip_clustering,
    ccip_default_clustering_params,
    ccip_default_threshold,
    ccip_difference,
    ccip_extract_feature,
    ccip_merge,
    ccip_same,
)
from waifuc_ui.inference.clustering import cluster_precomputed

CLIP_MEAN = np.array([0.48145466, 0.4578275, 0.40821073])
CLIP_STD = np.array([0.26862954, 0.26130258, 0.27577711])


def test_feature_tensor_is_bilinear_stretch_with_clip_normalisation(fake_hub, monkeypatch):
    put_ccip(fake_hub)
    feeds = record_feeds(monkeypatch)
    rgb = (np.arange(20 * 30 * 3).reshape(20, 30, 3) * 5 % 256).astype(np.uint8)
    alpha = np.where(np.arange(30) < 10, 0, 255)[None, :].repeat(20, 0).astype(np.uint8)
    feat = ccip_extract_feature(Image.fromarray(np.dstack([rgb, alpha]), 'RGBA'))
    on_white = np.where(alpha[..., None] == 255, rgb, 255).astype(np.uint8)
    x = np.asarray(Image.fromarray(on_white).resize((384, 384), Image.BILINEAR)).transpose(2, 0, 1)
    expected = ((x.astype(np.float32) / 255 - CLIP_MEAN[:, None, None]) / CLIP_STD[:, None, None]).astype(np.float32)
    (names, feed), = feeds
    assert names == ['output'] and feed['input'].shape == (1, 3, 384, 384)
    np.testing.assert_array_equal(feed['input'][0], expected)
    assert feat.shape == (768,) and feat.dtype == np.float32


def test_differences_come_from_the_metric_model(fake_hub, monkeypatch):
    put_ccip(fake_hub)
    feats = ccip_batch_extract_features([solid(RED), solid(RED, (10, 90)), solid(BLUE)])
    feeds = record_feeds(monkeypatch)
    diffs = ccip_batch_differences(list(feats))
    assert len(feeds) == 1 and feeds[0][1]['input'].shape == (3, 768)  # features: no feature-model call
    assert diffs.shape == (3, 3)
    assert diffs[0, 1] == pytest.approx(0, abs=1e-5) and diffs[0, 2] == 1.0  # fake: clip((1 - cos) * 10, 0, 1)
    assert ccip_difference(feats[0], feats[2]) == 1.0
    assert ccip_difference(solid(RED), solid(RED)) == pytest.approx(0, abs=1e-5)


def test_threshold_and_clustering_params_are_read_from_the_files(fake_hub):
    put_ccip(fake_hub, threshold=0.25, cluster={'dbscan_2': {'eps': 0.11, 'min_samples': 3},
                                                'dbscan_free': {'eps': 0.12, 'min_samples': 2},
                                                'optics': {'eps': 0.13, 'min_samples': 4}})
    assert ccip_default_threshold() == 0.25
    assert ccip_default_clustering_params(method='dbscan') == (0.25, 2)
    assert ccip_default_clustering_params(method='optics') == (0.5, 5)
    assert ccip_default_clustering_params(method='dbscan_2') == (0.11, 3)
    assert ccip_default_clustering_params(method='optics_best') == (0.13, 4)
    with pytest.raises(InvalidOptionError, match="'optics_best'"):
        ccip_default_clustering_params(method='kmeans')


def test_same_uses_the_model_threshold_with_less_or_equal(fake_hub):
    put_ccip(fake_hub, threshold=0.0)
    red = ccip_extract_feature(solid(RED))
    assert ccip_same(red, red.copy()) is (ccip_difference(red, red.copy()) <= 0.0)
    assert ccip_same(red, ccip_extract_feature(solid(BLUE)), threshold=1.0) is True
    assert ccip_same(red, ccip_extract_feature(solid(BLUE)), threshold=0.99) is False


@pytest.mark.filterwarnings('ignore:All reachability values are inf')
def test_clustering_labels(fake_hub):
    put_ccip(fake_hub)
    images = [solid(RED), solid((250, 5, 5)), solid((245, 0, 10)), solid(BLUE), solid((5, 5, 250)), solid(GREEN)]
    assert ccip_clustering(images, method='dbscan', min_samples=2) == [0, 0, 0, 1, 1, -1]
    assert ccip_clustering(images, method='dbscan', eps=0, min_samples=2) == [0, 0, 0, 1, 1, -1]  # 0 -> default
    assert ccip_clustering(images, method='optics', min_samples=2) == [0, 0, 0, 1, 1, -1]
    assert ccip_clustering(images) == [-1] * 6  # optics default min_samples 5 > cluster sizes


def index_metric(matrix):
    def metric(x, y):
        return matrix[int(x[0]), int(y[0])].item()
    return metric


@pytest.mark.parametrize('n,seed', [(8, 0), (40, 1), (60, 2)])
def test_precomputed_equals_callable_over_indices_for_a_metric_matrix(n, seed):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 1, (4, 2))
    pts = centres[rng.integers(0, 4, n)] + rng.normal(0, 0.03, (n, 2))
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1)).astype(np.float32)
    idx = np.arange(n).reshape(-1, 1)
    for eps, ms in ((0.05, 2), (0.08, 3)):
        ref = DBSCAN(eps=eps, min_samples=ms, metric=index_metric(d)).fit(idx).labels_.tolist()
        assert cluster_precomputed(d, 'dbscan', eps, ms) == ref
    for eps, ms in ((0.5, 5), (0.2, 3)):
        ref = OPTICS(max_eps=eps, min_samples=ms, metric=index_metric(d)).fit(idx).labels_.tolist()
        assert cluster_precomputed(d, 'optics', eps, ms) == ref


def test_precomputed_equals_callable_for_a_crafted_non_metric_matrix():
    d = np.array([[0, .1, .3, .9, .9, .9], [.1, 0, .1, .9, .9, .9], [.3, .1, 0, .9, .9, .8],
                  [.9, .9, .9, 0, .12, .5], [.9, .9, .9, .12, 0, .13], [.9, .9, .8, .5, .13, 0]], np.float32)
    idx = np.arange(6).reshape(-1, 1)
    ref = DBSCAN(eps=0.15, min_samples=2, metric=index_metric(d)).fit(idx).labels_.tolist()
    assert cluster_precomputed(d, 'dbscan', 0.15, 2) == ref == [0, 0, 0, 1, 1, 1]
    ref = OPTICS(max_eps=0.5, min_samples=2, metric=index_metric(d)).fit(idx).labels_.tolist()
    assert cluster_precomputed(d, 'optics', 0.5, 2) == ref


def test_too_few_samples_are_noise_not_an_error():
    assert cluster_precomputed(np.zeros((3, 3)), 'optics', 0.5, 5) == [-1, -1, -1]
    assert cluster_precomputed(np.zeros((0, 0)), 'dbscan', 0.5, 2) == []


def test_merge_is_mean_of_normalised_features_at_mean_length():
    a, b = np.array([3.0, 4.0] + [0] * 766, np.float32), np.array([0.0, 10.0] + [0] * 766, np.float32)
    merged = ccip_merge([a, b])
    direction = np.array([0.6, 1.8]) / np.linalg.norm([0.6, 1.8])
    np.testing.assert_allclose(merged[:2], direction * 7.5, rtol=1e-6)


def test_unknown_model_lists_the_three(fake_hub):
    with pytest.raises(InvalidOptionError) as info:
        ccip_extract_feature(solid(), model='ccip-x')
    assert "'ccip-caformer-24-randaug-pruned'" in str(info.value) and "'ccip-caformer-5_fp32'" in str(info.value)
