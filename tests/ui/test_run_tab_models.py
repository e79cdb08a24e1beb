"""The Run tab and missing models: before the first run it says which steps download models first and which will
be skipped; the per-step plot tells a step skipped for missing models from one that kept everything."""

from waifuc_ui.pipeline.catalog import ModelStatus
from waifuc_ui.ui.pipeline_edits import add_step, apply_preset
from waifuc_ui.ui.run_tab import pending_models_note, plot_frame, run_pipeline
from waifuc_ui.ui.views import SKIPPED_KIND

FEAT = "deepghs/ccip_onnx/c/model_feat.onnx"


def test_counts_steps_to_download_and_to_skip():
    statuses = {
        "a": ModelStatus(True, False, "fix", (FEAT,), (FEAT,)),                       # skipped
        "b": ModelStatus(True, False, "fix", (FEAT,), (FEAT,)),                       # skipped
        "c": ModelStatus(True, False, "", (FEAT,), (FEAT,), download=True, download_bytes=10),
        "d": ModelStatus(True, True, "", (FEAT,)),                                   # ready
    }
    note = pending_models_note(statuses)
    assert "1 step(s) download their model files first" in note
    assert "2 step(s) will be skipped" in note


def test_nothing_to_say_when_every_model_is_here():
    assert pending_models_note({"d": ModelStatus(True, True, "", (FEAT,))}) == ""
    assert pending_models_note({}) == ""


def test_a_run_stopped_while_downloading_says_no_step_ran_in_one_clean_sentence(ui):
    from waifuc_ui.session.runner import RunResult
    from waifuc_ui.ui.run_tab import run_summary

    ids = list(ui.session.inputs.ids)
    result = RunResult(ids, {}, status="cancelled", message="stopped while downloading the models")
    assert run_summary(ui, result) == (f"**Run stopped**: {len(ids)} images in; no step ran. "
                                       "Stopped while downloading the models. Press Run to continue.")


def test_a_run_without_models_plots_the_model_step_as_skipped(ui):  # the test Hub cache is empty
    apply_preset(ui, "model-free clean-up")
    add_step(ui, "CCIPAction")
    run_pipeline(ui)
    frame = plot_frame(ui)
    kinds = dict(zip(frame[frame.kind != "dropped"]["step"], frame[frame.kind != "dropped"]["kind"]))
    assert kinds == {"01 ModeConvertAction": "kept", "02 MinSizeFilterAction": "kept", "03 HashDedupAction": "kept",
                     "04 AlignMinSizeAction": "kept", "05 CCIPAction": SKIPPED_KIND}
