"""the review's CCIP clusters (described to users as waifuc's clustering) equal imgutils'
``ccip_clustering`` labels by default, also for more than 60 images
(see tests/inference/test_clustering_labels_match_imgutils.py)."""

import numpy as np
from sklearn.cluster import OPTICS

from waifuc_ui.analysis import review as review_module


def _matrix(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    lab = rng.integers(0, 4, n)
    d = np.where(lab[:, None] == lab[None, :], rng.uniform(0, 0.3, (n, n)), rng.uniform(0.2, 1, (n, n)))
    d = ((d + d.T) / 2).astype(np.float32)
    np.fill_diagonal(d, 1e-7)
    return d


def test_review_optics_labels_equal_the_reference_on_70_images(full_fake_hub, cache, monkeypatch):
    d = _matrix(20, 70)
    hashes = [f"{i:032x}" for i in range(70)]
    monkeypatch.setattr(review_module, "ccip_difference_matrix", lambda entries, model=None: (hashes, d))

    def metric(x, y):
        return d[int(x[0]), int(y[0])].item()

    ref = OPTICS(max_eps=0.5, min_samples=5, metric=metric).fit(np.arange(70).reshape(-1, 1)).labels_.tolist()
    assert review_module.ccip_review(hashes).labels == ref
