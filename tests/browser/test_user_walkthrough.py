"""What a new user meets on narrow and wide screens: nothing cut off or hidden behind a sideways scroll."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def _open_tags_tab(url, browser, width):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)
    page.get_by_role("tab", name="6 · Tags").click()
    expect(page.locator("#tags-gallery .thumbnail-item").first).to_be_visible()
    return context, page


def test_the_tags_gallery_fits_its_box_at_820_px(app_url, browser):
    url, _ = app_url
    context, page = _open_tags_tab(url, browser, 820)
    sizes = page.evaluate("""() => { const wrap = document.querySelector('#tags-gallery .grid-wrap');
        const grid = wrap.querySelector('.grid-container');
        return {wrap: wrap.clientWidth, grid: grid.scrollWidth,
                columns: getComputedStyle(grid).gridTemplateColumns.split(' ').length}; }""")
    assert sizes["grid"] <= sizes["wrap"], sizes  # no thumbnail hidden to the right
    assert 3 <= sizes["columns"] < 8, sizes
    context.close()


def test_the_untagged_filter_label_is_not_cut_at_1400_px(app_url, browser):
    url, _ = app_url
    context, page = _open_tags_tab(url, browser, 1400)
    fits = page.evaluate("""() => { const label = document.querySelector('#filter-untagged label');
        const span = [...label.querySelectorAll('span')].find(s => s.textContent.trim() === 'Untagged');
        const box = document.querySelector('#filter-untagged').getBoundingClientRect();
        return {right: span.getBoundingClientRect().right, box: box.right}; }""")
    assert fits["right"] <= fits["box"], fits
    context.close()


def test_use_preset_is_off_while_the_preset_box_says_custom(app_url, browser):
    import re

    from playwright.sync_api import expect

    url, _ = app_url
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)
    page.get_by_role("tab", name="2 · Pipeline").click()
    button = page.locator("#use-preset")
    expect(button).to_be_enabled()
    page.locator("#preset input").click()
    page.get_by_role("option", name="custom").click()
    expect(page.locator("#preset-about")).to_contain_text("your own steps")
    expect(button).to_be_disabled()
    # a step added by hand makes the box say custom too; picking a preset again turns the button back on
    page.locator("#add-step-choice input").click()
    page.get_by_role("option", name=re.compile("^PaddingAlignAction")).first.click()
    page.get_by_role("button", name="Add step").click()
    expect(page.locator("[id$='-enabled']", has_text="PaddingAlignAction")).to_have_count(1)
    page.locator("#preset input").click()
    page.get_by_role("option", name="model-free clean-up").click()
    expect(button).to_be_enabled()
    button.click()
    expect(page.locator("[id$='-enabled']", has_text="PaddingAlignAction")).to_have_count(0)
    assert page.locator(".toast-body").count() == 0
    context.close()


def test_the_page_label_of_a_gallery_keeps_its_words_whole_on_a_phone(app_url, browser):
    url, _ = app_url
    context, page = _open_tags_tab(url, browser, 390)
    label = page.locator("#tags-page-label")
    assert "13 images" in label.inner_text() or "11 images" in label.inner_text()
    box = label.bounding_box()
    assert box is not None and box["width"] >= 200, box  # "page 1 of 1 · 11 images" was 50 px wide, 4 lines
    lines = page.evaluate("""() => { const p = document.querySelector('#tags-page-label p');
        return Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight)); }""")
    assert lines == 1, lines
    context.close()
