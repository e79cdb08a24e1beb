import copy
import os

from waifuc_ui.ui.state import UISession, touch


def test_open_gives_each_tab_its_own_workspace_on_the_demo(binder):
    a = binder.open("tab-a")
    b = binder.open("tab-b")
    assert a.session.id != b.session.id
    assert len(a.session.id) >= 16
    assert os.path.isdir(a.session.workspace.dir) and os.path.isdir(b.session.workspace.dir)
    assert len(a.session.inputs.ids) == 8
    assert [os.path.basename(s.path) for s in a.session.inputs.refused] == ["broken.jpg"]
    assert binder.live_count() == 2


def test_closing_a_session_deletes_only_its_workspace(binder):
    # (a closed tab no longer deletes anything: "New session" and the idle expiry do, through close())
    a = binder.open("tab-a")
    b = binder.open("tab-b")
    binder.close(a)
    assert not os.path.exists(a.session.workspace.dir)
    assert os.path.isdir(b.session.workspace.dir)
    binder.close(b)
    assert not os.path.exists(b.session.workspace.dir)
    assert b.cancel.is_set()
    assert binder.live_count() == 0


def test_the_browser_key_reopens_the_session_and_only_it(binder):
    first = binder.open("tab-a")
    again, reopened = binder.open_key(first.key, "tab-b")
    assert reopened and again.session is first.session and again.reopened
    assert again.token and binder.guard.allows(first.session.thumb(first.session.inputs.ids[0]),
                                               {"wfui_" + first.session.id: again.token})
    for key in (None, {}, "junk", {"id": first.session.id, "secret": "wrong"}, {"id": first.session.id}):
        other, reopened = binder.open_key(key)
        assert not reopened and other.session.id != first.session.id and other.session.inputs.ids == []
    assert os.path.isdir(first.session.workspace.dir)


def test_new_session_deletes_the_old_workspace(binder):
    first = binder.open("tab-a")
    fresh = binder.start_over(first)
    assert not os.path.exists(first.session.workspace.dir)
    assert fresh.session.id != first.session.id and fresh.secret != first.secret
    assert binder.open_key(first.key)[1] is False


def test_idle_sessions_expire_unless_touched(binder):
    clock = [0.0]
    binder.registry.workspaces._clock = lambda: clock[0]
    binder.registry.workspaces.ttl_seconds = 100
    idle = binder.open("idle")
    busy = binder.open("busy")
    clock[0] = 90
    touch(binder, busy)
    clock[0] = 150
    assert binder.expire_idle() == [idle.session.id]
    assert not os.path.exists(idle.session.workspace.dir)
    assert os.path.isdir(busy.session.workspace.dir)
    assert binder.open_key(idle.key)[1] is False


def test_ui_session_is_never_deep_copied_and_maps_gallery_clicks(ui):
    assert copy.deepcopy(ui) is ui
    ui.page_ids["g"] = ["a", "b"]
    assert ui.id_at("g", 1) == "b"
    assert ui.id_at("g", 2) is None
    assert ui.id_at("g", None) is None
    assert ui.id_at("other", 0) is None
    assert isinstance(ui, UISession)


def test_handlers_refuse_an_expired_session_with_the_fix(binder):
    import gradio as gr
    import pytest

    from waifuc_ui.ui.common import guarded

    ui = binder.open("tab")
    binder.close(ui)
    with pytest.raises(gr.Error, match="reload the page"):
        guarded(lambda u: u)(ui)
    with pytest.raises(gr.Error, match="still starting"):
        guarded(lambda u: u)(None)


def test_expiry_also_removes_folders_left_by_a_previous_process(binder):
    import time

    from waifuc_ui.session.workspace import Workspace

    orphan = Workspace(binder.registry.workspaces.root, workspace_id="Orphan_workspace_0123").dir  # app-made
    not_ours = binder.registry.workspaces.root + "/Users_folder_0123456"  # named like one, no marker
    os.makedirs(not_ours)
    old = time.time() - binder.settings.session_ttl - 10
    for folder in (orphan, not_ours):
        os.utime(folder, (old, old))
    live = binder.open("tab")
    binder.expire_idle()
    assert not os.path.exists(orphan) and os.path.isdir(not_ours)
    assert os.path.isdir(live.session.workspace.dir)
