"""Plain-data views the tabs show: gallery entries, tables, counts for the plot, progress text.

No gradio here: every function takes session data and returns lists, strings or DataFrames, so the handlers'
logic is tested without a browser.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd

from ..core.errors import InvalidOptionError, ModelUnavailableError, WaifucUIError, compose
from ..core.report import DropRecord, SkippedFile
from ..inference.hub import MODEL_DIR_ENV
from ..session.runner import RunProgress, StepStatus
from ..session.session import Session
from .paging import PAGE_SIZE, page_label, page_slice

GalleryEntry = tuple[str, str]


def item_caption(session: Session, item_id: str) -> str:
    """Short caption: file name and size, e.g. ``"girl_03.png · 640×480"``."""
    rec = session.record(item_id)
    name, walker = rec.meta.get("filename"), rec
    while not name and walker.parent_id:  # derived items (crops, resized) carry their source's name
        walker = session.record(walker.parent_id)
        name = walker.meta.get("filename")
    name = name or os.path.basename(rec.file)
    if len(name) > 28:
        name = name[:12] + "…" + name[-12:]
    return f"{name} · {rec.width}×{rec.height}"


def gallery_page(session: Session, ids: Sequence[str], page: Any = 1, page_size: int = PAGE_SIZE,
                 captions: dict[str, str] | None = None) -> tuple[list[GalleryEntry], list[str], int, str]:
    """Thumbnails of one page of ``ids``: (entries (thumb path, caption), ids on the page, page number, label)."""
    on_page, number = page_slice(list(ids), page, page_size)
    captions = captions or {}
    entries = [(session.thumb(i), captions.get(i) or item_caption(session, i)) for i in on_page]
    return entries, on_page, number, page_label(number, len(ids), page_size)


def refused_table(refused: Iterable[SkippedFile]) -> pd.DataFrame:
    """The files that did not come in, with their reasons (columns: file, reason)."""
    rows = [(os.path.basename(str(s.path)) or str(s.path), s.reason) for s in refused]
    return pd.DataFrame(rows, columns=["file", "reason"])


def ingest_summary(came_in: int, refused: int, total: int, what: str) -> str:
    """One line for the Source tab, e.g. ``"Demo dataset: 42 images came in, 2 files refused (42 in the session)"``."""
    return (f"**{what}**: {came_in} image{'s' if came_in != 1 else ''} came in, {refused} "
            f"file{'s' if refused != 1 else ''} refused · {total} in the session")


#: Plot kind of the images a step passed through unchanged because its models are missing.
SKIPPED_KIND = "passed (no model)"


def counts_frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Long table for the per-step bar plot: one row per (step, kind) with kind 'kept' or 'dropped'; a step
    skipped for missing models shows its images as :data:`SKIPPED_KIND` instead of 'kept'."""
    data = []
    for n, row in enumerate(rows, start=1):
        label = f"{n:02d} {row['step'].split('. ', 1)[-1]}"
        kind = SKIPPED_KIND if row.get("status") == StepStatus.UNAVAILABLE else "kept"
        data.append({"step": label, "kind": kind, "images": int(row["kept"])})
        data.append({"step": label, "kind": "dropped", "images": int(row["dropped"])})
    frame = pd.DataFrame(data, columns=["step", "kind", "images"])
    return frame.astype({"step": str, "kind": str, "images": "int64"})


def progress_fraction(p: RunProgress) -> float:
    """Overall fraction done (0..1) of a run reporting ``p``."""
    if p.step_count <= 0:
        return 1.0
    within = p.done / p.total if p.total else 1.0
    return min(1.0, (p.step_index + within) / p.step_count)


def progress_text(p: RunProgress) -> str:
    """E.g. ``"Step 2/5 · NoMonochromeAction · 10/40 images"``."""
    name = p.step_name.split(". ", 1)[-1]
    return f"Step {p.step_index + 1}/{p.step_count} · {name} · {p.done}/{p.total} images"


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.4g}"


def drop_details(rows: Sequence[dict[str, Any]], caption: str) -> str:
    """Markdown saying which step dropped an image and why (score vs threshold, duplicate of)."""
    if not rows:
        return f"**{caption}** was not dropped by any step."
    lines = [f"**{caption}** was dropped:"]
    for row in rows:
        text = f"- by **{row['step']}**: {row['reason']}"
        numbers = [f"{name} {_number(row.get(name))}" for name in ("score", "threshold") if row.get(name) is not None]
        if numbers:
            text += f" ({', '.join(numbers)})"
        if row.get("duplicate_of") and str(row["duplicate_of"]) not in str(row["reason"]):  # else said already
            text += f"; duplicate of `{row['duplicate_of']}`"
        lines.append(text)
    return "\n".join(lines)


def drop_caption(record: DropRecord) -> str:
    """Gallery caption of a dropped image: the reason, shortened."""
    reason = record.reason or "dropped"
    return reason if len(reason) <= 40 else reason[:39] + "…"


def run_state_note(session: Session) -> str:
    """A warning when the dataset shown is not the current pipeline's result ("" when it is): no run yet
    (the dataset is every loaded image), the images, the pipeline or a review choice changed since the run, or the
    run was stopped before its end."""
    if session.runs.last is None:
        return ("*The pipeline has not run on these images yet: the dataset is every loaded image, unfiltered. "
                "Press **Run pipeline** (Run tab) to filter them.*")
    if session.runs.is_stale:
        return ("⚠ **Out of date**: the images, the pipeline or a review choice changed since the last run. "
                "Press **Run pipeline** (Run tab) to update the dataset.")
    if session.runs.last.status == StepStatus.CANCELLED:
        return stopped_note(session)
    return ""


def stopped_note(session: Session) -> str:
    """The last run was stopped: which steps ran, and that the dataset is what they kept so far."""
    run = session.runs.last
    ran = len(run.steps) if run is not None else 0
    planned = max(len(session.pipeline.recipe.enabled_steps()), ran)
    return (f"⚠ **The last run was stopped** after {ran} of {planned} step(s): the dataset is what those steps kept "
            "so far, not a finished dataset. Press **Run pipeline** (Run tab) to finish it (done work is reused).")


def model_fix_help(problems: Sequence[Any]) -> str:
    """Markdown (HTML-escaped) telling how to get every missing model file at once: the ``hf download`` commands
    of ``problems`` (ModelStatus or ModelUnavailableError objects: their ``commands`` field), deduplicated, then
    where to put them. Without commands, the first status's ``fix`` (or error's text) as text."""
    commands = list(dict.fromkeys(c for p in problems for c in getattr(p, "commands", ())))
    if not commands:
        texts = (str(p) if isinstance(p, BaseException) else str(getattr(p, "fix", "")) for p in problems)
        return html.escape(next((t for t in texts if t), ""), quote=False)
    return ("On a machine with internet, run:\n\n```\n" + "\n".join(commands) + "\n```\n\n"
            "then copy its Hugging Face cache (HF_HUB_CACHE) to this machine, or set HF_ENDPOINT to a reachable "
            "mirror, or put the files in a folder laid out like the Hub (&lt;dir&gt;/&lt;owner&gt;/&lt;repo&gt;/"
            f"&lt;path&gt;) and set {MODEL_DIR_ENV}=&lt;dir&gt;. Then reload the page.")


def not_available_text(err: Exception) -> str:
    """Markdown for a review tab that cannot work: missing models get a short line and the fix folded."""
    if isinstance(err, ModelUnavailableError):
        files = ", ".join(f"`{f.repo_id}/{f.filename}`" for f in err.files)
        return ("**Not available:** this review needs model files that are not on this machine"
                + (f": {files}" if files else "") + ".\n\n<details><summary>How to get the models</summary>\n\n"
                f"{model_fix_help([err])}\n</details>")
    return f"**Not available:** {html.escape(str(err), quote=False)}"


def dataset_size_text(session: Session) -> str:
    """E.g. ``"1 image in the dataset"`` / ``"12 images in the dataset"`` (after the last run)."""
    n = len(session.dataset.ids())
    return f"{n} image{'s' if n != 1 else ''} in the dataset"


#: Longest problem text a message shows (an option's list of valid choices can be long); the fix is never cut.
PROBLEM_CHARS = 200


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def error_message(err: WaifucUIError) -> str:
    """``err`` as a toast's HTML: the problem (cut short), then the fix once; every character escaped, so a
    path such as ``<dir>/<owner>/…`` shows literally. Missing models: the files and their download commands."""
    if isinstance(err, ModelUnavailableError) and err.commands:
        files = [f"{f.repo_id}/{f.filename}" for f in err.files] or [c.split(" ", 2)[-1] for c in err.commands]
        problem = f"model file{'s' if len(files) > 1 else ''} not on this machine: {', '.join(files)}"
        commands = "; ".join(f"<code>{html.escape(c, quote=False)}</code>" for c in err.commands)
        problem = html.escape(_short(problem, PROBLEM_CHARS), quote=False)
        return (f"{problem}. Fix: on a machine with internet run {commands}, then copy its Hugging Face cache "
                "(HF_HUB_CACHE) here and reload the page.")
    problem = err.problem
    if isinstance(err, InvalidOptionError) and err.value in (None, "") and err.fix:
        problem = f"no {err.name} chosen"  # not "invalid image to drop: None"
    return html.escape(compose(_short(problem, PROBLEM_CHARS), err.fix), quote=False)
