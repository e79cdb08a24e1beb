"""The online-source form of the Source tab, built from waifuc_ui.source.web.catalog (fields per site).

Credentials typed here go to the source object only: never stored in the workspace, never echoed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.components import Component

from ..core.errors import InvalidOptionError
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


#: The field holding a site's search; empty, it would download the site's newest posts of any kind.
QUERY_FIELDS = ("tags", "word")


def validate_form(spec: Any, values: dict[str, Any]) -> None:
    """Refuse, before any request, a form whose search is empty (with the reason and an example); the catalog's
    ``build`` checks the other fields (required ones, numbers), also before any request."""
    query = next((f for f in spec.fields if f.name in QUERY_FIELDS and getattr(f, "kind", "") == "tags"), None)
    others = [f for f in spec.fields if getattr(f, "required", False)]
    if query is not None and not others and not str(values.get(query.name) or "").strip():
        example = f" ({query.help})" if query.help else ""
        raise InvalidOptionError(query.label, "", fix=f"type at least one tag{example}: an empty {query.label} "
                                 f"would download {spec.title}'s newest posts of any kind")


def crawl(ui: UISession, site: str, values: dict[str, Any], max_items: int, replace: bool,
          report: Callable[[int, int], None] | None = None) -> str:
    """Download up to ``max_items`` images from ``site`` into the session; returns the summary line.
    ``report(done, total)`` receives progress; ``ui.cancel`` stops between images."""
    _, find_source = _catalog()
    spec = find_source(site)
    validate_form(spec, values)
    source = spec.build(values, workspace=ui.session.workspace.subdir("crawl"))
    ui.cancel.clear()
    limit = int(max_items or MAX_ITEMS)
    result = ui.session.inputs.add_source(source, replace=replace, max_items=limit, cancel=ui.cancel,
                                   progress=(lambda n: report(n, limit)) if report else None)
    return ingest_summary(len(result.records), len(result.refused), len(ui.session.inputs.ids), spec.title)


@dataclass
class WebSourceForm:
    """The form's fixed part: the site picker (the site's own fields are drawn below it by gr.render)."""

    site: gr.Dropdown


@dataclass
class SiteFields:
    """One site's fields (in the catalog's field order), the image limit and the buttons."""

    fields: list[Component]
    limit: gr.Number
    go: gr.Button
    stop: gr.Button


def field_widget(f: Any) -> Component:
    """The input for one catalog field (a secret is a password box that never shows a default)."""
    if f.kind == "int":
        return gr.Number(value=f.default, label=f.label, info=f.help or None, precision=0, interactive=True)
    if f.kind == "bool":
        return gr.Checkbox(value=bool(f.default), label=f.label, info=f.help or None, interactive=True)
    if f.kind == "choice":
        return gr.Dropdown(list(f.choices), value=f.default, label=f.label, interactive=True)
    return gr.Textbox(value="" if f.secret else (f.default or ""), label=f.label,
                      type="password" if f.kind == "secret" else "text", info=f.help or None, interactive=True)


def draw_site_fields(spec: Any) -> SiteFields:
    if spec.notes:
        gr.Markdown(spec.notes)
    fields = [field_widget(f) for f in spec.fields]
    limit = gr.Number(value=50, label="Images to download (at most)", precision=0, minimum=1, maximum=MAX_ITEMS,
                      interactive=True)
    with gr.Row():
        go = gr.Button("Download into the session", variant="primary", scale=3)
        stop = gr.Button("Stop", variant="stop", scale=1)
    return SiteFields(fields, limit, go, stop)


def _wire_site_fields(binder: SessionBinder, state: gr.State, summary: gr.Markdown, spec: Any,
                      form: SiteFields, replace: gr.Checkbox | None) -> None:
    @guarded
    def on_crawl(ui, n, replace_images, *values, progress=gr.Progress()):
        touch(binder, ui)
        progress(0, desc=f"Contacting {spec.title}")
        text = crawl(ui, spec.name, form_values(spec, list(values)), n, replace=bool(replace_images),
                     report=lambda done, total: progress(done / max(total, 1), desc=f"{done}/{total} images"))
        return source_view(ui, text).summary

    @guarded
    def on_stop(ui):
        ui.cancel.set()

    # without the Source tab's checkbox (a form drawn alone) a crawl adds to the images
    replace_input = replace if replace is not None else gr.State(False)
    form.go.click(on_crawl, [state, form.limit, replace_input, *form.fields], [summary], concurrency_id="ingest")
    form.stop.click(on_stop, [state], None, queue=False)


def web_source_form(binder: SessionBinder) -> Callable[..., WebSourceForm] | None:
    """A function drawing the form inside the Source tab, or None when the crawler package is missing."""
    sources, _ = _catalog()
    if not sources:
        return None

    def draw(state: gr.State, summary: gr.Markdown, replace: gr.Checkbox | None = None) -> WebSourceForm:
        site = gr.Dropdown([(s.title, s.name) for s in sources], value=sources[0].name, label="Site")

        @gr.render(inputs=[site])
        def fields(name: str) -> None:
            spec = next(s for s in sources if s.name == name)
            _wire_site_fields(binder, state, summary, spec, draw_site_fields(spec), replace)

        return WebSourceForm(site)

    return draw
