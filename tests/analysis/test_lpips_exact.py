"""FilterSimilarAction and the review on the fast LPIPS path give the difference model's own distances."""

import numpy as np
import pytest

from tests.fakehub import solid
from waifuc_ui import inference as models
from waifuc_ui.action import FilterSimilarAction
from waifuc_ui.analysis import AnalysisCache, lpips_close_pairs, lpips_distance_matrix, use_analysis_cache
from waifuc_ui.analysis.lpips import PAIR_BATCH, close_pairs, tiled_distances
from waifuc_ui.analysis.review import _lpips_index
from waifuc_ui.core.item import ImageItem
from waifuc_ui.core.report import collect_report
from waifuc_ui.inference.lpips_linear import gram_distances, gram_estimates, row_distances, squared_norms


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
    assert found.skipped > 0 and found.computed + found.skipped + found.gram == found.compared
    matrix = lpips_distance_matrix(entries)  # every pair (the ones computed above come from the cached rows)
    assert np.abs(matrix[ii, jj] - model[ii, jj]).max() <= 1e-5


def _row_by_row(u, a, b):
    """The former exact stage: per smaller index, its candidates' distances in batches of PAIR_BATCH."""
    out = {}
    by_row = {}
    for i, j in zip(a.tolist(), b.tolist()):
        by_row.setdefault(i, []).append(j)
    for i, js in by_row.items():
        for start in range(0, len(js), PAIR_BATCH):
            chunk = js[start:start + PAIR_BATCH]
            for j, d in zip(chunk, row_distances(u[i], u[chunk])):
                out[(i, j)] = float(d)
    return out


def _tiled(u, a, b, threshold, block):
    loads = []

    def load(idx):
        loads.append(len(idx))
        return u[idx].copy()

    got, exact_pairs, gram_pairs = {}, set(), set()
    for ks, ds, exact in tiled_distances(load, a, b, threshold, u.shape[1], block=block):
        for k, d, ex in zip(ks.tolist(), ds.tolist(), exact.tolist()):
            got[(int(a[k]), int(b[k]))] = d
            (exact_pairs if ex else gram_pairs).add((int(a[k]), int(b[k])))
    assert max(loads) <= block
    return got, exact_pairs, gram_pairs


@pytest.mark.parametrize("block", [1, 3, 7, 40])
def test_tiles_give_the_row_by_row_pairs_and_distances(block):
    rng = np.random.default_rng(3)
    n, length = 23, 3000
    u = (rng.standard_normal((n, length)) * 0.02).astype(np.float32)
    u[1::4] = u[0::4][:len(u[1::4])] + (0.004 * rng.standard_normal((len(u[1::4]), length))).astype(np.float32)
    ii, jj = np.triu_indices(n, k=1)
    keep = rng.random(len(ii)) < 0.7  # pairs a bound left, in no particular block order
    a, b = ii[keep], jj[keep]
    old = _row_by_row(u, a, b)
    threshold = float(np.median(list(old.values())))
    got, exact_pairs, gram_pairs = _tiled(u, a, b, threshold, block)
    assert set(got) == set(old) and len(exact_pairs) + len(gram_pairs) == len(old)
    assert gram_pairs and exact_pairs  # both ways of deciding are exercised
    found_old = sorted((i, j, d) for (i, j), d in old.items() if d <= threshold)
    found_new = sorted((i, j, got[(i, j)]) for (i, j) in exact_pairs if got[(i, j)] <= threshold)
    assert found_new == found_old  # the same pairs with bit-identical distances
    assert all(old[p] > threshold for p in gram_pairs)
    assert all(got[p] == old[p] for p in exact_pairs)


def test_pairs_at_the_threshold_are_decided_by_the_exact_distance():
    """Large norms, distances a few float32 roundings from the threshold: a float32 Gram estimate alone errs by far
    more than the gap, so only the certified margin keeps these pairs right."""
    rng = np.random.default_rng(5)
    n, length = 12, 50_000
    base = (rng.standard_normal(length) * 10).astype(np.float32)  # ||u||^2 ~ 5e6
    u = np.repeat(base[None], n, axis=0)
    u += (rng.standard_normal((n, length)) * 0.003).astype(np.float32)
    a, b = np.triu_indices(n, k=1)
    exact = _row_by_row(u, a, b)
    norms = squared_norms(u)
    estimate, _ = gram_estimates(u, u, norms, norms)
    errors = np.abs(estimate[a, b] - np.array([exact[(i, j)] for i, j in zip(a, b)]))
    assert errors.max() > 1e-3  # the Gram form alone is far off here
    for i, j in [(0, 1), (2, 7), (5, 11)]:
        d = exact[(i, j)]
        for threshold, inside in [(d, True), (float(np.nextafter(d, -np.inf)), False),
                                  (d * (1 - 1e-7), False), (d * (1 + 1e-7), True)]:
            got, exact_pairs, gram_pairs = _tiled(u, a, b, threshold, block=5)
            found = {p for p in exact_pairs if got[p] <= threshold}
            assert ((i, j) in found) == inside
            assert found == {p for p, v in exact.items() if v <= threshold}
            assert all(got[p] == exact[p] for p in exact_pairs)


def test_gram_margin_covers_the_float32_error():
    rng = np.random.default_rng(11)
    for scale, length in [(1.0, 1000), (30.0, 40_000), (1e-3, 20_000)]:
        u = (rng.standard_normal((6, length)) * scale).astype(np.float32)
        u[3:] = u[:3] + (rng.standard_normal((3, length)) * scale * 1e-3).astype(np.float32)
        norms = squared_norms(u)
        estimate, margin = gram_estimates(u, u, norms, norms)
        exact = gram_distances(u.astype(np.float64))
        assert (np.abs(estimate - exact) <= margin).all()


@pytest.mark.parametrize("threshold", [0.05, 0.3])
def test_close_pairs_equal_the_index_row_by_row_and_cache_exact_distances_only(full_fake_hub, cache, threshold):
    entries = _items()
    n = len(entries)
    index, hashes, _ = _lpips_index(entries)
    try:
        found = close_pairs(index, hashes, np.triu(np.ones((n, n), bool), k=1), threshold)
        old = {(i, j): float(d) for i in range(n)
               for j, d in zip(range(i + 1, n), index.distances(hashes[i], hashes[i + 1:]))}
        known = {(i, j): d for i in range(n) for j in range(n) if (d := index.known(hashes[i]).get(hashes[j]))
                 is not None}
    finally:
        index.close()
    assert found.pairs == sorted((i, j, d) for (i, j), d in old.items() if d <= threshold)  # bit-identical
    assert found.gram > 0 and found.computed + found.skipped + found.gram == found.compared
    assert len(known) == found.computed  # only exact distances are cached
    assert all(d == np.float32(old[p]) for p, d in known.items())
    assert all(old[p] > threshold for p in set(old) - set(known))
