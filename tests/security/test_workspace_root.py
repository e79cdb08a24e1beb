"""The workspace root may be a folder the user keeps other things in: the app deletes only the folders it created
(marked as its own), on page loads, expiry ticks and session ends alike."""

from __future__ import annotations

import json
import os

import pytest

from tests.security.conftest import Visitor

OLD = 1_000_000.0  # 1970: older than any TTL


def user_folder(root, name: str) -> str:
    folder = root / name
    (folder / "album").mkdir(parents=True)
    (folder / "album" / "photo.jpg").write_bytes(b"\xff\xd8 holiday")
    for path in (folder / "album", folder):
        os.utime(path, (OLD, OLD))
    return str(folder)


def test_page_loads_and_expiry_leave_the_users_folders_alone(launch, tmp_path):
    from waifuc_ui.session.workspace import Workspace

    root = tmp_path / "my_root"
    root.mkdir()
    mine = [user_folder(root, "my_photos_2024_backup_folder"),      # looks like a workspace id
            user_folder(root, "AAAAAAAAAAAAAAAAAAAAAA"),            # exactly like one
            user_folder(root, "holiday pictures")]
    fake = root / "BBBBBBBBBBBBBBBBBBBBBB"                             # like one, with a forged marker
    fake.mkdir()
    (fake / ".waifuc_ui_workspace").write_text(json.dumps({"app": "waifuc_ui", "id": "someone else"}))
    os.utime(fake, (OLD, OLD))
    (root / "notes.txt").write_text("keep me")
    orphan = Workspace(str(root))  # left by a previous run of the app: this one goes
    os.utime(orphan.dir, (OLD, OLD))

    app = launch(public=True, root=root)
    alice = Visitor(app).open()          # a page load sweeps orphans
    Visitor(app).open()
    alice.client.predict(api_name="/expire_idle_sessions")  # the expiry timer's tick
    for folder in mine:
        assert os.path.isfile(os.path.join(folder, "album", "photo.jpg")), folder
    assert fake.is_dir() and (root / "notes.txt").read_text() == "keep me"
    assert not os.path.exists(orphan.dir)
    assert os.path.isdir(alice.dir)


def test_a_workspace_is_never_opened_on_a_folder_the_app_did_not_make(tmp_path):
    from waifuc_ui.session.workspace import NotAWorkspaceError, Workspace, remove_workspace_folder

    folder = user_folder(tmp_path, "my_photos_2024_backup_folder")
    with pytest.raises(NotAWorkspaceError, match="not a waifuc_ui workspace"):
        Workspace(str(tmp_path), workspace_id="my_photos_2024_backup_folder")
    assert not remove_workspace_folder(folder)
    assert sorted(os.listdir(folder)) == ["album"]  # nothing written into it, nothing deleted
    ws = Workspace(str(tmp_path))
    again = Workspace(str(tmp_path), workspace_id=ws.id)  # reopening its own folder by id works
    assert again.dir == ws.dir and again.private_path("exports", "a.zip") == ws.private_path("exports", "a.zip")
    again.close()
    assert not os.path.exists(ws.dir)


def test_a_root_sharing_gradios_upload_folder_is_refused_at_launch(tmp_path, monkeypatch):
    """Uploads inside the root would look like workspace files (refused, never served); a root inside the upload
    folder would mix session files with uploads. Either way the launch stops and says what to set."""
    from waifuc_ui.core.errors import InvalidOptionError
    from waifuc_ui.ui import AppSettings, SessionBinder, launch_options

    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path / "gradio"))
    for root in (tmp_path, tmp_path / "gradio" / "ws"):
        settings = AppSettings(public=True, workspace_root=root.resolve(), demo_dir=tmp_path / "demo")
        with pytest.raises(InvalidOptionError, match="WAIFUC_UI_WORKSPACE_ROOT="):
            launch_options(settings, SessionBinder(settings))
    settings = AppSettings(public=True, workspace_root=(tmp_path / "ws").resolve(), demo_dir=tmp_path / "demo")
    assert launch_options(settings, SessionBinder(settings))["allowed_paths"] == [str(tmp_path / "ws")]
