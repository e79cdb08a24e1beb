"""Tags tab: the frequency table, batch edits on each scope, one image's tags, the selection, and errors that say
what to do."""

import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.ui.pipeline_tab import apply_preset
from waifuc_ui.ui.run_tab import run_pipeline
from waifuc_ui.ui.tags_tab import (
    SCOPES,
    edit_tags,
    image_tags_text,
    scope_ids,
    selection_note,
    tag_frame,
    toggle_selection,
)


@pytest.fixture
def ran(ui):
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    return ui


def counts(ui):
    return dict(tag_frame(ui).values.tolist())


def test_frequency_table(ran):
    assert counts(ran) == {"1girl": 6, "solo": 6, "hatsune_miku": 2, "blue_hair": 1, "cyan_hair": 1,
                           "green_hair": 1, "purple_hair": 1, "red_hair": 1, "yellow_hair": 1}
    assert tag_frame(ran).columns.tolist() == ["tag", "images"]


def test_add_remove_replace_on_scopes(ran):
    ui = ran
    assert edit_tags(ui, "add", SCOPES[0], "", "smile") == "Added `smile` to 6 image(s) (of all 6 images)."
    assert counts(ui)["smile"] == 6
    assert edit_tags(ui, "remove", SCOPES[1], "hatsune_miku", "smile") == \
        "Removed `smile` from 2 image(s) (of the 2 in scope)."
    assert counts(ui)["smile"] == 4
    assert edit_tags(ui, "replace", SCOPES[0], "", "1girl", "girl") == \
        "Replaced `1girl` by `girl` on 6 image(s) (of all 6 images)."
    assert "1girl" not in counts(ui) and counts(ui)["girl"] == 6
    first, second, third = ui.session.dataset.ids()[:3]
    assert toggle_selection(ui, first) and toggle_selection(ui, second) and toggle_selection(ui, third)
    assert toggle_selection(ui, third) is False
    assert selection_note(ui) == "2 images selected (click images to select or unselect them)."
    assert edit_tags(ui, "add", SCOPES[2], "", "looking_at_viewer") == \
        "Added `looking_at_viewer` to 2 image(s) (of the 2 in scope)."
    assert counts(ui)["looking_at_viewer"] == 2
    assert "looking_at_viewer" in image_tags_text(ui, first)
    assert "looking_at_viewer" not in image_tags_text(ui, third)
    assert ui.session.tags.undo() is True
    assert "looking_at_viewer" not in counts(ui)


def test_edit_errors_say_what_to_do(ran):
    with pytest.raises(InvalidOptionError, match="type the tag to edit"):
        edit_tags(ran, "add", SCOPES[0], "", " ")
    with pytest.raises(InvalidOptionError, match="click images in the gallery to select them"):
        scope_ids(ran, SCOPES[2], "")
    with pytest.raises(InvalidOptionError, match="type a tag in 'All of', 'Any of' or 'None of'"):
        scope_ids(ran, SCOPES[1], "")
    with pytest.raises(InvalidOptionError, match="type the tag that replaces"):
        edit_tags(ran, "replace", SCOPES[0], "", "solo", "")


def test_one_image_tags_edit(ran):
    ui = ran
    item = ui.session.dataset.ids()[0]
    ui.session.tags.set_item(item, "solo, blue_hair, sitting")
    assert image_tags_text(ui, item) == "solo, blue_hair, sitting"  # the user's order is kept
    assert image_tags_text(ui, None) == ""


def test_clearing_the_tag_selection_forgets_the_shown_image(ui, page, handler):
    from waifuc_ui.ui.tags_tab import toggle_selection

    first = ui.session.dataset.ids()[0]
    toggle_selection(ui, first)
    tab = page.tags
    out = handler("tags_tab", "on_clear").fn(ui, 1)
    assert out[tab.note] == "0 images selected (click images to select or unselect them)."
    assert out[tab.selected] is None and out[tab.image_tags] == ""  # Save has no image to write to any more
    assert ui.tag_selection == []


def test_clicking_a_row_of_the_tag_table_picks_its_tag():
    from waifuc_ui.ui.tags_tab import clicked_tag

    assert clicked_tag(["hatsune_miku", 2], 2) == "hatsune_miku"  # a click on the count still picks the tag
    assert clicked_tag(None, "smile") == "smile"
    assert clicked_tag([], None) == ""


def test_replace_on_the_filtered_images_reports_the_images_changed(ran):
    """Issue 15: Replace on the images of a filter said "on 10 image(s)" when one had the tag."""
    from waifuc_ui.session.tag_query import TagQuery

    ui = ran
    red = [i for i, t in ui.session.tags.all().items() if "red_hair" in t]
    query = TagQuery.parse(all_of="1girl", none_of="blue_hair")
    assert len(red) == 1
    text = edit_tags(ui, "replace", SCOPES[1], "", "red_hair", "crimson_hair", query)
    assert text == "Replaced `red_hair` by `crimson_hair` on 1 image(s) (of the 5 in scope)."
    assert counts(ui)["crimson_hair"] == 1 and "red_hair" not in counts(ui)
    assert edit_tags(ui, "add", SCOPES[1], "", "smile", query=TagQuery.parse(any_of="hatsune_miku")) == \
        "Added `smile` to 2 image(s) (of the 2 in scope)."
    assert edit_tags(ui, "add", SCOPES[0], "", "smile") == "Added `smile` to 4 image(s) (of all 6 images)."
    assert edit_tags(ui, "remove", SCOPES[1], "", "smile", query=TagQuery.parse(untagged=True)) == \
        "Removed `smile` from 0 image(s) (of the 0 in scope)."


def test_caption_preview_equals_the_exported_txt(ran, tmp_path):
    import zipfile

    from waifuc_ui.ui.tags_tab import caption_preview

    ui = ran
    ui.session.tags.set_trigger_word("my_char")
    item = ui.session.dataset.ids()[0]
    ui.session.tags.set_item(item, "solo, smile (happy), 1girl, my_char")
    preview = caption_preview(ui, item)
    assert preview == "my_char, solo, smile \\(happy\\), 1girl"  # trigger first once, order kept, escapes
    summary = ui.session.export.zip(layout="textual_inversion", name="check")
    with zipfile.ZipFile(summary.path) as zf:
        texts = {n: zf.read(n).decode() for n in zf.namelist() if n.endswith(".txt")}
    assert preview in texts.values()
    assert sorted(texts.values()) == sorted(caption_preview(ui, i) for i in ui.session.dataset.ids())


def test_confidence_lists_the_tagger_scores_below_one_lowest_first():
    from waifuc_ui.ui.tags_tab import confidence_text

    assert confidence_text({"1girl": 1.0, "smile": 0.71, "long_hair": 0.4}) == \
        "Tagger confidence (lowest first): `long_hair` 0.40 · `smile` 0.71"
    assert confidence_text({"solo": 1.0}) == ""


# -- suggestions from the dataset's own tags ---------------------------------------------------------------------------
EXPECTED = [("1girl · 6", "1girl"), ("solo · 6", "solo"), ("hatsune_miku · 2", "hatsune_miku"),
            ("blue_hair · 1", "blue_hair"), ("cyan_hair · 1", "cyan_hair"), ("green_hair · 1", "green_hair"),
            ("purple_hair · 1", "purple_hair"), ("red_hair · 1", "red_hair"), ("yellow_hair · 1", "yellow_hair")]


def edit_handler(page, op):
    """The Add, Remove or Replace button's handler (registered in that order)."""
    fns = [f.fn for f in page.demo.fns.values() if getattr(f.fn, "__name__", "") == "handler"
           and getattr(f.fn, "__module__", "") == "waifuc_ui.ui.tags_tab"]
    return fns[("add", "remove", "replace").index(op)]


def choices_of(out, tab, typed=""):
    """What a tag field suggests for ``typed`` after the handler that returned ``out``: each field's choices are
    emptied (nothing big is sent) and the visitor's tag index answers the field's key_up."""
    from waifuc_ui.ui.tag_picker import suggest_top, suggest_typed

    assert [out[field].choices for field in tab.tag_fields] == [[]] * 6
    index = out[tab.suggest_store]
    typed_answer = suggest_typed(index, None, typed)
    if not typed:
        assert suggest_top(index, None).choices == typed_answer.choices
    return typed_answer.choices


def test_every_tag_field_suggests_the_dataset_tags_with_counts_most_frequent_first(ran, page):
    from waifuc_ui.ui.tags_tab import refresh_values

    out = refresh_values(page.tags, ran)
    assert choices_of(out, page.tags) == EXPECTED
    assert choices_of(out, page.tags, "hair") == EXPECTED[3:]  # anywhere in the tag
    assert choices_of(out, page.tags, "miku") == [("hatsune_miku · 2", "hatsune_miku")]
    assert choices_of(out, page.tags, "hatsune miku") == [("hatsune_miku · 2", "hatsune_miku")]
    assert 'data-sep="underscore"' in out[page.tags.suggest_marker]  # typed spaces become underscores


def test_every_tag_field_asks_for_its_suggestions_per_key_on_focus_and_after_a_pick(page):
    """Each of the six fields: key_up, focus and change answered by the tag index, off the queue, the field's
    value given (its chosen tags are left out); key_up also gets the text in the field's box, read by a script
    when the call leaves the page."""
    tab = page.tags
    for field in tab.tag_fields:
        key_up = [f for f in page.demo.fns.values() if (field._id, "key_up") in f.targets]
        box = f'document.querySelector("#{field.elem_id} input")'
        script = f"(index, value, typed) => [index, value, {box}?.value ?? '']"
        assert len(key_up) == 1 and key_up[0].js == script
        assert key_up[0].inputs[:2] == [tab.suggest_store, field] and key_up[0].inputs[2].visible is False
        wired = {(f.fn.__name__, trigger) for f in page.demo.fns.values() for (target, trigger) in f.targets
                 if target == field._id and f.outputs == [field]}
        on_change = "keep_one" if field in (tab.tag, tab.new_tag) else "suggest_top"  # the fields of one tag
        assert wired == {("suggest_typed", "key_up"), ("suggest_top", "focus"), (on_change, "change")}
        for f in page.demo.fns.values():
            if f.outputs == [field] and f.fn.__name__ in ("suggest_typed", "suggest_top", "keep_one"):
                assert f.inputs[:2] == [tab.suggest_store, field] and f.queue is False and f.show_progress == "hidden"


def test_suggestion_counts_follow_add_remove_replace_and_undo(ran, page, handler):
    tab, ui = page.tags, ran
    args = (SCOPES[0], [], [], [], False, None)
    out = edit_handler(page, "add")(ui, *args, "smile", "", 1)
    assert out[tab.note] == "Added `smile` to 6 image(s) (of all 6 images)."
    assert choices_of(out, tab)[:3] == [("1girl · 6", "1girl"), ("smile · 6", "smile"), ("solo · 6", "solo")]
    out = edit_handler(page, "remove")(ui, SCOPES[1], ["hatsune miku"], [], [], False, None, "smile", "", 1)
    assert out[tab.note] == "Removed `smile` from 2 image(s) (of the 2 in scope)."
    assert choices_of(out, tab, "smi") == [("smile · 4", "smile")]
    out = edit_handler(page, "replace")(ui, *args, "hatsune_miku", "miku", 1)
    assert choices_of(out, tab)[2:4] == [("smile · 4", "smile"), ("miku · 2", "miku")]
    assert choices_of(out, tab, "miku") == [("miku · 2", "miku")]  # hatsune_miku is gone
    out = handler("tags_tab", "on_undo").fn(ui, None, 1)
    assert choices_of(out, tab, "miku") == [("hatsune_miku · 2", "hatsune_miku")]
    out = handler("tags_tab", "on_save").fn(ui, ui.session.dataset.ids()[0], "solo, sitting", 1)
    assert choices_of(out, tab, "sitt") == [("sitting · 1", "sitting")]


def test_counts_follow_a_rerun(ran, page, tmp_path):
    import json

    import numpy as np
    from PIL import Image

    from waifuc_ui.ui.tags_tab import refresh_values

    more = tmp_path / "more"
    more.mkdir()
    noise = np.random.default_rng(5).integers(0, 255, (300, 320, 3), dtype=np.uint8)  # like no other image
    Image.fromarray(noise).save(more / "grey.png")
    (more / ".grey_meta.json").write_text(json.dumps({"tags": {"1girl": 1.0, "grey_hair": 1.0}}))
    ran.session.inputs.add_folder(str(more))
    run_pipeline(ran)
    choices = choices_of(refresh_values(page.tags, ran), page.tags)
    assert choices[:2] == [("1girl · 7", "1girl"), ("solo · 6", "solo")]
    assert ("grey_hair · 1", "grey_hair") in choices


def test_a_filter_or_removal_on_a_tag_no_image_has_is_refused_in_the_note(ran, page, handler):
    tab, ui = page.tags, ran
    on_filter = handler("tags_tab", "on_filter").fn
    out = on_filter(ui, ["hatsune miku"], [], [], False)  # spaces or underscores alike
    assert out[tab.note] == "2 image(s) match all of hatsune_miku."
    out = on_filter(ui, ["long"], [], ["1boy"], False)
    assert out[tab.note] == ("No image has any of the tags `long`, `1boy`; pick a tag from the suggestions (each "
                             "shows how many images have it).")
    assert ui.tag_filter.all_of == ("hatsune_miku",)  # the last filter stays
    assert out[tab.pager.label].startswith("2 of 6 match all of hatsune_miku")
    ops = len(ui.session.tags.edits.ops)
    out = edit_handler(page, "remove")(ui, SCOPES[0], [], [], [], False, None, "smiling", "", 1)
    assert out[tab.note].startswith("No image has tag `smiling`; pick a tag from the suggestions")
    out = edit_handler(page, "add")(ui, SCOPES[1], [], ["long"], [], False, None, "smile", "", 1)
    assert out[tab.note].startswith("No image has tag `long`;")
    assert len(ui.session.tags.edits.ops) == ops  # nothing was edited
    with pytest.raises(InvalidOptionError, match="type a tag in 'All of'"):
        edit_handler(page, "add").__wrapped__(ui, SCOPES[1], [], [], [], False, None, "smile", "", 1)


def test_add_and_replace_take_new_tags_and_join_the_dataset_spelling(ran):
    assert edit_tags(ran, "add", SCOPES[0], [], "hatsune miku") == \
        "Added `hatsune_miku` to 4 image(s) (of all 6 images)."
    assert edit_tags(ran, "replace", SCOPES[0], [], "red hair", "crimson hair") == \
        "Replaced `red_hair` by `crimson hair` on 1 image(s) (of all 6 images)."
    assert counts(ran)["hatsune_miku"] == 6 and counts(ran)["crimson hair"] == 1


def test_a_picked_suggestion_is_appended_to_one_image_tags(ran, page, handler):
    tab = page.tags
    on_pick = handler("tags_tab", "on_pick").fn
    assert on_pick(ran, "solo, 1girl", "hatsune miku")[tab.image_tags] == "solo, 1girl, hatsune_miku"
    assert on_pick(ran, "solo, 1girl", "solo")[tab.image_tags] == "solo, 1girl"  # already there
    out = on_pick(ran, "", ["sitting"])
    assert out[tab.image_tags] == "sitting" and out[tab.image_tag_pick] == []  # the picker empties
    out = on_pick(ran, "solo", ["long hair", "hatsune miku", "solo"])  # several picked before the answer came
    assert out[tab.image_tags] == "solo, long hair, hatsune_miku"


def test_a_field_holds_the_best_matches_only_and_never_its_chosen_tags():
    """3,000 tags: at most MAX_SHOWN choices per answer, most frequent first; a field's own tags are left out (a
    chosen tag among the choices would show as its label, ``short_hair · 3``)."""
    from waifuc_ui.session.tag_suggest import TagIndex
    from waifuc_ui.ui.tag_picker import MAX_SHOWN, field_choices, suggest_top, suggest_typed

    index = TagIndex.of((f"tag_{k:04d}", 5000 - k) for k in range(3000))
    top = suggest_top(index, None).choices
    assert len(top) == MAX_SHOWN == 40 and top[0] == ("tag_0000 · 5000", "tag_0000")
    assert top[-1] == ("tag_0039 · 4961", "tag_0039")
    assert suggest_top(index, ["tag_0000", "tag_0002"]).choices[:2] == [("tag_0001 · 4999", "tag_0001"),
                                                                       ("tag_0003 · 4997", "tag_0003")]
    assert suggest_top(index, "tag_0001").choices[:2] == [("tag_0000 · 5000", "tag_0000"),
                                                          ("tag_0002 · 4998", "tag_0002")]
    assert suggest_typed(index, [], "tag_2999").choices == [("tag_2999 · 2001", "tag_2999")]
    assert len(suggest_typed(index, ["tag_0000"], "tag_1").choices) == 40
    assert suggest_typed(index, ["tag_0000"], "tag_000").choices[0] == ("tag_0001 · 4999", "tag_0001")
    assert field_choices(None, "tag", None) == []  # the tab not opened yet: nothing to suggest



def test_the_tag_and_replace_with_fields_hold_one_tag_the_last_picked(ran, page):
    """Every tag field is a multiselect (gradio's single dropdown breaks when its open list gets new choices):
    in Tag and Replace with, a newer tag replaces the older one, and the handlers read the last one."""
    from waifuc_ui.session.tag_suggest import TagIndex
    from waifuc_ui.ui.tag_picker import keep_one, one_tag, suggest_top

    assert [one_tag(v) for v in (["solo", "smile "], [], None, " smile ", ["", "solo"])] == \
        ["smile", "", "", "smile", "solo"]
    index = TagIndex.of(ran.session.tags.table())
    out = keep_one(index, ["solo", "hatsune_miku"])
    assert out.value == ["hatsune_miku"]
    assert out.choices[:3] == [("1girl · 6", "1girl"), ("solo · 6", "solo"), ("blue_hair · 1", "blue_hair")]
    same = keep_one(index, ["solo"])
    assert "value" not in same.constructor_args and same.choices == suggest_top(index, ["solo"]).choices
    assert ("solo · 6", "solo") not in same.choices
    assert all(f.multiselect for f in page.tags.tag_fields)
    replace = edit_handler(page, "replace")
    out = replace(ran, SCOPES[0], [], [], [], False, None, ["1girl", "solo"], ["girl", "alone"], 1)
    assert out[page.tags.note] == "Replaced `solo` by `alone` on 6 image(s) (of all 6 images)."
