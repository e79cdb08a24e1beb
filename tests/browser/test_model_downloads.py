"""Models arrive visibly, in Chromium, with the Hub a local server speaking its file API and nothing cached:
choosing the character preset downloads nothing (sizes only); Run shows the download progress and Stop ends it."""

from __future__ import annotations

import pytest

from tests.browser.conftest import free_port, write_browser_dataset
from tests.browser.test_app_flow import TIMEOUT, open_tab, pick
from tests.fakehub import fake_hub  # noqa: F401  (fixture)
from tests.inference.hubserver import FakeHubServer, go_online, model_source  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
FACE_FILE = "face_detect_v1.4_s/model.onnx"


@pytest.fixture
def online_app(tmp_path, fake_hub, model_source, monkeypatch):  # noqa: F811
    from waifuc_ui.inference.download import Downloader
    from waifuc_ui.session import SessionRegistry
    from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options

    with FakeHubServer() as hub_server:
        hub_server.add_cache(model_source)
        hub_server.behave(FACE_FILE, "trickle", after=40, delay=0.5)  # ~2 bytes/s: slow enough to watch and stop
        go_online(monkeypatch, hub_server.url)
        demo_dir = tmp_path / "demo"
        write_browser_dataset(demo_dir)
        settings = AppSettings(workspace_root=(tmp_path / "workspaces").resolve(), demo_dir=demo_dir)
        # the trickle must count as progress however slow the machine is: only Stop ends it
        registry = SessionRegistry(str(settings.workspace_root), downloader=Downloader(stall_window=120, min_rate=1))
        binder = SessionBinder(settings, registry)
        demo = build_app(settings, binder)
        port = free_port()
        demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                    **launch_options(settings, binder))
        try:
            yield f"http://127.0.0.1:{port}/", hub_server
        finally:
            demo.close()
            binder.registry.close_all()


def test_preset_shows_sizes_without_downloading_and_run_downloads_with_progress_and_stop(online_app, browser):
    from playwright.sync_api import expect

    url, hub_server = online_app
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("Demo dataset", timeout=TIMEOUT)
    open_tab(page, "2 · Pipeline")
    pick(page, "preset", "character LoRA")
    page.locator("#use-preset").click()
    status = page.locator("#model-status")
    expect(status).to_contain_text("will be downloaded from the Hub when you press Run", timeout=TIMEOUT)
    expect(status).to_contain_text("KB")  # the sizes, from HEAD requests
    expect(page.locator("#step-5-enabled")).to_contain_text("5. FaceCountAction · downloads on the first run")
    assert hub_server.count("GET", "/resolve/") == 0 and hub_server.count("HEAD", "/resolve/") > 5

    open_tab(page, "3 · Run")
    page.locator("#run-btn").click()
    progress = page.locator("#run-status").get_by_text("Downloading model file")
    expect(progress).to_be_visible(timeout=TIMEOUT)
    expect(progress).to_contain_text(f"deepghs/anime_face_detection/{FACE_FILE} · ", timeout=TIMEOUT)
    expect(progress).to_contain_text("B/s")
    page.locator("#stop-btn").click()
    expect(page.locator("#run-status")).to_contain_text("Run stopped", timeout=TIMEOUT)
    expect(page.locator("#run-status")).to_contain_text("no step ran. Stopped while downloading the models")
    expect(page.locator("#stop-btn")).to_have_text("■ Stop")  # ready for the next run
    expect(page.locator("#stop-btn")).to_be_enabled()
    assert hub_server.count("GET", FACE_FILE) == 1
