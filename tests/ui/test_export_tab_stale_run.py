"""The app says when the dataset shown is not the current pipeline's result, and an export brings it up to date."""

import zipfile

from waifuc_ui.ui.export_tab import dataset_line, export_dataset, export_text, rerun_if_stale
from waifuc_ui.ui.pipeline_tab import apply_preset
from waifuc_ui.ui.run_tab import run_pipeline
from waifuc_ui.ui.views import run_state_note


def size_step(ui):
    return next(s.uid for s in ui.session.pipeline.recipe.steps if s.action == "MinSizeFilterAction")


def test_never_run_says_the_dataset_is_every_loaded_image(ui):
    note = run_state_note(ui.session)
    assert note.startswith("*The pipeline has not run on these images yet: the dataset is every loaded image, "
                           "unfiltered.")
    assert dataset_line(ui) == f"The dataset holds **8 images**; no trigger word set (Tags tab).\n\n{note}"
    assert rerun_if_stale(ui) is False and ui.session.runs.last is None


def test_fresh_run_has_no_warning_and_a_change_makes_it_out_of_date(ui):
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    assert run_state_note(ui.session) == ""
    assert dataset_line(ui) == "The dataset holds **6 images**; no trigger word set (Tags tab)."
    ui.session.pipeline.update_step(size_step(ui), params={"min_size": 20})
    note = run_state_note(ui.session)
    assert note.startswith("⚠ **Out of date**: the images, the pipeline or a review choice changed")
    assert dataset_line(ui).endswith(note + " *Build the zip* re-runs it first.")


def test_export_after_a_change_reruns_first_and_exports_the_current_result(ui):
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    ui.session.pipeline.update_step(size_step(ui), params={"min_size": 20})  # tiny.png (40x30) passes now
    assert len(ui.session.dataset.ids()) == 6  # still the old run
    reports = []
    assert rerun_if_stale(ui, lambda frac, text: reports.append(text)) is True
    assert reports and reports[-1].startswith("Step 4/4 · AlignMinSizeAction")
    assert run_state_note(ui.session) == ""
    summary = export_dataset(ui, "textual_inversion", "dataset")
    with zipfile.ZipFile(summary.path) as zf:
        images = sorted(n for n in zf.namelist() if n.endswith(".png"))
    assert "tiny.png" in images and len(images) == summary.images == 7
    assert export_text(summary, reran=True).startswith("The pipeline was re-run first (something changed since "
                                                       "the last run). **dataset.zip**: 7 images")
    assert rerun_if_stale(ui) is False


def test_images_added_after_a_run_are_not_called_filtered(ui, upload_zip):
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    ui.session.inputs.add_uploads([str(upload_zip)])  # the session discards the run: its result no longer applies
    assert run_state_note(ui.session).startswith("*The pipeline has not run on these images yet: the dataset is "
                                                 "every loaded image, unfiltered.")
    assert dataset_line(ui).startswith("The dataset holds **10 images**")
