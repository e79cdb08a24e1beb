"""Review of characters: the CCIP clusters of the items *entering* the first CCIPAction step, from the features the
step cached (the first review runs only the small metric model on them; a new threshold re-clusters the cached
matrix).

The target character is a set of images, not of cluster numbers. A person's choice is kept by image key
(``'<file name>@<pixel hash>'``, see decisions.CharacterChoice): taking a cluster whole puts its images in (or out),
moving images puts them in or out one by one. Clusters are only suggestions: an image nobody decided about (a new
one) follows its cluster, which is in the target when most of its decided images are. The choice becomes the step's
selection (decisions.py), so the next run keeps exactly the target; ``reset`` goes back to waifuc's own choice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..action.reviewed import stream_keys
from ..core.errors import InvalidOptionError
from .decisions import CharacterChoice
from .editing import PipelineEditor
from .review_models import ReviewModels
from .runs import CacheScope, Runs

CCIP_REASON = "not in the chosen character cluster(s)"
NOISE = -1


@dataclass
class Cluster:
    label: int  # -1 = noise
    ids: list[str]
    in_target: int = 0  # how many of its images are in the target

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def suggested(self) -> bool:
        """The cluster's suggestion: in the target when most of its images are."""
        return self.label != NOISE and self.in_target * 2 > self.size


@dataclass
class ClusterView:
    """Clusters biggest first (noise apart), the clusters suggested into the target (``chosen``: most of their
    images are in it), the target ids, and where the target comes from: ``by_person`` (else waifuc's CCIPAction
    kept them), ``suggested`` (images nobody decided about that follow their cluster) and ``pending`` (the
    target differs from what the last run kept: apply to get it)."""

    uid: str
    clusters: list[Cluster]
    noise: list[str]
    chosen: list[int]
    target: list[str]
    by_person: bool = False
    suggested: list[str] = field(default_factory=list)
    kept_by_last_run: list[str] = field(default_factory=list)
    threshold: float | None = None
    min_samples: int | None = None

    @property
    def pending(self) -> bool:
        return self.target != self.kept_by_last_run

    def cluster(self, label: int) -> list[str]:
        if label == NOISE:
            return list(self.noise)
        return next((list(c.ids) for c in self.clusters if c.label == label), [])


class Characters:
    """``clusters()`` computes the view (``view``: the last one); ``choose``, ``take``, ``move`` and ``reset``
    change the target (the CCIP step's selection: run again to apply it)."""

    def __init__(self, pipeline: PipelineEditor, runs: Runs, models: ReviewModels, cache_scope: CacheScope):
        self._pipeline = pipeline
        self._runs = runs
        self._models = models
        self._cache_scope = cache_scope
        self._params: tuple[float | None, int | None] = (None, None)  # the clustering shown without a choice
        self.view: ClusterView | None = None
        self._view_of: object = None  # the run the view was made from
        self._reset_choices: dict[str, CharacterChoice] = {}  # what reset put aside (undo_reset)

    def current(self) -> ClusterView:
        """The last view if it describes the last run, else a new one with the grouping last used."""
        if self.view is not None and self._view_of is self._runs.last and self.view.uid == self.step_uid():
            return self.view
        return self.clusters(keep_params=True)

    def step_uid(self) -> str:
        """The uid of the CCIPAction step reviewed (InvalidOptionError with the fix when there is none)."""
        step = self._pipeline.first_step(["CCIPAction"])
        if step is None:
            raise InvalidOptionError("character review", "no CCIPAction step",
                                     fix="add a CCIPAction step to the pipeline and run it")
        return step.uid

    def choice(self) -> CharacterChoice | None:
        """The person's choice at the CCIP step (None: waifuc's own choice)."""
        return self._pipeline.decisions.characters.get(self.step_uid())

    def clusters(self, threshold: float | None = None, eps: float | None = None,
                 min_samples: int | None = None, method: str | None = None, *, keep_params: bool = False
                 ) -> ClusterView:
        """Cluster the CCIP step's input items from their cached features (no model call after the step ran).

        ``threshold`` None (or 0): waifuc's clustering (OPTICS with the model's defaults). Else DBSCAN linking
        images whose CCIP difference is <= threshold, ``min_samples`` default 2. ``keep_params``: use the
        clustering last shown (or the person's) instead of the arguments. The clustering chosen is remembered
        with the person's choice. Undecided images get their cluster's suggestion; when that changes the target,
        the step's selection is updated (run again to apply it).
        """
        uid = self.step_uid()
        choice = self._pipeline.decisions.characters.get(uid)
        if keep_params:
            threshold, min_samples = (choice.threshold, choice.min_samples) if choice else self._params
        threshold = threshold or None
        min_samples = min_samples or None
        self._params = (threshold, min_samples)
        if choice is not None:
            choice.threshold, choice.min_samples = threshold, min_samples
        method = method or ("dbscan" if threshold is not None else "optics")
        ids = self._runs.step_inputs(uid)
        with self._cache_scope():
            labels = [int(x) for x in self._models.ccip_labels(self._runs.items(ids), threshold=threshold, eps=eps,
                                                                min_samples=min_samples, method=method)]
        step = self._runs.result().step(uid)
        kept = list(step.output_ids) + list(step.forced_drop)  # dropped by hand after the step: still chosen
        suggested: list[str] = []
        if choice is None:
            target = set(kept)
        else:
            target, suggested = _resolve(choice, ids, self._keys(ids), labels)
        view = self._make_view(uid, ids, labels, target, kept)
        view.by_person, view.suggested = choice is not None, suggested
        view.threshold, view.min_samples = threshold, min_samples
        if choice is not None:
            self._select(uid, target)
        self.view, self._view_of = view, self._runs.last
        return view

    def choose(self, labels: Sequence[int]) -> ClusterView:
        """Tick clusters ``labels`` as the target: a cluster newly ticked comes in whole, one no longer ticked
        leaves whole; clusters whose tick did not change keep the images moved in or out of them."""
        view = self.current()
        known = {c.label for c in view.clusters}
        bad = [lab for lab in labels if lab not in known]
        if bad:
            raise InvalidOptionError("cluster", bad[0], sorted(known), "choose clusters from the list")
        choice = self._choice_for(view)
        for c in view.clusters:
            if (c.label in labels) != c.suggested:
                choice.decide(self._keys_of(view, c.ids), c.label in labels)
        return self.clusters(view.threshold, min_samples=view.min_samples)

    def take(self, label: int, into_target: bool = True) -> ClusterView:
        """Take cluster ``label`` (or the noise, -1) whole into, or out of, the target."""
        view = self.current()
        ids = view.cluster(label)
        if not ids:
            known = sorted(c.label for c in view.clusters) + ([NOISE] if view.noise else [])
            raise InvalidOptionError("cluster", label, known, "choose clusters from the list")
        return self.move(ids, into_target)

    def move(self, item_ids: str | Iterable[str], into_target: bool) -> ClusterView:
        """Move images (one id or many) into or out of the target character set."""
        ids = [item_ids] if isinstance(item_ids, str) else list(item_ids)
        view = self.current()
        inputs = set(self._runs.step_inputs(view.uid))
        bad = [i for i in ids if i not in inputs]
        if bad:
            raise InvalidOptionError("image", bad[0], fix="move only images that entered the CCIP step")
        self._choice_for(view).decide(self._keys_of(view, ids), into_target)
        return self.clusters(view.threshold, min_samples=view.min_samples)

    def apply(self, run: Callable[[], Any] | None = None, confirm_empty: bool = False) -> ClusterView:
        """Run with the target (``run``: the caller's run, e.g. with progress; default ``runs.start``), then give
        new images their cluster's suggestion and run again when that changed the target, so the dataset holds
        the view's target. An empty target needs ``confirm_empty`` (see check_apply)."""
        self.check_apply(confirm_empty)
        run = run or self._runs.start
        run()
        view = self.clusters(keep_params=True)
        if view.by_person and view.pending:
            run()
            view = self.clusters(keep_params=True)
        return view

    def settle_after_run(self) -> bool:
        """After any run (the Run tab's too): give images nobody decided about their cluster's suggestion when a
        person made the choice. True when that changed the target (the run is repeated to hold it)."""
        if self._pipeline.first_step(["CCIPAction"]) is None or self.choice() is None:
            return False
        view = self.clusters(keep_params=True)
        return view.by_person and view.pending

    def check_apply(self, confirm_empty: bool = False) -> None:
        """Refuse (InvalidOptionError with the fix) to apply a target without any image unless confirmed."""
        if self._runs.last is None or confirm_empty:
            return
        view = self.current()
        if not view.target and (view.clusters or view.noise):
            raise InvalidOptionError("character choice", "no image in the target", fix=(
                "move images or tick a cluster into the target, or confirm that every image of the CCIP step "
                "should be dropped"))

    def reset(self) -> None:
        """Go back to CCIPAction's own choice (run again to apply); ``undo_reset`` brings the person's back."""
        uid = self.step_uid()
        choice = self._pipeline.decisions.characters.pop(uid, None)
        if choice is not None:
            self._reset_choices[uid] = choice
        self._pipeline.decisions.clear_selection(uid)
        self.view = None

    def can_undo_reset(self) -> bool:
        return self.step_uid() in self._reset_choices and self.choice() is None

    def undo_reset(self) -> ClusterView:
        """Bring back the person's choice that ``reset`` put aside (run again to apply)."""
        uid = self.step_uid()
        choice = self._reset_choices.pop(uid, None)
        if choice is None:
            raise InvalidOptionError("undo", "nothing to bring back", fix="make a choice first")
        self._pipeline.decisions.characters[uid] = choice
        return self.clusters(keep_params=True)

    # -- helpers --------------------------------------------------------------------------------------------------
    def _keys(self, ids: list[str]) -> list[str]:
        items = self._runs.items(ids)
        return stream_keys((it.meta.get("filename"), it.content_hash or "") for it in items)

    def _keys_of(self, view: ClusterView, ids: Iterable[str]) -> list[str]:
        inputs = self._runs.step_inputs(view.uid)
        key_of = dict(zip(inputs, self._keys(inputs)))
        return [key_of[i] for i in ids]

    def _choice_for(self, view: ClusterView) -> CharacterChoice:
        """The person's choice; the first one starts from the view's target, every image decided."""
        decisions = self._pipeline.decisions
        choice = decisions.characters.get(view.uid)
        if choice is None:
            inputs = self._runs.step_inputs(view.uid)
            target = set(view.target)
            choice = CharacterChoice(threshold=view.threshold, min_samples=view.min_samples)
            keys = self._keys(inputs)
            choice.decide([k for i, k in zip(inputs, keys) if i in target], True)
            choice.decide([k for i, k in zip(inputs, keys) if i not in target], False)
            decisions.characters[view.uid] = choice
        return choice

    def _select(self, uid: str, target: set[str]) -> None:
        current = self._pipeline.decisions.selections.get(uid)
        if current is None or current.ids != target or current.reason != CCIP_REASON:
            self._pipeline.decisions.set_selection(uid, target, CCIP_REASON)

    @staticmethod
    def _make_view(uid: str, ids: list[str], labels: list[int], target: set[str], kept: list[str]) -> ClusterView:
        by_label: dict[int, list[str]] = {}
        for i, lab in zip(ids, labels):
            by_label.setdefault(lab, []).append(i)
        noise = by_label.pop(NOISE, [])
        clusters = sorted((Cluster(k, v, sum(i in target for i in v)) for k, v in by_label.items()),
                          key=lambda c: (-c.size, c.label))
        chosen = [c.label for c in clusters if c.suggested]
        return ClusterView(uid, clusters, noise, chosen, [i for i in ids if i in target],
                           kept_by_last_run=[i for i in ids if i in set(kept)])


def _resolve(choice: CharacterChoice, ids: list[str], keys: list[str], labels: list[int]
             ) -> tuple[set[str], list[str]]:
    """The target ids: the person's decisions, and for the others their cluster's suggestion (in when most of
    the cluster's decided images are in). Returns the target and the undecided ids."""
    votes: dict[int, list[int]] = {}
    for k, lab in zip(keys, labels):
        d = choice.decided(k)
        if d is not None and lab != NOISE:
            votes.setdefault(lab, [0, 0])[0 if d else 1] += 1
    target, undecided = set(), []
    for i, k, lab in zip(ids, keys, labels):
        d = choice.decided(k)
        if d is None:
            undecided.append(i)
            yes, no = votes.get(lab, [0, 0])
            d = lab != NOISE and yes > no
        if d:
            target.add(i)
    return target, undecided
