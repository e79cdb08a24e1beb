from export_helpers import ListSource, listing
from PIL import Image

from waifuc_ui.export import TextualInversionExporter
from waifuc_ui.model import ImageItem
from waifuc_ui.source import LocalTISource

TAGS = {"solo": 1.0, "1girl": 1.0, "skadi_(arknights)": 0.91234, "long_hair": 0.95, "^_^": 0.5}


def _export(tmp_path, tags=TAGS, **options):
    out = tmp_path / "out"
    item = ImageItem(Image.new("RGB", (4, 4)), {"filename": "a.jpg", "tags": tags})
    ListSource([item]).export(TextualInversionExporter(str(out), **options))
    return (out / "a.txt").read_text(encoding="utf-8")


def test_default_text_is_sorted_escaped_and_has_no_newline(tmp_path):
    assert _export(tmp_path) == "1girl, solo, long_hair, skadi_\\(arknights\\), ^_^"
    assert listing(tmp_path / "out") == ["a.jpg", "a.txt"]  # no json


def test_use_spaces_without_escape_with_scores(tmp_path):
    assert _export(tmp_path, use_spaces=True, use_escape=False, include_score=True) == (
        "(1girl:1.000), (solo:1.000), (long hair:0.950), (skadi (arknights):0.912), (^_^:0.500)")


def test_insertion_order_when_not_score_descend(tmp_path):
    assert _export(tmp_path, score_descend=False) == "solo, 1girl, skadi_\\(arknights\\), long_hair, ^_^"


def test_trigger_word_first_and_not_duplicated(tmp_path):
    assert _export(tmp_path, trigger_word="skadi (arknights)") == "skadi \\(arknights\\), 1girl, solo, long_hair, ^_^"
    assert _export(tmp_path, trigger_word="ohwx", use_spaces=True) == (
        "ohwx, 1girl, solo, long hair, skadi \\(arknights\\), ^_^")
    assert _export(tmp_path, tags={}, trigger_word="ohwx") == "ohwx"
    assert _export(tmp_path, tags={}) == ""


def test_txt_is_rewritten_even_when_the_image_is_skipped_and_lives_in_the_subfolder(tmp_path):
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "sub/a.png").write_bytes(b"existing")
    (out / "sub/a.txt").write_text("old")
    item = ImageItem(Image.new("RGB", (4, 4)), {"filename": "sub/a.png", "tags": {"new": 1.0}})
    ListSource([item]).export(TextualInversionExporter(str(out), skip_when_image_exist=True))
    assert (out / "sub/a.png").read_bytes() == b"existing"
    assert (out / "sub/a.txt").read_text() == "new"


def test_round_trip_through_local_ti_source(tmp_path):
    _export(tmp_path, include_score=True)
    items = list(LocalTISource(str(tmp_path / "out")))
    assert items[0].meta["tags"] == {"1girl": 1.0, "solo": 1.0, "long_hair": 0.95,
                                     "skadi_(arknights)": 0.912, "^_^": 0.5}


def test_unnamed_items_and_save_cfg_quality(tmp_path):
    import numpy as np

    noisy = Image.fromarray(np.random.default_rng(1).integers(0, 256, (48, 48, 3), dtype=np.uint8))
    items = [ImageItem(noisy, {"tags": {"b": 1.0}}),
             ImageItem(noisy, {"filename": "low.jpg", "save_cfg": {"quality": 5}}),
             ImageItem(noisy, {"filename": "high.jpg", "save_cfg": {"quality": 95}})]
    ListSource(items).export(TextualInversionExporter(str(tmp_path / "out")))
    assert listing(tmp_path / "out") == ["high.jpg", "high.txt", "low.jpg", "low.txt", "untitled_1.png",
                                         "untitled_1.txt"]
    assert (tmp_path / "out/low.jpg").stat().st_size < (tmp_path / "out/high.jpg").stat().st_size
