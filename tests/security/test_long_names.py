"""A file name longer than the file system allows (255 bytes: 86 Japanese characters) cannot be written on the
server: the visitor is told which file and why, in words that do not show the server's paths (the refusal
echoed '/…/workspaces/<id>/uploads/…' and the export summary '/…/workspaces/<id>/exports/…')."""

from __future__ import annotations

import io
import json
import zipfile

from tests.browser.conftest import picture
from tests.security.conftest import Visitor, file_value, upload

LONG = "長い名前の画像" * 13  # 91 characters, 273 bytes in UTF-8


def png(k: int) -> bytes:
    data = io.BytesIO()
    picture((200, 40 * k, 40), k).save(data, format="PNG")
    return data.getvalue()


def test_a_zip_entry_with_a_too_long_name_is_refused_without_server_paths(app, tmp_path):
    pack = tmp_path / "long.zip"
    with zipfile.ZipFile(pack, "w") as zf:
        zf.writestr(f"{LONG}.png", png(0))
        zf.writestr("short.png", png(1))
    visitor = Visitor(app).open()
    answer = visitor.call_raw("/on_upload", [file_value(upload(app, str(pack)))], True)
    summary, refused = answer["output"]["data"][:2]
    assert "1 image came in, 1 file refused" in summary
    [(name, reason)] = refused["data"]
    assert name == f"{LONG}.png" and "File name too long" in reason
    assert app.root not in reason and "/" not in reason


def test_an_export_that_cannot_write_a_name_says_why_without_server_paths(app, tmp_path):
    pack = tmp_path / "named.zip"
    with zipfile.ZipFile(pack, "w") as zf:
        zf.writestr("a.png", png(0))
        zf.writestr(".a_meta.json", json.dumps({"filename": "x" * 300 + ".png", "tags": {"solo": 1.0}}))
        zf.writestr("b.png", png(1))
    visitor = Visitor(app).open()
    assert visitor.call_raw("/on_upload", [file_value(upload(app, str(pack)))], True)["success"]
    summary = visitor.client.predict("textual_inversion", "dataset", "", 95, 512, None, api_name="/on_build")[0]
    assert "Not exported" in summary and "xxxxxxxx" in summary and "File name too long" in summary
    assert app.root not in summary and "/tmp/" not in summary
