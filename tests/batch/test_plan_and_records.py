"""The plan both engines run (the script's wrapping of steps), the Ray engine's stages, and item records: pixels
stay in their file until a step changes them; a changed image is stored once under its pixel hash."""

import os

from PIL import Image

from waifuc_ui.action import FirstNSelectAction, ModeConvertAction
from waifuc_ui.action.reviewed import Reviewed
from waifuc_ui.batch.inputs import InputFile
from waifuc_ui.batch.plan import BatchPlan, PlannedStep, plan_steps
from waifuc_ui.batch.ray_engine import segments
from waifuc_ui.batch.records import ItemRef, load_image, run_actions
from waifuc_ui.pipeline import action_catalog, preset_recipe


def test_the_character_preset_plan_and_its_stages():
    steps = plan_steps(preset_recipe("character LoRA", action_catalog()))
    assert [s.label for s in steps][8:11] == ["9. CCIPAction", "10. FilterSimilarAction", "11. HashDedupAction"]
    assert steps[15].label == "16. FileOrderAction"  # numbers files in stream order: a whole-stream step
    assert isinstance(steps[8].action, Reviewed) and steps[8].action.select is None  # the app's order, no choice
    assert [s.per_item for s in steps] == [True] * 8 + [False] * 3 + [True] * 4 + [False]
    stages = [(per_item, first, len(run)) for per_item, first, run in segments(steps)]
    assert stages == [(True, 0, 8), (False, 8, 1), (False, 9, 1), (False, 10, 1), (True, 11, 4), (False, 15, 1)]


def test_a_plan_that_starts_with_a_whole_stream_step_reads_its_inputs_on_workers_first():
    plan = BatchPlan([PlannedStep("1. FirstNSelectAction", FirstNSelectAction(2))])
    assert [(p, f, len(r)) for p, f, r in segments(plan.steps)] == [(True, 0, 0), (False, 0, 1)]


def test_records_keep_the_file_until_a_step_changes_the_pixels(tmp_path):
    Image.new("RGB", (40, 30), (200, 10, 10)).save(tmp_path / "rgb.png")
    Image.new("RGBA", (40, 30), (200, 10, 10, 128)).save(tmp_path / "rgba.png")
    Image.new("RGBA", (40, 30), (200, 10, 10, 128)).save(tmp_path / "rgba_copy.png")
    refs = [ItemRef(entry=InputFile(str(tmp_path / n), "g", "test")) for n in ("rgb.png", "rgba.png", "rgba_copy.png")]
    store = str(tmp_path / "store")
    outcome = run_actions([ModeConvertAction("RGB")], refs, store, lazy=False)
    assert [parent for parent, _ in outcome.outputs] == [0, 1, 2]
    same, changed, copy = [ref for _, ref in outcome.outputs]
    assert same.path == str(tmp_path / "rgb.png") and same.blob is None  # RGB already: same pixels, no copy
    assert changed.source_file is None and changed.blob == copy.blob  # equal pixels: one file
    assert os.listdir(store) == [changed.hash[:2]] and "item_id" not in changed.meta
    image = load_image(changed)
    assert image.mode == "RGB" and image.size == (40, 30) and image.format is None
    again = run_actions([ModeConvertAction("RGB")], [changed], store, lazy=True)  # a blob item, unchanged
    assert again.outputs[0][1].blob == changed.blob and again.counts == [1]
