"""The launched app exports exactly: equal names from sub-folders and same-body files each get their own entry and
caption, untouched images keep their bytes, no server path is in the zip; folder export is refused in public mode
even when its handler is called over HTTP."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile

import numpy as np
import pytest
from PIL import Image

from tests.browser.conftest import free_port

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_colliding_dataset(folder):
    """sub1/dup.png, sub1/deeper/dup.png, sub2/dup.png (different pixels, own tags in sidecars as waifuc's
    SaveExporter writes them), a.png and a.jpg (no tags: they would share one sidecar)."""
    rng = np.random.default_rng(0)
    tags = {"sub1/dup.png": ["red_hair", "sword"], "sub1/deeper/dup.png": ["green_hair"],
            "sub2/dup.png": ["blue_hair", "book"], "a.png": [], "a.jpg": []}
    for rel, tag_list in tags.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(path, quality=97)
        if tag_list:
            (path.parent / f".{path.stem}_meta.json").write_text(
                json.dumps({"path": str(path), "filename": path.name, "tags": {t: 1.0 for t in tag_list}}))
    return {rel: (folder / rel).read_bytes() for rel in tags}, tags


def launch(tmp_path, public=False):
    from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options

    demo_dir = tmp_path / "demo"
    originals, tags = write_colliding_dataset(demo_dir)
    settings = AppSettings(workspace_root=(tmp_path / "workspaces").resolve(), demo_dir=demo_dir, public=public)
    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, binder))
    return demo, binder, f"http://127.0.0.1:{port}/", originals, tags


def test_the_downloaded_zip_has_one_entry_per_image_with_its_own_caption(browser, tmp_path):
    from playwright.sync_api import expect

    demo, binder, url, originals, tags = launch(tmp_path)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(url)
        expect(page.locator("#source-summary")).to_contain_text("Demo dataset: 5 images came in", timeout=TIMEOUT)
        page.get_by_role("tab", name="7 · Export").click()
        expect(page.locator("#export-checks")).to_contain_text("Short side under 512 px: 5 images")
        page.locator("#export-build").click()
        expect(page.locator("#export-summary")).to_contain_text("5 images")
        expect(page.locator("#export-summary")).to_contain_text("5 image(s) kept their original bytes")
        with page.expect_download() as info:
            page.locator("#export-download").click()
        target = tmp_path / "downloaded.zip"
        info.value.save_as(target)
        context.close()
    finally:
        demo.close()
        root = binder.registry.workspaces.root
        binder.registry.close_all()
    with zipfile.ZipFile(target) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    images = sorted(n for n in entries if not n.endswith(".txt"))
    assert images == ["a.jpg", "a_1.png", "deeper_dup.png", "dup.png", "sub2_dup.png"]
    assert len(entries) == 10
    by_hash = {sha(data): rel for rel, data in originals.items()}
    for name in images:
        source = by_hash[sha(entries[name])]  # byte for byte one of the inputs, each input once
        caption = entries[name.rsplit(".", 1)[0] + ".txt"].decode()
        assert caption == ", ".join(tags[source]), (name, source)
    assert sorted(by_hash[sha(entries[n])] for n in images) == sorted(originals)
    blob = b"".join(entries.values()) + "".join(entries).encode()
    for secret in {str(tmp_path), root, re.sub(r"[\W_]+", "_", str(tmp_path)).strip("_")}:
        assert secret.encode() not in blob


def test_folder_export_is_not_reachable_in_public_mode(tmp_path):
    """In public mode neither the 'Write to folder' control nor any API endpoint taking a folder exists (the
    session refuses a folder export too: tests/session)."""
    import httpx

    demo, binder, url, _originals, _tags = launch(tmp_path, public=True)
    try:
        config = httpx.get(url + "config").json()
        info = httpx.get(url + "gradio_api/info").json()
    finally:
        demo.close()
        binder.registry.close_all()
    ids = {(c.get("props") or {}).get("elem_id") for c in config["components"]}
    assert "export-folder" not in ids and "export-folder-write" not in ids
    assert "/on_folder" not in info["named_endpoints"]
    assert "/on_build" in info["named_endpoints"]  # the export itself is there
