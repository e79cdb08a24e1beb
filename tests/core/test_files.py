"""Atomic writes (core.files): the one helper behind exports, sidecars, session state, caches and crawl records."""

import json
import os
import stat

import pytest

from waifuc_ui.core.files import atomic_write, write_bytes_atomic, write_json_atomic, write_text_atomic


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(tmp_path):
    target = tmp_path / "x.png"
    target.write_bytes(b"old")

    def half_write(f):
        f.write(b"partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(str(target), half_write)
    assert [p.name for p in tmp_path.iterdir()] == ["x.png"]
    assert target.read_bytes() == b"old"


def test_the_folder_is_made_and_no_temporary_file_stays(tmp_path):
    target = tmp_path / "a" / "b" / "x.bin"
    write_bytes_atomic(target, b"one")
    write_bytes_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert os.listdir(target.parent) == ["x.bin"]


def test_text_and_json_are_utf8_and_json_returns_the_text(tmp_path):
    write_text_atomic(tmp_path / "t.txt", "blue_eyes, 猫")
    assert (tmp_path / "t.txt").read_bytes() == "blue_eyes, 猫".encode()
    text = write_json_atomic(tmp_path / "s.json", {"tag": "猫", "n": [1, 2]})
    assert text == '{"tag":"猫","n":[1,2]}' and json.loads((tmp_path / "s.json").read_text("utf-8")) == {
        "tag": "猫", "n": [1, 2]}


def test_private_files_get_owner_only_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        write_json_atomic(tmp_path / "private.json", {}, mode=0o600, durable=True)
        write_json_atomic(tmp_path / "shared.json", {})
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / "private.json").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "shared.json").st_mode) == 0o644


def test_a_long_name_still_gets_a_temporary_file(tmp_path):
    name = "x" * 250 + ".png"
    write_bytes_atomic(tmp_path / name, b"data")
    assert os.listdir(tmp_path) == [name]
    with pytest.raises(OSError):
        write_bytes_atomic(tmp_path / ("y" * 300), b"data")  # the destination itself is too long: the OS says so
    assert os.listdir(tmp_path) == [name]
