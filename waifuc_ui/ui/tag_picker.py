"""Tag fields that suggest the dataset's own tags as a person types: ``long_hair · 31``, most frequent first,
matching anywhere in the tag; picking one gives the bare tag. Spaces and underscores type alike: a small script
turns the one the dataset does not use into the one it uses while typing (``long hair`` finds ``long_hair``)."""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import gradio as gr
from gradio.blocks import Block

from ..session.tag_suggest import suggestions, word_separator
from .common import Updates

# Choices sent to each field. Typing stays instant with every tag as a choice, but each edit sends new counts to
# the six fields and Chromium's main thread then stalls about a second at 3,000 tags each (bench/bench_tag_suggest.py
# --browser); past 1,000 the rarest tags are left out of the lists (still typed in full and checked on the server),
# and a note says so.
MAX_SUGGESTIONS = 1000
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


def tag_field(label: str, elem_id: str, *, multiselect: bool, info: str | None = None, scale: int | None = None,
              min_width: int = 200) -> gr.Dropdown:
    """A dropdown of the dataset's tags that also takes free text (checked by the handler that reads it)."""
    return gr.Dropdown(choices=[], value=[] if multiselect else None, multiselect=multiselect,
                       allow_custom_value=True, filterable=True, interactive=True, label=label, info=info,
                       elem_id=elem_id, elem_classes=[FIELD_CLASS], scale=scale, min_width=min_width)


def separator_marker() -> gr.HTML:
    """Holds the dataset's separator for the typing script, and a note when the list is cut."""
    return gr.HTML(value=marker_html("_", 0, 0), js_on_load=SEPARATOR_JS, elem_id="tag-suggest-note",
                   apply_default_css=False)


def marker_html(separator: str, shown: int, total: int) -> str:
    sep = "space" if separator == " " else "underscore"
    note = "" if shown >= total else \
        f"Suggestions list the {shown:,} most frequent of {total:,} tags; type any other in full."
    return f'<span class="tag-separator" data-sep="{sep}">{html.escape(note)}</span>'


def suggestion_values(fields: Sequence[Block], marker: gr.HTML, table: Iterable[tuple[str, int]],
                      limit: int = MAX_SUGGESTIONS) -> Updates:
    """New choices for every tag field (values kept) and the marker, from ``(tag, count)`` rows."""
    rows = list(table)
    choices = suggestions(rows, limit)
    out: Updates = {field: gr.Dropdown(choices=choices) for field in fields}
    out[marker] = marker_html(word_separator(t for t, _ in rows), len(choices), len(rows))
    return out
