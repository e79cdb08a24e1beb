"""The fast-review script in Chromium: shift-click reaches a gallery's select handler with the clicked index, and a
key press clicks only the visible button of its class (not one in a closed tab, not while typing)."""

from __future__ import annotations

import gradio as gr
import pytest
from PIL import Image

from tests.browser.conftest import free_port
from waifuc_ui.ui.selection import head_script, key_class, pick_with_range, shift_box, wire_pick_select

IDS = [f"im{k}" for k in range(6)]


@pytest.fixture
def mini_app():
    images = [Image.new("RGB", (64, 64), (40 * k, 90, 200 - 30 * k)) for k in range(len(IDS))]
    with gr.Blocks() as demo:
        with gr.Tabs():
            with gr.Tab("Pick", id="pick"):
                gallery = gr.Gallery(images, columns=6, allow_preview=False, preview=False, elem_id="g")
                shift = shift_box()
                picked, anchor = gr.State([]), gr.State(None)
                out = gr.Textbox(elem_id="out")
                gr.Textbox(elem_id="typing")
                gr.Checkbox(False, label="tick", elem_id="tick")
                press = gr.Button("In", elem_classes=[key_class("i")], elem_id="btn-in")
            with gr.Tab("Other", id="other"):
                other = gr.Button("Other in", elem_classes=[key_class("i")], elem_id="btn-other")
        escape = gr.Button("Clear", elem_classes=[key_class("Escape")])

        def on_pick(picked, anchor, shifted, evt: gr.SelectData):
            picked, anchor = pick_with_range(IDS, picked, evt.index, bool(shifted), anchor)
            return picked, anchor, f"{evt.index} {bool(shifted)} {','.join(picked)}"

        wire_pick_select(gallery, on_pick, [picked, anchor], [picked, anchor, out], shift)
        press.click(lambda: "pressed in", None, out)
        other.click(lambda: "pressed other", None, out)
        escape.click(lambda: ([], None, "cleared"), None, [picked, anchor, out])
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True, head=head_script())
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()


def test_shift_click_and_keys(mini_app, browser):
    page = browser.new_page()
    page.goto(mini_app)
    out = page.locator("#out textarea")
    thumbs = page.locator("#g .thumbnail-item")
    thumbs.nth(1).click()
    page.wait_for_function("document.querySelector('#out textarea').value.startsWith('1 ')")
    assert out.input_value() == "1 False im1"
    thumbs.nth(4).click(modifiers=["Shift"])
    page.wait_for_function("document.querySelector('#out textarea').value.startsWith('4 ')")
    assert out.input_value() == "4 True im1,im2,im3,im4"
    thumbs.nth(5).click()  # shift released: a plain toggle again
    page.wait_for_function("document.querySelector('#out textarea').value.startsWith('5 ')")
    assert out.input_value() == "5 False im1,im2,im3,im4,im5"

    page.locator("#typing textarea").click()
    page.keyboard.type("i")  # typing in a field is not a shortcut
    page.wait_for_timeout(300)
    assert out.input_value().startswith("5 ")
    page.locator("#typing textarea").blur()
    page.locator("#tick input").check()  # a ticked checkbox keeps the focus but not the keys
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#out textarea').value === 'cleared'")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("i")
    page.wait_for_function("document.querySelector('#out textarea').value === 'pressed in'")
    page.keyboard.press("Escape")
    page.wait_for_function("document.querySelector('#out textarea').value === 'cleared'")
    page.keyboard.press("Control+i")  # a modifier other than shift: no shortcut
    page.wait_for_timeout(300)
    assert out.input_value() == "cleared"
    page.get_by_role("tab", name="Other").click()
    page.locator("#btn-other").wait_for(state="visible")
    page.keyboard.press("I")  # shift+i lower-cases to the same key; only the open tab's button is pressed
    page.wait_for_function("document.querySelector('#out textarea').value === 'pressed other'")
