"""Small gradio helpers shared by the tabs: error display, gallery pagers, and the ``Updates`` a handler returns.

Handlers answer with ``{component: value}`` (gradio's dict form): each value is named by the component it goes
to, never by its position in the event's outputs list. A component left out of the dict keeps its value.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..core.errors import WaifucUIError
from .state import persist

#: What a handler returns: the new value (or gr.update-style component) of each output component it changes.
Updates = dict[Block, Any]


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a handler: a WaifucUIError (bad value, valid choices, fix) is shown to the visitor as an error toast
    instead of a generic failure; a missing session (page still loading) leaves the outputs unchanged. Afterwards
    the session is saved when the handler changed it."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if args and args[0] is None:
            raise gr.Error("The session is still starting; try again in a moment.")
        if args and getattr(getattr(getattr(args[0], "session", None), "workspace", None), "closed", False):
            raise gr.Error("This session expired after a long idle time and its files were deleted; reload the "
                           "page to start a new one.")
        try:
            return fn(*args, **kwargs)
        except WaifucUIError as err:
            raise gr.Error(html.escape(str(err), quote=False)) from None  # the toast renders HTML: <dir> stays
        finally:
            if args:
                persist(args[0])  # the session's state on disk follows every change (no write when unchanged)

    return wrapper


@dataclass
class Pager:
    """Prev / page number / next widgets under a gallery."""

    prev: gr.Button
    number: gr.Number
    next: gr.Button
    label: gr.Markdown

    def wire(self, fn: Callable[..., Any], inputs: list[Block], outputs: list[Block]) -> None:
        """Call ``fn(*inputs, page)`` when the visitor changes the page (``page`` is appended to inputs)."""
        self.prev.click(lambda *a: fn(*a[:-1], max(1, int(a[-1] or 1) - 1)), inputs + [self.number], outputs,
                        concurrency_limit=None, show_progress="hidden")
        self.next.click(lambda *a: fn(*a[:-1], int(a[-1] or 1) + 1), inputs + [self.number], outputs,
                        concurrency_limit=None, show_progress="hidden")
        self.number.submit(lambda *a: fn(*a), inputs + [self.number], outputs, concurrency_limit=None,
                           show_progress="hidden")


def make_pager(elem_prefix: str) -> Pager:
    with gr.Row(equal_height=True):
        prev = gr.Button("◀ Prev", size="sm", scale=0, min_width=80, elem_id=f"{elem_prefix}-prev")
        number = gr.Number(value=1, show_label=False, precision=0, minimum=1, scale=0, min_width=70,
                           container=False, elem_id=f"{elem_prefix}-page")
        nxt = gr.Button("Next ▶", size="sm", scale=0, min_width=80, elem_id=f"{elem_prefix}-next")
        label = gr.Markdown(elem_id=f"{elem_prefix}-page-label")
    return Pager(prev, number, nxt, label)


def select_index(evt: gr.SelectData) -> Any:
    """The clicked gallery index (for a gr.State remembering the selection)."""
    return evt.index
