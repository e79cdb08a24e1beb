"""One output per item, never overwritten: the naming rule through LocalSource and every exporter."""

import hashlib
import os
import zipfile

import numpy as np
import pytest
from export_helpers import ListSource, listing
from PIL import Image

from waifuc_ui.core.report import collect_report
from waifuc_ui.export import SaveExporter, TextualInversionExporter, ZipExporter
from waifuc_ui.model import ImageItem
from waifuc_ui.source import LocalSource


def _noise(seed, size=(24, 20)):
    return Image.fromarray(np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), dtype=np.uint8))


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.fixture
def nested(tmp_path):
    """sub1/dup.png, sub1/deeper/dup.png, sub2/dup.png (different pixels) and a.jpg + a.png at the top."""
    src = tmp_path / "src"
    for n, rel in enumerate(["sub1/dup.png", "sub1/deeper/dup.png", "sub2/dup.png", "a.png"]):
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        _noise(n).save(src / rel)
    _noise(9).save(src / "a.jpg", quality=90)
    return src


def test_nested_equal_names_through_local_source_to_textual_inversion(nested, tmp_path):
    out = tmp_path / "out"
    exporter = TextualInversionExporter(str(out))
    with collect_report() as report:
        exporter.export_from(LocalSource(str(nested)), report=report)
    # walk order: a.jpg, a.png, sub1/dup.png, sub1/deeper/dup.png, sub2/dup.png
    assert listing(out) == ["a.jpg", "a.txt", "a_1.png", "a_1.txt", "deeper_dup.png", "deeper_dup.txt",
                            "dup.png", "dup.txt", "sub2_dup.png", "sub2_dup.txt"]
    assert report.exported == 5 == len([f for f in listing(out) if not f.endswith(".txt")])
    # every input is there, byte for byte (no step changed them)
    pairs = {"a.jpg": "a.jpg", "a_1.png": "a.png", "dup.png": "sub1/dup.png",
             "deeper_dup.png": "sub1/deeper/dup.png", "sub2_dup.png": "sub2/dup.png"}
    assert {name: sha(out / name) for name in pairs} == {name: sha(nested / src) for name, src in pairs.items()}
    assert exporter.log.renamed == [("a.png", "a_1.png"), ("dup.png", "deeper_dup.png"),
                                    ("dup.png", "sub2_dup.png")]


def test_nested_equal_names_through_save_exporter_keep_their_own_sidecar(nested, tmp_path):
    import json

    out = tmp_path / "out"
    report = LocalSource(str(nested)).export(SaveExporter(str(out)))
    images = [f for f in listing(out) if not f.endswith(".json")]
    assert images == ["a.jpg", "a_1.png", "deeper_dup.png", "dup.png", "sub2_dup.png"]
    assert report.exported == 5
    for name in images:
        body = os.path.splitext(name)[0]
        assert json.loads((out / f".{body}_meta.json").read_text())["filename"] == name
    again = sorted(item.meta["filename"] for item in LocalSource(str(out)))
    assert again == images


def test_same_body_other_extension_gets_its_own_caption(tmp_path):
    items = [ImageItem(_noise(1), {"filename": "a.png", "tags": {"red_hair": 1.0, "sword": 1.0}}),
             ImageItem(_noise(2), {"filename": "a.jpg", "tags": {"blue_hair": 1.0, "book": 1.0}}),
             ImageItem(_noise(3), {"filename": "A.PNG", "tags": {"green_hair": 1.0}})]
    out = tmp_path / "out"
    report = ListSource(items).export(TextualInversionExporter(str(out), score_descend=False))
    assert listing(out) == ["A_2.PNG", "A_2.txt", "a.png", "a.txt", "a_1.jpg", "a_1.txt"]
    assert (out / "a.txt").read_text() == "red_hair, sword"
    assert (out / "a_1.txt").read_text() == "blue_hair, book"
    assert (out / "A_2.txt").read_text() == "green_hair"
    assert report.exported == 3


def test_zip_holds_one_entry_per_item_and_the_counts_match(nested, tmp_path):
    archive = tmp_path / "d.zip"
    exporter = ZipExporter(str(archive), flatten=True)
    report = LocalSource(str(nested)).export(exporter)
    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
    assert len(names) == len(set(n.lower() for n in names)) == 10
    assert report.exported == 5 == len([n for n in names if not n.endswith(".txt")])


def test_sub_folders_in_filenames_and_untitled_names(tmp_path):
    items = [ImageItem(_noise(1), {"filename": "s/a.png"}), ImageItem(_noise(2), {"filename": "S/A.png"}),
             ImageItem(_noise(3), {"filename": "untitled_1.png"}), ImageItem(_noise(4), {}),
             ImageItem(_noise(5), {"tags": {}})]
    out = tmp_path / "out"
    ListSource(items).export(SaveExporter(str(out), no_meta=True))
    assert listing(out) == ["S/A_1.png", "s/a.png", "untitled_1.png", "untitled_2.png", "untitled_3.png"]


def test_an_item_that_cannot_be_written_is_named_and_frees_its_name(tmp_path):
    def broken():
        raise OSError("disk says no")

    items = [ImageItem(meta={"filename": "x.png"}, loader=broken), ImageItem(_noise(1), {"filename": "x.png"})]
    out = tmp_path / "out"
    with collect_report() as report:
        TextualInversionExporter(str(out), ignore_error_when_export=True).export_from(items, report=report)
    assert [(f.path, "disk says no" in f.reason) for f in report.export_failed] == [("x.png", True)]
    assert report.exported == 1 and listing(out) == ["x.png", "x.txt"]


def test_a_failed_caption_leaves_no_image_behind(tmp_path, monkeypatch):
    from waifuc_ui.export import textual_inversion

    def refuse(path, text):
        raise OSError("caption refused")

    monkeypatch.setattr(textual_inversion, "write_text_atomic", refuse)
    out = tmp_path / "out"
    with collect_report() as report:
        TextualInversionExporter(str(out), ignore_error_when_export=True).export_from(
            [ImageItem(_noise(1), {"filename": "x.png"})], report=report)
    assert report.exported == 0 and len(report.export_failed) == 1 and listing(out) == []


def test_naming_rule_examples():
    from waifuc_ui.export.naming import ExportNames

    names = ExportNames(flatten=True)
    got = [names.claim(names.wanted(m), m) for m in (
        {"filename": "dup.png", "path": "/data/sub1/dup.png"},
        {"filename": "dup.png", "path": "/data/sub2/dup.png"},
        {"filename": "dup.png", "path": "/data/x/sub2/dup.png"},  # sub2_dup taken: a number
        {"filename": "deep/er/dup.jpg", "path": "/data/sub1/dup.jpg"},  # same folder as the holder: a number
        {"filename": "a.png"}, {"filename": "a.jpg"}, {"filename": "a_1.png"})]
    assert got == ["dup.png", "sub2_dup.png", "dup_1.png", "dup_2.jpg", "a.png", "a_1.jpg", "a_1_1.png"]
    names.release("a_1.jpg")
    assert names.claim("a.webp") == "a_1.webp"
