"""FilterSimilarAction: LPIPS near-duplicate removal, first seen wins (waifuc/action/lpips.py).

Unlike waifuc, a new image is compared with EVERY kept image of the run (of similar aspect
ratio, ``np.isclose(kept, new, rtol, atol)``), not only the last ``capacity``; ``capacity`` is
accepted and ignored. Distances are exact LPIPS (:mod:`waifuc_ui.analysis.lpips`): the fast exact path when the
difference model is the LPIPS linear head, which also skips kept images a certified lower bound rules out, else
the difference model pair by pair. Memory stays bounded: kept embeddings are spilled to a temporary file, and
only kept images hold a bound vector (about 250 KB each); a dropped image is never compared again.

Cached per image content: the aspect ratio, the LPIPS features, the bound vectors and a row of the distances
already computed to other images, so a re-run with the same images compares nothing again and a changed
threshold only computes the pairs it has not seen.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..analysis.hashing import content_hash
from ..analysis.lpips import PAIR_BATCH, LPIPSIndex, analyze_images, lpips_files, lpips_keys
from ..core.errors import InvalidOptionError
from ..core.item import ImageItem
from .analyzed import AnalyzedAction, RunState

MODES = ("all", "group")


class _Kept:
    __slots__ = ("hash", "ratio", "name")

    def __init__(self, h: str, ratio: float, name: str | None):
        self.hash, self.ratio, self.name = h, ratio, name


class _Bucket:
    def __init__(self) -> None:
        self.kept: list[_Kept] = []
        self.ratios = np.zeros(0, dtype=float)

    def candidates(self, ratio: float, rtol: float, atol: float) -> list[_Kept]:
        return [self.kept[i] for i in np.where(np.isclose(self.ratios, ratio, rtol=rtol, atol=atol))[0]]

    def add(self, entry: _Kept) -> None:
        self.kept.append(entry)
        self.ratios = np.append(self.ratios, entry.ratio)


class FilterSimilarAction(AnalyzedAction):
    """Drops an image whose LPIPS distance to an earlier kept image (same aspect ratio) is <= threshold.

    ``mode='all'``: one pool; ``mode='group'``: one pool per ``meta['group_id']``.
    """

    per_item = False  # compares each item with the items kept before it

    window_size = 8  # fresh LPIPS features are 6.4 MB each
    pair_batch = PAIR_BATCH
    _run_attrs = ("_run", "_lp", "_buckets")

    def __init__(self, mode: str = "all", threshold: float = 0.45, capacity: int = 500,
                 rtol: float = 5.e-2, atol: float = 2.e-2):
        if mode not in MODES:
            raise InvalidOptionError("FilterSimilarAction mode", mode, list(MODES),
                                     fix="'all' compares every image, 'group' only images with the same group_id.")
        self.mode, self.threshold, self.capacity = mode, threshold, capacity
        self.rtol, self.atol = rtol, atol
        self._lp: LPIPSIndex | None = None
        self._buckets: dict[Any, _Bucket] = {}

    @property
    def _index(self) -> LPIPSIndex:
        if self._lp is None:
            self.begin()
        assert self._lp is not None
        return self._lp

    def __repr__(self) -> str:
        return f"FilterSimilarAction({self.mode!r}, threshold={self.threshold!r})"

    # -- analysis: ratio cached under the run key, features, bounds and rows under their own keys --------------
    def required_files(self) -> list[Any]:
        return lpips_files()

    def analysis_key(self) -> dict[str, Any]:
        return lpips_keys()["meta"]

    def prepare(self) -> None:
        self._close()
        from ..analysis.context import current_analysis_cache

        self._lp = LPIPSIndex(current_analysis_cache(), lpips_keys())
        self._buckets = {}

    def _close(self) -> None:
        if self._lp is not None:
            self._index.close()

    def reset(self) -> None:
        super().reset()
        self._close()
        self._lp = None
        self._buckets = {}

    def analyze(self, images) -> list[dict[str, Any]]:
        return analyze_images(images)

    def store_analysis(self, run: RunState, h: str, analysis: Any) -> Any:
        self._index.store_fresh(h, analysis["features"])
        meta = {"ratio": analysis["ratio"]}
        run.cache.put(h, run.key, meta)
        return meta

    def end_window(self) -> None:
        self._index.window.clear()

    # -- decision --------------------------------------------------------------------------------------
    def _first_duplicate(self, h: str, cands: Sequence[_Kept]) -> tuple[_Kept, float] | None:
        lp, thr = self._index, self.threshold
        known = lp.known(h)
        limit = next((k for k, c in enumerate(cands) if known.get(c.hash, np.inf) <= thr), len(cands))
        dirty = False
        for c in cands[:limit]:
            if c.hash == h and h not in known:  # identical pixels: identical features, distance 0
                known[c.hash] = 0.0
                dirty = True
        missing = [c.hash for c in cands[:limit] if c.hash not in known]
        if missing:
            missing = [m for m, ok in zip(missing, lp.candidates(h, missing, thr)) if ok]
            step = max(1, self.pair_batch)
            for start in range(0, len(missing), step):  # in kept order: stop at the first duplicate
                chunk = missing[start:start + step]
                for o, d in zip(chunk, lp.distances(h, chunk)):
                    known[o] = float(d)
                dirty = True
                if any(known[o] <= thr for o in chunk):
                    break
        if dirty:
            lp.save_known(h, known)
        for c in cands:
            d = known.get(c.hash)
            if d is not None and d <= thr:  # python floats, as waifuc's lpips_difference(...) <= threshold
                return c, d
        return None

    def _bucket(self, group_id: Any) -> _Bucket:
        key = None if self.mode == "all" else group_id
        return self._buckets.setdefault(key, _Bucket())

    def decide(self, item: ImageItem, analysis: dict[str, Any]) -> Iterator[ImageItem]:
        h = content_hash(item)
        ratio = float(analysis["ratio"])
        self._index.add(h, item)
        bucket = self._bucket(item.meta.get("group_id"))
        cands = bucket.candidates(ratio, self.rtol, self.atol)
        dup = self._first_duplicate(h, cands) if cands else None
        if dup is not None:
            self._index.forget(h)
            other, d = dup
            self.drop(item, f"near-duplicate of {other.name or other.hash[:12]}", score=d, threshold=self.threshold,
                      duplicate_of=other.name or other.hash)
            return
        self._index.keep(h, item)
        bucket.add(_Kept(h, ratio, item.filename))
        yield item

    def iter_from(self, iter_) -> Iterator[ImageItem]:
        try:
            yield from super().iter_from(iter_)
        finally:  # the run is over (or stopped): delete the temporary embedding file now
            if self._lp is not None:
                self._index.close()
                self._run = None

    @property
    def pairs_computed(self) -> int:
        """Exact LPIPS pair distances computed in this run (not read from the cache)."""
        return self._lp.pairs_computed if self._lp is not None else 0

    @property
    def spill_folder(self) -> str | None:
        """The temporary folder of the kept images' embeddings (None when there is none)."""
        return self._lp.spill_folder if self._lp is not None else None

    @property
    def pairs_skipped(self) -> int:
        """Pairs a certified lower bound ruled out in this run (fast path only)."""
        return self._lp.pairs_skipped if self._lp is not None else 0
