"""The interactive session: one per browser session, everything the app does, no gradio.

A composition root: each concept is a service given what it needs in its constructor.

    registry = SessionRegistry(root, ttl_seconds=3600)
    s = registry.create()                         # new workspace, unguessable id
    s.inputs.load_demo()                          # or s.inputs.add_uploads([...]) / add_folder(path) (not public)
    s.pipeline.load_preset("model-free clean-up") # or set_recipe(json_text), add_step(...), update_step(...)
    s.runs.model_report()                         # uid -> ModelStatus of model-backed steps
    run = s.runs.start(progress=cb, cancel=event, download_progress=dl_cb)   # downloads missing models first
    s.runs.step_view(uid), s.runs.drop_info(id), s.pipeline.restore(uid, id), s.pipeline.drop_by_hand(uid, id)
    s.characters.clusters() / choose([0]);  s.duplicates.groups() / apply()
    s.dataset.ids();  s.tags.add("solo");  s.export.zip(name="my_set")
    s.save()                                      # state to <workspace>/session.json (see persistence.py)
    registry.reopen(s.id, secret)                 # the same session again, also in a new process (same root)

Runs are serialised per session by a lock. Nothing here is shared between sessions except the analysis
cache on disk (model outputs keyed by pixel hash; see workspace.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ..pipeline.catalog import ActionSpec, action_catalog
from ..pipeline.recipe import PipelineRecipe
from . import persistence
from .characters import Characters
from .dataset import Dataset
from .decisions import Decisions
from .editing import PipelineEditor
from .exporting import Export
from .inputs import Inputs
from .models import ModelPreparer
from .quota import QuotaLedger, Quotas
from .review import Duplicates
from .review_models import ReviewModels
from .runs import Runs, StepView
from .store import ItemRecord, ItemStore
from .tagedit import TagEdits
from .tagging import Tags
from .workspace import Workspace

if TYPE_CHECKING:
    from .project import ProjectMatch

__all__ = ["Session", "StepView"]


class Session:
    """One browser session: its workspace and item store, and the services ``inputs``, ``pipeline``, ``runs``,
    ``characters``, ``duplicates``, ``dataset``, ``tags`` and ``export``. ``review_models`` replaces the review's
    model calls (tests)."""

    def __init__(self, workspace: Workspace, *, catalog: Mapping[str, ActionSpec] | None = None,
                 public_mode: bool = False, analysis_cache: Any = None, quota: QuotaLedger | None = None,
                 downloader: Any = None, secret_hash: str | None = None,
                 review_models: ReviewModels | None = None):
        self.workspace = workspace
        self.secret_hash = secret_hash  # SHA-256 of the secret that reopens the session (None: not reopenable)
        self.public_mode = public_mode
        self.quota = quota or QuotaLedger(Quotas.public() if public_mode else Quotas.local())
        self.catalog: dict[str, ActionSpec] = dict(catalog) if catalog is not None else action_catalog()
        self.created = time.time()
        self.store = ItemStore(workspace)
        self._analysis_cache = analysis_cache
        review_models = review_models or ReviewModels()
        self.pipeline = PipelineEditor(self.catalog)
        self.inputs = Inputs(self.store, self.quota, public_mode=public_mode, on_change=lambda: self.runs.forget())
        # downloader: the registry's, shared by all sessions
        self.runs = Runs(self.store, self.catalog, self.inputs, self.pipeline, ModelPreparer(downloader),
                         self._cache_scope)
        self.characters = Characters(self.pipeline, self.runs, review_models, self._cache_scope)
        self.runs.settle_hooks.append(self.characters.settle_after_run)
        self.duplicates = Duplicates(self.store, self.pipeline, self.runs, review_models, self._cache_scope)
        self.runs.settle_hooks.append(self.duplicates.settle_after_run)
        self.dataset = Dataset(self.store, self.inputs, self.runs, self.pipeline, self.duplicates)
        self.tags = Tags(self.store, self.dataset)
        self.export = Export(workspace, self.store, self.dataset, self.tags, self.pipeline, public_mode=public_mode)
        self._files = persistence.SessionFiles(workspace.dir)
        self._save_lock = threading.Lock()

    @property
    def id(self) -> str:
        return self.workspace.id

    def _cache_scope(self) -> AbstractContextManager[Any]:
        from ..analysis import AnalysisCache, use_analysis_cache

        if self._analysis_cache is None:
            self._analysis_cache = AnalysisCache(self.workspace.cache_dir)
        return use_analysis_cache(self._analysis_cache)

    # -- items ----------------------------------------------------------------------------------------------------
    def record(self, item_id: str) -> ItemRecord:
        return self.store.get(item_id)

    def thumb(self, item_id: str) -> str:
        """Path of the item's thumbnail (inside the workspace)."""
        return self.store.get(item_id).thumb

    def script(self, source_desc: str | None = None, exporter: str | None = None, **export: Any) -> str:
        """The Python script of the dataset: the recipe, the decisions made by hand and the app's export (a zip;
        ``export``: layout, kohya_folder, archive, exporter options) unless ``exporter`` is given (see
        scripting.py). Run on the session's inputs it gives the same files as ``export.zip(**export)``; without
        ``export``, the Export tab's saved settings are used."""
        from .scripting import session_script

        if exporter is None and not export:  # the Export tab's settings, as saved with the session
            export = self.export.script_options()
        return session_script(self, source_desc, exporter, **export)

    # -- persistence ----------------------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything a person made in this session except the item records and the last run (see persistence)."""
        return {"id": self.id, "secret_sha256": self.secret_hash, "created": self.created,
                "input_ids": list(self.inputs.ids),
                "refused": [persistence.skipped_to_dict(r) for r in self.inputs.refused],
                "ingest_log": list(self.inputs.log), "recipe": self.pipeline.recipe.to_dict(),
                "decisions": self.pipeline.decisions.to_dict(), "review": self.duplicates.state(),
                "tag_edits": self.tags.edits.to_dict(), "export_settings": dict(self.export.settings),
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
            return self._files.save(state, records, self.runs.last, self.runs.fingerprint)

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
        session.inputs.load_state([i for i in state.get("input_ids", []) if i in known],
                                  [persistence.skipped_from_dict(d) for d in state.get("refused", [])],
                                  list(state.get("ingest_log", [])))
        session.pipeline.recipe = PipelineRecipe.from_dict(state["recipe"], session.catalog)
        session.pipeline.decisions = Decisions.from_dict(state.get("decisions") or {})
        session.duplicates.load_state(state.get("review") or {})
        session.tags.edits = TagEdits.from_dict(state.get("tag_edits") or {})
        session.export.settings = dict(state.get("export_settings") or {})
        session.runs.last, session.runs.fingerprint = run, fingerprint
        session._files.remember_run(run)
        return session

    # -- project file ---------------------------------------------------------------------------------------------
    def project_dict(self) -> dict[str, Any]:
        """The session as a portable project (no server paths); see :mod:`waifuc_ui.session.project`."""
        from .project import project_of

        return project_of(self)

    def load_project(self, source: str | dict[str, Any]) -> ProjectMatch:
        """Apply a project file (path, JSON text or dict) to this session's images; returns the ProjectMatch
        (which project images were found here). See :mod:`waifuc_ui.session.project`."""
        from .project import apply_project, read_project

        return apply_project(self, read_project(source, self.catalog))

    def close(self) -> None:
        self.workspace.close()
