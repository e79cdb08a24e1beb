import json
import os
import zipfile

import pytest
from PIL import Image

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.pipeline import (
    PipelineRecipe,
    action_catalog,
    build_action,
    preset_names,
    preset_recipe,
    recipe_to_script,
)


@pytest.fixture(scope="module")
def catalog():
    return action_catalog()


def test_recipe_json_round_trip_keeps_steps_params_enabled_uid(catalog):
    recipe = PipelineRecipe()
    a = recipe.add_step("ModeConvertAction", catalog)
    b = recipe.add_step("MinSizeFilterAction", catalog, {"min_size": 300})
    recipe.steps[0].enabled = False
    data = json.loads(recipe.to_json())
    assert data == {"version": 1, "steps": [
        {"action": "ModeConvertAction", "params": {"mode": "RGB", "force_background": "white"}, "enabled": False,
         "uid": a.uid},
        {"action": "MinSizeFilterAction", "params": {"min_size": 300}, "enabled": True, "uid": b.uid}]}
    again = PipelineRecipe.from_json(recipe.to_json(), catalog)
    assert again.to_dict() == recipe.to_dict()
    assert [s.action for s in again.enabled_steps()] == ["MinSizeFilterAction"]


def test_missing_params_get_defaults_and_values_are_coerced(catalog):
    r = PipelineRecipe.from_dict({"steps": [{"action": "HashDedupAction", "params": {"max_distance": "3"}}]}, catalog)
    assert r.steps[0].params == {"mode": "all", "max_distance": 3, "method": "phash"}
    action = build_action(r.steps[0], catalog)
    assert (type(action).__name__, action.max_distance, action.mode) == ("HashDedupAction", 3, "all")


@pytest.mark.parametrize("data, message", [
    ({"steps": [{"action": "Nope"}]}, "invalid action: 'Nope'; valid choices: 'ModeConvertAction'"),
    ({"steps": [{"action": "MinSizeFilterAction", "params": {"size": 3}}]},
     "invalid parameter of MinSizeFilterAction: 'size'; valid choices: 'min_size'"),
    ({"steps": [{"action": "ModeConvertAction", "params": {"mode": "XYZ"}}]},
     "invalid ModeConvertAction.mode: 'XYZ'; valid choices: 'RGB', 'RGBA', 'L', 'LA'"),
    ({"steps": [{"action": "ModeConvertAction", "colour": 1}]}, "invalid key of recipe step 1: 'colour'"),
    ({"version": 7, "steps": []}, "invalid recipe version: 7; valid choices: 1"),
    ([1, 2], "invalid recipe: 'list'"),
])
def test_bad_recipes_say_what_and_how_to_fix(catalog, data, message):
    with pytest.raises(InvalidOptionError) as err:
        PipelineRecipe.from_dict(data, catalog)
    assert message in str(err.value)


def test_bad_json_text(catalog):
    with pytest.raises(InvalidOptionError, match="fix the JSON syntax"):
        PipelineRecipe.from_json("{steps: ", catalog)


def test_move_and_remove_steps(catalog):
    r = PipelineRecipe()
    uids = [r.add_step(n, catalog).uid for n in ("ModeConvertAction", "HashDedupAction", "AlignMinSizeAction")]
    r.move_step(uids[2], 0)
    assert [s.uid for s in r.steps] == [uids[2], uids[0], uids[1]]
    r.remove_step(uids[0])
    assert [s.action for s in r.steps] == ["AlignMinSizeAction", "HashDedupAction"]
    with pytest.raises(InvalidOptionError, match="invalid step uid"):
        r.remove_step("zzz")


def test_presets(catalog):
    assert preset_names() == ["character LoRA", "model-free clean-up"]
    free = preset_recipe("model-free clean-up", catalog)
    assert [s.action for s in free.steps] == ["ModeConvertAction", "MinSizeFilterAction", "HashDedupAction",
                                              "AlignMinSizeAction"]
    assert free.steps[1].params == {"min_size": 256}
    with pytest.raises(InvalidOptionError, match="invalid preset: 'x'"):
        preset_recipe("x", catalog)
    full = dict(catalog)
    from waifuc_ui.pipeline import PRESETS
    missing = [a for a, _ in PRESETS["character LoRA"] if a not in full]
    if missing:
        with pytest.raises(InvalidOptionError, match="lacks the action"):
            preset_recipe("character LoRA", catalog)
    else:
        lora = preset_recipe("character LoRA", catalog)
        assert [s.action for s in lora.steps] == [
            "ModeConvertAction", "MinSizeFilterAction", "NoMonochromeAction", "ClassFilterAction", "FaceCountAction",
            "PersonSplitAction", "FaceCountAction", "MinSizeFilterAction", "CCIPAction", "FilterSimilarAction",
            "HashDedupAction", "TaggingAction", "TagOverlapDropAction", "BlacklistedTagDropAction",
            "AlignMinSizeAction", "FileOrderAction"]
        assert [lora.steps[i].params["min_size"] for i in (1, 7, 14)] == [320, 256, 800]
        assert lora.steps[8].params["min_val_count"] == 15
        assert lora.steps[11].params["character_threshold"] == 1.01
        assert lora.steps[15].params == {"ext": ".png"}


def test_script_text_reads_like_waifuc(catalog):
    r = preset_recipe("model-free clean-up", catalog)
    r.steps[2].params["max_distance"] = 11  # not the default
    r.steps[3].enabled = False
    text = recipe_to_script(r, "raw", "TextualInversionExporter('out', trigger_word='zz')", catalog)
    assert "from waifuc_ui.action import HashDedupAction, MinSizeFilterAction, ModeConvertAction\n" in text
    assert "from waifuc_ui.export import TextualInversionExporter\n" in text
    assert "    source = LocalSource('raw')\n" in text
    assert ("        ModeConvertAction(),\n        MinSizeFilterAction(256),\n"
            "        HashDedupAction(max_distance=11),\n    )\n") in text
    assert "AlignMinSizeAction" not in text
    assert "source.export(TextualInversionExporter('out', trigger_word='zz'))" in text
    compile(text, "generated", "exec")


def _images_in(folder):
    out = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".png"):
            with Image.open(os.path.join(folder, name)) as im:
                out[name] = (im.size, im.mode, im.tobytes())
    return out


def test_generated_script_gives_the_same_images_as_the_session(tmp_path, catalog):
    import importlib.util
    path = os.path.join(os.path.dirname(__file__), "..", "session", "conftest.py")
    spec = importlib.util.spec_from_file_location("session_conftest_images", path)
    helpers = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(helpers)
    from waifuc_ui.session import SessionRegistry

    write_images = helpers.write_images

    src = write_images(str(tmp_path / "src"))
    registry = SessionRegistry(str(tmp_path / "ws"))
    s = registry.create()
    s.inputs.add_folder(src)
    s.pipeline.load_preset("model-free clean-up")
    s.pipeline.update_step(s.pipeline.recipe.steps[3].uid, params={"min_size": 200})
    s.runs.start()
    summary = s.export.zip(layout="save", no_meta=True)
    with zipfile.ZipFile(summary.path) as z:
        z.extractall(tmp_path / "from_session")
    out = str(tmp_path / "from_script")
    script = s.script(src, out)
    exec(compile(script, "generated", "exec"), {"__name__": "__main__"})
    session_images = _images_in(tmp_path / "from_session")
    assert list(session_images) == ["a.png", "d.png", "e.png"]
    assert session_images == _images_in(out)
    assert session_images["d.png"][0] == (266, 200)
    registry.close_all()
