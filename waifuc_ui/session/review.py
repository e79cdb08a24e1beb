"""Review of characters (CCIP clusters) and duplicates (LPIPS or perceptual-hash groups) in a session.

Characters: the clusters of the items *entering* the first CCIPAction step, from the features the step cached (the
first review runs only the small metric model on them; a new threshold re-clusters the cached matrix). Choosing clusters, or moving one image in or out, sets the step's selection (see
decisions.py): on the next run exactly the target items pass that step.

Duplicates: groups of the items entering the first dedup step (FilterSimilarAction: LPIPS; HashDedupAction or no
dedup step: 64-bit perceptual hash, no model), or of the final dataset when there is no dedup step. Exact
duplicates (same pixels) are always grouped, whatever the threshold, and also listed apart (``exact_groups``). The keeper of a group is its largest image unless
chosen by hand; ``apply_duplicates()`` keeps only keepers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.errors import InvalidOptionError

CCIP_REASON = "not in the chosen character cluster(s)"


def lpips_pair_count(sizes: Sequence[tuple], rtol: float = 5e-2, atol: float = 2e-2) -> int:
    """How many pairs LPIPS would compare: images whose aspect ratios h/w are close (FilterSimilarAction's rule)."""
    if len(sizes) < 2:
        return 0
    ratios = np.array([h / w for w, h in sizes], dtype=float)
    close = np.isclose(ratios[:, None], ratios[None, :], rtol=rtol, atol=atol)
    return int(np.triu(close, k=1).sum())
DUP_REASON = "duplicate (review): another image of its group was kept"
FINAL = "final"


@dataclass
class Cluster:
    label: int  # -1 = noise
    ids: list[str]

    @property
    def size(self) -> int:
        return len(self.ids)


@dataclass
class ClusterView:
    """Clusters biggest first (noise apart), the chosen labels and the current target ids."""

    uid: str
    clusters: list[Cluster]
    noise: list[str]
    chosen: list[int]
    target: list[str]


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


def hamming_matrix(hashes: Sequence[int]) -> np.ndarray:
    """Pairwise Hamming distances of 64-bit hashes."""
    h = np.array([int(x) & ((1 << 64) - 1) for x in hashes], dtype=np.uint64)
    x = h[:, None] ^ h[None, :]
    bytes_ = x.view(np.uint8).reshape(len(h), len(h), 8)
    return np.unpackbits(bytes_, axis=-1).sum(axis=-1).astype(np.int32)


class ReviewMixin:
    """Review methods of :class:`~waifuc_ui.session.Session` (uses its store, recipe, last run, decisions)."""

    #: injectable for tests: f(items, threshold=, eps=, min_samples=, method=) -> labels (one int per item)
    ccip_labels_fn: Callable[..., Sequence[int]] | None = None
    #: injectable for tests: f(items, threshold=) -> list of groups (lists of indices into items)
    lpips_groups_fn: Callable[..., Sequence[Sequence[int]]] | None = None

    def _init_review(self) -> None:
        self._ccip: ClusterView | None = None
        self._keepers: dict[str, str] = {}  # any member id -> keeper chosen by hand
        self._phash: dict[str, int] = {}  # content hash -> perceptual hash
        self._final_excluded: dict[str, str] = {}  # id -> keeper (dedup review without a dedup step)
        self._dups: DuplicateView | None = None

    @property
    def cluster_view(self) -> ClusterView | None:
        """The last ClusterView computed (None before ``ccip_clusters``)."""
        return self._ccip

    @property
    def duplicate_view(self) -> DuplicateView | None:
        """The last DuplicateView computed (None before ``duplicate_groups``)."""
        return self._dups

    # -- characters -----------------------------------------------------------------------------------------------
    def _first_step(self, actions: Sequence[str]) -> str | None:
        for s in self.recipe.enabled_steps():  # type: ignore[attr-defined]
            if s.action in actions:
                return s.uid
        return None

    def ccip_step_uid(self) -> str:
        uid = self._first_step(["CCIPAction"])
        if uid is None:
            raise InvalidOptionError("character review", "no CCIPAction step",
                                     fix="add a CCIPAction step to the pipeline and run it")
        return uid

    def _step_inputs(self, uid: str) -> list[str]:
        return list(self._run().step(uid).input_ids)  # type: ignore[attr-defined]

    def _items(self, ids: Sequence[str]) -> list:
        metas = self._run().output_metas()  # type: ignore[attr-defined]
        return [self.store.item(i, metas.get(i)) for i in ids]  # type: ignore[attr-defined]

    def _ccip_labels(self, ids: list[str], **kw: Any) -> list[int]:
        fn = self.ccip_labels_fn
        if fn is None:
            from ..analysis import ccip_review

            # waifuc's view (no threshold) reproduces imgutils exactly; a slider move links
            # images by their true differences, which is also ~50x faster on 1,000 images
            exact = kw.get("threshold") is None
            with self._cache_context():  # type: ignore[attr-defined]
                res = ccip_review(self._items(ids), imgutils_exact=exact, **kw)
            return [int(x) for x in res.labels]
        return [int(x) for x in fn(self._items(ids), **kw)]

    def ccip_clusters(self, threshold: float | None = None, eps: float | None = None,
                      min_samples: int | None = None, method: str | None = None) -> ClusterView:
        """Cluster the CCIP step's input items from their cached features (no model call after the step ran).

        Without ``threshold``: waifuc's clustering (OPTICS with the model's defaults). With ``threshold``: DBSCAN
        linking images whose CCIP difference is <= threshold (the slider), ``min_samples`` default 2.
        ``target`` is the step's selection if one was made, else what CCIPAction kept.
        """
        method = method or ("dbscan" if threshold is not None else "optics")
        uid = self.ccip_step_uid()
        ids = self._step_inputs(uid)
        labels = self._ccip_labels(ids, threshold=threshold, eps=eps, min_samples=min_samples, method=method)
        by_label: dict[int, list[str]] = {}
        for i, lab in zip(ids, labels):
            by_label.setdefault(lab, []).append(i)
        noise = by_label.pop(-1, [])
        clusters = sorted((Cluster(k, v) for k, v in by_label.items()), key=lambda c: (-c.size, c.label))
        selection = self.decisions.selections.get(uid)  # type: ignore[attr-defined]
        target = [i for i in ids if selection is not None and i in selection.ids]
        if selection is None:
            target = list(self._run().step(uid).output_ids)  # type: ignore[attr-defined]
        chosen = [c.label for c in clusters if c.ids and set(c.ids) <= set(target)]
        self._ccip = ClusterView(uid, clusters, noise, chosen, target)
        return self._ccip

    def choose_clusters(self, labels: Sequence[int]) -> ClusterView:
        """Make the members of clusters ``labels`` the target (replacing CCIPAction's automatic choice)."""
        view = self._ccip or self.ccip_clusters()
        known = {c.label for c in view.clusters}
        bad = [lab for lab in labels if lab not in known]
        if bad:
            raise InvalidOptionError("cluster", bad[0], sorted(known), "choose clusters from the list")
        target: set[str] = set()
        for c in view.clusters:
            if c.label in labels:
                target.update(c.ids)
        self.decisions.set_selection(view.uid, target, CCIP_REASON)  # type: ignore[attr-defined]
        view.chosen = list(labels)
        view.target = [i for i in self._step_inputs(view.uid) if i in target]
        return view

    def move_image(self, item_id: str, into_target: bool) -> ClusterView:
        """Move one image into or out of the target character set."""
        view = self._ccip or self.ccip_clusters()
        if item_id not in self._step_inputs(view.uid):
            raise InvalidOptionError("image", item_id, fix="move only images that entered the CCIP step")
        target = set(view.target)
        (target.add if into_target else target.discard)(item_id)
        self.decisions.set_selection(view.uid, target, CCIP_REASON)  # type: ignore[attr-defined]
        view.target = [i for i in self._step_inputs(view.uid) if i in target]
        view.chosen = [c.label for c in view.clusters if set(c.ids) <= target]
        return view

    def reset_characters(self) -> None:
        """Go back to CCIPAction's own choice."""
        uid = self.ccip_step_uid()
        self.decisions.clear_selection(uid)  # type: ignore[attr-defined]
        self._ccip = None

    # -- duplicates -----------------------------------------------------------------------------------------------
    def _dup_scope(self) -> tuple:
        uid = self._first_step(["FilterSimilarAction", "HashDedupAction"])
        if uid is None:
            return FINAL, "phash", [i for i in self._run().output_ids()]  # type: ignore[attr-defined]
        action = self.recipe.step_by_uid(uid).action  # type: ignore[attr-defined]
        return uid, ("lpips" if action == "FilterSimilarAction" else "phash"), self._step_inputs(uid)

    def _phash_of(self, item_id: str) -> int:
        rec = self.store.get(item_id)  # type: ignore[attr-defined]
        if rec.content_hash not in self._phash:
            from ..action.image_hashes import phash

            self._phash[rec.content_hash] = phash(self.store.item(item_id).image)  # type: ignore[attr-defined]
        return self._phash[rec.content_hash]

    def duplicate_groups(self, threshold: float | None = None, method: str | None = None) -> DuplicateView:
        """Groups at ``threshold`` (LPIPS distance, default 0.45; or Hamming bits for phash, default 10).

        ``method`` None picks LPIPS for a FilterSimilarAction step (exact at any size), else phash; 'lpips' or
        'phash' force the method."""
        if method not in (None, "lpips", "phash"):
            raise InvalidOptionError("duplicate method", method, ["lpips", "phash"], "choose lpips or phash")
        uid, auto, ids = self._dup_scope()
        method = method or auto
        records = [self.store.get(i) for i in ids]  # type: ignore[attr-defined]
        by_hash: dict[str, list[int]] = {}
        for n, r in enumerate(records):
            by_hash.setdefault(r.content_hash, []).append(n)
        exact = [g for g in by_hash.values() if len(g) > 1]
        reps = [g[0] for g in by_hash.values()]  # one per distinct pixel content
        note = ""  # LPIPS is exact at any size (analysis.lpips): no switch to hashing by size
        fn = self.lpips_groups_fn
        if method == "lpips" and fn is None:
            from ..analysis import lpips_duplicate_groups as fn
        if method == "lpips":
            threshold = 0.45 if threshold is None else float(threshold)
            with self._cache_context():  # type: ignore[attr-defined]
                raw = fn(self._items([ids[k] for k in reps]), threshold=threshold)
            position = {ids[k]: n for n, k in enumerate(reps)}
            rep_groups = [[position[x] if isinstance(x, str) else int(getattr(x, "index", x)) for x in g]
                          for g in getattr(raw, "groups", raw)]
        else:
            threshold = 10 if threshold is None else int(threshold)
            matrix = hamming_matrix([self._phash_of(ids[k]) for k in reps])
            a, b = np.nonzero(np.triu(matrix <= threshold, k=1))
            from ..analysis import link_groups

            rep_groups = link_groups(len(reps), list(zip(a.tolist(), b.tolist())))
        members = [[n for k in g for n in by_hash[records[reps[k]].content_hash]] for g in rep_groups]
        view = DuplicateView(uid, method, float(threshold), note=note)  # type: ignore[arg-type]
        for g in members:
            view.groups.append(self._group([ids[n] for n in g], exact=False))
        for g in exact:
            grp = self._group([ids[n] for n in g], exact=True)
            view.exact_groups.append(grp)
            if not any(set(grp.ids) <= set(x.ids) for x in view.groups):
                view.groups.append(grp)
        view.groups.sort(key=lambda g: (-len(g.ids), g.ids[0]))
        self._dups = view
        return view

    def _group(self, ids: list[str], exact: bool) -> DuplicateGroup:
        recs = sorted((self.store.get(i) for i in ids),  # type: ignore[attr-defined]
                      key=lambda r: (-(r.width * r.height), -r.file_bytes, r.id))
        ordered = [r.id for r in recs]
        chosen = [self._keepers[i] for i in ordered if i in self._keepers and self._keepers[i] in ordered]
        return DuplicateGroup(ordered, chosen[0] if chosen else ordered[0], exact)

    def set_keeper(self, item_id: str) -> DuplicateView:
        """Make ``item_id`` the keeper of its group (remembered across thresholds)."""
        view = self._dups or self.duplicate_groups()
        for g in view.groups:
            if item_id in g.ids:
                for member in g.ids:
                    self._keepers[member] = item_id
                g.keeper = item_id
                return view
        raise InvalidOptionError("keeper", item_id, fix="choose an image shown in a duplicate group")

    def apply_duplicates(self) -> DuplicateView:
        """Keep only the keepers of the current groups (at the dedup step, or at the end of the pipeline)."""
        view = self._dups or self.duplicate_groups()
        removed = {i: g.keeper for g in view.groups for i in g.ids if i != g.keeper}
        if view.uid == FINAL:
            self._final_excluded = removed
        else:
            keep = [i for i in self._step_inputs(view.uid) if i not in removed]
            self.decisions.set_selection(view.uid, keep, DUP_REASON, removed)  # type: ignore[attr-defined]
        return view

    def reset_duplicates(self) -> None:
        """Forget the duplicate review: keepers chosen by hand and the applied groups (the dedup step decides
        again on the next run)."""
        self._keepers.clear()
        self._final_excluded = {}
        uid = self._first_step(["FilterSimilarAction", "HashDedupAction"])
        if uid is not None:
            self.decisions.clear_selection(uid)  # type: ignore[attr-defined]
        self._dups = None

    # -- persistence (session.json, project files) ------------------------------------------------------------------
    def review_state(self) -> dict[str, Any]:
        """The review choices that are not decisions: keepers chosen by hand, the duplicate review applied to the
        final dataset. (Cluster and group views are recomputed from the cached features.)"""
        return {"keepers": dict(sorted(self._keepers.items())),
                "final_excluded": dict(sorted(self._final_excluded.items()))}

    def load_review_state(self, data: dict[str, Any]) -> None:
        self._init_review()
        self._keepers = {str(k): str(v) for k, v in (data.get("keepers") or {}).items()}
        self._final_excluded = {str(k): str(v) for k, v in (data.get("final_excluded") or {}).items()}

    def final_exclusions(self) -> dict[str, str]:
        """Items removed by a duplicate review applied to the final dataset (id -> keeper)."""
        return dict(self._final_excluded)
