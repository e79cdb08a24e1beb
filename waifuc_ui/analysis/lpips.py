"""LPIPS features and distances as analyses: the store FilterSimilarAction and the duplicate review share.

Cached per image content: the aspect ratio (``meta``), the LPIPS features, the certified lower-bound vectors
(``bounds``, a few KB) and a row of the exact distances already computed to other images (``rows``), so a re-run
compares nothing again and a changed threshold only computes the pairs it has not seen.

Distances come from the fast exact path of :mod:`waifuc_ui.inference.lpips_linear` when the difference model is
the LPIPS linear head (checked once per model file), else from the difference model pair by pair. On the fast
path a pair whose lower bound is above the threshold is skipped: it cannot be within it; in :func:`close_pairs` the
others go through float32 Gram tiles of image blocks (each block's embeddings read once per tile row), which decide
the pairs clearly above the threshold (certified margin) and leave the rest to the exact form.
Memory stays bounded: the embeddings of members (about 5.5 MB each) are spilled to a temporary file; only the
bound vectors (about 100 KB per image) stay in memory, and in FilterSimilarAction only those of kept images (a
dropped image is never compared again, so its vector is never added to the matrix).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import inference as models
from ..core.errors import InternalError, InvalidArgumentError
from ..core.item import ImageItem
from ..inference import lpips_linear as linear
from .cache import AnalysisCache
from .featurestore import FeatureSpill

Features = tuple[np.ndarray, ...]
#: LPIPS pairs per difference-model call on the model path (1 = waifuc's one call per pair)
PAIR_BATCH = 8
#: embeddings the exact stage of :func:`close_pairs` holds at once (two blocks of images)
TILE_BYTES = 512 << 20


def lpips_files() -> list[Any]:
    return list(models.required_files("lpips_batch_differences"))


def lpips_keys() -> dict[str, dict[str, Any]]:
    """Cache keys: per-image meta (ratio), features, bound vectors and distance rows."""
    feat_file, diff_file = [models.file_fingerprint(f) for f in lpips_files()]
    return {"meta": {"func": "lpips_meta", "files": [feat_file]},
            "features": {"func": "lpips_extract_feature", "files": [feat_file]},
            "bounds": {"func": "lpips_bounds", "grid": linear.BOUND_GRID, "files": [feat_file, diff_file]},
            "rows": {"func": "lpips_difference_row", "files": [feat_file, diff_file]}}


def extract_features(images) -> list[Features]:
    """LPIPS features per image (tuples of 5 arrays without batch axis), one batched call."""
    maps = models.lpips_extract_feature(list(images))
    return [tuple(m[k] for m in maps) for k in range(len(images))]


def analyze_images(images) -> list[dict[str, Any]]:
    """The analysis of each image: its aspect ratio h/w and its LPIPS features."""
    feats = extract_features(images)
    return [{"ratio": im.height * 1.0 / im.width, "features": f} for im, f in zip(images, feats)]


def model_pair_distances(x: Features, ys: Features) -> np.ndarray:
    """Difference-model distance of the new image ``x`` to each row of ``ys`` (arrays [n, ...]), fed as waifuc
    does: ``lpips_difference(kept, new)``, i.e. kept -> ``feat_x_*``, new -> ``feat_y_*``."""
    n = ys[0].shape[0]
    xs = tuple(np.repeat(a[None], n, axis=0) for a in x)
    return np.asarray(models.lpips_batch_differences(ys, xs, batch_size=max(1, n)), dtype=np.float32)


class VectorSpill:
    """Append-only float32 vectors of one length in a temporary file; reads copy the requested rows."""

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="waifuc_ui_lpips_")
        self._file = open(os.path.join(self.directory, "vectors.f32"), "w+b")
        self._length: int | None = None
        self.count = 0

    def append(self, vector: np.ndarray) -> int:
        data = np.ascontiguousarray(vector, dtype=np.float32)
        if self._length is None:
            self._length = data.size
        if data.size != self._length:
            raise InvalidArgumentError(f"vector of {data.size} values in a store of {self._length}",
                                       "use one store per model")
        self._file.seek(0, os.SEEK_END)
        self._file.write(data.tobytes())
        self.count += 1
        return self.count - 1

    @property
    def length(self) -> int:
        return self._length or 0

    def get(self, rows: Sequence[int]) -> np.ndarray:
        """float32 [len(rows), length]."""
        self._file.flush()
        out = np.empty((len(rows), self._length or 0), np.float32)
        size = out.shape[1] * 4
        for k, row in enumerate(rows):
            got = os.preadv(self._file.fileno(), [memoryview(out[k]).cast("B")], int(row) * size)
            if got != size:
                raise OSError(f"short read of the LPIPS vector store ({got} of {size} bytes)")
        return out

    def close(self) -> None:
        try:
            self._file.close()
        except OSError:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)

    def __del__(self) -> None:
        self.close()


@dataclass
class _Member:
    item: ImageItem | None  # where features come from if they are not cached (pixel-free stand-ins allowed)
    row: int | None = None  # in the spill (embedding on the fast path, features on the model path)
    bound: int | None = None  # row in the index's bound matrix
    kept: bool = False


@dataclass
class LPIPSIndex:
    """One run's images (by content hash): features, certified lower bounds and exact distances.

    ``fast`` (None: the difference model decides) uses the exact embedding path; ``pairs_computed`` counts exact
    distances computed here, ``pairs_skipped`` the pairs a lower bound ruled out.
    """

    cache: AnalysisCache
    keys: dict[str, dict[str, Any]]
    fast: bool | None = None
    window: dict[str, Features] = field(default_factory=dict)
    pairs_computed: int = 0
    pairs_skipped: int = 0
    pairs_gram: int = 0  # decided above the threshold by a Gram tile (no exact distance)

    def __post_init__(self) -> None:
        head = linear.linear_head()
        if self.fast is None:
            self.fast = head.exact
        self.head = head if self.fast else None
        self._members: dict[str, _Member] = {}
        self._vectors: VectorSpill | None = None  # embeddings (fast path)
        self._features: FeatureSpill | None = None  # features (model path)
        self._parts: list[tuple[int, int, int, int]] | None = None
        self._current: tuple[str, np.ndarray] | None = None  # the last embedding computed (the new image's)
        self._bounds: np.ndarray | None = None  # float32 [capacity, K]: one bound vector per row
        self._loose: tuple[str, np.ndarray] | None = None  # the new image's bound vector, not yet in the matrix
        self._bound_norms: list[float] = []
        self._bound_count = 0
        self._reserved = 0

    # -- members and their data ------------------------------------------------------------------------------
    def add(self, h: str, item: ImageItem | None) -> None:
        """Make ``h`` known (``item``: where to read pixels if its features are not cached)."""
        member = self._members.setdefault(h, _Member(item))
        if member.item is None:
            member.item = item

    def keep(self, h: str, item: ImageItem) -> None:
        """``h`` stays a member: its embedding goes to the spill now when its pixels or features are at hand,
        else a pixel-free stand-in of ``item`` is held and loaded only if a distance ever needs it."""
        member = self._members.setdefault(h, _Member(None))
        member.kept = True
        if self._loose is not None and self._loose[0] == h:
            self.bound_row(h)
        if member.row is None:
            if h in self.window or item.is_loaded:
                member.item = item
                self.row_of(h)
            else:
                member.item = item.with_meta()

    def forget(self, h: str) -> None:
        """Drop a member that was only compared (not kept)."""
        member = self._members.get(h)
        if member is not None and not member.kept:
            del self._members[h]
            if self._loose is not None and self._loose[0] == h:
                self._loose = None
            if self._current is not None and self._current[0] == h:
                self._current = None

    def features_of(self, h: str) -> Features:
        if h in self.window:
            return self.window[h]
        cached = self.cache.get(h, self.keys["features"])
        if cached is not None and len(cached) == 5:
            return tuple(cached)
        item = self._members[h].item
        if item is None:
            raise KeyError(f"LPIPS features of {h} are neither cached nor computable")
        (feats,) = extract_features([item.image])
        self.cache.put(h, self.keys["features"], list(feats))
        return feats

    def store_fresh(self, h: str, features: Features, cache: bool = True) -> None:
        """Features just computed by the engine: held for this window, and cached unless ``cache`` is False
        (their bound vector and distances are cached anyway; the features are read again only for exact pairs)."""
        if cache:
            self.cache.put(h, self.keys["features"], list(features))
        self.window[h] = features

    def _embedding(self, h: str) -> np.ndarray:
        if self._current is not None and self._current[0] == h:
            return self._current[1]
        member = self._members.get(h)
        if member is not None and member.row is not None and self._vectors is not None:
            u = self._vectors.get([member.row])[0]
            self._current = (h, u)
            return u
        if self.head is None:
            raise InternalError("an LPIPS embedding was asked for on the model path (fast=False)")
        feats = self.features_of(h)
        u = linear.embed([f[None] for f in feats], self.head)[0]
        if self._parts is None:
            self._parts = linear.layout(self.head, [f.shape[1:] for f in feats])
        self._current = (h, u)
        return u

    def reserve(self, count: int) -> None:
        """Room for ``count`` bound vectors (avoids growing the matrix when the count is known)."""
        if self._bounds is not None and len(self._bounds) < count:
            grown = np.zeros((count, self._bounds.shape[1]), np.float32)
            grown[:self._bound_count] = self._bounds[:self._bound_count]
            self._bounds = grown
        self._reserved = max(self._reserved, count)

    def bound_vector(self, h: str) -> np.ndarray:
        """``h``'s bound vector (block sums of its embedding, cached per image), float32; it gets a row in the bound
        matrix only through :meth:`bound_row` (a member compared again later)."""
        member = self._members.get(h)
        if member is not None and member.bound is not None and self._bounds is not None:
            return self._bounds[member.bound]
        if self._loose is not None and self._loose[0] == h:
            return self._loose[1]
        vector = self.cache.get(h, self.keys["bounds"])
        if vector is None:
            u = self._embedding(h)[None]
            assert self._parts is not None
            vector = linear.pool(u, self._parts, linear.BOUND_GRID)[0].astype(np.float32)
            self.cache.put(h, self.keys["bounds"], vector)
        vector = np.asarray(vector, dtype=np.float32)
        self._loose = (h, vector)
        return vector

    def bound_row(self, h: str) -> int:
        """The row of ``h``'s bound vector in the bound matrix (added on first use)."""
        member = self._members[h]
        if member.bound is None:
            vector = self.bound_vector(h)
            if self._loose is not None and self._loose[0] == h:
                self._loose = None
            if self._bounds is None:
                self._bounds = np.zeros((max(8, self._reserved), vector.size), np.float32)
            elif self._bound_count == len(self._bounds):
                self.reserve(max(8, self._bound_count * 3 // 2))
            self._bounds[self._bound_count] = vector
            self._bound_norms.append(float(np.dot(vector.astype(np.float64), vector.astype(np.float64))))
            member.bound = self._bound_count
            self._bound_count += 1
        return member.bound

    @property
    def bound_count(self) -> int:
        """Bound vectors held in the matrix (in FilterSimilarAction: kept images only)."""
        return self._bound_count

    def bound_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The bound matrix (float32 [count, K]) and the squared norms of its rows (float64)."""
        assert self._bounds is not None
        return self._bounds[:self._bound_count], np.asarray(self._bound_norms)

    def row_of(self, h: str) -> int:
        """The member's row in the spill (written on first use)."""
        member = self._members[h]
        if member.row is None:
            if self.fast:
                self._vectors = self._vectors or VectorSpill()
                member.row = self._vectors.append(self._embedding(h))
            else:
                self._features = self._features or FeatureSpill()
                member.row = self._features.append(self.features_of(h))
            member.item = None  # no pixels needed any more
        return member.row

    # -- distances ---------------------------------------------------------------------------------------------
    def candidates(self, h: str, others: Sequence[str], threshold: float) -> np.ndarray:
        """Which of ``others`` may be within ``threshold`` of ``h``: False only where the certified lower bound
        (block sums of the embeddings, float32 with its worst-case rounding added) is above it. All True on the
        model path."""
        if not self.fast or not others:
            return np.ones(len(others), bool)
        rows = np.array([self.bound_row(o) for o in others])
        own = self.bound_vector(h)  # no row for the new image: it gets one only if it is compared again
        own_norm = float(np.dot(own.astype(np.float64), own.astype(np.float64)))
        matrix, norms = self.bound_rows()
        dots = (matrix @ own).astype(np.float64)[rows]
        lower = own_norm + norms[rows] - 2 * dots
        lower -= linear.bound_margin(matrix.shape[1], np.full(len(rows), own_norm), norms[rows])
        alive = lower <= threshold
        self.pairs_skipped += int((~alive).sum())
        return alive

    def distances(self, h: str, others: Sequence[str]) -> np.ndarray:
        """Exact distances of the new image ``h`` to ``others`` (model: others -> ``feat_x``), float [len(others)]."""
        out = np.zeros(len(others), np.float64)
        for start in range(0, len(others), PAIR_BATCH):
            chunk = list(others[start:start + PAIR_BATCH])
            rows = [self.row_of(o) for o in chunk]
            if self._vectors is not None and self.fast:
                out[start:start + len(chunk)] = linear.row_distances(self._embedding(h), self._vectors.get(rows))
            elif self._features is not None:
                out[start:start + len(chunk)] = model_pair_distances(self.features_of(h), self._features.get(rows))
            self.pairs_computed += len(chunk)
        return out

    def embeddings(self, hashes: Sequence[str]) -> np.ndarray:
        """The embeddings of ``hashes`` (fast path), float32 [len(hashes), length], spilled first if new."""
        rows = [self.row_of(h) for h in hashes]
        if self._vectors is None or not self.fast:
            raise InternalError("LPIPS embeddings were asked for on the model path (fast=False)")
        return self._vectors.get(rows)

    @property
    def embedding_length(self) -> int:
        """Values per embedding (0 before the first one is spilled)."""
        return 0 if self._vectors is None else self._vectors.length

    def known(self, h: str) -> dict[str, float]:
        """Distances of ``h`` already computed (by content hash), from the cache."""
        row = self.cache.get(h, self.keys["rows"])
        if not row:
            return {}
        return dict(zip(row["h"], (float(v) for v in row["d"])))

    def save_known(self, h: str, known: dict[str, float]) -> None:
        self.cache.put(h, self.keys["rows"], {"h": list(known), "d": np.asarray(list(known.values()), np.float32)})

    def close(self) -> None:
        """Delete the temporary spill file."""
        for spill in (self._vectors, self._features):
            if spill is not None:
                spill.close()
        self._vectors = self._features = None
        for member in self._members.values():
            member.row = None
        self._current = None

    @property
    def spill_folder(self) -> str | None:
        spill = self._vectors or self._features
        return spill.directory if spill is not None else None


# ------------------------------------------------------------------------------------------------ all pairs
@dataclass
class ClosePairs:
    """Pairs (i, j, distance) with i < j and distance <= ``threshold``, and how many pairs were compared."""

    pairs: list[tuple[int, int, float]]
    threshold: float
    compared: int  # pairs of similar aspect ratio
    computed: int  # exact distances computed now
    skipped: int  # ruled out by a lower bound
    fast: bool
    gram: int = 0  # decided above the threshold by a float32 Gram tile (certified margin), no exact distance


def similar_ratio_pairs(ratios: np.ndarray, rtol: float, atol: float) -> np.ndarray:
    """Upper-triangle mask of the pairs (i < j) to compare: ``np.isclose(ratio_j, ratio_i, rtol, atol)``."""
    close = np.isclose(ratios[None, :], ratios[:, None], rtol=rtol, atol=atol)  # [i, j]: isclose(r_j, r_i)
    return np.triu(close, k=1)


def close_pairs(index: LPIPSIndex, hashes: Sequence[str], allowed: np.ndarray, threshold: float,
                progress: Callable[[int], None] | None = None) -> ClosePairs:
    """All pairs of ``allowed`` (mask over ``hashes``) with exact distance <= ``threshold``.

    Fast path: one Gram matrix of the coarsest bound vectors rules most pairs out, finer bounds the next ones,
    then the rest go through Gram tiles (:func:`tiled_distances`): pairs clearly above the threshold are decided there,
    the others get exact distances. Distances already in the cache rows are reused; only exact ones are cached.
    """
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
    skipped = 0
    if len(a) and index.fast:  # one float32 Gram matrix of the bound vectors, in row blocks
        index.reserve(len(hashes))
        brow = np.array([index.bound_row(h) for h in hashes])
        matrix, norms = index.bound_rows()
        alive = np.zeros(len(a), bool)
        order = np.argsort(a, kind="stable")
        a, b = a[order], b[order]
        starts = np.searchsorted(a, np.arange(0, len(hashes) + 256, 256))
        for block in range(len(starts) - 1):
            lo, hi = starts[block], starts[block + 1]
            if lo == hi:
                continue
            rows_i = brow[a[lo:hi]]
            unique, inverse = np.unique(rows_i, return_inverse=True)
            dots = (matrix[unique] @ matrix.T)[inverse, brow[b[lo:hi]]].astype(np.float64)
            na, nb = norms[rows_i], norms[brow[b[lo:hi]]]
            lower = na + nb - 2 * dots - linear.bound_margin(matrix.shape[1], na, nb)
            alive[lo:hi] = lower <= threshold
        skipped = int((~alive).sum())
        a, b = a[alive], b[alive]
    computed_before, gram_before = index.pairs_computed, index.pairs_gram
    if index.fast and len(a):
        index.row_of(hashes[int(a[0])])  # the spill knows the embedding length from the first one

        def load(idx: np.ndarray) -> np.ndarray:
            return index.embeddings([hashes[k] for k in idx.tolist()])

        for done, (ks, ds, exact) in enumerate(tiled_distances(load, a, b, threshold, index.embedding_length)):
            changed = set()
            for k, d, ex in zip(ks.tolist(), ds.tolist(), exact.tolist()):
                i, j = int(a[k]), int(b[k])
                if ex:
                    known[i][hashes[j]] = d
                    changed.add(i)
                    if d <= threshold:
                        found.append((i, j, d))
            index.pairs_computed += int(exact.sum())
            index.pairs_gram += int((~exact).sum())
            for i in sorted(changed):
                index.save_known(hashes[i], known[i])
            if progress is not None:
                progress(done)
    else:
        by_row: dict[int, list[int]] = {}
        for i, j in zip(a.tolist(), b.tolist()):
            by_row.setdefault(i, []).append(j)
        for done, (i, js) in enumerate(sorted(by_row.items())):
            ds = index.distances(hashes[i], [hashes[j] for j in js])
            for j, d in zip(js, ds):
                known[i][hashes[j]] = float(d)
                if d <= threshold:
                    found.append((i, j, float(d)))
            index.save_known(hashes[i], known[i])
            if progress is not None:
                progress(done)
    index.pairs_skipped += skipped
    found.sort()
    return ClosePairs(found, float(threshold), int(allowed.sum()), index.pairs_computed - computed_before, skipped,
                      bool(index.fast), index.pairs_gram - gram_before)


def tile_size(length: int) -> int:
    """Images per block of the exact stage: two blocks of embeddings of ``length`` values fit TILE_BYTES."""
    return max(1, TILE_BYTES // (2 * 4 * max(1, int(length))))


def tiled_distances(load: Callable[[np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray, threshold: float,
                    length: int, block: int | None = None) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Distances of the pairs ``(a[k], b[k])`` of image indices, by tiles of image blocks: ``load(indices)`` gives
    the embeddings (float32 [len, length]); each block is read once per tile row and every tile is one chunked
    float32 Gram product (:func:`linear.gram_estimates`). A pair whose estimate is above ``threshold`` by more
    than its certified margin is decided there; the others get :func:`linear.row_distances` (the exact form).

    Yields, per block of the smaller index, ``(pair indices k, distances, exact)``: ``distances[k]`` is exact where
    ``exact`` is True, else the Gram estimate (only known to be above the threshold)."""
    block = block or tile_size(length)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    images = np.unique(np.concatenate([lo, hi]))
    blo, bhi = np.searchsorted(images, lo) // block, np.searchsorted(images, hi) // block
    norms = np.full(len(images), np.nan)  # squared norms (float64), computed on an image's first load

    def norms_of(rows: np.ndarray, u: np.ndarray) -> np.ndarray:
        at = np.searchsorted(images, rows)
        for k in np.flatnonzero(np.isnan(norms[at])).tolist():
            norms[at[k]] = linear.squared_norms(u[k:k + 1])[0]  # a view: no copy of the block
        return norms[at]

    for p in np.unique(blo).tolist():
        in_p = np.flatnonzero(blo == p)
        rows_p = images[p * block:(p + 1) * block]
        u_p = load(rows_p)
        n_p = norms_of(rows_p, u_p)
        out_k, out_d, out_x = [], [], []
        for q in np.unique(bhi[in_p]).tolist():
            ks = in_p[bhi[in_p] == q]
            if q == p:
                rows_q, u_q, n_q = rows_p, u_p, n_p
            else:
                rows_q = np.unique(hi[ks])
                u_q = load(rows_q)
                n_q = norms_of(rows_q, u_q)
            li, hj = np.searchsorted(rows_p, lo[ks]), np.searchsorted(rows_q, hi[ks])
            estimate, margin = linear.gram_estimates(u_p, u_q, n_p, n_q)
            d = estimate[li, hj]
            exact = d - margin[li, hj] <= threshold
            for start in range(0, int(exact.sum()), PAIR_BATCH):  # exact form, grouped by row
                sel = np.flatnonzero(exact)[start:start + PAIR_BATCH]
                for row in np.unique(li[sel]).tolist():
                    mine = sel[li[sel] == row]
                    d[mine] = linear.row_distances(u_p[row], u_q[hj[mine]])
            out_k.append(ks)
            out_d.append(d)
            out_x.append(exact)
            del u_q
        yield np.concatenate(out_k), np.concatenate(out_d), np.concatenate(out_x)


def link_groups(n: int, pairs: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Connected components (size >= 2) of the graph with ``pairs`` as edges, each sorted, ordered by first member."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if n == 0:
        return []
    rows = np.array([p[0] for p in pairs], dtype=np.int64)
    cols = np.array([p[1] for p in pairs], dtype=np.int64)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    return sorted((g for g in groups.values() if len(g) > 1), key=lambda g: g[0])
