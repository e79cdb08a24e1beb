"""``--engine ray`` gives the files ``--engine local`` gives (names, bytes, captions) and the same drops, stateful
steps included (CCIP, LPIPS similarity, hash dedup, file order), and a worker killed mid-run is retried without
losing or duplicating an output."""

import json
import os
import zipfile

import pytest
from PIL import Image

from tests.batch.killing import DieOnce, DieOnceInAnActor
from tests.fakehub import colour_detector, put_classifier, put_detector
from tests.pipeline.test_script_equals_zip import reviewed_session, write_inputs
from waifuc_ui.action import FileOrderAction, HashDedupAction, ModeConvertAction
from waifuc_ui.batch.inputs import resolve_inputs
from waifuc_ui.batch.local import run_local
from waifuc_ui.batch.plan import BatchPlan, PlannedStep
from waifuc_ui.batch.ray_engine import RayOptions, run_ray
from waifuc_ui.cli import main
from waifuc_ui.session import SessionRegistry

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO = os.path.join(ROOT, "assets", "demo")


def zip_files(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def drops(report_path):
    with open(report_path) as fh:
        return sorted((d["step"], d["filename"], d["reason"], d["score"]) for d in json.load(fh)["dropped"])


def run_both(tmp_path, src, *args):
    """Run the command line with each engine: the two zips' files and drop lists."""
    files, dropped = {}, {}
    for engine in ("local", "ray"):
        out = tmp_path / f"{engine}.zip"
        code = main(["run", *args, "--input", src, "--output", str(out), "--engine", engine, "--quiet",
                     "--cache-dir", str(tmp_path / f"cache-{engine}"), "--batch-size", "8"])
        assert code == 0
        files[engine], dropped[engine] = zip_files(out), drops(f"{out}.report.json")
    assert dropped["ray"] == dropped["local"]
    return files["local"], files["ray"], dropped["local"]


def test_ray_gives_the_local_files_with_the_model_free_preset(tmp_path, ray_cluster):
    local, ray, dropped = run_both(tmp_path, DEMO, "--preset", "model-free clean-up")
    assert sorted(ray) == sorted(local)
    assert [n for n in local if ray[n] != local[n]] == []
    images = [n for n in local if not n.endswith(".txt")]
    assert len(images) == 39 and len(dropped) == 9  # 50 demo files: 2 unreadable, 9 dropped (small, duplicates)
    assert "aoi_01_again.png" not in local and "aoi_01.png" in local  # the duplicate after the first is dropped


def test_ray_applies_a_project_file_and_gives_the_apps_export_zip(tmp_path, ray_cluster):
    src = write_inputs(str(tmp_path / "src"))
    registry = SessionRegistry(str(tmp_path / "ws"), ttl_seconds=600, cache_dir=str(tmp_path / "cache"))
    try:
        s = reviewed_session(registry, src)  # restore, hand drop, duplicate keepers, tag edits, trigger word
        (tmp_path / "p.waifuc_ui.json").write_text(json.dumps(s.project_dict()))
        app = zip_files(s.export.zip().path)
    finally:
        registry.close_all()
    assert main(["run", "--project", str(tmp_path / "p.waifuc_ui.json"), "--input", src, "--output",
                 str(tmp_path / "ray.zip"), "--engine", "ray", "--quiet", "--batch-size", "4"]) == 0
    mine = zip_files(tmp_path / "ray.zip")
    assert sorted(mine) == sorted(app) and [n for n in app if mine[n] != app[n]] == []
    assert mine["f.txt"].decode() == "zz_char, cat, ears"


def colour_folder(folder):
    """Twenty red shades (one character for the fake CCIP; near duplicates for the fake LPIPS), an exact copy, an
    RGBA red (ModeConvert changes it) and a green image (no face)."""
    os.makedirs(folder)
    for n in range(20):
        Image.new("RGB", (640 + 8 * n, 480), (255 - 6 * n, (n * 7) % 40, (n * 13) % 30)).save(f"{folder}/red{n}.png")
    Image.new("RGB", (640, 480), (255, 0, 0)).save(f"{folder}/red0_copy.png")
    Image.new("RGB", (640, 480), (0, 255, 0)).save(f"{folder}/green.png")
    Image.new("RGBA", (600, 480), (250, 0, 0, 255)).save(f"{folder}/red_rgba.png")
    return folder


def test_ray_gives_the_local_files_with_the_character_lora_preset(tmp_path, ray_cluster, full_fake_hub):
    from waifuc_ui.inference import specs

    # the fake classifiers let colour images through (the default fakes call pure colours monochrome or comic)
    put_classifier(full_fake_hub, specs.MONOCHROME, ["monochrome", "normal"], [(0, 0, 0, 0.0), (0, 0, 0, 1.0)])
    put_classifier(full_fake_hub, specs.ANIME_CLASSIFY, ["3d", "bangumi", "comic", "illustration", "not_painting"],
                   [(0, 0, 0, 0.05), (0, 0, 0, 0.1), (0, 0, 0, 0.0), (0, 0, 0, 0.6), (0, 0, 0, 0.05)])
    # person crops above the preset's 256 px floor (a red-only box of 560 x 400 at 640 px)
    put_detector(full_fake_hub, "person", colour_detector("red", box=(320.0, 320.0, 560.0, 400.0), label="person"))
    src = colour_folder(str(tmp_path / "src"))
    local, ray, dropped = run_both(tmp_path, src, "--preset", "character LoRA", "--trigger-word", "red_char")
    # the preset ends with FileOrderAction: three crops kept (of 21 red ones), numbered in stream order
    assert sorted(ray) == sorted(local) == ["1.png", "1.txt", "2.png", "2.txt", "3.png", "3.txt"]
    assert [n for n in local if ray[n] != local[n]] == []
    assert local["1.txt"].decode().startswith("red_char, ")
    steps = [step for step, *_ in dropped]
    assert (steps.count("5. FaceCountAction"), steps.count("9. CCIPAction"), steps.count("10. FilterSimilarAction")) \
        == (1, 5, 14)  # green has no face; CCIP and LPIPS decided over the whole stream on both engines


@pytest.mark.parametrize("killer", [DieOnce, DieOnceInAnActor])
def test_a_killed_worker_is_retried_without_losing_or_duplicating_outputs(tmp_path, ray_cluster, killer):
    marker = str(tmp_path / "died")
    plan = BatchPlan([PlannedStep("1. ModeConvertAction", ModeConvertAction("RGB")),
                      PlannedStep("2. DieOnce", killer(marker)),
                      PlannedStep("3. HashDedupAction", HashDedupAction()),
                      PlannedStep("4. FileOrderAction", FileOrderAction())])
    inputs = resolve_inputs([DEMO], str(tmp_path / "work"))
    ray = run_ray(plan, inputs, str(tmp_path / "ray.zip"), work_dir=str(tmp_path / "work"), progress=False,
                  options=RayOptions(batch_size=4, concurrency=2))
    with open(marker) as fh:
        assert int(fh.read()) != os.getpid()  # a worker died, not this process
    local = run_local(plan, inputs, str(tmp_path / "local.zip"), progress=False)
    assert ray.images == local.images == 42  # 48 readable, 6 duplicates (exact or near)
    assert zip_files(tmp_path / "ray.zip") == zip_files(tmp_path / "local.zip")
    assert sorted(n for n in ray.exported if n.endswith(".txt")) == sorted(f"{n}.txt" for n in range(1, 43))


def test_workers_get_the_model_settings_but_no_token(monkeypatch):
    from waifuc_ui.batch.ray_engine import worker_env

    monkeypatch.setenv("HF_HUB_CACHE", "/models/hf")
    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    monkeypatch.setenv("WAIFUC_UI_CACHE_DIR", "/shared/analysis")
    env = worker_env()
    assert env["HF_HUB_CACHE"] == "/models/hf" and env["WAIFUC_UI_CACHE_DIR"] == "/shared/analysis"
    assert "HF_TOKEN" not in env and env["PYTHONPATH"].split(os.pathsep)[0] == ROOT
