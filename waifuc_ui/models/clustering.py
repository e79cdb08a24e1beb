"""DBSCAN / OPTICS on a precomputed difference matrix (scikit-learn, library defaults otherwise).

imgutils passes a callable ``metric(i, j) = D[i, j]`` over index samples; ``metric='precomputed'`` on the same
matrix gives the same neighbourhoods (tests check it on crafted matrices) without a Python call per pair.
"""

from __future__ import annotations

from typing import List

import numpy as np


def cluster_precomputed(diffs: np.ndarray, method: str, eps: float, min_samples: int) -> List[int]:
    """Labels (-1 = noise). ``method`` 'dbscan': DBSCAN(eps, min_samples); 'optics': OPTICS(max_eps=eps, ...)."""
    from sklearn.cluster import DBSCAN, OPTICS
    diffs = np.asarray(diffs, dtype=np.float64)
    n = diffs.shape[0]
    if n == 0:
        return []
    if method == 'dbscan':
        return DBSCAN(eps=eps, min_samples=min_samples, metric='precomputed').fit(diffs).labels_.tolist()
    if method == 'optics':
        if min_samples > n or n < 2:
            return [-1] * n  # no point can be core (scikit-learn would raise): everything is noise
        return OPTICS(max_eps=eps, min_samples=min_samples, metric='precomputed').fit(diffs).labels_.tolist()
    raise ValueError(f'unknown clustering method {method!r}')
