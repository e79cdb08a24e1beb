"""Large sets are paged: the browser only ever receives one page of thumbnails."""

from __future__ import annotations

import pytest

from tests.browser.conftest import free_port, picture

pytestmark = pytest.mark.browser


def test_source_gallery_pages(tmp_path, browser):
    from playwright.sync_api import expect

    from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options
    from waifuc_ui.ui.paging import PAGE_SIZE

    folder = tmp_path / "demo"
    folder.mkdir()
    total = PAGE_SIZE + 12
    for k in range(total):
        picture(((k * 40) % 256, (k * 90) % 256, 100), k % 12, size=(64, 60)).save(folder / f"p{k:02d}.png")
    settings = AppSettings(workspace_root=(tmp_path / "ws").resolve(), demo_dir=folder)
    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, binder))
    try:
        page = browser.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"http://127.0.0.1:{port}/")
        label = page.locator("#source-page-label")
        expect(label).to_contain_text(f"page 1 of 2 · {total} images")
        expect(page.locator("#source-gallery img")).to_have_count(PAGE_SIZE)
        page.locator("#source-next").click()
        expect(label).to_contain_text(f"page 2 of 2 · {total} images")
        expect(page.locator("#source-gallery img")).to_have_count(12)
        page.locator("#source-next").click()  # past the end: stays on the last page
        expect(label).to_contain_text("page 2 of 2")
        page.locator("#source-prev").click()
        expect(label).to_contain_text("page 1 of 2")
    finally:
        demo.close()
        binder.registry.close_all()
