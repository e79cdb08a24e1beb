"""Review material from cached features, on the fake hub (CCIP and LPIPS features = mean colour)."""

import pytest
from PIL import Image

from waifuc_ui.analysis import AnalysisCache, ccip_review, lpips_duplicate_groups, use_analysis_cache
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.model import ImageItem

RED, BLUE, R1, R2 = (255, 0, 0), (0, 0, 255), (230, 0, 0), (180, 0, 0)


def items(*colours, size=(64, 48)):
    out = []
    for c in colours:
        if isinstance(c[0], tuple):
            c, s = c
        else:
            s = size
        out.append(ImageItem(Image.new("RGB", s, c)))
    return out


@pytest.fixture
def cache(tmp_path):
    with use_analysis_cache(AnalysisCache(tmp_path / "analysis")) as c:
        yield c


def test_ccip_review_clusters_biggest_first_and_threshold_change_reclusters_nothing(full_fake_hub, cache):
    entries = items(*([RED] * 7 + [BLUE] * 5))
    review = ccip_review(entries)
    red, blue = review.labels[0], review.labels[7]
    assert review.labels == [red] * 7 + [blue] * 5 and red != blue and -1 not in review.labels
    assert review.clusters == [(red, 7), (blue, 5)] and review.cluster_sizes == [7, 5] and review.noise == 0
    assert (review.eps, review.min_samples, review.method) == (0.5, 5, "optics")
    assert review.threshold == pytest.approx(0.17847511429108218)
    assert review.matrix.shape == (12, 12) and review.matrix[0, 7] == 1.0 and review.matrix[0, 1] == 0.0
    writes = cache.stats.writes
    again = ccip_review(entries, threshold=0.3)
    assert again.labels == review.labels and again.threshold == 0.3
    assert cache.stats.writes == writes  # same matrix, same labels: nothing recomputed
    assert again.same[0].tolist() == [True] * 7 + [False] * 5


def test_ccip_review_from_hashes_and_dbscan(full_fake_hub, cache):
    entries = items(*([RED] * 3 + [BLUE] * 2))
    ccip_review(entries, min_samples=2)
    hashes = [e.content_hash for e in entries]
    review = ccip_review(hashes, method="dbscan", min_samples=2)
    assert review.eps == pytest.approx(0.17847511429108218)  # dbscan: eps defaults to the threshold
    assert review.clusters == [(0, 3), (1, 2)]
    with pytest.raises(InvalidOptionError, match="without cached CCIP features"):
        ccip_review(["0" * 32])
    with pytest.raises(InvalidOptionError, match="'optics_best'"):
        ccip_review(hashes, method="kmeans")


def test_ccip_review_small_sets_are_noise_not_errors(full_fake_hub, cache):
    review = ccip_review(items(RED, RED, BLUE))
    assert review.labels == [-1, -1, -1] and review.clusters == [] and review.noise == 3


def test_lpips_groups_follow_the_threshold_from_one_matrix(full_fake_hub, cache):
    entries = items(RED, R1, BLUE, R2, (BLUE, (48, 64)))
    assert lpips_duplicate_groups(entries) == [[0, 1, 3]]
    writes = cache.stats.writes
    assert lpips_duplicate_groups(entries, threshold=0.05) == [[0, 1]]  # R1-R2 is 0.0825
    assert cache.stats.writes == writes  # below the first call's cap (REVIEW_CAP): the cached pairs answer
    # above the cap the pairs a bound skipped are computed; the other aspect ratio is never compared
    assert lpips_duplicate_groups(entries, threshold=5.0) == [[0, 1, 2, 3]]


def test_lpips_groups_reuse_distances_of_the_action(full_fake_hub, cache):
    from waifuc_ui.action import FilterSimilarAction

    entries = items(RED, R1, BLUE)
    list(FilterSimilarAction().iter_from(iter(entries)))
    assert lpips_duplicate_groups(entries) == [[0, 1]]
