import json
import zipfile

import pytest
from export_helpers import ListSource, listing
from PIL import Image

from waifuc_ui.core.errors import ExportError, InvalidOptionError
from waifuc_ui.export import ZipExporter
from waifuc_ui.model import ImageItem
from waifuc_ui.source import LocalSource


def _items():
    return [ImageItem(Image.new("RGB", (4, 4), (9, 9, 9)), {"filename": "a.png", "tags": {"solo": 1.0, "x_y": 0.5}}),
            ImageItem(Image.new("RGBA", (4, 4)), {"filename": "sub/b.webp", "tags": {"smile": 1.0}})]


def test_textual_inversion_layout_with_options(tmp_path):
    archive = tmp_path / "dl" / "dataset.zip"
    report = ListSource(_items()).export(ZipExporter(str(archive), trigger_word="ohwx", use_spaces=True))
    assert report.exported == 2
    with zipfile.ZipFile(archive) as z:
        assert z.namelist() == ["a.png", "a.txt", "sub/b.txt", "sub/b.webp"]
        assert z.read("a.txt").decode() == "ohwx, solo, x y"
        assert z.getinfo("a.png").compress_type == zipfile.ZIP_STORED
        assert z.getinfo("a.txt").compress_type == zipfile.ZIP_DEFLATED
    assert listing(tmp_path) == ["dl/dataset.zip"]  # the build folder is gone


def test_save_layout_carries_sidecars(tmp_path):
    archive = tmp_path / "s.zip"
    ListSource(_items()).export(ZipExporter(str(archive), layout="save"))
    with zipfile.ZipFile(archive) as z:
        assert z.namelist() == [".a_meta.json", "a.png", "sub/.b_meta.json", "sub/b.webp"]
        assert json.loads(z.read(".a_meta.json"))["tags"] == {"solo": 1.0, "x_y": 0.5}
        z.extractall(tmp_path / "unpacked")
    assert [i.meta["tags"] for i in LocalSource(str(tmp_path / "unpacked"))] == [{"solo": 1.0, "x_y": 0.5},
                                                                                {"smile": 1.0}]


def test_bad_options_fail_at_construction():
    with pytest.raises(InvalidOptionError, match="'textual_inversion', 'save'"):
        ZipExporter("x.zip", layout="folder")
    with pytest.raises(InvalidOptionError, match="clear"):
        ZipExporter("x.zip", clear=True)
    with pytest.raises(TypeError):
        ZipExporter("x.zip", trigger="typo")


def test_a_failing_run_leaves_neither_archive_nor_build_folder(tmp_path):
    class Boom(ListSource):
        def _iter(self):
            yield from super()._iter()
            raise RuntimeError("source broke")

    with pytest.raises(RuntimeError, match="source broke"):
        Boom(_items()).export(ZipExporter(str(tmp_path / "x.zip")))
    assert listing(tmp_path) == []


def test_never_overwrites_an_input_with_the_archive(tmp_path):
    Image.new("RGB", (2, 2)).save(tmp_path / "in.png")
    fake = tmp_path / "data.zip"
    Image.new("RGB", (2, 2)).save(fake, format="PNG")  # an input image that happens to be named .zip
    item = ImageItem(Image.open(fake), {"filename": "x.png", "path": str(fake)})
    before = fake.read_bytes()
    with pytest.raises(ExportError, match="input file"):
        ListSource([item]).export(ZipExporter(str(fake)))
    assert fake.read_bytes() == before
