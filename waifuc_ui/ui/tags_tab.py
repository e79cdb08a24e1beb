"""Tags tab: tag frequencies, add/remove/replace on all images, the images with a tag, or the selected image;
a trigger word; drop character tags; one image's tags shown and editable. Edits never touch the originals.
Every field where a tag is typed suggests the dataset's tags with their counts (see tag_picker)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd
from gradio.blocks import Block

from ..core.errors import InvalidOptionError
from ..core.tags import tags_to_text
from ..session.caption_preview import exported_caption
from ..session.tag_query import TagQuery, changed_ids, filter_ids, split_tags
from ..session.tag_suggest import UnknownTagError, existing_tag, known_query, new_or_existing_tag
from .common import Pager, Updates, guarded, make_pager
from .state import SessionBinder, UISession, touch
from .tag_picker import one_tag, separator_marker, suggestion_values, tag_field, tag_store, wire_tag_fields
from .views import dataset_size_text, gallery_page, item_caption, run_state_note

GALLERY = "tags"
SCOPES = ("All images", "Images matching the filter", "The selected images")


def tag_frame(ui: UISession, ids: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(ui.session.tags.table(ids), columns=["tag", "images"])


def toggle_selection(ui: UISession, item_id: str) -> bool:
    """Add ``item_id`` to the selection, or take it out when it is in; True when it is now selected."""
    if item_id in ui.tag_selection:
        ui.tag_selection.remove(item_id)
        return False
    ui.tag_selection.append(item_id)
    return True


def selection_note(ui: UISession) -> str:
    n = len(ui.tag_selection)
    return f"{n} image{'s' if n != 1 else ''} selected (click images to select or unselect them)."


def filtered_ids(ui: UISession, query: TagQuery | None = None) -> list[str]:
    """The dataset images the Tags tab's filter (or ``query``) matches, in dataset order."""
    return filter_ids(ui.session.tags.all(), ui.tag_filter if query is None else query)


def tag_counts(ui: UISession) -> dict[str, int]:
    """Tag -> number of dataset images having it (after edits)."""
    return dict(ui.session.tags.table())


def refusal_text(err: UnknownTagError) -> str:
    """``No image has tag `long`; pick a tag from the suggestions (...).``: shown in the note, nothing changed."""
    return f"{err.problem[:1].upper()}{err.problem[1:]}; {err.fix}."


def scope_ids(ui: UISession, scope: str, filter_tag: str | list[str],
              query: TagQuery | None = None) -> list[str] | None:
    """The ids an edit applies to (None = all images of the dataset). ``query`` (else ``filter_tag`` as "all of")
    is the filter of the second scope; UnknownTagError when it names a tag no image has."""
    if scope == SCOPES[0]:
        return None
    if scope == SCOPES[1]:
        query = query if query is not None else TagQuery.parse(filter_tag)
        if query.empty:
            raise InvalidOptionError("tag filter", filter_tag, fix="type a tag in 'All of', 'Any of' or 'None of', "
                                     "tick 'Untagged', or choose All images")
        return filtered_ids(ui, known_query(query, tag_counts(ui)))
    if scope == SCOPES[2]:
        final = set(ui.session.dataset.ids())
        chosen = [i for i in ui.tag_selection if i in final]
        if not chosen:
            raise InvalidOptionError("selected images", "none", fix="click images in the gallery to select them")
        return chosen
    raise InvalidOptionError("scope", scope, SCOPES, "choose where the edit applies")


def edit_tags(ui: UISession, op: str, scope: str, filter_tag: str | list[str], tag: str | list[str] | None,
              new_tag: str | list[str] | None = "", query: TagQuery | None = None) -> str:
    """Apply one batch edit ('add', 'remove' or 'replace') and say how many images it changed (of how many in
    the scope). ``tag`` and ``new_tag``: a tag, or a one-tag field's value (its last tag). Tags typed with spaces
    or underscores join the dataset's spelling; Remove and Replace refuse a tag no image has (UnknownTagError), Add
    and Replace's new tag take a new one."""
    tag = one_tag(tag)
    if not tag:
        raise InvalidOptionError("tag", tag, fix="type the tag to edit")
    if op not in ("add", "remove", "replace"):
        raise InvalidOptionError("tag operation", op, ["add", "remove", "replace"], "use one of the operations")
    new_tag = one_tag(new_tag)
    if op == "replace" and not new_tag:
        raise InvalidOptionError("new tag", new_tag, fix="type the tag that replaces the old one")
    counts = tag_counts(ui)
    tag = new_or_existing_tag(tag, counts) if op == "add" else existing_tag(tag, counts)
    new_tag = new_or_existing_tag(new_tag, counts) if op == "replace" else new_tag
    ids = scope_ids(ui, scope, filter_tag, query)
    before = ui.session.tags.all(ids)
    if op == "add":
        ui.session.tags.add(tag, ids)
    elif op == "remove":
        ui.session.tags.remove(tag, ids)
    else:
        ui.session.tags.replace(tag, new_tag, ids)
    changed = len(changed_ids(before, ui.session.tags.all(ids)))
    where = f"of all {len(before)} images" if ids is None else f"of the {len(before)} in scope"
    done = {"add": f"Added `{tag}` to", "remove": f"Removed `{tag}` from",
            "replace": f"Replaced `{tag}` by `{new_tag}` on"}[op]
    return f"{done} {changed} image(s) ({where})."


def clicked_tag(row_value: list[Any] | None, value: Any) -> str:
    """The tag of a clicked row of the frequency table (the row's first cell; the clicked cell when no row)."""
    return str(row_value[0]) if row_value else str(value or "")


def caption_preview(ui: UISession, item_id: str | None) -> str:
    """The image's caption as the .txt export writes it (trigger word, order, escapes, spaces)."""
    if not item_id:
        return ""
    return exported_caption(ui.session, item_id)


def confidence_text(tags: dict[str, float]) -> str:
    """The tagger's confidence of the tags it scored below 1 (site and hand tags have 1.0), lowest first."""
    scored = sorted((s, t) for t, s in tags.items() if isinstance(s, (int, float)) and s < 1.0)
    if not scored:
        return ""
    return "Tagger confidence (lowest first): " + " · ".join(f"`{t}` {s:.2f}" for s, t in scored)


def caption_values(tab: TagsTab, ui: UISession, item_id: str | None) -> Updates:
    """The selected image's caption as exported and its tags' confidence."""
    if not item_id:
        return {tab.caption: "", tab.confidence: ""}
    return {tab.caption: caption_preview(ui, item_id), tab.confidence: confidence_text(ui.session.tags.of(item_id))}


def image_tags_text(ui: UISession, item_id: str | None) -> str:
    if not item_id:
        return ""
    return tags_to_text(ui.session.tags.of(item_id), use_spaces=False, use_escape=False, include_score=False,
                        score_descend=False)  # the caption's order, as exported


@dataclass
class TagsTab:
    """The Tags tab's components; ``selected`` is the image whose tags ``image_tags`` shows."""

    note: gr.Markdown
    table: gr.Dataframe
    scope: gr.Radio
    filter_tag: gr.Dropdown
    any_of: gr.Dropdown
    none_of: gr.Dropdown
    untagged: gr.Checkbox
    filter_btn: gr.Button
    tag: gr.Dropdown
    new_tag: gr.Dropdown
    add_btn: gr.Button
    remove_btn: gr.Button
    replace_btn: gr.Button
    undo_btn: gr.Button
    trigger: gr.Textbox
    trigger_btn: gr.Button
    drop_chars: gr.Button
    gallery: gr.Gallery
    pager: Pager
    clear_btn: gr.Button
    selected: gr.State
    image_tags: gr.Textbox
    image_tag_pick: gr.Dropdown
    save_btn: gr.Button
    caption: gr.Code
    confidence: gr.Markdown
    suggest_marker: gr.HTML
    suggest_store: gr.State

    @property
    def filter_inputs(self) -> list[Block]:
        return [self.filter_tag, self.any_of, self.none_of, self.untagged]

    @property
    def tag_fields(self) -> list[gr.Dropdown]:
        """Every field that suggests the dataset's tags."""
        return [self.filter_tag, self.any_of, self.none_of, self.tag, self.new_tag, self.image_tag_pick]

    @property
    def suggest_outputs(self) -> list[Block]:
        """What :func:`suggest_values` fills: the fields' choices, the separator marker and the visitor's tags."""
        return [*self.tag_fields, self.suggest_marker, self.suggest_store]

    @property
    def view_outputs(self) -> list[Block]:
        """What :func:`view_values` fills: the note, the tag table and one page of the dataset."""
        return [self.note, self.table, self.gallery, self.pager.label, self.pager.number]


def suggest_values(tab: TagsTab, ui: UISession) -> Updates:
    """The dataset's tags with their counts, where every tag field finds its suggestions (after an edit, a run, on
    opening)."""
    return suggestion_values(tab.tag_fields, tab.suggest_marker, tab.suggest_store, ui.session.tags.table())


def append_tag(text: str | None, tag: str | None, counts: dict[str, int]) -> str:
    """One image's comma-separated tags with ``tag`` (in the dataset's spelling) at the end, unless already there."""
    tags = list(split_tags(text))
    tag = new_or_existing_tag(tag or "", counts)
    if tag and tag not in tags:
        tags.append(tag)
    return ", ".join(tags)


def view_values(tab: TagsTab, ui: UISession, text: str, page: Any = 1) -> Updates:
    chosen = set(ui.tag_selection)
    captions = {i: "✓ " + item_caption(ui.session, i) for i in chosen}
    ids = filtered_ids(ui)
    entries, ui.page_ids[GALLERY], number, label = gallery_page(ui.session, ids, page, captions=captions)
    if not ui.tag_filter.empty:
        label = f"{len(ids)} of {len(ui.session.dataset.ids())} match {ui.tag_filter.describe()} · {label}"
    return {tab.note: text, tab.table: tag_frame(ui), tab.gallery: entries, tab.pager.label: label,
            tab.pager.number: number}


def refresh_values(tab: TagsTab, ui: UISession | None) -> Updates:
    """The tab as it opens: the dataset's size, the selection and the run's state."""
    if ui is None:
        return {tab.note: "", tab.table: pd.DataFrame(columns=["tag", "images"]), tab.gallery: [],
                tab.pager.label: "", tab.pager.number: 1}
    note = run_state_note(ui.session)
    chosen = f" {selection_note(ui)}" if ui.tag_selection else ""
    text = f"{dataset_size_text(ui.session)}.{chosen}" + (f"\n\n{note}" if note else "")
    return {**view_values(tab, ui, text), **suggest_values(tab, ui)}


def build_tags_tab(binder: SessionBinder, state: gr.State) -> TagsTab:
    tab = _draw_tags_tab()
    wire_tag_fields(tab.tag_fields, tab.suggest_store, one_tag_fields=[tab.tag, tab.new_tag])
    _wire_tag_edits(binder, state, tab)
    _wire_image_selection(state, tab)
    return tab


def _draw_tags_tab() -> TagsTab:
    gr.Markdown("Tags of the final dataset. Edits are kept in the session and applied at export; the original "
                "tags stay untouched. Captions are written in the order shown for each image (the order you save).")
    note = gr.Markdown(elem_id="tags-note")
    with gr.Row():
        with gr.Column(scale=1):
            table = gr.Dataframe(headers=["tag", "images"], label="Tag frequencies · click one to edit it",
                                 interactive=False, max_height=420, elem_id="tag-table")
        with gr.Column(scale=2):
            with gr.Row():
                scope = gr.Radio(list(SCOPES), value=SCOPES[0], label="Apply edits to", scale=2,
                                 elem_id="tag-scope")
            suggest_marker, suggest_store = separator_marker(), tag_store()
            # buttons sit beside the fields, never under them: an open suggestion list covers what is below; rows
            # keep their own heights: a field growing with a second line of chosen tags must not move the buttons
            with gr.Row(equal_height=False):
                filter_tag = tag_field("All of", "filter-all", scale=2)
                any_of = tag_field("Any of", "filter-any", scale=2)
                none_of = tag_field("None of", "filter-none", scale=2)
                with gr.Column(scale=0, min_width=140):  # own column: inside the fields' form it was cut
                    untagged = gr.Checkbox(label="Untagged", elem_id="filter-untagged")
                    filter_btn = gr.Button("Filter the gallery", size="sm", min_width=130, elem_id="filter-apply")
            with gr.Row(equal_height=False):
                tag = tag_field("Tag", "tag-input", scale=2)
                new_tag = tag_field("Replace with", "tag-new", scale=2)
                with gr.Column(scale=0, min_width=220):
                    with gr.Row():
                        add_btn = gr.Button("Add", size="sm", min_width=60, elem_id="tag-add")
                        remove_btn = gr.Button("Remove", size="sm", min_width=60, elem_id="tag-remove")
                        replace_btn = gr.Button("Replace", size="sm", min_width=60, elem_id="tag-replace")
                    undo_btn = gr.Button("Undo last edit", size="sm", elem_id="tag-undo")
            with gr.Row(equal_height=True):
                trigger = gr.Textbox(label="Trigger word", placeholder="e.g. surtr_lora",
                                     info="written first in every caption at export", elem_id="trigger-word")
                trigger_btn = gr.Button("Set trigger word", size="sm", scale=0, min_width=150)
                drop_chars = gr.Button("Drop character tags", size="sm", scale=0, min_width=170,
                                       elem_id="drop-character-tags")
    gallery = gr.Gallery(label="Dataset images — click to select (✓) and to see and edit one image's tags",
                         columns=8, height=300, object_fit="contain", fit_columns=False, preview=False,
                         elem_id="tags-gallery")
    pager = make_pager("tags")
    clear_btn = gr.Button("Clear the selection", size="sm", elem_id="tags-clear-selection")
    selected = gr.State(None)
    with gr.Row(equal_height=True):
        image_tags = gr.Textbox(label="Tags of the selected image (comma separated)", lines=3, scale=4,
                                elem_id="image-tags")
        with gr.Column(scale=2, min_width=200):
            save_btn = gr.Button("Save tags", variant="primary", elem_id="save-image-tags")
            image_tag_pick = tag_field("Add a tag to the list", "image-tag-pick")
    # shown, not edited: a Code box keeps the exact text (escapes and all) without pretending to be an input
    caption = gr.Code(label="Its caption as exported (.txt: trigger word first, escapes as written)", language=None,
                      interactive=False, show_line_numbers=False, lines=2, elem_id="caption-preview")
    confidence = gr.Markdown(elem_id="tag-confidence")
    return TagsTab(note=note, table=table, scope=scope, filter_tag=filter_tag, any_of=any_of, none_of=none_of,
                   untagged=untagged, filter_btn=filter_btn, caption=caption, confidence=confidence, tag=tag,
                   new_tag=new_tag,
                   add_btn=add_btn, remove_btn=remove_btn, replace_btn=replace_btn, undo_btn=undo_btn,
                   trigger=trigger, trigger_btn=trigger_btn, drop_chars=drop_chars, gallery=gallery, pager=pager,
                   clear_btn=clear_btn, selected=selected, image_tags=image_tags, save_btn=save_btn,
                   image_tag_pick=image_tag_pick, suggest_marker=suggest_marker, suggest_store=suggest_store)


def _wire_tag_edits(binder: SessionBinder, state: gr.State, tab: TagsTab) -> None:
    """Batch edits, undo, the trigger word and dropping character tags."""
    def editor(op):
        @guarded
        def handler(ui, sc, ft, any_of, none_of, untagged, sel, t, nt, page):
            touch(binder, ui)
            query = TagQuery.parse(ft, any_of, none_of, untagged)
            try:
                if sc == SCOPES[1]:
                    query = known_query(query, tag_counts(ui))
                    ui.tag_filter = query  # the gallery shows the images the edit changed
                text = edit_tags(ui, op, sc, ft, t, nt, query)
            except UnknownTagError as err:  # an expected slip: said in the note, nothing changed
                return {**view_values(tab, ui, refusal_text(err), page), **unchanged}
            return {**view_values(tab, ui, text, page), tab.image_tags: image_tags_text(ui, sel),
                    **caption_values(tab, ui, sel), **suggest_values(tab, ui)}
        return handler

    @guarded
    def on_filter(ui, ft, any_of, none_of, untagged):
        try:
            query = known_query(TagQuery.parse(ft, any_of, none_of, untagged), tag_counts(ui))
        except UnknownTagError as err:  # the gallery keeps the last filter
            return {**view_values(tab, ui, refusal_text(err), 1), tab.scope: gr.skip()}
        ui.tag_filter = query
        shown = len(filtered_ids(ui))
        text = f"{shown} image(s) match {ui.tag_filter.describe()}." if not ui.tag_filter.empty else \
            "No filter: the gallery shows every image."
        return {**view_values(tab, ui, text, 1), tab.scope: SCOPES[1] if not ui.tag_filter.empty else SCOPES[0]}

    outputs = tab.view_outputs
    edited = [*tab.view_outputs, tab.image_tags, tab.caption, tab.confidence, *tab.suggest_outputs]
    unchanged = {block: gr.skip() for block in edited if block not in outputs}
    edit_inputs = [state, tab.scope, *tab.filter_inputs, tab.selected, tab.tag, tab.new_tag, tab.pager.number]
    tab.filter_btn.click(on_filter, [state, *tab.filter_inputs], [*outputs, tab.scope], concurrency_limit=None)
    for btn, op in ((tab.add_btn, "add"), (tab.remove_btn, "remove"), (tab.replace_btn, "replace")):
        btn.click(editor(op), edit_inputs, edited, concurrency_limit=None)

    @guarded
    def on_undo(ui, sel, page):
        done = ui.session.tags.undo()
        return {**view_values(tab, ui, "Undid the last edit." if done else "Nothing to undo.", page),
                tab.image_tags: image_tags_text(ui, sel), **caption_values(tab, ui, sel), **suggest_values(tab, ui)}

    @guarded
    def on_trigger(ui, word, sel, page):
        ui.session.tags.set_trigger_word(word or "")
        text = f"Trigger word: `{word.strip()}`." if (word or "").strip() else "No trigger word."
        return {**view_values(tab, ui, text, page), **caption_values(tab, ui, sel)}

    @guarded
    def on_drop_chars(ui, sel, page):
        removed = ui.session.tags.drop_character_tags()
        text = f"Dropped {len(removed)} character tag(s): {', '.join(removed[:20])}" if removed else \
            "No character tags in the dataset."
        return {**view_values(tab, ui, text, page), tab.image_tags: image_tags_text(ui, sel),
                **caption_values(tab, ui, sel), **suggest_values(tab, ui)}

    def on_table_select(evt: gr.SelectData):
        return [clicked_tag(getattr(evt, "row_value", None), evt.value)]  # the Tag field holds this one tag

    tab.table.select(on_table_select, None, [tab.tag], concurrency_limit=None, show_progress="hidden")
    tab.undo_btn.click(on_undo, [state, tab.selected, tab.pager.number], edited, concurrency_limit=None)
    trigger_io = ([state, tab.trigger, tab.selected, tab.pager.number], [*outputs, tab.caption, tab.confidence])
    tab.trigger_btn.click(on_trigger, *trigger_io, concurrency_limit=None)
    tab.trigger.submit(on_trigger, *trigger_io, concurrency_limit=None)
    tab.drop_chars.click(on_drop_chars, [state, tab.selected, tab.pager.number], edited, concurrency_limit=None)


def _wire_image_selection(state: gr.State, tab: TagsTab) -> None:
    """Clicking images selects them and shows one image's tags; Save writes them; the pager turns pages."""
    @guarded
    def on_select(ui, page, evt: gr.SelectData):
        item_id = ui.id_at(GALLERY, evt.index)
        if item_id is None:
            return {tab.selected: None, tab.image_tags: "", **view_values(tab, ui, selection_note(ui), page)}
        picked = toggle_selection(ui, item_id)
        text = f"{'Selected' if picked else 'Unselected'} {item_caption(ui.session, item_id)}; " + selection_note(ui)
        return {tab.selected: item_id, tab.image_tags: image_tags_text(ui, item_id),
                **caption_values(tab, ui, item_id), **view_values(tab, ui, text, page)}

    @guarded
    def on_clear(ui, page):
        """Unselect every image, and forget the image whose tags were shown (Save would still write to it)."""
        ui.tag_selection.clear()
        return {**view_values(tab, ui, selection_note(ui), page), tab.selected: None, tab.image_tags: "",
                **caption_values(tab, ui, None)}

    @guarded
    def on_save(ui, sel, text, page):
        if not sel:
            raise InvalidOptionError("selected image", None, fix="click an image in the gallery first")
        ui.session.tags.set_item(sel, text or "")
        return {**view_values(tab, ui, f"Saved the tags of {item_caption(ui.session, sel)}.", page),
                tab.image_tags: image_tags_text(ui, sel), **caption_values(tab, ui, sel), **suggest_values(tab, ui)}

    @guarded
    def on_pick(ui, text, picked):
        """Suggestions picked (or tags typed) under one image's tags: appended to the list, saved by Save; the
        picker empties."""
        tags = [t for t in (picked if isinstance(picked, (list, tuple)) else [picked]) if str(t or "").strip()]
        if not tags:
            return {tab.image_tags: gr.skip(), tab.image_tag_pick: gr.skip()}
        counts = tag_counts(ui)
        for tag in tags:
            text = append_tag(text, str(tag), counts)
        return {tab.image_tags: text, tab.image_tag_pick: []}

    @guarded
    def on_page(ui, text, page):
        return view_values(tab, ui, text, page)

    outputs, page = tab.view_outputs, tab.pager.number
    shown = [tab.image_tags, tab.caption, tab.confidence]  # the clicked image's tags, caption and confidence
    tab.gallery.select(on_select, [state, page], [tab.selected, *shown, *outputs], concurrency_limit=None)
    tab.clear_btn.click(on_clear, [state, page], [*outputs, tab.selected, *shown], concurrency_limit=None)
    tab.save_btn.click(on_save, [state, tab.selected, tab.image_tags, page], [*outputs, *shown, *tab.suggest_outputs],
                       concurrency_limit=None)
    # change, not input: a typed tag that becomes a token on Enter or on leaving the field sends no input event
    tab.image_tag_pick.change(on_pick, [state, tab.image_tags, tab.image_tag_pick],
                              [tab.image_tags, tab.image_tag_pick], concurrency_limit=None, show_progress="hidden")
    tab.pager.wire(on_page, [state, tab.note], outputs)


def wire_tags_tab_select(selected: gr.Tab, state: gr.State, tab: TagsTab) -> None:
    """Opening the tab shows the dataset; images selected (here or by the Export tab's checks) become the scope."""
    def refresh(ui):
        return refresh_values(tab, ui)

    def scope_on_open(ui):
        """Images selected (here or by the Export tab's checks): edits apply to them until the user says otherwise."""
        return gr.Radio(value=SCOPES[2]) if ui is not None and ui.tag_selection else gr.skip()

    selected.select(refresh, [state], [*tab.view_outputs, *tab.suggest_outputs], concurrency_limit=None)
    selected.select(scope_on_open, [state], [tab.scope], concurrency_limit=None, show_progress="hidden")
