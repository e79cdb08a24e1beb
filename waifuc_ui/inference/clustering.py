"""DBSCAN / OPTICS on a precomputed difference matrix, run exactly the way imgutils runs them.

imgutils passes a callable ``metric(i, j) = D[i, j]`` over index samples ``arange(N).reshape(-1, 1)``. With one
feature column scikit-learn then uses a ball tree, whose pruning (centroids of indices, a non-metric difference)
changes neighbourhoods once the tree has more than one leaf (N > 60). ``metric='precomputed'`` would be exact but
gives other labels than the reference on such inputs, so the reference call is reproduced.
"""

from __future__ import annotations

import warnings

import numpy as np


def cluster_precomputed(diffs: np.ndarray, method: str, eps: float, min_samples: int) -> list[int]:
    """Labels (-1 = noise). ``method`` 'dbscan': DBSCAN(eps, min_samples); 'optics': OPTICS(max_eps=eps, ...)."""
    from sklearn.cluster import DBSCAN, OPTICS
    diffs = np.asarray(diffs)
    n = diffs.shape[0]
    if n == 0:
        return []

    def metric(x, y):  # the reference's int(x) of a 1-element row
        return diffs[int(x[0]), int(y[0])].item()

    samples = np.arange(n).reshape(-1, 1)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # OPTICS warns about unreachable points
        if method == 'dbscan':
            return DBSCAN(eps=eps, min_samples=min_samples, metric=metric).fit(samples).labels_.tolist()
        if method == 'optics':
            if min_samples > n or n < 2:
                return [-1] * n  # no point can be core (scikit-learn would raise): everything is noise
            return OPTICS(max_eps=eps, min_samples=min_samples, metric=metric).fit(samples).labels_.tolist()
    raise ValueError(f'unknown clustering method {method!r}')
