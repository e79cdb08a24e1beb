"""The online-source form of the Source tab, built from waifuc_ui.source.web.catalog (fields per site).

Credentials typed here go to the source object only: never stored in the workspace, never echoed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from .common import guarded
from .source_tab import source_view
from .state import SessionBinder, UISession, touch
from .views import ingest_summary

MAX_ITEMS = 200


def _catalog():
    from ..source.web.catalog import WEB_SOURCES, find_source

    return WEB_SOURCES, find_source


def form_values(spec: Any, values: list[Any]) -> dict[str, Any]:
    """Field name -> value for the widgets' values in field order (empty text -> default / None)."""
    return {f.name: v for f, v in zip(spec.fields, values)}


def crawl(ui: UISession, site: str, values: dict[str, Any], max_items: int, replace: bool,
          report: Callable[[int, int], None] | None = None) -> str:
    """Download up to ``max_items`` images from ``site`` into the session; returns the summary line.
    ``report(done, total)`` receives progress; ``ui.cancel`` stops between images."""
    _, find_source = _catalog()
    spec = find_source(site)
    source = spec.build(values, workspace=ui.session.workspace.subdir("crawl"))
    ui.cancel.clear()
    limit = int(max_items or MAX_ITEMS)
    result = ui.session.inputs.add_source(source, replace=replace, max_items=limit, cancel=ui.cancel,
                                   progress=(lambda n: report(n, limit)) if report else None)
    return ingest_summary(len(result.records), len(result.refused), len(ui.session.inputs.ids), spec.title)


def web_source_form(binder: SessionBinder) -> Callable[[gr.State, gr.Markdown], None] | None:
    """A function drawing the form inside the Source tab, or None when the crawler package is missing."""
    sources, _ = _catalog()
    if not sources:
        return None

    def draw(state: gr.State, summary: gr.Markdown) -> None:
        site = gr.Dropdown([(s.title, s.name) for s in sources], value=sources[0].name, label="Site")

        @gr.render(inputs=[site])
        def fields(name: str):
            spec = next(s for s in sources if s.name == name)
            if spec.notes:
                gr.Markdown(spec.notes)
            widgets = []
            for f in spec.fields:
                if f.kind == "int":
                    widgets.append(gr.Number(value=f.default, label=f.label, info=f.help or None, precision=0,
                                               interactive=True))
                elif f.kind == "bool":
                    widgets.append(gr.Checkbox(value=bool(f.default), label=f.label, info=f.help or None,
                                                 interactive=True))
                elif f.kind == "choice":
                    widgets.append(gr.Dropdown(list(f.choices), value=f.default, label=f.label, interactive=True))
                else:
                    widgets.append(gr.Textbox(value="" if f.secret else (f.default or ""), label=f.label,
                                              type="password" if f.kind == "secret" else "text",
                                              info=f.help or None, interactive=True))
            limit = gr.Number(value=50, label="Images to download (at most)", precision=0, minimum=1,
                              maximum=MAX_ITEMS, interactive=True)
            with gr.Row():
                go = gr.Button("Download into the session", variant="primary", scale=3)
                stop = gr.Button("Stop", variant="stop", scale=1)

            @guarded
            def on_crawl(ui, n, *values, progress=gr.Progress()):
                touch(binder, ui)
                progress(0, desc=f"Contacting {spec.title}")
                text = crawl(ui, name, form_values(spec, list(values)), n, replace=True,
                             report=lambda done, total: progress(done / max(total, 1), desc=f"{done}/{total} images"))
                return source_view(ui, text).summary

            @guarded
            def on_stop(ui):
                ui.cancel.set()

            go.click(on_crawl, [state, limit, *widgets], [summary], concurrency_id="ingest")
            stop.click(on_stop, [state], None, queue=False)

    return draw
