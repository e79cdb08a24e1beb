"""DBSCAN / OPTICS on a precomputed difference matrix (CCIP, LPIPS), by default run exactly as imgutils runs them.

imgutils passes a callable ``metric(i, j) = D[i, j]`` over index samples ``arange(N).reshape(-1, 1)``. With one
feature column scikit-learn then uses a ball tree, whose pruning (centroids of indices, a non-metric difference)
changes neighbourhoods once the tree has more than one leaf (N > 60). ``metric='precomputed'`` is exact but gives
other labels than the reference on such inputs, so the reference call is reproduced unless asked otherwise.
The one clustering module of the package: the actions, the review and imgutils' ``*_clustering`` use it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..core.errors import InvalidOptionError

METHODS = ("dbscan", "dbscan_2", "dbscan_free", "optics", "optics_best")


def cluster_differences(matrix: np.ndarray, method: str = "optics", eps: float = 0.5, min_samples: int = 5,
                        imgutils_exact: bool = True) -> list[int]:
    """Labels (-1 = noise) of DBSCAN(eps, min_samples) (methods containing 'dbscan') or OPTICS(max_eps=eps,
    min_samples) on ``matrix``.

    ``imgutils_exact=True`` runs scikit-learn the way imgutils does (see the module text), so labels equal
    imgutils' for the same matrix; ``False`` uses ``metric='precomputed'`` (exact neighbourhoods, 5x faster; on
    rare inputs OPTICS labels differ from imgutils'). With fewer samples than ``min_samples`` OPTICS gives all
    noise (scikit-learn would raise).
    """
    if method not in METHODS:
        raise InvalidOptionError("clustering method", method, list(METHODS),
                                 fix="Methods containing 'dbscan' run DBSCAN, the others OPTICS.")
    matrix = np.asarray(matrix)
    n = len(matrix)
    if n == 0:
        return []
    if "optics" in method and n < max(2, min_samples):
        return [-1] * n
    from sklearn.cluster import DBSCAN, OPTICS  # imported here: scikit-learn takes ~1 s to import

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # OPTICS warns about unreachable points, as in imgutils (silenced there)
        metric: Any
        if imgutils_exact:
            def _metric(x, y):  # the reference's int(x) of a 1-element row
                return matrix[int(x[0]), int(y[0])].item()

            samples, metric = np.arange(n).reshape(-1, 1), _metric
        else:
            samples, metric = np.asarray(matrix, dtype=np.float64), "precomputed"
        if "dbscan" in method:
            model = DBSCAN(eps=eps, min_samples=min_samples, metric=metric)
        else:
            model = OPTICS(max_eps=eps, min_samples=min_samples, metric=metric)
        labels = model.fit(samples).labels_
    return [int(v) for v in labels]


def cluster_precomputed(diffs: np.ndarray, method: str, eps: float, min_samples: int) -> list[int]:
    """imgutils' call: :func:`cluster_differences` with ``imgutils_exact=True`` ('dbscan' or 'optics')."""
    return cluster_differences(diffs, method, eps, min_samples)
