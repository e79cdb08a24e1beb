"""The duplicate review over real images: which step decides, file names in reasons, the scope of the comparison,
"not a duplicate" splits kept by image, and the result equal to the export."""

import os
import shutil

import pytest
from PIL import Image

DEMO = os.path.join(os.path.dirname(__file__), "..", "..", "assets", "demo")


def demo_folder(tmp_path, names, copies=()):
    """Demo files ``names`` plus near-duplicate copies made here: ``copies`` = (source, new name, scale, quality)."""
    folder = tmp_path / "images"
    folder.mkdir(exist_ok=True)
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
    view = s.duplicates.groups(method="phash")
    assert view.uid == hash_uid
    s.duplicates.apply()
    run = s.runs.start(fetch_models=False)
    names = ids_by_name(s)
    assert run.step(lpips_uid).dropped == {}
    record = run.step(hash_uid).dropped[names["aoi_01_small.jpg"]]
    assert record.reason == "duplicate of aoi_01.png (kept by review)"
    assert record.duplicate_of == "aoi_01.png"
    assert sorted(s.record(i).meta["filename"] for i in s.dataset.ids()) == ["aoi_01.png", "beni_01.png"]
