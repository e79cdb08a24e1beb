"""The whole app: ``build_app(settings)`` returns the gr.Blocks (``build_page`` also its tabs as typed objects,
wired to each other by attribute); ``launch_options(settings)`` what launch needs.

The browser keeps its session key in a ``gr.BrowserState``: a reload, a tab opened later or a restarted server
reopens the session as it was (see state.py); a new visitor gets a new session on the demo dataset. A workspace is
deleted when it stays idle past the TTL or by "New session" (Source tab), never because a tab closed.
Files are served only from the workspace root (``allowed_paths`` and static paths = that folder alone), and from
it only a session's thumbnails and exports, only to the browser holding that session's cookie (file_guard.py, on
every route and spelling). Because static paths skip gradio's "uploaded by a user" check, handlers taking files
accept only what gradio's upload route received (uploads.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from ..core.errors import CapacityError, InvalidOptionError
from ..pipeline import action_catalog
from .characters_tab import CharactersTab, build_characters_tab, wire_characters_tab_select
from .common import Updates
from .duplicates_tab import DuplicatesTab, build_duplicates_tab, wire_duplicates_tab_select
from .export_tab import ExportTab, build_export_tab, wire_export_tab_select
from .file_guard import FileGuardMiddleware, cookie_script
from .pipeline_tab import DEFAULT_PRESET, PipelineTab, build_pipeline_tab
from .run_tab import RunTab, build_run_tab, wire_run_tab_select
from .selection import head_script
from .session_controls import (
    STORAGE_KEY,
    STORAGE_SECRET,
    PageFill,
    SessionControls,
    SessionLinks,
    build_session_controls,
    cookie_pair,
    export_settings_values,
    reopened_headline,
    wire_export_settings,
    wire_session_controls,
)
from .settings import AppSettings
from .source_tab import SourceTab, build_source_tab, load_demo, source_view
from .state import SessionBinder, UISession
from .tags_tab import TagsTab, build_tags_tab, wire_tags_tab_select
from .upload_budget import UploadBudget, UploadBudgetMiddleware
from .uploads import upload_folder
from .views import ingest_summary
from .web_tab import web_source_form

#: How often an open page asks the registry to delete idle workspaces (seconds).
EXPIRY_CHECK_SECONDS = 300

CSS = """
.pipeline-step { margin-bottom: 6px; }
.model-missing, .model-files { padding: 4px 10px; }
#run-status, #source-summary { min-height: 1.5em; }
footer { display: none !important; }
/* cluster, group and duplicate-member captions ("Cluster 0 · 11 images · ✓ target", "aoi_01.png · 768×512 · in
   the dataset") wrap instead of being cut */
#ccip-clusters .caption-label, #dup-groups .caption-label, #dup-members .caption-label { white-space: normal;
  max-width: 100%;
  overflow: visible; text-overflow: clip; }
/* a pager's "page 1 of 3 · 40 images" wraps under its buttons on a phone instead of one word per line */
[id$="-page-label"] { min-width: 200px !important; flex: 1 1 200px; }
/* below 1000 px a gallery shows as many columns as fit instead of its desktop count (8 x 100 px overflowed) */
@media (max-width: 1000px) {
  .grid-wrap .grid-container { grid-template-columns: repeat(auto-fill, minmax(100px, 1fr)) !important; }
}
"""


def _overlaps(a: str, b: str) -> bool:
    a, b = os.path.realpath(a), os.path.realpath(b)
    return a == b or a.startswith(b.rstrip(os.sep) + os.sep) or b.startswith(a.rstrip(os.sep) + os.sep)


def launch_options(settings: AppSettings, binder: SessionBinder) -> dict[str, Any]:
    """Keyword arguments for ``demo.launch``: serve files from the workspace root only and only to the browser
    owning the workspace (cookie check by a middleware that sees every request), upload limit in public mode."""
    root = binder.guard.root
    uploads = upload_folder()
    if _overlaps(root, uploads):
        example = os.path.join(os.path.dirname(uploads), "waifuc_ui_workspaces")
        raise InvalidOptionError(
            "workspace root", root, fix=f"use a folder of its own, neither holding nor inside gradio's upload folder "
            f"({uploads}), e.g. set WAIFUC_UI_WORKSPACE_ROOT={example}")
    os.makedirs(root, exist_ok=True)
    gr.set_static_paths([root])  # thumbnails are served in place from the workspaces (not copied)
    middleware = [Middleware(FileGuardMiddleware, guard=binder.guard)]
    folder_cap = settings.effective_quotas.upload_folder_bytes
    if folder_cap is not None:  # gradio's upload route takes files from anyone: bound the folder as a whole
        middleware.append(Middleware(UploadBudgetMiddleware, budget=UploadBudget(uploads, folder_cap)))
    options: dict[str, Any] = {"allowed_paths": [root], "css": CSS, "theme": gr.themes.Soft(),
                               "show_error": True, "head": head_script(),  # shift-click and key shortcuts
                               "app_kwargs": {"middleware": middleware}}
    if settings.max_file_size is not None:
        options["max_file_size"] = settings.max_file_size
    return options


@dataclass
class TabHandles:
    """The gr.Tab of each tab that refreshes when the visitor opens it."""

    run: gr.Tab
    characters: gr.Tab
    duplicates: gr.Tab
    tags: gr.Tab
    export: gr.Tab


@dataclass
class Page:
    """The whole page: every tab's components by name, the session's links and the step-list version."""

    demo: gr.Blocks
    links: SessionLinks
    structure: gr.State
    source: SourceTab
    controls: SessionControls
    pipeline: PipelineTab
    run: RunTab
    characters: CharactersTab
    duplicates: DuplicatesTab
    tags: TagsTab
    export: ExportTab
    handles: TabHandles


def build_app(settings: AppSettings, binder: SessionBinder) -> gr.Blocks:
    """The Gradio app for ``settings``; ``binder`` (its sessions and file guard) is also given to
    :func:`launch_options`, so both use the same workspaces."""
    return build_page(settings, binder).demo


def build_page(settings: AppSettings, binder: SessionBinder) -> Page:
    """:func:`build_app` with its components: the page's tabs as typed objects."""
    mode = "public mode: uploads only" if settings.public else "local run"
    # delete_cache: uploads a visitor never used are removed from gradio's upload folder after a few hours
    # no usage analytics or PyPI version check: the app talks only to the Hub and the sites a person picks
    with gr.Blocks(title="waifuc_ui · LoRA dataset builder", delete_cache=(3600, 3 * 3600),
                   analytics_enabled=False) as demo:
        # no time_to_live: gradio would count it from the page load, not from the last use; idle expiry is the
        # registry's (touched by every handler, kept on disk too), checked by a timer. The state's expiry (an hour
        # after the tab closed) only stops its run: the workspace stays for the browser's key to reopen.
        state = gr.State(None, delete_callback=binder.release)
        session_key = gr.BrowserState(None, storage_key=STORAGE_KEY, secret=STORAGE_SECRET)
        expiry = gr.Timer(EXPIRY_CHECK_SECONDS)

        def expire_idle_sessions() -> None:
            binder.expire_idle()

        expiry.tick(expire_idle_sessions, None, None, concurrency_limit=None, show_progress="hidden", queue=False)
        structure = gr.State(0)
        links = SessionLinks(state, session_key, gr.Textbox(visible=False), cookie_script(int(settings.session_ttl)))
        gr.Markdown("# waifuc_ui\nBuild a LoRA training dataset the way waifuc does, and **see what every step "
                    f"keeps and drops** before anything is thrown away. <small>({mode})</small>")
        page = _draw_tabs(demo, binder, links, structure)
        fill = _page_fill(settings, page)
        _wire_page_load(binder, page, fill)
        wire_session_controls(binder, page.controls, links, fill)
        wire_export_settings(binder, state, page.export.settings)
        _wire_tab_selects(page)
    demo.queue(default_concurrency_limit=4)
    return page


def _draw_tabs(demo: gr.Blocks, binder: SessionBinder, links: SessionLinks, structure: gr.State) -> Page:
    state = links.state
    with gr.Tabs(overflow_behavior="wrap"):  # narrow screens: every tab stays visible (no "…" menu)
        with gr.Tab("1 · Source", id="source"):
            source = build_source_tab(binder, state, web_form=web_source_form(binder))
            controls = build_session_controls(binder)
        with gr.Tab("2 · Pipeline", id="pipeline"):
            pipeline = build_pipeline_tab(binder, state, structure, list(action_catalog()))
        with gr.Tab("3 · Run", id="run") as run_tab:
            run = build_run_tab(binder, state)
        with gr.Tab("4 · Characters", id="characters") as characters_tab:
            characters = build_characters_tab(binder, state)
        with gr.Tab("5 · Duplicates", id="duplicates") as duplicates_tab:
            duplicates = build_duplicates_tab(binder, state)
        with gr.Tab("6 · Tags", id="tags") as tags_tab:
            tags = build_tags_tab(binder, state)
        with gr.Tab("7 · Export", id="export") as export_tab:
            export = build_export_tab(binder, state)
    handles = TabHandles(run_tab, characters_tab, duplicates_tab, tags_tab, export_tab)
    return Page(demo=demo, links=links, structure=structure, source=source, controls=controls, pipeline=pipeline,
                run=run, characters=characters, duplicates=duplicates, tags=tags, export=export, handles=handles)


def _page_fill(settings: AppSettings, page: Page) -> PageFill:
    """Every tab's session-dependent values: a reopened session as saved, a new one on the demo."""
    def fill_page(ui: UISession, version: int, headline: str = "") -> Updates:
        if headline:
            view = source_view(ui, headline)
        elif ui.reopened:
            view = source_view(ui, reopened_headline(ui))
        else:
            view = load_demo(ui, str(settings.demo_dir)) if settings.demo_dir.is_dir() else \
                source_view(ui, ingest_summary(0, 0, 0, "No demo dataset found"))
            ui.session.pipeline.load_preset(DEFAULT_PRESET)
        return {page.structure: int(version or 0) + 1, **page.source.view_values(view),
                **page.pipeline.structure_values(ui),
                page.tags.trigger: ui.session.tags.edits.trigger_word,
                **export_settings_values(ui, page.export.settings)}

    outputs = [page.structure, *page.source.view_outputs, *page.pipeline.structure_outputs,
               page.tags.trigger, *page.export.settings.by_keyword().values()]
    return PageFill(fill_page, page.structure, outputs)


def _wire_page_load(binder: SessionBinder, page: Page, fill: PageFill) -> None:
    """Open (or reopen) the session, keep its key in the browser, store its file cookie, then show it."""
    links = page.links

    def on_open(key, request: gr.Request):
        try:
            ui, _ = binder.open_key(key, browser_id=getattr(request, "session_hash", "") or "")
        except CapacityError as err:  # the page stays empty; the rest of the load chain does not run
            raise gr.Error(f"The server is full: {err}.", duration=None) from None
        return {links.state: ui, links.session_key: ui.key, links.cookie: cookie_pair(ui)}

    def on_fill(ui: UISession, version: int):
        out = fill.fn(ui, version, "")
        ui.session.save()
        return out

    page.demo.load(on_open, [links.session_key], [links.state, links.session_key, links.cookie]).success(
        None, [links.cookie], [links.cookie], js=links.cookie_js).then(
        on_fill, [links.state, page.structure], fill.outputs)


def _wire_tab_selects(page: Page) -> None:
    """Each tab refreshes from the session when the visitor opens it."""
    state, handles = page.links.state, page.handles
    wire_run_tab_select(handles.run, state, page.run)
    wire_characters_tab_select(handles.characters, state, page.characters)
    wire_duplicates_tab_select(handles.duplicates, state, page.duplicates)
    wire_tags_tab_select(handles.tags, state, page.tags)
    wire_export_tab_select(handles.export, state, page.export)
