"""The Duplicates tab in Chromium: every image of the session is compared, shift-click picks a range, "n" splits it
off as not a duplicate, "k" keeps, and the dataset count, the export and the drop reason (a file name) agree."""

from __future__ import annotations

import re

import pytest
from review_page import export_count, looks

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def test_split_a_shift_click_range_off_a_group_and_export_what_the_tab_says(app_url, browser):
    from playwright.sync_api import expect

    url, _binder = app_url
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("Demo dataset: 13 images came in", timeout=TIMEOUT)
    page.get_by_role("tab", name="2 · Pipeline").click()
    page.locator("#preset input").click()
    page.get_by_role("option", name=re.compile("^model-free clean-up")).first.click()
    page.locator("#use-preset").click()
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()
    expect(page.locator("#run-status")).to_contain_text("Run finished", timeout=TIMEOUT)

    page.get_by_role("tab", name="5 · Duplicates").click()
    summary = page.locator("#dup-summary")
    expect(summary).to_contain_text("every image of the session, 1 of them dropped by earlier steps")
    expect(page.locator("#dup-keys")).to_contain_text("k keep the picked")
    number = page.locator("#dup-threshold input[type=number]")
    number.fill("64")  # every image in one group: 11 drawings, an exact copy and tiny.png (dropped by size)
    number.press("Enter")
    expect(summary).to_contain_text("1 duplicate group(s) at phash bits ≤ 64")
    thumbs = page.locator("#dup-members button.thumbnail-item")
    expect(thumbs).to_have_count(13)
    captions = page.locator("#dup-members .caption-label")
    expect(captions.nth(0)).to_contain_text("★ keeper")
    picked = page.locator("#dup-picked")
    thumbs.nth(1).click()
    expect(picked).to_contain_text("1 image(s) picked")
    thumbs.nth(3).click(modifiers=["Shift"])  # the range 1..3
    expect(picked).to_contain_text("3 image(s) picked")
    for k in range(1, 4):
        expect(captions.nth(k)).to_contain_text("●")
    expect(captions.nth(4)).not_to_contain_text("●")
    expect(thumbs.nth(3)).to_have_class(re.compile(r"\bwui-picked\b"))  # picks are visible at a glance
    assert looks(thumbs) == ["plain"] + ["picked"] * 3 + ["plain"] * 9
    page.keyboard.press("n")  # not a duplicate: the three stand alone and stay; one of the other ten is kept
    expect(summary).to_contain_text("left the group. Applied; 4 images in the dataset.")
    expect(summary).to_contain_text("3 image(s) set apart")
    expect(thumbs).to_have_count(10)
    assert looks(thumbs) == ["plain"] * 10  # the group redrawn: nothing picked, nothing outlined
    # "k" makes the picked image the keeper: the count stays, the keeper changes
    thumbs.nth(2).click()
    expect(picked).to_contain_text("1 image(s) picked")
    page.keyboard.press("k")
    expect(summary).to_contain_text("Applied; 4 images in the dataset.")
    expect(captions.nth(2)).to_contain_text("★ keeper (chosen by you)")  # the order stays: ranges keep meaning
    assert export_count(page) == 4

    # the drop reason names the kept file
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#step-choice input").click()
    page.get_by_role("option", name=re.compile(r"^3\. HashDedupAction")).first.click()
    page.locator("#dropped-gallery img").first.click()
    expect(page.locator("#drop-details")).to_contain_text(
        re.compile(r"by 3\. HashDedupAction: duplicate of \w+\.png \(kept by review\)"))
    context.close()
