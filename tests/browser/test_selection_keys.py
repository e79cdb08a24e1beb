"""The fast-review script in Chromium: shift-click reaches a gallery's select handler with the clicked index, and a
key press clicks only the visible button of its class (not one in a closed tab, not while typing)."""

from __future__ import annotations

import gradio as gr
import pytest
from PIL import Image

from tests.browser.conftest import free_port
from waifuc_ui.ui.selection import (
    PICK_GALLERY,
    head_script,
    key_class,
    pick_caption,
    pick_with_range,
    shift_box,
    wire_pick_select,
)

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
    yield from _served(demo)


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


PAGE = 4  # images per page of the picks app


def style_of(thumb) -> dict:
    """The computed outline and tint of a thumbnail (the picked look comes from the head script's style)."""
    return thumb.evaluate("""el => { const s = getComputedStyle(el), a = getComputedStyle(el, '::after');
        return {outline: s.outlineStyle === 'none' ? 'none' : s.outlineStyle + ' ' + s.outlineWidth,
                tint: a.content === 'none' ? 'none' : a.backgroundColor,
                picked: el.classList.contains('wui-picked')}; }""")


PICKED_LOOK = {"outline": "solid 4px", "tint": "rgba(249, 115, 22, 0.25)", "picked": True}
PLAIN_LOOK = {"outline": "none", "tint": "none", "picked": False}


@pytest.fixture
def picks_app():
    """Two pages of four images in a pick gallery; captions carry the pick mark, as on the review tabs."""
    images = [Image.new("RGB", (64, 64), colour) for colour in
              ((240, 240, 240), (20, 20, 20), (30, 90, 220), (230, 60, 40), (40, 180, 90), (250, 200, 40),
               (150, 60, 200), (120, 120, 120))]
    with gr.Blocks() as demo:
        gallery = gr.Gallery(columns=4, allow_preview=False, preview=False, elem_id="pg", elem_classes=[PICK_GALLERY])
        shift = shift_box()
        picked, anchor, page = gr.State([]), gr.State(None), gr.State(0)
        out = gr.Textbox(elem_id="out")
        next_page = gr.Button("Next page", elem_id="next")
        redraw = gr.Button("Redraw", elem_id="redraw")

        def shown(picked, page):
            ids = IDS8[page * PAGE:(page + 1) * PAGE]
            return [(images[IDS8.index(i)], pick_caption(f"image {i}", i in picked)) for i in ids]

        def on_pick(picked, anchor, page, shifted, evt: gr.SelectData):
            picked, anchor = pick_with_range(IDS8[page * PAGE:(page + 1) * PAGE], picked, evt.index, bool(shifted),
                                             anchor)
            return shown(picked, page), picked, anchor, ",".join(picked)

        wire_pick_select(gallery, on_pick, [picked, anchor, page], [gallery, picked, anchor, out], shift)
        next_page.click(lambda picked, page: (shown(picked, 1 - page), 1 - page, f"page {1 - page}"),
                        [picked, page], [gallery, page, out])
        redraw.click(lambda picked, page: (shown(picked, page), "redrawn"), [picked, page], [gallery, out])
        demo.load(shown, [picked, page], gallery)
    yield from _served(demo)


IDS8 = [f"p{k}" for k in range(2 * PAGE)]


def test_picked_thumbnails_are_outlined_after_every_pick_range_page_change_and_redraw(picks_app, browser):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 900, "height": 600})
    page.goto(picks_app)
    thumbs = page.locator("#pg button.thumbnail-item")
    expect(thumbs).to_have_count(PAGE)
    expect(thumbs.nth(0).locator(".caption-label")).to_have_text("image p0")
    assert [style_of(thumbs.nth(k)) for k in range(PAGE)] == [PLAIN_LOOK] * PAGE

    def looks_after(action, text):
        action()
        expect(page.locator("#out textarea")).to_have_value(text)
        return [style_of(thumbs.nth(k))["picked"] for k in range(PAGE)]

    assert looks_after(lambda: thumbs.nth(1).click(), "p1") == [False, True, False, False]
    assert style_of(thumbs.nth(1)) == PICKED_LOOK
    assert style_of(thumbs.nth(0)) == PLAIN_LOOK
    assert looks_after(lambda: thumbs.nth(3).click(modifiers=["Shift"]), "p1,p2,p3") == [False, True, True, True]
    assert looks_after(lambda: thumbs.nth(2).click(), "p1,p3") == [False, True, False, True]
    # the last clicked thumbnail (gallery's own "selected") does not look picked once unpicked
    assert style_of(thumbs.nth(2)) == PLAIN_LOOK
    assert looks_after(lambda: page.locator("#next").click(), "page 1") == [False] * PAGE  # another page
    assert looks_after(lambda: thumbs.nth(0).click(), "p1,p3,p4") == [True, False, False, False]
    assert looks_after(lambda: page.locator("#next").click(), "page 0") == [False, True, False, True]  # back
    assert looks_after(lambda: page.locator("#redraw").click(), "redrawn") == [False, True, False, True]
    assert [style_of(thumbs.nth(k)) for k in (1, 3)] == [PICKED_LOOK] * 2


def _served(demo):
    """Launch ``demo`` with the selection head script on a free port; yield its URL, close it after."""
    port = free_port()
    demo.launch(prevent_thread_lock=True, server_name="127.0.0.1", server_port=port, quiet=True, head=head_script())
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        demo.close()
