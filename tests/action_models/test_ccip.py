"""CCIPAction's state machine on synthetic features with a crafted difference function.

Features are [kind, index]; differences: same index 1e-7, same kind 0.05, tight vs loose 0.3,
bridge vs any main-character kind 0.05, other character 0.8 (threshold 0.1785, OPTICS eps 0.5).
"""

import numpy as np
import pytest
from model_action_helpers import solid

from waifuc_ui.action import CCIPAction, FirstNSelectAction
from waifuc_ui.core.report import collect_report
from waifuc_ui.model import ImageItem

KIND = {"T": 0, "L": 1, "G": 2, "B": 3}  # tight, loose, bridge (all one character), B another character
MAIN = {0, 1, 2}


def crafted_differences(feats):
    f = np.stack(feats)
    kind, idx = f[:, 0].astype(int), f[:, 1].astype(int)
    n = len(f)
    d = np.full((n, n), 0.8, np.float32)
    for i in range(n):
        for j in range(n):
            a, b = kind[i], kind[j]
            if idx[i] == idx[j]:
                d[i, j] = 1e-7
            elif a == b:
                d[i, j] = 0.05
            elif a in MAIN and b in MAIN:
                d[i, j] = 0.05 if 2 in (a, b) else 0.3
    return d


def stream(kinds, prefix="s", start=0):
    return [ImageItem(solid((9, 9, 9), (8, 8)), {"filename": f"{prefix}{i}_{k}",
                                                "ccip_feature": [float(KIND[k]), float(start + i)]})
            for i, k in enumerate(kinds)]


class ItemsSource:
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        yield from self.items


def run_ccip(items, window=32, **kw):
    action = CCIPAction(**kw)
    action.differences = crafted_differences
    action.window_size = window
    with collect_report() as report:
        out = list(action.iter_from(iter(items)))
    return [i.meta["filename"] for i in out], report


@pytest.mark.parametrize("window", [1, 4, 32])
def test_two_character_mix_keeps_the_main_one(full_fake_hub, cache, window):
    kinds = ["B" if i in (3, 7, 11) else "T" for i in range(15)] + list("TBTTBTT")
    out, report = run_ccip(stream(kinds), window=window)
    first15 = [f"s{i}_T" for i in range(15) if i not in (3, 7, 11)]
    assert out == first15 + ["s15_T", "s17_T", "s18_T", "s20_T", "s21_T"]
    reasons = [(d.filename, d.reason) for d in report.dropped]
    main = "not in the main character's cluster (12 of 15 images)"
    assert reasons == [("s3_B", main), ("s7_B", main), ("s11_B", main),
                       ("s16_B", "a different character (matches too few accepted images)"),
                       ("s19_B", "a different character (matches too few accepted images)")]
    assert report.dropped[0].score is None and report.dropped[0].threshold is None  # a cluster, not a score
    assert report.dropped[3].score == 0.0 and report.dropped[3].threshold == 0.5


def test_fifty_fifty_mix_stays_in_approach_and_outputs_nothing(full_fake_hub, cache):
    out, report = run_ccip(stream(["T" if i % 2 == 0 else "B" for i in range(20)]))
    assert out == []
    assert len(report.dropped) == 20
    assert report.dropped[0].reason.startswith("the stream ended before CCIP found a main character (20 images")


def test_fewer_than_min_val_count_inputs_give_nothing(full_fake_hub, cache):
    out, report = run_ccip(stream(["T"] * 14))
    assert out == [] and len(report.dropped) == 14
    out, _ = run_ccip(stream(["T"] * 15))
    assert out == [f"s{i}_T" for i in range(15)]


def test_unreleased_cluster_members_are_released_later(full_fake_hub, cache):
    # 11 tight + 4 loose cluster together; loose ones match 4/15 < cmp 0.3 and wait; after 5 bridges are
    # accepted the step check re-tests them: (4 + 5) / 20 >= 0.3, so they come out after the 5th bridge.
    kinds = list("TTLTTLTTLTTLTTT") + list("GGGGG") + ["T"]
    items = stream(kinds)
    out, report = run_ccip(items, cmp_threshold=0.3)
    tight = [f"s{i}_T" for i, k in enumerate(kinds[:15]) if k == "T"]
    loose = [f"s{i}_L" for i, k in enumerate(kinds[:15]) if k == "L"]
    assert out == tight + [f"s{i}_G" for i in range(15, 20)] + loose + ["s20_T"]
    assert report.dropped == []


def test_members_never_released_are_reported_at_the_end(full_fake_hub, cache):
    kinds = list("TTLTTLTTLTTLTTT") + list("TTTTT")
    out, report = run_ccip(stream(kinds))
    assert [d.filename for d in report.dropped] == ["s2_L", "s5_L", "s8_L", "s11_L"]
    assert report.dropped[0].reason == "in the main cluster but never matched enough accepted images"
    assert len(out) == 16


def test_init_source_anchors_come_first_then_infer(full_fake_hub, cache):
    anchors = ItemsSource(stream(["T", "T", "T"], prefix="a", start=100))
    out, report = run_ccip(stream(list("TBTT")), init_source=anchors)
    assert out == ["a0_T", "a1_T", "a2_T", "s0_T", "s2_T", "s3_T"]
    assert [d.filename for d in report.dropped] == ["s1_B"]


def test_first_n_downstream_stops_early(full_fake_hub, cache):
    from waifuc_ui.source.base import BaseDataSource

    class Src(BaseDataSource):
        pulled = 0

        def _iter(self):
            for it in stream(["T"] * 100):
                Src.pulled += 1
                yield it

    action = CCIPAction()
    action.differences = crafted_differences
    out = list(Src().attach(action, FirstNSelectAction(3)))
    assert [i.meta["filename"] for i in out] == ["s0_T", "s1_T", "s2_T"]
    # clustering needs 15 items; windows grow 4, 8, 16: at most 28 pulled
    assert Src.pulled <= 28


def test_features_come_from_the_model_and_the_cache(full_fake_hub, cache):
    from model_action_helpers import BLUE, RED

    # fake CCIP: feature = mean colour pattern; red vs red differ by 0, red vs blue by 1 (metric gain 10)
    items = [ImageItem(solid(RED if i % 5 else BLUE), {"filename": f"i{i}"}) for i in range(20)]
    action = CCIPAction()
    with collect_report() as report:
        out = list(action.iter_from(iter(items)))
    kept = [i.meta["filename"] for i in out]
    assert kept == [f"i{i}" for i in range(20) if i % 5]
    assert cache.stats.writes == 2  # two distinct images: one feature each
    assert len(report.dropped) == 4



class UnreadableCCIP(CCIPAction):
    """Items without a cached feature go to a model that cannot take them."""

    def analyze(self, images):
        raise RuntimeError("cannot take this image")


@pytest.mark.parametrize("window", [1, 4, 32])
def test_images_the_model_cannot_take_are_dropped_and_the_state_machine_goes_on(full_fake_hub, cache, window):
    items = stream(["T"] * 20)
    bad = [ImageItem(solid((13, 13, 13), (8, 8)), {"filename": f"bad{i}"}) for i in range(2)]
    items = items[:5] + [bad[0]] + items[5:17] + [bad[1]] + items[17:]  # one in INIT, one in INFER
    action = UnreadableCCIP()
    action.differences = crafted_differences
    action.window_size = window
    with collect_report() as report:
        out = [i.meta["filename"] for i in action.iter_from(iter(items))]
    assert out == [f"s{i}_T" for i in range(20)]
    assert [d.filename for d in report.dropped] == ["bad0", "bad1"]
    assert report.dropped[0].reason.startswith("the model could not take this image: RuntimeError")
