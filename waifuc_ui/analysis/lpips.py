"""LPIPS features and distances as analyses: the store FilterSimilarAction and the duplicate review share.

Cached per image content: the aspect ratio (``meta``), the LPIPS features, the certified lower-bound vectors
(``bounds``, a few KB) and a row of the exact distances already computed to other images (``rows``), so a re-run
compares nothing again and a changed threshold only computes the pairs it has not seen.

Distances come from the fast exact path of :mod:`waifuc_ui.inference.lpips_linear` when the difference model is
the LPIPS linear head (checked once per model file), else from the difference model pair by pair. On the fast
path the embeddings (about 5.6 MB each) are spilled to a temporary file (:mod:`waifuc_ui.inference.lpips_gram`);
FilterSimilarAction skips a pair whose certified lower bound is above the threshold, and only kept images hold a
bound vector (a dropped image is never compared again). All pairs at once: :mod:`.lpips_pairs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import inference as models
from ..core.errors import InternalError
from ..core.item import ImageItem
from ..inference import lpips_linear as linear
from ..inference.lpips_gram import VectorSpill, exact_distances
from .cache import AnalysisCache
from .featurestore import FeatureSpill

Features = tuple[np.ndarray, ...]
#: LPIPS pairs per difference-model call on the model path (1 = waifuc's one call per pair)
PAIR_BATCH = 8


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
    pairs_gram: int = 0  # distances decided by a Gram pass (not settled by the reference form)

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
                out[start:start + len(chunk)] = exact_distances(self._embedding(h), self._vectors.get(rows))
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

    def columns(self, rows: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Values ``start:stop`` of the spilled embeddings at spill ``rows`` (float32 [len(rows), stop - start])."""
        if self._vectors is None or not self.fast:
            raise InternalError("LPIPS embeddings were asked for on the model path (fast=False)")
        return self._vectors.columns(rows, start, stop)

    def norms(self, rows: np.ndarray) -> np.ndarray:
        """Squared norms (float64) of the spilled embeddings at spill ``rows``."""
        if self._vectors is None:
            raise InternalError("LPIPS embeddings were asked for on the model path (fast=False)")
        return self._vectors.norms(rows)

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
        self.cache.put(h, self.keys["rows"], {"h": list(known), "d": np.asarray(list(known.values()), np.float64)})

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
