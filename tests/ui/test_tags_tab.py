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
