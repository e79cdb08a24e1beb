"""The session box of the Source tab: how long work is kept, "New session" (with a confirmation), the project file
(download, load), and what the page shows when it opens (a reopened session as it was, or the demo).

``build_session_controls`` draws the widgets; ``wire_session_controls`` connects them once every tab exists
(their handlers refresh the whole page through :class:`PageFill`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..session.exporting import zip_stem
from ..session.project import write_project
from .common import Updates, guarded, guarded_file
from .export_tab import ExportSettings
from .run_tab import run_pipeline
from .state import SessionBinder, UISession, touch
from .uploads import consumable_upload

#: localStorage entry holding the session key. BrowserState encrypts it with a key that is sent to the page, so the
#: encryption is no barrier; what protects a session is its own secret, checked against the hash on disk.
STORAGE_KEY = "waifuc_ui_session"
STORAGE_SECRET = "waifuc_ui.session-key.v1"


def hours(seconds: float) -> str:
    h = seconds / 3600
    return f"{h:g} hour{'s' if h != 1 else ''}" if h >= 1 else f"{max(1, round(seconds / 60))} minutes"


def reopened_headline(ui: UISession) -> str:
    """The Source tab's first line for a reopened session: what it holds and where it came from."""
    session = ui.session
    sources = ", ".join(e["kind"] + (f" ({e['detail']})" if e.get("detail") else "") for e in session.inputs.log)
    run = " · last run restored (Run tab)" if session.runs.last is not None else ""
    return (f"**Your session was reopened**: {len(session.inputs.ids)} images in the session"
            + (f" from {sources}" if sources else "") + run)


def project_file(ui: UISession) -> str:
    """Write the session's project file into its exports folder; returns its path."""
    base = zip_stem(ui.session.export.settings.get("name") or "dataset")
    return write_project(ui.session, ui.session.workspace.private_path("exports", f"{base}.waifuc_ui.json"))


def uploaded_path(file: Any, workspace_root: str) -> str:
    """The server path of an uploaded file value, refused (nothing read) unless it is an upload gradio received
    (see uploads.py). The upload is never deleted or moved."""
    return consumable_upload(file, workspace_root)


def load_project_file(ui: UISession, file: Any, workspace_root: str) -> str:
    """Apply an uploaded project file to the session's images, run the pipeline, say what matched."""
    match = ui.session.load_project(uploaded_path(file, workspace_root))
    if not match.matched:
        return f"**Project loaded**, but none of its images is in this session: {match.summary()}."
    run_pipeline(ui)
    return f"**Project loaded and run**: {match.summary()}."


@dataclass
class SessionControls:
    note: gr.Markdown
    new_btn: gr.Button
    confirm_row: gr.Row
    confirm_btn: gr.Button
    cancel_btn: gr.Button
    save_btn: gr.Button
    download: gr.File
    upload: gr.File


def build_session_controls(binder: SessionBinder) -> SessionControls:
    ttl = hours(binder.settings.session_ttl)
    with gr.Accordion("Your session: kept on the server, project file, start over", open=False,
                      elem_id="session-box"):
        note = gr.Markdown(
            f"Your images, pipeline, review choices and tag edits are saved on the server as you work. Reloading "
            f"this page, or coming back in this browser within {ttl} of your last change, brings them back. "
            "To keep them longer or move them, download the project file (it holds the choices, not the images: "
            "load it after uploading the same images).", elem_id="session-note")
        with gr.Row(equal_height=True):
            save_btn = gr.Button("Download the project file", size="sm", elem_id="project-save")
            new_btn = gr.Button("New session…", size="sm", variant="stop", elem_id="new-session")
        download = gr.File(label="Project file", interactive=False, visible=False, elem_id="project-download")
        with gr.Row(visible=False, elem_id="new-session-confirm") as confirm_row:
            gr.Markdown("**Start over?** This deletes this session's images, review choices and tag edits from the "
                        "server. Download the project file first to keep the choices.")
            confirm_btn = gr.Button("Yes, delete it and start over", variant="stop", size="sm",
                                    elem_id="new-session-yes")
            cancel_btn = gr.Button("Keep my session", size="sm", elem_id="new-session-no")
        upload = gr.File(label="Load a project file (.json) onto the images in the session", file_types=[".json"],
                         file_count="single", elem_id="project-load")
    return SessionControls(note, new_btn, confirm_row, confirm_btn, cancel_btn, save_btn, download, upload)


@dataclass
class PageFill:
    """Refreshes every tab that shows session state: ``fn(ui, structure_version, headline)`` returns the values of
    ``outputs`` by component (``structure``, the step list's version, redraws the pipeline steps)."""

    fn: Callable[[UISession, int, str], Updates]
    structure: gr.State
    outputs: list[Block]


def export_settings_values(ui: UISession, settings: ExportSettings) -> Updates:
    """The saved value of each export setting, else its component's default."""
    saved = ui.session.export.settings
    return {w: saved[k] if saved.get(k) is not None else w.value for k, w in settings.by_keyword().items()}


def wire_export_settings(binder: SessionBinder, state: gr.State, settings: ExportSettings) -> None:
    """Remember the Export tab's choices in the session as they change (saved with it)."""
    widgets = settings.by_keyword()
    names, components = list(widgets), list(widgets.values())

    @guarded
    def remember(ui, *values):
        touch(binder, ui)
        ui.session.export.settings = {**ui.session.export.settings, **dict(zip(names, values))}

    # change, not input: also a pasted or autofilled value counts (the page's own fill sets the saved values back)
    for widget in components:
        widget.change(remember, [state, *components], None, concurrency_limit=None, show_progress="hidden",
                      trigger_mode="always_last")


@dataclass
class SessionLinks:
    """The page's hold on its session: the state, the browser's stored key and the file cookie (with its script)."""

    state: gr.State
    session_key: gr.BrowserState
    cookie: gr.Textbox
    cookie_js: str


def wire_session_controls(binder: SessionBinder, controls: SessionControls, links: SessionLinks,
                          fill: PageFill) -> None:
    c, state = controls, links.state
    c.new_btn.click(lambda: gr.Row(visible=True), None, [c.confirm_row], queue=False, show_progress="hidden")
    c.cancel_btn.click(lambda: gr.Row(visible=False), None, [c.confirm_row], queue=False, show_progress="hidden")

    @guarded
    def on_new(ui):
        fresh = binder.start_over(ui)
        return {state: fresh, links.session_key: fresh.key, links.cookie: cookie_pair(fresh),
                c.confirm_row: gr.Row(visible=False), c.download: gr.File(value=None, visible=False)}

    @guarded
    def on_fill_new(ui, version):
        return fill.fn(ui, version, "")

    c.confirm_btn.click(on_new, [state], [state, links.session_key, links.cookie, c.confirm_row, c.download],
                        concurrency_id="ingest").then(
        None, [links.cookie], [links.cookie], js=links.cookie_js).then(
        on_fill_new, [state, fill.structure], fill.outputs)

    @guarded
    def on_save(ui):
        touch(binder, ui)
        return gr.File(value=project_file(ui), visible=True)

    c.save_btn.click(on_save, [state], [c.download], concurrency_limit=None)

    @guarded_file
    def on_load_project(ui, version, file, progress=gr.Progress()):
        touch(binder, ui)
        progress(0, desc="Loading the project")
        headline = load_project_file(ui, file, binder.guard.root)
        return {**fill.fn(ui, version, headline), c.upload: None}

    c.upload.upload(on_load_project, [state, fill.structure, c.upload], [*fill.outputs, c.upload],
                    concurrency_id="ingest")


def cookie_pair(ui: UISession) -> str:
    """The value the page's cookie script stores (the workspace id and its file token)."""
    return json.dumps([ui.session.id, ui.token])
