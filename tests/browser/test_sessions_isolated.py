"""Two browser sessions at once never see each other's files, in the UI or by URL."""

from __future__ import annotations

import os
import re

import pytest

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def thumbnail_urls(page):
    from playwright.sync_api import expect

    images = page.locator("#source-gallery img")
    expect(images.first).to_be_visible(timeout=TIMEOUT)
    return sorted({src for src in images.evaluate_all("els => els.map(e => e.src)") if "/file=" in src})


def workspace_id(url, root):
    path = url.split("/file=", 1)[1]
    return os.path.relpath(path, root).split(os.sep)[0]


def test_two_sessions_do_not_share_files(app_url, browser):
    from playwright.sync_api import expect

    url, binder = app_url
    root = binder.guard.root
    alice_ctx, bob_ctx = browser.new_context(), browser.new_context()
    alice, bob = alice_ctx.new_page(), bob_ctx.new_page()
    for page in (alice, bob):
        page.goto(url)
        expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)
    alice_urls, bob_urls = thumbnail_urls(alice), thumbnail_urls(bob)
    alice_ws = {workspace_id(u, root) for u in alice_urls}
    bob_ws = {workspace_id(u, root) for u in bob_urls}
    assert len(alice_ws) == 1 and len(bob_ws) == 1 and alice_ws != bob_ws
    assert not set(alice_urls) & set(bob_urls)
    assert binder.live_count() == 2

    # each browser fetches its own files; the other one's URL, or a guessed one, is refused
    assert alice_ctx.request.get(alice_urls[0]).status == 200
    assert bob_ctx.request.get(alice_urls[0]).status == 403
    assert alice_ctx.request.get(bob_urls[0]).status == 403
    guessed = alice_urls[0].replace(next(iter(alice_ws)), "A" * 22)
    assert alice_ctx.request.get(guessed).status == 403
    # nothing outside the workspace root is served, even by path
    assert alice_ctx.request.get(re.sub(r"/file=.*", "/file=/etc/passwd", alice_urls[0])).status == 403

    # closing Alice's tab deletes nothing (her work is kept for the idle lifetime); a new tab in her browser
    # reopens the same workspace and still loads its files; Bob is unaffected
    alice_dir = os.path.join(root, next(iter(alice_ws)))
    alice.close(run_before_unload=True)
    alice_ctx.request.get(url)
    assert os.path.isdir(alice_dir)
    again = alice_ctx.new_page()
    again.goto(url)
    expect(again.locator("#source-summary")).to_contain_text("Your session was reopened: 13 images", timeout=TIMEOUT)
    assert {workspace_id(u, root) for u in thumbnail_urls(again)} == alice_ws
    assert alice_ctx.request.get(alice_urls[0]).status == 200
    assert bob_ctx.request.get(alice_urls[0]).status == 403
    assert bob_ctx.request.get(bob_urls[0]).status == 200
    assert binder.live_count() == 2
    alice_ctx.close()
    bob_ctx.close()
