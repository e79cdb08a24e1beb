"""Export tab, "Push to my Hub": the session's final dataset pushed with the real huggingface_hub code to a local
Hub; whose token is used where; the login button only where OAuth is configured."""

from __future__ import annotations

import json
import os

import gradio as gr
import pytest
from huggingface_hub import constants

from tests.export.hub_upload_server import HubUploadServer
from tests.inference.hubserver import go_online
from waifuc_ui.export.huggingface import HubPushError
from waifuc_ui.ui import AppSettings, SessionBinder, build_app
from waifuc_ui.ui.hub_push import oauth_configured, oauth_libraries_missing, push_to_hub, resolve_token


@pytest.fixture
def hub(monkeypatch, tmp_path):
    with HubUploadServer(tokens={"hf_local": "me", "hf_visitor": "visitor"}) as server:
        go_online(monkeypatch, server.url)
        monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
        monkeypatch.setenv("HF_TOKEN", "hf_local")  # this machine's login
        yield server


def test_push_uses_the_zip_items_and_changes_nothing(ui, hub):
    session = ui.session
    session.tags.edits.trigger_word = "miku"
    before = (list(session.dataset.ids()), {i: session.record(i).file for i in session.inputs.ids})
    seen = []
    result, report = push_to_hub(ui, "demo-set", True, "textual_inversion", "miku", 95, None,
                                 lambda f, t: seen.append(f))
    files = hub.files("me/demo-set")
    images = sorted(f for f in files if f.endswith(".png"))
    assert result.images == len(images) == len(session.dataset.ids()) == 8 and report.exported == 8
    assert all(f.startswith("data/") and "_miku/" in f for f in images)
    assert hub.repos["datasets/me/demo-set"]["private"] is True
    lines = [json.loads(x) for x in files["data/metadata.jsonl"].decode().splitlines()]
    assert len(lines) == 8 and all(line["text"].split(", ")[0] == "miku" for line in lines)
    assert sum(line["text"] == "miku" for line in lines) == 2  # red_copy and tiny have no tags
    readme = files["README.md"].decode()
    assert "- demo: 8 images came in, 1 files refused" in readme and "| trigger word | `miku` |" in readme
    assert "| images | 8 |" in readme and "## Recipe" in readme
    assert not any(session.workspace.root in v.decode("utf-8", "replace") for v in files.values())  # no server path
    assert (list(session.dataset.ids()), {i: session.record(i).file for i in session.inputs.ids}) == before
    assert all(os.path.isfile(p) for p in before[1].values())
    assert seen[-1] == 1.0


def test_refused_token_keeps_the_session(ui, hub, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_revoked")
    n = len(ui.session.dataset.ids())
    with pytest.raises(HubPushError, match="refused the token"):
        push_to_hub(ui, "demo-set", True, "textual_inversion", "", 95, None)
    assert len(ui.session.dataset.ids()) == n and hub.repos == {}


def test_whose_token():
    assert resolve_token(None, needs_oauth=False) is None  # local: huggingface_hub's own login
    assert resolve_token(gr.OAuthToken(token="hf_visitor", scope="", expires_at=0), needs_oauth=True) == "hf_visitor"
    with pytest.raises(HubPushError, match="Sign in with Hugging Face"):
        resolve_token(None, needs_oauth=True)  # never the server's own token on a Space
    assert oauth_configured({"SPACE_ID": "me/app", "OAUTH_CLIENT_ID": "abc"})
    assert not oauth_configured({"SPACE_ID": "me/app"}) and not oauth_configured({})


def components(demo, kind):
    return [b for b in demo.blocks.values() if isinstance(b, kind)]


SPACE = {"SYSTEM": "spaces", "SPACE_ID": "me/app", "OAUTH_CLIENT_ID": "abc"}  # what a Space sets
WITH_OAUTH_LIBS = not oauth_libraries_missing()


@pytest.mark.parametrize("public, env, login, button", [
    (False, {}, 0, 1),  # a local run: the machine's login, no login button
    (True, {}, 0, 0),  # a public deployment without OAuth: no push at all
    # a Space with hf_oauth: true (the button needs gradio[oauth]; without it the tab says so and offers no push)
    (True, SPACE, 1 if WITH_OAUTH_LIBS else 0, 1 if WITH_OAUTH_LIBS else 0),
])
def test_login_button_only_where_oauth_is_configured(tmp_path, dataset_dir, monkeypatch, public, env, login, button):
    for key in ("SYSTEM", "SPACE_ID", "OAUTH_CLIENT_ID"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    if env:  # gradio reads a Space's OAuth settings when it is imported: set them as a Space's start would
        import gradio.oauth
        for name, value in {"OAUTH_CLIENT_ID": "abc", "OAUTH_CLIENT_SECRET": "s", "OAUTH_SCOPES": "openid profile",
                            "OPENID_PROVIDER_URL": "http://127.0.0.1:9"}.items():
            monkeypatch.setattr(gradio.oauth, name, value)
    settings = AppSettings(public=public, workspace_root=tmp_path / "ws", demo_dir=dataset_dir)
    binder = SessionBinder(settings)
    try:
        demo = build_app(settings, binder)
        assert len(components(demo, gr.LoginButton)) == login
        assert len([b for b in components(demo, gr.Button) if b.elem_id == "hub-push-button"]) == button
        notes = [b.value for b in components(demo, gr.Markdown) if "gradio[oauth]" in str(b.value)]
        assert len(notes) == (1 if env and not WITH_OAUTH_LIBS else 0)
    finally:
        binder.registry.close_all()
