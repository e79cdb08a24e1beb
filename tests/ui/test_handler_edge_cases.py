"""Handlers called in edge states: a review slider moved before there is anything to review explains what to do
(no error toast); clearing the tag selection forgets the image whose tags were shown; a character review without a
target says how to pick one; duplicate covers keep their kind visible; "1 image", not "1 images"."""

import pytest

from waifuc_ui.ui import build_app
from waifuc_ui.ui.characters_tab import review_unavailable
from waifuc_ui.ui.pipeline_tab import apply_preset
from waifuc_ui.ui.run_tab import run_pipeline


@pytest.fixture
def handlers(binder):
    demo = build_app(binder.settings, binder)
    return {getattr(f.fn, "__name__", ""): f.fn for f in demo.fns.values()}


def test_character_threshold_without_a_ccip_step_says_what_to_do(ui, handlers):
    message = "Run a pipeline with a CCIPAction step to review characters (the *character LoRA* preset has one)."
    assert review_unavailable(ui) == message  # never run
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    assert review_unavailable(ui) == message  # ran, but without CCIPAction
    out = handlers["on_recluster"](ui, 0.3, 0, None)
    assert out[0] == message and out[1] == [] and out[3] == []


def test_duplicate_threshold_before_any_run_says_what_to_do(ui, handlers):
    out = handlers["on_threshold"](ui, 0.2, "auto", 0)
    assert out[0].startswith("Run the pipeline first; duplicate groups come from the dedup step")
    assert out[2] == [] and out[3] == []


def test_clearing_the_tag_selection_forgets_the_shown_image(ui, handlers):
    from waifuc_ui.ui.tags_tab import toggle_selection

    first = ui.session.dataset.ids()[0]
    toggle_selection(ui, first)
    out = handlers["on_clear"](ui, 1)
    assert out[0] == "0 images selected (click images to select or unselect them)."
    assert out[-2:] == (None, "")  # the Save button has no image to write to any more
    assert ui.tag_selection == []


def test_no_target_character_says_how_to_choose_one(ui):
    from waifuc_ui.session.characters import Cluster, ClusterView
    from waifuc_ui.ui.characters_tab import overview

    ids = ui.session.inputs.ids
    view = ClusterView("ccip", [Cluster(0, ids[:4]), Cluster(1, ids[4:6])], noise=ids[6:], chosen=[], target=[])
    _, _, chosen, summary = overview(ui, view)
    assert chosen == []
    assert summary == ("**2 cluster(s)** and 2 noise image(s) among 8 images; target: 0 image(s).\n\n"
                       "⚠ **No target character**: the CCIP step keeps no image (waifuc found no cluster big "
                       "enough). Tick the cluster(s) of your character below and press *Apply choice and re-run*.")
    view.target, view.chosen = ids[:4], [0]
    assert "No target character" not in overview(ui, view)[3]


def test_clicking_a_row_of_the_tag_table_picks_its_tag():
    from waifuc_ui.ui.tags_tab import clicked_tag

    assert clicked_tag(["hatsune_miku", 2], 2) == "hatsune_miku"  # a click on the count still picks the tag
    assert clicked_tag(None, "smile") == "smile"
    assert clicked_tag([], None) == ""


def test_duplicate_group_covers_have_short_captions_that_keep_the_kind(ui):
    from waifuc_ui.ui.duplicates_tab import duplicate_view, groups_overview

    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    view = duplicate_view(ui)
    covers, _ = groups_overview(ui, view)
    assert [caption for _, caption in covers] == [
        f"{len(g.ids)} {'exact' if g.exact else 'near'} dups" for g in view.groups]
    assert "2 exact dups" in [caption for _, caption in covers]  # red.png and red_copy.png


def test_dataset_size_text_counts_one_image_right(ui):
    from waifuc_ui.ui.views import dataset_size_text

    assert dataset_size_text(ui.session) == "8 images in the dataset"
    ui.session.inputs.ids = ui.session.inputs.ids[:1]
    assert dataset_size_text(ui.session) == "1 image in the dataset"
