"""Duplicates tab: duplicate groups side by side at a threshold (LPIPS when the pipeline has FilterSimilarAction,
else a perceptual hash), keeper = largest image unless changed, exact duplicates merged and listed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..core.errors import InvalidOptionError
from ..session.review import DuplicateView
from .common import Updates, guarded, select_index
from .run_tab import run_pipeline
from .state import SessionBinder, UISession, touch
from .views import dataset_size_text, item_caption, not_available_text

GROUPS, MEMBERS = "dup-groups", "dup-members"


METHODS = [("Automatic", "auto"), ("Perceptual hash (fast, no model)", "phash"),
           ("LPIPS (model; slow on large sets)", "lpips")]


def slider_range(method: str) -> dict[str, Any]:
    """Slider bounds and label for the grouping method: LPIPS distance 0..1, or Hamming bits 0..64 for phash."""
    if method == "lpips":
        return {"minimum": 0.0, "maximum": 1.0, "step": 0.01, "label": "Duplicate threshold (LPIPS distance)"}
    return {"minimum": 0, "maximum": 64, "step": 1, "label": "Duplicate threshold (perceptual-hash bits)"}


def duplicate_view(ui: UISession, threshold: float | None = None, method: str = "auto") -> DuplicateView:
    """Groups at ``threshold``. A threshold is in the units of the method in use (the slider's): with 'auto' it
    is read in the units of the last view's method, so a slider move never mixes LPIPS distances and bits."""
    if ui.session.runs.last is None:
        raise InvalidOptionError("duplicate review", "no run yet", fix="run the pipeline first")
    chosen = None if method in (None, "", "auto") else method
    if chosen is None and threshold is not None and ui.session.duplicates.view is not None:
        chosen = ui.session.duplicates.view.method
    return ui.session.duplicates.groups(threshold=threshold, method=chosen)


def groups_overview(ui: UISession, view: DuplicateView) -> tuple[list[Any], str]:
    """One cover per group (its keeper) and a summary line."""
    covers = []
    for g in view.groups:
        kind = "exact" if g.exact else "near"
        # short: a gallery caption is cut at the thumbnail's width, the kind must stay visible
        covers.append((ui.session.thumb(g.keeper), f"{len(g.ids)} {kind} dups"))
    ui.page_ids[GROUPS] = [g.keeper for g in view.groups]
    scope = "before the dedup step" if view.uid != "final" else "in the final dataset"
    unit = "LPIPS distance" if view.method == "lpips" else "hash bits"
    removed = sum(len(g.ids) - 1 for g in view.groups)
    summary = (f"**{len(view.groups)} duplicate group(s)** {scope} at {unit} ≤ {view.threshold:g}: keeping one "
               f"image per group removes {removed}. {len(view.exact_groups)} group(s) of exact duplicates "
               "(same pixels) are merged automatically and listed too.")
    if getattr(view, "note", ""):
        summary += f"\n\n*Note: {view.note}.*"
    return covers, summary


def group_members(ui: UISession, view: DuplicateView, index: int) -> tuple[list[Any], str]:
    """The members of group ``index`` side by side; the keeper is starred."""
    if not 0 <= index < len(view.groups):
        ui.page_ids[MEMBERS] = []
        return [], "No group selected."
    g = view.groups[index]
    ui.page_ids[MEMBERS] = list(g.ids)
    entries = [(ui.session.thumb(i), ("★ keeper · " if i == g.keeper else "") + item_caption(ui.session, i))
               for i in g.ids]
    return entries, f"Group {index + 1}: {len(g.ids)} images{' (exact duplicates)' if g.exact else ''}; " \
                    "click an image and press *Keep this one* to change the keeper."


@dataclass
class DuplicatesTab:
    """The Duplicates tab's components; ``current`` remembers the open group, ``selected`` the clicked image."""

    summary: gr.Markdown
    method: gr.Dropdown
    threshold: gr.Slider
    covers: gr.Gallery
    group_text: gr.Markdown
    members_gallery: gr.Gallery
    keep_btn: gr.Button
    apply_btn: gr.Button
    current: gr.State
    selected: gr.State

    @property
    def outputs(self) -> list[Block]:
        """What :func:`show` and :func:`refresh_values` fill."""
        return [self.summary, self.threshold, self.covers, self.members_gallery, self.group_text, self.current]

    def empty(self, text: str) -> Updates:
        """The tab with nothing to review, saying why."""
        return {self.summary: text, self.threshold: gr.Slider(), self.covers: [], self.members_gallery: [],
                self.group_text: "", self.current: 0}


def show(tab: DuplicatesTab, ui: UISession, view: DuplicateView, index: int, note: str = "",
         set_slider: bool = False) -> Updates:
    """The groups of ``view`` and the members of group ``index``; ``set_slider`` puts the slider in the units and
    at the threshold of the view's method."""
    cover_list, text = groups_overview(ui, view)
    entries, gtext = group_members(ui, view, index)
    slider = gr.Slider(value=view.threshold, **slider_range(view.method)) if set_slider else gr.Slider()
    return {tab.summary: (note + " " if note else "") + text, tab.threshold: slider, tab.covers: cover_list,
            tab.members_gallery: entries, tab.group_text: gtext, tab.current: index}


def refresh_values(tab: DuplicatesTab, ui: UISession | None, how: str = "auto") -> Updates:
    """The tab as it opens: the groups by ``how``, or why there are none (without an error toast)."""
    if ui is None or ui.session.runs.last is None:
        return tab.empty("Run the pipeline first; duplicate groups come from the dedup step (FilterSimilarAction or "
                         "HashDedupAction) or the final dataset.")
    try:
        view = duplicate_view(ui, None, how)
    except Exception as err:  # models/features missing: say so, keep the tab usable
        return tab.empty(not_available_text(err))
    return show(tab, ui, view, 0, set_slider=True)


def build_duplicates_tab(binder: SessionBinder, state: gr.State) -> DuplicatesTab:
    tab = _draw_duplicates_tab()
    _wire_duplicates_tab(binder, state, tab)
    return tab


def _draw_duplicates_tab() -> DuplicatesTab:
    gr.Markdown("Near-duplicate groups of the dedup step's images, compared across the whole session. The keeper "
                "defaults to the largest image. Moving the threshold regroups from cached features (no model runs).")
    summary = gr.Markdown("Run the pipeline, then open this tab.", elem_id="dup-summary")
    with gr.Row(equal_height=True):
        method = gr.Dropdown(METHODS, value="auto", label="Compare by", scale=1, elem_id="dup-method",
                             info="automatic: LPIPS when the pipeline has FilterSimilarAction, else perceptual hash")
        threshold = gr.Slider(0.0, 1.0, value=0.45, step=0.01, label="Duplicate threshold", scale=2,
                              info="images at or below this distance are duplicates", elem_id="dup-threshold")
    covers = gr.Gallery(label="Groups (keeper shown) — click one to compare its images", columns=8, height=220,
                        object_fit="cover", fit_columns=False, preview=False, elem_id="dup-groups")
    group_text = gr.Markdown()
    members_gallery = gr.Gallery(label="Images of the group, side by side", columns=5, height=300,
                                 object_fit="contain", fit_columns=False, preview=False, elem_id="dup-members")
    with gr.Row():
        keep_btn = gr.Button("Keep this one", size="sm", elem_id="dup-keep")
        apply_btn = gr.Button("Apply: keep only the keepers and re-run", variant="primary", elem_id="dup-apply")
    return DuplicatesTab(summary=summary, method=method, threshold=threshold, covers=covers, group_text=group_text,
                         members_gallery=members_gallery, keep_btn=keep_btn, apply_btn=apply_btn,
                         current=gr.State(0), selected=gr.State(None))


def _wire_duplicates_tab(binder: SessionBinder, state: gr.State, tab: DuplicatesTab) -> None:
    @guarded
    def on_method(ui, how, progress=gr.Progress()):
        touch(binder, ui)
        progress(0, desc="Grouping (LPIPS compares every pair once, then it is cached)")
        return refresh_values(tab, ui, how)

    @guarded
    def on_threshold(ui, thr, how, index):
        touch(binder, ui)
        if ui.session.runs.last is None:  # a slider moved before any run: say so, no error toast
            return refresh_values(tab, ui, how)
        return show(tab, ui, duplicate_view(ui, thr, how), index)

    @guarded
    def on_group(ui, thr, how, evt: gr.SelectData):
        view = ui.session.duplicates.view or duplicate_view(ui, thr, how)
        return show(tab, ui, view, int(evt.index))

    @guarded
    def on_keep(ui, index, picked):
        item_id = ui.id_at(MEMBERS, picked)
        if item_id is None:
            raise InvalidOptionError("keeper", picked, fix="click an image of the group first")
        view = ui.session.duplicates.set_keeper(item_id)
        return show(tab, ui, view, index, note=f"Keeper: {item_caption(ui.session, item_id)}.")

    @guarded
    def on_apply(ui, index, progress=gr.Progress()):
        touch(binder, ui)
        ui.session.duplicates.apply()
        run_pipeline(ui, lambda f, t: progress(f, desc=t))
        view = ui.session.duplicates.view or duplicate_view(ui)
        return show(tab, ui, view, index, note=f"Applied; {dataset_size_text(ui.session)}.")

    outputs = tab.outputs
    tab.method.input(on_method, [state, tab.method], outputs, concurrency_id="run", concurrency_limit=2)
    tab.threshold.change(on_threshold, [state, tab.threshold, tab.method, tab.current], outputs,
                         concurrency_limit=None, trigger_mode="always_last")
    tab.covers.select(on_group, [state, tab.threshold, tab.method], outputs, concurrency_limit=None)
    tab.members_gallery.select(select_index, None, tab.selected, concurrency_limit=None, show_progress="hidden")
    tab.keep_btn.click(on_keep, [state, tab.current, tab.selected], outputs, concurrency_limit=None)
    tab.apply_btn.click(on_apply, [state, tab.current], outputs, concurrency_id="run", concurrency_limit=2)


def wire_duplicates_tab_select(selected: gr.Tab, state: gr.State, tab: DuplicatesTab) -> None:
    """Opening the tab groups the dedup step's images by the chosen method."""
    def refresh(ui, how="auto"):
        return refresh_values(tab, ui, how)

    selected.select(refresh, [state, tab.method], tab.outputs, concurrency_limit=None)
