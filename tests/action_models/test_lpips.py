"""FilterSimilarAction on the fake LPIPS (features from the mean colour, a difference model with the real
structure; see tests/fakehub.py): red (255,0,0) vs (230,0,0): 0.0169, vs (180,0,0): 0.173, vs blue: 3.23."""

import pytest
from model_action_helpers import BLUE, RED, names, solid

from waifuc_ui.action.lpips import FilterSimilarAction
from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.core.report import collect_report
from waifuc_ui.model import ImageItem

R1, R2 = (230, 0, 0), (180, 0, 0)


def pairs(*specs):
    out = []
    for i, spec in enumerate(specs):
        colour, size, group = (spec + (None, None))[:3] if isinstance(spec[0], tuple) else (spec, None, None)
        meta = {"filename": f"c{i}.png"}
        if group is not None:
            meta["group_id"] = group
        out.append((solid(colour, size or (64, 48)), meta))
    return out


def test_distances_of_the_fake_model(full_fake_hub):
    from waifuc_ui import inference as models

    assert models.lpips_difference(solid(RED), solid(R1)) == pytest.approx(0.0169, abs=2e-4)
    assert models.lpips_difference(solid(RED), solid(R2)) == pytest.approx(0.1727, abs=2e-3)
    assert models.lpips_difference(solid(RED), solid(BLUE)) == pytest.approx(3.230, abs=1e-3)


def test_first_seen_wins_and_drops_name_the_kept_image(full_fake_hub, run):
    out, report, _ = run(pairs(RED, R1, BLUE, RED, R2), FilterSimilarAction())
    assert names(out) == ["c0.png", "c2.png"]
    assert [(d.filename, d.duplicate_of) for d in report.dropped] == [
        ("c1.png", "c0.png"), ("c3.png", "c0.png"), ("c4.png", "c0.png")]
    assert report.dropped[1].score == 0.0 and report.dropped[0].threshold == 0.45
    assert report.dropped[0].reason == "near-duplicate of c0.png"


def test_only_similar_aspect_ratios_are_compared(full_fake_hub, run):
    out, _, _ = run(pairs((RED, (64, 48)), (RED, (48, 64)), (RED, (66, 48))), FilterSimilarAction())
    assert names(out) == ["c0.png", "c1.png"]  # 48/66 is within rtol 5e-2 of 48/64; 64/48 is not


def test_group_mode_compares_within_a_group(full_fake_hub, run):
    specs = pairs((RED, None, "a"), (RED, None, "b"), (R1, None, "a"), (RED, None, None), (R1, None, None))
    out, _, _ = run(specs, FilterSimilarAction("group"))
    assert names(out) == ["c0.png", "c1.png", "c3.png"]
    with pytest.raises(InvalidOptionError, match="'all', 'group'"):
        FilterSimilarAction("global")


def test_compares_with_every_kept_image_not_a_capacity_window(full_fake_hub, run):
    # waifuc with capacity=1 would keep only the newest kept image once 2 are stored and miss c0
    colours = [RED, BLUE, (0, 255, 0), (255, 255, 0), R1]
    out, report, _ = run(pairs(*colours), FilterSimilarAction(capacity=1))
    assert names(out) == [f"c{i}.png" for i in range(4)]
    assert report.dropped[0].duplicate_of == "c0.png"


def test_rerun_reuses_distances_and_threshold_change_computes_only_new_pairs(full_fake_hub, cache):
    items = [ImageItem(solid(c), {"filename": f"c{i}.png"}) for i, c in enumerate([RED, R2, BLUE, R1, R2])]

    def go(threshold):
        action = FilterSimilarAction(threshold=threshold)
        with collect_report():
            out = list(action.iter_from(iter(items)))
        return names(out), action.pairs_computed, action.pairs_skipped

    first = go(0.45)
    assert first[0] == ["c0.png", "c2.png"] and first[1] > 0
    assert go(0.45)[:2] == (first[0], 0)  # same thresholds: every distance comes from the cache
    kept, computed, skipped = go(0.1)  # R2 vs RED = 0.173 > 0.1: R2 kept now, so pairs with R2 are new
    assert kept == ["c0.png", "c1.png", "c2.png"]
    assert 0 < computed + skipped <= 3  # new pairs: computed, or ruled out by the bound (BLUE vs R2)
    assert go(0.1)[:2] == (kept, 0)


def test_lazy_items_with_known_hash_are_not_decoded_on_a_rerun(full_fake_hub, cache):
    from waifuc_ui.analysis import image_hash

    images = [solid(c) for c in (RED, R1, BLUE)]
    loads = []

    def lazy(i):
        def loader():
            loads.append(i)
            return images[i]
        return ImageItem(loader=loader, meta={"filename": f"c{i}.png"}, content_hash=image_hash(images[i]))

    list(FilterSimilarAction().iter_from(iter([lazy(i) for i in range(3)])))
    loads.clear()
    with collect_report() as report:
        out = list(FilterSimilarAction().iter_from(iter([lazy(i) for i in range(3)])))
    assert names(out) == ["c0.png", "c2.png"] and report.dropped[0].filename == "c1.png"
    assert loads == []


def test_the_temporary_feature_file_is_deleted_when_the_run_stops(full_fake_hub, cache):
    import os

    action = FilterSimilarAction()
    gen = action.iter_from(iter([ImageItem(solid(c)) for c in (RED, BLUE, (0, 255, 0))]))
    next(gen)
    folder = action.spill_folder
    assert os.path.isdir(folder)
    gen.close()  # e.g. a later [:n] stopped the stream
    assert not os.path.exists(folder)
    assert [i.image.getpixel((0, 0)) for i in action.iter_from(iter([ImageItem(solid(RED))]))] == [RED]
