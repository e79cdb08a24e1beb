import os
import zipfile

import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.ui.export_tab import dataset_line, export_dataset, export_text
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
    assert edit_tags(ui, "add", SCOPES[0], "", "smile") == "Added `smile` to all images."
    assert counts(ui)["smile"] == 6
    assert edit_tags(ui, "remove", SCOPES[1], "hatsune_miku", "smile") == "Removed `smile` from 2 image(s)."
    assert counts(ui)["smile"] == 4
    assert edit_tags(ui, "replace", SCOPES[0], "", "1girl", "girl") == "Replaced `1girl` by `girl` on all images."
    assert "1girl" not in counts(ui) and counts(ui)["girl"] == 6
    first, second, third = ui.session.dataset.ids()[:3]
    assert toggle_selection(ui, first) and toggle_selection(ui, second) and toggle_selection(ui, third)
    assert toggle_selection(ui, third) is False
    assert selection_note(ui) == "2 images selected (click images to select or unselect them)."
    assert edit_tags(ui, "add", SCOPES[2], "", "looking_at_viewer") == "Added `looking_at_viewer` to 2 image(s)."
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
    with pytest.raises(InvalidOptionError, match="type a tag in 'Filter tag'"):
        scope_ids(ran, SCOPES[1], "")
    with pytest.raises(InvalidOptionError, match="type the tag that replaces"):
        edit_tags(ran, "replace", SCOPES[0], "", "solo", "")


def test_one_image_tags_edit(ran):
    ui = ran
    item = ui.session.dataset.ids()[0]
    ui.session.tags.set_item(item, "solo, blue_hair, sitting")
    assert image_tags_text(ui, item) == "solo, blue_hair, sitting"  # the user's order is kept
    assert image_tags_text(ui, None) == ""


def test_export_zip_with_trigger_word_and_nothing_deleted(ran):
    ui = ran
    ui.session.tags.set_trigger_word("mychar")
    ui.session.tags.add("smile")
    assert dataset_line(ui) == "The dataset holds **6 images**; trigger word `mychar`."
    before = list(ui.session.dataset.ids())
    summary = export_dataset(ui, "textual_inversion", "my set")
    assert summary.images == 6
    assert ui.session.workspace.contains(summary.path)
    with zipfile.ZipFile(summary.path) as zf:
        names = zf.namelist()
        texts = [zf.read(n).decode() for n in names if n.endswith(".txt")]
    assert len([n for n in names if n.endswith(".png")]) == 6 and len(texts) == 6
    assert all(t.startswith("mychar, ") and "smile" in t for t in texts)
    text = export_text(summary)
    assert text.startswith("**my_set.zip**: 6 images (image + .txt caption), ")
    assert "Nothing in the session was deleted" in text
    assert ui.session.dataset.ids() == before
    assert all(os.path.exists(ui.session.record(i).file) for i in before)


def test_export_json_sidecars(ran):
    summary = export_dataset(ran, "save", "")
    with zipfile.ZipFile(summary.path) as zf:
        names = zf.namelist()
    assert summary.path.endswith("dataset.zip")
    assert len([n for n in names if n.endswith("_meta.json")]) == 6


def test_export_of_an_empty_dataset_says_what_to_do(ran):
    for item_id in list(ran.session.dataset.ids()):
        ran.session.pipeline.drop_by_hand(ran.session.pipeline.recipe.steps[-1].uid, item_id)
    run_pipeline(ran)
    assert ran.session.dataset.ids() == []
    with pytest.raises(InvalidOptionError, match="the last run kept no image"):
        export_dataset(ran, "textual_inversion", "x")


def test_export_into_a_kohya_folder(ran):
    summary = export_dataset(ran, "textual_inversion", "k", kohya_folder="mychar")
    with zipfile.ZipFile(summary.path) as zf:
        folders = {name.split("/")[0] for name in zf.namelist()}
    assert folders == {f"{summary.suggested_repeats}_mychar"}
