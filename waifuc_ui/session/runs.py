"""Running the session's pipeline over its inputs: the model download first, then the memoised runner; the last
run, whether it is stale, and what each step kept and dropped."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import InvalidOptionError
from ..core.report import DropRecord
from ..pipeline.catalog import ActionSpec, ModelStatus
from .editing import PipelineEditor
from .inputs import Inputs
from .models import ModelPreparer
from .runner import Runner, RunProgress, RunResult, StepStatus
from .store import ItemStore

#: Runs one Run may take so that the review hooks settle (each repeat re-applies decisions from the memo).
MAX_SETTLE_RUNS = 3

#: Opens the analysis cache of the session for the code inside (model outputs keyed by pixel hash).
CacheScope = Callable[[], AbstractContextManager[Any]]


@dataclass
class StepView:
    """One step for the before/after galleries: ``before`` (input ids), ``after`` (output ids), ``dropped``
    (id -> DropRecord), with the step's status and message (e.g. the fix for missing models)."""

    uid: str
    label: str
    status: StepStatus
    message: str
    before: list[str]
    after: list[str]
    dropped: dict[str, DropRecord] = field(default_factory=dict)


class Runs:
    """``start()`` runs the pipeline (one run at a time per session); ``last`` is the last RunResult (None before a
    run, and after the inputs change). ``runner`` holds the memo; ``models`` the model status and download."""

    def __init__(self, store: ItemStore, catalog: Mapping[str, ActionSpec], inputs: Inputs,
                 pipeline: PipelineEditor, models: ModelPreparer, cache_scope: CacheScope):
        self._store = store
        self._catalog = catalog
        self._inputs = inputs
        self._pipeline = pipeline
        self._cache_scope = cache_scope
        self.models = models
        self.runner = Runner(store, catalog)
        self.last: RunResult | None = None
        self.fingerprint = ""  # of the state the last run ran on
        self.lock = threading.Lock()
        #: Called after a finished run; one returning True changed what the run keeps (e.g. new images took their
        #: character cluster's suggestion, or a duplicate review drops a new copy): the run is repeated (memoised:
        #: decisions only) until no hook changes anything, at most MAX_SETTLE_RUNS runs.
        self.settle_hooks: list[Callable[[], bool]] = []

    def model_report(self) -> dict[str, ModelStatus]:
        """uid -> ModelStatus for every enabled step that needs models: on this machine, to be downloaded by the
        next run (with sizes from the Hub), or unavailable (will be skipped). Never downloads."""
        return self.models.report(self._pipeline.recipe, self._catalog)

    def start(self, progress: Callable[[RunProgress], None] | None = None,
              cancel: threading.Event | None = None, *, fetch_models: bool = True,
              download_progress: Callable[[Any], None] | None = None) -> RunResult:
        """Run the recipe over the inputs (memoised: unchanged steps and items cost a lookup). A cancelled run
        keeps the steps that completed; the session stays usable and the next run reuses everything done.
        First the missing model files are downloaded (``download_progress`` gets DownloadProgress); with
        ``fetch_models=False`` (a live update after an edit) steps whose models are missing are skipped."""
        if not self.lock.acquire(blocking=False):
            raise InvalidOptionError("run", "while another run is going",
                                     fix="wait for the current run to finish or press Stop")
        try:
            recipe, ids = self._pipeline.recipe, list(self._inputs.ids)
            fingerprint = self.current_fingerprint()
            fetched = self.models.prepare(recipe, self._catalog, download_progress, cancel) if fetch_models else None
            if fetched is not None and fetched.cancelled:
                self.last = RunResult(ids, self._inputs.metas(), status=StepStatus.CANCELLED,
                                      message="stopped while downloading the models")
                self.fingerprint = fingerprint
                return self.last
            actions = fetched.actions if fetched is not None else None
            for attempt in range(1, MAX_SETTLE_RUNS + 1):
                with self._cache_scope():
                    result = self.runner.run(recipe, ids, self._inputs.metas(), self._pipeline.decisions, progress,
                                             cancel, actions=actions)
                self.models.explain(result, fetched)
                result.passes = attempt
                self.last, self.fingerprint = result, fingerprint
                if result.status != StepStatus.DONE:
                    break
                if not any([hook() for hook in self.settle_hooks]):  # every hook sees the run
                    # a hook answering False may still restate its decisions (e.g. the CCIP selection narrowed to
                    # the images reaching it) without changing what the run keeps: the run holds them
                    self.fingerprint = self.current_fingerprint()
                    break
                if attempt == MAX_SETTLE_RUNS:
                    result.message = (f"the reviews did not settle after {MAX_SETTLE_RUNS} runs (each run changed "
                                      "what the next keeps): press Run again to apply the last change")
                    break
                fingerprint = self.current_fingerprint()
            return result
        finally:
            self.lock.release()

    def forget(self) -> None:
        """The inputs changed: the last run no longer describes them."""
        self.last = None

    def current_fingerprint(self) -> str:
        d = self._pipeline.decisions
        state = [self._pipeline.recipe.to_dict()["steps"], self._inputs.ids,
                 sorted((u, sorted(v)) for u, v in d.keep.items()), sorted((u, sorted(v)) for u, v in d.drop.items()),
                 sorted((u, sorted(sel.ids), sel.reason) for u, sel in d.selections.items())]
        return json.dumps(state, sort_keys=True, default=repr)

    @property
    def is_running(self) -> bool:
        """True while a run of this session is going (Stop has something to stop)."""
        return self.lock.locked()

    @property
    def is_stale(self) -> bool:
        """True when the inputs, the recipe or a decision changed since the last run (run again to see it)."""
        return self.last is None or self.fingerprint != self.current_fingerprint()

    def result(self) -> RunResult:
        """The last run (InvalidOptionError with the fix before any run)."""
        if self.last is None:
            raise InvalidOptionError("run", None, fix="run the pipeline first")
        return self.last

    def step_view(self, uid: str) -> StepView:
        sr = self.result().step(uid)
        return StepView(sr.uid, sr.label, sr.status, sr.message, list(sr.input_ids), list(sr.output_ids),
                        dict(sr.dropped))

    def step_inputs(self, uid: str) -> list[str]:
        return list(self.result().step(uid).input_ids)

    def counts(self) -> list[dict[str, Any]]:
        """Rows (step, uid, input, kept, dropped, status) for the per-step plot."""
        return self.result().counts()

    def drop_info(self, item_id: str) -> list[dict[str, Any]]:
        """Where and why ``item_id`` was dropped: rows (uid, step, reason, score, threshold, duplicate_of)."""
        rows = []
        for sr in self.result().steps:
            rec = sr.dropped.get(item_id)
            if rec is not None:
                rows.append({"uid": sr.uid, "step": sr.label, "reason": rec.reason, "score": rec.score,
                             "threshold": rec.threshold, "duplicate_of": rec.duplicate_of})
        return rows

    def items(self, ids: list[str]) -> list[Any]:
        """Lazy ImageItems of ``ids`` with their metas from the last run."""
        metas = self.result().output_metas()
        return [self._store.item(i, metas.get(i)) for i in ids]
