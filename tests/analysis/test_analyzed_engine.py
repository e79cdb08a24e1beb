"""The windowed engine of model-backed actions, with a model-free AnalyzedAction."""

import copy

import numpy as np
import pytest
from PIL import Image

from waifuc_ui.action import ActionStop, FirstNSelectAction
from waifuc_ui.action.analyzed import AnalyzedFilterAction
from waifuc_ui.action.base import Verdict
from waifuc_ui.analysis import AnalysisCache, use_analysis_cache
from waifuc_ui.core.report import collect_report
from waifuc_ui.model import ImageItem
from waifuc_ui.source.base import BaseDataSource

POISON = (13, 13, 13)  # the fake model raises on this colour


class MeanFilter(AnalyzedFilterAction):
    """Keeps images whose red mean >= ``minimum``; records every batch it analyses."""

    def __init__(self, minimum=100):
        self.minimum = minimum
        self.batches = []

    def analysis_key(self):
        return {"func": "red_mean"}

    def analyze(self, images):
        self.batches.append(len(images))
        out = []
        for im in images:
            px = im.convert("RGB").getpixel((0, 0))
            if px == POISON:
                raise RuntimeError("model cannot take this image")
            out.append({"red": float(np.asarray(im.convert("RGB"))[..., 0].mean()), "mode": im.mode})
        return out

    def verdict(self, item, analysis):
        return Verdict(analysis["red"] >= self.minimum, "not red enough", score=analysis["red"],
                       threshold=self.minimum)


class Src(BaseDataSource):
    def __init__(self, images):
        self.images = images
        self.pulled = 0

    def _iter(self):
        for i, im in enumerate(self.images):
            self.pulled += 1
            yield ImageItem(im, {"filename": f"{i}.png"})


def red(v, size=(4, 4), mode="RGB"):
    return Image.new("RGB", size, (v, 0, 0)).convert(mode)


@pytest.fixture
def cache(tmp_path):
    with use_analysis_cache(AnalysisCache(tmp_path / "c")) as c:
        yield c


def test_windows_grow_and_each_is_one_batch(cache):
    action = MeanFilter(minimum=0)
    with collect_report():
        out = list(action.iter_from(iter([ImageItem(red(i)) for i in range(70)])))
    assert len(out) == 70
    assert action.batches == [4, 8, 16, 32, 10]


def test_duplicates_in_a_window_are_analysed_once_and_cache_serves_reruns(cache):
    images = [red(200), red(200), red(50), red(200)]
    action = MeanFilter()
    with collect_report() as report:
        out = list(action.iter_from(iter([ImageItem(im, {"filename": f"{i}"}) for i, im in enumerate(images)])))
    assert [i.meta["filename"] for i in out] == ["0", "1", "3"]
    assert action.batches == [2] and cache.stats.writes == 2
    assert report.dropped[0].reason == "not red enough" and report.dropped[0].score == 50.0
    again = MeanFilter(minimum=10)
    out = list(again.iter_from(iter([ImageItem(im) for im in images])))
    assert len(out) == 4 and again.batches == []


def test_first_n_bounds_the_over_pull(cache):
    source = Src([red(200) for _ in range(1000)])
    out = list(source.attach(MeanFilter(), FirstNSelectAction(5)))
    assert len(out) == 5
    assert source.pulled == 12  # windows of 4 then 8: the 5th item came from the second window (7 extra)


def test_window_size_one_is_waifucs_one_at_a_time(cache):
    action = MeanFilter()
    action.window_size = 1
    list(action.iter_from(iter([ImageItem(red(200 + i)) for i in range(5)])))
    assert action.batches == [1, 1, 1, 1, 1]


def test_bad_images_are_dropped_with_reasons_and_the_run_goes_on(cache):
    empty = Image.new("RGB", (0, 0))
    deep = Image.fromarray(np.full((4, 4), 51400, dtype=np.uint16))  # I;16 -> L 200 (51400 / 257)
    images = [red(200), empty, Image.new("RGB", (4, 4), POISON), deep, red(150, mode="CMYK")]
    action = MeanFilter(minimum=100)
    with collect_report() as report:
        out = list(action.iter_from(iter([ImageItem(im, {"filename": f"{i}"}) for i, im in enumerate(images)])))
    assert [i.meta["filename"] for i in out] == ["0", "3", "4"]
    reasons = {d.filename: d.reason for d in report.dropped}
    assert reasons["1"] == "empty image (0x0 pixels)"
    assert reasons["2"].startswith("the model could not take this image: RuntimeError")
    # window 1: the empty image never reaches the model; the failing batch of 3 is retried one by one
    assert action.batches == [3, 1, 1, 1, 1]


def test_action_stop_from_a_decision_ends_the_stream(cache):
    class StopAtDark(MeanFilter):
        def decide(self, item, analysis):
            if analysis["red"] < 100:
                raise ActionStop
            yield item

    out = list(StopAtDark().iter_from(iter([ImageItem(red(v)) for v in (200, 210, 20, 220)])))
    assert len(out) == 2


def test_used_template_deep_copies_without_run_state(cache):
    action = MeanFilter()
    assert action(ImageItem(red(200))) is True  # direct call, waifuc style, starts a run state
    clone = copy.deepcopy(action)
    assert clone._run is None and action._run is not None
    assert list(clone.iter_from(iter([ImageItem(red(10))]))) == []


def test_no_cache_context_means_every_lookup_misses(tmp_path):
    with use_analysis_cache(None) as c:
        action = MeanFilter()
        list(action.iter_from(iter([ImageItem(red(200))])))
        list(MeanFilter().iter_from(iter([ImageItem(red(200))])))
    assert c.stats.hits == 0 and c.stats.misses == 2


def test_a_configuration_error_is_raised_not_blamed_on_the_images(cache):
    from waifuc_ui.core.errors import InvalidOptionError

    class BadOption(MeanFilter):
        def analyze(self, images):
            raise InvalidOptionError("model_name", "nope", ["a", "b"])

    with pytest.raises(InvalidOptionError, match="'nope'"):
        list(BadOption().iter_from(iter([ImageItem(red(200))])))
