import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.ui.pipeline_edits import add_step, apply_preset
from waifuc_ui.ui.run_tab import (
    AFTER,
    DROPPED,
    drop_selected,
    dropped_details,
    plot_frame,
    restore_selected,
    run_pipeline,
    run_summary,
    step_choices,
    step_galleries,
)


def filename(ui, item_id):
    return ui.session.record(item_id).meta["filename"]


@pytest.fixture
def ran(ui):
    apply_preset(ui, "model-free clean-up")
    reports = []
    result = run_pipeline(ui, lambda frac, text: reports.append((frac, text)))
    return ui, result, reports


def test_run_reports_progress_and_summary(ran):
    ui, result, reports = ran
    assert result.status == "done"
    assert reports[-1][0] == 1.0
    assert any(text.startswith("Step 2/4 · MinSizeFilterAction · ") for _, text in reports)
    assert all(0.0 <= frac <= 1.0 for frac, _ in reports)
    assert run_summary(ui, result) == "**Run finished**: 8 images in, 6 in the dataset after 4 step(s)."


def test_step_choices_and_plot_counts(ran):
    ui, _, _ = ran
    labels = [label for label, _ in step_choices(ui)]
    assert labels == ["1. ModeConvertAction: 8 → 8 kept, 0 dropped",
                      "2. MinSizeFilterAction: 8 → 7 kept, 1 dropped",
                      "3. HashDedupAction: 7 → 6 kept, 1 dropped",
                      "4. AlignMinSizeAction: 6 → 6 kept, 0 dropped"]
    frame = plot_frame(ui)
    kept = frame[frame.kind == "kept"]["images"].tolist()
    assert kept == [8, 7, 6, 6]


def test_galleries_show_before_after_and_dropped_with_reason(ran):
    ui, _, _ = ran
    uid = step_choices(ui)[1][1]
    g = step_galleries(ui, uid)
    assert (len(g.before), len(g.after), len(g.dropped)) == (8, 7, 1)
    assert g.dropped_label == "Dropped: page 1 of 1 · 1 image"
    assert g.dropped[0][1].startswith("short side 30 px < 256 px")
    assert filename(ui, ui.page_ids[DROPPED][0]) == "tiny.png"
    assert all(ui.session.workspace.contains(path) for path, _ in g.before + g.after + g.dropped)


def test_click_dropped_image_then_restore_keeps_it(ran):
    ui, _, _ = ran
    uid = step_choices(ui)[1][1]
    step_galleries(ui, uid)
    tiny = ui.page_ids[DROPPED][0]
    text, can_restore = dropped_details(ui, 0)
    assert can_restore
    assert "by **2. MinSizeFilterAction**: short side 30 px < 256 px" in text
    assert "(score 30, threshold 256)" in text
    note = restore_selected(ui)
    assert note.startswith("Restored **tiny.png")
    run_pipeline(ui)
    g = step_galleries(ui, uid)
    assert len(g.dropped) == 0 and len(g.after) == 8
    assert tiny in ui.session.dataset.ids()
    assert dropped_details(ui, 5) == ("Click a dropped image to see which step dropped it and why.", False)


def test_restore_without_a_selection_says_what_to_do(ran):
    ui, _, _ = ran
    with pytest.raises(InvalidOptionError, match="click a dropped image first"):
        restore_selected(ui)


def test_drop_by_hand_removes_a_kept_image(ran):
    ui, _, _ = ran
    uid = step_choices(ui)[0][1]
    step_galleries(ui, uid)
    victim = ui.page_ids[AFTER][0]
    assert drop_selected(ui, 0).startswith("Dropped **")
    run_pipeline(ui)
    assert victim not in ui.session.dataset.ids()
    assert len(ui.session.dataset.ids()) == 5


def test_stop_leaves_the_session_usable(ui):
    apply_preset(ui, "model-free clean-up")

    def stop_at_second_step(frac, text):
        if text.startswith("Step 2/"):
            ui.cancel.set()

    ui.cancel.clear()
    result = ui.session.runs.start(progress=lambda p: stop_at_second_step(0, f"Step {p.step_index + 1}/"),
                            cancel=ui.cancel)
    assert result.status == "cancelled"
    assert "Run stopped" in run_summary(ui, result)
    again = run_pipeline(ui)  # clears the flag and finishes
    assert again.status == "done" and len(ui.session.dataset.ids()) == 6


def test_model_backed_step_is_skipped_and_model_free_ones_run(ui):
    apply_preset(ui, "model-free clean-up")
    add_step(ui, "NoMonochromeAction", )
    result = run_pipeline(ui)
    assert list(result.unavailable)
    assert "1 step(s) skipped because their models are missing" in run_summary(ui, result)
    assert step_choices(ui)[-1][0].endswith("· skipped (no model)")
    assert len(ui.session.dataset.ids()) == 6


def test_galleries_before_a_run_explain_what_to_do(ui):
    g = step_galleries(ui, None)
    assert g.message.startswith("Run the pipeline")
    assert plot_frame(ui) is None


def test_before_a_run_the_three_galleries_keep_their_names(ui):
    g = step_galleries(ui, None)
    assert (g.before_label, g.after_label, g.dropped_label) == ("Before", "After (kept)", "Dropped")
    assert g.before == g.after == g.dropped == []
    assert g.message == "Run the pipeline to see what each step keeps and drops."
