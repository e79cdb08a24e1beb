"""LocalSource / LocalTISource: waifuc's meta, sidecars without pickles, captions, bad files recorded."""

import json
import os

import pytest
from PIL import Image

from waifuc_ui.core.errors import SourceError
from waifuc_ui.core.report import collect_report
from waifuc_ui.source import LocalSource, LocalTISource
from waifuc_ui.source.local import group_name


def _png(path, size=(16, 12), color="red", mode="RGB"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path)
    return path


@pytest.fixture
def folder(tmp_path):
    """root/a.png, root/b.jpg (+ sidecar), root/sub/c.png, root/sub/z.png, bad files and clutter."""
    root = tmp_path / "raw data"
    _png(root / "a.png")
    Image.new("RGB", (20, 10), "blue").save(root / "b.jpg")
    (root / ".b_meta.json").write_text(json.dumps({"filename": "bee.png", "tags": {"1girl": 1.0}}))
    _png(root / "sub" / "c.png", color="lime")
    _png(root / "sub" / "z.png", color="white")
    (root / "empty.png").write_bytes(b"")
    (root / "notes.md").write_text("hello")
    (root / "a.txt").write_text("caption")
    (root / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    Image.effect_noise((64, 64), 60).save(root / "sub" / "trunc.png")
    whole = (root / "sub" / "trunc.png").read_bytes()
    (root / "sub" / "trunc.png").write_bytes(whole[: len(whole) // 2])
    return root


def test_group_name_matches_waifuc():
    assert group_name("./raw data/sub-dir") == "raw_data_sub_dir"
    assert group_name("__x__") == "x"


def test_local_source_meta_order_and_skips(folder):
    with collect_report() as report:
        items = list(LocalSource(str(folder)))
    assert [i.meta.get("filename") for i in items] == ["a.png", "bee.png", "c.png", "z.png"]
    a, b, c, z = items
    group = group_name(str(folder))
    assert a.meta == {"path": os.path.abspath(folder / "a.png"), "group_id": group, "filename": "a.png"}
    assert b.meta == {"filename": "bee.png", "tags": {"1girl": 1.0}}  # the sidecar, exactly
    assert c.meta["group_id"] == group + "_sub"
    assert a.image.size == (16, 12) and b.image.format == "JPEG"
    assert [(os.path.basename(s.path), s.reason) for s in report.skipped] == [
        ("empty.png", "zero-byte file"),
        ("notes.md", "not an image (unrecognised format)"),
        ("trunc.png", "truncated image data"),
    ]
    assert all(s.source == f"LocalSource({str(folder)!r})" for s in report.skipped)


def test_local_source_is_fresh_on_every_iteration(folder):
    source = LocalSource(str(folder))
    first = [i.filename for i in source]
    assert first == [i.filename for i in source]
    assert len(first) == 4


def test_not_recursive(folder):
    assert [i.filename for i in LocalSource(str(folder), recursive=False)] == ["a.png", "bee.png"]


def test_shuffle_with_seed_is_repeatable_and_complete(folder):
    orders = {tuple(i.filename for i in LocalSource(str(folder), shuffle=True, seed=s)) for s in range(8)}
    assert all(sorted(o) == ["a.png", "bee.png", "c.png", "z.png"] for o in orders)
    assert len(orders) > 1
    one = [i.filename for i in LocalSource(str(folder), shuffle=True, seed=3)]
    assert one == [i.filename for i in LocalSource(str(folder), shuffle=True, seed=3)]


def test_missing_folder_raises_source_error_with_path(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(SourceError) as info:
        list(LocalSource(str(missing)))
    assert str(missing) in str(info.value) and "does not exist" in str(info.value)
    _png(tmp_path / "x.png")
    with pytest.raises(SourceError, match="is a file, not a folder"):
        list(LocalSource(str(tmp_path / "x.png")))


def test_pickled_sidecar_entries_are_never_unpickled(tmp_path, monkeypatch):
    import pickle

    called = []
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: called.append(a))
    _png(tmp_path / "p.png")
    sidecar = {
        "filename": "p.png",
        "tags": {"solo": 1.0},
        "ccip_feature": {"__type": "numpy.ndarray", "base64": "gASVAAAA"},
        "crop": {"box": {"__type": "builtins.tuple", "base64": "gAQ="}, "type": "head"},
        "list": [1, {"__type": "x.Y", "base64": ""}, 3],
    }
    (tmp_path / ".p_meta.json").write_text(json.dumps(sidecar))
    with collect_report() as report:
        (item,) = list(LocalSource(str(tmp_path)))
    assert item.meta == {"filename": "p.png", "tags": {"solo": 1.0}, "crop": {"type": "head"}, "list": [1, 3]}
    assert called == []
    sidecar_file = str(tmp_path / ".p_meta.json")
    assert [(s.path, s.reason.split(":")[0]) for s in report.skipped] == [
        (sidecar_file, "entry 'ccip_feature'"),
        (sidecar_file, "entry 'crop.box'"),
        (sidecar_file, "entry 'list[1]'"),
    ]
    assert "pickled numpy.ndarray value not loaded" in report.skipped[0].reason


@pytest.mark.parametrize("content,reason_start", [
    ("{not json", "sidecar is not valid JSON"),
    ("[1, 2]", "sidecar holds a JSON list, not an object"),
    ('{"__type": "os.system", "base64": "AA=="}', "pickled os.system value not loaded"),
])
def test_unusable_sidecar_falls_back_to_default_meta_and_is_recorded(tmp_path, content, reason_start):
    _png(tmp_path / "q.png")
    (tmp_path / ".q_meta.json").write_text(content)
    with collect_report() as report:
        (item,) = list(LocalSource(str(tmp_path)))
    assert item.meta["filename"] == "q.png" and item.meta["path"] == os.path.abspath(tmp_path / "q.png")
    (skip,) = report.skipped
    assert skip.path == str(tmp_path / ".q_meta.json")
    assert skip.reason.startswith(reason_start)
    assert skip.reason.endswith("; the image is read with default meta")


def test_empty_sidecar_means_default_meta_like_waifuc(tmp_path):
    _png(tmp_path / "e.png")
    (tmp_path / ".e_meta.json").write_text("{}")
    with collect_report() as report:
        (item,) = list(LocalSource(str(tmp_path)))
    assert item.meta["filename"] == "e.png" and "path" in item.meta
    assert report.skipped == []


def test_local_source_keeps_modes_and_frames(tmp_path):
    Image.new("I;16", (8, 8)).save(tmp_path / "deep.png")
    Image.new("CMYK", (8, 8)).save(tmp_path / "print.jpg")
    frames = [Image.new("RGB", (8, 8), c) for c in ("red", "blue")]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    items = {i.filename: i.image for i in LocalSource(str(tmp_path))}
    assert items["deep.png"].mode == "I;16"
    assert items["print.jpg"].mode == "CMYK"
    assert items["anim.gif"].n_frames == 2


def test_local_ti_source_reads_captions_next_to_each_image(tmp_path):
    root = tmp_path / "ti"
    rgba = Image.new("RGBA", (4, 4), (255, 0, 0, 0))
    (root / "sub").mkdir(parents=True)
    rgba.save(root / "sub" / "t.png")
    (root / "sub" / "t.txt").write_text("1girl, skadi_\\(arknights\\), back\\\\slash,\n(smile:0.5)", "utf-8")
    _png(root / "u.png", color="blue")
    (root / "t.txt").write_text("wrong_folder", "utf-8")  # waifuc's bug read this one for sub/t.png
    with collect_report() as report:
        items = list(LocalTISource(str(root)))
    assert [i.filename for i in items] == ["u.png", "t.png"]
    u, t = items
    assert t.meta["tags"] == {"1girl": 1.0, "skadi_(arknights)": 1.0, "back\\slash": 1.0, "smile": 0.5}
    assert u.meta["tags"] == {}
    assert t.meta["path"] == os.path.abspath(root / "sub" / "t.png")
    assert t.image.mode == "RGB" and t.image.getpixel((0, 0)) == (255, 255, 255)  # alpha on white
    assert report.skipped == []


def test_local_ti_source_records_an_unreadable_caption(tmp_path):
    _png(tmp_path / "v.png")
    (tmp_path / "v.txt").write_bytes(b"caf\xe9, tag")
    with collect_report() as report:
        (item,) = list(LocalTISource(str(tmp_path)))
    assert item.meta["tags"] == {}
    (skip,) = report.skipped
    assert skip.path == str(tmp_path / "v.txt")
    assert skip.reason.startswith("metadata file is not UTF-8 text")


def test_repr_names_the_folder():
    assert repr(LocalSource("raw")) == "LocalSource('raw')"
    assert repr(LocalTISource("raw")) == "LocalTISource('raw')"


def test_pixel_limit_skips_with_reason_and_goes_on(tmp_path):
    _png(tmp_path / "big.png", size=(200, 100))
    _png(tmp_path / "small.png", size=(50, 40))
    with collect_report() as report:
        items = list(LocalSource(str(tmp_path), max_pixels=10_000))
    assert [i.filename for i in items] == ["small.png"]
    assert [(os.path.basename(s.path), s.reason) for s in report.skipped] == [
        ("big.png", "image of 20000 pixels exceeds the limit of 10000 pixels")]
