"""FilterSimilarAction and the review on the fast LPIPS path give the difference model's own distances."""

import numpy as np
import pytest

from tests.fakehub import solid
from waifuc_ui import inference as models
from waifuc_ui.action import FilterSimilarAction
from waifuc_ui.analysis import AnalysisCache, lpips_close_pairs, lpips_distance_matrix, use_analysis_cache
from waifuc_ui.core.item import ImageItem
from waifuc_ui.core.report import collect_report


@pytest.fixture
def cache(tmp_path):
    with use_analysis_cache(AnalysisCache(tmp_path / "analysis")) as c:
        yield c


def _items():
    rng = np.random.default_rng(7)
    base = rng.integers(0, 256, (10, 3))
    base[1::3] = np.clip(base[0::3][:len(base[1::3])] + 9, 0, 255)
    return [ImageItem(solid(tuple(int(v) for v in c)), {"filename": f"c{i}.png"}) for i, c in enumerate(base)]


def test_drop_scores_equal_the_difference_model(full_fake_hub, cache):
    entries = _items()
    action = FilterSimilarAction(threshold=0.3)
    with collect_report() as report:
        kept = list(action.iter_from(iter(entries)))
    assert report.dropped and action.pairs_skipped > 0
    by_name = {e.meta["filename"]: e for e in entries}
    for drop in report.dropped:
        model = models.lpips_difference(by_name[drop.duplicate_of].image, by_name[drop.filename].image)
        assert abs(drop.score - model) <= 1e-5 and drop.score <= 0.3
    names = [k.meta["filename"] for k in kept]
    # bound vectors are held for kept images only: a dropped image is never compared again
    assert action._index.bound_count <= len(kept) < len(entries)
    assert action._index.bound_count >= 2
    for i, a in enumerate(names):  # no two kept images are within the threshold by the model
        for b in names[i + 1:]:
            assert models.lpips_difference(by_name[a].image, by_name[b].image) > 0.3


def test_review_pairs_and_matrix_equal_the_difference_model(full_fake_hub, cache):
    entries = _items()
    feats = models.lpips_extract_feature([e.image for e in entries])
    n = len(entries)
    ii, jj = np.triu_indices(n, k=1)
    model = np.zeros((n, n))
    model[ii, jj] = models.lpips_batch_differences(tuple(f[ii] for f in feats), tuple(f[jj] for f in feats))
    found = lpips_close_pairs(entries, threshold=0.3)  # computed at the review's cap (0.5), bound first
    assert [(i, j) for i, j, _ in found.pairs] == [(i, j) for i, j in zip(ii, jj) if model[i, j] <= 0.3]
    assert all(abs(d - model[i, j]) <= 1e-5 for i, j, d in found.pairs)
    assert found.fast and found.compared == n * (n - 1) // 2
    assert found.skipped > 0 and found.computed + found.skipped == found.compared
    matrix = lpips_distance_matrix(entries)  # every pair (the ones computed above come from the cached rows)
    assert np.abs(matrix[ii, jj] - model[ii, jj]).max() <= 1e-5
