"""Sidecar and caption files read as plain data."""

import json

from waifuc_ui.source import sidecar
from waifuc_ui.source.sidecar import caption_path, is_metadata_file, read_caption, read_sidecar, sidecar_path


def test_paths_follow_waifuc():
    assert sidecar_path("/d/sub/img.v2.png") == "/d/sub/.img.v2_meta.json"
    assert caption_path("/d/sub/img.v2.png") == "/d/sub/img.v2.txt"
    assert is_metadata_file("a.TXT") and is_metadata_file(".a_meta.json") and not is_metadata_file("a.png")


def test_nested_pickles_are_left_out_with_their_key_paths(tmp_path):
    path = tmp_path / ".x_meta.json"
    path.write_text(json.dumps({"a": [{"b": {"__type": "t.T", "base64": "AA"}}, 2], "c": None, "n": 1.5}))
    result = read_sidecar(str(path))
    assert result.error is None
    assert result.meta == {"a": [{}, 2], "c": None, "n": 1.5}
    assert result.refused == [("a[0].b", "pickled t.T value not loaded (sidecars are read as plain JSON, "
                                         "pickles are never unpickled)")]


def test_oversized_and_non_utf8_files(tmp_path, monkeypatch):
    path = tmp_path / ".x_meta.json"
    path.write_text("{}" + " " * 100)
    monkeypatch.setattr(sidecar, "MAX_METADATA_FILE_BYTES", 50)
    assert read_sidecar(str(path)).error == "metadata file of 102 bytes exceeds the limit of 50 bytes"
    monkeypatch.undo()
    latin = tmp_path / "y.txt"
    latin.write_bytes(b"caf\xe9")
    tags, error = read_caption(str(latin))
    assert tags is None and error == "metadata file is not UTF-8 text (unexpected end of data at byte 3)"


def test_caption_with_bom_newlines_and_blank_entries(tmp_path):
    path = tmp_path / "z.txt"
    path.write_text("\ufeff1girl,, solo\nlong_hair ,  \n", encoding="utf-8")
    assert read_caption(str(path)) == ({"1girl": 1.0, "solo": 1.0, "long_hair": 1.0}, None)
