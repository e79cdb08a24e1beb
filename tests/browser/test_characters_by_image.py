"""The Characters tab in Chromium: tick one cluster, pick two of its images and move them out with one click;
the tick, the summary and the export agree, Apply without a change keeps the moves, and an empty target needs
the confirmation."""

from __future__ import annotations

import re

import pytest
from review_page import export_count, looks

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def target_count(text: str) -> int:
    found = re.search(r"target: (\d+) image\(s\)", text)
    assert found is not None, text
    return int(found.group(1))


def test_pick_images_move_them_out_and_export_what_the_summary_says(app_url, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)  # a loaded machine answers slower than expect's 5 s

    url, _binder = app_url
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("Demo dataset: 13 images came in", timeout=TIMEOUT)

    page.get_by_role("tab", name="2 · Pipeline").click()
    page.locator("#add-step-choice input").click()
    page.get_by_role("option", name=re.compile("^CCIPAction")).first.click()
    page.get_by_role("button", name="Add step").click()
    expect(page.locator("[id^=step-][id$=-enabled]", has_text="CCIPAction")).to_have_count(1)
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()
    expect(page.locator("#run-status")).to_contain_text("Run finished", timeout=TIMEOUT)

    page.get_by_role("tab", name="4 · Characters").click()
    summary = page.locator("#ccip-summary")
    expect(summary).to_contain_text("cluster(s)")
    chosen = page.locator("#ccip-chosen")
    labels = [label.strip() for label in chosen.locator("label").all_inner_texts()]
    assert len(labels) >= 2
    sizes = [int(text.split(" · ")[1].split()[0]) for text in labels]
    for n, text in enumerate(labels):  # the biggest cluster only
        (chosen.get_by_label(text).check if n == 0 else chosen.get_by_label(text).uncheck)()
    page.locator("#ccip-apply").click()
    expect(summary).to_contain_text("Applied; ")
    expect(summary).to_contain_text("The target is your choice")
    kept = target_count(summary.inner_text())  # the cluster, and any noise image waifuc had kept
    assert kept >= sizes[0]
    expect(summary).to_contain_text(f"Applied; {kept} images in the dataset")

    # pick two images of the open (biggest) cluster and move both out with one click
    thumbs = page.locator("#ccip-members button.thumbnail-item")
    thumbs.nth(0).click()
    expect(page.locator("#ccip-picked")).to_contain_text("1 image(s) picked")
    thumbs.nth(1).click()
    expect(page.locator("#ccip-picked")).to_contain_text("2 image(s) picked")
    page.locator("#ccip-move-out").click()
    left = kept - 2
    expect(summary).to_contain_text(f"Moved 2 image(s) out of the target. Applied; {left} images in the dataset")
    expect(summary).to_contain_text(f"target: {left} image(s)")
    expect(summary).not_to_contain_text("waifuc found no cluster")
    first = chosen.locator("label").first
    expect(first).to_contain_text(f"✓ target ({sizes[0] - 2} of {sizes[0]})")  # ticked: most of it is in
    expect(first.locator("input")).to_be_checked()

    # Apply without a change keeps the two moves
    page.locator("#ccip-apply").click()
    expect(summary).to_contain_text(f"Applied; {left} images in the dataset")
    assert target_count(summary.inner_text()) == left

    # the export holds what the summary says
    page.get_by_role("tab", name="7 · Export").click()
    page.locator("#export-build").click()
    expect(page.locator("#export-summary")).to_contain_text(f"{left} images (")

    # unticking everything is refused until "Yes, drop every image" is ticked
    page.get_by_role("tab", name="4 · Characters").click()
    expect(summary).to_contain_text(f"target: {left} image(s)")
    for text in [label.strip() for label in chosen.locator("label").all_inner_texts()]:
        chosen.get_by_label(text).uncheck()
    page.locator("#ccip-apply").click()
    expect(summary).to_contain_text("Not applied")
    expect(summary).to_contain_text("Your choice has no image")
    page.locator("#ccip-confirm-empty input").check()
    page.locator("#ccip-apply").click()
    expect(summary).to_contain_text("Applied; 0 images in the dataset")
    context.close()


def test_shift_click_a_range_and_press_o_moves_exactly_those_out(app_url, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)  # a loaded machine answers slower than expect's 5 s

    url, _binder = app_url
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("Demo dataset: 13 images came in", timeout=TIMEOUT)
    page.get_by_role("tab", name="2 · Pipeline").click()
    page.locator("#add-step-choice input").click()
    page.get_by_role("option", name=re.compile("^CCIPAction")).first.click()
    page.get_by_role("button", name="Add step").click()
    expect(page.locator("[id^=step-][id$=-enabled]", has_text="CCIPAction")).to_have_count(1)
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()
    expect(page.locator("#run-status")).to_contain_text("Run finished", timeout=TIMEOUT)

    page.get_by_role("tab", name="4 · Characters").click()
    summary = page.locator("#ccip-summary")
    expect(summary).to_contain_text("cluster(s)")
    expect(page.locator("#ccip-keys")).to_contain_text("shift-click picks the range from the last click")
    for button, key in (("move-in", "i"), ("move-out", "o"), ("pick-page", "a"), ("clear-picked", "escape"),
                        ("prev", "arrowleft"), ("next", "arrowright")):
        expect(page.locator(f"button#ccip-{button}.wui-key-{key}")).to_have_count(1)
    chosen = page.locator("#ccip-chosen")
    labels = [label.strip() for label in chosen.locator("label").all_inner_texts()]
    for n, text in enumerate(labels):  # the biggest cluster (6 red images) is the target, whole
        (chosen.get_by_label(text).check if n == 0 else chosen.get_by_label(text).uncheck)()
    page.locator("#ccip-apply").click()
    expect(summary).to_contain_text("Applied; ")
    before = target_count(summary.inner_text())
    exported_before = export_count(page)
    assert exported_before == before

    page.get_by_role("tab", name="4 · Characters").click()
    expect(summary).to_contain_text(f"target: {before} image(s)")
    thumbs = page.locator("#ccip-members button.thumbnail-item")
    assert thumbs.count() >= 5
    captions = page.locator("#ccip-members .caption-label")
    assert all(text.startswith("✓") for text in captions.all_inner_texts()[:5])
    picked = page.locator("#ccip-picked")
    thumbs.nth(1).click()
    expect(picked).to_contain_text("1 image(s) picked")
    page.keyboard.press("Escape")  # Esc unpicks all
    expect(picked).to_contain_text("Click images to pick them")
    thumbs.nth(1).click()
    expect(picked).to_contain_text("1 image(s) picked")
    thumbs.nth(4).click(modifiers=["Shift"])  # the range 1..4: N = 4
    expect(picked).to_contain_text("4 image(s) picked")
    expect(captions.nth(0)).not_to_contain_text("●")
    for k in range(1, 5):
        expect(captions.nth(k)).to_contain_text("●")
    expect(thumbs.nth(4)).to_have_class(re.compile(r"\bwui-picked\b"))  # picks are visible at a glance
    shown = looks(thumbs)
    assert shown[:5] == ["plain"] + ["picked"] * 4 and set(shown[5:]) <= {"plain"}
    page.keyboard.press("o")
    expect(summary).to_contain_text("Moved 4 image(s) out of the target.")
    expect(summary).to_contain_text(f"target: {before - 4} image(s)")
    assert export_count(page) == exported_before - 4
    context.close()
