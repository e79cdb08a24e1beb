"""Small things a new user meets: Enter sets the trigger word; a step with a missing model gets one note."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
TIMEOUT = 60_000


def test_enter_in_the_trigger_box_sets_the_trigger_word(app_url, browser):
    from playwright.sync_api import expect

    url, binder = app_url
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)
    page.get_by_role("tab", name="6 · Tags").click()
    box = page.locator("#trigger-word input, #trigger-word textarea").first
    box.fill("mychar")
    box.press("Enter")
    expect(page.locator("#tags-note")).to_contain_text("Trigger word: mychar")
    page.get_by_role("tab", name="7 · Export").click()
    expect(page.locator("#export-info")).to_contain_text("mychar")
    context.close()


def test_a_step_whose_model_is_missing_has_one_note_naming_each_file_once(app_url, browser):
    from playwright.sync_api import expect

    url, binder = app_url
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)
    page.get_by_role("tab", name="2 · Pipeline").click()
    page.locator("#add-step-choice input").click()
    page.get_by_role("option", name=re.compile("^NoMonochromeAction")).first.click()
    page.get_by_role("button", name="Add step").click()
    label = page.locator("[id$='-enabled']", has_text="NoMonochromeAction")
    expect(label).to_contain_text("MODEL MISSING")
    notes = page.locator(".block.model-files, .block.model-missing")
    expect(notes).to_have_count(1)
    text = notes.first.inner_text()
    assert text.count("Model missing") == 1
    assert text.count("monochrome_detect") == len(re.findall(r"\((missing|on this machine)\)", text)) >= 1
    context.close()


def test_the_run_tab_says_before_the_run_that_a_step_will_be_skipped(app_url, browser):
    from playwright.sync_api import expect

    url, binder = app_url
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)
    page.get_by_role("tab", name="2 · Pipeline").click()
    page.locator("#add-step-choice input").click()
    page.get_by_role("option", name=re.compile("^NoMonochromeAction")).first.click()
    page.get_by_role("button", name="Add step").click()
    expect(page.locator("[id$='-enabled']", has_text="NoMonochromeAction")).to_contain_text("MODEL MISSING")
    page.get_by_role("tab", name="3 · Run").click()
    status = page.locator("#run-status")
    expect(status).to_contain_text("Not run yet: 13 images are waiting")
    expect(status).to_contain_text("1 step(s) will be skipped")
    context.close()


def test_select_these_in_the_tags_tab_makes_the_next_edit_apply_to_them_only(app_url, browser):
    from playwright.sync_api import expect

    url, binder = app_url
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)
    page.get_by_role("tab", name="7 · Export").click()
    expect(page.locator("#export-checks")).to_contain_text(
        "Exact duplicates (same pixels as an earlier image): 1 image")
    page.locator("#export-problem label", has_text="Exact duplicates").click()
    page.locator("#export-select-in-tags").click()
    expect(page.locator("#export-check-note")).to_contain_text("1 image selected in the Tags tab")
    page.get_by_role("tab", name="6 · Tags").click()
    expect(page.locator("#tags-note")).to_contain_text("1 image selected")
    expect(page.get_by_label("The selected images")).to_be_checked()
    page.locator("#tag-input input, #tag-input textarea").first.fill("lowres")
    page.locator("#tag-add").click()
    expect(page.locator("#tags-note")).to_contain_text("Added lowres to 1 image(s) (of the 1 in scope).")
    context.close()


def test_drop_these_before_any_run_runs_the_pipeline_and_leaves_none_flagged(app_url, browser):
    from playwright.sync_api import expect

    url, binder = app_url
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)
    page.get_by_role("tab", name="7 · Export").click()
    checks = page.locator("#export-checks")
    expect(checks).to_contain_text("Short side under 512 px: 13 images")
    page.locator("#export-drop").click()  # the first check (short side) is chosen
    expect(page.locator("#export-check-note")).to_contain_text(re.compile(r"Dropped \d+ images? from the dataset"))
    expect(checks).to_contain_text("✓ Short side under 512 px: none")
    assert page.locator(".toast-body").count() == 0
    context.close()
