"""Duplicates tab: duplicate groups side by side at a threshold (LPIPS when the pipeline has FilterSimilarAction,
else a perceptual hash) over every image of the session or only those reaching the dedup step; pick images (click,
shift-click, the whole group), keep them or split them off as "not a duplicate"; each choice applies at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..core.errors import InvalidOptionError
from ..session.review import FINAL, DuplicateGroup, DuplicateView
from .common import Updates, guarded
from .run_tab import run_pipeline
from .selection import PICK_GALLERY, PICK_MARK, key_class, pick_with_range, shift_box, wire_pick_select
from .state import SessionBinder, UISession, touch
from .views import dataset_size_text, not_available_text

GROUPS, MEMBERS = "dup-groups", "dup-members"

METHODS = [("Automatic", "auto"), ("Perceptual hash (fast, no model)", "phash"),
           ("LPIPS (model; slow on large sets)", "lpips")]
SCOPE_CHOICES = [("Every image of the session", "session"), ("Only the images reaching the dedup step", "step")]

#: The one-line help under the members gallery (the keys act when no text field has the focus).
KEYS_HELP = ("**Keys:** click picks · shift-click picks the range from the last click · **a** the whole group · "
             "**k** keep the picked · **n** not a duplicate · **Esc** unpick all")


def slider_range(method: str) -> dict[str, Any]:
    """Slider bounds and label for the grouping method: LPIPS distance 0..1, or Hamming bits 0..64 for phash."""
    if method == "lpips":
        return {"minimum": 0.0, "maximum": 1.0, "step": 0.01, "label": "Duplicate threshold (LPIPS distance)"}
    return {"minimum": 0, "maximum": 64, "step": 1, "label": "Duplicate threshold (perceptual-hash bits)"}


def duplicate_view(ui: UISession, threshold: float | None = None, method: str = "auto",
                   scope: str | None = None) -> DuplicateView:
    """Groups at ``threshold``. A threshold is in the units of the method in use (the slider's): with 'auto' it
    is read in the units of the last view's method, so a slider move never mixes LPIPS distances and bits."""
    if ui.session.runs.last is None:
        raise InvalidOptionError("duplicate review", "no run yet", fix="run the pipeline first")
    chosen = None if method in (None, "", "auto") else method
    if chosen is None and threshold is not None and ui.session.duplicates.view is not None:
        chosen = ui.session.duplicates.view.method
    return ui.session.duplicates.groups(threshold=threshold, method=chosen, scope=scope or None)


def scope_text(view: DuplicateView) -> str:
    """E.g. "48 images: every image of the session, 9 of them dropped by earlier steps"."""
    n = len(view.pool)
    text = f"**{n} image{'s' if n != 1 else ''}**: "
    if view.scope == "session":
        before = "by a step" if view.uid == FINAL else "by earlier steps"
        return text + f"every image of the session, {view.dropped_earlier} of them dropped {before}"
    return text + ("the images in the dataset" if view.uid == FINAL else f"only the images reaching {view.step_label}")


def summary_text(ui: UISession, view: DuplicateView) -> str:
    """What was compared, the groups, where they are decided and whether the dataset holds the review yet."""
    unit = "LPIPS distance" if view.method == "lpips" else f"{view.hasher} bits"
    exact = sum(1 for g in view.groups if g.exact)
    text = (f"{scope_text(view)}. **{len(view.groups)} duplicate group(s)** at {unit} ≤ {view.threshold:g} "
            f"({exact} of exact copies). ")
    where = "at the end of the pipeline" if view.uid == FINAL else f"at **{view.step_label}**"
    n = len(view.removed)
    if view.applied:
        text += f"Decided {where}: applied, {dataset_size_text(ui.session)}."
    elif view.uid == FINAL:
        after = sum(1 for i in ui.session.runs.result().output_ids() if i not in view.removed)
        text += (f"*Apply* drops {n} image{'s' if n != 1 else ''} {where} (one kept per group): the dataset would "
                 f"hold {after} (now {dataset_size_text(ui.session)}).")
    else:
        now = len(ui.session.runs.result().step(view.uid).dropped)
        text += (f"*Apply* drops {n} image{'s' if n != 1 else ''} {where}, one kept per group (the step drops {now} "
                 f"now); now {dataset_size_text(ui.session)}.")
    if view.apart:
        text += f" {len(view.apart)} image(s) set apart as *not a duplicate* (*Regroup* brings back the last)."
    stand_ins = instead_notes(ui, view)
    if stand_ins:
        text += "\n\n" + " ".join(stand_ins)
    if getattr(view, "note", ""):
        text += f"\n\n*Note: {view.note}.*"
    return text


def instead_notes(ui: UISession, view: DuplicateView) -> list[str]:
    """One sentence per group whose keeper does not reach the deciding step (another member is kept)."""
    name = ui.session.duplicates.name
    return [f"{name(g.kept)} is kept instead of {name(g.keeper)} ({view.standing.get(g.keeper, 'dropped earlier')})."
            for g in view.groups if g.kept is not None and g.kept != g.keeper]


def groups_overview(ui: UISession, view: DuplicateView) -> tuple[list[Any], str]:
    """One cover per group (its keeper) and the summary."""
    covers = []
    for g in view.groups:
        kind = "exact" if g.exact else "near"
        # short: a gallery caption is cut at the thumbnail's width, the kind must stay visible
        covers.append((ui.session.thumb(g.keeper), f"{len(g.ids)} {kind} dups"))
    ui.page_ids[GROUPS] = [g.keeper for g in view.groups]
    return covers, summary_text(ui, view)


def member_caption(ui: UISession, view: DuplicateView, g: DuplicateGroup, item_id: str, picked: bool) -> str:
    """E.g. "● ★ keeper (largest picture) · aoi_01.png · 768×512 · in the dataset"."""
    mark = PICK_MARK if picked else ""
    if item_id == g.keeper:
        mark += f"★ keeper ({g.why}) · "
    elif item_id == g.kept:
        mark += "✓ kept instead · "
    rec = ui.session.record(item_id)
    return f"{mark}{ui.session.duplicates.name(item_id)} · {rec.width}×{rec.height} · {view.standing.get(item_id, '')}"


def group_members(ui: UISession, view: DuplicateView, index: int, picked: Sequence[str] = ()
                  ) -> tuple[list[Any], str]:
    """The members of group ``index`` side by side: the keeper starred with why, where each image stands."""
    if not 0 <= index < len(view.groups):
        ui.page_ids[MEMBERS] = []
        return [], "No group selected."
    g = view.groups[index]
    ui.page_ids[MEMBERS] = list(g.ids)
    entries = [(ui.session.thumb(i), member_caption(ui, view, g, i, i in picked)) for i in g.ids]
    keeper = ui.session.duplicates.name(g.keeper)
    return entries, (f"Group {index + 1}: {len(g.ids)} images{' (exact duplicates)' if g.exact else ''}; keeper "
                     f"**{keeper}** ({g.why}). Pick images, then *Keep* or *Not a duplicate*.")


def picked_text(ui: UISession, picked: Sequence[str]) -> str:
    if not picked:
        return "Nothing picked: click images of the group (shift-click picks a range)."
    names = ", ".join(ui.session.duplicates.name(i) for i in picked[:6])
    return f"**{len(picked)} image(s) picked**: {names}{' …' if len(picked) > 6 else ''}"


@dataclass
class DuplicatesTab:
    """The Duplicates tab's components; ``current`` remembers the open group, ``picked`` the images picked in it,
    ``anchor`` the last plain click (where a shift-click range starts), ``shift`` whether shift was held."""

    summary: gr.Markdown
    method: gr.Dropdown
    scope: gr.Radio
    threshold: gr.Slider
    covers: gr.Gallery
    group_text: gr.Markdown
    members_gallery: gr.Gallery
    picked_note: gr.Markdown
    keep_btn: gr.Button
    split_btn: gr.Button
    pick_all_btn: gr.Button
    clear_btn: gr.Button
    apply_btn: gr.Button
    regroup_btn: gr.Button
    reset_btn: gr.Button
    current: gr.State
    picked: gr.State
    anchor: gr.State
    shift: gr.Checkbox

    @property
    def outputs(self) -> list[Block]:
        """What :func:`show` and :func:`refresh_values` fill."""
        return [self.summary, self.scope, self.threshold, self.covers, self.members_gallery, self.group_text,
                self.current, self.picked, self.anchor, self.picked_note]

    def empty(self, text: str) -> Updates:
        """The tab with nothing to review, saying why."""
        return {self.summary: text, self.scope: gr.Radio(), self.threshold: gr.Slider(), self.covers: [],
                self.members_gallery: [], self.group_text: "", self.current: 0, self.picked: [], self.anchor: None,
                self.picked_note: ""}


def show(tab: DuplicatesTab, ui: UISession, view: DuplicateView, index: int, note: str = "",
         set_slider: bool = False, picked: Sequence[str] = (), anchor: str | None = None) -> Updates:
    """The groups of ``view`` and the members of group ``index``; ``set_slider`` puts the slider in the units and
    at the threshold of the view's method. Picks outside the open group are dropped."""
    index = index if 0 <= index < len(view.groups) else 0
    members = set(view.groups[index].ids) if view.groups else set()
    picked = [i for i in picked if i in members]
    anchor = anchor if anchor in members else None
    cover_list, text = groups_overview(ui, view)
    entries, gtext = group_members(ui, view, index, picked)
    slider = gr.Slider(value=view.threshold, **slider_range(view.method)) if set_slider else gr.Slider()
    return {tab.summary: (note + " " if note else "") + text, tab.scope: view.scope, tab.threshold: slider,
            tab.covers: cover_list,
            tab.members_gallery: entries, tab.group_text: gtext, tab.current: index, tab.picked: picked,
            tab.anchor: anchor, tab.picked_note: picked_text(ui, picked)}


def refresh_values(tab: DuplicatesTab, ui: UISession | None, how: str = "auto", scope: str | None = None) -> Updates:
    """The tab as it opens: the groups by ``how``, or why there are none (without an error toast)."""
    if ui is None or ui.session.runs.last is None:
        return tab.empty("Run the pipeline first; duplicate groups come from the dedup step (FilterSimilarAction or "
                         "HashDedupAction) or the final dataset.")
    try:
        view = duplicate_view(ui, None, how, scope)
    except Exception as err:  # models/features missing: say so, keep the tab usable
        return tab.empty(not_available_text(err))
    return show(tab, ui, view, 0, set_slider=True)


def apply_review(ui: UISession, progress: Any = None) -> tuple[DuplicateView, str]:
    """Apply the review shown and run (cached: only the deciding step's choice changes); the view after the run
    and what happened."""
    ui.session.duplicates.apply()
    run_pipeline(ui, progress)
    view = ui.session.duplicates.current()
    return view, f"Applied; {dataset_size_text(ui.session)}."


def build_duplicates_tab(binder: SessionBinder, state: gr.State) -> DuplicatesTab:
    tab = _draw_duplicates_tab()
    _wire_duplicates_tab(binder, state, tab)
    _wire_duplicate_choices(binder, state, tab)
    return tab


def _draw_duplicates_tab() -> DuplicatesTab:
    gr.Markdown("Near-duplicate groups, compared across the whole session (or only the images reaching the dedup "
                "step). The keeper is the largest picture, at the same size the original (lossless, not "
                "re-encoded) file, unless you pick another. Moving the threshold regroups from cached features (no "
                "model runs); *Keep* and *Not a duplicate* apply at once. Your choices are kept per image.")
    summary = gr.Markdown("Run the pipeline, then open this tab.", elem_id="dup-summary")
    with gr.Row(equal_height=True):
        method = gr.Dropdown(METHODS, value="auto", label="Compare by", scale=1, elem_id="dup-method",
                             info="automatic: LPIPS when the pipeline has FilterSimilarAction, else perceptual hash")
        scope = gr.Radio(SCOPE_CHOICES, value="session", label="Compare", scale=1, elem_id="dup-scope")
        threshold = gr.Slider(0.0, 1.0, value=0.45, step=0.01, label="Duplicate threshold", scale=2,
                              info="images at or below this distance are duplicates", elem_id="dup-threshold")
    covers = gr.Gallery(label="Groups (keeper shown) — click one to compare its images", columns=8, height=220,
                        object_fit="cover", fit_columns=False, preview=False, allow_preview=False,
                        elem_id="dup-groups")
    group_text = gr.Markdown(elem_id="dup-group-text")
    members_gallery = gr.Gallery(label="Images of the group (★ keeper, ● picked)", columns=5, height=300,
                                 object_fit="contain", fit_columns=False, preview=False, allow_preview=False,
                                 elem_id="dup-members", elem_classes=[PICK_GALLERY])  # picks outlined
    picked_note = gr.Markdown("", elem_id="dup-picked")
    with gr.Row():
        keep_btn = gr.Button("Keep this one (k)", size="sm", elem_id="dup-keep", elem_classes=[key_class("k")])
        split_btn = gr.Button("Not a duplicate (n)", size="sm", elem_id="dup-split", elem_classes=[key_class("n")])
        pick_all_btn = gr.Button("Pick whole group (a)", size="sm", elem_id="dup-pick-all",
                                 elem_classes=[key_class("a")])
        clear_btn = gr.Button("Unpick all (Esc)", size="sm", elem_id="dup-clear",
                              elem_classes=[key_class("Escape")])
    gr.Markdown(KEYS_HELP, elem_id="dup-keys")
    with gr.Row():
        apply_btn = gr.Button("Apply: keep one per group and re-run", variant="primary", elem_id="dup-apply")
        regroup_btn = gr.Button("Regroup (undo the last 'not a duplicate')", size="sm", elem_id="dup-regroup")
        reset_btn = gr.Button("Forget the review", size="sm", elem_id="dup-reset")
    return DuplicatesTab(summary=summary, method=method, scope=scope, threshold=threshold, covers=covers,
                         group_text=group_text, members_gallery=members_gallery, picked_note=picked_note,
                         keep_btn=keep_btn, split_btn=split_btn, pick_all_btn=pick_all_btn, clear_btn=clear_btn,
                         apply_btn=apply_btn, regroup_btn=regroup_btn, reset_btn=reset_btn, current=gr.State(0),
                         picked=gr.State([]), anchor=gr.State(None), shift=shift_box())


def _wire_duplicates_tab(binder: SessionBinder, state: gr.State, tab: DuplicatesTab) -> None:
    """Looking: method, scope, threshold, opening a group, picking images."""
    @guarded
    def on_method(ui, how, scope, progress=gr.Progress()):
        touch(binder, ui)
        progress(0, desc="Grouping (LPIPS compares every pair once, then it is cached)")
        return refresh_values(tab, ui, how, scope)

    @guarded
    def on_threshold(ui, thr, how, scope, index):
        touch(binder, ui)
        if ui.session.runs.last is None:  # a slider moved before any run: say so, no error toast
            return refresh_values(tab, ui, how)
        return show(tab, ui, duplicate_view(ui, thr, how, scope), index)

    @guarded
    def on_group(ui, evt: gr.SelectData):
        return show(tab, ui, ui.session.duplicates.current(), int(evt.index))

    def picks_shown(ui, index, picked, anchor) -> Updates:
        view = ui.session.duplicates.current()
        entries, _ = group_members(ui, view, index, picked)
        return {tab.members_gallery: entries, tab.picked: picked, tab.anchor: anchor,
                tab.picked_note: picked_text(ui, picked)}

    @guarded
    def on_pick(ui, index, picked, anchor, shift, evt: gr.SelectData):
        ids = list(ui.page_ids.get(MEMBERS) or [])
        picked, anchor = pick_with_range(ids, picked or [], int(evt.index), bool(shift), anchor)
        return picks_shown(ui, index, picked, anchor)

    @guarded
    def on_pick_all(ui, index, anchor):
        return picks_shown(ui, index, list(ui.page_ids.get(MEMBERS) or []), anchor)

    @guarded
    def on_clear(ui, index):
        return picks_shown(ui, index, [], None)

    outputs = tab.outputs
    tab.method.input(on_method, [state, tab.method, tab.scope], outputs, concurrency_id="run", concurrency_limit=2)
    tab.scope.input(on_method, [state, tab.method, tab.scope], outputs, concurrency_id="run", concurrency_limit=2)
    tab.threshold.change(on_threshold, [state, tab.threshold, tab.method, tab.scope, tab.current], outputs,
                         concurrency_limit=None, trigger_mode="always_last")
    tab.covers.select(on_group, [state], outputs, concurrency_limit=None)
    picks = [tab.members_gallery, tab.picked, tab.anchor, tab.picked_note]
    wire_pick_select(tab.members_gallery, on_pick, [state, tab.current, tab.picked, tab.anchor], picks, tab.shift,
                     concurrency_limit=None, show_progress="hidden")
    tab.pick_all_btn.click(on_pick_all, [state, tab.current, tab.anchor], picks, concurrency_limit=None,
                           show_progress="hidden")
    tab.clear_btn.click(on_clear, [state, tab.current], picks, concurrency_limit=None, show_progress="hidden")


def _wire_duplicate_choices(binder: SessionBinder, state: gr.State, tab: DuplicatesTab) -> None:
    """Deciding: keep, not a duplicate, apply, regroup, forget; each re-runs (cached) and shows the groups again."""
    def report(progress):
        return lambda f, t: progress(f, desc=t)

    def nothing_picked() -> Updates:  # e.g. "k" pressed with nothing picked: a hint where the picks show
        return {tab.picked_note: "**Nothing picked**: click images of the group first (shift-click picks a range)."}

    @guarded
    def on_keep(ui, index, picked, progress=gr.Progress()):
        touch(binder, ui)
        if not picked:
            return nothing_picked()
        ui.session.duplicates.keep(picked)
        names = ", ".join(ui.session.duplicates.name(i) for i in picked)
        view, note = apply_review(ui, report(progress))
        return show(tab, ui, view, index, note=f"Kept {names}. {note}")

    @guarded
    def on_split(ui, index, picked, progress=gr.Progress()):
        touch(binder, ui)
        if not picked:
            return nothing_picked()
        ui.session.duplicates.not_duplicate(picked)
        names = ", ".join(ui.session.duplicates.name(i) for i in picked)
        view, note = apply_review(ui, report(progress))
        return show(tab, ui, view, index, note=f"Not a duplicate: {names} left the group. {note}")

    @guarded
    def on_apply(ui, index, progress=gr.Progress()):
        touch(binder, ui)
        view, note = apply_review(ui, report(progress))
        return show(tab, ui, view, index, note=note)

    @guarded
    def on_regroup(ui, index, progress=gr.Progress()):
        touch(binder, ui)
        if not ui.session.duplicates.splits():  # an expected state: said where the picks show, not a toast
            return {tab.picked_note: "**Nothing to regroup**: no image was split off with *Not a duplicate*."}
        ui.session.duplicates.regroup()
        view, note = apply_review(ui, report(progress))
        return show(tab, ui, view, index, note=f"Regrouped. {note}")

    @guarded
    def on_reset(ui, how, scope, progress=gr.Progress()):
        touch(binder, ui)
        ui.session.duplicates.reset()
        run_pipeline(ui, report(progress))
        out = refresh_values(tab, ui, how, scope)
        out[tab.summary] = (f"Review forgotten: the dedup steps decide by themselves; {dataset_size_text(ui.session)}. "
                            + str(out[tab.summary]))
        return out

    run: dict[str, Any] = {"concurrency_id": "run", "concurrency_limit": 2}  # one queue for every run
    outputs = tab.outputs
    tab.keep_btn.click(on_keep, [state, tab.current, tab.picked], outputs, **run)
    tab.split_btn.click(on_split, [state, tab.current, tab.picked], outputs, **run)
    tab.apply_btn.click(on_apply, [state, tab.current], outputs, **run)
    tab.regroup_btn.click(on_regroup, [state, tab.current], outputs, **run)
    tab.reset_btn.click(on_reset, [state, tab.method, tab.scope], outputs, **run)


def wire_duplicates_tab_select(selected: gr.Tab, state: gr.State, tab: DuplicatesTab) -> None:
    """Opening the tab groups the images by the chosen method, over the session's scope (kept with the session)."""
    def refresh(ui, how="auto"):
        return refresh_values(tab, ui, how)

    selected.select(refresh, [state, tab.method], tab.outputs, concurrency_limit=None)
