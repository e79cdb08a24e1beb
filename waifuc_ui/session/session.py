"""The interactive session: one per browser session, everything the app does, no gradio.

    registry = SessionRegistry(root, ttl_seconds=3600)
    s = registry.create()                 # new workspace, unguessable id
    s.load_demo()                         # or s.add_uploads([...]) / s.add_folder(path) (not in public mode)
    s.load_preset("model-free clean-up")  # or s.set_recipe(json_text), s.add_step(...), s.update_step(...)
    s.model_report()                      # uid -> ModelStatus of model-backed steps: here, or size to download
    run = s.run(progress=cb, cancel=event, download_progress=dl_cb)   # downloads missing models first
    s.step_view(uid), s.drop_info(id), s.restore(uid, id), s.drop_by_hand(uid, id), s.counts()
    s.final_ids()  ->  review, tags, export (see review.py, tagedit.py, exporting.py)

Runs are serialised per session by a lock. Nothing here is shared between sessions except the analysis
cache on disk (model outputs keyed by pixel hash; see workspace.py).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Union

from ..errors import InvalidOptionError
from ..pipeline.catalog import ActionSpec, ModelStatus, action_catalog, get_action_spec
from ..pipeline.presets import preset_recipe
from ..pipeline.recipe import PipelineRecipe, normalize_params
from ..report import DropRecord, SkippedFile
from . import ingest
from .decisions import Decisions
from .models import ModelPreparer
from .quota import QuotaLedger, Quotas
from .review import ReviewMixin
from .runner import Runner, RunProgress, RunResult, StepResult
from .store import ItemRecord, ItemStore
from .tagedit import TagEdits
from .workspace import Workspace, WorkspaceRegistry
from .exporting import ExportMixin
from .tagging import TagMixin


@dataclass
class StepView:
    """One step for the before/after galleries: ``before`` (input ids), ``after`` (output ids), ``dropped``
    (id -> DropRecord), with the step's status and message (e.g. the fix for missing models)."""

    uid: str
    label: str
    status: str
    message: str
    before: List[str]
    after: List[str]
    dropped: Dict[str, DropRecord] = field(default_factory=dict)


class Session(ReviewMixin, TagMixin, ExportMixin):
    """State of one browser session: its workspace, items, recipe, last run, decisions, review and tag edits."""

    def __init__(self, workspace: Workspace, *, catalog: Optional[Mapping[str, ActionSpec]] = None,
                 public_mode: bool = False, analysis_cache: Any = None, quota: Optional[QuotaLedger] = None,
                 downloader: Any = None):
        self.workspace = workspace
        self.models = ModelPreparer(downloader)  # downloader: the registry's, shared by all sessions
        self.public_mode = public_mode
        self.quota = quota or QuotaLedger(Quotas.public() if public_mode else Quotas.local())
        self.catalog: Dict[str, ActionSpec] = dict(catalog) if catalog is not None else action_catalog()
        self.store = ItemStore(workspace)
        self.runner = Runner(self.store, self.catalog)
        self.recipe = PipelineRecipe()
        self.decisions = Decisions()
        self.tag_edits = TagEdits()
        self.input_ids: List[str] = []
        self.refused: List[SkippedFile] = []
        self.last_run: Optional[RunResult] = None
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

    def _take(self, result: ingest.IngestResult, replace: bool) -> ingest.IngestResult:
        if replace:
            self.input_ids, self.refused = [], []
        self.input_ids.extend(result.ids)
        self.refused.extend(result.refused)
        self.last_run = None
        return result

    def load_demo(self, demo_dir: Optional[str] = None, replace: bool = True) -> ingest.IngestResult:
        return self._take(ingest.ingest_demo(self.store, demo_dir), replace)

    def add_uploads(self, paths: List[str], replace: bool = False, **options: Any) -> ingest.IngestResult:
        return self._take(ingest.ingest_uploads(self.store, paths, quota=self.quota, **options), replace)

    def add_folder(self, directory: str, replace: bool = False, **options: Any) -> ingest.IngestResult:
        return self._take(ingest.ingest_folder(self.store, directory, public_mode=self.public_mode, **options),
                          replace)

    def add_source(self, source: Any, replace: bool = False, **options: Any) -> ingest.IngestResult:
        """Any waifuc_ui source (e.g. a web source); ``max_items``, ``cancel``, ``progress`` as in ingest_source.
        In public mode, sources that read server folders are refused."""
        if self.public_mode and ingest.reads_server_folders(source):
            raise InvalidOptionError("source", type(source).__name__,
                                     fix="reading server folders is disabled in public mode; upload images instead")
        return self._take(ingest.ingest_source(self.store, source, **options), replace)

    def clear_inputs(self) -> None:
        self.input_ids, self.refused, self.last_run = [], [], None

    # -- recipe ---------------------------------------------------------------------------------------------------
    def set_recipe(self, recipe: Union[PipelineRecipe, str, dict]) -> PipelineRecipe:
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

    def add_step(self, action: str, params: Optional[Dict[str, Any]] = None, position: Optional[int] = None) -> str:
        return self.recipe.add_step(action, self.catalog, params, position).uid

    def update_step(self, uid: str, params: Optional[Dict[str, Any]] = None, enabled: Optional[bool] = None) -> None:
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

    def script(self, source_desc: Optional[str] = None, exporter: Optional[str] = None, **export: Any) -> str:
        """The Python script of the dataset: the recipe, the decisions made by hand and the app's export (a zip;
        ``export``: layout, kohya_folder, archive, exporter options) unless ``exporter`` is given (see
        scripting.py). Run on the session's inputs it gives the same files as ``export_zip(**export)``."""
        from .scripting import session_script

        return session_script(self, source_desc, exporter, **export)

    def model_report(self) -> Dict[str, ModelStatus]:
        """uid -> ModelStatus for every enabled step that needs models: on this machine, to be downloaded by the
        next run (with sizes from the Hub), or unavailable (will be skipped). Never downloads."""
        return self.models.report(self.recipe, self.catalog)

    # -- run ------------------------------------------------------------------------------------------------------
    def _cache_context(self):
        from ..analysis import AnalysisCache, use_analysis_cache

        if self._analysis_cache is None:
            self._analysis_cache = AnalysisCache(self.workspace.cache_dir)
        return use_analysis_cache(self._analysis_cache)

    def run(self, progress: Optional[Callable[[RunProgress], None]] = None,
            cancel: Optional[threading.Event] = None, *, fetch_models: bool = True,
            download_progress: Optional[Callable[[Any], None]] = None) -> RunResult:
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
                result = self.runner.run(self.recipe, list(self.input_ids), metas, self.decisions, progress, cancel)
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

    def counts(self) -> List[Dict[str, Any]]:
        """Rows (step, uid, input, kept, dropped, status) for the per-step plot."""
        return self._run().counts()

    def drop_info(self, item_id: str) -> List[Dict[str, Any]]:
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

    def final_ids(self) -> List[str]:
        """The dataset: items kept after the last step (review decisions are applied at their steps), or the
        inputs before any run."""
        if self.last_run is None:
            return list(self.input_ids)
        excluded = self.final_exclusions()
        return [i for i in self.last_run.output_ids() if i not in excluded]

    def final_metas(self) -> Dict[str, Dict[str, Any]]:
        metas = self.last_run.output_metas() if self.last_run else {i: self.store.get(i).meta for i in self.input_ids}
        return {i: metas.get(i, self.store.get(i).meta) for i in self.final_ids()}

    def close(self) -> None:
        self.workspace.close()


class SessionRegistry:
    """Sessions of one app process by id, with idle expiry (``expire_idle``) deleting their workspaces. ``quotas``
    (default: public or local by ``public_mode``) bound each session; the registry owns the decode slots all its
    sessions share."""

    def __init__(self, root: Optional[str] = None, ttl_seconds: float = 3600.0, cache_dir: Optional[str] = None,
                 public_mode: bool = False, catalog: Optional[Mapping[str, ActionSpec]] = None,
                 quotas: Optional[Quotas] = None, downloader: Any = None, **registry_kw: Any):
        from ..models.download import Downloader

        self.workspaces = WorkspaceRegistry(root, ttl_seconds, cache_dir, **registry_kw)
        self.downloader = downloader or Downloader()  # one per app: a file downloads once for all sessions
        self.public_mode = public_mode
        self.quotas = quotas or (Quotas.public() if public_mode else Quotas.local())
        self.decode_slots = self.quotas.decode_slots()
        self._catalog = dict(catalog) if catalog is not None else None
        self._sessions: Dict[str, Session] = {}
        self._lock = threading.Lock()
        self._analysis_cache: Any = None

    def _shared_cache(self, ws: Workspace) -> Any:
        """One analysis cache object for all sessions of the process (thread-safe, bounded memory LRU; holds
        model outputs keyed by pixel hash, never images)."""
        with self._lock:
            if self._analysis_cache is None:
                from ..analysis import AnalysisCache

                self._analysis_cache = AnalysisCache(ws.cache_dir)
            return self._analysis_cache

    def create(self) -> Session:
        ws = self.workspaces.create()
        session = Session(ws, catalog=self._catalog, public_mode=self.public_mode,
                          analysis_cache=self._shared_cache(ws), quota=QuotaLedger(self.quotas, self.decode_slots),
                          downloader=self.downloader)
        with self._lock:
            self._sessions[ws.id] = session
        return session

    def get(self, session_id: str) -> Optional[Session]:
        if self.workspaces.get(session_id) is None:
            return None
        with self._lock:
            return self._sessions.get(session_id)

    def close(self, session_id: str) -> bool:
        with self._lock:
            self._sessions.pop(session_id, None)
        return self.workspaces.close(session_id)

    def expire_idle(self) -> List[str]:
        gone = self.workspaces.expire_idle()
        with self._lock:
            for i in gone:
                self._sessions.pop(i, None)
        return gone

    def close_all(self) -> None:
        for i in self.workspaces.live_ids():
            self.close(i)
