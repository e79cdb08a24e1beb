"""The applied duplicate review: which view was applied (method, threshold, scope), and how it is held: as the
deciding step's selection (the next run drops the duplicates there, with the kept file named in each reason) or,
without a dedup step, as what the dataset leaves out at the end of the pipeline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .editing import PipelineEditor
from .review_view import DEDUP_ACTIONS, DUP_REASON, FINAL, DuplicateView, duplicate_reason
from .runs import Runs


class AppliedReview:
    """``settings``: method, threshold and scope of the applied review (None: none applied); ``final_excluded``:
    id -> kept id of the duplicates left out at the end of the pipeline, with their ``final_reasons``."""

    def __init__(self, pipeline: PipelineEditor, runs: Runs):
        self._pipeline = pipeline
        self._runs = runs
        self.settings: dict[str, Any] | None = None
        self.final_excluded: dict[str, str] = {}
        self.final_reasons: dict[str, str] = {}

    def remember(self, view: DuplicateView) -> None:
        self.settings = {"method": view.method, "threshold": view.threshold, "scope": view.scope}

    def decide(self, view: DuplicateView, name: Callable[[str], str]) -> bool:
        """Set what ``view`` removes (``name``: an id's file name); True when the deciding step's selection
        changed (a re-run is needed)."""
        reasons = {i: duplicate_reason(name(k)) for i, k in view.removed.items()}
        if view.uid == FINAL:
            self.final_excluded, self.final_reasons = dict(view.removed), reasons
            return False
        names = {i: name(k) for i, k in view.removed.items()}
        decisions = self._pipeline.decisions
        old = decisions.selections.get(view.uid)
        if old is not None and old.reject and old.ids == set(view.removed) and old.reasons == reasons:
            return False
        decisions.set_selection(view.uid, view.removed, DUP_REASON, names, reject=True, reasons=reasons)
        return True

    def matches(self, view: DuplicateView) -> bool:
        """True when the dataset holds ``view``'s choice (applied with its settings, and the run is current)."""
        if self.settings is None or (self.settings["method"], float(self.settings["threshold"]),
                                     self.settings["scope"]) != (view.method, view.threshold, view.scope):
            return False
        if view.uid == FINAL:
            return self.final_excluded == view.removed
        sel = self._pipeline.decisions.selections.get(view.uid)
        return sel is not None and sel.reject and sel.ids == set(view.removed) and not self._runs.is_stale

    def clear(self) -> None:
        """Forget it (the dedup steps decide again on the next run: their selections come from this review)."""
        self.settings = None
        self.final_excluded, self.final_reasons = {}, {}
        for step in self._pipeline.recipe.steps:
            if step.action in DEDUP_ACTIONS:
                self._pipeline.decisions.clear_selection(step.uid)

    def state(self) -> dict[str, Any]:
        return {"applied": self.settings, "final_excluded": dict(sorted(self.final_excluded.items())),
                "final_reasons": dict(sorted(self.final_reasons.items()))}

    def load_state(self, data: dict[str, Any]) -> None:
        applied = data.get("applied")
        self.settings = dict(applied) if isinstance(applied, dict) else None
        self.final_excluded = {str(k): str(v) for k, v in (data.get("final_excluded") or {}).items()}
        self.final_reasons = {str(k): str(v) for k, v in (data.get("final_reasons") or {}).items()}
