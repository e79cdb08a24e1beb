"""A session's model files: what the recipe's steps need (nothing downloaded) and the download before a run.

    prep = ModelPreparer(downloader)                   # the downloader is shared by all sessions (the registry's)
    prep.report(recipe, catalog)                       # uid -> ModelStatus, with sizes from the Hub (HEAD only)
    fetched = prep.prepare(recipe, catalog, progress, cancel)   # before processing: download what is missing
    prep.explain(run_result, fetched)                  # skipped steps say why their download failed

Selecting a preset or editing a recipe only calls :meth:`report`; only a run calls :meth:`prepare`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.errors import ModelUnavailableError
from ..inference.download import DownloadCancelled, Downloader, DownloadPlan, DownloadProgress, mb
from ..inference.hub import HubFile, is_local, local_path
from ..inference.registry import companion_files
from ..pipeline.catalog import ActionSpec, ModelStatus, model_status
from ..pipeline.recipe import PipelineRecipe, build_action
from .runner import RunResult, StepStatus


@dataclass
class DownloadReport:
    """What the download before a run did: ``fetched`` files (``bytes`` in ``seconds``), ``errors`` per file,
    ``cancelled`` when Stop was pressed; ``step_files``: uid -> the files that step needs; ``actions``: uid -> the
    step's action as built for this run (the runner reuses them)."""

    fetched: list[HubFile] = field(default_factory=list)
    errors: dict[HubFile, ModelUnavailableError] = field(default_factory=dict)
    cancelled: bool = False
    bytes: int = 0
    seconds: float = 0.0
    step_files: dict[str, list[HubFile]] = field(default_factory=dict)
    actions: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        """One line for the Run tab ('' when nothing had to be downloaded)."""
        parts = []
        if self.fetched:
            parts.append(f"Downloaded {len(self.fetched)} model file(s) ({mb(self.bytes)}) in {self.seconds:.0f} s.")
        if self.errors:
            first = next(iter(self.errors.values()))
            parts.append(f"{len(self.errors)} model file(s) could not be downloaded; their steps were skipped. "
                         f"{first}")
        if self.cancelled:
            parts.append("Files downloaded before Stop are kept; the next run continues with the rest.")
        return " ".join(parts)


class ModelPreparer:
    """Model status and pre-run download for one session, over the app's shared :class:`Downloader`."""

    def __init__(self, downloader: Downloader | None = None):
        self.downloader = downloader or Downloader()
        self.last: DownloadReport | None = None

    @staticmethod
    def _step_files(actions: Mapping[str, Any]) -> dict[str, list[HubFile]]:
        out: dict[str, list[HubFile]] = {}
        for uid, action in actions.items():
            required = getattr(action, "required_files", None)
            try:
                files = list(required()) if required is not None else []
            except Exception:  # an unknown model name: model_status reports it
                files = []
            if files:
                out[uid] = files
        return out

    def report(self, recipe: PipelineRecipe, catalog: Mapping[str, ActionSpec]) -> dict[str, ModelStatus]:
        """uid -> ModelStatus of every enabled model-backed step; for files not here, whether the run will download
        them and how large they are (one probe, HEAD requests in parallel; never a download)."""
        actions = {step.uid: build_action(step, catalog) for step in recipe.enabled_steps()}
        missing = [f for files in self._step_files(actions).values() for f in files if not is_local(f)]
        plan = self.downloader.plan(missing) if missing else DownloadPlan(True, "", {})
        out: dict[str, ModelStatus] = {}
        for uid, action in actions.items():
            status = model_status(action, plan=lambda _files: plan)
            if status.needs_models:
                out[uid] = status
        return out

    def prepare(self, recipe: PipelineRecipe, catalog: Mapping[str, ActionSpec],
                progress: Callable[[DownloadProgress], None] | None = None,
                cancel: threading.Event | None = None) -> DownloadReport:
        """Download every file the enabled steps need (and the optional files their loaders read) before any image
        is processed. Failures are collected per file (the runner then skips those steps); Stop sets
        ``cancelled``."""
        actions = {step.uid: build_action(step, catalog) for step in recipe.enabled_steps()}
        step_files = self._step_files(actions)
        required = list(dict.fromkeys(f for files in step_files.values() for f in files))
        optional = companion_files(required)
        todo = [f for f in required if not is_local(f)]
        report = DownloadReport(step_files=step_files, actions=actions)
        self.last = report
        start = time.monotonic()
        try:
            outcome = self.downloader.fetch_all(required, progress=progress, cancel=cancel, optional=optional)
        except DownloadCancelled:
            report.cancelled = True
            outcome = {}
        report.seconds = time.monotonic() - start
        for f, err in outcome.items():
            if err is not None:
                report.errors[f] = err
            elif f in todo and is_local(f):
                report.fetched.append(f)
        report.bytes = sum(_size(f) for f in report.fetched)
        return report

    def explain(self, result: RunResult, report: DownloadReport | None) -> None:
        """Give the steps of ``result`` (a RunResult) skipped for missing models the reason their download failed."""
        if report is None or not report.errors:
            return
        for sr in result.steps:
            errors = [report.errors[f] for f in report.step_files.get(sr.uid, []) if f in report.errors]
            if sr.status == StepStatus.UNAVAILABLE and errors:
                sr.message = " ".join(str(err) for err in errors)
                status = result.unavailable.get(sr.uid)
                if status is not None:
                    commands = tuple(dict.fromkeys(c for err in errors for c in err.commands))
                    result.unavailable[sr.uid] = replace(status, fix=sr.message, commands=commands)


def _size(f: HubFile) -> int:
    path = local_path(f)
    return os.path.getsize(path) if path else 0
