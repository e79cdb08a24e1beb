"""Fast review: pick images with click and shift-click, and press keys instead of buttons.

* :func:`pick_with_range`: the picking rule (plain click toggles one image and anchors there; shift-click picks
  the range from the anchor, keeping earlier picks).
* :func:`head_script`: the page's ``<script>`` (given to ``launch(head=...)``): it remembers whether shift was held
  at the last click on a gallery, and turns a key press into a click on the visible button carrying the class
  ``wui-key-<key>`` (see :func:`key_class`).
* :func:`wire_pick_select`: a gallery's ``.select`` whose handler also receives that shift flag.
"""

from __future__ import annotations

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
})();
</script>"""


def head_script() -> str:
    """The ``<script>`` for ``launch(head=...)``: records ``window.wuiShift`` (shift held at the latest click on a
    gallery) and maps keys to buttons: when no text field has the focus and no modifier but shift is held, a key
    press clicks the first visible, enabled button with the class :func:`key_class` of the key (buttons in a tab
    that is not open are hidden, so only the open tab's shortcuts act). Text fields, number boxes, sliders and
    lists keep their keys; after ticking a checkbox or pressing a button the shortcuts still work."""
    return _SCRIPT


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
