"""Over HTTP, as a visitor would: a zip whose waifuc sidecar names a server file never brings that file in; an image
uploaded with its .txt caption gets its tags."""

from __future__ import annotations

import json
import os
import socket
import zipfile

import pytest

from tests.session.test_meta_path_inert import png_bytes, secret_file, workspace_files_with


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def launched(tmp_path):
    """The real app on 127.0.0.1 (public mode, no demo dataset); yields (url, workspace root, binder)."""
    from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options

    settings = AppSettings(workspace_root=(tmp_path / "workspaces").resolve(), demo_dir=tmp_path / "no-demo",
                           public=True)
    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    port = _free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, binder))
    try:
        yield f"http://127.0.0.1:{port}/", str(settings.workspace_root), binder
    finally:
        demo.close()
        binder.registry.close_all()


def test_uploaded_sidecar_path_is_not_copied_into_the_workspace(launched, tmp_path):
    gradio_client = pytest.importorskip("gradio_client")
    url, root, _ = launched
    target, marker = secret_file(tmp_path)
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x.png", png_bytes())
        zf.writestr(".x_meta.json", json.dumps({"path": target}))
    client = gradio_client.Client(url, verbose=False, download_files=False)
    client.predict(None, api_name="/on_open")
    summary, refused, gallery, *_ = client.predict([gradio_client.handle_file(str(archive))], True,
                                                   api_name="/on_upload")
    assert "1" in summary and len(gallery) == 1
    # nothing in any workspace holds the named file's content (it was neither opened nor copied)
    assert os.listdir(root) and workspace_files_with(root, marker) == []
    # the visitor sees that the entry was kept as text only
    rows = [tuple(row) for row in refused["data"]]
    assert len(rows) == 1 and rows[0][0] == ".x_meta.json"  # the table shows base names
    assert "kept as text" in rows[0][1] and target in rows[0][1]


def test_loose_image_and_caption_uploaded_together_get_tags(launched, tmp_path):
    gradio_client = pytest.importorskip("gradio_client")
    url, _, binder = launched
    (tmp_path / "a.png").write_bytes(png_bytes("green"))
    (tmp_path / "a.txt").write_text("1girl, skadi_\\(arknights\\), (smile:0.5)", encoding="utf-8")
    client = gradio_client.Client(url, verbose=False, download_files=False)
    client.predict(None, api_name="/on_open")
    summary, refused, gallery, *_ = client.predict(
        [gradio_client.handle_file(str(tmp_path / "a.png")), gradio_client.handle_file(str(tmp_path / "a.txt"))],
        True, api_name="/on_upload")
    assert len(gallery) == 1 and refused["data"] == []
    (session_id,) = binder.registry.workspaces.live_ids()
    session = binder.registry.get(session_id)
    (item_id,) = session.inputs.ids
    assert session.record(item_id).meta["tags"] == {"1girl": 1.0, "skadi_(arknights)": 1.0, "smile": 0.5}
