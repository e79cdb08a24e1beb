"""Each new visitor costs a workspace (the demo copied, thumbnails made): public mode keeps at most
``max_sessions`` sessions; the next visitor is told the server is full, a returning one still gets back in."""

from __future__ import annotations

import dataclasses

import pytest

from tests.security.conftest import Visitor
from waifuc_ui.session.quota import Quotas


def test_new_sessions_stop_at_the_cap_and_a_closed_one_frees_its_place(launch):
    app = launch(public=True, quotas=dataclasses.replace(Quotas.public(), max_sessions=2))
    alice, bob = Visitor(app).open(), Visitor(app).open()
    with pytest.raises(Exception, match="The server is full: this server keeps 2 sessions"):
        Visitor(app).open()
    assert app.binder.registry.workspaces.count_on_disk() == 2  # the refused visitor left nothing behind
    assert app.binder.registry.get(alice.id) is not None and app.binder.registry.get(bob.id) is not None
    app.binder.registry.close(bob.id)  # bob's session ends (New session / expiry)
    carol = Visitor(app).open()
    assert carol.id not in (alice.id, bob.id) and app.binder.registry.workspaces.count_on_disk() == 2


def test_local_runs_have_no_session_cap():
    assert Quotas.local().max_sessions is None and Quotas.public().max_sessions == 500
