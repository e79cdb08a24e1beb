"""Source tab: the demo dataset, uploads (images, zips), a local folder (private runs only), online sources.

Pure handlers (``load_*``, ``source_view``) return plain data; ``build_source_tab`` draws the widgets (a
:class:`SourceTab`) and wires them by name.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import gradio as gr
import pandas as pd
from gradio.blocks import Block

from ..session.ingest import IngestResult
from .common import Pager, Updates, guarded, guarded_file, make_pager
from .settings import AppSettings
from .state import SessionBinder, UISession, touch
from .uploads import consumable_uploads
from .video_options import VIDEO_FILE_TYPES, VideoControls, build_video_options, video_options
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


def load_uploads(ui: UISession, files: Sequence[Any] | None, replace: bool, workspace_root: str,
                 video: Any = None) -> SourceView:
    """Images and zip archives the browser sent. Only files gradio's upload route received are read (never a
    path inside ``workspace_root`` or elsewhere on the server, see :mod:`.uploads`); they are copied into the
    session and left where they are (gradio's cache clean-up removes them), so nothing is deleted that the
    session did not make. Videos become frames as ``video`` (VideoOptions, see .video_options) says."""
    if not files:
        raise gr.Error("No files uploaded yet: drop images or .zip archives on the upload box first.")
    paths = consumable_uploads(files, workspace_root)
    result = ui.session.inputs.add_uploads(paths, replace=replace, **({"video": video} if video is not None else {}))
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


@dataclass
class SourceTab:
    """The Source tab's components. ``folder``/``folder_btn`` exist on a local run only."""

    summary: gr.Markdown
    upload: gr.File
    replace: gr.Checkbox
    upload_btn: gr.Button
    video: VideoControls
    folder: gr.Textbox | None
    folder_btn: gr.Button | None
    demo_btn: gr.Button
    gallery: gr.Gallery
    pager: Pager
    refused: gr.Dataframe

    @property
    def view_outputs(self) -> list[Block]:
        """What a :class:`SourceView` fills (the order gradio's API reports them in)."""
        return [self.summary, self.refused, self.gallery, self.pager.number, self.pager.label]

    def view_values(self, view: SourceView) -> Updates:
        return {self.summary: view.summary, self.refused: view.refused, self.gallery: view.gallery,
                self.pager.number: view.page, self.pager.label: view.page_label}


#: Draws the online-source form under the upload box: ``web_form(state, summary)`` (see web_tab.py).
WebFormDrawer = Callable[..., object]  # (state, summary, replace checkbox)


def build_source_tab(binder: SessionBinder, state: gr.State, web_form: WebFormDrawer | None = None) -> SourceTab:
    """The Source tab's widgets, wired; other tabs refresh it through :attr:`SourceTab.view_outputs`."""
    tab = _draw_source_tab(binder.settings, state, web_form)
    _wire_source_tab(binder, state, tab)
    return tab


def _draw_source_tab(settings: AppSettings, state: gr.State, web_form: WebFormDrawer | None) -> SourceTab:
    gr.Markdown("Start from the demo dataset, upload your own images or zip archives"
                + (", or read a folder on this machine." if settings.allows_local_folders else ".")
                + " Nothing you load is modified: the session works on copies.")
    summary = gr.Markdown("Loading the demo dataset…", elem_id="source-summary")
    folder: gr.Textbox | None = None
    folder_btn: gr.Button | None = None
    with gr.Row():
        with gr.Column(scale=1):
            with gr.Group():
                # captions (.txt) and waifuc sidecars (.json) may come with loose images: a.png + a.txt
                upload = gr.File(label="Images (with .txt captions) or .zip archives", file_count="multiple",
                                 file_types=["image", ".zip", ".cbz", ".gif", ".webp", ".txt", ".json"]
                                 + VIDEO_FILE_TYPES, elem_id="upload-files")
                replace = gr.Checkbox(value=True, label="Replace the current images",
                                      info="untick to add the files to the images already in the session")
                video = build_video_options()  # video-hub: frames from uploaded videos (ui/video_options.py)
                upload_btn = gr.Button("Use uploaded files", variant="primary", elem_id="use-uploads")
            if settings.allows_local_folders:
                with gr.Group():
                    folder = gr.Textbox(label="Folder on this machine", placeholder="/path/to/images",
                                        info="read recursively; only on a local run")
                    folder_btn = gr.Button("Load folder")
            demo_btn = gr.Button("Back to the demo dataset", size="sm")
            if web_form is not None:
                with gr.Accordion("Online sources (Danbooru, Gelbooru, …)", open=False):
                    web_form(state, summary, replace)  # a crawl honours "Replace the current images"
        with gr.Column(scale=2):
            gallery = gr.Gallery(label="Images in the session", columns=6, height=420, object_fit="contain",
                                 fit_columns=False, preview=False, allow_preview=True, elem_id="source-gallery")
            pager = make_pager("source")
            refused = gr.Dataframe(headers=["file", "reason"], label="Refused files and why",
                                   interactive=False, wrap=True, max_height=240, elem_id="refused-table")
    return SourceTab(summary=summary, upload=upload, replace=replace, upload_btn=upload_btn, video=video,
                     folder=folder,
                     folder_btn=folder_btn, demo_btn=demo_btn, gallery=gallery, pager=pager, refused=refused)


def _wire_source_tab(binder: SessionBinder, state: gr.State, tab: SourceTab) -> None:
    settings = binder.settings
    demo_dir = str(settings.demo_dir)

    @guarded_file
    def on_upload(ui, files, rep, video_values=None, progress=gr.Progress()):
        touch(binder, ui)
        options = video_options(video_values, progress=progress)
        return {**tab.view_values(load_uploads(ui, files, rep, binder.guard.root, options)), tab.upload: None}

    @guarded
    def on_demo(ui):
        touch(binder, ui)
        return tab.view_values(load_demo(ui, demo_dir))

    @guarded
    def on_folder(ui, directory, rep):
        touch(binder, ui)
        return tab.view_values(load_folder(ui, directory, rep, settings.allows_local_folders))

    outputs = tab.view_outputs
    tab.upload_btn.click(on_upload, [state, tab.upload, tab.replace, tab.video.values], outputs + [tab.upload],
                         concurrency_id="ingest")
    tab.demo_btn.click(on_demo, [state], outputs, concurrency_id="ingest")
    if tab.folder is not None and tab.folder_btn is not None:
        tab.folder_btn.click(on_folder, [state, tab.folder, tab.replace], outputs, concurrency_id="ingest")

    @guarded
    def on_page(ui, text, number):
        return tab.view_values(source_view(ui, text, number))

    tab.pager.wire(on_page, [state, tab.summary], outputs)
