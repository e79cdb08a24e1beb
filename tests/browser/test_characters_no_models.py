"""The Characters tab with the CCIP model missing (an expected state): before and after a run, moving its slider and
pressing its buttons and keys gives no red "Error" badge and no toast; the tab says why in one line and the fix
once (folded), HTML-escaped so ``<dir>/<owner>/…`` shows literally. And a toast that does come (a real error) shows
such text literally too."""

from __future__ import annotations

import re

import gradio as gr
import pytest

from tests.browser.conftest import free_port

pytestmark = pytest.mark.browser
TIMEOUT = 60_000
BEFORE_RUN = "Run a pipeline with a CCIPAction step to review characters (the character LoRA preset has one)."
BADGES = ".error, [data-testid=toast-body]"


def settle(page) -> None:
    """Wait until no event of the page is pending (gradio's status trackers are hidden again)."""
    page.wait_for_timeout(200)
    page.wait_for_function("!document.querySelector('[data-testid=status-tracker].pending, "
                           "[data-testid=status-tracker].generating, .wrap.pending, .wrap.generating')")


def poke_everything(page) -> None:
    """Move the slider, press every button of the tab and its keys, waiting for each answer."""
    slider = page.locator("#ccip-threshold input[type=range]")
    slider.fill("0.4")
    settle(page)
    for button in ("apply", "move-in", "move-out", "take-in", "take-out", "reset", "undo-reset", "pick-page",
                   "clear-picked", "next", "prev"):
        page.locator(f"#ccip-{button}").click()
        settle(page)
    page.locator("#ccip-summary").click()  # the focus leaves the buttons (not a text field)
    for key in ("i", "o", "a", "Escape", "ArrowRight"):
        page.keyboard.press(key)
        settle(page)


def test_missing_ccip_model_is_said_once_without_error_badges(bare_app_url, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)  # a loaded machine answers slower than expect's 5 s

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(TIMEOUT)
    page.goto(bare_app_url[0])
    expect(page.locator("#source-summary")).to_contain_text("13 images came in")
    summary = page.locator("#ccip-summary")

    page.get_by_role("tab", name="4 · Characters").click()
    expect(summary).to_have_text(BEFORE_RUN)
    poke_everything(page)
    expect(summary).to_have_text(BEFORE_RUN)
    assert page.locator(BADGES).count() == 0, page.locator(BADGES).all_inner_texts()

    page.get_by_role("tab", name="2 · Pipeline").click()
    page.locator("#add-step-choice input").click()
    page.get_by_role("option", name=re.compile("^CCIPAction")).first.click()
    page.get_by_role("button", name="Add step").click()
    page.get_by_role("tab", name="3 · Run").click()
    page.locator("#run-btn").click()
    expect(page.locator("#run-status")).to_contain_text("Run finished", timeout=TIMEOUT)

    page.get_by_role("tab", name="4 · Characters").click()
    expect(summary).to_contain_text("Not available:")
    poke_everything(page)
    assert page.locator(BADGES).count() == 0, page.locator(BADGES).all_inner_texts()
    assert page.locator("#ccip-threshold input[type=number]").input_value() == "0.4"  # the slider stays put

    line = summary.locator("p").first.inner_text()
    assert line == ("Not available: the CCIP step was skipped (it kept every image): its model files are not on "
                    "this machine, deepghs/ccip_onnx/ccip-caformer-24-randaug-pruned/model_feat.onnx (+2 more).")
    summary.locator("details summary").click()
    text = summary.inner_text()
    assert "(<dir>/<owner>/<repo>/<path>) and set WAIFUC_UI_MODEL_DIR=<dir>" in text  # escaped, not swallowed
    commands = re.findall(r"^hf download .*$", text, flags=re.M)
    assert commands == [f"hf download deepghs/ccip_onnx ccip-caformer-24-randaug-pruned/{name}"
                        for name in ("model_feat.onnx", "model_metrics.onnx", "metrics.json")]
    assert text.count("reload the page") == 1 and text.count("How to get the models") == 1
    assert page.locator("#ccip-clusters .thumbnail-item").count() == 0
    page.close()


def test_an_error_toast_shows_angle_brackets_literally(browser):
    from waifuc_ui.core.errors import ModelUnavailableError
    from waifuc_ui.ui.common import guarded

    @guarded
    def fail(_value):
        raise ModelUnavailableError("model.onnx is not here", fix="put it in <dir>/<owner>/<repo> & reload")

    with gr.Blocks() as demo:
        box = gr.Textbox("x", elem_id="box")
        gr.Button("Go", elem_id="go").click(fail, box, box)
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True)
    try:
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.locator("#go").click()
        toast = page.locator("[data-testid=toast-body]")
        toast.first.wait_for(timeout=TIMEOUT)
        assert "put it in <dir>/<owner>/<repo> & reload" in toast.first.inner_text()
        page.close()
    finally:
        demo.close()
