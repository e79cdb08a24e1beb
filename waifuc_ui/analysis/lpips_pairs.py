"""All pairs of a set of images within an LPIPS threshold: the duplicate review and ``lpips_clustering``.

On the fast path every pair to compare is decided by one float64 Gram pass over the spilled embeddings
(:func:`waifuc_ui.inference.lpips_gram.pair_distances`): the spill is read once, by column slabs, and BLAS
computes all the dot products, so the cost is one read of the embeddings plus ``n^2/2`` dot products, whatever the
distances. Images are split into the connected parts of the pairs to compare (aspect ratios never compared make
separate Grams). On the model path the difference model is called pair by pair.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..inference.lpips_gram import pair_distances
from .lpips import LPIPSIndex

#: parts smaller than this are packed together into one Gram (fewer, larger BLAS calls)
PACK_ROWS = 256
#: up to this many images in a Gram, every distance goes to the cache rows (FilterSimilarAction then computes
#: nothing the review computed); above it only the pairs found, since the rows would grow as n^2
KNOWN_ALL_ROWS = 1000


@dataclass
class ClosePairs:
    """Pairs (i, j, distance) with i < j and distance <= ``threshold``, and how many pairs were compared."""

    pairs: list[tuple[int, int, float]]
    threshold: float
    compared: int  # pairs of similar aspect ratio
    computed: int  # distances computed now by the reference form (model path: by the difference model)
    skipped: int  # ruled out by a lower bound (not used here: the Gram pass decides every pair)
    fast: bool
    gram: int = 0  # decided by the Gram pass (float64, farther from the threshold than its error bound)


def similar_ratio_pairs(ratios: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Upper-triangle mask of the pairs (i < j) to compare: ``np.isclose(ratio_j, ratio_i, rtol, atol)``."""
    close = np.isclose(ratios[None, :], ratios[:, None], rtol=rtol, atol=atol)  # [i, j]: isclose(r_j, r_i)
    return np.triu(close, k=1)


def link_groups(n: int, pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Connected components (size >= 2) of the graph with ``pairs`` as edges, each sorted, ordered by first member."""
    if n == 0:
        return []
    labels = _components(n, np.array([p[0] for p in pairs], np.int64), np.array([p[1] for p in pairs], np.int64))
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(i)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n)).tocsr()
    return connected_components(graph, directed=False)[1]


def _packed_parts(n: int, a: np.ndarray, b: np.ndarray) -> list[np.ndarray]:
    """Image indices per Gram: the connected parts of the pairs (a, b), small ones packed up to PACK_ROWS."""
    labels = _components(n, a, b)
    used = np.unique(np.concatenate([a, b]))
    by_label: dict[int, list[int]] = {}
    for i in used.tolist():
        by_label.setdefault(int(labels[i]), []).append(i)
    parts: list[np.ndarray] = []
    pack: list[int] = []
    for members in sorted(by_label.values(), key=len, reverse=True):
        if len(members) >= PACK_ROWS:
            parts.append(np.array(members))
            continue
        if len(pack) + len(members) > PACK_ROWS:
            parts.append(np.array(sorted(pack)))
            pack = []
        pack += members
    if pack:
        parts.append(np.array(sorted(pack)))
    return parts


def close_pairs(index: LPIPSIndex, hashes: Sequence[str], allowed: np.ndarray, threshold: float,
                progress: Callable[[int], None] | None = None) -> ClosePairs:
    """All pairs of ``allowed`` (mask over ``hashes``) with exact distance <= ``threshold``.

    Identical content is 0 apart; distances in the cache rows are reused; the rest come from Gram passes (fast
    path) or the difference model. The cache rows keep every distance computed (only the pairs found within
    ``threshold`` for a Gram of more than KNOWN_ALL_ROWS images)."""
    ii, jj = np.nonzero(allowed)
    found: list[tuple[int, int, float]] = []
    known = [index.known(h) for h in hashes]
    codes = np.unique(np.asarray(hashes), return_inverse=True)[1] if hashes else np.zeros(0, int)
    same = codes[ii] == codes[jj]
    found += [(i, j, 0.0) for i, j in zip(ii[same].tolist(), jj[same].tolist()) if threshold >= 0]
    todo = ~same
    has_known = np.array([bool(k) for k in known] + [False])[:len(hashes)]
    for k in np.flatnonzero(todo & (has_known[ii] | has_known[jj])).tolist():  # distances computed before
        i, j = int(ii[k]), int(jj[k])
        d = known[i].get(hashes[j], known[j].get(hashes[i]))
        if d is not None:
            todo[k] = False
            if d <= threshold:
                found.append((i, j, float(d)))
    a, b = ii[todo], jj[todo]
    computed_before, gram_before = index.pairs_computed, index.pairs_gram
    changed: set[int] = set()
    if index.fast and len(a):
        parts = _packed_parts(len(hashes), a, b)
        part_of = np.zeros(len(hashes), np.int64)
        for p, part in enumerate(parts):
            part_of[part] = p
        order = np.argsort(part_of[a], kind="stable")
        bounds = np.searchsorted(part_of[a][order], np.arange(len(parts) + 1))
        for done, part in enumerate(parts):
            inside = order[bounds[done]:bounds[done + 1]]
            pa, pb = np.searchsorted(part, a[inside]), np.searchsorted(part, b[inside])
            rows = np.array([index.row_of(hashes[k]) for k in part.tolist()], np.int64)
            ds, settled = pair_distances(index.columns, rows, index.norms(rows), pa, pb, index.embedding_length,
                                         threshold)
            keep_all = len(part) <= KNOWN_ALL_ROWS
            for i, j, dist in zip(part[pa].tolist(), part[pb].tolist(), ds.tolist()):
                if dist <= threshold:
                    found.append((i, j, dist))
                if keep_all or dist <= threshold:
                    known[i][hashes[j]] = dist
                    changed.add(i)
            index.pairs_computed += int(settled.sum())
            index.pairs_gram += int((~settled).sum())
            if progress is not None:
                progress(done)
    elif len(a):
        by_row: dict[int, list[int]] = {}
        for i, j in zip(a.tolist(), b.tolist()):
            by_row.setdefault(i, []).append(j)
        for done, (i, js) in enumerate(sorted(by_row.items())):
            ds = index.distances(hashes[i], [hashes[j] for j in js])
            for j, d in zip(js, ds):
                known[i][hashes[j]] = float(d)
                if d <= threshold:
                    found.append((i, j, float(d)))
            changed.add(i)
            if progress is not None:
                progress(done)
    for i in sorted(changed):
        index.save_known(hashes[i], known[i])
    found.sort()
    return ClosePairs(found, float(threshold), int(allowed.sum()), index.pairs_computed - computed_before, 0,
                      bool(index.fast), index.pairs_gram - gram_before)
