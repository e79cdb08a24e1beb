"""Both reviews in one run: the character review and the duplicate review both change what a run keeps, and one
Run ends with the dataset, the export and both summaries holding exactly the reviewed set."""

import os
import shutil
import zipfile

import pytest
from PIL import Image

from waifuc_ui.action import FilterAction
from waifuc_ui.analysis import perceptual
from waifuc_ui.pipeline import action_catalog
from waifuc_ui.session import ReviewModels, Session, Workspace
from waifuc_ui.session.runs import MAX_SETTLE_RUNS

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "demo")


class CCIPAction(FilterAction):
    """Stands in for waifuc's CCIPAction when it finds no cluster big enough (keeps nothing): the person decides."""

    def check(self, item):
        return False


def character_of(name):
    """aoi_* is the character (cluster 0), beni_* another (cluster 1), the rest noise."""
    return {"aoi": 0, "beni": 1}.get(name.split("_")[0], -1)


def copy_demo(folder, names, copies=()):
    """Demo files and near copies made here: ``copies`` = (source, new name, JPEG quality) at the same size."""
    os.makedirs(folder, exist_ok=True)
    for name in names:
        shutil.copy(os.path.join(DEMO, name), os.path.join(folder, name))
    for source, name, quality in copies:
        with Image.open(os.path.join(DEMO, source)) as im:
            im.convert("RGB").save(os.path.join(folder, name), quality=quality)
    return folder


def names_of(s, ids):
    return sorted(s.record(i).meta["filename"] for i in ids)


def exported(s):
    summary = s.export.zip(name="set")
    with zipfile.ZipFile(summary.path) as zf:
        images = sorted(os.path.basename(n) for n in zf.namelist() if n.lower().endswith((".png", ".jpg")))
    assert summary.images == len(images)
    return images


def reviewed_session(registry, tmp_path, order):
    classes = {n: spec.cls for n, spec in action_catalog().items()}
    classes.update(CCIPAction=CCIPAction)
    workspace = Workspace(registry.workspaces.root, cache_dir=str(tmp_path / "cache"))  # this test's own cache
    s = Session(workspace, catalog=action_catalog(classes),
                review_models=ReviewModels(ccip_labels=lambda items, **kw: [
                    character_of(it.meta["filename"]) for it in items]))
    s.inputs.add_folder(copy_demo(str(tmp_path / "first"), ["aoi_01.png", "aoi_04.jpg", "beni_01.png",
                                                            "kiiro_01.png"]))
    s.size_uid = s.pipeline.add_step("MinSizeFilterAction", {"min_size": 64})  # a per-item step before both
    for action in order:
        uid = s.pipeline.add_step(action)
        if action == "CCIPAction":
            s.ccip_uid = uid
        else:
            s.hash_uid = uid
    s.runs.start()
    s.characters.clusters()
    s.characters.choose([0])  # the aoi images
    s.characters.apply()
    s.duplicates.groups()
    s.duplicates.apply()
    s.runs.start()
    assert names_of(s, s.dataset.ids()) == ["aoi_01.png", "aoi_04.jpg"]
    return s


@pytest.mark.parametrize("order", [("CCIPAction", "HashDedupAction"), ("HashDedupAction", "CCIPAction")])
def test_one_run_settles_both_reviews_and_the_export_holds_exactly_the_reviewed_set(registry, tmp_path, order,
                                                                                     monkeypatch):
    s = reviewed_session(registry, tmp_path, order)
    hashed = []
    real_phash = perceptual.HASHERS["phash"]
    monkeypatch.setitem(perceptual.HASHERS, "phash", lambda image: hashed.append(image.size) or real_phash(image))
    passes = []
    run_once = s.runs.runner.run

    def counted(*args, **kw):  # every pass of the run: what each step computed (memo misses)
        result = run_once(*args, **kw)
        passes.append({sr.uid: sr.computed for sr in result.steps})
        return result

    s.runs.runner.run = counted
    # new images: another aoi drawing (follows its cluster into the target) and a same-size JPEG copy of aoi_01
    s.inputs.add_folder(copy_demo(str(tmp_path / "more"), ["aoi_05.png"], [("aoi_01.png", "aoi_01_q60.jpg", 60)]))
    result = s.runs.start()  # one Run

    final = ["aoi_01.png", "aoi_04.jpg", "aoi_05.png"]
    assert names_of(s, s.dataset.ids()) == final
    assert exported(s) == final
    characters = s.characters.current()
    # the copy reaches the CCIP step only when the dedup comes after it
    in_ccip = ["aoi_01_q60.jpg"] if order[0] == "CCIPAction" else []
    assert names_of(s, characters.target) == sorted(final + in_ccip)
    assert not characters.pending
    duplicates = s.duplicates.current()
    assert duplicates.applied and not s.runs.is_stale
    assert {s.duplicates.name(i): s.duplicates.name(k) for i, k in duplicates.removed.items()} == {
        "aoi_01_q60.jpg": "aoi_01.png"}
    assert result.passes <= MAX_SETTLE_RUNS and "did not settle" not in result.message
    assert len(passes) == result.passes >= 2
    # the repeats only re-apply decisions: the per-item step computes its two new images once, in the first pass
    assert [p[s.size_uid] for p in passes] == [2] + [0] * (len(passes) - 1)
    assert len(hashed) == 2  # each new image hashed once (the analysis cache), however often the dedup step ran


def test_a_review_that_keeps_changing_stops_at_the_bound_and_the_summary_says_so(registry, tmp_path):
    s = reviewed_session(registry, tmp_path, ("CCIPAction", "HashDedupAction"))
    flips = []

    def restless():  # a hook that changes the decisions after every run
        flips.append(1)
        s.pipeline.drop_by_hand(s.hash_uid, s.inputs.ids[len(flips) % len(s.inputs.ids)])
        return True

    s.runs.settle_hooks.append(restless)
    result = s.runs.start()
    assert result.passes == MAX_SETTLE_RUNS == len(flips)
    assert f"did not settle after {MAX_SETTLE_RUNS} runs" in result.message
    assert s.runs.is_stale  # the last change is not in the run: Run again applies it


# distinct aspect ratios (h/w): LPIPS compares only images of close ratios, so these are no duplicates of each other
SHAPES = [(48, 48), (96, 48), (48, 96), (144, 48), (48, 144), (64, 48), (48, 64), (80, 48)]


def test_with_the_real_steps_the_repeats_run_no_feature_model(tmp_path, full_fake_hub, monkeypatch):
    """CCIPAction and FilterSimilarAction on the tiny fake models (CCIP: colour is the character; LPIPS: same
    colour and close aspect ratio is a duplicate). After both reviews, two new images come in: a new red drawing
    and a larger copy of a red one; one Run settles both reviews, and only the new images meet a feature model."""
    from tests.fakehub import GREEN, RED, record_feeds
    from waifuc_ui.session import SessionRegistry

    folder = tmp_path / "first"
    folder.mkdir()
    for n, size in enumerate(SHAPES):
        Image.new("RGB", size, RED).save(folder / f"r{n}.png")
        Image.new("RGB", size, GREEN).save(folder / f"g{n}.png")
    reg = SessionRegistry(str(tmp_path / "ws"), cache_dir=str(tmp_path / "analysis"))
    s = reg.create()
    s.inputs.add_folder(str(folder))
    ccip_uid = s.pipeline.add_step("CCIPAction", {"min_val_count": 5, "step": 1})
    lpips_uid = s.pipeline.add_step("FilterSimilarAction")
    s.runs.start()
    view = s.characters.clusters()
    reds = [c.label for c in view.clusters if all(s.record(i).meta["filename"][0] == "r" for i in c.ids)]
    s.characters.choose(reds)
    s.characters.apply()
    assert names_of(s, s.dataset.ids()) == [f"r{n}.png" for n in range(len(SHAPES))]
    s.duplicates.groups()
    s.duplicates.apply()

    more = tmp_path / "more"
    more.mkdir()
    Image.new("RGB", (50, 80), RED).save(more / "r_new.png")  # h/w 1.6: no other image has that ratio
    Image.new("RGB", (96, 96), RED).save(more / "r0_big.png")  # a larger copy of r0 (48x48): the keeper
    s.inputs.add_folder(str(more))
    feeds = record_feeds(monkeypatch)
    result = s.runs.start()

    images_fed = sum(feed.shape[0] for _, inputs in feeds for feed in inputs.values() if feed.ndim == 4)
    assert images_fed == 2 * 2  # each new image once through the CCIP and the LPIPS feature models
    assert result.passes >= 2
    duplicates = s.duplicates.current()
    assert duplicates.applied and not s.characters.current().pending and not s.runs.is_stale
    assert names_of(s, s.dataset.ids()) == sorted(["r0_big.png", "r_new.png"] + [f"r{n}.png" for n in range(1, 8)])
    assert exported(s) == names_of(s, s.dataset.ids())
    r0 = next(i for i in s.inputs.ids if s.record(i).meta["filename"] == "r0.png")
    assert s.runs.last.step(lpips_uid).dropped[r0].reason == "duplicate of r0_big.png (kept by review)"
    assert len(s.runs.last.step(ccip_uid).output_ids) == len(SHAPES) + 2
    reg.close_all()
