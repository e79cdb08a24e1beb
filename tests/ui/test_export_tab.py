"""Export tab: the zip (captions, trigger word, JSON sidecars, kohya folder), nothing deleted, an empty dataset
refused, and a zip built before a change not offered as the current one."""

import os
import zipfile

import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.ui.export_tab import dataset_key, dataset_line, export_dataset, export_text, zip_is_current
from waifuc_ui.ui.pipeline_tab import apply_preset
from waifuc_ui.ui.run_tab import run_pipeline


@pytest.fixture
def ran(ui):
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    return ui


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


def built(ui):
    export_dataset(ui, "textual_inversion", "dataset")
    ui.export_key = dataset_key(ui)


def test_zip_stays_current_until_the_dataset_changes(ui):
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    assert zip_is_current(ui) is False  # nothing built yet
    built(ui)
    assert zip_is_current(ui) is True
    run_pipeline(ui)  # an unchanged re-run gives a new result object: rebuild to be safe
    assert zip_is_current(ui) is False
    built(ui)
    ui.session.tags.add("smile")
    assert zip_is_current(ui) is False
    ui.session.tags.undo()
    assert zip_is_current(ui) is True  # the same captions again
    ui.session.tags.set_trigger_word("mychar")
    assert zip_is_current(ui) is False
    built(ui)
    size_uid = ui.session.pipeline.recipe.steps[1].uid
    ui.session.pipeline.update_step(size_uid, params={"min_size": 20})  # the run is out of date
    assert zip_is_current(ui) is False


def test_opening_the_tab_hides_the_download_of_an_old_zip(ui, page, handler):
    import gradio as gr

    tab, refresh = page.export, handler("export_tab", "refresh").fn
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    built(ui)
    out = refresh(ui)
    assert out[tab.info].startswith("The dataset holds **6 images**")
    assert out[tab.summary] == out[tab.download] == gr.skip()  # the summary and the zip's button stay as they are
    ui.session.tags.add("smile")
    out = refresh(ui)
    assert out[tab.summary] == "The dataset changed since the last zip: press *Build the zip* again."
    assert out[tab.download].visible is False
