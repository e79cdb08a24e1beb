"""The launched app pushes its dataset to a (local) Hub from the Export tab with this machine's token: the files,
captions and the private flag the server received; no login button on a local run."""

from __future__ import annotations

import json

import pytest
from huggingface_hub import constants

from tests.browser.test_export_exact import launch
from tests.export.hub_upload_server import HubUploadServer
from tests.inference.hubserver import go_online

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def test_push_to_my_hub_from_the_export_tab(browser, tmp_path, monkeypatch):
    from playwright.sync_api import expect

    with HubUploadServer(tokens={"hf_local": "me"}) as hub:
        go_online(monkeypatch, hub.url)
        monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "no-token"))
        monkeypatch.setenv("HF_TOKEN", "hf_local")
        for key in ("SPACE_ID", "OAUTH_CLIENT_ID"):
            monkeypatch.delenv(key, raising=False)
        demo, binder, url, originals, tags = launch(tmp_path)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            page.set_default_timeout(TIMEOUT)
            page.goto(url)
            expect(page.locator("#source-summary")).to_contain_text("Demo dataset: 5 images came in", timeout=TIMEOUT)
            page.get_by_role("tab", name="7 · Export").click()
            page.locator("#hub-push").get_by_text("Push to my Hugging Face Hub").click()
            assert page.locator("#hub-login").count() == 0
            page.locator("#hub-repo textarea, #hub-repo input").first.fill("colliding")
            page.locator("#hub-push-button").click()
            expect(page.locator("#hub-push-result")).to_contain_text(
                "Pushed 5 images to the private dataset me/colliding")
        finally:
            demo.close()
            binder.registry.close_all()
    repo = hub.repos["datasets/me/colliding"]
    assert repo["private"] is True
    files = repo["files"]
    images = sorted(f for f in files if f.startswith("data/") and f.endswith((".png", ".jpg")))
    assert len(images) == 5
    assert sorted(files[f] for f in images) == sorted(originals.values())  # untouched images keep their bytes
    lines = [json.loads(x) for x in files["data/metadata.jsonl"].decode().splitlines()]
    assert sorted(line["file_name"] for line in lines) == sorted(f[len("data/"):] for f in images)
    captions = sorted(line["text"] for line in lines if line["text"])
    assert captions == sorted(", ".join(t) for t in tags.values() if t)
    assert all(tok == "hf_local" for _m, p, tok in hub.requests if p.startswith("/api/") and "agent" not in p)
