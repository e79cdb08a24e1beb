"""The Run tab, before the first run, says which steps download models first and which will be skipped."""

from waifuc_ui.pipeline.catalog import ModelStatus
from waifuc_ui.ui.run_tab import pending_models_note

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
