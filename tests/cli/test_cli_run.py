"""``waifuc-ui run`` with the local engine gives the app's Export zip for the same recipe, inputs and project file
(review choices, restores, hand drops, tag edits, trigger word), file by file; a JSON report of exported, dropped
and refused files; exit codes 0 / 1 / 2."""

import json
import os
import re
import subprocess
import sys
import zipfile

import pytest

from tests.pipeline.test_script_equals_zip import reviewed_session, write_inputs
from waifuc_ui.cli import main
from waifuc_ui.session import SessionRegistry

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def registry(tmp_path):
    reg = SessionRegistry(str(tmp_path / "ws"), ttl_seconds=600, cache_dir=str(tmp_path / "cache"))
    yield reg
    reg.close_all()


def zip_files(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def cli(*args):
    return main(["run", *args, "--quiet"])


def test_a_project_file_gives_the_apps_export_zip(tmp_path, registry):
    src = write_inputs(str(tmp_path / "src"))
    s = reviewed_session(registry, src)  # restore, hand drop, duplicate keepers, tag edits, trigger word
    project = tmp_path / "surtr.waifuc_ui.json"
    project.write_text(json.dumps(s.project_dict()))
    app = zip_files(s.export.zip().path)
    assert cli("--project", str(project), "--input", src, "--output", str(tmp_path / "out.zip")) == 0
    mine = zip_files(tmp_path / "out.zip")
    assert sorted(mine) == sorted(app) and [n for n in app if mine[n] != app[n]] == []
    assert sorted(n for n in mine if n.endswith(".png")) == ["b.png", "c.png", "d.png", "dup.png", "f.png",
                                                             "sub2_dup.png", "twin.png"]
    assert mine["f.txt"].decode() == "zz_char, cat, ears"  # a tag edit on an item a step changed
    report = json.loads((tmp_path / "out.zip.report.json").read_text())
    assert report["images"] == 7 and sorted(report["exported"]) == sorted(app)
    reasons = {d["filename"]: d["reason"] for d in report["dropped"]}
    assert reasons["e.png"] == "dropped by hand" and "a.png" in reasons  # a: c was chosen in the review


def test_a_project_file_gives_the_apps_export_with_sidecars_in_a_kohya_folder(tmp_path, registry):
    src = write_inputs(str(tmp_path / "src"))
    s = reviewed_session(registry, src)
    project = tmp_path / "p.waifuc_ui.json"
    project.write_text(json.dumps(s.project_dict()))
    app = zip_files(s.export.zip(layout="save", kohya_folder="my char").path)
    out = tmp_path / "out"
    assert cli("--project", str(project), "--input", src, "--output", str(out), "--layout", "json",
               "--kohya-name", "my char") == 0
    mine = {os.path.relpath(os.path.join(d, f), out).replace(os.sep, "/"): open(os.path.join(d, f), "rb").read()
            for d, _, files in os.walk(out) for f in files}
    assert sorted(mine) == sorted(app) and [n for n in app if mine[n] != app[n]] == []
    assert "29_my char/.c_meta.json" in mine


def test_a_preset_gives_the_apps_export_zip_and_reports_refused_files(tmp_path, registry):
    src = write_inputs(str(tmp_path / "src"))
    (tmp_path / "src" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    s = registry.create()
    s.inputs.add_folder(src)
    s.pipeline.load_preset("model-free clean-up")
    s.runs.start()
    app = zip_files(s.export.zip().path)
    assert cli("--preset", "model-free clean-up", "--input", src, "--output", str(tmp_path / "out.zip"),
               "--report", str(tmp_path / "report.json")) == 0
    mine = zip_files(tmp_path / "out.zip")
    assert sorted(mine) == sorted(app) and [n for n in app if mine[n] != app[n]] == []
    report = json.loads((tmp_path / "report.json").read_text())
    assert [r["path"] for r in report["refused"]] == [os.path.join(src, "broken.png")]
    dropped = {(d["step"], d["filename"]) for d in report["dropped"]}
    assert ("2. MinSizeFilterAction", "b.png") in dropped  # 100x80: under 256
    assert [d["score"] for d in report["dropped"] if d["filename"] == "c.png"] == [0.0]  # exact duplicate of a
    assert not os.path.exists(tmp_path / ".out.zip.work")  # the scratch folder is removed


def test_globs_and_zips_are_inputs_and_kohya_repeats_follow_the_count(tmp_path):
    src = write_inputs(str(tmp_path / "src"))
    archive = tmp_path / "more.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(os.path.join(src, "d.png"), "extra/d2.png")
    code = cli("--preset", "model-free clean-up", "--input", str(tmp_path / "src" / "sub*" / "*.png"), str(archive),
               "--output", str(tmp_path / "out.zip"), "--layout", "kohya", "--trigger-word", "zz")
    assert code == 0
    names = sorted(zip_files(tmp_path / "out.zip"))
    # sub1/dup, sub2/dup, one twin (the other is its exact copy) and d2 from the zip: 4 images, 200/4 = 50 repeats
    assert names == [f"50_zz/{n}" for n in ["d2.png", "d2.txt", "dup.png", "dup.txt", "sub2_dup.png", "sub2_dup.txt",
                                            "twin.png", "twin.txt"]]


@pytest.mark.parametrize(("args", "words"), [
    (["--preset", "no such preset", "--input", "{src}"], ["character LoRA", "model-free clean-up"]),
    (["--recipe", "{tmp}/missing.json", "--input", "{src}"], ["does not exist"]),
    (["--preset", "model-free clean-up", "--input", "{tmp}/nowhere"], ["--input", "existing folder"]),
    (["--preset", "model-free clean-up", "--project", "{tmp}/p.json", "--input", "{src}"], ["exactly one"]),
    (["--preset", "model-free clean-up", "--input", "{src}", "--layout", "csv"], ["invalid choice"]),
    (["--input", "{src}"], ["exactly one of --preset, --recipe or --project"]),
])
def test_bad_arguments_exit_2_with_the_fix(tmp_path, capsys, args, words):
    src = write_inputs(str(tmp_path / "src"))
    filled = [a.format(src=src, tmp=tmp_path) for a in args]
    assert main(["run", *filled, "--output", str(tmp_path / "out.zip"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
    assert not os.path.exists(tmp_path / "out.zip")


def test_an_existing_output_is_never_overwritten(tmp_path, capsys):
    src = write_inputs(str(tmp_path / "src"))
    (tmp_path / "out.zip").write_bytes(b"mine")
    assert cli("--preset", "model-free clean-up", "--input", src, "--output", str(tmp_path / "out.zip")) == 2
    assert (tmp_path / "out.zip").read_bytes() == b"mine" and "nothing is overwritten" in capsys.readouterr().err


def test_a_missing_model_fails_with_exit_1_and_the_download_commands(tmp_path, capsys, fake_hub):
    src = write_inputs(str(tmp_path / "src"))  # fake_hub: an empty model cache, the Hub offline
    assert cli("--preset", "character LoRA", "--input", src, "--output", str(tmp_path / "out.zip")) == 1
    err = capsys.readouterr().err
    assert "hf download" in err and not os.path.exists(tmp_path / "out.zip")


def test_python_dash_m_runs_the_command_line(tmp_path):
    env = {**os.environ, "PYTHONPATH": ROOT}
    done = subprocess.run([sys.executable, "-m", "waifuc_ui", "run", "--preset", "nope", "--input", ROOT,
                           "--output", str(tmp_path / "o.zip")], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2 and "invalid preset: 'nope'" in done.stderr
    done = subprocess.run([sys.executable, "-m", "waifuc_ui", "--help"], capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 0 and all(c in done.stdout for c in ("run", "models", "serve"))


def test_many_missing_models_give_one_fix_and_the_names_not_the_fix_once_per_file(tmp_path, capsys, fake_hub):
    src = write_inputs(str(tmp_path / "src"))  # fake_hub: an empty model cache, the Hub offline
    assert cli("--preset", "character LoRA", "--input", src, "--output", str(tmp_path / "out.zip")) == 1
    err = capsys.readouterr().err
    count = int(re.search(r"(\d+) model file\(s\) missing", err).group(1))
    assert count >= 10  # the preset's detectors, classifiers, CCIP, LPIPS, tagger and tag lists
    assert err.count("Fix:") == 1 and err.count("hf download") == 2  # the first file's fix, and the --print hint
    assert 'waifuc-ui models download --preset "character LoRA"' in err
    assert "deepghs/ccip_onnx/ccip-caformer-24-randaug-pruned/model_feat.onnx" in err
