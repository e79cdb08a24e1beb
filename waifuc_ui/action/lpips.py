"""FilterSimilarAction: LPIPS near-duplicate removal, first seen wins (waifuc/action/lpips.py).

Unlike waifuc, a new image is compared with EVERY kept image of the run (of similar aspect
ratio, ``np.isclose(kept, new, rtol, atol)``), not only the last ``capacity``; ``capacity`` is
accepted and ignored. Distances are exact LPIPS (:mod:`waifuc_ui.analysis.lpips`): the fast exact path when the
difference model is the LPIPS linear head, else the difference model pair by pair.

On the fast path a run holds its decisions back for a batch of images (up to PENDING_ITEMS, or PENDING_BYTES of
pixels): every new image's distances to the kept images and to the batch's earlier images come from one Gram pass
over the spilled embeddings (:func:`waifuc_ui.inference.lpips_gram.pair_distances`, the kept embeddings read once
per batch), then the batch is decided in arrival order exactly as one image at a time would be. One image at a time
(``iter``), a kept image a certified lower bound rules out is skipped, and only kept images hold a bound vector.

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
from ..inference.lpips_gram import pair_distances
from .analyzed import AnalyzedAction, RunState

MODES = ("all", "group")
#: most images whose decision waits for one Gram pass, and most pixel bytes they hold
PENDING_ITEMS = 256
PENDING_BYTES = 256 << 20


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

    window_size = 16  # fresh LPIPS features are 6.4 MB each; on the fast path their embeddings are spilled at once
    pair_batch = PAIR_BATCH
    _run_attrs = ("_run", "_lp", "_buckets", "_pending")

    def __init__(self, mode: str = "all", threshold: float = 0.45, capacity: int = 500,
                 rtol: float = 5.e-2, atol: float = 2.e-2):
        if mode not in MODES:
            raise InvalidOptionError("FilterSimilarAction mode", mode, list(MODES),
                                     fix="'all' compares every image, 'group' only images with the same group_id.")
        self.mode, self.threshold, self.capacity = mode, threshold, capacity
        self.rtol, self.atol = rtol, atol
        self._lp: LPIPSIndex | None = None
        self._buckets: dict[Any, _Bucket] = {}
        self._pending: list[tuple[ImageItem, str, float]] | None = None  # held for a batch (None: decide at once)

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
        self._pending = None

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
        self._index.store_fresh(h, analysis["features"])  # a re-run at another threshold needs no model call
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
        if self._pending is None or not self._index.fast:
            yield from self._decide_now(item, h, ratio)
            return
        if h in self._index.window:
            self._index.row_of(h)  # spill the embedding while its features are at hand
        self._pending.append((item, h, ratio))
        held = sum(_pixel_bytes(i) for i, _, _ in self._pending)
        if len(self._pending) >= PENDING_ITEMS or held >= PENDING_BYTES:
            yield from self._flush()

    def finish(self) -> Iterator[ImageItem]:
        yield from self._flush()

    def _flush(self) -> Iterator[ImageItem]:
        pending, self._pending = self._pending or [], [] if self._pending is not None else None
        if pending:
            self._batch_distances(pending)
        for item, h, ratio in pending:
            yield from self._decide_now(item, h, ratio)

    def _batch_distances(self, pending: Sequence[tuple[ImageItem, str, float]]) -> None:
        """Every distance the batch's decisions may need (to kept images and to the batch's earlier images), in
        one Gram pass, into each new image's cached row of known distances."""
        lp, thr = self._index, self.threshold
        index: dict[str, int] = {}
        pairs: list[tuple[int, int]] = []
        knowns = []
        for k, (item, h, ratio) in enumerate(pending):
            known = lp.known(h)
            knowns.append(known)
            bucket = self._bucket(item.meta.get("group_id"))
            others = [c.hash for c in bucket.candidates(ratio, self.rtol, self.atol)]
            others += [o for i, o, r in pending[:k] if self._bucket(i.meta.get("group_id")) is bucket
                       and np.isclose(r, ratio, rtol=self.rtol, atol=self.atol)]
            for o in dict.fromkeys(others):
                if o != h and o not in known:
                    pairs.append((index.setdefault(h, len(index)), index.setdefault(o, len(index))))
        if not pairs:
            return
        hashes = list(index)
        rows = np.array([lp.row_of(x) for x in hashes], np.int64)
        a, b = np.array(pairs).T
        d, settled = pair_distances(lp.columns, rows, lp.norms(rows), a, b, lp.embedding_length, thr)
        lp.pairs_computed += int(settled.sum())
        lp.pairs_gram += int((~settled).sum())
        by_hash = {h: known for (_, h, _), known in zip(pending, knowns)}
        for i, j, dist in zip(a.tolist(), b.tolist(), d.tolist()):
            by_hash[hashes[i]][hashes[j]] = dist
        for h, known in by_hash.items():
            lp.save_known(h, known)

    def _decide_now(self, item: ImageItem, h: str, ratio: float) -> Iterator[ImageItem]:
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
            self.begin()
            self._pending = []  # a stream: decisions wait for a batch (see the module text)
            yield from super().iter_from(iter_)
        finally:  # the run is over (or stopped): delete the temporary embedding file now
            self._pending = None
            if self._lp is not None:
                self._index.close()
                self._run = None

    @property
    def pairs_gram(self) -> int:
        """Pairs decided by a Gram pass in this run (batched fast path)."""
        return self._lp.pairs_gram if self._lp is not None else 0

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


def _pixel_bytes(item: ImageItem) -> int:
    if not item.is_loaded:
        return 0
    width, height = item.image.size
    return width * height * len(item.image.getbands())
