import json

import numpy as np
import pytest
from export_helpers import ListSource, listing
from PIL import Image

from waifuc_ui.core.errors import ExportError
from waifuc_ui.export import SaveExporter
from waifuc_ui.export.sidecar import meta_to_json, sidecar_path
from waifuc_ui.model import ImageItem
from waifuc_ui.source import LocalSource


def _img(color=(255, 0, 0), size=(4, 3), mode="RGB"):
    return Image.new(mode, size, color)


def test_writes_images_sidecars_subfolders_and_untitled_names(tmp_path):
    items = [ImageItem(_img(), {"filename": "a.png", "tags": {"solo": 1.0}}),
             ImageItem(_img(), {"filename": "sub/b.jpg", "url": "http://x/b.jpg"}),
             ImageItem(_img(), {}), ImageItem(_img(), {"tags": {}})]
    report = ListSource(items).export(SaveExporter(str(tmp_path / "out")))
    assert report.exported == 4
    assert listing(tmp_path / "out") == [
        ".a_meta.json", ".untitled_2_meta.json", "a.png", "sub/.b_meta.json", "sub/b.jpg",
        "untitled_1.png", "untitled_2.png"]  # empty meta: no sidecar (as waifuc)
    assert Image.open(tmp_path / "out/sub/b.jpg").format == "JPEG"
    assert json.loads((tmp_path / "out/.a_meta.json").read_text()) == {"filename": "a.png", "tags": {"solo": 1.0}}


def test_string_export_means_no_meta(tmp_path):
    ListSource([ImageItem(_img(), {"filename": "a.png", "tags": {"x": 1.0}})]).export(str(tmp_path / "o"))
    assert listing(tmp_path / "o") == ["a.png"]


def test_sidecar_is_plain_json_and_round_trips_through_local_source(tmp_path):
    meta = {"filename": "a.png", "tags": {"solo": 1.0, "smile": 0.75}, "crop": {"type": "head", "score": 0.9},
            "ccip_feature": np.arange(3, dtype=np.float32), "box": (1, 2, 3, 4), "n": np.int64(5),
            "bad": float("nan"), "obj": object(), "danbooru": {"id": 7, "tags": ["a", "b"]}}
    ListSource([ImageItem(_img(), meta)]).export(SaveExporter(str(tmp_path / "out")))
    text = (tmp_path / "out/.a_meta.json").read_text()
    assert "__type" not in text and "base64" not in text
    items = list(LocalSource(str(tmp_path / "out")))
    assert len(items) == 1
    assert items[0].meta == {"filename": "a.png", "tags": {"solo": 1.0, "smile": 0.75},
                             "crop": {"type": "head", "score": 0.9}, "ccip_feature": [0.0, 1.0, 2.0],
                             "box": [1, 2, 3, 4], "n": 5, "bad": None, "danbooru": {"id": 7, "tags": ["a", "b"]}}
    assert meta_to_json({"obj": object(), "k": [object()]})[1] == ["obj (object)", "k[0] (object)"]


def test_save_cfg_and_save_params_merge(tmp_path):
    image = Image.fromarray(np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8))
    items = [ImageItem(image, {"filename": "q.jpg", "save_cfg": {"quality": 10}})]
    ListSource(items).export(SaveExporter(str(tmp_path / "low"), no_meta=True))
    ListSource(items).export(SaveExporter(str(tmp_path / "high"), no_meta=True, save_params={"quality": 95}))
    assert (tmp_path / "low/q.jpg").stat().st_size < (tmp_path / "high/q.jpg").stat().st_size


def test_skip_when_image_exist_still_writes_meta(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.png").write_bytes(b"existing")
    ListSource([ImageItem(_img(), {"filename": "a.png", "tags": {"t": 1.0}})]).export(
        SaveExporter(str(out), skip_when_image_exist=True))
    assert (out / "a.png").read_bytes() == b"existing"
    assert json.loads((out / ".a_meta.json").read_text())["tags"] == {"t": 1.0}


def test_filenames_cannot_escape_the_output_folder(tmp_path):
    items = [ImageItem(_img(), {"filename": "../../evil.png"}), ImageItem(_img(), {"filename": "/abs/x.png"}),
             ImageItem(_img(), {"filename": "a\\..\\..\\b.png"})]
    ListSource(items).export(SaveExporter(str(tmp_path / "out"), no_meta=True))
    assert listing(tmp_path) == ["out/a/b.png", "out/abs/x.png", "out/evil.png"]


def test_clear_removes_old_files_but_keeps_this_runs_output(tmp_path):
    out = tmp_path / "out"
    (out / "old").mkdir(parents=True)
    (out / "old/stale.png").write_bytes(b"x")
    (out / "a.png").write_bytes(b"x")
    ListSource([ImageItem(_img(), {"filename": "a.png"})]).export(SaveExporter(str(out), clear=True, no_meta=True))
    assert listing(out) == ["a.png"]
    assert Image.open(out / "a.png").size == (4, 3)


def test_clear_refuses_when_an_input_lies_inside_and_deletes_nothing(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _img().save(raw / "a.png")
    (raw / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="never deletes input images"):
        LocalSource(str(raw)).attach().export(SaveExporter(str(tmp_path), clear=True))
    assert (raw / "a.png").exists() and (raw / "notes.txt").read_text() == "keep me"


def test_never_writes_onto_the_items_own_input(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _img().save(raw / "a.png")
    before = (raw / "a.png").read_bytes()
    with pytest.raises(ExportError, match="never overwrites input images"):
        LocalSource(str(raw)).export(SaveExporter(str(raw)))
    assert (raw / "a.png").read_bytes() == before
    report = LocalSource(str(raw)).export(SaveExporter(str(raw), ignore_error_when_export=True))
    assert report.exported == 0 and "never overwrites" in report.export_failed[0].reason
    assert (raw / "a.png").read_bytes() == before


def test_the_opened_file_counts_as_input_even_with_a_stale_meta_path(tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    _img().save(tmp_path / "a.png")
    item = ImageItem(Image.open(tmp_path / "a.png"), {"filename": "a.png", "path": "/elsewhere/a.png"})
    with pytest.raises(ExportError):
        ListSource([item]).export(SaveExporter(str(tmp_path)))


def test_the_exporter_is_a_template_that_runs_twice(tmp_path):
    exporter = SaveExporter(str(tmp_path / "out"))
    src = ListSource([ImageItem(_img(), {})])
    src.export(exporter)
    src.export(exporter)
    assert listing(tmp_path / "out") == ["untitled_1.png"]
    assert sidecar_path("d/x.png") == "d/.x_meta.json"


def test_clear_keeps_this_runs_sidecars_and_drops_old_ones(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / ".old_meta.json").write_text("{}")
    (out / "old.png").write_bytes(b"x")
    ListSource([ImageItem(_img(), {"filename": "a.png", "tags": {"t": 1.0}})]).export(
        SaveExporter(str(out), clear=True, skip_when_image_exist=True))
    assert listing(out) == [".a_meta.json", "a.png"]


def test_clear_keeps_inputs_that_a_filter_dropped_or_the_source_skipped(tmp_path):
    from waifuc_ui.action import MinSizeFilterAction

    out = tmp_path / "out"
    out.mkdir()
    _img(size=(4, 3)).save(out / "small.png")
    with pytest.raises(ExportError, match="skipped or dropped"):
        LocalSource(str(out)).attach(MinSizeFilterAction(100)).export(SaveExporter(str(out), clear=True))
    assert listing(out) == ["small.png"]
    (out / "broken.png").write_bytes(b"")  # unreadable: skipped by the source, still an input
    with pytest.raises(ExportError, match="broken.png' \\(and 1 more\\)"):
        LocalSource(str(out)).attach(MinSizeFilterAction(100)).export(SaveExporter(str(out), clear=True))
    assert listing(out) == ["broken.png", "small.png"]


def test_output_folder_that_is_a_file_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(ExportError, match="is a file"):
        ListSource([ImageItem(_img(), {})]).export(SaveExporter(str(tmp_path / "f")))
