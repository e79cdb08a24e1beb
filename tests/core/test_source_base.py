import pytest
from PIL import Image

from waifuc_ui.action import ActionStop, BaseAction, FilterAction, ProcessAction, Verdict
from waifuc_ui.core.report import collect_report
from waifuc_ui.model import ImageItem
from waifuc_ui.source import BaseDataSource


class CountingSource(BaseDataSource):
    """Yields n items named 0..n-1 and counts how many were pulled."""

    def __init__(self, n):
        self.n = n
        self.pulled = 0

    def _iter(self):
        for i in range(self.n):
            self.pulled += 1
            yield ImageItem(Image.new("RGB", (4, 4)), {"filename": f"{i}.png"})


def names(source):
    return [item.filename for item in source]


def test_first_n_does_not_pull_extra_item():
    src = CountingSource(10)
    assert names(src[:3]) == ["0.png", "1.png", "2.png"]
    assert src.pulled == 3


@pytest.mark.parametrize("sl, expected", [
    (slice(5, None), list(range(5, 10))),
    (slice(2, 8, 3), [2, 5]),
    (slice(None, None, 4), [0, 4, 8]),
    (slice(3, 3), []),
    (slice(None, 0), []),
])
def test_slices_follow_range(sl, expected):
    assert names(CountingSource(10)[sl]) == [f"{i}.png" for i in expected]


def test_slice_stops_without_pulling_past_stop():
    src = CountingSource(10)
    assert names(src[1:4]) == ["1.png", "2.png", "3.png"]
    assert src.pulled == 4


def test_bad_indices():
    with pytest.raises(TypeError):
        CountingSource(3)[0]
    with pytest.raises(ValueError):
        CountingSource(3)[-2:]


class Rename(ProcessAction):
    def __init__(self, prefix):
        self.prefix = prefix
        self.seen = 0

    def process(self, item):
        self.seen += 1
        return item.with_image(item.image, filename=f"{self.prefix}{self.seen}")

    def reset(self):
        self.seen = 0


def test_attach_returns_new_source_and_actions_reset_per_run():
    src = CountingSource(3)
    attached = src.attach(Rename("r"))
    assert names(src) == ["0.png", "1.png", "2.png"]
    assert names(attached) == ["r1", "r2", "r3"]
    assert names(attached) == ["r1", "r2", "r3"]  # template copied and reset each run


def test_nested_attach_flattens():
    a = CountingSource(2).attach(Rename("a")).attach(Rename("b"))
    assert len(a.actions) == 2
    assert names(a) == ["b1", "b2"]


def test_add_and_or():
    assert names(CountingSource(2) + CountingSource(1)) == ["0.png", "1.png", "0.png"]
    mixed = names(CountingSource(5) | CountingSource(5))
    assert sorted(mixed) == sorted([f"{i}.png" for i in range(5)] * 2)


class StopAt(BaseAction):
    def iter(self, item):
        if item.filename == "2.png":
            raise ActionStop
        yield item


def test_action_stop_ends_stream():
    assert names(CountingSource(5).attach(StopAt())) == ["0.png", "1.png"]


class EvenOnly(FilterAction):
    def check(self, item):
        n = int(item.filename.split(".")[0])
        return Verdict(n % 2 == 0, reason="odd number", score=float(n), threshold=0.0)


def test_filter_drops_are_reported_with_evidence():
    with collect_report() as report:
        assert names(CountingSource(4).attach(EvenOnly())) == ["0.png", "2.png"]
    assert [(d.step, d.filename, d.reason, d.score) for d in report.dropped] == [
        ("EvenOnly", "1.png", "odd number", 1.0),
        ("EvenOnly", "3.png", "odd number", 3.0),
    ]


def test_lazy_item_loads_once_and_hash_follows_image():
    calls = []

    def loader():
        calls.append(1)
        return Image.new("RGB", (3, 2), "red")

    item = ImageItem(meta={"filename": "a.png"}, loader=loader, content_hash="abc")
    assert not item.is_loaded and repr(item) == "<ImageItem 'a.png' (not loaded)>"
    same = item.with_meta(tags={"x": 1.0})
    assert same.content_hash == "abc" and item.meta == {"filename": "a.png"}
    assert item.image.size == (3, 2) and item.image.size == (3, 2)
    assert len(calls) == 1
    item.image = Image.new("RGB", (1, 1))
    assert item.content_hash is None
    with pytest.raises(ValueError):
        ImageItem()
