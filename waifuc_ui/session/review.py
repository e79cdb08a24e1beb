"""Review of duplicates (LPIPS or perceptual-hash groups) in a session (characters: see characters.py).

Duplicates: groups of the items entering the first dedup step (FilterSimilarAction: LPIPS; HashDedupAction or no
dedup step: 64-bit perceptual hash, no model), or of the final dataset when there is no dedup step. Exact
duplicates (same pixels) are always grouped, whatever the threshold, and also listed apart (``exact_groups``).
The keeper of a group is its largest image (at the same size, the lossless file over a JPEG) unless chosen by
hand; :meth:`Duplicates.apply` keeps only keepers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.errors import InvalidOptionError
from .editing import PipelineEditor
from .review_models import ReviewModels
from .runs import CacheScope, Runs
from .store import ItemRecord, ItemStore


def lpips_pair_count(sizes: Sequence[tuple], rtol: float = 5e-2, atol: float = 2e-2) -> int:
    """How many pairs LPIPS would compare: images whose aspect ratios h/w are close (FilterSimilarAction's rule)."""
    if len(sizes) < 2:
        return 0
    ratios = np.array([h / w for w, h in sizes], dtype=float)
    close = np.isclose(ratios[:, None], ratios[None, :], rtol=rtol, atol=atol)
    return int(np.triu(close, k=1).sum())
DUP_REASON = "duplicate (review): another image of its group was kept"
DEDUP_ACTIONS = ("FilterSimilarAction", "HashDedupAction")
FINAL = "final"


@dataclass
class DuplicateGroup:
    ids: list[str]  # largest first
    keeper: str
    exact: bool  # all members have the same pixels


@dataclass
class DuplicateView:
    uid: str  # the dedup step, or "final"
    method: str  # "lpips" or "phash"
    threshold: float
    groups: list[DuplicateGroup] = field(default_factory=list)
    exact_groups: list[DuplicateGroup] = field(default_factory=list)
    note: str = ""  # why the method differs from the step's, when it does


#: Files whose bytes went through lossy compression: a copy of the same picture in another format is preferred.
LOSSY_EXTENSIONS = frozenset({".jpg", ".jpeg", ".jfif", ".webp", ".avif"})


def keeper_rank(record: ItemRecord) -> tuple:
    """Sort key of a duplicate group, best keeper first: the larger picture; at the same size the lossless file
    over a JPEG (a re-encode of the original), then the larger file (less compression), then the input order."""
    lossy = os.path.splitext(record.file)[1].lower() in LOSSY_EXTENSIONS
    return -(record.width * record.height), lossy, -record.file_bytes, record.id


def hamming_matrix(hashes: Sequence[int]) -> np.ndarray:
    """Pairwise Hamming distances of 64-bit hashes."""
    h = np.array([int(x) & ((1 << 64) - 1) for x in hashes], dtype=np.uint64)
    x = h[:, None] ^ h[None, :]
    bytes_ = x.view(np.uint8).reshape(len(h), len(h), 8)
    return np.unpackbits(bytes_, axis=-1).sum(axis=-1).astype(np.int32)


class Duplicates:
    """``groups()`` computes the view (``view``: the last one); ``set_keeper``, ``apply`` and ``reset`` change the
    dedup step's selection (or, without a dedup step, what the dataset excludes at the end)."""

    def __init__(self, store: ItemStore, pipeline: PipelineEditor, runs: Runs, models: ReviewModels,
                 cache_scope: CacheScope):
        self._store = store
        self._pipeline = pipeline
        self._runs = runs
        self._models = models
        self._cache_scope = cache_scope
        self._keepers: dict[str, str] = {}  # any member id -> keeper chosen by hand
        self._phash: dict[str, int] = {}  # content hash -> perceptual hash
        self._final_excluded: dict[str, str] = {}  # id -> keeper (dedup review without a dedup step)
        self.view: DuplicateView | None = None

    def _dedup_step_uid(self) -> str | None:
        step = self._pipeline.first_step(DEDUP_ACTIONS)
        return None if step is None else step.uid

    def _dup_scope(self) -> tuple:
        step = self._pipeline.first_step(DEDUP_ACTIONS)
        if step is None:
            return FINAL, "phash", self._runs.result().output_ids()
        return step.uid, ("lpips" if step.action == "FilterSimilarAction" else "phash"), \
            self._runs.step_inputs(step.uid)

    def _phash_of(self, item_id: str) -> int:
        rec = self._store.get(item_id)
        if rec.content_hash not in self._phash:
            from ..action.image_hashes import phash

            self._phash[rec.content_hash] = phash(self._store.item(item_id).image)
        return self._phash[rec.content_hash]

    def groups(self, threshold: float | None = None, method: str | None = None) -> DuplicateView:
        """Groups at ``threshold`` (LPIPS distance, default 0.45; or Hamming bits for phash, default 10).

        ``method`` None picks LPIPS for a FilterSimilarAction step (exact at any size), else phash; 'lpips' or
        'phash' force the method."""
        if method not in (None, "lpips", "phash"):
            raise InvalidOptionError("duplicate method", method, ["lpips", "phash"], "choose lpips or phash")
        uid, auto, ids = self._dup_scope()
        method = method or auto
        records = [self._store.get(i) for i in ids]
        by_hash: dict[str, list[int]] = {}
        for n, r in enumerate(records):
            by_hash.setdefault(r.content_hash, []).append(n)
        exact = [g for g in by_hash.values() if len(g) > 1]
        reps = [g[0] for g in by_hash.values()]  # one per distinct pixel content
        note = ""  # LPIPS is exact at any size (analysis.lpips): no switch to hashing by size
        rep_groups: list[list[int]]
        if method == "lpips":
            threshold = 0.45 if threshold is None else float(threshold)
            with self._cache_scope():
                raw = self._models.lpips_groups(self._runs.items([ids[k] for k in reps]), threshold=threshold)
            rep_groups = [[int(x) for x in g] for g in raw]
        else:
            threshold = 10 if threshold is None else int(threshold)
            matrix = hamming_matrix([self._phash_of(ids[k]) for k in reps])
            a, b = np.nonzero(np.triu(matrix <= threshold, k=1))
            from ..analysis import link_groups

            rep_groups = link_groups(len(reps), list(zip(a.tolist(), b.tolist())))
        members = [[n for k in g for n in by_hash[records[reps[k]].content_hash]] for g in rep_groups]
        view = DuplicateView(uid, method, float(threshold), note=note)
        for g in members:
            view.groups.append(self._group([ids[n] for n in g], exact=False))
        for g in exact:
            grp = self._group([ids[n] for n in g], exact=True)
            view.exact_groups.append(grp)
            if not any(set(grp.ids) <= set(x.ids) for x in view.groups):
                view.groups.append(grp)
        view.groups.sort(key=lambda g: (-len(g.ids), g.ids[0]))
        self.view = view
        return view

    def _group(self, ids: list[str], exact: bool) -> DuplicateGroup:
        recs = sorted((self._store.get(i) for i in ids), key=keeper_rank)
        ordered = [r.id for r in recs]
        chosen = [self._keepers[i] for i in ordered if i in self._keepers and self._keepers[i] in ordered]
        return DuplicateGroup(ordered, chosen[0] if chosen else ordered[0], exact)

    def set_keeper(self, item_id: str) -> DuplicateView:
        """Make ``item_id`` the keeper of its group (remembered across thresholds)."""
        view = self.view or self.groups()
        for g in view.groups:
            if item_id in g.ids:
                for member in g.ids:
                    self._keepers[member] = item_id
                g.keeper = item_id
                return view
        raise InvalidOptionError("keeper", item_id, fix="choose an image shown in a duplicate group")

    def apply(self) -> DuplicateView:
        """Keep only the keepers of the current groups (at the dedup step, or at the end of the pipeline)."""
        view = self.view or self.groups()
        removed = {i: g.keeper for g in view.groups for i in g.ids if i != g.keeper}
        if view.uid == FINAL:
            self._final_excluded = removed
        else:
            keep = [i for i in self._runs.step_inputs(view.uid) if i not in removed]
            self._pipeline.decisions.set_selection(view.uid, keep, DUP_REASON, removed)
        return view

    def reset(self) -> None:
        """Forget the duplicate review: keepers chosen by hand and the applied groups (the dedup step decides
        again on the next run)."""
        self._keepers.clear()
        self._final_excluded = {}
        uid = self._dedup_step_uid()
        if uid is not None:
            self._pipeline.decisions.clear_selection(uid)
        self.view = None

    # -- persistence (session.json, project files) ------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The review choices that are not decisions: keepers chosen by hand, the duplicate review applied to the
        final dataset. (Cluster and group views are recomputed from the cached features.)"""
        return {"keepers": dict(sorted(self._keepers.items())),
                "final_excluded": dict(sorted(self._final_excluded.items()))}

    def load_state(self, data: dict[str, Any]) -> None:
        self._phash, self.view = {}, None
        self._keepers = {str(k): str(v) for k, v in (data.get("keepers") or {}).items()}
        self._final_excluded = {str(k): str(v) for k, v in (data.get("final_excluded") or {}).items()}

    def final_exclusions(self) -> dict[str, str]:
        """Items removed by a duplicate review applied to the final dataset (id -> keeper)."""
        return dict(self._final_excluded)
