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
        return names(out), action.pairs_computed + action.pairs_gram, action.pairs_skipped

    first = go(0.45)
    # one batch: each image against every earlier one, except c4 against its identical c1 (distance 0)
    assert first == (["c0.png", "c2.png"], 9, 0)
    assert go(0.45)[:2] == (first[0], 0)  # same thresholds: every distance comes from the cache
    assert go(0.1) == (["c0.png", "c1.png", "c2.png"], 0, 0)  # R2 kept now: its pairs were computed in the batch


def test_one_image_at_a_time_computes_only_the_pairs_it_needs(full_fake_hub, cache):
    items = [ImageItem(solid(c), {"filename": f"c{i}.png"}) for i, c in enumerate([RED, R2, BLUE, R1, R2])]

    def go(threshold):
        action = FilterSimilarAction(threshold=threshold)
        with collect_report():
            out = [o for i in items for o in action.iter(i)]
        return names(out), action.pairs_computed + action.pairs_gram, action.pairs_skipped

    first = go(0.45)
    assert first[0] == ["c0.png", "c2.png"] and first[1] > 0
    assert go(0.45)[:2] == (first[0], 0)
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


@pytest.mark.parametrize("mode, batch", [("all", 5), ("all", 256), ("group", 4)])
def test_batched_decisions_equal_one_image_at_a_time(full_fake_hub, tmp_path, monkeypatch, mode, batch):
    """A stream decides in batches (one Gram pass each); the result is the one-at-a-time result: same kept images,
    same drops naming the same first kept duplicate, same scores."""
    import numpy as np

    from waifuc_ui.action import lpips as lpips_action
    from waifuc_ui.analysis import AnalysisCache, use_analysis_cache

    monkeypatch.setattr(lpips_action, "PENDING_ITEMS", batch)
    rng = np.random.default_rng(4)
    items = []
    for i in range(30):
        base = rng.integers(0, 256, 3) if i % 3 == 0 or not items else np.array(items[-1][1])
        colour = tuple(int(v) for v in np.clip(base + rng.integers(-12, 13, 3), 0, 255))
        size = (64, 48) if i % 5 else (48, 64)
        items.append((size, colour, f"g{i % 2}"))

    def go(stream, folder):
        entries = [ImageItem(solid(c, size), {"filename": f"c{i}.png", "group_id": g})
                   for i, (size, c, g) in enumerate(items)]
        action = FilterSimilarAction(mode, threshold=0.3)
        with use_analysis_cache(AnalysisCache(tmp_path / folder)), collect_report() as report:
            out = list(action.iter_from(iter(entries))) if stream else [o for e in entries for o in action.iter(e)]
        return names(out), [(d.filename, d.duplicate_of, d.score) for d in report.dropped], action

    kept, drops, action = go(True, "stream")
    kept1, drops1, _ = go(False, "single")
    assert kept == kept1 and [d[:2] for d in drops] == [d[:2] for d in drops1]
    assert all(abs(a[2] - b[2]) <= 1e-9 for a, b in zip(drops, drops1))
    assert 3 <= len(drops) <= 25 and action.pairs_gram > 0
