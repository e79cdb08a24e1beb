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
