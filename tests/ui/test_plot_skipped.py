"""The per-step plot tells a step skipped for missing models from one that kept everything."""

from waifuc_ui.ui.pipeline_tab import add_step, apply_preset
from waifuc_ui.ui.run_tab import plot_frame, run_pipeline
from waifuc_ui.ui.views import SKIPPED_KIND, counts_frame


def test_skipped_step_is_its_own_kind():
    frame = counts_frame([{"step": "1. ModeConvertAction", "kept": 8, "dropped": 0, "status": "done"},
                          {"step": "2. CCIPAction", "kept": 8, "dropped": 0, "status": "unavailable"}])
    assert frame.to_dict("records") == [
        {"step": "01 ModeConvertAction", "kind": "kept", "images": 8},
        {"step": "01 ModeConvertAction", "kind": "dropped", "images": 0},
        {"step": "02 CCIPAction", "kind": SKIPPED_KIND, "images": 8},
        {"step": "02 CCIPAction", "kind": "dropped", "images": 0}]


def test_a_run_without_models_plots_the_model_step_as_skipped(ui):  # the test Hub cache is empty
    apply_preset(ui, "model-free clean-up")
    add_step(ui, "CCIPAction")
    run_pipeline(ui)
    frame = plot_frame(ui)
    kinds = dict(zip(frame[frame.kind != "dropped"]["step"], frame[frame.kind != "dropped"]["kind"]))
    assert kinds == {"01 ModeConvertAction": "kept", "02 MinSizeFilterAction": "kept", "03 HashDedupAction": "kept",
                     "04 AlignMinSizeAction": "kept", "05 CCIPAction": SKIPPED_KIND}
