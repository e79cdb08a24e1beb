"""FilterSimilarAction and the review on the fast LPIPS path give the difference model's own distances."""

import numpy as np
import pytest

from tests.fakehub import solid
from waifuc_ui import inference as models
from waifuc_ui.action import FilterSimilarAction
from waifuc_ui.analysis import AnalysisCache, lpips_close_pairs, lpips_distance_matrix, use_analysis_cache
from waifuc_ui.analysis.lpips_pairs import close_pairs
from waifuc_ui.analysis.review import _lpips_index
from waifuc_ui.core.item import ImageItem
from waifuc_ui.core.report import collect_report
from waifuc_ui.inference import lpips_gram
from waifuc_ui.inference.lpips_gram import exact_distances, pair_distances


@pytest.fixture
def cache(tmp_path):
    with use_analysis_cache(AnalysisCache(tmp_path / "analysis")) as c:
        yield c


def _items():
    rng = np.random.default_rng(7)
    base = rng.integers(0, 256, (10, 3))
    base[1::3] = np.clip(base[0::3][:len(base[1::3])] + 9, 0, 255)
    return [ImageItem(solid(tuple(int(v) for v in c)), {"filename": f"c{i}.png"}) for i, c in enumerate(base)]


@pytest.mark.parametrize("stream", [True, False])
def test_drop_scores_equal_the_difference_model(full_fake_hub, cache, stream):
    """A stream decides in batches from Gram passes; one image at a time (``iter``) uses the bound, then pairs."""
    entries = _items()
    action = FilterSimilarAction(threshold=0.3)
    with collect_report() as report:
        kept = list(action.iter_from(iter(entries))) if stream else [o for e in entries for o in action.iter(e)]
    assert report.dropped
    by_name = {e.meta["filename"]: e for e in entries}
    for drop in report.dropped:
        model = models.lpips_difference(by_name[drop.duplicate_of].image, by_name[drop.filename].image)
        assert abs(drop.score - model) <= 1e-5 and drop.score <= 0.3
    names = [k.meta["filename"] for k in kept]
    if stream:
        assert action.pairs_gram > 0 and action.pairs_skipped == 0 and action._index.bound_count == 0
    else:  # bound vectors are held for kept images only: a dropped image is never compared again
        assert action.pairs_skipped > 0
        assert 2 <= action._index.bound_count <= len(kept) < len(entries)
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
    assert found.skipped == 0 and found.computed + found.gram == found.compared  # one Gram pass decides them
    matrix = lpips_distance_matrix(entries)  # every pair (the ones computed above come from the cached rows)
    assert np.abs(matrix[ii, jj] - model[ii, jj]).max() <= 1e-5


def _reference(u, a, b):
    return {(i, j): float(exact_distances(u[i], u[[j]])[0]) for i, j in zip(a.tolist(), b.tolist())}


def _norms(u):
    return np.array([float(np.dot(r.astype(np.float64), r.astype(np.float64))) for r in u])


def _columns_of(u, reads):
    def columns(rows, start, stop):
        reads.append((len(rows), stop - start))
        return u[rows, start:stop].copy()
    return columns


@pytest.mark.parametrize("slab_bytes, gram_bytes", [(96 << 20, 256 << 20), (40_000, 256 << 20), (40_000, 1_000)])
def test_gram_pass_gives_the_reference_pairs(monkeypatch, slab_bytes, gram_bytes):
    """One syrk over all rows, narrow column slabs, and row blocks (a Gram too big to hold) agree."""
    monkeypatch.setattr(lpips_gram, "SLAB_BYTES", slab_bytes)
    monkeypatch.setattr(lpips_gram, "GRAM_BYTES", gram_bytes)
    rng = np.random.default_rng(3)
    n, length = 23, 3000
    u = (rng.standard_normal((n, length)) * 0.02).astype(np.float32)
    u[1::4] = u[0::4][:len(u[1::4])] + (0.004 * rng.standard_normal((len(u[1::4]), length))).astype(np.float32)
    ii, jj = np.triu_indices(n, k=1)
    keep = rng.random(len(ii)) < 0.7
    a, b = ii[keep], jj[keep]
    ref = _reference(u, a, b)
    values = sorted(ref.values())
    threshold = (values[len(values) // 2] + values[len(values) // 2 + 1]) / 2  # between two pairs
    reads: list = []
    d, settled = pair_distances(_columns_of(u, reads), np.arange(n), _norms(u), a, b, length, threshold)
    got = dict(zip(zip(a.tolist(), b.tolist()), d.tolist()))
    assert max(abs(got[p] - ref[p]) for p in ref) <= 1e-12
    assert {p for p in ref if got[p] <= threshold} == {p for p, v in ref.items() if v <= threshold}
    assert not settled.any()  # nothing this close to the threshold
    passes = sum(w for _, w in reads if _ < n or w) / length
    assert passes >= 1 and all(rows <= 2 * n for rows, _ in reads)
    if slab_bytes < 1 << 20:
        assert max(w for _, w in reads) < length  # read by slabs


def test_pairs_at_the_threshold_are_decided_by_the_reference_form():
    """Large norms, thresholds one float64 ulp from a pair's distance: the Gram form's cancellation errs by more than
    the gap, so only the certified margin (and the reference form it calls for) keeps these pairs right."""
    rng = np.random.default_rng(5)
    n, length = 12, 50_000
    base = (rng.standard_normal(length) * 10).astype(np.float32)  # ||u||^2 ~ 5e6
    u = np.repeat(base[None], n, axis=0)
    u += (rng.standard_normal((n, length)) * 0.003).astype(np.float32)
    a, b = np.triu_indices(n, k=1)
    ref = _reference(u, a, b)
    columns = _columns_of(u, [])
    raw, _ = pair_distances(columns, np.arange(n), _norms(u), a, b, length, -1.0)  # far threshold: Gram values
    errors = np.abs(raw - np.array([ref[(i, j)] for i, j in zip(a, b)]))
    assert errors.max() > 1e-12  # the Gram form alone is not the reference here
    for i, j in [(0, 1), (2, 7), (5, 11)]:
        d = ref[(i, j)]
        for threshold, inside in [(d, True), (float(np.nextafter(d, -np.inf)), False),
                                  (d * (1 - 1e-12), False), (d * (1 + 1e-12), True)]:
            got, settled = pair_distances(columns, np.arange(n), _norms(u), a, b, length, threshold)
            found = {(int(x), int(y)) for x, y, v in zip(a, b, got) if v <= threshold}
            assert ((i, j) in found) == inside
            assert found == {p for p, v in ref.items() if v <= threshold}
            assert settled.any()
            assert all(got[k] == ref[(int(a[k]), int(b[k]))] for k in np.flatnonzero(settled))


def test_gram_margin_covers_the_error():
    rng = np.random.default_rng(11)
    for scale, length in [(1.0, 1000), (30.0, 40_000), (1e-3, 20_000)]:
        u = (rng.standard_normal((6, length)) * scale).astype(np.float32)
        u[3:] = u[:3] + (rng.standard_normal((3, length)) * scale * 1e-3).astype(np.float32)
        a, b = np.triu_indices(6, k=1)
        raw, _ = pair_distances(_columns_of(u, []), np.arange(6), _norms(u), a, b, length, -1.0)
        ref = np.array([exact_distances(u[i], u[[j]])[0] for i, j in zip(a, b)])
        norms = _norms(u)
        assert (np.abs(raw - ref) <= lpips_gram.gram_margin(length, norms[a], norms[b])).all()


@pytest.mark.parametrize("threshold", [0.05, 0.3])
@pytest.mark.parametrize("keep_all", [True, False])
def test_close_pairs_equal_the_index_pair_by_pair_and_cache_the_found_ones(full_fake_hub, cache, threshold, keep_all,
                                                                          monkeypatch):
    from waifuc_ui.analysis import lpips_pairs

    monkeypatch.setattr(lpips_pairs, "KNOWN_ALL_ROWS", 1000 if keep_all else 5)
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
    assert [(i, j) for i, j, _ in found.pairs] == sorted(p for p, d in old.items() if d <= threshold)
    assert all(abs(d - old[(i, j)]) <= 1e-12 for i, j, d in found.pairs)
    assert found.gram == found.compared and found.computed == 0
    cached = set(old) if keep_all else {(i, j) for i, j, _ in found.pairs}  # all, or (many images) the found ones
    assert set(known) == cached
    assert all(abs(d - old[p]) <= 1e-12 for p, d in known.items())
