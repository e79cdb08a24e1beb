import re

import pytest
from PIL import Image

from waifuc_ui.action import FileExtAction, FileOrderAction, RandomFilenameAction
from waifuc_ui.model import ImageItem


def _items(*names):
    return [ImageItem(Image.new("RGB", (2, 2)), {"filename": n} if n else {}) for n in names]


def _names(out):
    return [i.meta.get("filename") for i in out]


def test_random_filename_is_seeded_and_repeats_per_run(run):
    items = _items("a.jpg", "sub/b.jpg")
    first, _ = run(items, RandomFilenameAction(seed=3))
    second, _ = run(items, RandomFilenameAction(seed=3))
    assert _names(first) == _names(second)
    assert re.fullmatch(r"[0-9a-f]{40}\.png", _names(first)[0])
    assert re.fullmatch(r"sub/[0-9a-f]{40}\.png", _names(first)[1])
    assert _names(first)[0] != _names(first)[1].split("/")[1]


def test_random_filename_ext_none_keeps_old_extension(run):
    # waifuc bug: the old file *body* ('a') became the extension
    out, _ = run(_items("a.jpg", "c.webp"), RandomFilenameAction(ext=None, seed=1))
    assert [n[-4:] for n in _names(out)] == [".jpg", "webp"]
    assert _names(out)[1].endswith(".webp")


def test_random_filename_unnamed_without_ext_uses_image_format(run, tmp_path):
    Image.new("RGB", (2, 2)).save(tmp_path / "x.jpg")
    jpeg = ImageItem(Image.open(tmp_path / "x.jpg"))  # waifuc raised NameError here
    out, _ = run([jpeg] + _items(None), RandomFilenameAction(ext=None))
    assert _names(out)[0].endswith(".jpg") and _names(out)[1].endswith(".png")


def test_file_ext_renames_numbers_unnamed_and_stores_quality(run):
    out, _ = run(_items("a.png", None, "dir/b.webp", None), FileExtAction("jpg", quality=90))
    assert _names(out) == ["a.jpg", "untitled_1.jpg", "dir/b.jpg", "untitled_2.jpg"]
    assert out[0].meta["save_cfg"] == {"quality": 90}
    again, _ = run(_items(None), FileExtAction(".jpg"))
    assert _names(again) == ["untitled_1.jpg"] and "save_cfg" not in again[0].meta


def test_file_order_numbers_in_arrival_order(run):
    out, _ = run(_items("z.jpg", "y.gif", None), FileOrderAction())
    assert _names(out) == ["1.png", "2.png", "3.png"]
    out, _ = run(_items("z.jpg", "sub/y.gif", None), FileOrderAction(ext=None))
    assert _names(out) == ["1.jpg", "2.gif", "3.png"]  # waifuc raised ValueError on the unnamed one


def test_file_ext_needs_an_extension():
    with pytest.raises(ValueError, match="needs an extension"):
        FileExtAction("")
