"""Before export: the checks a trainer needs, each with a way to see and fix the images it found."""

import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.session.checks import by_key, checks_markdown, dataset_checks, likely_trigger
from waifuc_ui.ui.export_tab import check_choices, check_ids, drop_from_dataset, export_to_folder, select_in_tags
from waifuc_ui.ui.pipeline_tab import apply_preset
from waifuc_ui.ui.run_tab import run_pipeline


def names(ui, ids):
    return sorted(ui.session.record(i).meta["filename"] for i in ids)


def test_checks_find_small_untagged_and_duplicate_images(ui):
    # the demo: six 320x300 images with tags, red_copy.png (red's pixels, no tags), tiny.png (40x30, no tags)
    checks = by_key(ui.session.export.checks(min_side=512))
    assert len(checks["small"].ids) == 8
    checks = by_key(ui.session.export.checks(min_side=300))
    assert names(ui, checks["small"].ids) == ["tiny.png"]
    assert names(ui, checks["empty_caption"].ids) == ["red_copy.png", "tiny.png"]
    assert names(ui, checks["duplicates"].ids) == ["red_copy.png"]
    assert checks["trigger"].title == "No trigger word set" and checks["trigger"].ids == []
    text = checks_markdown(ui.session.export.checks(min_side=300))
    assert "**Short side under 300 px: 1 image**" in text and "**Exact duplicates" in text
    assert [key for _, key in check_choices(ui.session.export.checks(300))] == ["small", "empty_caption",
                                                                                "duplicates"]


def test_a_trigger_word_written_by_hand_and_lost_on_some_captions():
    tags = {"a": {"aoi_lora": 1.0, "1girl": 1.0}, "b": {"aoi_lora": 1.0, "solo": 1.0}, "c": {"1girl": 1.0},
            "d": {"aoi_lora": 1.0}}
    assert likely_trigger(tags) == "aoi_lora"
    checks = by_key(dataset_checks(list(tags), {i: (600, 600) for i in tags}, tags, {i: i for i in tags}))
    assert checks["trigger"].ids == ["c"] and "`aoi_lora`" in checks["trigger"].title
    # set as the trigger word, it is written first everywhere: nothing lost
    checks = by_key(dataset_checks(list(tags), {i: (600, 600) for i in tags}, tags, {i: i for i in tags},
                                   trigger_word="aoi_lora"))
    assert checks["trigger"].ids == []
    assert likely_trigger({"a": {"1girl": 1.0}, "b": {"1girl": 1.0, "solo": 1.0}}) == ""


def test_select_in_tags_and_drop_from_dataset(ui):
    apply_preset(ui, "model-free clean-up")
    run_pipeline(ui)
    first = ui.session.dataset.ids()[0]
    ui.session.tags.set_item(first, "")
    ids = check_ids(ui, "empty_caption", 512)
    assert ids == [first]
    assert select_in_tags(ui, ids).startswith("1 image selected in the Tags tab")
    assert ui.tag_selection == [first]
    before = len(ui.session.dataset.ids())
    assert drop_from_dataset(ui, ids).startswith("Dropped 1 image from the dataset")
    assert first not in ui.session.dataset.ids() and len(ui.session.dataset.ids()) == before - 1
    assert check_ids(ui, "empty_caption", 512) == []
    with pytest.raises(InvalidOptionError, match="choose a check that found images"):
        drop_from_dataset(ui, [])


def test_drop_needs_a_run(ui):
    with pytest.raises(InvalidOptionError, match="add a step in the Pipeline tab and run it"):
        ui.session.dataset.drop(ui.session.dataset.ids()[:1])


def test_folder_export_is_refused_in_public_mode(tmp_path, dataset_dir):
    from waifuc_ui.ui.settings import AppSettings
    from waifuc_ui.ui.state import SessionBinder

    binder = SessionBinder(AppSettings(public=True, workspace_root=(tmp_path / "pws").resolve(),
                                       demo_dir=dataset_dir))
    try:
        ui = binder.open("tab-p")
        with pytest.raises(InvalidOptionError, match="disabled in public mode"):
            export_to_folder(ui, str(tmp_path / "out"), "textual_inversion")
        assert not (tmp_path / "out").exists()
    finally:
        binder.registry.close_all()


def test_drop_from_the_export_tab_before_any_run_runs_the_pipeline_first(ui):
    from waifuc_ui.ui.export_tab import run_if_never_run

    apply_preset(ui, "model-free clean-up")  # its ModeConvertAction makes new items: the ids change in the run
    assert ui.session.runs.last is None
    before_run = check_ids(ui, "small", 600)
    run_if_never_run(ui)
    assert ui.session.runs.last is not None and ui.session.runs.last.steps
    flagged = check_ids(ui, "small", 600)  # read again on the run's dataset
    assert flagged and len(flagged) <= len(before_run)
    size = len(ui.session.dataset.ids())
    assert drop_from_dataset(ui, flagged).startswith(f"Dropped {len(flagged)} image")
    assert check_ids(ui, "small", 600) == [] and len(ui.session.dataset.ids()) == size - len(flagged)
    run = ui.session.runs.last
    run_if_never_run(ui)  # a run exists: nothing runs again
    assert ui.session.runs.last is run
