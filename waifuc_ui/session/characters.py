"""Review of characters: the CCIP clusters of the items *entering* the first CCIPAction step, from the features the
step cached (the first review runs only the small metric model on them; a new threshold re-clusters the cached
matrix). Choosing clusters, or moving one image in or out, sets the step's selection (see decisions.py): on the
next run exactly the target items pass that step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..core.errors import InvalidOptionError
from .editing import PipelineEditor
from .review_models import ReviewModels
from .runs import CacheScope, Runs

CCIP_REASON = "not in the chosen character cluster(s)"


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


class Characters:
    """``clusters()`` computes the view (``view``: the last one); ``choose``, ``move`` and ``reset`` change the
    CCIP step's selection."""

    def __init__(self, pipeline: PipelineEditor, runs: Runs, models: ReviewModels, cache_scope: CacheScope):
        self._pipeline = pipeline
        self._runs = runs
        self._models = models
        self._cache_scope = cache_scope
        self.view: ClusterView | None = None

    def step_uid(self) -> str:
        """The uid of the CCIPAction step reviewed (InvalidOptionError with the fix when there is none)."""
        step = self._pipeline.first_step(["CCIPAction"])
        if step is None:
            raise InvalidOptionError("character review", "no CCIPAction step",
                                     fix="add a CCIPAction step to the pipeline and run it")
        return step.uid

    def clusters(self, threshold: float | None = None, eps: float | None = None,
                 min_samples: int | None = None, method: str | None = None) -> ClusterView:
        """Cluster the CCIP step's input items from their cached features (no model call after the step ran).

        Without ``threshold``: waifuc's clustering (OPTICS with the model's defaults). With ``threshold``: DBSCAN
        linking images whose CCIP difference is <= threshold (the slider), ``min_samples`` default 2.
        ``target`` is the step's selection if one was made, else what CCIPAction kept.
        """
        method = method or ("dbscan" if threshold is not None else "optics")
        uid = self.step_uid()
        ids = self._runs.step_inputs(uid)
        with self._cache_scope():
            labels = [int(x) for x in self._models.ccip_labels(self._runs.items(ids), threshold=threshold, eps=eps,
                                                                min_samples=min_samples, method=method)]
        by_label: dict[int, list[str]] = {}
        for i, lab in zip(ids, labels):
            by_label.setdefault(lab, []).append(i)
        noise = by_label.pop(-1, [])
        clusters = sorted((Cluster(k, v) for k, v in by_label.items()), key=lambda c: (-c.size, c.label))
        selection = self._pipeline.decisions.selections.get(uid)
        if selection is None:
            target = list(self._runs.result().step(uid).output_ids)
        else:
            target = [i for i in ids if i in selection.ids]
        chosen = [c.label for c in clusters if c.ids and set(c.ids) <= set(target)]
        self.view = ClusterView(uid, clusters, noise, chosen, target)
        return self.view

    def choose(self, labels: Sequence[int]) -> ClusterView:
        """Make the members of clusters ``labels`` the target (replacing CCIPAction's automatic choice)."""
        view = self.view or self.clusters()
        known = {c.label for c in view.clusters}
        bad = [lab for lab in labels if lab not in known]
        if bad:
            raise InvalidOptionError("cluster", bad[0], sorted(known), "choose clusters from the list")
        target: set[str] = set()
        for c in view.clusters:
            if c.label in labels:
                target.update(c.ids)
        self._pipeline.decisions.set_selection(view.uid, target, CCIP_REASON)
        view.chosen = list(labels)
        view.target = [i for i in self._runs.step_inputs(view.uid) if i in target]
        return view

    def move(self, item_id: str, into_target: bool) -> ClusterView:
        """Move one image into or out of the target character set."""
        view = self.view or self.clusters()
        if item_id not in self._runs.step_inputs(view.uid):
            raise InvalidOptionError("image", item_id, fix="move only images that entered the CCIP step")
        target = set(view.target)
        (target.add if into_target else target.discard)(item_id)
        self._pipeline.decisions.set_selection(view.uid, target, CCIP_REASON)
        view.target = [i for i in self._runs.step_inputs(view.uid) if i in target]
        view.chosen = [c.label for c in view.clusters if set(c.ids) <= target]
        return view

    def reset(self) -> None:
        """Go back to CCIPAction's own choice."""
        self._pipeline.decisions.clear_selection(self.step_uid())
        self.view = None
