"""FilterSimilarAction: LPIPS near-duplicate removal, first seen wins (waifuc/action/lpips.py).

Unlike waifuc, a new image is compared with EVERY kept image of the run (of similar aspect
ratio, ``np.isclose(kept, new, rtol, atol)``), not only the last ``capacity``; ``capacity`` is
accepted and ignored. Memory stays bounded: kept features (6.4 MB each, float32, exact) are
spilled to a temporary file (:class:`waifuc_ui.analysis.featurestore.FeatureSpill`), a window
holds at most ``window_size`` fresh features and a comparison batch at most ``PAIR_BATCH`` pairs.

Cached per image content: the aspect ratio, the LPIPS features, and a row of the LPIPS
distances already computed to other images (by content hash), so a re-run with the same images
compares nothing again and a changed threshold only computes the pairs it has not seen.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .. import inference as models
from ..analysis.featurestore import FeatureSpill
from ..analysis.hashing import content_hash
from ..core.errors import InternalError, InvalidOptionError
from ..core.item import ImageItem
from .analyzed import AnalyzedAction, RunState

#: LPIPS pairs per difference-model call (1 = waifuc's one call per pair)
PAIR_BATCH = 8
MODES = ("all", "group")
Features = tuple[np.ndarray, ...]


def lpips_files() -> list[Any]:
    return list(models.required_files("lpips_batch_differences"))


def lpips_keys() -> dict[str, dict[str, Any]]:
    """Cache keys: per-image meta (ratio), features, and distance rows."""
    feat_file, diff_file = [models.file_fingerprint(f) for f in lpips_files()]
    return {"meta": {"func": "lpips_meta", "files": [feat_file]},
            "features": {"func": "lpips_extract_feature", "files": [feat_file]},
            "rows": {"func": "lpips_difference_row", "files": [feat_file, diff_file]}}


def extract_features(images) -> list[Features]:
    """LPIPS features per image (tuples of 5 arrays without batch axis), one batched call."""
    maps = models.lpips_extract_feature(list(images))
    return [tuple(m[k] for m in maps) for k in range(len(images))]


def pair_distances(x: Features, ys: Features) -> np.ndarray:
    """LPIPS distance of the new image ``x`` to each kept row of ``ys`` (arrays [n, ...]), fed as waifuc does:
    ``lpips_difference(kept, new)``, i.e. kept -> ``feat_x_*``, new -> ``feat_y_*``."""
    n = ys[0].shape[0]
    xs = tuple(np.repeat(a[None], n, axis=0) for a in x)
    return np.asarray(models.lpips_batch_differences(ys, xs, batch_size=max(1, n)), dtype=np.float32)


class _Kept:
    __slots__ = ("hash", "ratio", "name", "row", "standin")

    def __init__(self, h: str, ratio: float, name: str | None, row: int | None, standin: ImageItem | None):
        self.hash, self.ratio, self.name, self.row, self.standin = h, ratio, name, row, standin


class _Bucket:
    def __init__(self):
        self.kept: list[_Kept] = []
        self.ratios = np.zeros(0, dtype=float)

    def candidates(self, ratio: float, rtol: float, atol: float) -> list[_Kept]:
        return [self.kept[i] for i in np.where(np.isclose(self.ratios, ratio, rtol=rtol, atol=atol))[0]]

    def add(self, entry: _Kept) -> None:
        self.kept.append(entry)
        self.ratios = np.append(self.ratios, entry.ratio)


class _RunLPIPS:
    def __init__(self, keys: dict[str, dict[str, Any]]):
        self.keys = keys
        self.store = FeatureSpill()
        self.buckets: dict[Any, _Bucket] = {}
        self.window: dict[str, Features] = {}
        self.pairs_computed = 0


class FilterSimilarAction(AnalyzedAction):
    """Drops an image whose LPIPS distance to an earlier kept image (same aspect ratio) is <= threshold.

    ``mode='all'``: one pool; ``mode='group'``: one pool per ``meta['group_id']``.
    """

    per_item = False  # compares each item with the items kept before it

    window_size = 8  # fresh LPIPS features are 6.4 MB each
    pair_batch = PAIR_BATCH
    _run_attrs = ("_run", "_lp")

    def __init__(self, mode: str = "all", threshold: float = 0.45, capacity: int = 500,
                 rtol: float = 5.e-2, atol: float = 2.e-2):
        if mode not in MODES:
            raise InvalidOptionError("FilterSimilarAction mode", mode, list(MODES),
                                     fix="'all' compares every image, 'group' only images with the same group_id.")
        self.mode, self.threshold, self.capacity = mode, threshold, capacity
        self.rtol, self.atol = rtol, atol
        self._lp: _RunLPIPS | None = None

    def __repr__(self) -> str:
        return f"FilterSimilarAction({self.mode!r}, threshold={self.threshold!r})"

    # -- analysis: ratio cached under the run key, features and rows under their own keys -----------------
    def required_files(self) -> list[Any]:
        return lpips_files()

    def analysis_key(self) -> dict[str, Any]:
        return lpips_keys()["meta"]

    def prepare(self) -> None:
        self._close()
        self._lp = _RunLPIPS(lpips_keys())

    def _close(self) -> None:
        if self._lp is not None and self._lp.store is not None:
            self._lp.store.close()

    def reset(self) -> None:
        super().reset()
        self._close()
        self._lp = None

    def analyze(self, images) -> list[dict[str, Any]]:
        feats = extract_features(images)
        return [{"ratio": im.height * 1.0 / im.width, "features": f} for im, f in zip(images, feats)]

    def store_analysis(self, run: RunState, h: str, analysis: Any) -> Any:
        lp = self._lp
        run.cache.put(h, lp.keys["features"], list(analysis["features"]))
        lp.window[h] = analysis["features"]
        meta = {"ratio": analysis["ratio"]}
        run.cache.put(h, run.key, meta)
        return meta

    def end_window(self) -> None:
        self._lp.window.clear()

    # -- features and distances ------------------------------------------------------------------------
    def _features_of(self, h: str, item: ImageItem | None) -> Features:
        lp = self._lp
        if h in lp.window:
            return lp.window[h]
        cached = self._run.cache.get(h, lp.keys["features"])
        if cached is not None and len(cached) == 5:
            return tuple(cached)
        if item is None:
            raise InternalError("LPIPS features are neither cached nor computable")  # not reached: see _keep
        (feats,) = extract_features([item.image])
        self._run.cache.put(h, lp.keys["features"], list(feats))
        return feats

    def _row_of(self, entry: _Kept) -> int:
        if entry.row is None:
            entry.row = self._lp.store.append(self._features_of(entry.hash, entry.standin))
            entry.standin = None
        return entry.row

    def _known(self, h: str) -> dict[str, float]:
        row = self._run.cache.get(h, self._lp.keys["rows"])
        if not row:
            return {}
        return dict(zip(row["h"], (float(v) for v in row["d"])))

    def _save_row(self, h: str, known: dict[str, float]) -> None:
        self._run.cache.put(h, self._lp.keys["rows"],
                            {"h": list(known), "d": np.asarray(list(known.values()), dtype=np.float32)})

    def fill_distances(self, h: str, item: ImageItem, others: Sequence[_Kept], known: dict[str, float],
                       stop=None) -> None:
        """Put the distance of image ``h`` to each of ``others`` into ``known``, ``PAIR_BATCH`` pairs per
        model call (``pair_batch``); ``stop(done_so_far)`` may end it early."""
        done: list[_Kept] = []
        step = max(1, self.pair_batch)
        for start in range(0, len(others), step):
            chunk = list(others[start:start + step])
            x = self._features_of(h, item)
            ys = self._lp.store.get([self._row_of(c) for c in chunk])
            for c, d in zip(chunk, pair_distances(x, ys)):
                known[c.hash] = float(d)
            self._lp.pairs_computed += len(chunk)
            done += chunk
            if stop is not None and stop(done):
                return

    def _first_duplicate(self, h: str, item: ImageItem, cands: Sequence[_Kept]) -> tuple[_Kept, float] | None:
        known = self._known(h)
        thr = self.threshold
        limit = next((k for k, c in enumerate(cands) if known.get(c.hash, np.inf) <= thr), len(cands))
        dirty = False
        for c in cands[:limit]:
            if c.hash == h and h not in known:  # identical pixels: identical features, distance 0
                known[c.hash] = 0.0
                dirty = True
        missing = [c for c in cands[:limit] if c.hash not in known]
        if missing:
            def found_duplicate(done: list[_Kept]) -> bool:
                last = cands.index(done[-1])
                return any(known[c.hash] <= thr for c in cands[:last + 1])

            self.fill_distances(h, item, missing, known, stop=found_duplicate)
            dirty = True
        if dirty:
            self._save_row(h, known)
        for c in cands:
            d = known.get(c.hash)
            if d is not None and d <= thr:  # python floats, as waifuc's lpips_difference(...) <= threshold
                return c, d
        return None

    # -- decision --------------------------------------------------------------------------------------
    def _bucket(self, group_id: Any) -> _Bucket:
        key = None if self.mode == "all" else group_id
        return self._lp.buckets.setdefault(key, _Bucket())

    def _keep(self, h: str, ratio: float, item: ImageItem) -> _Kept:
        lp = self._lp
        if h in lp.window:
            return _Kept(h, ratio, item.filename, lp.store.append(lp.window[h]), None)
        loader = getattr(item, "_loader", None)
        if loader is not None:  # a pixel-free stand-in: features are loaded only if ever needed
            return _Kept(h, ratio, item.filename, None, ImageItem(loader=loader, content_hash=h))
        return _Kept(h, ratio, item.filename, lp.store.append(self._features_of(h, item)), None)

    def decide(self, item: ImageItem, analysis: dict[str, Any]) -> Iterator[ImageItem]:
        h = content_hash(item)
        ratio = float(analysis["ratio"])
        bucket = self._bucket(item.meta.get("group_id"))
        cands = bucket.candidates(ratio, self.rtol, self.atol)
        dup = self._first_duplicate(h, item, cands) if cands else None
        if dup is not None:
            other, d = dup
            self.drop(item, f"near-duplicate of {other.name or other.hash[:12]}", score=d, threshold=self.threshold,
                      duplicate_of=other.name or other.hash)
            return
        bucket.add(self._keep(h, ratio, item))
        yield item

    def iter_from(self, iter_) -> Iterator[ImageItem]:
        try:
            yield from super().iter_from(iter_)
        finally:  # the run is over (or stopped): delete the temporary feature file now
            if self._lp is not None:
                self._lp.store.close()
                self._lp.store = None
                self._run = None

    @property
    def pairs_computed(self) -> int:
        """LPIPS pair distances computed by the model in this run (not read from the cache)."""
        return self._lp.pairs_computed if self._lp is not None else 0
