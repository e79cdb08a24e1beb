"""A path in metadata is inert text: the session never opens, copies or serves the file it names."""

import io
import json
import os
import secrets
import zipfile

from PIL import Image


def png_bytes(colour="red", size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, format="PNG")
    return buf.getvalue()


def secret_file(folder) -> tuple:
    """A server file holding a random marker (stands in for /proc/self/environ)."""
    marker = "SECRET-" + secrets.token_hex(16)
    path = folder / "server_secret.png"
    path.write_text(f"HF_TOKEN={marker}\n")
    return str(path), marker


def hostile_zip(path, target: str, name: str = "x"):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}.png", png_bytes())
        zf.writestr(f".{name}_meta.json", json.dumps({"path": target, "tags": {"1girl": 1.0}}))
    return str(path)


def workspace_files_with(root: str, marker: str) -> list:
    found = []
    for folder, _, files in os.walk(root):
        for f in files:
            with open(os.path.join(folder, f), "rb") as fh:
                if marker.encode() in fh.read():
                    found.append(os.path.join(folder, f))
    return found


def test_sidecar_path_in_an_upload_is_never_copied(registry, tmp_path):
    target, marker = secret_file(tmp_path)
    s = registry.create()
    res = s.inputs.add_uploads([hostile_zip(tmp_path / "pack.zip", target)])
    assert len(res.ids) == 1
    rec = s.record(res.ids[0])
    # the record's file is the zip's own x.png, with its pixels
    assert rec.file.startswith(s.workspace.subdir("uploads")) and os.path.basename(rec.file) == "x.png"
    assert (rec.width, rec.height) == (40, 30)
    with open(rec.file, "rb") as fh:
        assert fh.read() == png_bytes()
    assert workspace_files_with(s.workspace.root, marker) == []
    # the entry stays as text in the meta (waifuc's sidecar semantics) and the visitor is told
    assert rec.meta["path"] == target and rec.meta["tags"] == {"1girl": 1.0}
    notes = [(r.path, r.reason) for r in res.refused]
    assert len(notes) == 1 and notes[0][0] == "pack.zip/.x_meta.json"
    assert "kept as text" in notes[0][1] and target in notes[0][1]


def test_sidecar_path_in_a_folder_is_never_copied(registry, tmp_path):
    target, marker = secret_file(tmp_path)
    folder = tmp_path / "pictures"
    folder.mkdir()
    (folder / "x.png").write_bytes(png_bytes())
    (folder / ".x_meta.json").write_text(json.dumps({"path": target}))
    s = registry.create()
    res = s.inputs.add_folder(str(folder))
    rec = s.record(res.ids[0])
    with open(rec.file, "rb") as fh:
        assert fh.read() == png_bytes()
    assert workspace_files_with(s.workspace.root, marker) == []
    assert rec.meta["path"] == target


def test_sidecar_path_to_another_workspace_file_is_not_used(registry, tmp_path):
    """A sidecar naming another file inside the visitor's own workspace does not swap the image's file."""
    s = registry.create()
    first = s.inputs.add_uploads([hostile_zip(tmp_path / "one.zip", "/nonexistent", name="a")])
    other = s.record(first.ids[0]).file
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as zf:
        zf.writestr("b.png", png_bytes("blue", (20, 20)))
        zf.writestr(".b_meta.json", json.dumps({"path": other}))
    res = s.inputs.add_uploads([str(tmp_path / "two.zip")])
    rec = s.record(res.ids[0])
    assert rec.file != other and os.path.basename(rec.file) == "b.png" and (rec.width, rec.height) == (20, 20)


def test_public_mode_refuses_every_folder_source(registry, tmp_path):
    import pytest

    from waifuc_ui.action import TagDropAction
    from waifuc_ui.core.errors import InvalidOptionError
    from waifuc_ui.source import LocalDatasetSource, LocalSource, LocalTISource

    (tmp_path / "x.png").write_bytes(png_bytes())
    registry.public_mode = True
    s = registry.create()
    folder = str(tmp_path)
    for source in (LocalDatasetSource(folder), LocalTISource(folder), LocalSource(folder).attach(TagDropAction([])),
                   LocalSource(folder)[:1], LocalDatasetSource(folder) + LocalSource(folder)):
        with pytest.raises(InvalidOptionError, match="disabled in public mode"):
            s.inputs.add_source(source)
    assert s.inputs.ids == []
