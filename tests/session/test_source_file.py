"""ImageItem.source_file: the file a source read, handed to the session out of band (never meta['path'])."""

from PIL import Image

from waifuc_ui.action import ModeConvertAction, TagDropAction
from waifuc_ui.model import ImageItem
from waifuc_ui.source import LocalSource


def test_new_pixels_forget_the_file():
    item = ImageItem(Image.new("RGB", (4, 4)), {"filename": "a.png"}, source_file="/data/a.png")
    assert item.with_meta(tags={"x": 1.0}).source_file == "/data/a.png"
    assert item.with_image(Image.new("RGB", (2, 2))).source_file is None
    item.image = Image.new("L", (4, 4))
    assert item.source_file is None


def test_ingest_keeps_the_file_only_while_the_pixels_are_the_files(registry, tmp_path):
    folder = tmp_path / "pics"
    folder.mkdir()
    Image.new("RGB", (30, 20), (200, 10, 10)).save(folder / "a.jpg", quality=60)
    original = (folder / "a.jpg").read_bytes()
    s = registry.create()
    kept = s.inputs.add_source(LocalSource(str(folder)).attach(TagDropAction(["x"])))
    with open(s.record(kept.ids[0]).file, "rb") as fh:
        assert fh.read() == original  # tags only: the JPEG's own bytes are kept
    converted = s.inputs.add_source(LocalSource(str(folder)).attach(ModeConvertAction("L")))
    rec = s.record(converted.ids[0])
    assert rec.file.endswith(".png") and rec.mode == "L"  # new pixels: saved losslessly, not the JPEG
