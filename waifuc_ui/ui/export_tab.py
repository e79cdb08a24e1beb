"""Export tab: the final dataset as one zip (image + .txt caption, or image + JSON sidecar), with a summary.
Exporting writes a new file in the workspace and deletes nothing."""

from __future__ import annotations

import os
from typing import Any, Dict

import gradio as gr

from ..errors import InvalidOptionError
from ..session.exporting import ExportSummary
from .common import guarded
from .run_tab import run_pipeline
from .state import SessionBinder, UISession, touch
from .views import run_state_note

LAYOUT_CHOICES = [("Image + .txt caption (kohya / textual inversion)", "textual_inversion"),
                  ("Image + JSON sidecar (waifuc SaveExporter)", "save")]


def export_dataset(ui: UISession, layout: str, name: str, kohya_folder: str = "") -> ExportSummary:
    """Write the final dataset as a zip in the workspace; refuses an empty dataset with what to do."""
    if not ui.session.final_ids():
        raise InvalidOptionError("dataset", "empty", fix="the last run kept no image: restore images in the Run or "
                                 "Characters tab, or change the pipeline, then export")
    return ui.session.export_zip(layout=layout, name=(name or "dataset").strip() or "dataset",
                                 kohya_folder=(kohya_folder or "").strip())


def dataset_key(ui: UISession) -> int:
    """Changes whenever the exported files would: the dataset's images, the tag edits, the trigger word, the run."""
    session = ui.session
    edits = session.tag_edits
    return hash((tuple(session.final_ids()), tuple(edits.ops), edits.trigger_word, id(session.last_run),
                 session.is_stale))


def zip_is_current(ui: UISession) -> bool:
    """True when the last zip built holds the dataset as it is now (its Download button may stay)."""
    return ui.export_key is not None and ui.export_key == dataset_key(ui)


def rerun_if_stale(ui: UISession, report=None) -> bool:
    """Bring the last run up to date before an export (the images, the pipeline or a review choice changed
    since it); True when it re-ran. A session never run exports its loaded images as they are."""
    if ui.session.last_run is None or not ui.session.is_stale:
        return False
    run_pipeline(ui, report)
    return True


def export_text(summary: ExportSummary, reran: bool = False) -> str:
    text = f"**{os.path.basename(summary.path)}**: {summary.text()}."
    if reran:
        text = "The pipeline was re-run first (something changed since the last run). " + text
    if summary.failed:
        text += "\n\nNot exported:\n" + "\n".join(f"- {name}: {reason}" for name, reason in summary.failed[:20])
    return text + "\n\nNothing in the session was deleted: you can keep editing and export again."


def dataset_line(ui: UISession) -> str:
    session = ui.session
    word = session.tag_edits.trigger_word
    note = run_state_note(session)
    if session.last_run is not None and note:
        note += " *Build the zip* re-runs it first."
    return (f"The dataset holds **{len(session.final_ids())} images**"
            + (f"; trigger word `{word}`" if word else "; no trigger word set (Tags tab)") + "."
            + (f"\n\n{note}" if note else ""))


def build_export_tab(binder: SessionBinder, state: gr.State) -> Dict[str, Any]:
    info = gr.Markdown(elem_id="export-info")
    with gr.Row(equal_height=True):
        layout = gr.Radio(LAYOUT_CHOICES, value="textual_inversion", label="Layout", scale=3, elem_id="export-layout")
        name = gr.Textbox(value="dataset", label="Zip name", scale=1)
        kohya = gr.Textbox(value="", label="kohya folder (optional)", placeholder="e.g. surtr", scale=1,
                           info="puts the files in <repeats>_<name>/ with the suggested repeats", elem_id="kohya")
    build_btn = gr.Button("Build the zip", variant="primary", elem_id="export-build")
    summary = gr.Markdown(elem_id="export-summary")
    download = gr.DownloadButton("Download the zip", visible=False, variant="primary", elem_id="export-download")

    @guarded
    def on_build(ui, lay, zip_name, folder, progress=gr.Progress()):
        touch(binder, ui)
        reran = rerun_if_stale(ui, lambda frac, text: progress(frac, desc=text))
        progress(0.1, desc="Writing the zip")
        result = export_dataset(ui, lay, zip_name, folder)
        ui.export_key = dataset_key(ui)
        return export_text(result, reran), gr.DownloadButton(value=result.path, visible=True), dataset_line(ui)

    def refresh(ui):
        """On opening the tab: hide the Download button of a zip that no longer matches the dataset."""
        if ui is None:
            return "", gr.skip(), gr.skip()
        if ui.export_key is None or zip_is_current(ui):
            return dataset_line(ui), gr.skip(), gr.skip()
        return (dataset_line(ui), "The dataset changed since the last zip: press *Build the zip* again.",
                gr.DownloadButton(visible=False))

    build_btn.click(on_build, [state, layout, name, kohya], [summary, download, info], concurrency_id="export",
                    concurrency_limit=2)
    return {"refresh": refresh, "outputs": [info, summary, download],
            "settings": {"layout": layout, "name": name, "kohya_folder": kohya}}  # export_zip keyword -> widget
