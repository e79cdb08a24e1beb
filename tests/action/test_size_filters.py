import math

from PIL import Image

from waifuc_ui.action import MinAreaFilterAction, MinSizeFilterAction
from waifuc_ui.model import ImageItem


def _items():
    return [ImageItem(Image.new("RGB", size), {"filename": f"{size[0]}x{size[1]}.png"})
            for size in ((800, 600), (1000, 400), (600, 600), (599, 2000))]


def test_min_size_keeps_short_side_at_least_min_and_records_drops(run):
    out, report = run(_items(), MinSizeFilterAction(600))
    assert [i.meta["filename"] for i in out] == ["800x600.png", "600x600.png"]
    assert [(d.filename, d.score, d.threshold) for d in report.dropped] == [
        ("1000x400.png", 400.0, 600.0), ("599x2000.png", 599.0, 600.0)]
    assert report.dropped[0].step == "MinSizeFilterAction"
    assert report.dropped[0].reason == "short side 400 px < 600 px (1000x400)"


def test_min_area_uses_square_root_of_area(run):
    out, report = run(_items(), MinAreaFilterAction(640))
    # sqrt: 692.8, 632.5, 600, 1094.5
    assert [i.meta["filename"] for i in out] == ["800x600.png", "599x2000.png"]
    assert [d.filename for d in report.dropped] == ["1000x400.png", "600x600.png"]
    assert math.isclose(report.dropped[0].score, math.sqrt(400_000))
    assert report.dropped[1].score == 600.0 and report.dropped[1].threshold == 640.0


def test_filters_are_callable_like_waifuc():
    assert MinSizeFilterAction(600)(ImageItem(Image.new("RGB", (600, 601)))) is True
    assert MinSizeFilterAction(600)(ImageItem(Image.new("RGB", (599, 601)))) is False
