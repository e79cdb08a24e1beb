"""``waifuc-ui models download``: the files a recipe needs, fetched from the Hub (a local server here) with
progress, or printed as ``hf download`` commands for an air-gapped machine."""

from waifuc_ui.cli import main
from waifuc_ui.cli.models import recipe_files
from waifuc_ui.inference.hub import is_local
from waifuc_ui.pipeline import action_catalog, preset_recipe


def test_print_gives_one_hf_download_command_per_file(capsys, fake_hub):
    assert main(["models", "download", "--preset", "character LoRA", "--print"]) == 0
    lines = capsys.readouterr().out.splitlines()
    files = recipe_files(preset_recipe("character LoRA", action_catalog()))
    assert len(files) >= 6  # classifiers, detectors, CCIP, LPIPS, the tagger and its tag list
    assert lines[:-1] == [f"hf download {f.repo_id} {f.filename}" + (" --repo-type dataset" if f.repo_type == "dataset"
                                                                   else "") for f in files]
    assert any(line.endswith(" --repo-type dataset") for line in lines)  # the tag lists live in a dataset repo
    assert lines[-1].startswith("# then copy the Hugging Face cache")


def test_download_fetches_every_file_of_the_recipe(live_hub, model_source, capsys):
    live_hub.add_cache(model_source)
    files = recipe_files(preset_recipe("character LoRA", action_catalog()))
    assert not any(is_local(f) for f in files)
    assert main(["models", "download", "--preset", "character LoRA"]) == 0
    assert all(is_local(f) for f in files)
    assert f"{len(files)} model file(s) needed, {len(files)} to download" in capsys.readouterr().err
    before = len(live_hub.requests)
    assert main(["models", "download", "--preset", "character LoRA"]) == 0  # all here: nothing is asked again
    assert len([r for r in live_hub.requests[before:] if r[0] == "GET"]) == 0


def test_a_model_free_recipe_needs_no_file(capsys, fake_hub):
    assert main(["models", "download", "--preset", "model-free clean-up", "--print"]) == 0
    assert capsys.readouterr().out == ""


def test_a_project_files_recipe_is_read_for_the_download(tmp_path, capsys, fake_hub):
    import json

    from waifuc_ui.session import SessionRegistry

    registry = SessionRegistry(str(tmp_path / "ws"), ttl_seconds=600)
    try:
        s = registry.create()
        s.pipeline.add_step("CCIPAction")
        (tmp_path / "p.waifuc_ui.json").write_text(json.dumps(s.project_dict()))
    finally:
        registry.close_all()
    assert main(["models", "download", "--project", str(tmp_path / "p.waifuc_ui.json"), "--print"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(line.startswith("hf download deepghs/ccip_onnx ") for line in lines[:3])
