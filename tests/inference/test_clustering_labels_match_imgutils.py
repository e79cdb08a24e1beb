"""ccip_clustering / lpips_clustering labels equal imgutils' for more than 60 samples.

imgutils calls scikit-learn with a callable metric over index samples (``arange(N).reshape(-1, 1)``); with one
feature column scikit-learn picks a ball tree, whose pruning (centroids of indices, a non-metric difference) changes
OPTICS core distances once the tree has more than one leaf (N > 60 at leaf_size 30). ``metric='precomputed'`` is
exact instead, so it disagrees with the reference on such inputs.
"""

import numpy as np
from sklearn.cluster import DBSCAN, OPTICS

from waifuc_ui.inference.clustering import cluster_precomputed


def _matrix(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lab = rng.integers(0, 4, n)
    d = np.where(lab[:, None] == lab[None, :], rng.uniform(0, 0.3, (n, n)), rng.uniform(0.2, 1, (n, n)))
    d = ((d + d.T) / 2).astype(np.float32)
    np.fill_diagonal(d, 1e-7)
    return d


def _reference(d: np.ndarray, method: str, eps: float, min_samples: int):
    """imgutils' ccip_clustering call on a given difference matrix (int(x) of a 1-element row = int(x[0]))."""
    def metric(x, y):
        return d[int(x[0]), int(y[0])].item()

    samples = np.arange(len(d)).reshape(-1, 1)
    algo = DBSCAN(eps=eps, min_samples=min_samples, metric=metric) if method == 'dbscan' else \
        OPTICS(max_eps=eps, min_samples=min_samples, metric=metric)
    return algo.fit(samples).labels_.tolist()


def test_optics_on_70_samples_equals_the_reference_ball_tree_run():
    d = _matrix(20, 70)
    ref = _reference(d, 'optics', 0.5, 5)
    exact = OPTICS(max_eps=0.5, min_samples=5, metric='precomputed').fit(d.astype(np.float64)).labels_.tolist()
    assert ref != exact  # the input really separates the two ways of running scikit-learn
    assert cluster_precomputed(d, 'optics', 0.5, 5) == ref


def test_dbscan_on_70_samples_equals_the_reference_ball_tree_run():
    d = _matrix(20, 70)
    ref = _reference(d, 'dbscan', 0.05, 2)
    exact = DBSCAN(eps=0.05, min_samples=2, metric='precomputed').fit(d.astype(np.float64)).labels_.tolist()
    assert ref != exact
    assert cluster_precomputed(d, 'dbscan', 0.05, 2) == ref
