"""Source tab: the demo dataset, uploads (images, zips), a local folder (private runs only), online sources.

Pure handlers (``load_*``, ``source_view``) return plain data; ``build_source_tab`` makes the widgets and wires them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd

from ..session.ingest import IngestResult
from .common import guarded, make_pager
from .state import SessionBinder, UISession, touch
from .uploads import consumable_uploads
from .views import gallery_page, ingest_summary, refused_table

GALLERY = "source"


@dataclass
class SourceView:
    """What the Source tab shows after a change."""

    summary: str
    refused: pd.DataFrame
    gallery: list[Any]
    page: int
    page_label: str


def source_view(ui: UISession, headline: str, page: Any = 1) -> SourceView:
    """The summary line, the refused files and one page of the session's images."""
    session = ui.session
    entries, ids, number, label = gallery_page(session, session.inputs.ids, page)
    ui.page_ids[GALLERY] = ids
    return SourceView(headline, refused_table(session.inputs.refused), entries, number, label)


def _headline(result: IngestResult, ui: UISession, what: str) -> str:
    return ingest_summary(len(result.records), len(result.refused), len(ui.session.inputs.ids), what)


def load_demo(ui: UISession, demo_dir: str) -> SourceView:
    """Replace the session's images by the bundled demo dataset."""
    result = ui.session.inputs.load_demo(demo_dir, replace=True)
    return source_view(ui, _headline(result, ui, "Demo dataset"))


def load_uploads(ui: UISession, files: Sequence[Any] | None, replace: bool, workspace_root: str) -> SourceView:
    """Images and zip archives the browser sent. Only files gradio's upload route received are read (never a
    path inside ``workspace_root`` or elsewhere on the server, see :mod:`.uploads`); they are copied into the
    session and left where they are (gradio's cache clean-up removes them), so nothing is deleted that the
    session did not make."""
    if not files:
        raise gr.Error("No files uploaded yet: drop images or .zip archives on the upload box first.")
    paths = consumable_uploads(files, workspace_root)
    result = ui.session.inputs.add_uploads(paths, replace=replace)
    return source_view(ui, _headline(result, ui, f"Upload of {len(paths)} file{'s' if len(paths) != 1 else ''}"))


def load_folder(ui: UISession, directory: str, replace: bool, allowed: bool) -> SourceView:
    """A folder on this machine (refused in public mode, where visitors never name server folders)."""
    if not allowed:
        raise gr.Error("Reading server folders is disabled on this public deployment; upload images or a zip.")
    directory = (directory or "").strip()
    if not directory:
        raise gr.Error("Type the path of a folder of images on this machine, e.g. /home/me/pictures/surtr.")
    result = ui.session.inputs.add_folder(os.path.expanduser(directory), replace=replace)
    return source_view(ui, _headline(result, ui, f"Folder {directory}"))


def _outputs(view: SourceView) -> tuple:
    return view.summary, view.refused, view.gallery, view.page, view.page_label


def build_source_tab(binder: SessionBinder, state: gr.State, web_form=None) -> dict[str, Any]:
    """Widgets of the Source tab; returns the components other tabs refresh from."""
    settings = binder.settings
    gr.Markdown("Start from the demo dataset, upload your own images or zip archives"
                + (", or read a folder on this machine." if settings.allows_local_folders else ".")
                + " Nothing you load is modified: the session works on copies.")
    summary = gr.Markdown("Loading the demo dataset…", elem_id="source-summary")
    with gr.Row():
        with gr.Column(scale=1):
            with gr.Group():
                # captions (.txt) and waifuc sidecars (.json) may come with loose images: a.png + a.txt
                upload = gr.File(label="Images (with .txt captions) or .zip archives", file_count="multiple",
                                 file_types=["image", ".zip", ".cbz", ".gif", ".webp", ".txt", ".json"],
                                 elem_id="upload-files")
                replace = gr.Checkbox(value=True, label="Replace the current images",
                                      info="untick to add the files to the images already in the session")
                upload_btn = gr.Button("Use uploaded files", variant="primary", elem_id="use-uploads")
            if settings.allows_local_folders:
                with gr.Group():
                    folder = gr.Textbox(label="Folder on this machine", placeholder="/path/to/images",
                                        info="read recursively; only on a local run")
                    folder_btn = gr.Button("Load folder")
            demo_btn = gr.Button("Back to the demo dataset", size="sm")
            if web_form is not None:
                with gr.Accordion("Online sources (Danbooru, Gelbooru, …)", open=False):
                    web_form(state, summary)
        with gr.Column(scale=2):
            gallery = gr.Gallery(label="Images in the session", columns=6, height=420, object_fit="contain", fit_columns=False, preview=False,
                                 allow_preview=True, elem_id="source-gallery")
            pager = make_pager("source")
            page, page_text = pager.number, pager.label
            refused = gr.Dataframe(headers=["file", "reason"], label="Refused files and why",
                                   interactive=False, wrap=True, max_height=240, elem_id="refused-table")

    outputs = [summary, refused, gallery, page, page_text]
    demo_dir = str(settings.demo_dir)

    @guarded
    def on_upload(ui, files, rep):
        touch(binder, ui)
        return _outputs(load_uploads(ui, files, rep, binder.guard.root)) + (None,)

    @guarded
    def on_demo(ui):
        touch(binder, ui)
        return _outputs(load_demo(ui, demo_dir))

    @guarded
    def on_folder(ui, directory, rep):
        touch(binder, ui)
        return _outputs(load_folder(ui, directory, rep, settings.allows_local_folders))

    upload_btn.click(on_upload, [state, upload, replace], outputs + [upload], concurrency_id="ingest")
    demo_btn.click(on_demo, [state], outputs, concurrency_id="ingest")
    if settings.allows_local_folders:
        folder_btn.click(on_folder, [state, folder, replace], outputs, concurrency_id="ingest")

    @guarded
    def on_page(ui, text, number):
        return _outputs(source_view(ui, text, number))

    pager.wire(on_page, [state, summary], outputs)
    return {"summary": summary, "refused": refused, "gallery": gallery, "page": page, "page_text": page_text,
            "outputs": outputs}
