"""Characters tab: the CCIP clusters of the CCIP step's images, biggest first, noise apart; choose the target
cluster(s), move single images in or out, re-cluster at another threshold from cached features (no model call)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..core.errors import InvalidOptionError
from ..session.characters import ClusterView
from .common import Pager, Updates, guarded, make_pager, select_index
from .run_tab import run_pipeline
from .state import SessionBinder, UISession, touch
from .views import dataset_size_text, gallery_page, item_caption, not_available_text

OVERVIEW, MEMBERS = "ccip-overview", "ccip-members"
NOISE = -1


def cluster_name(label: int, size: int, chosen: bool) -> str:
    if label == NOISE:
        return f"Noise · {size} image{'s' if size != 1 else ''}"
    return f"Cluster {label} · {size} image{'s' if size != 1 else ''}" + (" · ✓ target" if chosen else "")


def clusters(ui: UISession, threshold: float | None = None, min_samples: int | None = None) -> ClusterView:
    """Cluster the CCIP step's inputs (cached features only)."""
    if ui.session.runs.last is None:
        raise InvalidOptionError("character review", "no run yet", fix="run a pipeline with a CCIPAction step first")
    return ui.session.characters.clusters(threshold=threshold or None,
                                          min_samples=int(min_samples) if min_samples else None)


def overview(ui: UISession, view: ClusterView) -> tuple[list[Any], list[tuple[str, int]], list[int], str]:
    """Cover thumbnails (one per cluster, noise last), checkbox choices, chosen labels and a summary line."""
    covers, ids, choices = [], [], []
    for c in view.clusters:
        name = cluster_name(c.label, c.size, c.label in view.chosen)
        covers.append((ui.session.thumb(c.ids[0]), name))
        ids.append(f"cluster:{c.label}")
        choices.append((name, c.label))
    if view.noise:
        covers.append((ui.session.thumb(view.noise[0]), cluster_name(NOISE, len(view.noise), False)))
        ids.append(f"cluster:{NOISE}")
    ui.page_ids[OVERVIEW] = ids
    summary = (f"**{len(view.clusters)} cluster(s)** and {len(view.noise)} noise image(s) among "
               f"{sum(c.size for c in view.clusters) + len(view.noise)} images; target: {len(view.target)} image(s).")
    if not view.target and view.clusters:
        summary += ("\n\n⚠ **No target character**: the CCIP step keeps no image (waifuc found no cluster big "
                    "enough). Tick the cluster(s) of your character below and press *Apply choice and re-run*.")
    return covers, choices, list(view.chosen), summary


def members(ui: UISession, view: ClusterView, label: int, page: Any = 1) -> tuple[list[Any], str, int]:
    """One page of a cluster's images, captioned in/out of the target."""
    ids = view.noise if label == NOISE else next((c.ids for c in view.clusters if c.label == label), [])
    target = set(view.target)
    captions = {i: ("✓ " if i in target else "✗ ") + item_caption(ui.session, i) for i in ids}
    entries, ui.page_ids[MEMBERS], number, text = gallery_page(ui.session, ids, page, captions=captions)
    return entries, f"{cluster_name(label, len(ids), label in view.chosen)} · {text}", number


def review_unavailable(ui: UISession | None) -> str | None:
    """Why the character review cannot be shown (no run, or no enabled CCIPAction step), else None."""
    if ui is None or ui.session.runs.last is None or not any(
            s.action == "CCIPAction" for s in ui.session.pipeline.recipe.enabled_steps()):
        return ("Run a pipeline with a CCIPAction step to review characters (the *character LoRA* preset "
                "has one).")
    return None


def label_at(ui: UISession, index: int | None) -> int | None:
    key = ui.id_at(OVERVIEW, index)
    return int(key.split(":", 1)[1]) if key else None


@dataclass
class CharactersTab:
    """The Characters tab's components; ``current`` remembers the open cluster, ``selected`` the clicked image."""

    summary: gr.Markdown
    threshold: gr.Slider
    min_samples: gr.Number
    cover: gr.Gallery
    chosen: gr.CheckboxGroup
    apply_btn: gr.Button
    reset_btn: gr.Button
    current: gr.State
    member_gallery: gr.Gallery
    pager: Pager
    move_in: gr.Button
    move_out: gr.Button
    selected: gr.State

    @property
    def outputs(self) -> list[Block]:
        """What :func:`show` and :func:`refresh_values` fill: the summary, the clusters and the open one."""
        return [self.summary, self.cover, self.chosen, self.member_gallery, self.pager.label, self.pager.number,
                self.current]

    def empty(self, text: str) -> Updates:
        """The tab with nothing to review, saying why."""
        return {self.summary: text, self.cover: [], self.chosen: gr.CheckboxGroup(choices=[], value=[]),
                self.member_gallery: [], self.pager.label: "", self.pager.number: 1, self.current: None}


def show(tab: CharactersTab, ui: UISession, view: ClusterView, label: int | None, page: Any = 1,
         note: str = "") -> Updates:
    """The clusters of ``view`` and one page of cluster ``label`` (the biggest cluster when None)."""
    covers, choices, chosen_labels, text = overview(ui, view)
    label = label if label is not None else (view.clusters[0].label if view.clusters else None)
    entries: list[Any]
    if label is None:
        entries, page_text, number = [], "", 1
    else:
        entries, page_text, number = members(ui, view, label, page)
    return {tab.summary: (note + " " if note else "") + text, tab.cover: covers,
            tab.chosen: gr.CheckboxGroup(choices=choices, value=chosen_labels), tab.member_gallery: entries,
            tab.pager.label: page_text, tab.pager.number: number, tab.current: label}


def refresh_values(tab: CharactersTab, ui: UISession | None, thr: float | None = None, ms: int | None = None,
                   label: int | None = None) -> Updates:
    """The tab as it opens: the clusters, or why there are none (without an error toast)."""
    reason = review_unavailable(ui)
    if reason or ui is None:
        return tab.empty(reason or "")
    try:
        view = clusters(ui, thr, ms)
    except Exception as err:  # missing features/models: say so, keep the tab usable
        return tab.empty(not_available_text(err))
    return show(tab, ui, view, label)


def build_characters_tab(binder: SessionBinder, state: gr.State) -> CharactersTab:
    tab = _draw_characters_tab()
    _wire_characters_tab(binder, state, tab)
    return tab


def _draw_characters_tab() -> CharactersTab:
    gr.Markdown("The CCIP step's images grouped by character. waifuc picks one cluster by itself and can lock onto "
                "the wrong one: choose the target cluster(s) here, move single images in or out, then apply. "
                "Moving the threshold re-clusters from cached features (no model runs).")
    summary = gr.Markdown("Run a pipeline with a CCIPAction step, then open this tab.", elem_id="ccip-summary")
    with gr.Row(equal_height=True):
        threshold = gr.Slider(0.0, 1.0, value=0.18, step=0.005, label="Same-character threshold",
                              info="CCIP difference at or below which two images show the same character; "
                                   "until you move it, waifuc's own clustering (OPTICS) is shown",
                              elem_id="ccip-threshold")
        min_samples = gr.Number(value=0, label="min_samples", precision=0, minimum=0,
                                info="smallest cluster size (0 = the model's default)")
    cover = gr.Gallery(label="Clusters (biggest first, noise last) — click one to open it", columns=8, height=220,
                       object_fit="cover", fit_columns=False, preview=False, elem_id="ccip-clusters")
    with gr.Row(equal_height=True):
        chosen = gr.CheckboxGroup([], label="Target character cluster(s)", elem_id="ccip-chosen", scale=3)
        apply_btn = gr.Button("Apply choice and re-run", variant="primary", scale=1, elem_id="ccip-apply")
        reset_btn = gr.Button("Back to waifuc's choice", scale=1)
    current = gr.State(None)
    member_gallery = gr.Gallery(label="Images of the cluster (✓ = in the target)", columns=8, height=320,
                                object_fit="contain", fit_columns=False, preview=False, elem_id="ccip-members")
    pager = make_pager("ccip")
    with gr.Row():
        move_in = gr.Button("Move the selected image into the target", size="sm", elem_id="ccip-move-in")
        move_out = gr.Button("Move it out of the target", size="sm", elem_id="ccip-move-out")
    return CharactersTab(summary=summary, threshold=threshold, min_samples=min_samples, cover=cover, chosen=chosen,
                         apply_btn=apply_btn, reset_btn=reset_btn, current=current, member_gallery=member_gallery,
                         pager=pager, move_in=move_in, move_out=move_out, selected=gr.State(None))


def _wire_characters_tab(binder: SessionBinder, state: gr.State, tab: CharactersTab) -> None:
    @guarded
    def on_recluster(ui, thr, ms, label):
        touch(binder, ui)
        if review_unavailable(ui):  # a slider moved before there is anything to cluster: say so, no error toast
            return refresh_values(tab, ui)
        return show(tab, ui, clusters(ui, thr, ms), label)

    @guarded
    def on_cover(ui, thr, ms, evt: gr.SelectData):
        view = ui.session.characters.view or clusters(ui, thr, ms)
        return show(tab, ui, view, label_at(ui, evt.index))

    @guarded
    def on_page(ui, label, page):
        view = ui.session.characters.view or clusters(ui)
        entries, text, number = members(ui, view, label, page)
        return {tab.member_gallery: entries, tab.pager.label: text, tab.pager.number: number}

    recluster = [state, tab.threshold, tab.min_samples, tab.current]
    tab.threshold.change(on_recluster, recluster, tab.outputs, concurrency_limit=None, trigger_mode="always_last")
    tab.min_samples.submit(on_recluster, recluster, tab.outputs, concurrency_limit=None)
    tab.cover.select(on_cover, [state, tab.threshold, tab.min_samples], tab.outputs, concurrency_limit=None)
    tab.member_gallery.select(select_index, None, tab.selected, concurrency_limit=None, show_progress="hidden")
    tab.pager.wire(on_page, [state, tab.current], [tab.member_gallery, tab.pager.label, tab.pager.number])
    _wire_character_choices(binder, state, tab)


def _wire_character_choices(binder: SessionBinder, state: gr.State, tab: CharactersTab) -> None:
    """Apply, reset and move: each changes the target, re-runs and shows the clusters again."""
    @guarded
    def on_apply(ui, labels, label, progress=gr.Progress()):
        touch(binder, ui)
        ui.session.characters.choose([int(x) for x in labels or []])
        result = run_pipeline(ui, lambda f, t: progress(f, desc=t))
        return show(tab, ui, ui.session.characters.view or clusters(ui), label,
                    note=f"Applied; {dataset_size_text(ui.session)} ({result.status}).")

    @guarded
    def on_reset(ui, label, progress=gr.Progress()):
        ui.session.characters.reset()
        run_pipeline(ui, lambda f, t: progress(f, desc=t))
        return show(tab, ui, clusters(ui), label, note="Back to CCIPAction's own choice.")

    def on_move(ui, index, label, into, progress):
        item_id = ui.id_at(MEMBERS, index)
        if item_id is None:
            raise InvalidOptionError("image", index, fix="click an image of the cluster first")
        view = ui.session.characters.move(item_id, into_target=into)
        run_pipeline(ui, lambda f, t: progress(f, desc=t))
        return show(tab, ui, view, label, note=f"Moved {item_caption(ui.session, item_id)} "
                    f"{'into' if into else 'out of'} the target; {dataset_size_text(ui.session)}.")

    @guarded
    def on_move_in(ui, index, label, progress=gr.Progress()):
        return on_move(ui, index, label, True, progress)

    @guarded
    def on_move_out(ui, index, label, progress=gr.Progress()):
        return on_move(ui, index, label, False, progress)

    run: dict[str, Any] = {"concurrency_id": "run", "concurrency_limit": 2}  # one queue for every run
    tab.apply_btn.click(on_apply, [state, tab.chosen, tab.current], tab.outputs, **run)
    tab.reset_btn.click(on_reset, [state, tab.current], tab.outputs, **run)
    tab.move_in.click(on_move_in, [state, tab.selected, tab.current], tab.outputs, **run)
    tab.move_out.click(on_move_out, [state, tab.selected, tab.current], tab.outputs, **run)


def wire_characters_tab_select(selected: gr.Tab, state: gr.State, tab: CharactersTab) -> None:
    """Opening the tab clusters the last run's CCIP images (or says why it cannot)."""
    def refresh(ui):
        return refresh_values(tab, ui)

    selected.select(refresh, [state], tab.outputs, concurrency_limit=None)
