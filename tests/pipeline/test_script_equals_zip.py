"""The Python script the app shows gives the app's zip: review choices, restores, hand drops, tag edits, names and
the trigger word travel in the script. Each test runs the app flow through the Session API (the calls the UI
handlers make), runs the generated script in a subprocess on the same input folder, and compares the two outputs
file by file (names, bytes)."""

import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest
from PIL import Image

from tests.fakehub import BLUE, GREEN, RED
from waifuc_ui.session import SessionRegistry

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def noise(path, size, seed, mode="RGB"):
    """Random pixels: no two images look alike to a perceptual hash (flat colours all would)."""
    channels = {"RGB": 3, "RGBA": 4}[mode]
    arr = np.random.default_rng(seed).integers(0, 255, (size[1], size[0], channels), dtype=np.uint8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(arr, mode).save(path)


def write_inputs(folder):
    """a + c: same pixels; b: small; d: large; e: to drop by hand; f: RGBA (changed by ModeConvert);
    sub1/dup.png, sub2/dup.png: same name, other pixels; sub1/twin.png, sub2/twin.png: same name AND pixels."""
    noise(f"{folder}/a.png", (400, 300), 1)
    noise(f"{folder}/b.png", (100, 80), 2)
    noise(f"{folder}/c.png", (400, 300), 1)
    noise(f"{folder}/d.png", (1200, 900), 4)
    noise(f"{folder}/e.png", (500, 400), 5)
    noise(f"{folder}/f.png", (300, 300), 6, mode="RGBA")
    noise(f"{folder}/sub1/dup.png", (300, 300), 7)
    noise(f"{folder}/sub2/dup.png", (300, 300), 8)
    noise(f"{folder}/sub1/twin.png", (320, 320), 9)
    noise(f"{folder}/sub2/twin.png", (320, 320), 9)
    with open(f"{folder}/.c_meta.json", "w") as fh:  # waifuc sidecar: c has tags
        json.dump({"filename": "c.png", "tags": {"red_hair": 0.9, "sword": 0.8, "smile": 0.7}}, fh)
    return folder


def input_id(s, relpath):
    """The session id of the input read from ``relpath``."""
    for i in s.inputs.ids:
        meta = s.record(i).meta
        if "path" not in meta and meta.get("filename") == relpath:  # read from a sidecar: no path
            return i
        if meta.get("path", "").endswith(os.sep + relpath.replace("/", os.sep)):
            return i
    raise KeyError(relpath)


def run_script(s, tmp_path, src, archive, **export):
    script = s.script(f"LocalSource({src!r})", archive=str(archive), **export)
    path = tmp_path / "make_dataset.py"
    path.write_text(script)
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, str(path)], cwd=str(tmp_path), env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, f"{done.stderr}\n--- script ---\n{script}"
    return script


def zip_files(path):
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def assert_same_files(app_zip, script_zip, script):
    app, mine = zip_files(app_zip), zip_files(script_zip)
    assert sorted(mine) == sorted(app), f"names differ\n--- script ---\n{script}"
    for name in app:
        assert mine[name] == app[name], f"{name} differs\n--- script ---\n{script}"
    return app


@pytest.fixture
def registry(tmp_path):
    reg = SessionRegistry(str(tmp_path / "ws"), ttl_seconds=600, cache_dir=str(tmp_path / "cache"))
    yield reg
    reg.close_all()


def reviewed_session(registry, src):
    """Model-free clean-up with a restore, a hand drop, duplicate keepers chosen in review, tag edits, trigger."""
    s = registry.create()
    s.inputs.add_folder(src)
    s.pipeline.load_preset("model-free clean-up")  # ModeConvert RGB, MinSize 256, HashDedup, AlignMinSize 800
    convert, size, dedup, align = [st.uid for st in s.pipeline.recipe.steps]
    run = s.runs.start()
    b, e = input_id(s, "b.png"), input_id(s, "e.png")
    assert b in run.step(size).dropped
    s.pipeline.restore(size, b)  # restore one dropped image
    s.pipeline.drop_by_hand(dedup, e)  # drop one by hand
    s.runs.start()
    # duplicate review: keep c (not a) and the twin of sub2 (not sub1's)
    c, twin2 = input_id(s, "c.png"), input_id(s, "sub2/twin.png")
    view = s.duplicates.groups()
    assert view.uid == dedup and sorted(len(g.ids) for g in view.groups) == [2, 2]
    s.duplicates.set_keeper(c)
    s.duplicates.set_keeper(twin2)
    s.duplicates.apply()
    s.runs.start()
    # tag edits: c's tags in another order and one replaced; f (a derived item: ModeConvert changed it) gets tags
    s.tags.set_item(c, ["sword", "smile", "blue_eyes"])
    f_out = [i for i in s.dataset.ids() if s.record(i).parent_id == input_id(s, "f.png")]
    assert len(f_out) == 1
    s.tags.set_item(f_out[0], {"cat": 0.6, "ears": 0.9})
    s.tags.add("solo", ids=[i for i in s.dataset.ids() if s.record(i).meta["filename"] == "d.png"])
    s.tags.set_trigger_word("zz_char")
    return s


def test_script_gives_the_apps_zip_after_review_restore_hand_drop_and_tag_edits(tmp_path, registry):
    src = write_inputs(str(tmp_path / "src"))
    s = reviewed_session(registry, src)
    app_zip = s.export.zip()  # the Export tab's default: image + .txt caption
    script = run_script(s, tmp_path, src, tmp_path / "script.zip")
    files = assert_same_files(app_zip.path, tmp_path / "script.zip", script)
    images = sorted(n for n in files if n.endswith(".png"))
    # b restored, e dropped by hand, c kept instead of a, one twin, both dup.png under unique names
    assert images == ["b.png", "c.png", "d.png", "dup.png", "f.png", "sub2_dup.png", "twin.png"]
    with Image.open(tmp_path / "src" / "sub2" / "twin.png") as im:
        twin = np.asarray(im)
    assert files["c.txt"].decode().startswith("zz_char, ")
    assert set(files["c.txt"].decode().split(", ")) == {"zz_char", "sword", "smile", "blue_eyes"}
    assert files["f.txt"].decode() == "zz_char, cat, ears"  # the order the user gave
    assert "solo" in files["d.txt"].decode()
    assert files["b.txt"].decode() == "zz_char"
    # the data is readable in the script: keys name the files
    assert "Reviewed(" in script and "SetTagsAction(TAGS, " not in script  # trigger: the exporter writes it
    assert "trigger_word='zz_char'" in script and "'c.png@" in script and "'twin.png@" in script
    assert "reject={" in script  # the duplicates the review removed
    import io
    with zipfile.ZipFile(app_zip.path) as z:
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(z.read("twin.png")))), twin)


def test_script_gives_the_apps_zip_with_sidecar_layout_and_kohya_folder(tmp_path, registry):
    src = write_inputs(str(tmp_path / "src"))
    s = reviewed_session(registry, src)
    app_zip = s.export.zip(layout="save", kohya_folder="my char")
    script = run_script(s, tmp_path, src, tmp_path / "script.zip", layout="save", kohya_folder="my char")
    files = assert_same_files(app_zip.path, tmp_path / "script.zip", script)
    assert sorted(n for n in files if n.endswith(".png")) == [
        f"29_my char/{n}" for n in ["b.png", "c.png", "d.png", "dup.png", "f.png", "sub2_dup.png", "twin.png"]]
    sidecar = json.loads(files["29_my char/.c_meta.json"])
    assert list(sidecar["tags"]) == ["zz_char", "sword", "smile", "blue_eyes"]
    # the twin kept is sub2's, as chosen in the review (same name and pixels as sub1's: only the key's order tells)
    twin_meta = json.loads(files["29_my char/.twin_meta.json"])
    assert "path" not in twin_meta and twin_meta["group_id"].endswith("sub2")  # no server path leaves


def test_script_restores_an_item_a_first_n_step_never_took(tmp_path, registry):
    src = write_inputs(str(tmp_path / "src"))
    s = registry.create()
    s.inputs.add_folder(src)
    first = s.pipeline.add_step("FirstNSelectAction", {"n": 2})
    s.pipeline.add_step("FileOrderAction")  # names by position: the restored item must come where the app puts it
    s.runs.start()
    e = input_id(s, "e.png")
    assert e in s.runs.last.step(first).dropped
    s.pipeline.restore(first, e)
    s.runs.start()
    app_zip = s.export.zip()
    script = run_script(s, tmp_path, src, tmp_path / "script.zip")
    files = assert_same_files(app_zip.path, tmp_path / "script.zip", script)
    assert sorted(files) == ["1.png", "1.txt", "2.png", "2.txt", "3.png", "3.txt"]


# -- model-backed: CCIP review on the fake models (tests/fakehub.py: CCIP features = mean colour) --------------------


def colour_folder(folder):
    """Eight green and eight red images (two characters for the fake CCIP model) and one blue one."""
    os.makedirs(folder)
    Image.new("RGB", (70, 48), BLUE).save(f"{folder}/b.png")
    for n in range(8):
        Image.new("RGB", (64 + n, 48), GREEN).save(f"{folder}/g{n}.png")
        Image.new("RGB", (64 + n, 48), RED).save(f"{folder}/r{n}.png")
    return folder


def offline_env(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the script finds the fake models in the same HF cache


def test_script_carries_the_ccip_cluster_choice_and_tag_edits(tmp_path, registry, full_fake_hub, monkeypatch):
    offline_env(monkeypatch)
    src = colour_folder(str(tmp_path / "src"))
    s = registry.create()
    s.inputs.add_folder(src)
    ccip = s.pipeline.add_step("CCIPAction", {"min_val_count": 5, "step": 1})
    tagging = s.pipeline.add_step("TaggingAction")
    s.runs.start()
    greens = [i for i in s.inputs.ids if s.record(i).meta["filename"].startswith("g")]
    reds = [i for i in s.inputs.ids if s.record(i).meta["filename"].startswith("r")]
    blue = input_id(s, "b.png")
    assert s.runs.last.step(ccip).output_ids == greens  # CCIP's own choice: the first character it saw
    view = s.characters.clusters(threshold=0.1)
    red_label = [c.label for c in view.clusters if c.ids == reds][0]
    s.characters.choose([red_label])  # the person wants the red character
    s.characters.move(blue, into_target=True)  # and the blue image too
    s.pipeline.drop_by_hand(tagging, reds[3])
    run = s.runs.start()
    assert run.step(tagging).output_ids == [blue] + reds[:3] + reds[4:]
    s.tags.set_item(reds[0], ["solo", "red_theme"])
    s.tags.set_trigger_word("redchar")
    app_zip = s.export.zip()
    script = run_script(s, tmp_path, src, tmp_path / "script.zip")
    files = assert_same_files(app_zip.path, tmp_path / "script.zip", script)
    assert sorted(n for n in files if n.endswith(".png")) == ["b.png"] + [f"r{n}.png" for n in (0, 1, 2, 4, 5, 6, 7)]
    assert files["r0.txt"].decode() == "redchar, solo, red_theme"  # the user's order
    assert files["r1.txt"].decode().split(", ")[:3] == ["redchar", r"skadi_\(arknights\)", "1girl"]  # tagger ran
    assert "select=SELECT_1" in script and "'r0.png@" in script and "'g0.png@" not in script


def test_script_restores_at_a_ccip_step_that_runs(tmp_path, registry, full_fake_hub, monkeypatch):
    """No cluster choice: CCIPAction runs in the script, the restored image passes, items keep the app's order."""
    offline_env(monkeypatch)
    src = colour_folder(str(tmp_path / "src"))
    s = registry.create()
    s.inputs.add_folder(src)
    ccip = s.pipeline.add_step("CCIPAction", {"min_val_count": 5, "step": 1})
    s.pipeline.add_step("FileOrderAction")  # names follow the order items leave CCIP: the app's order must hold
    s.runs.start()
    r5 = input_id(s, "r5.png")
    assert r5 in s.runs.last.step(ccip).dropped
    s.pipeline.restore(ccip, r5)
    s.runs.start()
    app_zip = s.export.zip()
    script = run_script(s, tmp_path, src, tmp_path / "script.zip")
    files = assert_same_files(app_zip.path, tmp_path / "script.zip", script)
    assert len([n for n in files if n.endswith(".png")]) == 9  # eight greens and the restored red


def test_script_carries_decisions_about_crops_and_an_lpips_duplicate_review(tmp_path, registry, full_fake_hub,
                                                                              monkeypatch):
    """Crops are keyed by their own pixels: a crop dropped by hand and the crop kept by the duplicate review (LPIPS
    on the fake model: one colour = duplicates) are found again by the script; a green image without a person is
    restored at the split step."""
    offline_env(monkeypatch)
    src = str(tmp_path / "src")
    os.makedirs(src)
    for n in range(5):
        im = Image.new("RGB", (640, 480), RED)
        im.putpixel((0, n), (250, 0, 0))  # other files, same crop pixels
        im.save(f"{src}/red{n}.png")
    Image.new("RGB", (640, 480), GREEN).save(f"{src}/green.png")
    s = registry.create()
    s.inputs.add_folder(src)
    split = s.pipeline.add_step("PersonSplitAction")
    similar = s.pipeline.add_step("FilterSimilarAction")
    s.pipeline.add_step("TaggingAction")
    run = s.runs.start()
    crops = run.step(split).output_ids
    assert [s.record(c).meta["filename"] for c in crops] == [f"red{n}_person0.png" for n in range(5)]
    assert run.step(similar).output_ids == crops[:1]  # LPIPS: the first crop seen wins
    s.pipeline.restore(split, input_id(s, "green.png"))
    s.pipeline.drop_by_hand(split, crops[1])
    s.runs.start()
    view = s.duplicates.groups()
    # every image of the session is compared: the crop dropped by hand at the split step is in the group too
    assert view.method == "lpips" and [sorted(g.ids) for g in view.groups] == [sorted(crops)]
    assert view.standing[crops[1]] == "dropped by 1. PersonSplitAction"
    s.duplicates.set_keeper(crops[3])
    s.duplicates.apply()
    s.runs.start()
    assert s.dataset.ids() == [input_id(s, "green.png"), crops[3]]
    s.tags.set_item(crops[3], ["solo", "red_theme", "1girl"])
    app_zip = s.export.zip()
    script = run_script(s, tmp_path, src, tmp_path / "script.zip")
    files = assert_same_files(app_zip.path, tmp_path / "script.zip", script)
    assert sorted(files) == ["green.png", "green.txt", "red3_person0.png", "red3_person0.txt"]
    assert "drop={'red1_person0.png@" in script and "'red0_person0.png@" in script  # crops named by their keys


def test_the_pipeline_tab_script_uses_the_export_tabs_saved_settings(tmp_path, registry):
    """Without arguments the script writes what the Export tab would: its layout, zip name and kohya folder."""
    src = write_inputs(str(tmp_path / "src"))
    s = reviewed_session(registry, src)
    s.export.settings = {"layout": "save", "name": "my set", "kohya_folder": "my char", "quality": 90.0}
    text = s.script()
    assert "ZipExporter('my_set.zip', layout='save', folder='29_my char'," in text and "quality=90" in text
    s.export.settings = {"layout": "textual_inversion", "quality": "not a number"}
    assert "ZipExporter('dataset.zip', layout='textual_inversion'," in s.script() and "quality=95" in s.script()
