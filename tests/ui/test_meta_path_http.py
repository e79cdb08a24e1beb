"""Over HTTP, as a visitor would: a zip whose waifuc sidecar names a server file never brings that file in."""

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
    """The real app on 127.0.0.1 (public mode, no demo dataset); yields (url, workspace root)."""
    from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options

    settings = AppSettings(workspace_root=(tmp_path / "workspaces").resolve(), demo_dir=tmp_path / "no-demo",
                           public=True)
    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    port = _free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, binder))
    try:
        yield f"http://127.0.0.1:{port}/", str(settings.workspace_root)
    finally:
        demo.close()
        binder.registry.close_all()


def test_uploaded_sidecar_path_is_not_copied_into_the_workspace(launched, tmp_path):
    gradio_client = pytest.importorskip("gradio_client")
    url, root = launched
    target, marker = secret_file(tmp_path)
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("x.png", png_bytes())
        zf.writestr(".x_meta.json", json.dumps({"path": target}))
    client = gradio_client.Client(url, verbose=False, download_files=False)
    client.predict(api_name="/on_open")
    summary, refused, gallery, *_ = client.predict([gradio_client.handle_file(str(archive))], True,
                                                   api_name="/on_upload")
    assert "1" in summary and len(gallery) == 1
    # nothing in any workspace holds the named file's content (it was neither opened nor copied)
    assert os.listdir(root) and workspace_files_with(root, marker) == []
    # the visitor sees that the entry was kept as text only
    rows = [tuple(row) for row in refused["data"]]
    assert len(rows) == 1 and rows[0][0] == ".x_meta.json"  # the table shows base names
    assert "kept as text" in rows[0][1] and target in rows[0][1]
