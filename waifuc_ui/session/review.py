"""Review of duplicates (LPIPS or perceptual-hash groups) in a session (characters: see characters.py).

Which step decides: LPIPS groups are decided at the FilterSimilarAction step, perceptual-hash groups at the
HashDedupAction step; without that step, at the end of the pipeline (the dataset leaves them out). What is compared
(``scope``): every image of the session (``"session"``: the images reaching that step and every image an earlier step
dropped) or only the images reaching it (``"step"``). Exact duplicates (same pixels) are always grouped.

The keeper of a group is the larger picture, at about the same size the original (lossless, not re-encoded from a
JPEG, higher JPEG quality, sharper: analysis.originality) unless a person chose one. Choices are kept by image key
(``'<file name>@<pixel hash>'``, as scripts key images): keepers, and "not a duplicate" splits (the picked images
leave their group and stand alone), so they hold across thresholds, methods, re-runs, added images and reopening
the session. :meth:`Duplicates.apply` drops every member but the keeper at the
deciding step (when the keeper does not reach it, the best member that does is kept instead); after every run the
applied review is worked out again for the images of that run (new images take part).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..action.reviewed import stream_keys
from ..core.errors import InvalidOptionError
from .duplicate_groups import (
    DEFAULT_HASH_BITS,
    Candidate,
    CannotLink,
    Split,
    hamming_matrix,
    keeper_order,
    keeper_reason,
    lpips_pair_count,
)
from .editing import PipelineEditor
from .review_models import ReviewModels
from .run_standing import compared_images, where_images_stand
from .runs import CacheScope, Runs
from .store import ItemStore

__all__ = ["DEDUP_ACTIONS", "DUP_REASON", "FINAL", "SCOPES", "DuplicateGroup", "DuplicateView", "Duplicates",
           "duplicate_reason", "hamming_matrix", "lpips_pair_count"]

log = logging.getLogger(__name__)

DUP_REASON = "duplicate (review): another image of its group was kept"
LPIPS_STEP, HASH_STEP = "FilterSimilarAction", "HashDedupAction"
DEDUP_ACTIONS = (LPIPS_STEP, HASH_STEP)
FINAL = "final"
SCOPES = ("session", "step")
END_LABEL = "the end of the pipeline"
REVIEW_DROP = "the duplicate review"


def duplicate_reason(keeper_name: str) -> str:
    """The drop reason of a duplicate the review removed, naming the file kept."""
    return f"duplicate of {keeper_name} (kept by review)"


@dataclass
class DuplicateGroup:
    ids: list[str]  # best keeper first
    keeper: str  # the person's choice, else the first
    exact: bool  # all members have the same pixels
    kept: str | None = None  # the member the deciding step keeps (None: no member reaches it)
    why: str = ""  # why the keeper is the keeper

    @property
    def keeper_reaches(self) -> bool:
        return self.kept == self.keeper


@dataclass
class DuplicateView:
    """Groups at ``threshold`` by ``method`` over ``pool`` (the images compared, ``scope``), decided at step ``uid``
    (``"final"``: the end of the pipeline; ``step_label`` names it). ``reaching``: the pool's images that reach that
    step; ``standing``: where each pool image stands now; ``removed``: what applying the view drops there (id ->
    kept id); ``apart``: images set apart by hand. ``applied``: the dataset holds this view's choice."""

    uid: str
    method: str  # "lpips" or "phash"
    threshold: float
    scope: str = "session"
    hasher: str = "phash"
    step_label: str = END_LABEL
    groups: list[DuplicateGroup] = field(default_factory=list)
    exact_groups: list[DuplicateGroup] = field(default_factory=list)
    pool: list[str] = field(default_factory=list)
    reaching: list[str] = field(default_factory=list)
    standing: dict[str, str] = field(default_factory=dict)
    removed: dict[str, str] = field(default_factory=dict)
    apart: list[str] = field(default_factory=list)
    applied: bool = False
    note: str = ""

    @property
    def dropped_earlier(self) -> int:
        return len(self.pool) - len(self.reaching)

    def group_of(self, item_id: str) -> DuplicateGroup | None:
        return next((g for g in self.groups if item_id in g.ids), None)


class Duplicates:
    """``groups()`` computes the view (``view``: the last one); ``set_keeper``, ``keep``, ``not_duplicate``,
    ``regroup``, ``apply`` and ``reset`` change the review. Applying sets the deciding step's selection (or, without
    that step, what the dataset leaves out at the end)."""

    def __init__(self, store: ItemStore, pipeline: PipelineEditor, runs: Runs, models: ReviewModels,
                 cache_scope: CacheScope):
        self._store = store
        self._pipeline = pipeline
        self._runs = runs
        self._models = models
        self._cache_scope = cache_scope
        self._keepers: dict[str, str] = {}  # member key -> keeper key chosen by hand
        self._splits: list[Split] = []  # "not a duplicate", in the order made
        self._applied: dict[str, Any] | None = None  # method, threshold, scope of the applied review
        self._final_excluded: dict[str, str] = {}  # id -> kept id (review decided at the end of the pipeline)
        self._final_reasons: dict[str, str] = {}
        self._ranks: dict[tuple[str, ...], list[str]] = {}  # a set of ids -> best keeper first
        self._reasons: dict[tuple[str, ...], str] = {}  # a group (keeper first) -> why the keeper
        self.scope = "session"
        self.view: DuplicateView | None = None
        self._view_of: object = None

    # -- where the review decides --------------------------------------------------------------------------------
    def _decider(self, method: str) -> tuple[str, str, Any]:
        """(uid, label, step) of the step deciding ``method``'s groups; ("final", ..., None) without one."""
        step = self._pipeline.first_step([LPIPS_STEP if method == "lpips" else HASH_STEP])
        if step is None:
            return FINAL, END_LABEL, None
        run = self._runs.result()
        label = next((sr.label for sr in run.steps if sr.uid == step.uid), step.action)
        return step.uid, label, step

    def auto_method(self) -> str:
        """LPIPS when the pipeline has a FilterSimilarAction step that ran (not skipped for a missing model)."""
        return "phash" if self._lpips_skipped() or self._pipeline.first_step([LPIPS_STEP]) is None else "lpips"

    def _lpips_skipped(self) -> bool:
        step = self._pipeline.first_step([LPIPS_STEP])
        run = self._runs.last
        return step is not None and run is not None and step.uid in run.unavailable

    def _pool(self, uid: str, scope: str) -> tuple[list[str], list[str]]:
        """(pool, reaching): the images compared and those of them that reach step ``uid``."""
        run = self._runs.result()
        if uid != FINAL and not any(sr.uid == uid for sr in run.steps):
            raise InvalidOptionError("duplicate review", "the dedup step did not run",
                                     fix="run the whole pipeline (the last run stopped before its dedup step)")
        return compared_images(run, None if uid == FINAL else uid, every=scope == "session")

    def _standing(self, ids: Iterable[str]) -> dict[str, str]:
        return where_images_stand(self._runs.result(), ids, self._store, self._final_excluded, REVIEW_DROP)

    # -- names and keys ------------------------------------------------------------------------------------------
    def name(self, item_id: str) -> str:
        """The image's file name (a converted image: its source's), never an internal id."""
        metas = self._runs.last.output_metas() if self._runs.last is not None else {}
        rec = self._store.get(item_id)
        name, walker = (metas.get(item_id) or rec.meta).get("filename"), rec
        while not name and walker.parent_id:
            walker = self._store.get(walker.parent_id)
            name = walker.meta.get("filename")
        return str(name or os.path.basename(rec.file))

    def _keys(self, ids: Sequence[str]) -> dict[str, str]:
        metas = self._runs.result().output_metas()
        pairs = [((metas.get(i) or self._store.get(i).meta).get("filename"), self._store.get(i).content_hash)
                 for i in ids]
        return dict(zip(ids, stream_keys(pairs)))

    def _candidate(self, item_id: str) -> Candidate:
        rec = walker = self._store.get(item_id)
        while walker.origin != "input" and walker.parent_id:  # a converted image: judge the file it came from
            walker = self._store.get(walker.parent_id)
        return Candidate(item_id, rec.width, rec.height, walker.file, walker.file_bytes)

    # -- grouping ------------------------------------------------------------------------------------------------
    def _perceptual(self, ids: Sequence[str], hasher: str) -> list[int]:
        """``hasher``'s hash of each image, from the analysis cache (on disk: a new session on the same images
        decodes none of them), computed and stored there when missing."""
        from ..analysis.perceptual import images_hashes

        with self._cache_scope():
            return [p for _, p in images_hashes(self._runs.items(list(ids)), hasher)]

    def groups(self, threshold: float | None = None, method: str | None = None,
               scope: str | None = None) -> DuplicateView:
        """Groups at ``threshold`` (LPIPS distance, default the FilterSimilarAction step's; or hash bits, default
        the HashDedupAction step's ``max_distance``, else 6). ``method`` None: LPIPS when the pipeline has a
        FilterSimilarAction step, else the perceptual hash. ``scope``: 'session' (every image of the session) or
        'step' (only the images reaching the deciding step); None: the last one chosen."""
        if method not in (None, "lpips", "phash"):
            raise InvalidOptionError("duplicate method", method, ["lpips", "phash"], "choose lpips or phash")
        if scope not in (None, *SCOPES):
            raise InvalidOptionError("duplicate scope", scope, list(SCOPES),
                                     "choose 'session' (every image) or 'step' (the images reaching the dedup step)")
        self.scope = scope or self.scope
        view = self._compute(threshold, method or self.auto_method(), self.scope)
        if method is None and view.method == "phash" and self._lpips_skipped():
            view.note = "FilterSimilarAction was skipped (its LPIPS model is missing): compared by perceptual hash"
        self.view, self._view_of = view, self._runs.last
        return view

    def current(self) -> DuplicateView:
        """The last view if it describes the last run, else a new one with the same settings."""
        if self.view is not None and self._view_of is self._runs.last:
            return self.view
        if self.view is not None:
            return self.groups(self.view.threshold, self.view.method, self.view.scope)
        return self.groups()

    def _compute(self, threshold: float | None, method: str, scope: str) -> DuplicateView:
        uid, label, step = self._decider(method)
        pool, reaching = self._pool(uid, scope)
        params = step.params if step is not None else {}
        hasher = str(params.get("method") or "phash") if method == "phash" else "phash"
        if method == "lpips":
            threshold = float(params.get("threshold", 0.45)) if threshold is None else float(threshold)
        else:
            default = params.get("max_distance", DEFAULT_HASH_BITS) if step is not None else DEFAULT_HASH_BITS
            threshold = int(default if threshold is None else threshold)
        view = DuplicateView(uid, method, float(threshold), scope, hasher, label, pool=pool, reaching=reaching)
        records = [self._store.get(i) for i in pool]
        by_hash: dict[str, list[int]] = {}
        for n, r in enumerate(records):
            by_hash.setdefault(r.content_hash, []).append(n)
        reps = [g[0] for g in by_hash.values()]  # one per distinct pixel content
        linked: list[list[int]]
        if method == "lpips":
            with self._cache_scope():
                raw = self._models.lpips_groups(self._runs.items([pool[k] for k in reps]), threshold=threshold)
            linked = [[int(x) for x in g] for g in raw]
        else:
            matrix = hamming_matrix(self._perceptual([pool[k] for k in reps], hasher))
            a, b = np.nonzero(np.triu(matrix <= threshold, k=1))
            from ..analysis import link_groups

            linked = link_groups(len(reps), list(zip(a.tolist(), b.tolist())))
        grouped = {k for g in linked for k in g}
        linked += [[k] for k in range(len(reps)) if k not in grouped]  # exact copies of an image linked to none
        keys = self._keys(pool)
        cannot = CannotLink.of(self._splits)
        for g in linked:
            members = [pool[n] for k in g for n in by_hash[records[reps[k]].content_hash]]
            if len(members) < 2:
                continue
            ordered = self._ordered(members)
            for part in cannot.split([keys[i] for i in ordered]):
                ids = [ordered[n] for n in part]
                if len(ids) > 1:
                    view.groups.append(self._group(ids, keys, reaching))
        view.groups.sort(key=lambda grp: (-len(grp.ids), pool.index(grp.ids[0])))
        view.exact_groups = [self._group([pool[n] for n in g], keys, reaching, order=True)
                             for g in by_hash.values() if len(g) > 1]
        reach = set(reaching)
        view.removed = {i: g.kept for g in view.groups if g.kept is not None
                        for i in g.ids if i != g.kept and i in reach}
        apart = {k for s in self._splits for k in s.apart}
        view.apart = [i for i in pool if keys[i] in apart]
        view.standing = self._standing(pool)
        view.applied = self._applied_matches(view)
        return view

    def _ordered(self, ids: Sequence[str]) -> list[str]:
        """``ids`` best keeper first (the files are read once per set of images: the order is remembered)."""
        key = tuple(sorted(ids))
        if key not in self._ranks:
            if len(self._ranks) > 20_000:
                self._ranks.clear()
            cands = [self._candidate(i) for i in key]
            self._ranks[key] = [key[n] for n in keeper_order(cands)]
        return list(self._ranks[key])

    def _why(self, ids: Sequence[str]) -> str:
        key = tuple(ids)
        if key not in self._reasons:
            if len(self._reasons) > 20_000:
                self._reasons.clear()
            self._reasons[key] = keeper_reason(self._candidate(ids[0]), [self._candidate(i) for i in ids[1:]])
        return self._reasons[key]

    def _group(self, ids: list[str], keys: dict[str, str], reaching: Sequence[str], order: bool = False
               ) -> DuplicateGroup:
        if order:
            ids = self._ordered(ids)
        members = {keys[i]: i for i in ids}
        chosen = [members[self._keepers[keys[i]]] for i in ids
                  if self._keepers.get(keys[i]) in members]
        keeper = chosen[0] if chosen else ids[0]
        why = "chosen by you" if chosen else self._why(ids)
        reach = set(reaching)
        kept = keeper if keeper in reach else next((i for i in ids if i in reach), None)
        return DuplicateGroup(ids, keeper, all(self._store.get(i).content_hash == self._store.get(ids[0]).content_hash
                                               for i in ids), kept, why)

    # -- choices -------------------------------------------------------------------------------------------------
    def _members_of(self, item_ids: str | Iterable[str]) -> tuple[DuplicateView, DuplicateGroup, list[str]]:
        ids = [item_ids] if isinstance(item_ids, str) else list(item_ids)
        view = self.current()
        group = view.group_of(ids[0]) if ids else None
        if group is None or any(i not in group.ids for i in ids):
            raise InvalidOptionError("duplicate", ids[0] if ids else None,
                                     fix="pick images of one duplicate group (open the group, click its images)")
        return view, group, [i for i in group.ids if i in ids]

    def set_keeper(self, item_id: str) -> DuplicateView:
        """Make ``item_id`` the keeper of its group (kept by image across thresholds and re-runs)."""
        return self.keep([item_id])

    def keep(self, item_ids: str | Iterable[str]) -> DuplicateView:
        """Keep the picked images of one group: the best of them becomes the group's keeper, the other picked ones
        are set apart (not duplicates), so every picked image stays and the rest of the group goes."""
        view, group, picked = self._members_of(item_ids)
        keys = self._keys(view.pool)
        for member in group.ids:
            self._keepers[keys[member]] = keys[picked[0]]
        if len(picked) > 1:
            self._split(picked[1:], [i for i in group.ids if i not in picked[1:]], keys)
        return self.groups(view.threshold, view.method, view.scope)

    def not_duplicate(self, item_ids: str | Iterable[str]) -> DuplicateView:
        """"Not a duplicate": the picked images leave their group and each stands alone (kept by image; ``regroup``
        undoes it). Picking the whole group dissolves it."""
        view, group, picked = self._members_of(item_ids)
        self._split(picked, [i for i in group.ids if i not in picked], self._keys(view.pool))
        return self.groups(view.threshold, view.method, view.scope)

    def _split(self, apart: list[str], rest: list[str], keys: dict[str, str]) -> None:
        self._splits.append(Split([keys[i] for i in apart], [keys[i] for i in rest]))

    def splits(self) -> list[Split]:
        return list(self._splits)

    def regroup(self) -> DuplicateView:
        """Undo the last "not a duplicate" (its images join their group again)."""
        if not self._splits:
            raise InvalidOptionError("regroup", "nothing set apart", fix="use *Not a duplicate* first")
        self._splits.pop()
        return self.current() if self.view is None else self.groups(self.view.threshold, self.view.method,
                                                                       self.view.scope)

    # -- deciding ------------------------------------------------------------------------------------------------
    def apply(self) -> DuplicateView:
        """Drop every member of a group but the one kept, at the deciding step (or at the end of the pipeline).
        Remembered: after every run the review is worked out again at the same threshold (run again to see it)."""
        view = self.current()
        self._applied = {"method": view.method, "threshold": view.threshold, "scope": view.scope}
        self._decide(view)
        view.applied = True
        return view

    def _decide(self, view: DuplicateView) -> bool:
        """Set what ``view`` removes; True when the deciding step's selection changed (a re-run is needed)."""
        reasons = {i: duplicate_reason(self.name(k)) for i, k in view.removed.items()}
        if view.uid == FINAL:
            self._final_excluded, self._final_reasons = dict(view.removed), reasons
            return False
        names = {i: self.name(k) for i, k in view.removed.items()}
        decisions = self._pipeline.decisions
        old = decisions.selections.get(view.uid)
        if old is not None and old.reject and old.ids == set(view.removed) and old.reasons == reasons:
            return False
        decisions.set_selection(view.uid, view.removed, DUP_REASON, names, reject=True, reasons=reasons)
        return True

    def _applied_matches(self, view: DuplicateView) -> bool:
        if self._applied is None or (self._applied["method"], float(self._applied["threshold"]),
                                     self._applied["scope"]) != (view.method, view.threshold, view.scope):
            return False
        if view.uid == FINAL:
            return self._final_excluded == view.removed
        sel = self._pipeline.decisions.selections.get(view.uid)
        return sel is not None and sel.reject and sel.ids == set(view.removed) and not self._runs.is_stale

    def applied(self) -> dict[str, Any] | None:
        """The applied review's method, threshold and scope (None: none applied)."""
        return None if self._applied is None else dict(self._applied)

    def settle_after_run(self) -> bool:
        """After any run: work the applied review out again for this run's images (new ones take part). True when
        the deciding step's selection changed (the run is repeated once to hold it)."""
        if self._applied is None:
            return False
        try:
            view = self._compute(self._applied["threshold"], self._applied["method"], self._applied["scope"])
        except Exception as err:  # e.g. the LPIPS model went missing: keep the last decision
            log.warning("duplicate review not worked out again after the run: %s", err)
            return False
        return self._decide(view)

    def reset(self) -> None:
        """Forget the duplicate review: keepers, splits and the applied groups (the dedup steps decide again on the
        next run)."""
        self._keepers.clear()
        self._splits.clear()
        self._applied = None
        self._final_excluded, self._final_reasons = {}, {}
        for step in self._pipeline.recipe.steps:
            if step.action in DEDUP_ACTIONS:  # their selections come from this review only
                self._pipeline.decisions.clear_selection(step.uid)
        self.view = None

    # -- persistence (session.json, project files) ------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The review choices that are not decisions: keepers and splits by image key, the applied review, and the
        review applied at the end of the pipeline. (Groups are recomputed from the cached features.)"""
        return {"keepers": dict(sorted(self._keepers.items())), "splits": [s.to_dict() for s in self._splits],
                "applied": self._applied, "scope": self.scope,
                "final_excluded": dict(sorted(self._final_excluded.items())),
                "final_reasons": dict(sorted(self._final_reasons.items()))}

    def load_state(self, data: dict[str, Any]) -> None:
        self.view = None
        self._keepers = {str(k): str(v) for k, v in (data.get("keepers") or {}).items()}
        self._splits = [Split([str(x) for x in s.get("apart", ())], [str(x) for x in s.get("rest", ())])
                        for s in data.get("splits") or ()]
        applied = data.get("applied")
        self._applied = dict(applied) if isinstance(applied, dict) else None
        self.scope = str(data.get("scope") or "session") if data.get("scope") in SCOPES else "session"
        self._final_excluded = {str(k): str(v) for k, v in (data.get("final_excluded") or {}).items()}
        self._final_reasons = {str(k): str(v) for k, v in (data.get("final_reasons") or {}).items()}

    def final_exclusions(self) -> dict[str, str]:
        """Items removed by a duplicate review applied at the end of the pipeline (id -> kept id)."""
        return dict(self._final_excluded)

    def final_reason(self, item_id: str) -> str | None:
        return self._final_reasons.get(item_id)
