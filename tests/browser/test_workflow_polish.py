"""Issue 15 in the browser: insert a step at a place and move it in one pick, the Preset dropdown following the
recipe, Run right after a live update, tag filters scoping edits with true counts, the caption preview equal to
the exported .txt, and the bucket preview equal to a direct computation on the exported images."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from PIL import Image

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def open_page(browser, url, width=1400, height=1000):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)
    return context, page


def pick(page, dropdown_id, option_text):
    page.locator(f"#{dropdown_id} input").click()
    page.get_by_role("option", name=re.compile("^" + re.escape(option_text))).first.click()


def test_insert_move_and_the_preset_dropdown(app_url, browser):
    from playwright.sync_api import expect

    url, _binder = app_url
    context, page = open_page(browser, url)
    page.get_by_role("tab", name="2 · Pipeline").click()
    expect(page.locator("#preset input")).to_have_value("model-free clean-up")
    expect(page.locator("#preset-about")).to_contain_text("no model needed")
    pick(page, "add-step-choice", "FirstNSelectAction")
    pick(page, "add-step-at", "after 1. ModeConvertAction")
    page.locator("#add-step").click()
    expect(page.locator("#step-2-enabled")).to_contain_text("2. FirstNSelectAction")
    expect(page.locator("#step-3-enabled")).to_contain_text("3. MinSizeFilterAction")
    expect(page.locator("#preset input")).to_have_value("custom")
    pick(page, "step-2-move-to", "move to 5")  # one pick to the end
    expect(page.locator("#step-5-enabled")).to_contain_text("5. FirstNSelectAction")
    expect(page.locator("#step-2-enabled")).to_contain_text("2. MinSizeFilterAction")
    page.locator("#step-5-remove").click()
    expect(page.locator("#step-5-enabled")).to_have_count(0)
    expect(page.locator("#preset input")).to_have_value("model-free clean-up")  # equal to the preset again
    pick(page, "preset", "character LoRA")
    expect(page.locator("#preset-about")).to_contain_text("keeps the main character")
    page.locator("#use-preset").click()
    expect(page.locator("#step-16-enabled")).to_contain_text("16. FileOrderAction")
    expect(page.locator("#step-2-enabled")).to_contain_text("2. MinSizeFilterAction")
    expect(page.locator("#step-13-enabled")).to_contain_text("13. TagOverlapDropAction")
    context.close()


def test_filters_scope_edits_caption_preview_and_buckets_match_the_export(app_url, browser, tmp_path):
    from playwright.sync_api import expect

    from waifuc_ui.export.buckets import bucket_resolutions, fit_bucket

    url, _binder = app_url
    context, page = open_page(browser, url)
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()
    expect(page.locator("#run-status")).to_contain_text("Run finished", timeout=TIMEOUT)

    page.get_by_role("tab", name="6 · Tags").click()
    page.locator("#filter-all input, #filter-all textarea").first.fill("1girl")
    page.locator("#filter-apply").click()
    expect(page.locator("#tags-note")).to_contain_text("2 image(s) match all of 1girl")
    expect(page.locator("#tag-scope input[value='Images matching the filter']")).to_be_checked()
    page.locator("#tag-input input, #tag-input textarea").first.fill("solo")
    page.get_by_label("Replace with").fill("alone")
    page.locator("#tag-replace").click()
    expect(page.locator("#tags-note")).to_contain_text("Replaced solo by alone on 2 image(s) (of the 2 in scope)")
    page.locator("#filter-none input, #filter-none textarea").first.fill("alone")
    page.locator("#filter-apply").click()
    expect(page.locator("#tags-note")).to_contain_text("0 image(s) match all of 1girl · none of alone")
    page.locator("#filter-all .remove-all").click()  # the filters are tag lists now: their clear buttons
    page.locator("#filter-none .remove-all").click()
    page.locator("#filter-untagged input").check()
    page.locator("#filter-apply").click()
    expect(page.locator("#tags-note")).to_contain_text("9 image(s) match untagged")
    page.locator("#filter-untagged input").uncheck()
    page.locator("#filter-any input, #filter-any textarea").first.fill("alone")
    page.locator("#filter-apply").click()
    expect(page.locator("#tags-note")).to_contain_text("2 image(s) match any of alone")
    box = page.locator("#trigger-word input, #trigger-word textarea").first
    box.fill("my_char (v2)")
    box.press("Enter")
    expect(page.locator("#tags-note")).to_contain_text("Trigger word")
    page.locator("#tags-gallery .thumbnail-item").first.click()
    preview = page.locator("#caption-preview .cm-content")
    expect(preview).to_contain_text("my_char \\(v2\\), ")
    caption = preview.inner_text()
    assert caption == "my_char \\(v2\\), 1girl, alone"

    page.get_by_role("tab", name="7 · Export").click()
    page.locator("#bucket-preview-btn").click()
    expect(page.locator("#bucket-preview")).to_contain_text("bucket(s) at 512×512")
    table = page.locator("#bucket-preview").inner_text()
    page.locator("#export-build").click()
    expect(page.locator("#export-download")).to_be_visible(timeout=TIMEOUT)
    with page.expect_download() as info:
        page.locator("#export-download").click()
    target = tmp_path / "dataset.zip"
    info.value.save_as(target)
    with zipfile.ZipFile(target) as zf:
        texts = {n: zf.read(n).decode() for n in zf.namelist() if n.endswith(".txt")}
        sizes = [Image.open(io.BytesIO(zf.read(n))).size for n in zf.namelist()
                 if n.lower().endswith((".png", ".jpg", ".jpeg", ".webp"))]
    assert caption in texts.values()
    resos = bucket_resolutions(512)
    direct: dict = {}
    for w, h in sizes:
        bucket = fit_bucket(w, h, resos).bucket
        direct[bucket] = direct.get(bucket, 0) + 1
    assert sum(direct.values()) == len(texts) == 11
    shown = {(int(w), int(h)): int(n) for w, h, n in re.findall(r"(\d+)×(\d+)\s+(\d+)", table)}
    assert shown == direct
    context.close()


def test_run_right_after_a_live_update_finishes_without_an_error(app_url, browser):
    from playwright.sync_api import expect

    url, _binder = app_url
    context, page = open_page(browser, url)
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()
    expect(page.locator("#run-status")).to_contain_text("Run finished", timeout=TIMEOUT)
    page.get_by_role("tab", name="2 · Pipeline").click()
    page.locator("#step-2-params").click()
    size = page.locator("#step-2-min_size input").first
    size.fill("300")
    size.press("Enter")
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()  # while the live update may still be going: queued, never refused
    expect(page.locator("#run-status")).to_contain_text("Run finished", timeout=TIMEOUT)
    expect(page.locator("#run-status")).to_contain_text("11 in the dataset")
    expect(page.get_by_text("while another run is going")).to_have_count(0)
    context.close()


@pytest.mark.parametrize("width,height", [(820, 900), (390, 844)])
def test_narrow_screens_keep_every_tab_reachable_and_captions_whole(app_url, browser, width, height):
    from playwright.sync_api import expect

    url, _binder = app_url
    context, page = open_page(browser, url, width, height)
    names = ["1 · Source", "2 · Pipeline", "3 · Run", "4 · Characters", "5 · Duplicates", "6 · Tags", "7 · Export"]
    for name in names:
        expect(page.get_by_role("tab", name=name)).to_be_visible()
    expect(page.locator(".overflow-menu:visible")).to_have_count(0)  # no "…" menu hiding tabs
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()
    expect(page.locator("#run-status")).to_contain_text("Run finished", timeout=TIMEOUT)
    page.get_by_role("tab", name="5 · Duplicates").click()
    caption = page.locator("#dup-groups .caption-label").first
    expect(caption).to_contain_text("dups")
    cut = caption.evaluate("el => el.scrollWidth > el.clientWidth + 1")
    assert cut is False, caption.inner_text()
    page.get_by_role("tab", name="7 · Export").click()
    expect(page.locator("#export-build")).to_be_visible()
    context.close()


def test_the_online_form_refuses_an_empty_tags_field_before_sending(app_url, browser):
    from playwright.sync_api import expect

    url, binder = app_url
    context, page = open_page(browser, url)
    page.get_by_text("Online sources (Danbooru, Gelbooru, …)").click()
    page.get_by_role("button", name="Download into the session").click()
    toast = page.locator(".toast-body")
    expect(toast).to_contain_text("type at least one tag", timeout=TIMEOUT)
    expect(toast).to_contain_text("newest posts of any kind")
    expect(page.locator("#source-summary")).to_contain_text("13 images came in")  # the images stay
    context.close()
