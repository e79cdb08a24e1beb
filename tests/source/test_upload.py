"""UploadSource / inspect_upload: loose files and archives, names as the user knows them, exact refusals."""

import io
import json
import os
import zipfile

import pytest
from PIL import Image

from waifuc_ui.core.report import collect_report
from waifuc_ui.source import ArchiveLimits, UploadSource, inspect_upload


def png_bytes(color="red", size=(8, 8)):
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return str(path)


@pytest.fixture
def uploads(tmp_path):
    """What a browser sends: each file in its own temp folder (as Gradio does), one archive."""
    sent = tmp_path / "sent"
    loose_a = write(sent / "1" / "cat.png", png_bytes("red"))
    loose_caption = write(sent / "2" / "cat.txt", b"1girl, smile")
    loose_bad = write(sent / "3" / "empty.jpg", b"")
    archive = sent / "4" / "pack.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("sub/b.png", png_bytes("blue"))
        zf.writestr("sub/.b_meta.json", json.dumps({"filename": "b_renamed.png", "tags": {"solo": 1.0},
                                                    "f": {"__type": "numpy.ndarray", "base64": "AA"}}))
        zf.writestr("a.png", png_bytes("lime"))
        zf.writestr("../escape.png", png_bytes())
        zf.writestr("notes.md", b"# readme")
        zf.writestr("inner.zip", b"PK\x03\x04rest")
    loose_b = write(sent / "5" / "dog.png", png_bytes("white"))
    return [loose_a, loose_caption, loose_bad, str(archive), loose_b], tmp_path / "work"


def test_items_meta_order_and_records(uploads):
    paths, work = uploads
    source = UploadSource(paths, str(work))
    with collect_report() as report:
        items = list(source)
    assert [i.filename for i in items] == ["cat.png", "dog.png", "a.png", "b_renamed.png"]
    cat, dog, a, b = items
    assert cat.meta["tags"] == {"1girl": 1.0, "smile": 1.0}  # caption uploaded next to it
    assert "tags" not in dog.meta
    assert cat.meta["group_id"] == "upload" and a.meta["group_id"] == "pack_zip"
    assert b.meta == {"filename": "b_renamed.png", "tags": {"solo": 1.0}}
    assert cat.meta["path"].startswith(source.folder + os.sep)
    assert a.image.getpixel((0, 0)) == (0, 255, 0)
    assert [(s.path, s.reason) for s in report.skipped] == [
        ("pack.zip/../escape.png", "path with '..' (would be written outside the extraction folder)"),
        ("pack.zip/inner.zip", "nested archive (archives inside archives are not opened)"),
        ("empty.jpg", "zero-byte file"),
        ("pack.zip/notes.md", "not an image (unrecognised format)"),
        ("pack.zip/sub/.b_meta.json", "entry 'f': pickled numpy.ndarray value not loaded (sidecars are read "
                                      "as plain JSON, pickles are never unpickled)"),
    ]


def test_unpacks_once_into_a_private_folder_inside_extract_dir(uploads):
    paths, work = uploads
    source = UploadSource(paths, str(work))
    first = [i.filename for i in source]
    folder = source.folder
    assert os.path.dirname(folder) == str(work)
    assert [i.filename for i in source] == first
    assert os.listdir(work) == [os.path.basename(folder)]  # no second extraction
    assert sorted(os.listdir(folder)) == ["files", "zip_pack"]
    # nothing escaped: the only png outside the private folder is what was sent
    outside = [os.path.join(d, f) for d, _, fs in os.walk(work.parent) for f in fs
               if f.endswith(".png") and not os.path.join(d, f).startswith(folder)]
    assert sorted(os.path.relpath(p, work.parent) for p in outside) == [
        os.path.join("sent", "1", "cat.png"), os.path.join("sent", "5", "dog.png")]
    source.cleanup()
    assert not os.path.exists(folder)
    assert os.path.exists(paths[0])  # the originals are left alone


def test_inspect_lists_images_and_refusals_without_touching_the_run_report(uploads):
    paths, work = uploads
    with collect_report() as outer:
        inspection = inspect_upload(paths, str(work))
    assert outer.skipped == []
    assert inspection.images == ["cat.png", "dog.png", "pack.zip/a.png", "pack.zip/sub/b.png"]
    assert [r.path for r in inspection.refused] == ["pack.zip/../escape.png", "pack.zip/inner.zip", "empty.jpg",
                                                    "pack.zip/notes.md", "pack.zip/sub/.b_meta.json"]
    assert inspection.received == 5
    assert inspection.summary() == "4 images came in from 5 uploaded files; 5 refused"


def test_limits_apply_per_archive_and_to_loose_files(tmp_path):
    big = write(tmp_path / "big.png", png_bytes(size=(64, 64)) + os.urandom(3000))
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(4):
            zf.writestr(f"{i}.png", png_bytes())
    inspection = inspect_upload([big, str(archive)], str(tmp_path / "work"),
                                limits=ArchiveLimits(max_total_bytes=2000, max_entries=3))
    assert inspection.images == []
    size = os.path.getsize(big)
    assert [(r.path, r.reason) for r in inspection.refused] == [
        ("big.png", f"file of {size} bytes exceeds the limit of 2000 bytes"),
        ("many.zip", "archive holds 4 entries, more than the limit of 3"),
    ]


def test_same_names_from_different_uploads_do_not_collide(tmp_path):
    first = write(tmp_path / "1" / "x.png", png_bytes("red"))
    second = write(tmp_path / "2" / "x.png", png_bytes("blue"))
    zips = []
    for n in (1, 2):
        path = tmp_path / str(n) / "set.zip"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("x.png", png_bytes("lime"))
        zips.append(str(path))
    inspection = inspect_upload([first, second, *zips], str(tmp_path / "work"))
    assert inspection.images == ["x.png", "x_1.png", "set.zip/x.png", "set.zip/x.png"]
    assert sorted(os.listdir(inspection.folder)) == ["files", "zip_set", "zip_set_1"]


def test_missing_upload_and_pixel_limit(tmp_path):
    big = write(tmp_path / "big.png", png_bytes(size=(100, 100)))
    inspection = inspect_upload([str(tmp_path / "gone.png"), big], str(tmp_path / "work"), max_pixels=5000)
    assert [(r.path, r.reason) for r in inspection.refused] == [
        ("gone.png", "uploaded file is missing or not a regular file"),
        ("big.png", "image of 10000 pixels exceeds the limit of 5000 pixels"),
    ]


def test_single_path_and_repr(tmp_path):
    one = write(tmp_path / "a.png", png_bytes())
    source = UploadSource(one, str(tmp_path / "w"))
    assert [i.filename for i in source] == ["a.png"]
    many = UploadSource([one] * 5, str(tmp_path / "w"))
    assert repr(many) == "UploadSource(['a.png', 'a.png', 'a.png', ... (5 files)])"


def test_macos_metadata_is_skipped_the_same_way_loose_or_zipped_and_listed_once(tmp_path):
    """Issue 15: a loose ``._file`` was refused as a bad image while ``__MACOSX/`` in a zip went unmentioned."""
    sent = tmp_path / "sent"
    archive = sent / "2" / "mac.zip"
    archive.parent.mkdir(parents=True)
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("pics/a.png", png_bytes("red"))
        zf.writestr("__MACOSX/pics/._a.png", b"\0\5\26\7 resource fork")
        zf.writestr("__MACOSX/pics/._b.png", b"\0\5\26\7 resource fork")
        zf.writestr("pics/._c.png", b"\0\5\26\7 resource fork")
    paths = [write(sent / "1" / "cat.png", png_bytes("blue")), str(archive),
             write(sent / "3" / "._cat.png", b"\0\5\26\7 resource fork"),
             write(sent / "4" / "._dog.png", b"\0\5\26\7 resource fork")]
    inspection = inspect_upload(paths, str(tmp_path / "work"))
    assert inspection.images == ["cat.png", "mac.zip/pics/a.png"]
    assert [(r.path, r.reason) for r in inspection.refused] == [
        ("mac.zip", "3 macOS metadata file(s) (__MACOSX/, ._*) skipped: not images"),
        ("uploaded ._* files", "2 macOS metadata file(s) (__MACOSX/, ._*) skipped: not images")]
