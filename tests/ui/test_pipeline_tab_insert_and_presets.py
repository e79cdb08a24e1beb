"""Insert a step at a place, move a step in one go, the Preset dropdown following the recipe, and the model
badge of a switched-off step (issue 15)."""

import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.pipeline.presets import CUSTOM, PRESET_PURPOSE, PRESETS, preset_purpose
from waifuc_ui.ui.pipeline_edits import (
    AT_END,
    add_step,
    apply_preset,
    current_preset,
    move_step_to,
    position_choices,
    set_param,
)
from waifuc_ui.ui.pipeline_model_notes import disabled_step_status, step_badge
from waifuc_ui.ui.recipe_files import load_recipe, save_recipe


def actions(ui):
    return [s.action for s in ui.session.pipeline.recipe.steps]


def test_add_step_at_a_chosen_place(ui):
    apply_preset(ui, "model-free clean-up")
    assert position_choices(ui) == [("at the end", AT_END), ("first", 0), ("after 1. ModeConvertAction", 1),
                                    ("after 2. MinSizeFilterAction", 2), ("after 3. HashDedupAction", 3)]
    add_step(ui, "FirstNSelectAction", 1)
    assert actions(ui) == ["ModeConvertAction", "FirstNSelectAction", "MinSizeFilterAction", "HashDedupAction",
                           "AlignMinSizeAction"]
    add_step(ui, "MirrorAction", 0)
    add_step(ui, "FileOrderAction", AT_END)
    assert actions(ui)[0] == "MirrorAction" and actions(ui)[-1] == "FileOrderAction" and len(actions(ui)) == 7
    with pytest.raises(InvalidOptionError, match="position"):
        add_step(ui, "MirrorAction", 99)


def test_move_a_step_to_a_place_in_one_call(ui):
    apply_preset(ui, "model-free clean-up")
    last = ui.session.pipeline.recipe.steps[-1].uid
    move_step_to(ui, last, 2)
    assert actions(ui) == ["ModeConvertAction", "AlignMinSizeAction", "MinSizeFilterAction", "HashDedupAction"]
    move_step_to(ui, last, 9)  # past the end: last
    assert actions(ui)[-1] == "AlignMinSizeAction"


def test_preset_dropdown_says_custom_once_the_recipe_differs(ui, tmp_path):
    apply_preset(ui, "model-free clean-up")
    assert current_preset(ui) == "model-free clean-up"
    size = ui.session.pipeline.recipe.steps[1].uid
    set_param(ui, size, "min_size", 300)
    assert current_preset(ui) == CUSTOM
    set_param(ui, size, "min_size", 256)
    assert current_preset(ui) == "model-free clean-up"
    ui.session.pipeline.update_step(size, enabled=False)
    assert current_preset(ui) == CUSTOM
    ui.session.pipeline.update_step(size, enabled=True)
    add_step(ui, "MirrorAction", 0)
    saved = save_recipe(ui)
    apply_preset(ui, "model-free clean-up")
    load_recipe(ui, saved)  # a loaded recipe: the dropdown follows it
    assert current_preset(ui) == CUSTOM
    with pytest.raises(InvalidOptionError, match="pick one of the presets"):
        apply_preset(ui, CUSTOM)


def test_every_preset_says_what_it_is_for_in_one_line():
    assert set(PRESET_PURPOSE) == set(PRESETS)
    for name, line in PRESET_PURPOSE.items():
        assert "\n" not in line and 20 < len(line) < 200
        assert preset_purpose(name) == f"**{name}**: {line}"
    assert preset_purpose(CUSTOM).startswith("**custom**")


def test_a_switched_off_model_step_never_says_model_ready_when_its_model_is_missing(ui):
    apply_preset(ui, "model-free clean-up")
    uid = add_step(ui, "CCIPAction")
    ui.session.pipeline.update_step(uid, enabled=False)
    step = ui.session.pipeline.recipe.step_by_uid(uid)
    assert uid not in ui.session.runs.model_report()  # the session reports enabled steps only
    status = disabled_step_status(ui, step)
    assert status is not None and not status.available and status.missing
    spec = ui.session.catalog["CCIPAction"]
    assert step_badge(spec, status, enabled=False) == " · model not on this machine (step off)"
    assert step_badge(spec, None) == ""
    assert step_badge(ui.session.catalog["MirrorAction"], None) == ""
