"""The duplicate review over real images: which step decides, file names in reasons, the scope of the comparison,
"not a duplicate" splits kept by image, and the result equal to the export."""

import os
import shutil

from PIL import Image

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "demo")


def demo_folder(tmp_path, names, copies=()):
    """Demo files ``names`` plus near-duplicate copies made here: ``copies`` = (source, new name, scale, quality)."""
    folder = tmp_path / "images"
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(os.path.join(DEMO, name), folder / name)
    for source, name, scale, quality in copies:
        with Image.open(os.path.join(DEMO, source)) as im:
            im = im.convert("RGB")
            im = im.resize((round(im.width * scale), round(im.height * scale)), Image.Resampling.BICUBIC)
            im.save(folder / name, quality=quality)
    return str(folder)


def ids_by_name(session):
    return {session.record(i).meta["filename"]: i for i in session.inputs.ids}


def test_hash_review_decisions_land_under_the_hash_dedup_step_not_a_skipped_lpips_step(registry, tmp_path):
    folder = demo_folder(tmp_path, ["aoi_01.png", "beni_01.png"], [("aoi_01.png", "aoi_01_small.jpg", 0.5, 70)])
    s = registry.create()
    s.inputs.add_folder(folder)
    lpips_uid = s.pipeline.add_step("FilterSimilarAction")  # no LPIPS model in the test cache: skipped
    hash_uid = s.pipeline.add_step("HashDedupAction", {"max_distance": 0})
    run = s.runs.start(fetch_models=False)
    assert run.step(lpips_uid).status == "unavailable"
    view = s.duplicates.groups()  # the LPIPS step was skipped: automatic compares by hash, and says why
    assert (view.method, view.uid) == ("phash", hash_uid)
    assert view.note == "FilterSimilarAction was skipped (its LPIPS model is missing): compared by perceptual hash"
    s.duplicates.apply()
    run = s.runs.start(fetch_models=False)
    names = ids_by_name(s)
    assert run.step(lpips_uid).dropped == {}
    record = run.step(hash_uid).dropped[names["aoi_01_small.jpg"]]
    assert record.reason == "duplicate of aoi_01.png (kept by review)"
    assert record.duplicate_of == "aoi_01.png"
    assert sorted(s.record(i).meta["filename"] for i in s.dataset.ids()) == ["aoi_01.png", "beni_01.png"]


# a set with three real near-duplicate pairs made here and two distinct look-alikes (aoi_01 / aoi_04)
STANDARD = (["aoi_01.png", "aoi_04.jpg", "beni_01.png", "kiiro_01.png"],
            [("aoi_01.png", "aoi_01_small.jpg", 0.5, 70),  # 384x256: MinSizeFilterAction(300) drops it
             ("beni_01.png", "beni_01_big.jpg", 1.25, 85),  # larger than its source: the default keeper
             ("kiiro_01.png", "kiiro_01_q60.jpg", 1.0, 60)])  # same size: the PNG is kept


def standard_session(registry, tmp_path, **kw):
    s = registry.create(**kw)
    s.inputs.add_folder(demo_folder(tmp_path, *STANDARD))
    s.size_uid = s.pipeline.add_step("MinSizeFilterAction", {"min_size": 300})
    s.hash_uid = s.pipeline.add_step("HashDedupAction")
    s.runs.start()
    return s


def names_of(session, ids):
    return sorted(session.duplicates.name(i) for i in ids)


def zip_images(summary):
    import zipfile

    with zipfile.ZipFile(summary.path) as z:
        return sorted(n for n in z.namelist() if n.lower().endswith((".png", ".jpg", ".jpeg", ".webp")))


def test_every_image_of_the_session_is_compared_and_each_says_where_it_stands(registry, tmp_path):
    s = standard_session(registry, tmp_path)
    view = s.duplicates.groups()
    assert (view.method, view.uid, view.scope, view.threshold) == ("phash", s.hash_uid, "session", 4)
    assert (len(view.pool), len(view.reaching), view.dropped_earlier) == (7, 6, 1)
    assert [names_of(s, g.ids) for g in view.groups] == [
        ["aoi_01.png", "aoi_01_small.jpg"], ["beni_01.png", "beni_01_big.jpg"], ["kiiro_01.png", "kiiro_01_q60.jpg"]]
    by_name = {s.duplicates.name(i): i for i in view.pool}
    standing = {n: view.standing[i] for n, i in by_name.items()}
    assert standing["aoi_01_small.jpg"] == "dropped by 1. MinSizeFilterAction"
    # the step's own choice before any review: first seen wins
    assert standing["beni_01_big.jpg"] == "dropped by 2. HashDedupAction"
    assert standing["aoi_04.jpg"] == standing["aoi_01.png"] == "in the dataset"
    keepers = {s.duplicates.name(g.keeper): g.why for g in view.groups}
    assert keepers == {"aoi_01.png": "largest picture", "beni_01_big.jpg": "largest picture",
                       "kiiro_01.png": "PNG, not re-encoded, at the same size"}
    only_step = s.duplicates.groups(scope="step")
    assert (len(only_step.pool), only_step.dropped_earlier) == (6, 0)
    assert [names_of(s, g.ids) for g in only_step.groups] == [["beni_01.png", "beni_01_big.jpg"],
                                                              ["kiiro_01.png", "kiiro_01_q60.jpg"]]
    assert s.duplicates.groups().scope == "step"  # the choice holds until changed


def test_a_keeper_dropped_earlier_gives_way_to_the_best_member_reaching_the_step_and_the_export_agrees(
        registry, tmp_path):
    s = standard_session(registry, tmp_path)
    by_name = {s.duplicates.name(i): i for i in s.duplicates.groups().pool}
    view = s.duplicates.set_keeper(by_name["aoi_01_small.jpg"])
    group = view.group_of(by_name["aoi_01.png"])
    assert group.keeper == by_name["aoi_01_small.jpg"] and group.kept == by_name["aoi_01.png"]
    assert not group.keeper_reaches and group.why == "chosen by you"
    assert {s.duplicates.name(i): s.duplicates.name(k) for i, k in view.removed.items()} == {
        "beni_01.png": "beni_01_big.jpg", "kiiro_01_q60.jpg": "kiiro_01.png"}
    s.duplicates.apply()
    run = s.runs.start()
    step = run.step(s.hash_uid)
    assert {r.filename: r.reason for r in step.dropped.values()} == {
        "beni_01.png": "duplicate of beni_01_big.jpg (kept by review)",
        "kiiro_01_q60.jpg": "duplicate of kiiro_01.png (kept by review)"}
    final = ["aoi_01.png", "aoi_04.jpg", "beni_01_big.jpg", "kiiro_01.png"]
    assert names_of(s, s.dataset.ids()) == final
    again = s.duplicates.groups()
    assert again.applied and again.standing[by_name["beni_01.png"]] == "dropped by 2. HashDedupAction"
    summary = s.export.zip(name="after_review")
    assert summary.images == len(zip_images(summary)) == len(final)


def test_not_a_duplicate_holds_across_thresholds_methods_runs_added_images_and_reopening(registry, tmp_path):
    from waifuc_ui.session import ReviewModels

    secret = "s" * 32
    s = standard_session(registry, tmp_path, secret=secret)
    by_name = {s.duplicates.name(i): i for i in s.duplicates.groups().pool}
    view = s.duplicates.not_duplicate([by_name["kiiro_01_q60.jpg"]])
    assert [names_of(s, g.ids) for g in view.groups] == [["aoi_01.png", "aoi_01_small.jpg"],
                                                         ["beni_01.png", "beni_01_big.jpg"]]
    assert names_of(s, view.apart) == ["kiiro_01_q60.jpg"]
    assert all(by_name["kiiro_01_q60.jpg"] not in g.ids for g in s.duplicates.groups(threshold=12).groups)
    s.duplicates.groups(threshold=4)
    s.duplicates.apply()
    s.runs.start()
    assert "kiiro_01_q60.jpg" in names_of(s, s.dataset.ids())  # not a duplicate: it stays
    # another method: the injected LPIPS grouping puts the kiiro pair together; the split still holds
    s._lpips = lambda items, threshold: [[n for n, it in enumerate(items) if "kiiro" in it.meta["filename"]]]
    object.__setattr__(s.duplicates, "_models", ReviewModels(lpips_groups=s._lpips))
    assert s.duplicates.groups(threshold=0.3, method="lpips").groups == []
    s.duplicates.groups(method="phash")
    # an added copy of kiiro_01 groups with it, the image set apart stays alone
    s.inputs.add_folder(demo_folder(tmp_path / "more", [], [("kiiro_01.png", "kiiro_01_half.jpg", 0.5, 90)]))
    s.runs.start()
    view = s.duplicates.groups()
    assert ["kiiro_01.png", "kiiro_01_half.jpg"] in [names_of(s, g.ids) for g in view.groups]
    assert names_of(s, s.dataset.ids()).count("kiiro_01_half.jpg") == 0  # the applied review took it in
    assert "kiiro_01_q60.jpg" in names_of(s, s.dataset.ids())
    # save and reopen in a new registry (a restarted server)
    s.save()
    from waifuc_ui.session import SessionRegistry

    registry.release_all()
    other = SessionRegistry(registry.workspaces.root, ttl_seconds=60, cache_dir=str(tmp_path / "cache"))
    again = other.reopen(s.id, secret)
    assert again is not None and again is not s
    view = again.duplicates.groups()
    assert names_of(again, view.apart) == ["kiiro_01_q60.jpg"]
    assert [s2.to_dict() for s2 in again.duplicates.splits()] == [s2.to_dict() for s2 in s.duplicates.splits()]
    # regroup undoes the split: the copy joins its group again, and the applied review drops it on the next run
    view = again.duplicates.regroup()
    assert ["kiiro_01.png", "kiiro_01_half.jpg", "kiiro_01_q60.jpg"] in [names_of(again, g.ids) for g in view.groups]
    again.runs.start()
    assert names_of(again, again.dataset.ids()) == ["aoi_01.png", "aoi_04.jpg", "beni_01_big.jpg", "kiiro_01.png"]
    other.close_all()


DEMO_FAMILIES = [["aoi_01.png", "aoi_01_again.png", "aoi_01_copy.webp"],
                 ["aoi_03.png", "aoi_03_noise.jpg", "aoi_03_smaller.png"],
                 ["beni_03.png", "beni_03_copy.png"], ["beni_05.png", "beni_05_reencoded.jpg"]]


def test_hashing_groups_the_demo_copies_and_never_two_distinct_demo_drawings(registry, tmp_path):
    """The old default (10 bits) put aoi_04 with aoi_01; measured on the demo set: copies differ by at most 4 pHash
    bits, distinct drawings by 8 or more (beni_01/beni_02: 8, aoi_01/aoi_04: 10)."""
    s = registry.create()
    s.inputs.load_demo()
    s.runs.start()
    view = s.duplicates.groups(method="phash")  # no dedup step: the review decides at the end, default 6 bits
    assert (view.uid, view.threshold) == ("final", 6)
    assert sorted(names_of(s, g.ids) for g in view.groups) == DEMO_FAMILIES
    old_default = s.duplicates.groups(threshold=10)
    assert ["aoi_01.png", "aoi_01_again.png", "aoi_01_copy.webp", "aoi_04.jpg"] in [
        names_of(s, g.ids) for g in old_default.groups]
    # real near duplicates made here (half size as JPEG q50, 1.5x as PNG) still group with their source
    sources = ("aoi_02.jpg", "beni_04.jpg", "kiiro_03.png", "scenery_01.jpg", "tiny_thumb_kiiro.jpg")
    copies = [(name, f"{name[:-4]}_{tail}", scale, 50) for name in sources
              for tail, scale in (("half.jpg", 0.5), ("big.png", 1.5))]
    s.inputs.add_folder(demo_folder(tmp_path, [], copies))
    s.runs.start()
    families = sorted(names_of(s, g.ids) for g in s.duplicates.groups(threshold=6).groups)
    assert families == sorted(DEMO_FAMILIES + [sorted([src, f"{src[:-4]}_half.jpg", f"{src[:-4]}_big.png"])
                                               for src in sources])
    # HashDedupAction at its default drops exactly the copies, each as a duplicate of its own family
    uid = s.pipeline.add_step("HashDedupAction")
    dropped = {r.filename: r.duplicate_of for r in s.runs.start().step(uid).dropped.values()}
    family_of = {n: tuple(f) for f in families for n in f}
    assert len(dropped) == sum(len(f) - 1 for f in families)
    assert all(family_of[name] == family_of[kept] for name, kept in dropped.items())


def test_the_default_keeper_is_the_original_not_a_png_made_from_a_jpeg(registry, tmp_path):
    import io

    folder = tmp_path / "keeper"
    folder.mkdir()
    with Image.open(os.path.join(DEMO, "kiiro_03.png")) as im:
        original = im.convert("RGB")
    buffer = io.BytesIO()
    original.save(buffer, "JPEG", quality=85)
    with Image.open(buffer) as decoded:  # a PNG saved from a JPEG: lossless file, JPEG pixels
        decoded.convert("RGB").save(folder / "a_from_jpeg.png")
    original.save(folder / "b_original.png")
    original.save(folder / "c_copy.jpg", quality=95)
    original.resize((original.width // 2, original.height // 2)).save(folder / "d_small.png")
    s = registry.create()
    s.inputs.add_folder(str(folder))
    s.runs.start()
    (group,) = s.duplicates.groups().groups
    assert [s.duplicates.name(i) for i in group.ids] == ["b_original.png", "a_from_jpeg.png", "c_copy.jpg",
                                                         "d_small.png"]
    assert group.why == "PNG, not re-encoded, at the same size"
