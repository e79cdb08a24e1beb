"""Export tab: what a trainer would regret (checked before export, each with a way to see and fix it), then the
final dataset as one zip (image + .txt caption, or image + JSON sidecar) with a summary, or, on a local run, into a
folder. Exporting writes new files and deletes nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..core.errors import InvalidOptionError
from ..export.buckets import BucketPreview, buckets_markdown, preview_buckets
from ..session.checks import DEFAULT_MIN_SIDE, DatasetCheck, by_key, checks_markdown
from ..session.exporting import DEFAULT_QUALITY, ExportSummary
from .common import Updates, guarded
from .hub_push import build_hub_push
from .run_tab import run_pipeline
from .state import SessionBinder, UISession, touch
from .views import gallery_page, run_state_note

LAYOUT_CHOICES = [("Image + .txt caption (kohya / textual inversion)", "textual_inversion"),
                  ("Image + JSON sidecar (waifuc SaveExporter)", "save")]
GALLERY = "export-check"


def export_dataset(ui: UISession, layout: str, name: str, kohya_folder: str = "",
                   quality: Any = DEFAULT_QUALITY) -> ExportSummary:
    """Write the final dataset as a zip in the workspace; refuses an empty dataset with what to do."""
    _refuse_empty(ui)
    return ui.session.export.zip(layout=layout, name=(name or "dataset").strip() or "dataset",
                                 kohya_folder=(kohya_folder or "").strip(), quality=_quality(quality))


def export_to_folder(ui: UISession, directory: str, layout: str, kohya_folder: str = "",
                     quality: Any = DEFAULT_QUALITY) -> ExportSummary:
    """Write the final dataset into a new folder on this machine (the session refuses it in public mode)."""
    ui.session.export.refuse_folder(directory)
    _refuse_empty(ui)
    if not (directory or "").strip():
        raise InvalidOptionError("export folder", directory, fix="type the path of a new or empty folder")
    return ui.session.export.folder(directory, layout=layout, kohya_folder=(kohya_folder or "").strip(),
                                    quality=_quality(quality))


def _refuse_empty(ui: UISession) -> None:
    if not ui.session.dataset.ids():
        raise InvalidOptionError("dataset", "empty", fix="the last run kept no image: restore images in the Run or "
                                 "Characters tab, or change the pipeline, then export")


def _quality(value: Any) -> int:
    try:
        q = int(value)
    except (TypeError, ValueError):
        raise InvalidOptionError("JPEG quality", value,
                                 fix="give a whole number from 1 to 100 (95 keeps detail)") from None
    if not 1 <= q <= 100:
        raise InvalidOptionError("JPEG quality", value, fix="give a whole number from 1 to 100 (95 keeps detail)")
    return q


def _min_side(value: Any) -> int:
    try:
        side = int(value)
    except (TypeError, ValueError):
        side = -1
    if side < 1:
        raise InvalidOptionError("training size", value, fix="give the short side in pixels, e.g. 512 or 1024")
    return side


def dataset_key(ui: UISession) -> int:
    """Changes whenever the exported files would: the dataset's images, the tag edits, the trigger word, the run."""
    session = ui.session
    edits = session.tags.edits
    return hash((tuple(session.dataset.ids()), tuple(edits.ops), edits.trigger_word, id(session.runs.last),
                 session.runs.is_stale))


def zip_is_current(ui: UISession) -> bool:
    """True when the last zip built holds the dataset as it is now (its Download button may stay)."""
    return ui.export_key is not None and ui.export_key == dataset_key(ui)


def rerun_if_stale(ui: UISession, report=None) -> bool:
    """Bring the last run up to date before an export (the images, the pipeline or a review choice changed
    since it); True when it re-ran. A session never run exports its loaded images as they are."""
    if ui.session.runs.last is None or not ui.session.runs.is_stale:
        return False
    run_pipeline(ui, report)
    return True


def export_text(summary: ExportSummary, reran: bool = False) -> str:
    text = f"**{os.path.basename(summary.path)}**: {summary.text()}."
    if reran:
        text = "The pipeline was re-run first (something changed since the last run). " + text
    details = summary.details()
    if details:
        text += "\n\n" + "\n".join(f"- {line}" for line in details)
    if summary.failed:
        text += "\n\nNot exported:\n" + "\n".join(f"- {name}: {reason}" for name, reason in summary.failed[:20])
    return text + "\n\nNothing in the session was deleted: you can keep editing and export again."


def dataset_line(ui: UISession) -> str:
    session = ui.session
    word = session.tags.edits.trigger_word
    note = run_state_note(session)
    if session.runs.last is not None and session.runs.is_stale:
        note += " *Build the zip* re-runs it first."
    elif session.runs.last is not None and note:  # a stopped run
        note += " *Build the zip* exports these images as they are."
    return (f"The dataset holds **{len(session.dataset.ids())} images**"
            + (f"; trigger word `{word}`" if word else "; no trigger word set (Tags tab)") + "."
            + (f"\n\n{note}" if note else ""))


def check_choices(checks: list[DatasetCheck]) -> list[tuple]:
    """(label, key) of the checks that found images, for the 'Show' radio."""
    return [(c.label, c.key) for c in checks if c.ids]


def check_ids(ui: UISession, key: str | None, min_side: Any) -> list[str]:
    """The images one check found now ([] for none or an unknown key)."""
    if not key:
        return []
    check = by_key(ui.session.export.checks(_min_side(min_side))).get(key)
    return list(check.ids) if check else []


def select_in_tags(ui: UISession, ids: list[str]) -> str:
    """Make ``ids`` the Tags tab's selection (edits with 'The selected images' then apply to them)."""
    if not ids:
        raise InvalidOptionError("images", "none", fix="choose a check that found images")
    ui.tag_selection[:] = list(ids)
    return (f"{len(ids)} image{'s' if len(ids) != 1 else ''} selected in the Tags tab: open it and edit with "
            "*Apply edits to: The selected images*.")


def run_if_never_run(ui: UISession, report=None) -> None:
    """Images are dropped by hand at the last step of a run: before the first run, run the pipeline (the checks
    are then read again on the run's dataset)."""
    run = ui.session.runs.last
    if (run is None or not run.steps) and any(step.enabled for step in ui.session.pipeline.recipe.steps):
        run_pipeline(ui, report)


def drop_from_dataset(ui: UISession, ids: list[str], report=None) -> str:
    """Drop ``ids`` by hand at the last step, then re-run so the dataset shows it."""
    if not ids:
        raise InvalidOptionError("images", "none", fix="choose a check that found images")
    n = ui.session.dataset.drop(ids)
    run_pipeline(ui, report)
    return (f"Dropped {n} image{'s' if n != 1 else ''} from the dataset (by hand at the last step; restore them "
            "in the Run tab).")


@dataclass
class ExportSettings:
    """The export choices the session remembers; each field is named after its ``export_zip`` keyword."""

    layout: gr.Radio
    name: gr.Textbox
    kohya_folder: gr.Textbox
    quality: gr.Number

    def by_keyword(self) -> dict[str, gr.Radio | gr.Textbox | gr.Number]:
        """``export_zip`` keyword -> its component, in field order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class ChecksBox:
    """The checks before export: the training size, the findings, the images of one finding and what to do."""

    min_side: gr.Number
    check_btn: gr.Button
    markdown: gr.Markdown
    problem: gr.Radio
    gallery: gr.Gallery
    select_btn: gr.Button
    drop_btn: gr.Button
    note: gr.Markdown
    bucket_base: gr.Dropdown
    bucket_btn: gr.Button
    buckets: gr.Markdown

    @property
    def outputs(self) -> list[Block]:
        """What :func:`checks_values` fills."""
        return [self.markdown, self.problem, self.gallery]


@dataclass
class ExportTab:
    """The Export tab's components. ``folder``/``folder_btn`` exist on a local run only."""

    info: gr.Markdown
    checks: ChecksBox
    settings: ExportSettings
    build_btn: gr.Button
    summary: gr.Markdown
    download: gr.DownloadButton
    folder: gr.Textbox | None
    folder_btn: gr.Button | None

    @property
    def refresh_outputs(self) -> list[Block]:
        """What :func:`refresh_values` fills."""
        return [self.info, self.summary, self.download, *self.checks.outputs]


def checks_values(box: ChecksBox, ui: UISession, side: Any, chosen: str | None = None) -> Updates:
    """The checks at training size ``side``, the 'Show' choices and the images of the chosen check."""
    checks = ui.session.export.checks(_min_side(side))
    choices = check_choices(checks)
    keys = [k for _, k in choices]
    chosen = chosen if chosen in keys else (keys[0] if keys else None)
    ids = list(by_key(checks)[chosen].ids) if chosen else []
    entries, ui.page_ids[GALLERY], _n, _label = gallery_page(ui.session, ids, 1)
    return {box.markdown: checks_markdown(checks), box.problem: gr.Radio(choices=choices, value=chosen),
            box.gallery: entries}


BUCKET_BASES = (512, 768, 1024)


def dataset_buckets(ui: UISession, base: Any) -> BucketPreview:
    """The kohya buckets of the final dataset's images (their sizes after the run) at ``base``."""
    try:
        size = int(base)
    except (TypeError, ValueError):
        size = 0
    if size < 256:
        raise InvalidOptionError("base resolution", base, BUCKET_BASES, "pick the resolution you will train at")
    return preview_buckets(((i, ui.session.record(i).size) for i in ui.session.dataset.ids()), size)


def buckets_text(ui: UISession, base: Any) -> str:
    return buckets_markdown(dataset_buckets(ui, base), len(ui.session.dataset.ids()))


def refresh_values(tab: ExportTab, ui: UISession | None, side: Any = DEFAULT_MIN_SIDE) -> Updates:
    """On opening the tab: the checks, and the Download button of a zip that no longer matches is hidden."""
    if ui is None:
        return {tab.info: "", tab.summary: gr.skip(), tab.download: gr.skip(), tab.checks.markdown: "",
                tab.checks.problem: gr.skip(), tab.checks.gallery: gr.skip()}
    try:
        checks = checks_values(tab.checks, ui, side)
    except InvalidOptionError:
        checks = checks_values(tab.checks, ui, DEFAULT_MIN_SIDE)
    if ui.export_key is None or zip_is_current(ui):
        return {tab.info: dataset_line(ui), tab.summary: gr.skip(), tab.download: gr.skip(), **checks}
    return {tab.info: dataset_line(ui), tab.summary: "The dataset changed since the last zip: press *Build the zip* "
            "again.", tab.download: gr.DownloadButton(visible=False), **checks}


def build_export_tab(binder: SessionBinder, state: gr.State) -> ExportTab:
    info = gr.Markdown(elem_id="export-info")
    checks = _draw_checks()
    tab = _draw_export(binder, state, info, checks)
    _wire_export(binder, state, tab)
    _wire_checks(binder, state, tab)
    return tab


def _draw_checks() -> ChecksBox:
    with gr.Accordion("Before you export: what a trainer would regret", open=True):
        with gr.Row():
            min_side = gr.Number(value=DEFAULT_MIN_SIDE, precision=0, minimum=1, label="Training size (short side, px)",
                                 info="images smaller than this are flagged", scale=1, elem_id="export-min-side")
            check_btn = gr.Button("Check the dataset", size="sm", scale=0, min_width=170, elem_id="export-check")
        markdown = gr.Markdown(elem_id="export-checks")
        problem = gr.Radio([], label="Show the images of", elem_id="export-problem")
        gallery = gr.Gallery(label="Images found by the check", columns=8, height=220, object_fit="contain",
                             preview=False, elem_id="export-check-gallery")
        with gr.Row():
            select_btn = gr.Button("Select these in the Tags tab", size="sm", elem_id="export-select-in-tags")
            drop_btn = gr.Button("Drop these from the dataset", size="sm", variant="stop", elem_id="export-drop")
        note = gr.Markdown(elem_id="export-check-note")
        with gr.Row(equal_height=True):
            bucket_base = gr.Dropdown(list(BUCKET_BASES), value=BUCKET_BASES[0], label="Trainer base resolution",
                                      info="kohya-style aspect-ratio buckets", scale=1, elem_id="bucket-base")
            bucket_btn = gr.Button("Preview the buckets", size="sm", scale=0, min_width=170,
                                   elem_id="bucket-preview-btn")
        buckets = gr.Markdown(elem_id="bucket-preview")
    return ChecksBox(min_side=min_side, check_btn=check_btn, markdown=markdown, problem=problem, gallery=gallery,
                     select_btn=select_btn, drop_btn=drop_btn, note=note, bucket_base=bucket_base,
                     bucket_btn=bucket_btn, buckets=buckets)


def _draw_export(binder: SessionBinder, state: gr.State, info: gr.Markdown, checks: ChecksBox) -> ExportTab:
    local = binder.settings.allows_local_folders
    with gr.Row(equal_height=True):
        settings = ExportSettings(
            layout=gr.Radio(LAYOUT_CHOICES, value="textual_inversion", label="Layout", scale=3,
                            elem_id="export-layout"),
            name=gr.Textbox(value="dataset", label="Zip name", scale=1),
            kohya_folder=gr.Textbox(value="", label="kohya folder (optional)", placeholder="e.g. surtr", scale=1,
                                    info="puts the files in <repeats>_<name>/ with the suggested repeats",
                                    elem_id="kohya"),
            quality=gr.Number(value=DEFAULT_QUALITY, precision=0, minimum=1, maximum=100, label="JPEG quality",
                              scale=1, info="for images a step changed; unchanged images keep their bytes",
                              elem_id="export-quality"))
    build_btn = gr.Button("Build the zip", variant="primary", elem_id="export-build")
    summary = gr.Markdown(elem_id="export-summary")
    download = gr.DownloadButton("Download the zip", visible=False, variant="primary", elem_id="export-download")
    build_hub_push(binder, state, settings.layout, settings.kohya_folder, settings.quality, before=rerun_if_stale)
    folder: gr.Textbox | None = None
    folder_btn: gr.Button | None = None
    if local:  # public mode: no control and no API endpoint takes a server folder (the session refuses it too)
        with gr.Row():
            folder = gr.Textbox(label="Or write the dataset to a folder on this machine", scale=4,
                                placeholder="/path/to/new/folder", elem_id="export-folder")
            folder_btn = gr.Button("Write to folder", size="sm", scale=1, elem_id="export-folder-write")
    return ExportTab(info=info, checks=checks, settings=settings, build_btn=build_btn, summary=summary,
                     download=download, folder=folder, folder_btn=folder_btn)


def _wire_export(binder: SessionBinder, state: gr.State, tab: ExportTab) -> None:
    """Build the zip (after re-running a stale run), or write into a folder on a local run."""
    box, options = tab.checks, tab.settings

    @guarded
    def on_build(ui, lay, zip_name, folder_name, q, side, chosen, progress=gr.Progress()):
        touch(binder, ui)
        reran = rerun_if_stale(ui, lambda frac, text: progress(frac, desc=text))
        progress(0.1, desc="Writing the zip")
        result = export_dataset(ui, lay, zip_name, folder_name, q)
        ui.export_key = dataset_key(ui)
        return {tab.summary: export_text(result, reran),
                tab.download: gr.DownloadButton(value=result.path, visible=True), tab.info: dataset_line(ui),
                **checks_values(box, ui, side, chosen)}

    @guarded
    def on_folder(ui, directory, lay, folder_name, q, progress=gr.Progress()):
        touch(binder, ui)
        reran = rerun_if_stale(ui, lambda frac, text: progress(frac, desc=text))
        return export_text(export_to_folder(ui, directory, lay, folder_name, q), reran)

    zip_inputs = [state, options.layout, options.name, options.kohya_folder, options.quality, box.min_side, box.problem]
    tab.build_btn.click(on_build, zip_inputs, [tab.summary, tab.download, tab.info, *box.outputs],
                        concurrency_id="export", concurrency_limit=2)
    if tab.folder is not None and tab.folder_btn is not None:
        tab.folder_btn.click(on_folder, [state, tab.folder, options.layout, options.kohya_folder, options.quality],
                             [tab.summary], concurrency_id="export", concurrency_limit=2)


def _wire_checks(binder: SessionBinder, state: gr.State, tab: ExportTab) -> None:
    """Check the dataset; select the images a check found in the Tags tab, or drop them."""
    box = tab.checks

    @guarded
    def on_check(ui, side, chosen):
        touch(binder, ui)
        return checks_values(box, ui, side, chosen)

    @guarded
    def on_select_in_tags(ui, side, chosen):
        return select_in_tags(ui, check_ids(ui, chosen, side))

    @guarded
    def on_drop(ui, side, chosen, progress=gr.Progress()):
        touch(binder, ui)
        report = lambda frac, t: progress(frac, desc=t)  # noqa: E731
        run_if_never_run(ui, report)
        text = drop_from_dataset(ui, check_ids(ui, chosen, side), report)
        return {box.note: text, tab.info: dataset_line(ui), **checks_values(box, ui, side, chosen)}

    @guarded
    def on_buckets(ui, base):
        return buckets_text(ui, base)

    box.bucket_btn.click(on_buckets, [state, box.bucket_base], [box.buckets], concurrency_limit=None)
    box.bucket_base.input(on_buckets, [state, box.bucket_base], [box.buckets], concurrency_limit=None)
    check_inputs = [state, box.min_side, box.problem]
    box.check_btn.click(on_check, check_inputs, box.outputs, concurrency_limit=None)
    box.min_side.submit(on_check, check_inputs, box.outputs, concurrency_limit=None)
    box.problem.input(on_check, check_inputs, box.outputs, concurrency_limit=None)
    box.select_btn.click(on_select_in_tags, check_inputs, [box.note], concurrency_limit=None)
    box.drop_btn.click(on_drop, check_inputs, [box.note, tab.info, *box.outputs], concurrency_id="export",
                       concurrency_limit=2)


def wire_export_tab_select(selected: gr.Tab, state: gr.State, tab: ExportTab) -> None:
    """Opening the tab shows the dataset line and the checks at the training size typed there."""
    def refresh(ui, side=DEFAULT_MIN_SIDE):
        return refresh_values(tab, ui, side)

    selected.select(refresh, [state, tab.checks.min_side], tab.refresh_outputs, concurrency_limit=None)
