"""What the Pipeline tab says about the models its steps need: the summary above the steps, the badge after a
step's name and the note under it (which files, here / downloaded on the first run / missing)."""

from __future__ import annotations

from typing import Any

from ..core.errors import WaifucUIError
from ..inference.download import mb
from ..pipeline.catalog import ModelStatus, model_status
from ..pipeline.recipe import build_action
from .state import UISession
from .views import model_fix_help


def missing_files_text(status: ModelStatus) -> str:
    """Short list of the files a step lacks, e.g. ``deepghs/ccip_onnx/…/model_feat.onnx (+2 more)``."""
    files = status.missing or status.files
    if not files:
        return "model unavailable"
    first = f"`{files[0]}`"
    return first + (f" (+{len(files) - 1} more)" if len(files) > 1 else "")


def step_files_text(status: ModelStatus) -> str:
    """The files one step needs and where each stands, e.g. ``Model files: `a/b/model.onnx` (here), `c/d.csv`
    (downloads on the first run, 1.2 MB)``."""
    sizes = dict(zip(status.missing, status.missing_sizes))
    parts = []
    for f in status.files:
        if f not in status.missing:
            where = "on this machine"
        elif status.download:
            where = f"downloads on the first run, {mb(sizes.get(f))}"
        else:
            where = "missing"
        parts.append(f"`{f}` ({where})")
    return "Model files: " + ", ".join(parts)


def step_model_note(status: ModelStatus | None) -> str:
    """One note under a step: its files and where each stands, led by "Model missing" when it will be skipped."""
    if status is None or not (status.files or status.needs_models):
        return ""
    if status.needs_models and not status.will_run:
        files = step_files_text(status) if status.missing else f"needs {missing_files_text(status)}"
        return f"**Model missing**: it will be skipped (see *How to get the models* above). {files}"
    return step_files_text(status) if status.files else ""


def download_lines(statuses: dict[str, ModelStatus], labels: dict[str, str]) -> list[str]:
    """Markdown lines for the steps whose models the next run downloads: each file once, with its size."""
    fetch = [(uid, st) for uid, st in statuses.items() if st.needs_models and not st.available and st.download]
    if not fetch:
        return []
    sizes: dict[str, int | None] = {}
    for _, st in fetch:
        sizes.update(zip(st.missing, st.missing_sizes or (None,) * len(st.missing)))
    known = [n for n in sizes.values() if n is not None]
    total = mb(sum(known)) + ("" if len(known) == len(sizes) else " + files of unknown size")
    lines = [f"**{len(sizes)} model file(s), {total}, will be downloaded from the Hub when you press Run**, before "
             "any image is processed (with progress and Stop on the Run tab). Nothing is downloaded before that."]
    for uid, st in fetch:
        files = ", ".join(f"`{f}` ({mb(sizes.get(f))})" for f in st.missing)
        lines.append(f"- **{labels.get(uid, uid)}**: {files}")
    return lines


def model_summary(statuses: dict[str, ModelStatus], labels: dict[str, str]) -> str:
    """Markdown: which model files the steps need, which the next run downloads (and how large they are), and
    which steps cannot run (with the fix)."""
    needs = sum(1 for st in statuses.values() if st.needs_models)
    if not needs:
        return "No step needs a model."
    missing = [(uid, st) for uid, st in statuses.items() if st.needs_models and not st.will_run]
    lines = download_lines(statuses, labels)
    if not missing and not lines:
        return f"All models needed by the {needs} model-backed step(s) are available."
    if missing:
        lines.append(f"**{len(missing)} step(s) cannot run: their models are not on this machine.** They will be "
                     "skipped (images pass through them unchanged); model-free steps still run.")
        for uid, st in missing:
            lines.append(f"- **{labels.get(uid, uid)}**: needs {missing_files_text(st)}")
        help_text = model_fix_help([st for _, st in missing])
        if help_text:
            lines.append(f"\n<details><summary>How to get the models</summary>\n\n{help_text}\n</details>")
    return "\n".join(lines)


def step_labels(ui: UISession) -> dict[str, str]:
    return {s.uid: f"{n}. {s.action}" for n, s in enumerate(ui.session.pipeline.recipe.steps, start=1)}


def pipeline_status(ui: UISession) -> str:
    """Model availability of the current recipe."""
    return model_summary(ui.session.runs.model_report(), step_labels(ui))


def disabled_step_status(ui: UISession, step: Any) -> ModelStatus | None:
    """A switched-off step's models, looked up on this machine only (the session reports enabled steps)."""
    if step.enabled or not ui.session.catalog[step.action].model_backed:
        return None
    try:
        return model_status(build_action(step, ui.session.catalog))
    except WaifucUIError:
        return ModelStatus(True, False, "the step's parameters are not valid")


def step_badge(spec: Any, status: ModelStatus | None, enabled: bool = True) -> str:
    """The note after a step's name: model ready, downloads on the first run, or missing."""
    if not spec.model_backed:
        return ""
    if status is None:
        return ""  # not checked: say nothing rather than something untrue
    if status.available:
        return " · model ready"
    if not enabled:
        return " · model not on this machine (step off)"
    return f" · downloads on the first run ({mb(status.download_bytes)})" if status.download else \
        " · MODEL MISSING (will be skipped)"
