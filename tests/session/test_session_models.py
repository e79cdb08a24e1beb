"""The session with model-backed steps, on tiny fake models in a temporary Hub cache (tests/fakehub.py)."""

import os

import pytest
from PIL import Image

import waifuc_ui.session.store as store_module
from tests.fakehub import BLUE, RED, full_fake_hub, fake_hub, record_feeds  # noqa: F401  (fixtures)
from waifuc_ui.session import SessionRegistry


@pytest.fixture
def colour_session(tmp_path, full_fake_hub):
    folder = tmp_path / "colours"
    folder.mkdir()
    for n, colour in enumerate([RED, BLUE, RED, BLUE, RED]):
        Image.new("RGB", (96 + n, 64), colour).save(folder / f"img{n}.png")
    reg = SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"))
    s = reg.create()
    s.add_folder(str(folder))
    yield s
    reg.close_all()


def test_model_backed_filter_then_threshold_change_is_decisions_only(colour_session, monkeypatch):
    s = colour_session
    uid = s.add_step("FaceCountAction", {"counts": [1]})
    report = s.model_report()
    assert report[uid].needs_models and report[uid].available, report[uid].fix
    run = s.run()
    assert run.status == "done" and run.steps[0].status == "done"
    assert run.steps[0].output_ids == ["in00001", "in00003", "in00005"]  # red images have one face
    assert set(run.steps[0].dropped) == {"in00002", "in00004"}
    feeds = record_feeds(monkeypatch)
    decoded = []
    real_open = store_module.open_file
    monkeypatch.setattr(store_module, "open_file", lambda p: decoded.append(p) or real_open(p))
    s.update_step(uid, params={"conf_threshold": 0.95})  # above the fake's 0.9 score
    run = s.run()
    assert run.steps[0].computed == 5 and run.steps[0].output_ids == []
    assert feeds == [] and decoded == []  # from the analysis cache: no model call, no pixels
    drop = run.steps[0].dropped["in00001"]
    assert drop.step == "1. FaceCountAction" and drop.item_id == "in00001"


def test_character_tags_come_from_the_tagger_label_file(colour_session):
    s = colour_session
    s.add_step("TaggingAction") if "TaggingAction" in s.catalog else pytest.skip("TaggingAction not installed")
    run = s.run()
    assert run.status == "done" and run.steps[0].status == "done", run.steps[0].message
    assert "skadi_(arknights)" in s.item_tags("in00001")
    assert s.drop_character_tags() == ["skadi_(arknights)"]
    assert "skadi_(arknights)" not in s.item_tags("in00001") and "red_theme" in s.item_tags("in00001")


def test_character_tag_names_read_from_the_wd14_label_file(fake_hub):
    from tests.fakehub import put_wd14
    from waifuc_ui.session.tagedit import character_tag_names

    put_wd14(fake_hub)
    assert character_tag_names() == frozenset({"skadi_(arknights)", "skadi (arknights)"})


def test_character_tag_names_missing_label_file_says_how_to_fix(fake_hub):
    from waifuc_ui.errors import ModelUnavailableError
    from waifuc_ui.session.tagedit import character_tag_names

    with pytest.raises(ModelUnavailableError) as err:
        character_tag_names()
    assert "selected_tags.csv" in str(err.value)


def test_character_chain_on_fake_models(tmp_path, full_fake_hub):
    """Face count, person split, face count, CCIP, exact dedup, tagging and resize, as the app runs them."""
    folder = tmp_path / "chain"
    folder.mkdir()
    for n in range(8):
        Image.new("RGB", (640 + 8 * n, 480 + 8 * n), RED).save(folder / f"red{n}.png")
    for n in range(3):
        Image.new("RGB", (500, 400 + n), BLUE).save(folder / f"blue{n}.png")
    reg = SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"))
    s = reg.create()
    s.add_folder(str(folder))
    s.add_step("ModeConvertAction")
    s.add_step("FaceCountAction", {"counts": [1]})
    split = s.add_step("PersonSplitAction")
    s.add_step("FaceCountAction", {"counts": [1]})
    ccip = s.add_step("CCIPAction", {"min_val_count": 5, "step": 1})
    s.add_step("HashDedupAction", {"max_distance": 0})
    s.add_step("TaggingAction")
    s.add_step("AlignMinSizeAction", {"min_size": 64})
    assert all(st.available for st in s.model_report().values())
    run = s.run()
    assert run.status == "done", run.message
    assert [(r["input"], r["kept"]) for r in s.counts()] == [(11, 11), (11, 8), (8, 8), (8, 8), (8, 8), (8, 8),
                                                             (8, 8), (8, 8)]
    crops = run.step(split).output_ids
    assert all(c.startswith("d") and s.record(c).parent_id.startswith("in") for c in crops)
    assert [s.record(c).meta["filename"] for c in crops] == [f"red{n}_person0.png" for n in range(8)]
    assert run.step(ccip).output_ids == crops
    final = s.final_ids()
    assert len(final) == 8 and all("red_theme" in s.item_tags(i) for i in final)
    assert all(min(s.record(i).size) == 64 for i in final)
    summary = s.export_zip()
    assert summary.images == 8
    reg.close_all()


def test_character_lora_preset_end_to_end_on_fake_models(tmp_path, fake_hub):
    """The preset as a user starts it. Fakes: every image is 'normal' and 'bangumi' when bright, every detector
    finds one box (so one face, one person crop), CCIP and LPIPS features are the mean colour (so all crops of
    one colour are one character and LPIPS duplicates of each other)."""
    from tests.fakehub import colour_detector, install_fake_hub, put_detector

    install_fake_hub(fake_hub)
    always = {"boxes": [(320.0, 320.0, 200.0, 100.0)], "scores": [[(0.0, 0.0, 0.0, 0.9)]]}
    put_detector(fake_hub, "faces", dict(always, names=["face"]))
    put_detector(fake_hub, "person", dict(always, names=["person"]))
    folder = tmp_path / "pink"
    folder.mkdir()
    for n in range(16):
        Image.new("RGB", (640 + 4 * n, 480), (255, 220, 220)).save(folder / f"p{n:02d}.png")
    reg = SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"))
    s = reg.create()
    s.add_folder(str(folder))
    s.load_preset("character LoRA")
    assert all(st.available for st in s.model_report().values())
    run = s.run()
    assert run.status == "done", run.message
    assert [st.status for st in run.steps] == ["done"] * 11
    kept = [r["kept"] for r in s.counts()]
    assert kept[:7] == [16, 16, 16, 16, 16, 16, 16]  # CCIP: one character
    assert kept[7:] == [1, 1, 1, 1] and len(s.final_ids()) == 1
    lpips_step = run.steps[7]
    drops = list(lpips_step.dropped.values())
    assert len(drops) == kept[6] - 1 and all(d.duplicate_of == "p00_person0.png" for d in drops)
    reg.close_all()
