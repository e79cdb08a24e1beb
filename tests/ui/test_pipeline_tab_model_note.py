"""The note under a pipeline step: one line per step, each file named once with where it stands."""

from waifuc_ui.pipeline.catalog import ModelStatus
from waifuc_ui.ui.pipeline_model_notes import step_model_note

FEAT = "deepghs/ccip_onnx/c/model_feat.onnx"
METRICS = "deepghs/ccip_onnx/c/metrics.json"


def test_a_skipped_step_says_model_missing_once_and_names_each_file_once():
    st = ModelStatus(True, False, "fix", (FEAT, METRICS), (FEAT,))
    note = step_model_note(st)
    assert note.count("Model missing") == 1
    assert note.count(FEAT) == 1 and note.count(METRICS) == 1
    assert f"`{FEAT}` (missing)" in note and f"`{METRICS}` (on this machine)" in note
    assert "will be skipped" in note


def test_a_skipped_step_without_a_missing_list_never_says_on_this_machine():
    st = ModelStatus(True, False, "fix", (FEAT, METRICS))
    note = step_model_note(st)
    assert "on this machine" not in note and FEAT in note and "(+1 more)" in note


def test_a_ready_step_lists_its_files_without_model_missing():
    st = ModelStatus(True, True, "", (FEAT,))
    assert step_model_note(st) == f"Model files: `{FEAT}` (on this machine)"
    st = ModelStatus(True, False, "", (FEAT,), (FEAT,), download=True, download_bytes=2_000_000,
                     missing_sizes=(2_000_000,))
    note = step_model_note(st)
    assert "Model missing" not in note and "downloads on the first run" in note


def test_a_model_free_step_has_no_note():
    assert step_model_note(ModelStatus(False, True)) == ""
    assert step_model_note(None) == ""
