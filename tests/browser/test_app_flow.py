"""The whole app in Chromium: upload, preset, run, restore, characters, duplicates, tags, export, download."""

from __future__ import annotations

import json
import re
import zipfile

import pytest

from tests.browser.conftest import write_upload_zip

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def open_tab(page, name):
    page.get_by_role("tab", name=name).click()


def pick(page, dropdown_id, option_text):
    """Choose an option of a gr.Dropdown by (the start of) its text."""
    page.locator(f"#{dropdown_id} input").click()
    page.get_by_role("option", name=re.compile("^" + re.escape(option_text))).first.click()


def test_full_review_flow(app_url, browser, tmp_path):
    from playwright.sync_api import expect

    url, binder = app_url
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    summary = page.locator("#source-summary")
    expect(summary).to_contain_text("Demo dataset: 13 images came in, 1 file refused", timeout=TIMEOUT)
    expect(page.locator("#refused-table")).to_contain_text("broken.jpg")

    # upload a zip (added to the demo images); its `..` entry is refused with a reason
    page.get_by_label("Replace the current images").uncheck()
    page.locator("#upload-files input[type=file]").set_input_files(str(write_upload_zip(tmp_path / "up.zip")))
    expect(page.locator("#upload-files a[href*='up.zip']")).to_have_count(1)
    page.locator("#use-uploads").click()
    expect(summary).to_contain_text("Upload of 1 file: 2 images came in, 1 file refused · 15 in the session")
    expect(page.locator("#refused-table")).to_contain_text("escape.png")

    # pipeline: the model-free preset plus a CCIP step
    open_tab(page, "2 · Pipeline")
    pick(page, "preset", "model-free clean-up")
    page.locator("#use-preset").click()
    expect(page.locator("#step-4-enabled")).to_contain_text("4. AlignMinSizeAction")
    pick(page, "add-step-choice", "CCIPAction")
    page.get_by_role("button", name="Add step").click()
    expect(page.locator("#step-5-enabled")).to_contain_text("5. CCIPAction · model ready")
    expect(page.locator("#model-status")).to_contain_text("All models needed by the 1 model-backed step(s)")
    page.get_by_text("Recipe JSON and Python script").click()
    expect(page.locator("#recipe-script")).to_contain_text("CCIPAction(")
    with page.expect_download() as recipe_download:
        page.locator("#save-recipe").click()
    recipe = json.loads(open(recipe_download.value.path()).read())
    assert [step["action"] for step in recipe["steps"]] == [
        "ModeConvertAction", "MinSizeFilterAction", "HashDedupAction", "AlignMinSizeAction", "CCIPAction"]

    # run, open the size filter's dropped image, see why, restore it
    open_tab(page, "3 · Run")
    page.locator("#run-btn").click()
    expect(page.locator("#run-status")).to_contain_text("Run finished: 15 images in", timeout=TIMEOUT)
    pick(page, "step-choice", "2. MinSizeFilterAction")
    expect(page.locator("#dropped-gallery")).to_contain_text("short side 50 px")
    page.locator("#dropped-gallery img").first.click()
    details = page.locator("#drop-details")
    expect(details).to_contain_text("by 2. MinSizeFilterAction: short side 50 px < 256 px")
    expect(details).to_contain_text("score 50, threshold 256")
    page.locator("#restore-btn").click()
    expect(details).to_contain_text("Restored tiny.png")
    expect(page.locator("#step-choice input")).to_have_value(re.compile(r"^2\. MinSizeFilterAction: 15 → 15 kept"))

    # a parameter change updates the last run at once (cached: decisions only)
    open_tab(page, "2 · Pipeline")
    page.locator("#step-2-params").click()
    size = page.locator("#step-2-min_size input")
    size.fill("40")
    size.press("Tab")
    expect(page.locator("#live-result")).to_contain_text("Run updated (done): 15 in →")
    expect(page.locator("#recipe-script")).to_contain_text("MinSizeFilterAction(40)")

    # characters: the red and the blue character form two clusters of 6 (green is noise); choose the first only
    open_tab(page, "4 · Characters")
    ccip = page.locator("#ccip-summary")
    expect(ccip).to_contain_text("2 cluster(s) and 1 noise image(s) among 13 images")
    chosen = page.locator("#ccip-chosen")
    expect(chosen.locator("label")).to_have_count(2)
    labels = [label.strip() for label in chosen.locator("label").all_inner_texts()]
    assert [re.sub(r" · ✓ target$", "", text) for text in labels] == ["Cluster 0 · 6 images", "Cluster 1 · 6 images"]
    chosen.get_by_label(labels[0]).check()
    chosen.get_by_label(labels[1]).uncheck()
    page.locator("#ccip-apply").click()
    expect(ccip).to_contain_text("Applied; 6 images in the dataset")
    expect(ccip).to_contain_text("target: 6 image(s)")

    # duplicates: move the threshold
    open_tab(page, "5 · Duplicates")
    dup = page.locator("#dup-summary")
    expect(dup).to_contain_text("duplicate group(s)")
    number = page.locator("#dup-threshold input[type=number]")
    number.fill("0")
    number.press("Enter")
    expect(dup).to_contain_text("hash bits ≤ 0")

    # tags: add one to every image
    open_tab(page, "6 · Tags")
    page.locator("#tag-input input, #tag-input textarea").first.fill("smile")
    page.locator("#tag-add").click()
    expect(page.locator("#tags-note")).to_contain_text(  # every image changed: the count equals the total
        re.compile(r"Added smile to (\d+) image\(s\) \(of all \1 images\)\."))
    expect(page.locator("#tag-table")).to_contain_text("smile")
    # select one image, edit the selection, then that image's own tags
    page.locator("#tags-gallery img").first.click()
    expect(page.locator("#tags-note")).to_contain_text("1 image selected")
    page.get_by_label("The selected images").check()
    page.locator("#tag-input input, #tag-input textarea").first.fill("blush")
    page.locator("#tag-add").click()
    expect(page.locator("#tags-note")).to_contain_text("Added blush to 1 image(s) (of the 1 in scope).")
    own = page.locator("#image-tags textarea")
    expect(own).to_have_value(re.compile(r"\bblush\b"))
    own.fill("blush, smile, red_eyes")
    page.locator("#save-image-tags").click()
    expect(page.locator("#tags-note")).to_contain_text("Saved the tags of")
    expect(page.locator("#tag-table")).to_contain_text("red_eyes")

    # export and download the zip
    open_tab(page, "7 · Export")
    page.locator("#export-build").click()
    expect(page.locator("#export-summary")).to_contain_text("dataset.zip")
    with page.expect_download() as info:
        page.locator("#export-download").click()
    target = tmp_path / "downloaded.zip"
    info.value.save_as(target)
    with zipfile.ZipFile(target) as zf:
        names = zf.namelist()
        captions = [zf.read(n).decode() for n in names if n.endswith(".txt")]
    images = [n for n in names if n.lower().endswith((".png", ".jpg", ".webp"))]
    assert len(images) == len(captions) > 0
    assert all("smile" in c for c in captions)
    assert sum("red_eyes" in c for c in captions) == 1
    context.close()
