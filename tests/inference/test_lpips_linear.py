"""The exact LPIPS fast path: weights from the graph or probed, equal to the difference model within 1e-5,
certified lower bounds, and a difference model of another structure detected (the model decides then)."""

import numpy as np
from onnx import TensorProto, helper

from tests.fakehub import (
    LPIPS_SHAPES,
    _const,
    _finish,
    lpips_head_weights,
    mse_lpips_diff_model,
    put_lpips,
    put_model,
    solid,
)
from waifuc_ui.inference import lpips_batch_differences, lpips_clustering, lpips_extract_feature
from waifuc_ui.inference import lpips_linear as linear
from waifuc_ui.inference.loaders import clear_caches
from waifuc_ui.inference.lpips import lpips_distance_matrix
from waifuc_ui.inference.specs import LPIPS_DIFF


def _colours(n, seed=3):
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (n, 3))
    base[1::4] = np.clip(base[0::4][: len(base[1::4])] + rng.integers(-12, 12, (len(base[1::4]), 3)), 0, 255)
    return [tuple(int(v) for v in c) for c in base]


def _model_matrix(feats):
    n = feats[0].shape[0]
    ii, jj = np.triu_indices(n, k=1)
    d = np.zeros((n, n))
    vals = lpips_batch_differences(tuple(f[ii] for f in feats), tuple(f[jj] for f in feats), batch_size=16)
    d[ii, jj] = d[jj, ii] = vals
    return d


def _put_diff(cache_dir, model):
    put_model(cache_dir, LPIPS_DIFF.repo_id, LPIPS_DIFF.filename, model)
    clear_caches()


def test_weights_are_read_from_the_graph_and_the_head_is_checked(fake_hub):
    put_lpips(fake_hub)
    head = linear.linear_head()
    assert head.exact and head.source == 'graph' and head.reason == ''
    for got, want in zip(head.weights, lpips_head_weights()):
        np.testing.assert_array_equal(got, want.astype(np.float64))
    assert [len(head.kept(i)) for i in range(5)] == [c - len(range(0, c, 7)) for c, _ in LPIPS_SHAPES]


def test_all_pairs_from_one_gram_matrix_equal_the_model_pair_by_pair(fake_hub):
    put_lpips(fake_hub)
    feats = lpips_extract_feature([solid(c) for c in _colours(12)])
    fast = lpips_distance_matrix(feats)
    model = _model_matrix(feats)
    assert np.abs(fast - model).max() <= 1e-5
    assert model.max() > 1.0 and 0 < model[0, 1] < 0.45  # the set has near and far pairs
    u = linear.embed(feats, linear.linear_head())
    assert u.shape[1] == sum(len(linear.linear_head().kept(i)) * s * s for i, (_, s) in enumerate(LPIPS_SHAPES))


def test_block_bounds_never_exceed_the_distance_and_tighten_with_the_grid(fake_hub):
    put_lpips(fake_hub)
    head = linear.linear_head()
    rng = np.random.default_rng(5)
    feats = [np.maximum(rng.standard_normal((6, c, s, s)), 0).astype(np.float32) for c, s in LPIPS_SHAPES]
    u = linear.embed(feats, head)
    exact = linear.gram_distances(u)
    parts = linear.layout(head, [(s, s) for _, s in LPIPS_SHAPES])
    bounds = [linear.gram_distances(linear.pool(u, parts, g)) for g in (1, 2, 4, 8)]
    for b in bounds:
        assert (b <= exact + 1e-9).all()
    for coarse, fine in zip(bounds, bounds[1:]):
        assert (coarse <= fine + 1e-9).all()
    np.testing.assert_allclose(linear.gram_distances(linear.pool(u, parts, 99)), exact, atol=1e-9)


def _matmul_head_model():
    """The same head written without 1x1 convolutions (a weighted channel sum): the weights must be probed.
    Spatial sizes are left free, so the probe feeds small maps."""
    nodes, inits = [], [_const('norm_eps', np.array([1e-10], np.float32))]
    for i, ((c, _), w) in enumerate(zip(LPIPS_SHAPES, lpips_head_weights())):
        inits.append(_const(f'w{i}', w.reshape(1, c, 1, 1)))
        for side in 'xy':
            f = f'feat_{side}_{i}'
            nodes += [helper.make_node('ReduceSumSquare', [f], [f'ss_{side}{i}'], axes=[1], keepdims=1),
                      helper.make_node('Sqrt', [f'ss_{side}{i}'], [f'n_{side}{i}']),
                      helper.make_node('Add', [f'n_{side}{i}', 'norm_eps'], [f'ne_{side}{i}']),
                      helper.make_node('Div', [f, f'ne_{side}{i}'], [f'u_{side}{i}'])]
        nodes += [helper.make_node('Sub', [f'u_x{i}', f'u_y{i}'], [f'd{i}']),
                  helper.make_node('Mul', [f'd{i}', f'd{i}'], [f'q{i}']),
                  helper.make_node('Mul', [f'q{i}', f'w{i}'], [f'wq{i}']),
                  helper.make_node('ReduceSumSquare', [f'wq{i}'], [f'unused{i}'], axes=[1], keepdims=1),
                  helper.make_node('ReduceMean', [f'wq{i}'], [f'cm{i}'], axes=[1], keepdims=1),
                  helper.make_node('Mul', [f'cm{i}', f'c{i}'], [f'cs{i}']),
                  helper.make_node('ReduceMean', [f'cs{i}'], [f'm{i}'], axes=[2, 3], keepdims=1)]
        inits.append(_const(f'c{i}', np.array([float(c)], np.float32)))
    nodes.append(helper.make_node('Sum', [f'm{i}' for i in range(5)], ['output']))
    inputs = [helper.make_tensor_value_info(f'feat_{side}_{i}', TensorProto.FLOAT, ['N', c, f'H{i}', f'W{i}'])
              for i, (c, _) in enumerate(LPIPS_SHAPES) for side in 'xy']
    return _finish(nodes, inputs, [helper.make_tensor_value_info('output', TensorProto.FLOAT, ['N', 1, 1, 1])], inits)


def test_weights_are_probed_when_the_graph_does_not_show_them(fake_hub):
    put_lpips(fake_hub)
    _put_diff(fake_hub, _matmul_head_model())
    head = linear.linear_head()
    assert head.exact and head.source == 'probe'
    for got, want in zip(head.weights, lpips_head_weights()):
        np.testing.assert_allclose(got, want, rtol=1e-4)  # the model's float32 sums
    feats = lpips_extract_feature([solid(c) for c in _colours(6)])
    assert np.abs(lpips_distance_matrix(feats) - _model_matrix(feats)).max() <= 1e-5


def test_another_difference_model_is_detected_and_the_model_decides(fake_hub):
    put_lpips(fake_hub)
    _put_diff(fake_hub, mse_lpips_diff_model())
    head = linear.linear_head()
    assert not head.exact and 'not a linear head' in head.reason
    images = [solid(c) for c in _colours(8)]
    feats = lpips_extract_feature(images)
    np.testing.assert_array_equal(lpips_distance_matrix(feats), _model_matrix(feats))
    threshold = float(np.median(_model_matrix(feats)[np.triu_indices(8, 1)]))
    from waifuc_ui.inference.clustering import cluster_precomputed
    assert lpips_clustering(images, threshold) == cluster_precomputed(_model_matrix(feats), 'dbscan', threshold, 2)


def test_a_head_with_other_weights_fails_the_check(fake_hub, monkeypatch):
    """Weights read wrong (here: doubled) never give an answer: the sample pairs disagree with the model."""
    put_lpips(fake_hub)
    real = linear.read_graph_weights
    monkeypatch.setattr(linear, 'read_graph_weights', lambda path: [w * 2 for w in real(path)])
    clear_caches()
    head = linear.linear_head()
    assert not head.exact and 'differs from the difference model' in head.reason


def test_lpips_clustering_equals_the_model_matrix_clustering(fake_hub):
    put_lpips(fake_hub)
    images = [solid(c) for c in _colours(10, seed=11)]
    from waifuc_ui.inference.clustering import cluster_precomputed
    model = _model_matrix(lpips_extract_feature(images))
    for threshold in (0.05, 0.45, 2.0):
        assert lpips_clustering(images, threshold) == cluster_precomputed(model, 'dbscan', threshold, 2)
