"""One caption rule for every dataset input (dataset_meta), and inert sidecar paths in uploads."""

import json
import zipfile

from PIL import Image

from waifuc_ui.core.report import collect_report
from waifuc_ui.source import LocalDatasetSource, UploadSource
from waifuc_ui.source.local import dataset_meta


def test_empty_sidecar_tags_take_the_caption(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.png")
    (tmp_path / ".a_meta.json").write_text(json.dumps({"filename": "a.png", "tags": {}}))
    (tmp_path / "a.txt").write_text("x, y\\_z", encoding="utf-8")
    assert dataset_meta(str(tmp_path / "a.png"), "g") == {"filename": "a.png", "tags": {"x": 1.0, "y_z": 1.0}}
    assert dataset_meta(str(tmp_path / "a.png"), "g", read_captions=False) == {"filename": "a.png", "tags": {}}


def test_unreadable_caption_is_recorded_and_the_image_kept(tmp_path):
    Image.new("RGB", (8, 8)).save(tmp_path / "a.png")
    (tmp_path / "a.txt").write_bytes(b"caf\xe9")
    with collect_report() as report:
        items = list(LocalDatasetSource(str(tmp_path)))
    assert len(items) == 1 and "tags" not in items[0].meta
    assert items[0].source_file == str(tmp_path / "a.png")
    assert [(s.path, s.reason) for s in report.skipped] == [
        (str(tmp_path / "a.txt"), "metadata file is not UTF-8 text (unexpected end of data at byte 3); "
                                  "the image is read without tags")]


def test_foreign_sidecar_paths_are_noted_once_per_upload(tmp_path):
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for body, target in (("a", "/etc/passwd"), ("b", "/proc/self/environ"), ("c", None)):
            image = tmp_path / f"{body}.png"
            Image.new("RGB", (8, 8)).save(image)
            zf.write(image, f"{body}.png")
            zf.writestr(f".{body}_meta.json", json.dumps({"path": target} if target else {"filename": "c.png"}))
    source = UploadSource([str(archive)], str(tmp_path / "extract"))
    with collect_report() as report:
        items = list(source)
    assert [item.meta.get("path") for item in items] == ["/etc/passwd", "/proc/self/environ", None]
    assert [item.source_file for item in items] == [f"{source.folder}/zip_pack/{b}.png" for b in "abc"]
    assert [s.path for s in report.skipped] == ["pack.zip/.a_meta.json"]
    assert report.skipped[0].reason.startswith("entry 'path' '/etc/passwd' is kept as text only")
