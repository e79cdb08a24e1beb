import json

import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.pipeline.catalog import ModelStatus
from waifuc_ui.ui.pipeline_edits import add_step, apply_preset, move_step, set_param
from waifuc_ui.ui.pipeline_model_notes import model_summary, pipeline_status
from waifuc_ui.ui.recipe_files import load_recipe, save_recipe, script_text


def actions(ui):
    return [s.action for s in ui.session.pipeline.recipe.steps]


def test_preset_add_move_and_remove(ui):
    apply_preset(ui, "model-free clean-up")
    assert actions(ui) == ["ModeConvertAction", "MinSizeFilterAction", "HashDedupAction", "AlignMinSizeAction"]
    uid = add_step(ui, "FirstNSelectAction")
    assert actions(ui)[-1] == "FirstNSelectAction"
    move_step(ui, uid, -1)
    assert actions(ui)[-2:] == ["FirstNSelectAction", "AlignMinSizeAction"]
    move_step(ui, ui.session.pipeline.recipe.steps[0].uid, -1)  # already first: stays
    assert actions(ui)[0] == "ModeConvertAction"
    with pytest.raises(InvalidOptionError):
        add_step(ui, "")


def test_set_param_from_widget_values(ui):
    apply_preset(ui, "model-free clean-up")
    size_step = ui.session.pipeline.recipe.steps[1]
    set_param(ui, size_step.uid, "min_size", 300.0)  # gr.Number sends floats
    assert ui.session.pipeline.recipe.steps[1].params["min_size"] == 300
    with pytest.raises(InvalidOptionError, match="MinSizeFilterAction.min_size"):
        set_param(ui, size_step.uid, "min_size", -5)
    assert "MinSizeFilterAction(300)" in script_text(ui) or "MinSizeFilterAction(min_size=300)" in script_text(ui)


def test_recipe_round_trip_through_a_file(ui):
    apply_preset(ui, "model-free clean-up")
    set_param(ui, ui.session.pipeline.recipe.steps[1].uid, "min_size", 128)
    path = save_recipe(ui)
    assert ui.session.workspace.contains(path)
    saved = json.loads(open(path).read())
    add_step(ui, "FirstNSelectAction")
    load_recipe(ui, path)
    assert actions(ui) == [s["action"] for s in saved["steps"]]
    assert ui.session.pipeline.recipe.steps[1].params["min_size"] == 128


def test_bad_recipe_file_names_the_problem(ui, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1, "steps": [{"action": "NoSuchAction", "params": {}}]}))
    with pytest.raises(InvalidOptionError, match="NoSuchAction"):
        load_recipe(ui, str(bad))


def test_model_summary_lists_missing_models_with_the_fix():
    statuses = {"a": ModelStatus(True, False, "deepghs/x not found; put it in <dir>/<owner>; run hf download",
                                 ("deepghs/x/model.onnx", "deepghs/x/meta.json")),
                "b": ModelStatus(True, True), "c": ModelStatus(False, True)}
    text = model_summary(statuses, {"a": "2. NoMonochromeAction"})
    assert "**1 step(s) cannot run" in text
    assert "- **2. NoMonochromeAction**: needs `deepghs/x/model.onnx` (+1 more)" in text
    assert "deepghs/x not found; put it in &lt;dir&gt;/&lt;owner&gt;; run hf download" in text
    assert "model-free steps still run" in text
    assert model_summary({"b": ModelStatus(True, True)}, {}) == \
        "All models needed by the 1 model-backed step(s) are available."
    assert model_summary({}, {}) == "No step needs a model."


def test_model_backed_step_reports_missing_models_before_the_run(ui):
    apply_preset(ui, "model-free clean-up")
    add_step(ui, "NoMonochromeAction")
    text = pipeline_status(ui)
    assert "cannot run: their models are not on this machine" in text
    assert "NoMonochromeAction" in text


def test_live_update_reruns_after_a_parameter_change(ui):
    from waifuc_ui.ui.pipeline_edits import update_last_run
    from waifuc_ui.ui.run_tab import run_pipeline

    apply_preset(ui, "model-free clean-up")
    assert update_last_run(ui, True) == ""  # nothing ran yet
    run_pipeline(ui)
    set_param(ui, ui.session.pipeline.recipe.steps[1].uid, "min_size", 20)  # the 40x30 image now passes
    assert update_last_run(ui, False) == ("The last run does not show this change yet: press **Run pipeline** "
                                          "(Run tab) when you are done.")
    assert len(ui.session.dataset.ids()) == 6  # not re-run
    assert update_last_run(ui, True) == ("Run updated (done): 8 in → 7 in the dataset · kept per step "
                                         "1: 8, 2: 8, 3: 7, 4: 7")


def test_script_text_carries_a_restore_and_the_trigger_word(ui):
    apply_preset(ui, "model-free clean-up")
    size = ui.session.pipeline.recipe.steps[1]
    set_param(ui, size.uid, "min_size", 8000)  # drops everything
    run = ui.session.runs.start()
    dropped = [i for i in sorted(run.step(size.uid).dropped) if ui.session.record(i).meta.get("filename")]
    assert dropped and "Reviewed(" not in script_text(ui)
    ui.session.pipeline.restore(size.uid, dropped[0])
    ui.session.tags.set_trigger_word("my_char")
    ui.session.runs.start()
    text = script_text(ui)
    name = ui.session.record(dropped[0]).meta["filename"]
    assert f"Reviewed(MinSizeFilterAction(8000), keep={{'{name}@" in text
    assert "ZipExporter('dataset.zip', layout='textual_inversion'," in text and "trigger_word='my_char')" in text
    compile(text, "generated", "exec")
