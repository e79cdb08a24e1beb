"""The Pipeline tab's step list, drawn by ``gr.render``: per step a header row (on/off, ↑ ↓, move to, remove), its
model note and its parameter widgets, each wired as it is drawn."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ..pipeline.catalog import ModelStatus
from .common import Updates, guarded
from .param_widgets import widget_for
from .pipeline_components import PipelineTab
from .pipeline_edits import current_preset, move_step, move_step_to, set_param, update_last_run
from .pipeline_model_notes import disabled_step_status, pipeline_status, step_badge, step_model_note
from .recipe_files import script_text
from .state import SessionBinder, UISession, touch

_COMPONENTS = {"Slider": gr.Slider, "Number": gr.Number, "Checkbox": gr.Checkbox, "Dropdown": gr.Dropdown,
               "Textbox": gr.Textbox}


@dataclass
class StepRow:
    """One step's header row."""

    enabled: gr.Checkbox
    up: gr.Button
    down: gr.Button
    move_to: gr.Dropdown
    remove: gr.Button


def draw_step_list(binder: SessionBinder, state: gr.State, structure: gr.State, tab: PipelineTab,
                   ui: UISession | None) -> None:
    """Every step of the session's recipe, wired ("Starting the session…" before the session exists)."""
    if ui is None:
        gr.Markdown("Starting the session…")
        return
    steps = ui.session.pipeline.recipe.steps
    if not steps:
        gr.Markdown("No steps yet: choose a preset or add a step.")
    statuses = ui.session.runs.model_report()
    for n, step in enumerate(steps, start=1):
        row = _draw_step(binder, state, tab, ui, n, len(steps), step,
                         statuses.get(step.uid) or disabled_step_status(ui, step))
        # listener keys: a handler that redraws this list finishes after the redraw; a keyed listener keeps its id
        # across redraws, so its answer still finds it (gradio's get_fn raised KeyError otherwise)
        row.enabled.input(_enable_handler(binder, tab, step.uid), [state, row.enabled, tab.live], tab.edit_outputs,
                          concurrency_limit=None, show_progress="hidden", key=f"on-en-{step.uid}")
        row.move_to.input(_move_to_handler(binder, structure, tab, step.uid), [state, row.move_to, structure],
                          [structure, *tab.structure_outputs], concurrency_limit=None, key=f"on-to-{step.uid}")
        moves = ((row.up, _move_handler(binder, structure, tab, step.uid, -1), "up"),
                 (row.down, _move_handler(binder, structure, tab, step.uid, +1), "down"),
                 (row.remove, _remove_handler(binder, structure, tab, step.uid), "rm"))
        for button, handler, name in moves:
            button.click(handler, [state, structure], [structure, *tab.structure_outputs], concurrency_limit=None,
                         key=f"on-{name}-{step.uid}")


def _draw_step(binder: SessionBinder, state: gr.State, tab: PipelineTab, ui: UISession, n: int, total: int,
               step: Any, status: ModelStatus | None) -> StepRow:
    """One step: its header row, its model note and its parameters (each wired as it is drawn)."""
    spec = ui.session.catalog[step.action]
    with gr.Group(elem_classes=["pipeline-step"]):
        with gr.Row(equal_height=True):
            row = _draw_header(n, total, step, spec.help, step_badge(spec, status, step.enabled))
        note = step_model_note(status)
        if note:
            gr.Markdown(note, elem_classes=["model-files"])
        if spec.params:
            with gr.Accordion("Parameters", open=False, elem_id=f"step-{n}-params"):
                for p in spec.params:
                    kind, kwargs = widget_for(p, step.params.get(p.name))
                    widget = _COMPONENTS[kind](**kwargs, key=f"p-{step.uid}-{p.name}", interactive=True,
                                               elem_id=f"step-{n}-{p.name}")
                    widget.input(_param_handler(binder, tab, step.uid, p.name), [state, widget, tab.live],
                                 tab.edit_outputs, trigger_mode="always_last", concurrency_limit=None,
                                 show_progress="hidden", key=f"on-p-{step.uid}-{p.name}")
    return row


def _draw_header(n: int, total: int, step: Any, help_text: str, badge: str) -> StepRow:
    """The step's on/off checkbox (named with its place and model badge), ↑, ↓, "move to" and ✕."""
    return StepRow(
        enabled=gr.Checkbox(value=step.enabled, label=f"{n}. {step.action}{badge}",
                            info=help_text, interactive=True, scale=5, elem_id=f"step-{n}-enabled",
                            key=f"en-{step.uid}"),
        up=gr.Button("↑", size="sm", scale=0, min_width=44, key=f"up-{step.uid}", elem_id=f"step-{n}-up"),
        down=gr.Button("↓", size="sm", scale=0, min_width=44, key=f"down-{step.uid}",
                       elem_id=f"step-{n}-down"),
        move_to=gr.Dropdown([(f"move to {k}", k) for k in range(1, total + 1)], value=n, show_label=False,
                            container=False, scale=0, min_width=120, key=f"to-{step.uid}", interactive=True,
                            elem_id=f"step-{n}-move-to"),
        remove=gr.Button("✕", size="sm", scale=0, min_width=44, variant="stop", key=f"rm-{step.uid}",
                         elem_id=f"step-{n}-remove"))


#: What the Pipeline tab says while the last run is updated after an edit (Run waits for it).
UPDATING = "Updating the last run with this change… (Run waits for it)"


def _edit_updates(tab: PipelineTab, ui: UISession, live: bool) -> Iterator[Updates]:
    """After one step's edit: the model status, the script and the preset name at once, then the line of the live
    re-run (saying "Updating…" while it goes)."""
    now: Updates = {tab.status: pipeline_status(ui), tab.script: script_text(ui), tab.preset: current_preset(ui)}
    if live and ui.session.runs.last is not None:
        yield {**now, tab.live_text: UPDATING}
    yield {**now, tab.live_text: update_last_run(ui, live)}


def _param_handler(binder: SessionBinder, tab: PipelineTab, uid: str, name: str):
    @guarded
    def handler(ui: UISession, value: Any, live: bool):
        touch(binder, ui)
        set_param(ui, uid, name, value)
        yield from _edit_updates(tab, ui, live)
    return handler


def _enable_handler(binder: SessionBinder, tab: PipelineTab, uid: str):
    @guarded
    def handler(ui: UISession, enabled: bool, live: bool):
        touch(binder, ui)
        ui.session.pipeline.update_step(uid, enabled=bool(enabled))
        yield from _edit_updates(tab, ui, live)
    return handler


def _move_handler(binder: SessionBinder, structure: gr.State, tab: PipelineTab, uid: str, delta: int):
    @guarded
    def handler(ui: UISession, version: int):
        touch(binder, ui)
        move_step(ui, uid, delta)
        return {structure: version + 1, **tab.structure_values(ui)}
    return handler


def _move_to_handler(binder: SessionBinder, structure: gr.State, tab: PipelineTab, uid: str):
    @guarded
    def handler(ui: UISession, number: int, version: int):
        touch(binder, ui)
        move_step_to(ui, uid, number)
        return {structure: version + 1, **tab.structure_values(ui)}
    return handler


def _remove_handler(binder: SessionBinder, structure: gr.State, tab: PipelineTab, uid: str):
    @guarded
    def handler(ui: UISession, version: int):
        touch(binder, ui)
        ui.session.pipeline.remove_step(uid)
        return {structure: version + 1, **tab.structure_values(ui)}
    return handler
