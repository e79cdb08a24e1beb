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


def test_folder_export_over_http_is_refused_in_public_mode(browser, tmp_path):
    """The hidden 'Write to folder' handler, called with the page's own session over Gradio's queue API."""
    from playwright.sync_api import expect

    demo, binder, url, _originals, _tags = launch(tmp_path, public=True)
    target = tmp_path / "written-by-a-visitor"
    try:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT)
        page.goto(url)
        expect(page.locator("#source-summary")).to_contain_text("Demo dataset: 5 images came in", timeout=TIMEOUT)
        expect(page.locator("#export-folder-write")).to_have_count(0)  # hidden in public mode
        result = page.evaluate("""async ([target]) => {
            const config = window.gradio_config;
            const hash = Math.random().toString(36).slice(2);
            const call = async (index, data, trigger) => {
                const join = await fetch("gradio_api/queue/join", {method: "POST",
                    headers: {"Content-Type": "application/json"},
                    body: JSON.stringify({data, fn_index: index, session_hash: hash, event_data: null,
                                          trigger_id: trigger})});
                const stream = await fetch("gradio_api/queue/data?session_hash=" + hash);
                return [join.status, await stream.text()];
            };
            // open a session for this session hash, as the page load does
            const load = config.dependencies.findIndex(d => d.targets.some(t => t[1] === "load")
                                                         && d.inputs.length === 0 && d.outputs.length === 2);
            const opened = await call(load, [], null);
            const button = config.components.find(c => c.props && c.props.elem_id === "export-folder-write");
            const index = config.dependencies.findIndex(d => d.targets.some(t => t[0] === button.id));
            const folderBox = config.components.find(c => c.props && c.props.elem_id === "export-folder").id;
            const data = config.dependencies[index].inputs.map(id => id === folderBox ? target : null);
            const layoutBox = config.components.find(c => c.props && c.props.elem_id === "export-layout").id;
            const qualityBox = config.components.find(c => c.props && c.props.elem_id === "export-quality").id;
            config.dependencies[index].inputs.forEach((id, k) => {
                if (id === layoutBox) data[k] = "textual_inversion";
                if (id === qualityBox) data[k] = 95;
                if (data[k] === null && k > 0) data[k] = "";
            });
            return [opened, await call(index, data, button.id)];
        }""", [str(target)])
        page.close()
    finally:
        demo.close()
        binder.registry.close_all()
    (load_status, load_stream), (status, stream) = result
    assert load_status == 200 and "process_completed" in load_stream
    assert status == 200 and "process_completed" in stream
    assert "disabled in public mode" in stream  # refused by the session, not by a missing state
    assert not target.exists()
