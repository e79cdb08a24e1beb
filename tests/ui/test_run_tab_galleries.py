"""Run tab: after a restore (or any refresh) the galleries close their previews and forget the clicked After image
(the visitor never sees a highlighted image the buttons would not act on); the step shown first is one that dropped
images."""

import gradio as gr

from waifuc_ui.ui.pipeline_edits import apply_preset
from waifuc_ui.ui.run_tab import (
    DROPPED,
    dropped_details,
    restore_selected,
    run_pipeline,
    step_choices,
    step_galleries,
)


def test_updates_after_a_restore_close_previews_and_reset_the_after_selection(ui, page):
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    dedup = step_choices(ui)[2][1]
    step_galleries(ui, dedup)
    assert dropped_details(ui, 0)[1] is True
    restore_selected(ui)
    run_pipeline(ui)
    tab = page.run
    updates = tab.gallery_values(step_galleries(ui, dedup))
    assert list(updates) == tab.gallery_outputs  # the step choice's event updates exactly these
    before, after, dropped = updates[tab.before], updates[tab.after], updates[tab.dropped]
    for gallery in (before, after, dropped):
        assert isinstance(gallery, gr.Gallery)
        assert gallery.selected_index is None
        assert any("selected_index" in args and args["selected_index"] is None
                   for args in gallery._constructor_args)  # given explicitly, so sent to the browser
    assert (len(before.value), len(after.value), len(dropped.value)) == (7, 7, 0)
    labels = [updates[pager.label] for pager in (tab.before_pager, tab.after_pager, tab.dropped_pager)]
    assert labels == ["Before: page 1 of 1 · 7 images", "After (kept): page 1 of 1 · 7 images",
                      "Dropped: page 1 of 1 · 0 images"]
    assert [updates[pager.number] for pager in (tab.before_pager, tab.after_pager, tab.dropped_pager)] == [1, 1, 1]
    assert updates[tab.message] == "**3. HashDedupAction** (done)"
    assert updates[tab.selected_after] is None and ui.page_ids[DROPPED] == []


def test_the_first_step_shown_is_the_first_that_dropped_images(ui):
    from waifuc_ui.ui.run_tab import default_step

    assert default_step(ui) is None
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    assert default_step(ui) == step_choices(ui)[1][1]  # 2. MinSizeFilterAction dropped tiny.png; 1. dropped none
    size_uid = step_choices(ui)[1][1]
    ui.session.pipeline.update_step(size_uid, params={"min_size": 1})
    ui.session.pipeline.remove_step(step_choices(ui)[2][1])  # no dedup: nothing is dropped at all
    run_pipeline(ui)
    assert [label.split(":")[0] for label, _ in step_choices(ui)] == ["1. ModeConvertAction",
                                                                       "2. MinSizeFilterAction",
                                                                       "3. AlignMinSizeAction"]
    assert default_step(ui) == step_choices(ui)[0][1]
