"""Run tab: run the recipe with a progress bar and a Stop button; per step, before / after / dropped galleries
with counts, a bar plot of kept images per step; click a dropped image to see why and restore it."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd
from gradio.blocks import Block

from ..core.errors import InvalidOptionError
from ..inference.download import DownloadProgress
from ..session.models import DownloadReport
from ..session.runner import RunResult, StepStatus
from .common import Pager, Updates, guarded, make_pager, select_index
from .state import SessionBinder, UISession, touch
from .views import (
    SKIPPED_KIND,
    counts_frame,
    drop_caption,
    drop_details,
    gallery_page,
    item_caption,
    progress_fraction,
    progress_text,
    run_state_note,
)

BEFORE, AFTER, DROPPED = "run-before", "run-after", "run-dropped"


STOP = "■ Stop"
STOPPING = "Stopping… (a model download stops at once, a step after the current image)"


def run_summary(ui: UISession, result: RunResult, downloads: DownloadReport | None = None) -> str:
    """One paragraph: how the run ended, images in and in the dataset, skipped steps with the reason, and what the
    model download before it did (``downloads``)."""
    final = len(ui.session.dataset.ids())
    head = {StepStatus.DONE: "Run finished", StepStatus.CANCELLED: "Run stopped", StepStatus.FAILED: "Run failed"}.get(
        result.status, result.status)
    if result.status == StepStatus.CANCELLED and result.steps:
        planned = max(len(ui.session.pipeline.recipe.enabled_steps()), len(result.steps))
        last = result.steps[-1]
        text = (f"**{head}** after {len(result.steps)} of {planned} step(s): {len(result.input_ids)} images in, "
                f"{last.kept_count} kept so far (after {last.label}). Not a finished dataset: the other steps did "
                "not run.")
    elif result.steps:
        text = (f"**{head}**: {len(result.input_ids)} images in, {final} in the dataset after "
                f"{len(result.steps)} step(s).")
    else:
        text = f"**{head}**: {len(result.input_ids)} images in; no step ran."
    if result.message:
        text += f" {result.message[:1].upper()}{result.message[1:]}."
    if result.status == StepStatus.CANCELLED and result.steps:
        text += " The steps that completed are shown; press Run to continue (finished work is reused)."
    elif result.status == StepStatus.CANCELLED:
        text += " Press Run to continue."
    if result.unavailable:
        text += f" {len(result.unavailable)} step(s) skipped because their models are missing (see the Pipeline tab)."
    note = downloads.summary() if downloads is not None else ""
    return text + (f"\n\n{html.escape(note, quote=False)}" if note else "")


def step_choices(ui: UISession) -> list[tuple[str, str]]:
    """Dropdown choices (label with counts, uid) for the steps of the last run."""
    run = ui.session.runs.last
    if run is None:
        return []
    out = []
    for s in run.steps:
        flag = {StepStatus.UNAVAILABLE: " · skipped (no model)", StepStatus.FAILED: " · failed",
                StepStatus.CANCELLED: " · stopped"}.get(s.status, "")
        out.append((f"{s.label}: {len(s.input_ids)} → {s.kept_count} kept, {s.dropped_count} dropped{flag}", s.uid))
    return out


def default_step(ui: UISession) -> str | None:
    """The step shown first after a run: the first one that dropped images (what a visitor wants to check), else
    the first step; None before any run."""
    run = ui.session.runs.last
    if run is None or not run.steps:
        return None
    return next((s.uid for s in run.steps if s.dropped_count), run.steps[0].uid)


@dataclass
class StepGalleries:
    before: list[Any]
    before_label: str
    after: list[Any]
    after_label: str
    dropped: list[Any]
    dropped_label: str
    message: str
    pages: tuple[int, int, int] = (1, 1, 1)


def step_galleries(ui: UISession, uid: str | None, before_page: Any = 1, after_page: Any = 1,
                   dropped_page: Any = 1) -> StepGalleries:
    """Thumbnails (one page each) of what step ``uid`` received, kept and dropped."""
    if not uid or ui.session.runs.last is None:
        for name in (BEFORE, AFTER, DROPPED):
            ui.page_ids[name] = []
        # the labels stay named before a run (an empty label shows gradio's "Gallery" three times)
        return StepGalleries([], "Before", [], "After (kept)", [], "Dropped",
                             "Run the pipeline to see what each step keeps and drops.")
    view = ui.session.runs.step_view(uid)
    ui.current_step = uid
    before, ui.page_ids[BEFORE], bp, before_label = gallery_page(ui.session, view.before, before_page)
    after, ui.page_ids[AFTER], ap, after_label = gallery_page(ui.session, view.after, after_page)
    dropped_ids = list(view.dropped)
    captions = {i: drop_caption(rec) for i, rec in view.dropped.items()}
    dropped, ui.page_ids[DROPPED], dp, dropped_label = gallery_page(ui.session, dropped_ids, dropped_page,
                                                                   captions=captions)
    message = f"**{view.label}** ({view.status})" + (f": {view.message}" if view.message else "")
    return StepGalleries(before, f"Before: {before_label}", after, f"After (kept): {after_label}", dropped,
                         f"Dropped: {dropped_label}", message, (bp, ap, dp))


def dropped_details(ui: UISession, index: int | None) -> tuple[str, bool]:
    """Why the clicked dropped image went (markdown) and whether it can be restored."""
    item_id = ui.id_at(DROPPED, index)
    ui.selected_dropped = item_id
    if item_id is None:
        return "Click a dropped image to see which step dropped it and why.", False
    return drop_details(ui.session.runs.drop_info(item_id), item_caption(ui.session, item_id)), True


def restore_selected(ui: UISession) -> str:
    """Force-keep the selected dropped image at the current step (then the caller re-runs)."""
    if not ui.selected_dropped or not ui.current_step:
        raise InvalidOptionError("image to restore", None, fix="click a dropped image first")
    caption = item_caption(ui.session, ui.selected_dropped)
    ui.session.pipeline.restore(ui.current_step, ui.selected_dropped)
    ui.selected_dropped = None
    return f"Restored **{caption}**."


def drop_selected(ui: UISession, index: int | None) -> str:
    """Drop the clicked kept image by hand at the current step (then the caller re-runs)."""
    item_id = ui.id_at(AFTER, index)
    if item_id is None or not ui.current_step:
        raise InvalidOptionError("image to drop", index, fix="click an image in the After gallery first")
    ui.session.pipeline.drop_by_hand(ui.current_step, item_id)
    return f"Dropped **{item_caption(ui.session, item_id)}** by hand."


def run_pipeline(ui: UISession, report=None, fetch_models: bool = True) -> RunResult:
    """Run the session's recipe; ``report(fraction, text)`` receives progress, first of the model download (file,
    MB done of total, speed), then of the steps. Stop sets ``ui.cancel`` (it also ends a download wait).
    ``fetch_models=False``: a re-run after an edit; steps whose models are missing are skipped, not downloaded."""
    ui.cancel.clear()

    def on_progress(p):
        if report is not None:
            report(progress_fraction(p), progress_text(p))

    def on_download(p: DownloadProgress):
        if report is not None:
            report(p.fraction, p.text())

    return ui.session.runs.start(progress=on_progress, cancel=ui.cancel, fetch_models=fetch_models,
                          download_progress=on_download)


#: How often a queued Run looks whether the running update has ended (seconds).
WAIT_POLL = 0.2


def wait_for_running(ui: UISession, report=None, poll: float = WAIT_POLL) -> bool:
    """Queue behind a run of this session that is going (e.g. the re-run after a parameter change): wait until it
    ends. False when Stop was pressed while waiting (then nothing should start)."""
    waited = False
    while ui.session.runs.is_running:
        if not waited and report is not None:
            report(0, "Waiting for the update of the last run (after your change) to finish…")
        waited = True
        if ui.cancel.wait(poll):
            return False
    return True


def plot_frame(ui: UISession) -> pd.DataFrame | None:
    """Kept/dropped counts per step of the last run (None before any run: an empty plot)."""
    return counts_frame(ui.session.runs.counts()) if ui.session.runs.last is not None else None


def pending_models_note(statuses: dict[str, Any]) -> str:
    """Before the first run: which steps download their models first and which will be skipped (no model)."""
    fetch = sum(1 for st in statuses.values() if st.needs_models and not st.available and st.download)
    skip = sum(1 for st in statuses.values() if st.needs_models and not st.will_run)
    parts = []
    if fetch:
        parts.append(f"{fetch} step(s) download their model files first (sizes on the Pipeline tab).")
    if skip:
        parts.append(f"⚠ {skip} step(s) will be skipped: their models are not on this machine and cannot be "
                     "downloaded (see *How to get the models* on the Pipeline tab).")
    return " ".join(parts)


NO_DROPPED_CLICK = "Click a dropped image to see which step dropped it and why."


@dataclass
class RunTab:
    """The Run tab's components."""

    run_btn: gr.Button
    stop_btn: gr.Button
    status: gr.Markdown
    plot: gr.BarPlot
    step: gr.Dropdown
    message: gr.Markdown
    before: gr.Gallery
    before_pager: Pager
    after: gr.Gallery
    after_pager: Pager
    drop_btn: gr.Button
    dropped: gr.Gallery
    dropped_pager: Pager
    details: gr.Markdown
    restore_btn: gr.Button
    selected_after: gr.State

    @property
    def gallery_outputs(self) -> list[Block]:
        """What :meth:`gallery_values` fills, plus the three page numbers."""
        return [self.before, self.before_pager.label, self.after, self.after_pager.label, self.dropped,
                self.dropped_pager.label, self.message, self.selected_after, self.before_pager.number,
                self.after_pager.number, self.dropped_pager.number]

    @property
    def refresh_outputs(self) -> list[Block]:
        """What :func:`refresh_values` fills: the run's status and plot, the step choice and the galleries."""
        return [self.status, self.plot, self.step, *self.gallery_outputs, self.details, self.restore_btn]

    def gallery_values(self, g: StepGalleries) -> Updates:
        """The galleries, their labels, the step's message; new thumbnails close any open preview and forget the
        clicked After image, so a preview never shows an image that Restore or Drop-by-hand would not act on."""
        return {self.before: gr.Gallery(value=g.before, label=g.before_label, selected_index=None),
                self.before_pager.label: g.before_label,
                self.after: gr.Gallery(value=g.after, label=g.after_label, selected_index=None),
                self.after_pager.label: g.after_label,
                self.dropped: gr.Gallery(value=g.dropped, label=g.dropped_label, selected_index=None),
                self.dropped_pager.label: g.dropped_label, self.message: g.message, self.selected_after: None,
                self.before_pager.number: 1, self.after_pager.number: 1, self.dropped_pager.number: 1}


def refresh_values(tab: RunTab, ui: UISession, summary: str) -> Updates:
    """The whole tab after a run (or on opening it): the step shown stays when it still exists."""
    choices = step_choices(ui)
    uid = ui.current_step if ui.current_step in {c[1] for c in choices} else default_step(ui)
    return {tab.status: summary, tab.plot: plot_frame(ui), tab.step: gr.Dropdown(choices=choices, value=uid),
            **tab.gallery_values(step_galleries(ui, uid)), tab.details: NO_DROPPED_CLICK,
            tab.restore_btn: gr.Button(interactive=False)}


def build_run_tab(binder: SessionBinder, state: gr.State) -> RunTab:
    tab = _draw_run_tab()
    _wire_run_tab(binder, state, tab)
    _wire_run_pagers(state, tab)
    return tab


def _draw_run_tab() -> RunTab:
    gr.Markdown("Run the pipeline over the session's images. Nothing is deleted: every dropped image keeps the "
                "reason and can be restored. Re-running after a change only recomputes what changed.")
    with gr.Row(equal_height=True):
        run_btn = gr.Button("▶ Run pipeline", variant="primary", scale=2, elem_id="run-btn")
        stop_btn = gr.Button(STOP, variant="stop", scale=1, elem_id="stop-btn")
    status = gr.Markdown("Not run yet.", elem_id="run-status")
    plot = gr.BarPlot(value=None, x="step", y="images", color="kind", title="Images per step",
                      color_map={"kept": "#3b82f6", "dropped": "#f97316", SKIPPED_KIND: "#9ca3af"},
                      x_label_angle=-20, height=280, elem_id="run-plot")
    step = gr.Dropdown([], label="Step", info="what this step received, kept and dropped", elem_id="step-choice")
    message = gr.Markdown()
    gallery: dict[str, Any] = {"object_fit": "contain", "fit_columns": False, "preview": False}
    with gr.Row():
        with gr.Column():
            before = gr.Gallery(label="Before", columns=4, height=360, **gallery, elem_id="before-gallery")
            before_pager = make_pager("before")
        with gr.Column():
            after = gr.Gallery(label="After (kept)", columns=4, height=360, **gallery, elem_id="after-gallery")
            after_pager = make_pager("after")
            drop_btn = gr.Button("Drop the selected image by hand", size="sm", elem_id="drop-by-hand")
    with gr.Row():
        with gr.Column(scale=2):
            dropped = gr.Gallery(label="Dropped", columns=6, height=300, **gallery, elem_id="dropped-gallery")
            dropped_pager = make_pager("dropped")
        with gr.Column(scale=1):
            details = gr.Markdown(NO_DROPPED_CLICK, elem_id="drop-details")
            restore_btn = gr.Button("Restore this image", variant="primary", interactive=False,
                                    elem_id="restore-btn")
    return RunTab(run_btn=run_btn, stop_btn=stop_btn, status=status, plot=plot, step=step, message=message,
                  before=before, before_pager=before_pager, after=after, after_pager=after_pager, drop_btn=drop_btn,
                  dropped=dropped, dropped_pager=dropped_pager, details=details, restore_btn=restore_btn,
                  selected_after=gr.State(None))


def _wire_run_tab(binder: SessionBinder, state: gr.State, tab: RunTab) -> None:
    @guarded
    def on_run(ui, progress=gr.Progress()):
        touch(binder, ui)
        progress(0, desc="Starting")
        if not wait_for_running(ui, lambda frac, text: progress(frac, desc=text)):
            return {tab.status: "**Run not started**: you pressed Stop while it waited for the update after your "
                                "last change. Press Run to start it."}
        result = run_pipeline(ui, lambda frac, text: progress(frac, desc=text))
        return refresh_values(tab, ui, run_summary(ui, result, ui.session.runs.models.last))

    def on_stop(ui):
        """Says "Stopping…" on the button, never in the run status: the run's own result (which may arrive first)
        is the last word there. Not guarded: Stop saves nothing."""
        if ui is None or not ui.session.runs.is_running:
            return gr.skip()
        ui.cancel.set()
        return gr.Button(STOPPING, interactive=False)

    @guarded
    def on_step(ui, uid):
        touch(binder, ui)
        return tab.gallery_values(step_galleries(ui, uid))

    @guarded
    def on_dropped_select(ui, evt: gr.SelectData):
        text, can = dropped_details(ui, evt.index)
        return {tab.details: text, tab.restore_btn: gr.Button(interactive=can)}

    @guarded
    def on_restore(ui, progress=gr.Progress()):
        touch(binder, ui)
        note = restore_selected(ui)
        result = run_pipeline(ui, lambda frac, text: progress(frac, desc=text), fetch_models=False)
        return {**refresh_values(tab, ui, run_summary(ui, result)), tab.details: note + " The run was updated."}

    @guarded
    def on_drop_by_hand(ui, index, progress=gr.Progress()):
        touch(binder, ui)
        note = drop_selected(ui, index)
        result = run_pipeline(ui, lambda frac, text: progress(frac, desc=text), fetch_models=False)
        return {**refresh_values(tab, ui, run_summary(ui, result)), tab.details: note}

    run: dict[str, Any] = {"concurrency_id": "run", "concurrency_limit": 2}  # one queue for every run
    tab.after.select(select_index, None, tab.selected_after, concurrency_limit=None, show_progress="hidden")
    tab.run_btn.click(on_run, [state], tab.refresh_outputs, **run).then(
        lambda: gr.Button(STOP, interactive=True), None, [tab.stop_btn], queue=False, show_progress="hidden")
    tab.stop_btn.click(on_stop, [state], [tab.stop_btn], concurrency_limit=None, queue=False)
    tab.step.input(on_step, [state, tab.step], tab.gallery_outputs, concurrency_limit=None)
    tab.dropped.select(on_dropped_select, [state], [tab.details, tab.restore_btn], concurrency_limit=None)
    tab.restore_btn.click(on_restore, [state], tab.refresh_outputs, **run)
    tab.drop_btn.click(on_drop_by_hand, [state, tab.selected_after], tab.refresh_outputs, **run)


def _wire_run_pagers(state: gr.State, tab: RunTab) -> None:
    @guarded
    def on_before_page(ui, uid, page):
        g = step_galleries(ui, uid, page, 1, 1)
        return {tab.before: g.before, tab.before_pager.label: g.before_label, tab.before_pager.number: g.pages[0]}

    @guarded
    def on_after_page(ui, uid, page):
        g = step_galleries(ui, uid, 1, page, 1)
        return {tab.after: g.after, tab.after_pager.label: g.after_label, tab.after_pager.number: g.pages[1]}

    @guarded
    def on_dropped_page(ui, uid, page):
        g = step_galleries(ui, uid, 1, 1, page)
        return {tab.dropped: g.dropped, tab.dropped_pager.label: g.dropped_label,
                tab.dropped_pager.number: g.pages[2]}

    for pager, gallery, handler in ((tab.before_pager, tab.before, on_before_page),
                                    (tab.after_pager, tab.after, on_after_page),
                                    (tab.dropped_pager, tab.dropped, on_dropped_page)):
        pager.wire(handler, [state, tab.step], [gallery, pager.label, pager.number])


def wire_run_tab_select(selected: gr.Tab, state: gr.State, tab: RunTab) -> None:
    """Opening the tab shows the last run (or what a first run will download and skip)."""
    def on_select(ui):
        if ui is None:
            return gr.skip()
        result = ui.session.runs.last
        if result is None:
            note = pending_models_note(ui.session.runs.model_report())
            return refresh_values(tab, ui, f"Not run yet: {len(ui.session.inputs.ids)} images are waiting. Press Run."
                                  + (f"\n\n{note}" if note else ""))
        note = run_state_note(ui.session) if ui.session.runs.is_stale else ""  # a stop: the summary says it
        return refresh_values(tab, ui, run_summary(ui, result) + (f"\n\n{note}" if note else ""))

    selected.select(on_select, [state], tab.refresh_outputs, concurrency_limit=None)
