"""Export files carry no path of the machine that wrote them (issue 9, item 7)."""

import json
import os
import tempfile
import zipfile

from export_helpers import ListSource
from PIL import Image

from waifuc_ui.export import SaveExporter, ZipExporter
from waifuc_ui.model import ImageItem
from waifuc_ui.source import LocalSource


def _group(path):
    import re

    return re.sub(r"[\W_]+", "_", str(path)).strip("_")


def _secrets(*roots):
    """The strings no exported byte may contain: each root as a path and in LocalSource's group_id form."""
    found = set()
    for root in roots:
        found.update({str(root), os.path.realpath(str(root)), _group(root)})
    return {s for s in found if len(s) > 4}


def test_sidecars_from_local_source_carry_no_server_path(tmp_path):
    src = tmp_path / "data" / "sub1"
    src.mkdir(parents=True)
    Image.new("RGB", (8, 8), (1, 2, 3)).save(src / "a.png")
    out = tmp_path / "out"
    LocalSource(str(tmp_path / "data")).export(SaveExporter(str(out)))
    meta = json.loads((out / ".a_meta.json").read_text())
    assert meta == {"group_id": "sub1", "filename": "a.png"}
    text = (out / ".a_meta.json").read_text()
    for secret in _secrets(tmp_path, tempfile.gettempdir()):
        assert secret not in text


def test_paths_inside_other_meta_values_become_file_names(tmp_path):
    workspace = tmp_path / "ws" / "abc123"
    meta = {"filename": "x.png", "path": str(workspace / "inputs/in00001.png"),
            "note": f"read from {workspace}/inputs/in00001.png, fine",
            "origin": {"file": str(workspace / "uploads/pack.zip"), "url": "https://example.org/a/b.png"},
            "tags": {"/\\/\\/\\": 1.0}, "group_id": "pack_zip_sub"}
    archive = tmp_path / "d.zip"
    ListSource([ImageItem(Image.new("RGB", (4, 4)), meta)]).export(
        ZipExporter(str(archive), layout="save", hide_paths=[str(tmp_path / "ws")]))
    with zipfile.ZipFile(archive) as z:
        data = json.loads(z.read(".x_meta.json"))
        blob = b"".join(z.read(n) for n in z.namelist())
    assert data == {"filename": "x.png", "note": "read from in00001.png, fine",
                    "origin": {"file": "pack.zip", "url": "https://example.org/a/b.png"},
                    "tags": {"/\\/\\/\\": 1.0}, "group_id": "pack_zip_sub"}
    for secret in _secrets(tmp_path, workspace):
        assert secret.encode() not in blob
