"""Tag fields that suggest the dataset's own tags as a person types: ``long_hair · 31``, most frequent first,
matching anywhere in the tag; picking one gives the bare tag, and the field shows it bare.

The page never holds the whole tag list. The server keeps each visitor's tags as a TagIndex (a gr.State filled
where the tags change: an edit, undo, a run, opening the tab), and a field asks it for the best ``MAX_SHOWN``
matches of what is typed on every key (``key_up``), and for the most frequent tags when it gets the focus or its
value changed. Sending thousands of choices stalled the page for seconds: gradio translates every choice label and
redraws every option (bench/bench_tag_suggest.py --browser).

Every field is a multiselect dropdown, also those that take one tag (a new tag replaces the one there): gradio's
single-value dropdown breaks when its choices change while its list is open (its options are drawn from the new
choices with the old list's positions: a TypeError, and the list stops answering clicks). A field's choices never
hold its own chosen tags: gradio shows a chosen value by its choice's label, so a tag that is not among the choices
shows as itself (``short_hair``, not ``short_hair · 3``).

Spaces and underscores type alike: a small script turns the one the dataset does not use into the one it uses
while typing (``long hair`` finds ``long_hair``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..core.errors import InternalError
from ..session.tag_suggest import TagIndex, suggestions
from .common import Updates

MAX_SHOWN = 40  # choices a field holds at once: enough to pick from, a screenful at most
FIELD_CLASS = "tag-suggest"

# One listener for the page, installed by the hidden marker below: in a tag field, a typed space or underscore
# becomes the dataset's separator before the dropdown filters on it (the marker's data-sep says which).
SEPARATOR_JS = f"const CLASS = '{FIELD_CLASS}';" + """
if (!window.__waifucTagSeparator) {
  window.__waifucTagSeparator = true;
  document.addEventListener('input', (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.closest('.' + CLASS)) return;
    const spaced = document.querySelector('.tag-separator')?.dataset.sep === 'space';
    const [from, to] = spaced ? ['_', ' '] : [' ', '_'];
    if (!box.value.includes(from)) return;
    const at = box.selectionStart;
    box.value = box.value.split(from).join(to);
    box.setSelectionRange(at, at);
  }, true);
}
"""


def tag_field(label: str, elem_id: str, *, info: str | None = None, scale: int | None = None,
              min_width: int = 200) -> gr.Dropdown:
    """A dropdown of the dataset's tags that also takes typed ones (checked by the handler that reads it); its
    suggestions come from :func:`wire_tag_fields`."""
    return gr.Dropdown(choices=[], value=[], multiselect=True, allow_custom_value=True, filterable=True,
                        interactive=True, label=label, info=info, elem_id=elem_id, elem_classes=[FIELD_CLASS],
                        scale=scale, min_width=min_width)


def one_tag(value: Any) -> str:
    """The tag of a one-tag field: the last one chosen (a newer pick replaces the older one; the field shows that
    after its change event), or a plain string given over the API."""
    if isinstance(value, (list, tuple)):
        tags = [str(v).strip() for v in value if str(v or "").strip()]
        return tags[-1] if tags else ""
    return str(value or "").strip()


def tag_store() -> gr.State:
    """The visitor's :class:`TagIndex` (None until the Tags tab opens)."""
    return gr.State(None)


def separator_marker() -> gr.HTML:
    """Holds the dataset's separator for the typing script."""
    return gr.HTML(value=marker_html("_"), js_on_load=SEPARATOR_JS, elem_id="tag-suggest-note",
                   apply_default_css=False)


def marker_html(separator: str) -> str:
    sep = "space" if separator == " " else "underscore"
    return f'<span class="tag-separator" data-sep="{sep}"></span>'


def chosen_tags(value: Any) -> set[str]:
    """A field's chosen tags: a single field's value, or a multiselect's list."""
    if value is None:
        return set()
    values = value if isinstance(value, (list, tuple)) else [value]
    return {str(v) for v in values if v not in (None, "")}


def field_choices(index: TagIndex | None, typed: str | None, value: Any) -> list[tuple[str, str]]:
    """``(label, tag)`` choices for a field: the best matches of ``typed`` without the field's chosen tags."""
    if index is None:
        return []
    return suggestions(index.matches(typed, MAX_SHOWN, exclude=chosen_tags(value)))


def suggest_typed(index: TagIndex | None, value: Any, typed: str | None) -> Any:
    """key_up: the matches of the text in the field's box (``typed``, read from the page when the call leaves)."""
    return gr.Dropdown(choices=field_choices(index, typed, value))


def typed_text_js(field: gr.Dropdown) -> str:
    """The key_up call's third input, read from the field's box as the call leaves the page. Not gr.KeyUpData:
    gradio runs one call per event at a time and, for the keys typed meanwhile, one more call after it with the
    finished call's key data (the text as it was then), so the last answer was for an older text; read here, that
    call carries the text as it is."""
    if not field.elem_id:
        raise InternalError("a tag field needs an elem_id")
    box = json.dumps(f"#{field.elem_id} input")
    return f"(index, value, typed) => [index, value, document.querySelector({box})?.value ?? '']"


def suggest_top(index: TagIndex | None, value: Any) -> Any:
    """focus, or a new value: the most frequent tags (nothing typed yet), without the chosen ones."""
    return gr.Dropdown(choices=field_choices(index, "", value))


def keep_one(index: TagIndex | None, value: Any) -> Any:
    """A one-tag field's new value: the last tag picked or typed replaces the others; then as :func:`suggest_top`."""
    if isinstance(value, (list, tuple)) and len(value) > 1:
        kept = [value[-1]]
        return gr.Dropdown(value=kept, choices=field_choices(index, "", kept), multiselect=True,
                           allow_custom_value=True)
    return suggest_top(index, value)


def wire_tag_fields(fields: Sequence[gr.Dropdown], store: gr.State, one_tag_fields: Sequence[gr.Dropdown] = ()) -> None:
    """Each field asks the server for its suggestions: per key, on focus, after its value changed. The fields of
    ``one_tag_fields`` (also in ``fields``) keep the last tag picked (see :func:`keep_one`)."""
    # off the queue (a plain POST answers sooner than a queued event) and out of the API docs (page plumbing)
    quiet: dict[str, Any] = {"show_progress": "hidden", "queue": False, "api_visibility": "undocumented"}
    typed = gr.Textbox(visible=False)  # an input slot: its value is what typed_text_js reads
    for field in fields:
        field.key_up(suggest_typed, [store, field, typed], [field], js=typed_text_js(field), **quiet)
        field.focus(suggest_top, [store, field], [field], **quiet)
        field.change(keep_one if field in one_tag_fields else suggest_top, [store, field], [field], **quiet)


def suggestion_values(fields: Sequence[Block], marker: gr.HTML, store: gr.State,
                      table: Sequence[tuple[str, int]]) -> Updates:
    """The visitor's tags from ``(tag, count)`` rows after they changed: a new index, the separator, and every
    field's choices emptied (stale counts; the next focus or key asks again). The fields keep their values."""
    index = TagIndex.of(table)
    out: Updates = {field: gr.Dropdown(choices=[]) for field in fields}
    out[store] = index
    out[marker] = marker_html(index.separator)
    return out
