"""Snapshot of the app's UI for checking that a refactor of the ui/ modules changes nothing a visitor sees.

Writes OUTDIR/config.json (gradio's config of the whole app, object addresses and the app id blanked) and, from
Chromium, OUTDIR/dom_<preset>.html (the Pipeline tab's drawn step list for each preset, every Parameters box open,
component ids and svelte classes blanked). Compare two snapshots with ``diff -r``.

    cd <worktree> && /work/venv/bin/python scripts/ui_snapshot.py /tmp/before
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.getcwd())
import tests.conftest  # noqa: F401  (the tests' offline Hugging Face settings, read at import)
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, write_browser_dataset
from waifuc_ui.ui import AppSettings, SessionBinder, build_app, launch_options

PRESETS = ("model-free clean-up", "character LoRA")


def config_text(demo, tmp: Path) -> str:
    text = json.dumps(demo.get_config_file(), sort_keys=True, indent=1, default=str).replace(str(tmp), "<TMP>")
    text = re.sub(r" at 0x[0-9a-f]+", " at ADDR", text)
    return re.sub(r'"app_id": \d+', '"app_id": N', text)


def pipeline_dom(url: str, out: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(url)
        expect(page.locator("#source-summary")).to_contain_text("images came in", timeout=60_000)
        page.get_by_role("tab", name="2 · Pipeline").click()
        for preset in PRESETS:
            page.locator("#preset input").click()
            page.get_by_role("option", name=re.compile("^" + re.escape(preset))).first.click()
            page.locator("#use-preset").click()
            page.wait_for_timeout(3000)  # a snapshot, not a test: let the step list settle
            for box in page.locator("[id$='-params']").all():
                box.click()
            page.wait_for_timeout(1500)
            html = page.locator(".tabitem:visible").first.inner_html()
            html = re.sub(r'(component-|id=")\d+', r"\1N", html)
            html = re.sub(r"\b(svelte|s)-[a-z0-9]{6,}\b", "S", html)
            (out / f"dom_{preset.replace(' ', '_')}.html").write_text(html)
        browser.close()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    write_browser_dataset(tmp / "demo")
    settings = AppSettings(workspace_root=(tmp / "ws").resolve(), demo_dir=tmp / "demo")
    binder = SessionBinder(settings)
    demo = build_app(settings, binder)
    (out / "config.json").write_text(config_text(demo, tmp))
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True,
                **launch_options(settings, binder))
    try:
        pipeline_dom(f"http://127.0.0.1:{port}/", out)
    finally:
        demo.close()
        binder.registry.close_all()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
