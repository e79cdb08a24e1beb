"""Characters tab: the CCIP clusters of the CCIP step's images, biggest first, noise apart; choose the target
cluster(s), pick images (click, shift-click for a range, a whole page) and move them in or out with a button or a
key, re-cluster at another threshold from cached features (no model call). The texts are in characters_view.py."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..core.errors import InvalidOptionError, ModelUnavailableError
from ..session.characters import ClusterView
from .characters_view import (
    KEYS_HELP,
    MEMBERS,
    NOISE,
    PARAMS_HELP,
    cluster_ids,
    cluster_name,
    clusters,
    label_at,
    members,
    overview,
    picked_text,
    review_unavailable,
    unavailable_text,
)
from .common import Pager, Updates, guarded, make_pager
from .paging import page_slice
from .run_tab import run_pipeline
from .selection import PICK_GALLERY, key_class, pick_with_range, shift_box, wire_pick_select
from .state import SessionBinder, UISession, touch
from .views import dataset_size_text


@dataclass
class CharactersTab:
    """The Characters tab's components; ``current`` remembers the open cluster, ``picked`` the images clicked (ids)
    that the move buttons move together, ``anchor`` the last plain click (where a shift-click range starts) and
    ``shift`` whether shift was held at the click (filled in the browser)."""

    summary: gr.Markdown
    threshold: gr.Slider
    min_samples: gr.Number
    cover: gr.Gallery
    chosen: gr.CheckboxGroup
    apply_btn: gr.Button
    reset_btn: gr.Button
    undo_reset_btn: gr.Button
    confirm_empty: gr.Checkbox
    current: gr.State
    member_gallery: gr.Gallery
    pager: Pager
    picked_note: gr.Markdown
    move_in: gr.Button
    move_out: gr.Button
    take_in: gr.Button
    take_out: gr.Button
    clear_picked: gr.Button
    pick_page: gr.Button
    picked: gr.State
    anchor: gr.State
    shift: gr.Checkbox

    @property
    def outputs(self) -> list[Block]:
        """What :func:`show` and :func:`refresh_values` fill: the summary, the clusters, the open one, the picked
        images and the grouping the view was made with."""
        return [self.summary, self.cover, self.chosen, self.member_gallery, self.pager.label, self.pager.number,
                self.current, self.picked, self.picked_note, self.threshold, self.min_samples]

    def empty(self, text: str) -> Updates:
        """The tab with nothing to review, saying why."""
        return {self.summary: text, self.cover: [], self.chosen: gr.CheckboxGroup(choices=[], value=[]),
                self.member_gallery: [], self.pager.label: "", self.pager.number: 1, self.current: None,
                self.picked: [], self.picked_note: "", self.threshold: 0, self.min_samples: 0}

    def when_available(self, outputs: Sequence[Block] | None = None) -> Callable[[Callable[..., Any]], Any]:
        """Decorate a handler ``fn(ui, ...)``: without a run with a CCIP step, or with the CCIP model missing (both
        expected states), the tab says why in its summary instead of raising, so no toast and no red "Error" badge;
        ``outputs``: the event's outputs (the answer is cut to them; default :attr:`outputs`). The slider and
        min_samples keep what the visitor set."""
        allowed = set(outputs if outputs is not None else self.outputs) - {self.threshold, self.min_samples}

        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(fn)
            def wrapper(ui: UISession, *args: Any, **kwargs: Any) -> Any:
                reason = review_unavailable(ui)
                if reason is None:
                    try:
                        return fn(ui, *args, **kwargs)
                    except ModelUnavailableError as err:
                        reason = unavailable_text(ui, err)
                return {k: v for k, v in self.empty(reason).items() if k in allowed}

            return wrapper

        return decorate


def show(tab: CharactersTab, ui: UISession, view: ClusterView, label: int | None, page: Any = 1,
         note: str = "", picked: Sequence[str] = (), params: bool = True) -> Updates:
    """The clusters of ``view`` and one page of cluster ``label`` (the biggest cluster when None); ``params``:
    set the threshold and min_samples fields to the view's grouping."""
    covers, choices, chosen_labels, text = overview(ui, view)
    inputs = set(view.target) | set(view.noise) | {i for c in view.clusters for i in c.ids}
    picked = [i for i in picked if i in inputs]
    known = {c.label for c in view.clusters} | ({NOISE} if view.noise else set())
    if label not in known:
        label = view.clusters[0].label if view.clusters else (NOISE if view.noise else None)
    entries: list[Any]
    if label is None:
        entries, page_text, number = [], "", 1
    else:
        entries, page_text, number = members(ui, view, label, page, picked)
    out: Updates = {
        tab.summary: (note + " " if note else "") + text, tab.cover: covers,
        tab.chosen: gr.CheckboxGroup(choices=choices, value=chosen_labels), tab.member_gallery: entries,
        tab.pager.label: page_text, tab.pager.number: number, tab.current: label, tab.picked: picked,
        tab.picked_note: picked_text(ui, picked)}
    if params:
        out.update({tab.threshold: view.threshold or 0, tab.min_samples: view.min_samples or 0})
    return out


def refresh_values(tab: CharactersTab, ui: UISession | None, thr: float | None = None, ms: int | None = None,
                   label: int | None = None) -> Updates:
    """The tab as it opens: the clusters (the grouping last used, unless ``thr``/``ms`` are given), or why there
    are none (without an error toast)."""
    reason = review_unavailable(ui)
    if reason or ui is None:
        return tab.empty(reason or "")
    try:
        view = clusters(ui, thr, ms, keep_params=thr is None and ms is None)
    except Exception as err:  # missing features/models: say so, keep the tab usable
        return tab.empty(unavailable_text(ui, err))
    return show(tab, ui, view, label)


def build_characters_tab(binder: SessionBinder, state: gr.State) -> CharactersTab:
    tab = _draw_characters_tab()
    _wire_characters_tab(binder, state, tab)
    return tab


def _draw_characters_tab() -> CharactersTab:
    gr.Markdown("The CCIP step's images grouped by character. waifuc picks one cluster by itself and can lock onto "
                "the wrong one: tick the cluster(s) of your character, pick images and move them in or out; each "
                "change re-runs at once (cached). Your choice is kept per image: it holds when you change the "
                "grouping or add images (new images follow their cluster until you move them).")
    summary = gr.Markdown("Run a pipeline with a CCIPAction step, then open this tab.", elem_id="ccip-summary")
    with gr.Row(equal_height=True):
        threshold = gr.Slider(0.0, 1.0, value=0, step=0.005, label="Same-character threshold (grouping only)",
                              info="0 = waifuc's own grouping (OPTICS); above 0: images whose CCIP difference is "
                                   "at most this are grouped (higher: bigger clusters). Never changes your choice.",
                              elem_id="ccip-threshold")
        min_samples = gr.Number(value=0, label="min_samples", precision=0, minimum=0,
                                info="smallest cluster size (0 = the model's default)")
    with gr.Accordion("What CCIPAction's parameters mean", open=False):
        gr.Markdown(PARAMS_HELP, elem_id="ccip-params-help")
    cover = gr.Gallery(label="Clusters (biggest first, noise last) — click one to open it", columns=8, height=220,
                       object_fit="cover", fit_columns=False, preview=False, elem_id="ccip-clusters")
    with gr.Row(equal_height=True):
        chosen = gr.CheckboxGroup([], label="Target character cluster(s) (ticked: most of its images are in the "
                                  "target; ticking takes a cluster whole)", elem_id="ccip-chosen", scale=3)
        with gr.Column(scale=1):
            apply_btn = gr.Button("Apply choice and re-run", variant="primary", elem_id="ccip-apply")
            confirm_empty = gr.Checkbox(False, label="Yes, drop every image (allow an empty target)",
                                        elem_id="ccip-confirm-empty")
            with gr.Row():
                reset_btn = gr.Button("Back to waifuc's choice", size="sm", elem_id="ccip-reset")
                undo_reset_btn = gr.Button("Back to your choice", size="sm", elem_id="ccip-undo-reset")
    current = gr.State(None)
    member_gallery = gr.Gallery(label="Images of the open cluster (✓ in the target, ✗ out, ● picked)", columns=8,
                                height=320, object_fit="contain", fit_columns=False, preview=False,
                                allow_preview=False, elem_id="ccip-members", elem_classes=[PICK_GALLERY])
    pager = make_pager("ccip")
    pager.prev.elem_classes, pager.next.elem_classes = [key_class("ArrowLeft")], [key_class("ArrowRight")]
    picked_note = gr.Markdown("", elem_id="ccip-picked")
    with gr.Row():
        move_in = gr.Button("Move the picked images into the target (i)", size="sm", elem_id="ccip-move-in",
                            elem_classes=[key_class("i")])
        move_out = gr.Button("Move them out of the target (o)", size="sm", elem_id="ccip-move-out",
                             elem_classes=[key_class("o")])
        pick_page = gr.Button("Pick all on this page (a)", size="sm", elem_id="ccip-pick-page",
                              elem_classes=[key_class("a")])
        clear_picked = gr.Button("Unpick all (Esc)", size="sm", elem_id="ccip-clear-picked",
                                 elem_classes=[key_class("Escape")])
    gr.Markdown(KEYS_HELP, elem_id="ccip-keys")
    with gr.Row():
        take_in = gr.Button("Put the whole open cluster into the target", size="sm", elem_id="ccip-take-in")
        take_out = gr.Button("Take the whole open cluster out", size="sm", elem_id="ccip-take-out")
    return CharactersTab(summary=summary, threshold=threshold, min_samples=min_samples, cover=cover, chosen=chosen,
                         apply_btn=apply_btn, reset_btn=reset_btn, undo_reset_btn=undo_reset_btn,
                         confirm_empty=confirm_empty, current=current, member_gallery=member_gallery, pager=pager,
                         picked_note=picked_note, move_in=move_in, move_out=move_out, take_in=take_in,
                         take_out=take_out, clear_picked=clear_picked, pick_page=pick_page, picked=gr.State([]),
                         anchor=gr.State(None), shift=shift_box())


def _wire_characters_tab(binder: SessionBinder, state: gr.State, tab: CharactersTab) -> None:
    picks: list[Block] = [tab.member_gallery, tab.pager.label, tab.pager.number, tab.picked, tab.anchor,
                          tab.picked_note]
    paging: list[Block] = [tab.member_gallery, tab.pager.label, tab.pager.number]

    @guarded
    @tab.when_available()  # e.g. a slider moved before there is anything to cluster: said in the tab, no toast
    def on_recluster(ui, thr, ms, label, picked=()):
        touch(binder, ui)
        return show(tab, ui, clusters(ui, thr, ms), label, picked=picked or (), params=False)

    @guarded
    @tab.when_available()
    def on_cover(ui, picked, evt: gr.SelectData):
        view = ui.session.characters.current()
        return show(tab, ui, view, label_at(ui, evt.index), picked=picked or (), params=False)

    @guarded
    @tab.when_available(paging)
    def on_page(ui, label, page, picked):
        entries, text, number = members(ui, ui.session.characters.current(), label, page, picked or ())
        return {tab.member_gallery: entries, tab.pager.label: text, tab.pager.number: number}

    def picks_shown(ui, view, label, page, picked, anchor):
        entries, text, number = members(ui, view, label, page, picked)
        return {tab.member_gallery: entries, tab.pager.label: text, tab.pager.number: number, tab.picked: picked,
                tab.anchor: anchor, tab.picked_note: picked_text(ui, picked)}

    @guarded
    @tab.when_available(picks)
    def on_pick(ui, label, page, picked, anchor, shift, evt: gr.SelectData):
        view = ui.session.characters.current()
        ids = cluster_ids(view, label)  # the whole cluster: a shift-click range may span pages
        item_id = ui.id_at(MEMBERS, evt.index)
        index = ids.index(item_id) if item_id in ids else -1
        picked, anchor = pick_with_range(ids, picked or [], index, bool(shift), anchor)
        return picks_shown(ui, view, label, page, picked, anchor)

    @guarded
    @tab.when_available(picks)
    def on_pick_page(ui, label, page, picked, anchor):
        view = ui.session.characters.current()
        on_page, _ = page_slice(cluster_ids(view, label), page)
        picked = list(dict.fromkeys([*(picked or []), *on_page]))
        return picks_shown(ui, view, label, page, picked, anchor)

    @guarded
    @tab.when_available(picks)
    def on_clear(ui, label, page):
        return picks_shown(ui, ui.session.characters.current(), label, page, [], None)

    recluster = [state, tab.threshold, tab.min_samples, tab.current, tab.picked]
    tab.threshold.input(on_recluster, recluster, tab.outputs, concurrency_limit=None, trigger_mode="always_last")
    tab.min_samples.submit(on_recluster, recluster, tab.outputs, concurrency_limit=None)
    tab.cover.select(on_cover, [state, tab.picked], tab.outputs, concurrency_limit=None)
    wire_pick_select(tab.member_gallery, on_pick, [state, tab.current, tab.pager.number, tab.picked, tab.anchor],
                     picks, tab.shift, concurrency_limit=None, show_progress="hidden")
    tab.pick_page.click(on_pick_page, [state, tab.current, tab.pager.number, tab.picked, tab.anchor], picks,
                        concurrency_limit=None, show_progress="hidden")
    tab.clear_picked.click(on_clear, [state, tab.current, tab.pager.number], picks, concurrency_limit=None,
                           show_progress="hidden")
    tab.pager.wire(on_page, [state, tab.current, tab.picked], paging)
    _wire_character_choices(binder, state, tab)


def apply_choice(ui: UISession, confirm_empty: bool, progress: Any = None) -> tuple[ClusterView, str]:
    """Run with the target (a second, cached run when new images took their cluster's suggestion); an empty target
    without ``confirm_empty`` is not applied. Returns the view and what happened."""
    try:
        view = ui.session.characters.apply(lambda: run_pipeline(ui, progress), confirm_empty=bool(confirm_empty))
    except InvalidOptionError as err:
        return ui.session.characters.current(), f"**Not applied**: {err}."
    return view, f"Applied; {dataset_size_text(ui.session)}."


def _wire_character_choices(binder: SessionBinder, state: gr.State, tab: CharactersTab) -> None:
    """Apply, reset, move and take: each changes the target, re-runs (cached) and shows the clusters again."""
    def report(progress):
        return lambda f, t: progress(f, desc=t)

    @guarded
    @tab.when_available()
    def on_apply(ui, labels, label, confirm, progress=gr.Progress()):
        touch(binder, ui)
        view = ui.session.characters.current()
        labels = sorted(int(x) for x in labels or [])
        if labels != sorted(view.chosen):  # only a changed tick decides: moves made before are kept
            ui.session.characters.choose(labels)
        view, note = apply_choice(ui, confirm, report(progress))
        return show(tab, ui, view, label, note=note)

    @guarded
    @tab.when_available()
    def on_reset(ui, label, progress=gr.Progress()):
        ui.session.characters.reset()
        run_pipeline(ui, report(progress))
        undo = " *Back to your choice* brings yours back." if ui.session.characters.can_undo_reset() else ""
        return show(tab, ui, clusters(ui, keep_params=True), label,
                    note=f"Back to waifuc's own choice (what CCIPAction keeps); {dataset_size_text(ui.session)}."
                    + undo)

    @guarded
    @tab.when_available()
    def on_undo_reset(ui, label, confirm, progress=gr.Progress()):
        if not ui.session.characters.can_undo_reset():  # nothing to bring back: say so in the tab, no error
            return show(tab, ui, ui.session.characters.current(), label, params=False,
                        note="Nothing to bring back: *Back to your choice* undoes *Back to waifuc's choice*.")
        ui.session.characters.undo_reset()
        view, note = apply_choice(ui, confirm, report(progress))
        return show(tab, ui, view, label, note=f"Your choice is back. {note}")

    def on_move(ui, picked, label, confirm, into, progress):
        picked = list(picked or [])
        if not picked:  # e.g. "i" pressed with nothing picked: a hint where the picks show, not an error
            return {tab.picked_note: "**Nothing picked**: click images first (shift-click picks a range)."}
        ui.session.characters.move(picked, into_target=into)
        view, note = apply_choice(ui, confirm, report(progress))
        return show(tab, ui, view, label, note=f"Moved {len(picked)} image(s) {'into' if into else 'out of'} the "
                    f"target. {note}")

    def on_take(ui, label, confirm, into, progress):
        if label is None:  # no cluster to take: a hint where the picks show, not an error
            return {tab.picked_note: "**No cluster open**: click a cluster's cover first."}
        ui.session.characters.take(int(label), into_target=into)
        view, note = apply_choice(ui, confirm, report(progress))
        return show(tab, ui, view, label, note=f"{cluster_name(int(label), len(view.cluster(int(label))))} "
                    f"{'put into' if into else 'taken out of'} the target. {note}")

    @guarded
    @tab.when_available()
    def on_move_in(ui, picked, label, confirm, progress=gr.Progress()):
        return on_move(ui, picked, label, confirm, True, progress)

    @guarded
    @tab.when_available()
    def on_move_out(ui, picked, label, confirm, progress=gr.Progress()):
        return on_move(ui, picked, label, confirm, False, progress)

    @guarded
    @tab.when_available()
    def on_take_in(ui, label, confirm, progress=gr.Progress()):
        return on_take(ui, label, confirm, True, progress)

    @guarded
    @tab.when_available()
    def on_take_out(ui, label, confirm, progress=gr.Progress()):
        return on_take(ui, label, confirm, False, progress)

    run: dict[str, Any] = {"concurrency_id": "run", "concurrency_limit": 2}  # one queue for every run
    tab.apply_btn.click(on_apply, [state, tab.chosen, tab.current, tab.confirm_empty], tab.outputs, **run)
    tab.reset_btn.click(on_reset, [state, tab.current], tab.outputs, **run)
    tab.undo_reset_btn.click(on_undo_reset, [state, tab.current, tab.confirm_empty], tab.outputs, **run)
    moving = [state, tab.picked, tab.current, tab.confirm_empty]
    tab.move_in.click(on_move_in, moving, tab.outputs, **run)
    tab.move_out.click(on_move_out, moving, tab.outputs, **run)
    taking = [state, tab.current, tab.confirm_empty]
    tab.take_in.click(on_take_in, taking, tab.outputs, **run)
    tab.take_out.click(on_take_out, taking, tab.outputs, **run)


def wire_characters_tab_select(selected: gr.Tab, state: gr.State, tab: CharactersTab) -> None:
    """Opening the tab clusters the last run's CCIP images with the grouping last used (or says why it cannot)."""
    def refresh(ui):
        return refresh_values(tab, ui)

    selected.select(refresh, [state], tab.outputs, concurrency_limit=None)
