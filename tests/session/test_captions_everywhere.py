"""Captions are read the same way wherever images come from: a folder, a zip, loose uploads, the demo.

Precedence (waifuc_ui.source.local.dataset_meta): a sidecar's tags win; otherwise the ``{body}.txt`` caption's
tags (escapes undone, ``(tag:0.8)`` scores); an image with neither has no tags.
"""

import json
import os
import zipfile

import pytest
from PIL import Image

from waifuc_ui.core.tags import parse_tag_text
from waifuc_ui.session.ingest import default_demo_dir
from waifuc_ui.source import LocalDatasetSource, LocalSource
from waifuc_ui.source.sidecar import read_caption

KIIRO = {"1girl": 1.0, "kiiro_(demo)": 1.0, "smile": 0.8, "green_shirt": 1.0}
EXPECTED = {
    "kiiro_01.png": KIIRO,  # .txt only
    "aoi.png": {"aoi_(demo)": 1.0, "blue_hair": 0.9},  # sidecar tags win over aoi.txt
    "beni.png": {"beni_tag": 1.0},  # sidecar without tags: the .txt's tags are added
    "plain.png": None,  # neither: no tags key
}


def write_captioned(folder):
    folder.mkdir()
    colours = {"kiiro_01": "yellow", "aoi": "blue", "beni": "red", "plain": "grey"}
    for body, colour in colours.items():
        Image.new("RGB", (48, 40), colour).save(folder / f"{body}.png")
    (folder / "kiiro_01.txt").write_text("1girl, kiiro_\\(demo\\), (smile:0.8), green_shirt", encoding="utf-8")
    (folder / ".aoi_meta.json").write_text(json.dumps({"tags": EXPECTED["aoi.png"], "url": "https://x.invalid/1",
                                                                "filename": "aoi.png"}))
    (folder / "aoi.txt").write_text("should_not_win", encoding="utf-8")
    (folder / ".beni_meta.json").write_text(json.dumps({"url": "https://x.invalid/2", "filename": "beni.png"}))
    (folder / "beni.txt").write_text("beni_tag", encoding="utf-8")
    return folder


@pytest.fixture
def captioned(tmp_path):
    return write_captioned(tmp_path / "captioned")


def tags_by_name(metas):
    return {os.path.basename(m["filename"]): m.get("tags") for m in metas}


def session_tags(session, ids):
    return tags_by_name(session.record(i).meta for i in ids)


def test_dataset_source_reads_sidecars_and_captions(captioned):
    items = list(LocalDatasetSource(str(captioned)))
    assert tags_by_name(item.meta for item in items) == EXPECTED
    beni = next(item for item in items if item.meta["filename"] == "beni.png")
    assert beni.meta == {"url": "https://x.invalid/2", "filename": "beni.png", "tags": {"beni_tag": 1.0}}


def test_local_source_stays_waifuc_exact(captioned):
    """waifuc's LocalSource reads no .txt: its meta is the sidecar exactly, else {path, group_id, filename}."""
    metas = {os.path.basename(item.meta.get("filename")): item.meta for item in LocalSource(str(captioned))}
    assert "tags" not in metas["kiiro_01.png"] and "tags" not in metas["beni.png"]
    assert metas["aoi.png"]["tags"] == EXPECTED["aoi.png"]


def test_load_folder(registry, captioned):
    s = registry.create()
    res = s.inputs.add_folder(str(captioned))
    assert session_tags(s, res.ids) == EXPECTED and res.refused == []


def test_zip_upload(registry, captioned, tmp_path):
    archive = tmp_path / "set.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in sorted(os.listdir(captioned)):
            zf.write(captioned / name, f"inner/{name}")
    s = registry.create()
    res = s.inputs.add_uploads([str(archive)])
    assert session_tags(s, res.ids) == EXPECTED and res.refused == []


def test_loose_uploads_in_one_request(registry, captioned):
    s = registry.create()
    res = s.inputs.add_uploads([str(captioned / name) for name in sorted(os.listdir(captioned))])
    assert session_tags(s, res.ids) == EXPECTED and res.refused == []


def test_demo_captions_come_in_and_are_exported(registry):
    demo = default_demo_dir()
    if not os.path.isdir(demo):
        pytest.skip("assets/demo not generated")
    s = registry.create()
    res = s.inputs.load_demo()
    tags = session_tags(s, res.ids)
    for body in ("kiiro_01", "kiiro_02", "kiiro_03"):
        image = next(name for name in tags if os.path.splitext(name)[0] == body)
        caption, error = read_caption(os.path.join(demo, body + ".txt"))
        assert error is None and caption and tags[image] == caption
    with open(os.path.join(demo, ".aoi_01_meta.json")) as fh:
        assert tags["aoi_01.png"] == json.load(fh)["tags"]
    summary = s.export.zip(layout="textual_inversion")
    with zipfile.ZipFile(summary.path) as z:
        exported = z.read("kiiro_01.txt").decode()
    # the same tags, escaped again (the order is the exporter's)
    assert "kiiro_\\(demo\\)" in exported
    assert parse_tag_text(exported) == read_caption(os.path.join(demo, "kiiro_01.txt"))[0]
    s.close()
