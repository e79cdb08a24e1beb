"""The session with model-backed steps, on tiny fake models in a temporary Hub cache (tests/fakehub.py)."""


import pytest
from PIL import Image

import waifuc_ui.session.store as store_module
from tests.fakehub import BLUE, RED, record_feeds
from waifuc_ui.session import SessionRegistry


@pytest.fixture
def colour_session(tmp_path, full_fake_hub):
    folder = tmp_path / "colours"
    folder.mkdir()
    for n, colour in enumerate([RED, BLUE, RED, BLUE, RED]):
        Image.new("RGB", (96 + n, 64), colour).save(folder / f"img{n}.png")
    reg = SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"))
    s = reg.create()
    s.inputs.add_folder(str(folder))
    yield s
    reg.close_all()


def test_model_backed_filter_then_threshold_change_is_decisions_only(colour_session, monkeypatch):
    s = colour_session
    uid = s.pipeline.add_step("FaceCountAction", {"counts": [1]})
    report = s.runs.model_report()
    assert report[uid].needs_models and report[uid].available, report[uid].fix
    run = s.runs.start()
    assert run.status == "done" and run.steps[0].status == "done"
    assert run.steps[0].output_ids == ["in00001", "in00003", "in00005"]  # red images have one face
    assert set(run.steps[0].dropped) == {"in00002", "in00004"}
    feeds = record_feeds(monkeypatch)
    decoded = []
    real_open = store_module.open_file
    monkeypatch.setattr(store_module, "open_file", lambda p: decoded.append(p) or real_open(p))
    s.pipeline.update_step(uid, params={"conf_threshold": 0.95})  # above the fake's 0.9 score
    run = s.runs.start()
    assert run.steps[0].computed == 5 and run.steps[0].output_ids == []
    assert feeds == [] and decoded == []  # from the analysis cache: no model call, no pixels
    drop = run.steps[0].dropped["in00001"]
    assert drop.step == "1. FaceCountAction" and drop.item_id == "in00001"


def test_character_tags_come_from_the_tagger_label_file(colour_session):
    s = colour_session
    s.pipeline.add_step("TaggingAction") if "TaggingAction" in s.catalog else pytest.skip("TaggingAction not installed")
    run = s.runs.start()
    assert run.status == "done" and run.steps[0].status == "done", run.steps[0].message
    assert "skadi_(arknights)" in s.tags.of("in00001")
    assert s.tags.drop_character_tags() == ["skadi_(arknights)"]
    assert "skadi_(arknights)" not in s.tags.of("in00001") and "red_theme" in s.tags.of("in00001")


def test_character_tag_names_read_from_the_wd14_label_file(fake_hub):
    from tests.fakehub import put_wd14
    from waifuc_ui.session.tagedit import character_tag_names

    put_wd14(fake_hub)
    assert character_tag_names() == frozenset({"skadi_(arknights)", "skadi (arknights)"})


def test_character_tag_names_missing_label_file_says_how_to_fix(fake_hub):
    from waifuc_ui.core.errors import ModelUnavailableError
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
    s.inputs.add_folder(str(folder))
    s.pipeline.add_step("ModeConvertAction")
    s.pipeline.add_step("FaceCountAction", {"counts": [1]})
    split = s.pipeline.add_step("PersonSplitAction")
    s.pipeline.add_step("FaceCountAction", {"counts": [1]})
    ccip = s.pipeline.add_step("CCIPAction", {"min_val_count": 5, "step": 1})
    s.pipeline.add_step("HashDedupAction", {"max_distance": 0})
    s.pipeline.add_step("TaggingAction")
    s.pipeline.add_step("AlignMinSizeAction", {"min_size": 64})
    assert all(st.available for st in s.runs.model_report().values())
    run = s.runs.start()
    assert run.status == "done", run.message
    assert [(r["input"], r["kept"]) for r in s.runs.counts()] == [(11, 11), (11, 8), (8, 8), (8, 8), (8, 8), (8, 8),
                                                             (8, 8), (8, 8)]
    crops = run.step(split).output_ids
    assert all(c.startswith("d") and s.record(c).parent_id.startswith("in") for c in crops)
    assert [s.record(c).meta["filename"] for c in crops] == [f"red{n}_person0.png" for n in range(8)]
    assert run.step(ccip).output_ids == crops
    final = s.dataset.ids()
    assert len(final) == 8 and all("red_theme" in s.tags.of(i) for i in final)
    assert all(min(s.record(i).size) == 64 for i in final)
    summary = s.export.zip()
    assert summary.images == 8
    reg.close_all()


def test_character_lora_preset_end_to_end_on_fake_models(tmp_path, fake_hub):
    """The preset as a user starts it. Fakes: every image is 'normal' and 'bangumi' when bright, every detector
    finds one box (so one face, one person crop), CCIP and LPIPS features are the mean colour (so all crops of
    one colour are one character and LPIPS duplicates of each other)."""
    from tests.fakehub import install_fake_hub, put_detector

    install_fake_hub(fake_hub)
    # a box large enough for crops above the preset's 256 px floor
    always = {"boxes": [(320.0, 320.0, 560.0, 400.0)], "scores": [[(0.0, 0.0, 0.0, 0.9)]]}
    put_detector(fake_hub, "faces", dict(always, names=["face"]))
    put_detector(fake_hub, "person", dict(always, names=["person"]))
    folder = tmp_path / "pink"
    folder.mkdir()
    for n in range(16):
        Image.new("RGB", (640 + 4 * n, 480), (255, 220, 220)).save(folder / f"p{n:02d}.png")
    reg = SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"))
    s = reg.create()
    s.inputs.add_folder(str(folder))
    s.pipeline.load_preset("character LoRA")
    assert all(st.available for st in s.runs.model_report().values())
    run = s.runs.start()
    assert run.status == "done", run.message
    assert [st.status for st in run.steps] == ["done"] * 16
    kept = [r["kept"] for r in s.runs.counts()]
    assert kept[:9] == [16] * 9  # both size floors pass (480 px images, 300 px crops); CCIP: one character
    assert min(s.record(run.steps[7].output_ids[0]).size) == 300
    lpips_step = run.steps[9]
    drops = list(lpips_step.dropped.values())
    assert [s.record(i).meta["filename"] for i in lpips_step.output_ids] == ["p00_person0.png", "p15_person0.png"]
    assert len(drops) == 14 and all(d.duplicate_of == "p00_person0.png" for d in drops)
    assert kept[9:] == [2, 1, 1, 1, 1, 1, 1] and len(s.dataset.ids()) == 1  # the hash dedup catches the widest crop
    final = s.record(s.dataset.ids()[0])
    assert final.meta["filename"] == "1.png"  # renamed in order
    reg.close_all()


def test_ccip_review_with_the_real_review_functions(tmp_path, full_fake_hub, monkeypatch):
    """Red and green images are two characters for the fake CCIP model (features = mean colour)."""
    from tests.fakehub import GREEN

    folder = tmp_path / "two"
    folder.mkdir()
    Image.new("RGB", (70, 48), BLUE).save(folder / "b.png")
    for n in range(8):
        Image.new("RGB", (64 + n, 48), GREEN).save(folder / f"g{n}.png")
        Image.new("RGB", (64 + n, 48), RED).save(folder / f"r{n}.png")
    reg = SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"))
    s = reg.create()
    s.inputs.add_folder(str(folder))
    uid = s.pipeline.add_step("CCIPAction", {"min_val_count": 5, "step": 1})
    s.runs.start()
    greens = [f"in{n:05d}" for n in range(2, 10)]
    reds = [f"in{n:05d}" for n in range(10, 18)]
    assert [s.record(i).meta["filename"][0] for i in greens + reds] == ["g"] * 8 + ["r"] * 8
    feeds = record_feeds(monkeypatch)
    view = s.characters.clusters()
    assert sorted(c.ids for c in view.clusters) == [greens, reds] and view.noise == ["in00001"]
    assert view.target == s.runs.last.step(uid).output_ids
    # only the metric model ran, on the cached features (no image went through the feature model)
    assert [tuple(feed["input"].shape) for _, feed in feeds] == [(17, 768)]
    feeds.clear()
    again = s.characters.clusters(threshold=0.1)  # the slider: DBSCAN at the threshold, from the cached matrix
    assert sorted(c.ids for c in again.clusters) == [greens, reds]
    assert feeds == []
    red_label = [c.label for c in again.clusters if c.ids == reds][0]
    s.characters.choose([red_label])
    s.characters.move("in00001", into_target=True)
    run = s.runs.start()
    assert run.step(uid).output_ids == ["in00001"] + reds
    assert run.step(uid).dropped["in00002"].reason == "not in the chosen character cluster(s)"
    reg.close_all()


def test_lpips_duplicate_review_with_the_real_functions(tmp_path, full_fake_hub, monkeypatch):
    """Same colour = LPIPS distance 0 for the fake model; only similar aspect ratios are compared."""
    from tests.fakehub import GREEN

    folder = tmp_path / "dups"
    folder.mkdir()
    for name, colour, size in [("a", RED, (64, 48)), ("b", RED, (128, 96)), ("c", RED, (96, 72)),
                               ("d", GREEN, (80, 60)), ("e", GREEN, (160, 120)), ("f", BLUE, (64, 48)),
                               ("g", RED, (48, 96))]:  # g: red but another aspect ratio
        Image.new("RGB", size, colour).save(folder / f"{name}.png")
    reg = SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"))
    s = reg.create()
    s.inputs.add_folder(str(folder))
    uid = s.pipeline.add_step("FilterSimilarAction")
    run = s.runs.start()
    assert run.step(uid).output_ids == ["in00001", "in00004", "in00006", "in00007"]  # first seen wins
    view = s.duplicates.groups()
    assert (view.method, view.uid, view.threshold) == ("lpips", uid, 0.45)
    assert [(g.ids, g.keeper) for g in view.groups] == [(["in00002", "in00003", "in00001"], "in00002"),
                                                        (["in00005", "in00004"], "in00005")]
    feeds = record_feeds(monkeypatch)
    assert [g.ids for g in s.duplicates.groups(threshold=0.2).groups] == [["in00002", "in00003", "in00001"],
                                                                         ["in00005", "in00004"]]
    assert feeds == []  # a new threshold re-groups from the cached distances
    s.duplicates.set_keeper("in00003")
    s.duplicates.apply()
    step = s.runs.start().step(uid)
    assert step.output_ids == ["in00003", "in00005", "in00006", "in00007"]
    assert step.dropped["in00002"].duplicate_of == "c.png" and step.dropped["in00004"].duplicate_of == "e.png"
    assert step.dropped["in00002"].reason == "duplicate of c.png (kept by review)"  # file names, never ids
    reg.close_all()


def test_generated_script_with_model_steps_matches_the_session(tmp_path, full_fake_hub):
    import zipfile

    folder = tmp_path / "src"
    folder.mkdir()
    for n, colour in enumerate([RED, BLUE, RED]):
        Image.new("RGB", (640 + 16 * n, 480), colour).save(folder / f"c{n}.png")
    reg = SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"))
    s = reg.create()
    s.inputs.add_folder(str(folder))
    s.pipeline.add_step("FaceCountAction", {"counts": [1]})
    s.pipeline.add_step("PersonSplitAction")
    s.pipeline.add_step("AlignMaxSizeAction", {"max_size": 96})
    s.pipeline.add_step("TaggingAction")
    s.runs.start()
    with zipfile.ZipFile(s.export.zip(layout="textual_inversion").path) as z:
        from_session = {n: z.read(n) for n in z.namelist()}
    out = tmp_path / "out"
    script = s.script(str(folder), f"TextualInversionExporter({str(out)!r})")
    exec(compile(script, "generated", "exec"), {"__name__": "__main__"})
    from_script = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(from_session) == ["c0_person0.png", "c0_person0.txt", "c2_person0.png", "c2_person0.txt"]
    assert sorted(from_script) == sorted(from_session)
    for name in from_session:
        if name.endswith(".txt"):
            assert from_session[name] == from_script[name]
        else:
            import io
            a, b = Image.open(io.BytesIO(from_session[name])), Image.open(io.BytesIO(from_script[name]))
            assert a.size == b.size and a.tobytes() == b.tobytes()
    reg.close_all()
