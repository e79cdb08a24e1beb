"""The seed chain over the fake hub: a cached re-run with other thresholds gives exactly what a fresh,
uncached run with those thresholds gives, without running the image models again."""

import numpy as np
import pytest
from model_action_helpers import CountingSource
from PIL import Image

from tests.fakehub import put_classifier, put_detector
from waifuc_ui.action import (
    CCIPAction,
    ClassFilterAction,
    FaceCountAction,
    FilterSimilarAction,
    ModeConvertAction,
    NoMonochromeAction,
    PersonSplitAction,
    TaggingAction,
)
from waifuc_ui.analysis import AnalysisCache, use_analysis_cache
from waifuc_ui.core.report import collect_report


def images(n=24, seed=3):
    rng = np.random.default_rng(seed)
    return [(Image.new("RGB", (int(rng.integers(40, 90)), int(rng.integers(30, 70))),
                       tuple(int(v) for v in rng.uniform(0, 255, 3))), {"filename": f"i{i:02d}.png"})
            for i in range(n)]


def chain(t):
    return [ModeConvertAction(), NoMonochromeAction(), ClassFilterAction(["illustration", "bangumi", "comic"]),
            FaceCountAction(1, conf_threshold=t["face"]), PersonSplitAction(conf_threshold=t["person"]),
            CCIPAction(min_val_count=6, threshold=t["ccip"]), FilterSimilarAction(threshold=t["lpips"]),
            TaggingAction(general_threshold=t["tag"])]


def run(pairs, thresholds, cache):
    with use_analysis_cache(cache), collect_report() as report:
        out = list(CountingSource(pairs).attach(*chain(thresholds)))
    return [(i.meta["filename"], sorted(i.meta["tags"].items())) for i in out], \
        sorted((d.step, d.filename, d.reason) for d in report.dropped)


@pytest.fixture
def hub(full_fake_hub):
    from waifuc_ui.inference import specs

    put_classifier(full_fake_hub, specs.MONOCHROME, ["monochrome", "normal"],
                   [(-1 / 3, -1 / 3, -1 / 3, 0.6), (1 / 3, 1 / 3, 1 / 3, 0.4)])
    for kind, label in (("faces", "face"), ("person", "person")):
        put_detector(full_fake_hub, kind, {"boxes": [(320.0, 320.0, 400.0, 300.0)], "scores": [[(0, 0, -0.9, 0.9)]],
                                           "names": [label]})
    return full_fake_hub


A = {"face": 0.25, "person": 0.3, "ccip": 0.6, "lpips": 0.45, "tag": 0.35}
B = {"face": 0.4, "person": 0.35, "ccip": 0.4, "lpips": 0.2, "tag": 0.6}


def test_cached_rerun_with_other_thresholds_equals_a_fresh_run(hub, tmp_path, monkeypatch):
    pairs = images()
    cache = AnalysisCache(tmp_path / "cache")
    first = run(pairs, A, cache)
    assert 0 < len(first[0]) < len(pairs)

    import waifuc_ui.inference as models
    calls = []
    for name in ("ccip_batch_extract_features", "lpips_extract_feature", "wd14_predict_batch"):
        original = getattr(models, name)
        monkeypatch.setattr(models, name, lambda *a, _o=original, _n=name, **k: calls.append(_n) or _o(*a, **k))
    cached = run(pairs, B, cache)
    image_model_calls = [c for c in calls if c != "wd14_predict_batch"]
    fresh = run(pairs, B, AnalysisCache(tmp_path / "fresh"))
    assert cached == fresh
    assert cached != first
    assert image_model_calls == []  # CCIP and LPIPS features all came from the cache
