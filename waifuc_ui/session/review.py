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

The parts: review_view (what a view holds), review_groups (finding the groups), review_applied (holding the
applied review), duplicate_groups (pure helpers).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from ..core.errors import InvalidOptionError
from .duplicate_groups import DEFAULT_HASH_BITS, Split, hamming_matrix, lpips_pair_count
from .editing import PipelineEditor
from .review_applied import AppliedReview
from .review_groups import GroupFinder
from .review_models import ReviewModels
from .review_view import (
    DEDUP_ACTIONS,
    DUP_REASON,
    END_LABEL,
    FINAL,
    HASH_STEP,
    LPIPS_STEP,
    REVIEW_DROP,
    SCOPES,
    DuplicateGroup,
    DuplicateView,
    duplicate_reason,
)
from .run_standing import compared_images, where_images_stand
from .runs import CacheScope, Runs
from .store import ItemStore

__all__ = ["DEDUP_ACTIONS", "DUP_REASON", "FINAL", "SCOPES", "DuplicateGroup", "DuplicateView", "Duplicates",
           "duplicate_reason", "hamming_matrix", "lpips_pair_count"]

log = logging.getLogger(__name__)


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
        self._finder = GroupFinder(store, runs, cache_scope)
        self._applied = AppliedReview(pipeline, runs)
        self._keepers: dict[str, str] = {}  # member key -> keeper key chosen by hand
        self._splits: list[Split] = []  # "not a duplicate", in the order made
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

    def name(self, item_id: str) -> str:
        """The image's file name (a converted image: its source's), never an internal id."""
        return self._finder.name(item_id)

    # -- grouping ------------------------------------------------------------------------------------------------
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
        self._finder.fill(view, self._models, self._keepers, self._splits)
        view.standing = where_images_stand(self._runs.result(), pool, self._store, self._applied.final_excluded,
                                           REVIEW_DROP)
        view.applied = self._applied.matches(view)
        return view

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
        keys = self._finder.keys(view.pool)
        for member in group.ids:
            self._keepers[keys[member]] = keys[picked[0]]
        if len(picked) > 1:
            self._split(picked[1:], [i for i in group.ids if i not in picked[1:]], keys)
        return self.groups(view.threshold, view.method, view.scope)

    def not_duplicate(self, item_ids: str | Iterable[str]) -> DuplicateView:
        """"Not a duplicate": the picked images leave their group and each stands alone (kept by image; ``regroup``
        undoes it). Picking the whole group dissolves it."""
        view, group, picked = self._members_of(item_ids)
        self._split(picked, [i for i in group.ids if i not in picked], self._finder.keys(view.pool))
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
        self._applied.remember(view)
        self._applied.decide(view, self.name)
        view.applied = True
        return view

    def applied(self) -> dict[str, Any] | None:
        """The applied review's method, threshold and scope (None: none applied)."""
        settings = self._applied.settings
        return None if settings is None else dict(settings)

    def settle_after_run(self) -> bool:
        """After any run: work the applied review out again for this run's images (new ones take part). True when
        the deciding step's selection changed (the run is repeated to hold it)."""
        settings = self._applied.settings
        if settings is None:
            return False
        try:
            view = self._compute(settings["threshold"], settings["method"], settings["scope"])
        except Exception as err:  # e.g. the LPIPS model went missing: keep the last decision
            log.warning("duplicate review not worked out again after the run: %s", err)
            return False
        return self._applied.decide(view, self.name)

    def reset(self) -> None:
        """Forget the duplicate review: keepers, splits and the applied groups (the dedup steps decide again on the
        next run)."""
        self._keepers.clear()
        self._splits.clear()
        self._applied.clear()
        self.view = None

    def final_exclusions(self) -> dict[str, str]:
        """Items removed by a duplicate review applied at the end of the pipeline (id -> kept id)."""
        return dict(self._applied.final_excluded)

    def final_reason(self, item_id: str) -> str | None:
        return self._applied.final_reasons.get(item_id)

    # -- persistence (session.json, project files) ------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The review choices that are not decisions: keepers and splits by image key, the applied review, and the
        review applied at the end of the pipeline. (Groups are recomputed from the cached features.)"""
        applied = self._applied.state()
        return {"keepers": dict(sorted(self._keepers.items())), "splits": [s.to_dict() for s in self._splits],
                "applied": applied["applied"], "scope": self.scope, "final_excluded": applied["final_excluded"],
                "final_reasons": applied["final_reasons"]}

    def load_state(self, data: dict[str, Any]) -> None:
        self.view = None
        self._keepers = {str(k): str(v) for k, v in (data.get("keepers") or {}).items()}
        self._splits = [Split([str(x) for x in s.get("apart", ())], [str(x) for x in s.get("rest", ())])
                        for s in data.get("splits") or ()]
        self.scope = str(data.get("scope") or "session") if data.get("scope") in SCOPES else "session"
        self._applied.load_state(data)
