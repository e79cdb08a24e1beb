"""Characters tab: the CCIP clusters of the CCIP step's images, biggest first, noise apart; choose the target
cluster(s), move single images in or out, re-cluster at another threshold from cached features (no model call)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ..core.errors import InvalidOptionError
from ..session.characters import ClusterView
from .common import guarded, make_pager, select_index
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


def build_characters_tab(binder: SessionBinder, state: gr.State) -> dict[str, Any]:
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
    selected = gr.State(None)

    outputs = [summary, cover, chosen, member_gallery, pager.label, pager.number, current]

    def show(ui, view, label, page=1, note=""):
        covers, choices, chosen_labels, text = overview(ui, view)
        label = label if label is not None else (view.clusters[0].label if view.clusters else None)
        if label is None:
            entries, page_text, number = [], "", 1
        else:
            entries, page_text, number = members(ui, view, label, page)
        return ((note + " " if note else "") + text, covers, gr.CheckboxGroup(choices=choices, value=chosen_labels),
                entries, page_text, number, label)

    def refresh(ui, thr=None, ms=None, label=None):
        reason = review_unavailable(ui)
        if reason:
            return (reason, [], gr.CheckboxGroup(choices=[], value=[]), [], "", 1, None)
        try:
            view = clusters(ui, thr, ms)
        except Exception as err:  # missing features/models: say so, keep the tab usable
            return (not_available_text(err), [], gr.CheckboxGroup(choices=[], value=[]), [], "", 1, None)
        return show(ui, view, label)

    @guarded
    def on_recluster(ui, thr, ms, label):
        touch(binder, ui)
        if review_unavailable(ui):  # a slider moved before there is anything to cluster: say so, no error toast
            return refresh(ui)
        return show(ui, clusters(ui, thr, ms), label)

    @guarded
    def on_cover(ui, thr, ms, evt: gr.SelectData):
        view = ui.session.characters.view or clusters(ui, thr, ms)
        return show(ui, view, label_at(ui, evt.index))

    @guarded
    def on_page(ui, label, page):
        view = ui.session.characters.view or clusters(ui)
        entries, text, number = members(ui, view, label, page)
        return entries, text, number

    @guarded
    def on_apply(ui, labels, label, progress=gr.Progress()):
        touch(binder, ui)
        ui.session.characters.choose([int(x) for x in labels or []])
        result = run_pipeline(ui, lambda f, t: progress(f, desc=t))
        return show(ui, ui.session.characters.view or clusters(ui), label,
                    note=f"Applied; {dataset_size_text(ui.session)} ({result.status}).")

    @guarded
    def on_reset(ui, label, progress=gr.Progress()):
        ui.session.characters.reset()
        run_pipeline(ui, lambda f, t: progress(f, desc=t))
        return show(ui, clusters(ui), label, note="Back to CCIPAction's own choice.")

    def on_move(ui, index, label, into, progress):
        item_id = ui.id_at(MEMBERS, index)
        if item_id is None:
            raise InvalidOptionError("image", index, fix="click an image of the cluster first")
        view = ui.session.characters.move(item_id, into_target=into)
        run_pipeline(ui, lambda f, t: progress(f, desc=t))
        return show(ui, view, label, note=f"Moved {item_caption(ui.session, item_id)} "
                    f"{'into' if into else 'out of'} the target; {dataset_size_text(ui.session)}.")

    threshold.change(on_recluster, [state, threshold, min_samples, current], outputs, concurrency_limit=None, trigger_mode="always_last")
    min_samples.submit(on_recluster, [state, threshold, min_samples, current], outputs, concurrency_limit=None)
    cover.select(on_cover, [state, threshold, min_samples], outputs, concurrency_limit=None)
    member_gallery.select(select_index, None, selected, concurrency_limit=None, show_progress="hidden")
    pager.wire(on_page, [state, current], [member_gallery, pager.label, pager.number])
    apply_btn.click(on_apply, [state, chosen, current], outputs, concurrency_id="run", concurrency_limit=2)
    reset_btn.click(on_reset, [state, current], outputs, concurrency_id="run", concurrency_limit=2)
    @guarded
    def on_move_in(ui, index, label, progress=gr.Progress()):
        return on_move(ui, index, label, True, progress)

    @guarded
    def on_move_out(ui, index, label, progress=gr.Progress()):
        return on_move(ui, index, label, False, progress)

    move_in.click(on_move_in, [state, selected, current], outputs, concurrency_id="run", concurrency_limit=2)
    move_out.click(on_move_out, [state, selected, current], outputs, concurrency_id="run", concurrency_limit=2)
    return {"refresh": refresh, "outputs": outputs}
