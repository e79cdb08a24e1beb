"""Review material for the app, from cached model outputs: CCIP clusters and LPIPS duplicate groups.

Both functions take items (``ImageItem``; lazy ones are not decoded when their analysis is
cached) or, for CCIP, content hashes. The expensive part (features, the difference matrix) is
cached in the current analysis cache (memory + disk) under the set of content hashes, so a call
that only changes a threshold re-uses the matrix and costs milliseconds for 1,000 images.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.errors import InvalidOptionError
from ..core.item import ImageItem
from ..inference.clustering import METHODS, cluster_differences
from .ccip_features import DEFAULT_CCIP_MODEL, ccip_feature_key, ccip_features
from .context import current_analysis_cache
from .engine import Analyzer, RunState
from .hashing import content_hash
from .lpips import LPIPSIndex, analyze_images, lpips_files, lpips_keys
from .lpips_pairs import ClosePairs, close_pairs, link_groups
from .lpips_pairs import similar_ratio_pairs as _similar

ItemOrHash = ImageItem | str


def _set_id(hashes: Sequence[str], *extra: Any) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update("|".join(hashes).encode())
    h.update(repr(extra).encode())
    return h.hexdigest()


# ------------------------------------------------------------------------------------------------ CCIP
@dataclass
class CCIPReview:
    """CCIP clusters of a set of images.

    ``labels[i]`` is the cluster of input i (-1 = noise); ``clusters`` lists (label, size), biggest
    first; ``noise`` counts the unclustered inputs; ``matrix`` is the N x N difference matrix and
    ``same`` says which pairs are the same character at ``threshold``.
    """

    labels: list[int]
    clusters: list[tuple[int, int]]
    noise: int
    matrix: np.ndarray
    threshold: float
    eps: float
    min_samples: int
    method: str
    hashes: list[str] = field(default_factory=list)

    @property
    def cluster_sizes(self) -> list[int]:
        return [size for _, size in self.clusters]

    @property
    def same(self) -> np.ndarray:
        return self.matrix <= self.threshold


def _ccip_features(entries: Sequence[ItemOrHash], model: str) -> tuple[list[str], list[np.ndarray]]:
    cache = current_analysis_cache()
    key = ccip_feature_key(model)
    hashes = [e if isinstance(e, str) else content_hash(e) for e in entries]
    found = cache.get_many(hashes, key)
    missing = [i for i, h in enumerate(hashes) if h not in found]
    no_pixels = [i for i in missing if isinstance(entries[i], str)]
    if no_pixels:
        raise InvalidOptionError("images for the character review", f"{len(no_pixels)} without cached CCIP features",
                                 fix="run a CCIPAction step over them first, or pass the items instead of hashes")
    if missing:
        todo = {hashes[i]: entries[i] for i in missing}
        feats = ccip_features([item.image for item in todo.values() if isinstance(item, ImageItem)], model, {})
        for h, f in zip(todo, feats):
            cache.put(h, key, f)
            found[h] = f
    for i, e in enumerate(entries):
        if isinstance(e, ImageItem) and "ccip_feature" in e.meta:
            found[hashes[i]] = np.asarray(e.meta["ccip_feature"], dtype=np.float32)
    return hashes, [np.asarray(found[h], dtype=np.float32) for h in hashes]


def ccip_difference_matrix(entries: Sequence[ItemOrHash], model: str | None = None) -> tuple[list[str], np.ndarray]:
    """(content hashes, N x N CCIP differences), cached for the same set of images."""
    from .. import inference as models

    model = model or DEFAULT_CCIP_MODEL
    cache = current_analysis_cache()
    hashes = [e if isinstance(e, str) else content_hash(e) for e in entries]
    mkey = {"func": "ccip_review_matrix", "feature": ccip_feature_key(model),
            "metric": [models.file_fingerprint(f) for f in models.required_files("ccip_batch_differences", model=model)
                       if f.filename.endswith("model_metrics.onnx")]}
    set_id = _set_id(hashes)
    matrix = cache.get(set_id, mkey)
    if matrix is None:
        hashes, feats = _ccip_features(entries, model)
        matrix = np.asarray(models.ccip_batch_differences(feats, model=model), dtype=np.float32) if feats \
            else np.zeros((0, 0), np.float32)
        cache.put(set_id, mkey, matrix)
    return hashes, matrix


def ccip_review(entries: Sequence[ItemOrHash], threshold: float | None = None, eps: float | None = None,
                min_samples: int | None = None, method: str = "optics", model: str | None = None,
                imgutils_exact: bool = True) -> CCIPReview:
    """Cluster ``entries`` (items or content hashes) by character, as imgutils' ``ccip_clustering``.

    Defaults come from the model (``ccip_default_clustering_params``; ``eps or default`` as in
    imgutils); for the DBSCAN methods a given ``threshold`` is the default ``eps``. Labels are
    cached per (image set, method, eps, min_samples): changing only ``threshold`` (which
    ``same`` uses) re-clusters nothing. ``imgutils_exact`` (default: labels equal imgutils' also above 60
    images) see :func:`cluster_differences`; ``False`` is faster but may differ on rare inputs.
    """
    from .. import inference as models

    if method not in METHODS:
        raise InvalidOptionError("clustering method", method, list(METHODS), fix="Use one of these methods.")
    model = model or DEFAULT_CCIP_MODEL
    hashes, matrix = ccip_difference_matrix(entries, model)
    threshold = threshold if threshold is not None else models.ccip_default_threshold(model)
    default_eps, default_min = models.ccip_default_clustering_params(model, method)
    eps = eps or (threshold if "dbscan" in method and threshold else None) or default_eps
    min_samples = min_samples or default_min
    cache = current_analysis_cache()
    lkey = {"func": "ccip_review_labels", "method": method, "eps": float(eps), "min_samples": int(min_samples),
            "exact": imgutils_exact, "model": model}
    set_id = _set_id(hashes)
    labels = cache.get(set_id, lkey)
    if labels is None or len(labels) != len(hashes):
        labels = cluster_differences(matrix, method, eps, min_samples, imgutils_exact=imgutils_exact)
        cache.put(set_id, lkey, labels)
    sizes: dict[int, int] = {}
    for label in labels:
        if label != -1:
            sizes[label] = sizes.get(label, 0) + 1
    clusters = sorted(sizes.items(), key=lambda kv: (-kv[1], kv[0]))
    return CCIPReview(list(labels), clusters, labels.count(-1), matrix, float(threshold), float(eps),
                      int(min_samples), method, hashes)


# ------------------------------------------------------------------------------------------------ LPIPS
#: the review computes the pairs within at least this distance, so a slider below it re-uses them
REVIEW_CAP = 0.5
_WINDOW = 16


class _LPIPSRatios(Analyzer):
    """Aspect ratios of the review's images; fresh features go to the index (and the cache) as they come."""

    batch_size = None

    def __init__(self, index: LPIPSIndex):
        self.index = index

    def required_files(self) -> list[Any]:
        return lpips_files()

    def analysis_key(self) -> dict[str, Any]:
        return self.index.keys["meta"]

    def analyze(self, images) -> list[Any]:
        return analyze_images(images)

    def store_analysis(self, run: RunState, h: str, analysis: Any) -> Any:
        self.index.store_fresh(h, analysis["features"], cache=False)  # 6.4 MB each; the review keeps bounds
        meta = {"ratio": analysis["ratio"]}
        run.cache.put(h, run.key, meta)
        return meta


def _lpips_index(items: Sequence[ImageItem]) -> tuple[LPIPSIndex, list[str], np.ndarray]:
    """The index with every item a member (fresh embeddings spilled while their features are at hand), the
    content hashes and the aspect ratios (nan for an image the model could not take)."""
    index = LPIPSIndex(current_analysis_cache(), lpips_keys())
    engine = _LPIPSRatios(index)
    hashes = [content_hash(i) for i in items]
    metas: list[Any] = []
    for start in range(0, len(items), _WINDOW):
        window = list(items[start:start + _WINDOW])
        metas += engine.analyses_for(window)
        for h, item in zip(hashes[start:start + _WINDOW], window):
            index.add(h, item)
            if h in index.window:  # spill the embedding (or features) while at hand
                index.keep(h, item)
        index.window.clear()
    ratios = np.array([m["ratio"] if isinstance(m, dict) else np.nan for m in metas], dtype=float)
    return index, hashes, ratios


def lpips_close_pairs(items: Sequence[ImageItem], threshold: float = 0.45, rtol: float = 5.e-2,
                      atol: float = 2.e-2) -> ClosePairs:
    """Pairs (i, j, exact LPIPS distance <= ``threshold``) among images of similar aspect ratio (FilterSimilarAction's
    rule), as the difference model would give them. Cached per image set for thresholds up to
    ``max(threshold, REVIEW_CAP)``: a lower threshold re-uses them."""
    cache = current_analysis_cache()
    hashes = [content_hash(i) for i in items]
    keys = lpips_keys()
    pkey = {"func": "lpips_review_pairs", "rows": keys["rows"], "rtol": rtol, "atol": atol}
    set_id = _set_id(hashes)
    cached = cache.get(set_id, pkey)
    if cached is not None and cached["cap"] >= threshold:
        pairs = [(int(i), int(j), float(d)) for i, j, d in zip(cached["i"], cached["j"], cached["d"]) if d <= threshold]
        return ClosePairs(pairs, float(threshold), int(cached["compared"]), 0, 0, bool(cached["fast"]))
    cap = max(float(threshold), REVIEW_CAP)
    index, hashes, ratios = _lpips_index(items)
    try:
        found = close_pairs(index, hashes, _similar(ratios, rtol, atol), cap)
    finally:
        index.close()
    cache.put(set_id, pkey, {"cap": cap, "compared": found.compared, "fast": found.fast,
                             "i": [p[0] for p in found.pairs], "j": [p[1] for p in found.pairs],
                             "d": np.asarray([p[2] for p in found.pairs], np.float64)})
    found.pairs = [p for p in found.pairs if p[2] <= threshold]
    found.threshold = float(threshold)
    return found


def lpips_distance_matrix(items: Sequence[ImageItem], rtol: float = 5.e-2, atol: float = 2.e-2) -> np.ndarray:
    """N x N exact LPIPS distances between images of similar aspect ratio (others: inf), as FilterSimilarAction
    compares them; identical pixels are 0. Cached for the same set of images."""
    cache = current_analysis_cache()
    hashes = [content_hash(i) for i in items]
    mkey = {"func": "lpips_review_matrix", "rows": lpips_keys()["rows"], "rtol": rtol, "atol": atol}
    set_id = _set_id(hashes)
    matrix = cache.get(set_id, mkey)
    if matrix is not None:
        return matrix
    index, hashes, ratios = _lpips_index(items)
    try:
        found = close_pairs(index, hashes, _similar(ratios, rtol, atol), np.inf)
    finally:
        index.close()
    n = len(items)
    matrix = np.full((n, n), np.inf, dtype=np.float32)
    np.fill_diagonal(matrix, 0.0)
    for i, j, d in found.pairs:
        matrix[i, j] = matrix[j, i] = d
    cache.put(set_id, mkey, matrix)
    return matrix


def lpips_duplicate_groups(items: Sequence[ImageItem], threshold: float = 0.45, rtol: float = 5.e-2,
                           atol: float = 2.e-2) -> list[list[int]]:
    """Groups (lists of indices into ``items``, each of size >= 2) of images linked by LPIPS
    distance <= ``threshold``: the clusters of imgutils' ``lpips_clustering`` (DBSCAN, min_samples 2),
    comparing only similar aspect ratios as FilterSimilarAction does. Ordered by first member."""
    found = lpips_close_pairs(items, threshold, rtol, atol)
    return link_groups(len(items), [(i, j) for i, j, _ in found.pairs])
