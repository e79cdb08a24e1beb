"""LocalDirectoryExporter's clear is deferred and checked for every subclass, not only ours."""

import os

import pytest
from PIL import Image

from waifuc_ui.core.errors import ExportError
from waifuc_ui.export import LocalDirectoryExporter
from waifuc_ui.model import ImageItem
from waifuc_ui.source import BaseDataSource


class PlainWriter(LocalDirectoryExporter):
    """A user exporter that writes files without calling mark_written."""

    def export_item(self, item):
        item.image.save(os.path.join(self.output_dir, item.meta["filename"]))


class ListSource(BaseDataSource):
    def __init__(self, items):
        self.items = items

    def _iter(self):
        yield from self.items


def test_clear_keeps_files_the_run_wrote_and_removes_old_ones(tmp_path):
    out = tmp_path / "out"
    (out / "old").mkdir(parents=True)
    (out / "old" / "stale.txt").write_text("x")
    (out / "a.png").write_text("old a")
    items = [ImageItem(Image.new("RGB", (2, 2)), {"filename": "a.png"})]
    ListSource(items).export(PlainWriter(str(out), clear=True))
    assert sorted(os.listdir(out)) == ["a.png"]
    assert Image.open(out / "a.png").size == (2, 2)


def test_clear_refuses_when_an_input_lives_in_the_output_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    src = out / "input.png"
    Image.new("RGB", (2, 2)).save(src)
    items = [ImageItem(Image.open(src), {"filename": "b.png", "path": str(src)})]
    with pytest.raises(ExportError):
        ListSource(items).export(PlainWriter(str(out), clear=True))
    assert src.exists()
