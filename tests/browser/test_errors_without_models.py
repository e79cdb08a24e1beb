"""Issue 15, errors with no model on the machine (Hub offline, empty cache): the Pipeline, Run and Export tabs
say what is missing and the fix once, in one place, escaped (the Hub layout ``<dir>/<owner>/<repo>/<path>`` shows
literally); expected states (models missing, no run yet) put no red "Error" badge on widgets and no toast; a
click that cannot work (Drop by hand with nothing selected) gives one short toast and changes nothing."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
LAYOUT = "<dir>/<owner>/<repo>/<path>"


@pytest.fixture
def bare_app(bare_app_url):
    """The app with an empty Hugging Face cache and the Hub offline: every model is missing."""
    return bare_app_url[0]


def no_error_shown(page, where: str, shots) -> None:
    """No red "Error" (badge or toast heading) and no toast at all; a screenshot for the record."""
    from playwright.sync_api import expect

    page.screenshot(path=str(shots / f"{where}.png"), full_page=True)
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)
    assert page.locator(".toast-body").count() == 0, (where, page.locator(".toast-body").all_inner_texts())


def pick(page, dropdown_id, option_text):
    page.locator(f"#{dropdown_id} input").click()
    page.get_by_role("option", name=re.compile("^" + re.escape(option_text))).first.click()


def test_missing_models_and_no_run_yet_are_said_once_without_error_badges(bare_app, browser, tmp_path):
    from playwright.sync_api import expect

    shots = tmp_path / "screenshots"
    shots.mkdir()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(bare_app)
    expect(page.locator("#source-summary")).to_contain_text("13 images came in", timeout=TIMEOUT)

    # Run tab before any run: says so; a click that needs a selection gives one short toast, no badge
    page.get_by_role("tab", name="3 · Run").click()
    expect(page.locator("#run-status")).to_contain_text("Not run yet: 13 images are waiting")
    no_error_shown(page, "run-before", shots)
    page.locator("#drop-by-hand").click()
    toast = page.locator(".toast-body")
    expect(toast).to_have_count(1)
    text = toast.inner_text()
    assert "no image to drop chosen. Fix: click an image in the After gallery first" in text
    assert text.count("Fix:") == 1 and len(text) < 200
    expect(page.get_by_text("Error", exact=True)).to_have_count(0)  # a warning, not an error badge on each output
    expect(page.locator("#run-status")).to_contain_text("Not run yet")  # nothing changed
    page.locator(".toast-close").first.click()
    expect(toast).to_have_count(0)

    # Pipeline: the character preset needs models that are not here; the fix is in one folded place
    page.get_by_role("tab", name="2 · Pipeline").click()
    pick(page, "preset", "character LoRA")
    page.locator("#use-preset").click()
    status = page.locator("#model-status")
    expect(status).to_contain_text("step(s) cannot run: their models are not on this machine")
    expect(page.locator(".model-files").first).to_contain_text("see How to get the models above")
    status.get_by_text("How to get the models").click()
    expect(status).to_contain_text(LAYOUT)  # escaped: shown literally, not swallowed as HTML tags
    expect(page.get_by_text("On a machine with internet, run:")).to_have_count(1)
    no_error_shown(page, "pipeline-models-missing", shots)

    # Run: the skipped steps are named with a pointer to the Pipeline tab, no toast, no badge
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()
    run_status = page.locator("#run-status")
    expect(run_status).to_contain_text("Run finished", timeout=TIMEOUT)
    expect(run_status).to_contain_text("skipped because their models are missing (see the Pipeline tab)")
    no_error_shown(page, "run-after", shots)

    # a parameter change re-runs in the background without a toast
    page.get_by_role("tab", name="2 · Pipeline").click()
    page.locator("#step-2-params").click()
    size = page.locator("#step-2-min_size input").first
    size.fill("300")
    size.press("Enter")
    expect(page.locator("#live-result")).to_contain_text("Run updated (done)", timeout=TIMEOUT)
    no_error_shown(page, "pipeline-live-update", shots)

    # Export: the dataset line, the checks and the bucket preview, then a zip: no error anywhere
    page.get_by_role("tab", name="7 · Export").click()
    expect(page.locator("#export-info")).to_contain_text("The dataset holds")
    page.locator("#export-check").click()
    page.locator("#bucket-preview-btn").click()
    expect(page.locator("#bucket-preview")).to_contain_text("×", timeout=TIMEOUT)
    page.locator("#export-build").click()
    expect(page.locator("#export-summary")).to_contain_text(".zip", timeout=TIMEOUT)
    no_error_shown(page, "export", shots)
    context.close()
