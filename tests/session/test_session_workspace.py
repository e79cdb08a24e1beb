import os

import pytest

from waifuc_ui.session import Workspace, WorkspaceRegistry
from waifuc_ui.session.workspace import MARKER_NAME, SUBDIRS


def test_workspace_layout_unguessable_id_and_close(tmp_path):
    a, b = Workspace(str(tmp_path)), Workspace(str(tmp_path))
    assert a.id != b.id and len(a.id) >= 22  # 128 random bits, url-safe
    assert sorted(os.listdir(a.dir)) == sorted(SUBDIRS + (MARKER_NAME,))
    p = a.path("thumbs", "x.webp")
    assert p == os.path.join(os.path.realpath(str(tmp_path)), a.id, "thumbs", "x.webp")
    assert a.contains(p) and not b.contains(p) and not a.contains(str(tmp_path / "elsewhere"))
    a.close()
    assert not os.path.exists(a.dir) and os.path.isdir(b.dir)


@pytest.mark.parametrize("name", ["../x", "../../etc/passwd", "/etc/passwd"])
def test_workspace_refuses_names_leaving_it(tmp_path, name):
    ws = Workspace(str(tmp_path))
    with pytest.raises(ValueError, match="leaves the workspace"):
        ws.path("inputs", name)


def test_workspace_rejects_bad_ids_and_folders(tmp_path):
    with pytest.raises(ValueError, match="bad workspace id"):
        Workspace(str(tmp_path), workspace_id="../evil")
    with pytest.raises(ValueError, match="unknown workspace folder 'secrets'"):
        Workspace(str(tmp_path)).subdir("secrets")


def test_registry_expires_idle_workspaces_with_injected_clock(tmp_path):
    now = [100.0]
    reg = WorkspaceRegistry(str(tmp_path), ttl_seconds=10, clock=lambda: now[0])
    old, fresh = reg.create(), reg.create()
    now[0] = 105.0
    assert reg.get(fresh.id) is fresh  # marks it used at 105
    now[0] = 112.0
    assert reg.expire_idle() == [old.id]
    assert not os.path.exists(old.dir) and os.path.isdir(fresh.dir)
    assert reg.get(old.id) is None and reg.live_ids() == [fresh.id]
    assert reg.close(fresh.id) and not reg.close(fresh.id)
    assert not os.path.exists(fresh.dir)


def test_session_registry_close_and_expiry(registry):
    s = registry.create()
    assert registry.get(s.id) is s
    assert registry.close(s.id)
    assert registry.get(s.id) is None and not os.path.exists(s.workspace.dir)


def test_remove_orphans_deletes_only_old_unowned_workspace_folders(tmp_path):
    reg = WorkspaceRegistry(str(tmp_path), ttl_seconds=3600)
    live = reg.create()
    orphan = Workspace(str(tmp_path))  # made by "another process"
    young = Workspace(str(tmp_path))
    other = tmp_path / "not a workspace"
    other.mkdir()
    old = 1_000_000.0
    for path in (orphan.dir, live.dir, str(other)):
        os.utime(path, (old, old))
    assert reg.remove_orphans() == [orphan.id]
    assert not os.path.exists(orphan.dir)
    assert os.path.isdir(live.dir) and os.path.isdir(young.dir) and other.is_dir()
    assert reg.remove_orphans(min_age_seconds=0) == [young.id]


def test_sessions_share_one_analysis_cache_but_not_workspaces(registry):
    a, b = registry.create(), registry.create()
    assert a._analysis_cache is b._analysis_cache is not None
    assert a.workspace.dir != b.workspace.dir and not a.workspace.contains(b.workspace.dir + "/inputs/x.png")
    assert str(a._analysis_cache.directory) == registry.workspaces.cache_dir
