"""A zip built before a change is not offered for download as if it were the current dataset."""

from waifuc_ui.ui.export_tab import dataset_key, export_dataset, zip_is_current
from waifuc_ui.ui.pipeline_tab import apply_preset
from waifuc_ui.ui.run_tab import run_pipeline


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


def test_opening_the_tab_hides_the_download_of_an_old_zip(ui, binder):
    from waifuc_ui.ui import build_app

    demo = build_app(binder.settings, binder)
    refresh = next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == "refresh"
                   and "export" in f.fn.__qualname__)
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    built(ui)
    line, summary, download, *_checks = refresh(ui)
    assert line.startswith("The dataset holds **6 images**")
    assert not isinstance(summary, str)  # left as it is (gr.skip)
    ui.session.tags.add("smile")
    line, summary, download, *_checks = refresh(ui)
    assert summary == "The dataset changed since the last zip: press *Build the zip* again."
    assert download.visible is False
