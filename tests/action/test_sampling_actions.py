import random

import pytest
from PIL import Image

from waifuc_ui.action import ArrivalAction, ProgressBarAction, RandomChoiceAction
from waifuc_ui.model import ImageItem


def _items(n):
    return [ImageItem(Image.new("L", (1, 1)), {"filename": f"{i}.png"}) for i in range(n)]


def test_random_choice_is_seeded_and_matches_rand_below_p(run):
    rng = random.Random(7)
    expected = [f"{i}.png" for i in range(20) if rng.random() < 0.3]
    out, report = run(_items(20), RandomChoiceAction(p=0.3, seed=7))
    assert [i.meta["filename"] for i in out] == expected
    assert len(report.dropped) == 20 - len(expected)
    assert report.dropped[0].reason == "not sampled (p=0.3)" and report.dropped[0].threshold is None
    again, _ = run(_items(20), RandomChoiceAction(p=0.3, seed=7))
    assert [i.meta["filename"] for i in again] == expected


def test_random_choice_extremes(run):
    assert len(run(_items(10), RandomChoiceAction(p=0.0))[0]) == 0
    assert len(run(_items(10), RandomChoiceAction(p=1.0))[0]) == 10
    with pytest.raises(ValueError, match="probability"):
        RandomChoiceAction(p=1.5)


def test_progress_actions_pass_everything_through(run):
    out, report = run(_items(5), ArrivalAction("after filter", total=5), ProgressBarAction(total=5))
    assert [i.meta["filename"] for i in out] == [f"{i}.png" for i in range(5)]
    assert report.dropped == []
    assert repr(ArrivalAction("x")) == "ArrivalAction('x', total=None)"
