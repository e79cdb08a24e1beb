"""What the Characters and Duplicates browser tests read from the page: thumbnails' picked look, the export count."""

from __future__ import annotations

import re


def looks(thumbs) -> list[str]:
    """Each thumbnail's computed look: "picked" (the head script's 4 px solid outline and tint), "plain" (neither;
    a focus ring is plain), else "mixed"."""
    return thumbs.evaluate_all("""els => els.map(el => {
        const s = getComputedStyle(el), tinted = getComputedStyle(el, '::after').content !== 'none';
        const outlined = s.outlineStyle === 'solid' && s.outlineWidth === '4px';
        return outlined && tinted ? 'picked' : (!outlined && !tinted ? 'plain' : 'mixed'); })""")


def export_count(page) -> int:
    """Build the export on the Export tab and read how many images it holds."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name="7 · Export").click()
    page.locator("#export-build").click()
    expect(page.locator("#export-summary")).to_contain_text("images (")
    found = re.search(r"(\d+) images \(", page.locator("#export-summary").inner_text())
    assert found is not None
    return int(found.group(1))
