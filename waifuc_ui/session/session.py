"""The interactive session: one per browser session, everything the app does, no gradio.

    registry = SessionRegistry(root, ttl_seconds=3600)
    s = registry.create()                 # new workspace, unguessable id
    s.load_demo()                         # or s.add_uploads([...]) / s.add_folder(path) (not in public mode)
    s.load_preset("model-free clean-up")  # or s.set_recipe(json_text), s.add_step(...), s.update_step(...)
    s.model_report()                      # uid -> ModelStatus of model-backed steps: here, or size to download
    run = s.run(progress=cb, cancel=event, download_progress=dl_cb)   # downloads missing models first
    s.step_view(uid), s.drop_info(id), s.restore(uid, id), s.drop_by_hand(uid, id), s.counts()
    s.final_ids()  ->  review, tags, export (see review.py, tagedit.py, exporting.py)
    s.save()                              # state to <workspace>/session.json (see persistence.py)
    registry.reopen(s.id, secret)         # the same session again, also in a new process (same root)

Runs are serialised per session by a lock. Nothing here is shared between sessions except the analysis
cache on disk (model outputs keyed by pixel hash; see workspace.py).
"""

from __future__ import annotations

import inspect
import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import InvalidOptionError
from ..core.report import DropRecord, SkippedFile
from ..pipeline.catalog import ActionSpec, ModelStatus, action_catalog, get_action_spec
from ..pipeline.presets import preset_recipe
from ..pipeline.recipe import PipelineRecipe, normalize_params
from . import ingest, persistence
from .decisions import Decisions
from .exporting import ExportMixin
from .models import ModelPreparer
from .quota import QuotaLedger, Quotas
from .review import ReviewMixin
from .runner import Runner, RunProgress, RunResult, StepResult
from .store import ItemRecord, ItemStore
from .tagedit import TagEdits
from .tagging import TagMixin
from .workspace import Workspace


@dataclass
class StepView:
    """One step for the before/after galleries: ``before`` (input ids), ``after`` (output ids), ``dropped``
    (id -> DropRecord), with the step's status and message (e.g. the fix for missing models)."""

    uid: str
    label: str
    status: str
    message: str
    before: list[str]
    after: list[str]
    dropped: dict[str, DropRecord] = field(default_factory=dict)


class Session(ReviewMixin, TagMixin, ExportMixin):
    """State of one browser session: its workspace, items, recipe, last run, decisions, review and tag edits."""

    def __init__(self, workspace: Workspace, *, catalog: Mapping[str, ActionSpec] | None = None,
                 public_mode: bool = False, analysis_cache: Any = None, quota: QuotaLedger | None = None,
                 downloader: Any = None, secret_hash: str | None = None):
        self.workspace = workspace
        self.secret_hash = secret_hash  # SHA-256 of the secret that reopens the session (None: not reopenable)
        self.models = ModelPreparer(downloader)  # downloader: the registry's, shared by all sessions
        self.public_mode = public_mode
        self.quota = quota or QuotaLedger(Quotas.public() if public_mode else Quotas.local())
        self.catalog: dict[str, ActionSpec] = dict(catalog) if catalog is not None else action_catalog()
        self.store = ItemStore(workspace)
        self.runner = Runner(self.store, self.catalog)
        self.recipe = PipelineRecipe()
        self.decisions = Decisions()
        self.tag_edits = TagEdits()
        self.input_ids: list[str] = []
        self.refused: list[SkippedFile] = []
        self.last_run: RunResult | None = None
        self.ingest_log: list[dict[str, Any]] = []  # where the inputs came from, in order
        self.export_settings: dict[str, Any] = {}  # the export tab's choices (layout, zip name, kohya folder...)
        self.created = time.time()
        self._files = persistence.SessionFiles(workspace.dir)
        self._save_lock = threading.Lock()
        self._analysis_cache = analysis_cache
        self._run_lock = threading.Lock()
        self._last_fingerprint = ""
        self._init_review()

    @property
    def id(self) -> str:
        return self.workspace.id

    # -- items ----------------------------------------------------------------------------------------------------
    def record(self, item_id: str) -> ItemRecord:
        return self.store.get(item_id)

    def thumb(self, item_id: str) -> str:
        """Path of the item's thumbnail (inside the workspace)."""
        return self.store.get(item_id).thumb

    def _take(self, result: ingest.IngestResult, replace: bool, kind: str, detail: str = "") -> ingest.IngestResult:
        if replace:
            self.input_ids, self.refused, self.ingest_log = [], [], []
        self.input_ids.extend(result.ids)
        self.refused.extend(result.refused)
        self.ingest_log.append({"kind": kind, "detail": detail, "images": len(result.records),
                                "refused": len(result.refused), "replace": bool(replace)})
        self.last_run = None
        return result

    def load_demo(self, demo_dir: str | None = None, replace: bool = True) -> ingest.IngestResult:
        return self._take(ingest.ingest_demo(self.store, demo_dir), replace, "demo")

    def add_uploads(self, paths: list[str], replace: bool = False, **options: Any) -> ingest.IngestResult:
        names = [os.path.basename(str(p)) for p in paths]
        return self._take(ingest.ingest_uploads(self.store, paths, quota=self.quota, **options), replace, "upload",
                          ", ".join(names[:5]) + (f" (+{len(names) - 5} more)" if len(names) > 5 else ""))

    def add_folder(self, directory: str, replace: bool = False, **options: Any) -> ingest.IngestResult:
        return self._take(ingest.ingest_folder(self.store, directory, public_mode=self.public_mode, **options),
                          replace, "folder", directory)

    def add_source(self, source: Any, replace: bool = False, **options: Any) -> ingest.IngestResult:
        """Any waifuc_ui source (e.g. a web source); ``max_items``, ``cancel``, ``progress`` as in ingest_source.
        In public mode, sources that read server folders are refused."""
        if self.public_mode and ingest.reads_server_folders(source):
            raise InvalidOptionError("source", type(source).__name__,
                                     fix="reading server folders is disabled in public mode; upload images instead")
        return self._take(ingest.ingest_source(self.store, source, **options), replace, "source",
                          type(source).__name__)

    def clear_inputs(self) -> None:
        self.input_ids, self.refused, self.last_run, self.ingest_log = [], [], None, []

    # -- recipe ---------------------------------------------------------------------------------------------------
    def set_recipe(self, recipe: PipelineRecipe | str | dict) -> PipelineRecipe:
        """Replace the recipe (an object, JSON text or dict); validated against the catalog."""
        if isinstance(recipe, str):
            recipe = PipelineRecipe.from_json(recipe, self.catalog)
        elif isinstance(recipe, dict):
            recipe = PipelineRecipe.from_dict(recipe, self.catalog)
        else:
            recipe = recipe.validated(self.catalog)
        self.recipe = recipe
        return recipe

    def load_preset(self, name: str) -> PipelineRecipe:
        self.recipe = preset_recipe(name, self.catalog)
        return self.recipe

    def recipe_json(self) -> str:
        return self.recipe.to_json()

    def add_step(self, action: str, params: dict[str, Any] | None = None, position: int | None = None) -> str:
        return self.recipe.add_step(action, self.catalog, params, position).uid

    def update_step(self, uid: str, params: dict[str, Any] | None = None, enabled: bool | None = None) -> None:
        """Change some parameters (validated, others kept) and/or the enabled flag of a step."""
        step = self.recipe.step_by_uid(uid)
        if params:
            spec = get_action_spec(step.action, self.catalog)
            step.params = normalize_params(spec, {**step.params, **params})
        if enabled is not None:
            step.enabled = bool(enabled)

    def move_step(self, uid: str, new_index: int) -> None:
        self.recipe.move_step(uid, new_index)

    def remove_step(self, uid: str) -> None:
        self.recipe.remove_step(uid)
        self.decisions.clear(uid)

    def script(self, source_desc: str | None = None, exporter: str | None = None, **export: Any) -> str:
        """The Python script of the dataset: the recipe, the decisions made by hand and the app's export (a zip;
        ``export``: layout, kohya_folder, archive, exporter options) unless ``exporter`` is given (see
        scripting.py). Run on the session's inputs it gives the same files as ``export_zip(**export)``; without
        ``export``, the Export tab's saved settings are used."""
        from .exporting import zip_stem
        from .scripting import session_script

        if exporter is None and not export:  # the Export tab's settings, as saved with the session
            export = {k: v for k, v in self.export_settings.items() if k in ("layout", "kohya_folder", "quality")}
            try:
                export["quality"] = int(export["quality"])
            except (KeyError, TypeError, ValueError):
                export.pop("quality", None)  # not set, or not a number: the export's default
            if self.export_settings.get("name"):
                export["archive"] = zip_stem(self.export_settings["name"]) + ".zip"
        return session_script(self, source_desc, exporter, **export)

    def model_report(self) -> dict[str, ModelStatus]:
        """uid -> ModelStatus for every enabled step that needs models: on this machine, to be downloaded by the
        next run (with sizes from the Hub), or unavailable (will be skipped). Never downloads."""
        return self.models.report(self.recipe, self.catalog)

    # -- run ------------------------------------------------------------------------------------------------------
    def _cache_context(self):
        from ..analysis import AnalysisCache, use_analysis_cache

        if self._analysis_cache is None:
            self._analysis_cache = AnalysisCache(self.workspace.cache_dir)
        return use_analysis_cache(self._analysis_cache)

    def run(self, progress: Callable[[RunProgress], None] | None = None,
            cancel: threading.Event | None = None, *, fetch_models: bool = True,
            download_progress: Callable[[Any], None] | None = None) -> RunResult:
        """Run the recipe over the inputs (memoised: unchanged steps and items cost a lookup). A cancelled run
        keeps the steps that completed; the session stays usable and the next run reuses everything done.
        First the missing model files are downloaded (``download_progress`` gets DownloadProgress); with
        ``fetch_models=False`` (a live update after an edit) steps whose models are missing are skipped."""
        if not self._run_lock.acquire(blocking=False):
            raise InvalidOptionError("run", "while another run is going",
                                     fix="wait for the current run to finish or press Stop")
        try:
            fingerprint = self._fingerprint()
            fetched = self.models.prepare(self.recipe, self.catalog, download_progress, cancel) \
                if fetch_models else None
            if fetched is not None and fetched.cancelled:
                self.last_run = RunResult(list(self.input_ids), {i: self.store.get(i).meta for i in self.input_ids},
                                          status="cancelled", message="stopped while downloading the models")
                self._last_fingerprint = fingerprint
                return self.last_run
            with self._cache_context():
                metas = {i: self.store.get(i).meta for i in self.input_ids}
                result = self.runner.run(self.recipe, list(self.input_ids), metas, self.decisions, progress, cancel,
                                         actions=fetched.actions if fetched is not None else None)
            self.models.explain(result, fetched)
            self.last_run, self._last_fingerprint = result, fingerprint
            return result
        finally:
            self._run_lock.release()

    def _fingerprint(self) -> str:
        d = self.decisions
        state = [self.recipe.to_dict()["steps"], self.input_ids,
                 sorted((u, sorted(v)) for u, v in d.keep.items()), sorted((u, sorted(v)) for u, v in d.drop.items()),
                 sorted((u, sorted(sel.ids), sel.reason) for u, sel in d.selections.items())]
        return json.dumps(state, sort_keys=True, default=repr)

    @property
    def is_running(self) -> bool:
        """True while a run of this session is going (Stop has something to stop)."""
        return self._run_lock.locked()

    @property
    def is_stale(self) -> bool:
        """True when the inputs, the recipe or a decision changed since the last run (run again to see it)."""
        return self.last_run is None or self._last_fingerprint != self._fingerprint()

    def _run(self) -> RunResult:
        if self.last_run is None:
            raise InvalidOptionError("run", None, fix="run the pipeline first")
        return self.last_run

    def step_view(self, uid: str) -> StepView:
        sr: StepResult = self._run().step(uid)
        return StepView(sr.uid, sr.label, sr.status, sr.message, list(sr.input_ids), list(sr.output_ids),
                        dict(sr.dropped))

    def counts(self) -> list[dict[str, Any]]:
        """Rows (step, uid, input, kept, dropped, status) for the per-step plot."""
        return self._run().counts()

    def drop_info(self, item_id: str) -> list[dict[str, Any]]:
        """Where and why ``item_id`` was dropped: rows (uid, step, reason, score, threshold, duplicate_of)."""
        rows = []
        for sr in self._run().steps:
            rec = sr.dropped.get(item_id)
            if rec is not None:
                rows.append({"uid": sr.uid, "step": sr.label, "reason": rec.reason, "score": rec.score,
                             "threshold": rec.threshold, "duplicate_of": rec.duplicate_of})
        return rows

    def restore(self, uid: str, item_id: str) -> None:
        """Force-keep ``item_id`` at step ``uid`` (persists across runs; run again to propagate)."""
        self.recipe.step_by_uid(uid)
        self.decisions.force_keep(uid, item_id)

    def drop_by_hand(self, uid: str, item_id: str) -> None:
        """Drop ``item_id`` at step ``uid`` by hand (persists across runs; run again to propagate)."""
        self.recipe.step_by_uid(uid)
        self.decisions.force_drop(uid, item_id)

    def undo_decision(self, uid: str, item_id: str) -> None:
        self.decisions.clear(uid, item_id)

    def final_ids(self) -> list[str]:
        """The dataset: items kept after the last step (review decisions are applied at their steps), or the
        inputs before any run."""
        if self.last_run is None:
            return list(self.input_ids)
        excluded = self.final_exclusions()
        return [i for i in self.last_run.output_ids() if i not in excluded]

    def final_metas(self) -> dict[str, dict[str, Any]]:
        metas = self.last_run.output_metas() if self.last_run else {i: self.store.get(i).meta for i in self.input_ids}
        return {i: metas.get(i, self.store.get(i).meta) for i in self.final_ids()}

    # -- export settings -------------------------------------------------------------------------------------------
    def export_zip(self, *args: Any, **kwargs: Any):
        """:meth:`ExportMixin.export_zip`, remembering the settings it was called with (saved with the session)."""
        bound = inspect.signature(ExportMixin.export_zip).bind(self, *args, **kwargs)
        settings = {k: v for k, v in bound.arguments.items() if k != "self"}
        settings.update(settings.pop("options", {}))
        self.export_settings = persistence.json_safe(settings)
        return ExportMixin.export_zip(self, *args, **kwargs)

    # -- persistence ----------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything a person made in this session except the item records and the last run (see persistence)."""
        return {"id": self.id, "secret_sha256": self.secret_hash, "created": self.created,
                "input_ids": list(self.input_ids), "refused": [persistence.skipped_to_dict(r) for r in self.refused],
                "ingest_log": list(self.ingest_log), "recipe": self.recipe.to_dict(),
                "decisions": self.decisions.to_dict(), "review": self.review_state(),
                "tag_edits": self.tag_edits.to_dict(), "export_settings": dict(self.export_settings),
                "counter": self.store.counter}

    def save(self) -> bool:
        """Write the session's state into its workspace, atomically, if it changed since the last save (a no-op
        for a closed session). True when something was written."""
        if self.workspace.closed:
            return False
        with self._save_lock:
            for attempt in range(3):  # a run in another thread may add records while we copy
                try:
                    state, records = self.state_dict(), self.store.snapshot()
                    break
                except RuntimeError:
                    if attempt == 2:
                        raise
            return self._files.save(state, records, self.last_run, self._last_fingerprint)

    @classmethod
    def load(cls, workspace: Workspace, **kwargs: Any) -> Session:
        """The session saved in ``workspace`` (persistence.StateError when its state cannot be read)."""
        session = cls(workspace, **kwargs)
        state, records, run, fingerprint = session._files.load()
        if state.get("id") != workspace.id:
            raise persistence.StateError(f"the state file belongs to session {state.get('id')!r}, not {workspace.id!r}")
        session.secret_hash = state.get("secret_sha256")
        session.created = float(state.get("created") or time.time())
        session.store.restore(records, int(state.get("counter", 0)))
        known = {r.id for r in records}
        session.input_ids = [i for i in state.get("input_ids", []) if i in known]
        session.refused = [persistence.skipped_from_dict(d) for d in state.get("refused", [])]
        session.ingest_log = list(state.get("ingest_log", []))
        session.recipe = PipelineRecipe.from_dict(state["recipe"], session.catalog)
        session.decisions = Decisions.from_dict(state.get("decisions") or {})
        session.load_review_state(state.get("review") or {})
        session.tag_edits = TagEdits.from_dict(state.get("tag_edits") or {})
        session.export_settings = dict(state.get("export_settings") or {})
        session.last_run, session._last_fingerprint = run, fingerprint
        session._files.remember_run(run)
        return session

    # -- project file ---------------------------------------------------------------------------------------------
    def project_dict(self) -> dict[str, Any]:
        """The session as a portable project (no server paths); see :mod:`waifuc_ui.session.project`."""
        from .project import project_of

        return project_of(self)

    def load_project(self, source: str | dict[str, Any]) -> Any:
        """Apply a project file (path, JSON text or dict) to this session's images; returns the ProjectMatch
        (which project images were found here). See :mod:`waifuc_ui.session.project`."""
        from .project import apply_project, read_project

        return apply_project(self, read_project(source, self.catalog))

    def close(self) -> None:
        self.workspace.close()
