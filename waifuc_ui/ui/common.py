"""Small gradio helpers shared by the tabs: error display, gallery pagers, and the ``Updates`` a handler returns.

Handlers answer with ``{component: value}`` (gradio's dict form): each value is named by the component it goes
to, never by its position in the event's outputs list. A component left out of the dict keeps its value.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..core.errors import WaifucUIError
from .state import persist
from .views import error_message

#: What a handler returns: the new value (or gr.update-style component) of each output component it changes.
Updates = dict[Block, Any]


def _check_session(args: tuple[Any, ...]) -> None:
    """A handler's first argument is the visitor's session: refuse when it is not there (yet, or any more)."""
    if args and args[0] is None:
        raise gr.Error("The session is still starting; try again in a moment.")
    if args and getattr(getattr(getattr(args[0], "session", None), "workspace", None), "closed", False):
        raise gr.Error("This session expired after a long idle time and its files were deleted; reload the "
                       "page to start a new one.")


def refused(err: WaifucUIError) -> Any:
    """Say why (a short, escaped toast with the fix) and leave every output as it was: no red "Error" badge on
    each output, as a raised gr.Error would put."""
    gr.Warning(error_message(err))
    return gr.skip()


def guarded_file(fn: Callable[..., Any]) -> Callable[..., Any]:
    """:func:`guarded` for a handler that reads a file the request carries (an upload, a recipe or project
    file): a refusal is an error (a red toast; over the API the call fails with the reason), not a warning, since
    a refused file is not an expected state of the page."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_session(args)
        try:
            return fn(*args, **kwargs)
        except WaifucUIError as err:
            raise gr.Error(error_message(err)) from None
        finally:
            if args:
                persist(args[0])
    return wrapper


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a handler (a function or a generator): a WaifucUIError (bad value, valid choices, fix) is shown to the
    visitor as a short toast and changes nothing (see :func:`refused`); a missing session (page still loading) is
    an error. Afterwards the session is saved when the handler changed it."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Iterator[Any]:
            _check_session(args)
            try:
                yield from fn(*args, **kwargs)
            except WaifucUIError as err:
                yield refused(err)
            finally:
                if args:
                    persist(args[0])
        return generator

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_session(args)
        try:
            return fn(*args, **kwargs)
        except WaifucUIError as err:
            return refused(err)
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
