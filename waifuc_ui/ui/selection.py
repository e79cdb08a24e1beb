"""Fast review: pick images with click and shift-click, and press keys instead of buttons.

* :func:`pick_with_range`: the picking rule (plain click toggles one image and anchors there; shift-click picks
  the range from the anchor, keeping earlier picks).
* :func:`head_script`: the page's ``<script>`` (given to ``launch(head=...)``): it remembers whether shift was held
  at the last click on a gallery, and turns a key press into a click on the visible button carrying the class
  ``wui-key-<key>`` (see :func:`key_class`).
  It also outlines the picked thumbnails of a gallery with the class :data:`PICK_GALLERY` (their captions start
  with :data:`PICK_MARK`, see :func:`pick_caption`).
* :func:`wire_pick_select`: a gallery's ``.select`` whose handler also receives that shift flag.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import gradio as gr
from gradio.blocks import Block
from gradio.events import Dependency


def pick_with_range(ids: Sequence[str], picked: Sequence[str], index: int, shift: bool,
                    anchor: str | None) -> tuple[list[str], str | None]:
    """The picked ids and the anchor after a click on ``ids[index]`` (``ids`` in gallery order).

    A plain click (or a shift-click without an anchor in ``ids``) toggles ``ids[index]`` and makes it the anchor.
    A shift-click picks every id from the anchor to ``index``, both included, keeping the earlier picks; the anchor
    stays, so a second shift-click extends from the same place. An index outside ``ids`` changes nothing."""
    picked = list(dict.fromkeys(picked))
    if not 0 <= index < len(ids):
        return picked, anchor
    clicked = ids[index]
    if shift and anchor is not None and anchor in ids:
        start = ids.index(anchor)
        low, high = min(start, index), max(start, index)
        have = set(picked)
        return picked + [i for i in ids[low:high + 1] if i not in have], anchor
    if clicked in picked:
        picked.remove(clicked)
    else:
        picked.append(clicked)
    return picked, clicked


def key_class(key: str) -> str:
    """The class that makes a button pressable with ``key`` (e.g. ``"i"``, ``"Escape"``, ``"ArrowRight"``):
    ``wui-key-`` and the key lower-cased."""
    return "wui-key-" + key.lower()


#: Reads the shift flag into the last input (a hidden checkbox) of a gallery's select event; the event's data
#: (which image) is sent beside the inputs and arrives unchanged.
READ_SHIFT_JS = "(...args) => { const a = [...args]; a[a.length - 1] = !!window.wuiShift; return a; }"

_SCRIPT = r"""<script>
(() => {
  if (window.wuiKeysInstalled) return;
  window.wuiKeysInstalled = true;
  window.wuiShift = false;
  const inGallery = (el) => !!(el && el.closest && el.closest('.gallery, [data-testid="gallery"], .grid-wrap'));
  // capture phase: runs before the gallery's own handler, so the select event reads the flag of this click
  document.addEventListener('mousedown', (e) => {
    if (e.shiftKey && inGallery(e.target)) e.preventDefault();  // no text selection on shift-click
  }, true);
  document.addEventListener('click', (e) => {
    if (inGallery(e.target)) window.wuiShift = !!e.shiftKey;
  }, true);
  // a text field, slider or list has the keys; a ticked checkbox or a pressed button does not
  const typing = (el) => !!(el && (el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName)
    || (el.tagName === 'INPUT' && !/^(checkbox|radio|button|submit|reset)$/i.test(el.type || ''))));
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length)
    && getComputedStyle(el).visibility !== 'hidden';
  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || e.repeat) return;
    if (typing(e.target) || typing(document.activeElement)) return;
    const key = (e.key || '').toLowerCase();
    if (!key || key === 'shift') return;
    let buttons;
    try { buttons = document.querySelectorAll('.wui-key-' + CSS.escape(key)); } catch (err) { return; }
    for (const el of buttons) {
      const button = el.tagName === 'BUTTON' ? el : el.querySelector('button');
      if (button && visible(button) && !button.disabled) {
        e.preventDefault();
        button.click();
        return;
      }
    }
  });
  // picks at a glance: in a pick gallery, a thumbnail whose caption starts with the pick mark gets the class
  // __PICKED__: an orange outline, a white inner ring and an orange tint (the style added here). Every pick, range
  // pick, page change or redraw rewrites the captions, and the observer marks the thumbnails again in the same
  // task (no frame shows stale marks).
  const style = document.createElement('style');
  style.textContent = `
.__PICK_GALLERY__ .thumbnail-item.__PICKED__ {
  outline: 4px solid #f97316 !important; outline-offset: -4px; border-color: #f97316 !important;
}
.__PICK_GALLERY__ .thumbnail-item.__PICKED__::after {
  content: ""; position: absolute; inset: 4px; border: 2px solid #fff; background: rgba(249, 115, 22, 0.25);
  pointer-events: none;
}
.__PICK_GALLERY__ .thumbnail-item.__PICKED__ .caption-label { background: #f97316; color: #fff; opacity: 1; }
/* the last clicked thumbnail is not a pick: no accent ring unless picked */
.__PICK_GALLERY__ .thumbnail-item.selected:not(.__PICKED__) {
  --ring-color: transparent; border-color: var(--border-color-primary);
}`;
  document.head.appendChild(style);
  const mark = __PICK_MARK__;
  const markPicks = () => {
    for (const gallery of document.querySelectorAll('.__PICK_GALLERY__')) {
      for (const thumb of gallery.querySelectorAll('.thumbnail-item')) {
        const caption = thumb.querySelector('.caption-label');
        const picked = !!caption && caption.textContent.trimStart().startsWith(mark);
        if (thumb.classList.contains('__PICKED__') !== picked) thumb.classList.toggle('__PICKED__', picked);
      }
    }
  };
  // classes are attributes, which are not observed: marking never wakes the observer again
  new MutationObserver(markPicks).observe(document.documentElement,
                                         {childList: true, subtree: true, characterData: true});
  markPicks();
})();
</script>"""

#: The caption prefix of a picked image (the tabs write it; the head script marks those thumbnails).
PICK_MARK = "● "
#: The class of a gallery whose picked thumbnails are outlined (give it to ``gr.Gallery(elem_classes=...)``).
PICK_GALLERY = "wui-pick-gallery"
#: The class the head script gives a picked thumbnail (``.thumbnail-item``) of such a gallery.
PICKED = "wui-picked"


def pick_caption(caption: str, picked: bool) -> str:
    """``caption`` with the pick mark in front when ``picked``."""
    return (PICK_MARK if picked else "") + caption


def head_script() -> str:
    """The ``<script>`` for ``launch(head=...)``: records ``window.wuiShift`` (shift held at the latest click on a
    gallery) and maps keys to buttons: when no text field has the focus and no modifier but shift is held, a key
    press clicks the first visible, enabled button with the class :func:`key_class` of the key (buttons in a tab
    that is not open are hidden, so only the open tab's shortcuts act). Text fields, number boxes, sliders and
    lists keep their keys; after ticking a checkbox or pressing a button the shortcuts still work. In a gallery
    with the class :data:`PICK_GALLERY`, thumbnails whose caption starts with :data:`PICK_MARK` get the class
    :data:`PICKED`: outlined and tinted (a ``<style>`` the script adds)."""
    return (_SCRIPT.replace("__PICK_MARK__", json.dumps(PICK_MARK.strip())).replace("__PICK_GALLERY__", PICK_GALLERY)
            .replace("__PICKED__", PICKED))


def shift_box() -> gr.Checkbox:
    """The hidden checkbox that carries the shift flag to a select handler (make one per gallery)."""
    return gr.Checkbox(False, visible=False, interactive=True)


def wire_pick_select(gallery: gr.Gallery, fn: Callable[..., Any], inputs: Sequence[Block],
                     outputs: Sequence[Block], shift: gr.Checkbox, **kw: Any) -> Dependency:
    """``gallery.select(fn, [*inputs, shift], outputs, **kw)`` where ``shift`` (from :func:`shift_box`) holds
    True when shift was held at the click. ``fn`` takes the inputs' values, then the flag, plus a parameter
    annotated ``gr.SelectData`` (the clicked index, as with a plain select)::

        def on_pick(ui, picked, anchor, shift, evt: gr.SelectData): ...
    """
    return gallery.select(fn, [*inputs, shift], list(outputs), js=READ_SHIFT_JS, **kw)
