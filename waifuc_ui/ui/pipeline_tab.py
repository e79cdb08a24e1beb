"""Pipeline tab: presets, steps (on/off, parameters, order), model availability, recipe JSON and the Python script.

The step list is drawn with ``gr.render`` and redrawn only when the structure changes (preset, add, remove,
move, load); parameter edits update the recipe in place without redrawing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from ..core.errors import InvalidOptionError, WaifucUIError
from ..inference.download import mb
from ..pipeline.catalog import ModelStatus, model_status
from ..pipeline.presets import CUSTOM, matching_preset, preset_names, preset_purpose
from ..pipeline.recipe import build_action
from .common import guarded
from .param_widgets import ui_to_param, widget_for
from .run_tab import run_pipeline
from .state import SessionBinder, UISession, touch
from .uploads import consumable_upload
from .views import model_fix_help

DEFAULT_PRESET = "model-free clean-up"


def missing_files_text(status: ModelStatus) -> str:
    """Short list of the files a step lacks, e.g. ``deepghs/ccip_onnx/…/model_feat.onnx (+2 more)``."""
    files = status.missing or status.files
    if not files:
        return "model unavailable"
    first = f"`{files[0]}`"
    return first + (f" (+{len(files) - 1} more)" if len(files) > 1 else "")


def step_files_text(status: ModelStatus) -> str:
    """The files one step needs and where each stands, e.g. ``Model files: `a/b/model.onnx` (here), `c/d.csv`
    (downloads on the first run, 1.2 MB)``."""
    sizes = dict(zip(status.missing, status.missing_sizes))
    parts = []
    for f in status.files:
        if f not in status.missing:
            where = "on this machine"
        elif status.download:
            where = f"downloads on the first run, {mb(sizes.get(f))}"
        else:
            where = "missing"
        parts.append(f"`{f}` ({where})")
    return "Model files: " + ", ".join(parts)


def step_model_note(status: ModelStatus | None) -> str:
    """One note under a step: its files and where each stands, led by "Model missing" when it will be skipped."""
    if status is None or not (status.files or status.needs_models):
        return ""
    if status.needs_models and not status.will_run:
        files = step_files_text(status) if status.missing else f"needs {missing_files_text(status)}"
        return f"**Model missing**: it will be skipped (see *How to get the models* above). {files}"
    return step_files_text(status) if status.files else ""


def download_lines(statuses: dict[str, ModelStatus], labels: dict[str, str]) -> list[str]:
    """Markdown lines for the steps whose models the next run downloads: each file once, with its size."""
    fetch = [(uid, st) for uid, st in statuses.items() if st.needs_models and not st.available and st.download]
    if not fetch:
        return []
    sizes: dict[str, int | None] = {}
    for _, st in fetch:
        sizes.update(zip(st.missing, st.missing_sizes or (None,) * len(st.missing)))
    known = [n for n in sizes.values() if n is not None]
    total = mb(sum(known)) + ("" if len(known) == len(sizes) else " + files of unknown size")
    lines = [f"**{len(sizes)} model file(s), {total}, will be downloaded from the Hub when you press Run**, before "
             "any image is processed (with progress and Stop on the Run tab). Nothing is downloaded before that."]
    for uid, st in fetch:
        files = ", ".join(f"`{f}` ({mb(sizes.get(f))})" for f in st.missing)
        lines.append(f"- **{labels.get(uid, uid)}**: {files}")
    return lines


def model_summary(statuses: dict[str, ModelStatus], labels: dict[str, str]) -> str:
    """Markdown: which model files the steps need, which the next run downloads (and how large they are), and
    which steps cannot run (with the fix)."""
    needs = sum(1 for st in statuses.values() if st.needs_models)
    if not needs:
        return "No step needs a model."
    missing = [(uid, st) for uid, st in statuses.items() if st.needs_models and not st.will_run]
    lines = download_lines(statuses, labels)
    if not missing and not lines:
        return f"All models needed by the {needs} model-backed step(s) are available."
    if missing:
        lines.append(f"**{len(missing)} step(s) cannot run: their models are not on this machine.** They will be "
                     "skipped (images pass through them unchanged); model-free steps still run.")
        for uid, st in missing:
            lines.append(f"- **{labels.get(uid, uid)}**: needs {missing_files_text(st)}")
        help_text = model_fix_help([st for _, st in missing])
        if help_text:
            lines.append(f"\n<details><summary>How to get the models</summary>\n\n{help_text}\n</details>")
    return "\n".join(lines)


def step_labels(ui: UISession) -> dict[str, str]:
    return {s.uid: f"{n}. {s.action}" for n, s in enumerate(ui.session.pipeline.recipe.steps, start=1)}


def pipeline_status(ui: UISession) -> str:
    """Model availability of the current recipe."""
    return model_summary(ui.session.runs.model_report(), step_labels(ui))


def apply_preset(ui: UISession, name: str) -> None:
    if name == CUSTOM:
        raise InvalidOptionError("preset", name, preset_names(), "pick one of the presets to start over from it")
    ui.session.pipeline.load_preset(name)


def current_preset(ui: UISession) -> str:
    """The preset the recipe still equals, else "custom"."""
    return matching_preset(ui.session.pipeline.recipe, ui.session.catalog)


#: The "Add step" position that appends.
AT_END = -1


def position_choices(ui: UISession) -> list[tuple[str, int]]:
    """Where "Add step" may insert: (label, index) pairs, "at the end" first."""
    steps = ui.session.pipeline.recipe.steps
    choices = [("at the end", AT_END)]
    if steps:
        choices.append(("first", 0))
    choices += [(f"after {n}. {s.action}", n) for n, s in enumerate(steps[:-1], start=1)]
    return choices


def add_step(ui: UISession, action: str, position: int | None = None) -> str:
    """Add ``action`` at index ``position`` (None or AT_END: at the end)."""
    if not action:
        raise InvalidOptionError("action", action, list(ui.session.catalog), "pick an action to add")
    steps = len(ui.session.pipeline.recipe.steps)
    if position is None or int(position) == AT_END:
        return ui.session.pipeline.add_step(action)
    if not 0 <= int(position) <= steps:
        raise InvalidOptionError("position", position, [c for _, c in position_choices(ui)],
                                 "pick a place from the list")
    return ui.session.pipeline.add_step(action, position=int(position))


def move_step_to(ui: UISession, uid: str, number: int) -> None:
    """Move step ``uid`` to place ``number`` (1 = first)."""
    steps = ui.session.pipeline.recipe.steps
    ui.session.pipeline.move_step(uid, max(0, min(len(steps) - 1, int(number) - 1)))


def move_step(ui: UISession, uid: str, delta: int) -> None:
    steps = ui.session.pipeline.recipe.steps
    index = next(i for i, s in enumerate(steps) if s.uid == uid)
    ui.session.pipeline.move_step(uid, max(0, min(len(steps) - 1, index + delta)))


def set_param(ui: UISession, uid: str, name: str, ui_value: Any) -> None:
    """Set one parameter of step ``uid`` from its widget value (validated by the session layer)."""
    step = ui.session.pipeline.recipe.step_by_uid(uid)
    spec = ui.session.catalog[step.action].param(name)
    ui.session.pipeline.update_step(uid, params={name: ui_to_param(spec, ui_value)})


def save_recipe(ui: UISession) -> str:
    """Write the recipe JSON into the workspace and return its path (for the download button)."""
    path = ui.session.workspace.private_path("exports", "recipe.json")  # served by URL: unguessable folder
    with open(path, "w", encoding="utf-8") as f:
        f.write(ui.session.pipeline.recipe_json())
    return path


def load_recipe(ui: UISession, file: Any) -> None:
    path = file if isinstance(file, str) else getattr(file, "name", None)
    if not path:
        raise InvalidOptionError("recipe file", file, fix="upload a .json recipe saved from this app")
    with open(path, encoding="utf-8") as f:
        text = f.read(1_000_000)
    ui.session.pipeline.set_recipe(text)


def script_text(ui: UISession) -> str:
    """The dataset as a script: the recipe, the choices made by hand (review, restores, hand drops, tag edits,
    trigger word) and the Export tab's default zip; run on the same images it gives the same files."""
    return ui.session.script()


_COMPONENTS = {"Slider": gr.Slider, "Number": gr.Number, "Checkbox": gr.Checkbox, "Dropdown": gr.Dropdown,
               "Textbox": gr.Textbox}


@dataclass
class PipelineTab:
    """The Pipeline tab's fixed components (the step list between them is drawn by gr.render)."""

    preset: gr.Dropdown
    preset_about: gr.Markdown
    preset_btn: gr.Button
    add_choice: gr.Dropdown
    add_at: gr.Dropdown
    add_btn: gr.Button
    live: gr.Checkbox
    live_text: gr.Markdown
    status: gr.Markdown
    script_box: gr.Accordion
    save_btn: gr.DownloadButton
    load_file: gr.File
    script: gr.Code

    @property
    def structure_outputs(self) -> list[Block]:
        """What a change of the step list updates (``structure`` redraws the steps)."""
        return [self.status, self.script, self.preset, self.add_at]

    @property
    def edit_outputs(self) -> list[Block]:
        """What an edit of one step updates."""
        return [self.status, self.script, self.live_text, self.preset]

    def structure_values(self, ui: UISession) -> dict[Block, Any]:
        """The values of :attr:`structure_outputs` for the session's recipe."""
        return {self.status: pipeline_status(ui), self.script: script_text(ui), self.preset: current_preset(ui),
                self.add_at: gr.update(choices=position_choices(ui), value=AT_END)}


@dataclass
class StepRow:
    """One step's header row."""

    enabled: gr.Checkbox
    up: gr.Button
    down: gr.Button
    move_to: gr.Dropdown
    remove: gr.Button


def build_pipeline_tab(binder: SessionBinder, state: gr.State, structure: gr.State,
                       action_names: list[str]) -> PipelineTab:
    """Widgets of the Pipeline tab. ``structure`` is a counter bumped whenever the step list changes shape."""
    gr.Markdown("Turn steps on or off, set their parameters (waifuc's defaults), reorder them, or start from a "
                "preset. The run tab shows what each step keeps and drops.")
    with gr.Row(equal_height=True):
        preset = gr.Dropdown([*preset_names(), CUSTOM], value=DEFAULT_PRESET, label="Preset", scale=2,
                             elem_id="preset")
        preset_btn = gr.Button("Use preset", scale=0, min_width=120, elem_id="use-preset")
        add_choice = gr.Dropdown(action_names, label="Add a step", scale=2, elem_id="add-step-choice")
        add_at = gr.Dropdown([("at the end", AT_END)], value=AT_END, label="Where", scale=1, elem_id="add-step-at")
        add_btn = gr.Button("Add step", scale=0, min_width=120, elem_id="add-step")
    preset_about = gr.Markdown(preset_purpose(DEFAULT_PRESET), elem_id="preset-about")
    with gr.Row(equal_height=True):
        live = gr.Checkbox(value=True, label="Update the last run after each parameter change", scale=1,
                           interactive=True,  # read by listeners drawn in gr.render only: say it is editable
                           info="fast: model outputs are cached, only the decisions are redone", elem_id="live-update")
        live_text = gr.Markdown(elem_id="live-result")
    status = gr.Markdown(elem_id="model-status")

    @gr.render(inputs=[state, structure], triggers=[structure.change])
    def draw_steps(ui: UISession | None, _version: int) -> None:
        _draw_steps(binder, state, structure, tab, ui)  # tab: assigned below, before any page is served

    with gr.Accordion("Recipe JSON and Python script", open=False) as script_box:
        with gr.Row():
            save_btn = gr.DownloadButton("Save recipe (.json)", elem_id="save-recipe")
            load_file = gr.File(label="Load a recipe (.json)", file_types=[".json"], file_count="single",
                                elem_id="load-recipe")
        # no line numbers: drawn inside a closed accordion, their gutter came out misaligned with the code
        script = gr.Code(language="python", label="The same run as a Python script (waifuc_ui)",
                         interactive=False, show_line_numbers=False, elem_id="recipe-script")
    tab = PipelineTab(preset=preset, preset_about=preset_about, preset_btn=preset_btn, add_choice=add_choice,
                      add_at=add_at, add_btn=add_btn, live=live,
                      live_text=live_text, status=status, script_box=script_box, save_btn=save_btn,
                      load_file=load_file, script=script)
    _wire_pipeline_tab(binder, state, structure, tab)
    return tab


def _draw_steps(binder: SessionBinder, state: gr.State, structure: gr.State, tab: PipelineTab,
                ui: UISession | None) -> None:
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
        row.enabled.input(_enable_handler(binder, tab, step.uid), [state, row.enabled, tab.live], tab.edit_outputs,
                          concurrency_limit=None, show_progress="hidden")
        row.move_to.input(_move_to_handler(binder, structure, tab, step.uid), [state, row.move_to, structure],
                          [structure, *tab.structure_outputs], concurrency_limit=None)
        moves = ((row.up, _move_handler(binder, structure, tab, step.uid, -1)),
                 (row.down, _move_handler(binder, structure, tab, step.uid, +1)),
                 (row.remove, _remove_handler(binder, structure, tab, step.uid)))
        for button, handler in moves:
            button.click(handler, [state, structure], [structure, *tab.structure_outputs], concurrency_limit=None)


def disabled_step_status(ui: UISession, step: Any) -> ModelStatus | None:
    """A switched-off step's models, looked up on this machine only (the session reports enabled steps)."""
    if step.enabled or not ui.session.catalog[step.action].model_backed:
        return None
    try:
        return model_status(build_action(step, ui.session.catalog))
    except WaifucUIError:
        return ModelStatus(True, False, "the step's parameters are not valid")


def step_badge(spec: Any, status: ModelStatus | None, enabled: bool = True) -> str:
    """The note after a step's name: model ready, downloads on the first run, or missing."""
    if not spec.model_backed:
        return ""
    if status is None:
        return ""  # not checked: say nothing rather than something untrue
    if status.available:
        return " · model ready"
    if not enabled:
        return " · model not on this machine (step off)"
    return f" · downloads on the first run ({mb(status.download_bytes)})" if status.download else \
        " · MODEL MISSING (will be skipped)"


def _draw_step(binder: SessionBinder, state: gr.State, tab: PipelineTab, ui: UISession, n: int, total: int,
               step: Any, status: ModelStatus | None) -> StepRow:
    """One step: its header row, its model note and its parameters (each wired as it is drawn)."""
    spec = ui.session.catalog[step.action]
    with gr.Group(elem_classes=["pipeline-step"]):
        with gr.Row(equal_height=True):
            badge = step_badge(spec, status, step.enabled)
            row = StepRow(
                enabled=gr.Checkbox(value=step.enabled, label=f"{n}. {step.action}{badge}",
                                    info=spec.help, interactive=True, scale=5, elem_id=f"step-{n}-enabled",
                                    key=f"en-{step.uid}"),
                up=gr.Button("↑", size="sm", scale=0, min_width=44, key=f"up-{step.uid}", elem_id=f"step-{n}-up"),
                down=gr.Button("↓", size="sm", scale=0, min_width=44, key=f"down-{step.uid}",
                               elem_id=f"step-{n}-down"),
                move_to=gr.Dropdown([(f"move to {k}", k) for k in range(1, total + 1)], value=n, show_label=False,
                                    container=False, scale=0, min_width=120, key=f"to-{step.uid}", interactive=True,
                                    elem_id=f"step-{n}-move-to"),
                remove=gr.Button("✕", size="sm", scale=0, min_width=44, variant="stop", key=f"rm-{step.uid}",
                                 elem_id=f"step-{n}-remove"))
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
                                 show_progress="hidden")
    return row


def _wire_pipeline_tab(binder: SessionBinder, state: gr.State, structure: gr.State, tab: PipelineTab) -> None:
    def after_structure(ui, version):
        touch(binder, ui)
        return {structure: version + 1, **tab.structure_values(ui)}

    @guarded
    def on_preset(ui, name, version):
        apply_preset(ui, name)
        return after_structure(ui, version)

    @guarded
    def on_add(ui, action, position, version):
        add_step(ui, action, position)
        return after_structure(ui, version)

    @guarded
    def on_load_recipe(ui, file, version):
        load_recipe(ui, consumable_upload(file, binder.guard.root))  # only a file uploaded to this page
        return after_structure(ui, version)

    outputs = [structure, *tab.structure_outputs]
    tab.preset_btn.click(on_preset, [state, tab.preset, structure], outputs, concurrency_limit=None)
    tab.add_btn.click(on_add, [state, tab.add_choice, tab.add_at, structure], outputs, concurrency_limit=None)
    # "custom" is what the steps are, not something to load: Use preset only for a real preset
    tab.preset.change(lambda name: (preset_purpose(name), gr.Button(interactive=name != CUSTOM)), [tab.preset],
                      [tab.preset_about, tab.preset_btn], queue=False, show_progress="hidden")
    # the download button always holds the current recipe: rewritten whenever the script (the recipe) changes
    tab.script.change(guarded(save_recipe), [state], [tab.save_btn], concurrency_limit=None, show_progress="hidden")
    # review and tag choices are made on other tabs: the script is written again when the box opens
    tab.script_box.expand(guarded(script_text), [state], [tab.script], concurrency_limit=None,
                          show_progress="hidden")
    tab.load_file.upload(on_load_recipe, [state, tab.load_file, structure], outputs, concurrency_limit=None)


def update_last_run(ui: UISession, live: bool) -> str:
    """Re-run after a change when ``live`` and a run exists (memoised: decisions only for threshold changes);
    returns a line for the Pipeline tab ('' when nothing ran)."""
    if ui.session.runs.last is None:
        return ""
    if not live:
        return "The last run does not show this change yet: press **Run pipeline** (Run tab) when you are done."
    try:
        result = run_pipeline(ui, fetch_models=False)  # an edit never downloads; Run does
    except InvalidOptionError:
        return "A run is going on; press Run again when it ends to see this change."
    steps = ", ".join(f"{n}: {s.kept_count}" for n, s in enumerate(result.steps, start=1))
    return (f"Run updated ({result.status}): {len(result.input_ids)} in → {len(ui.session.dataset.ids())} in the "
            f"dataset · kept per step {steps}")


def _param_handler(binder: SessionBinder, tab: PipelineTab, uid: str, name: str):
    @guarded
    def handler(ui: UISession, value: Any, live: bool):
        touch(binder, ui)
        set_param(ui, uid, name, value)
        return {tab.status: pipeline_status(ui), tab.script: script_text(ui), tab.live_text: update_last_run(ui, live),
                tab.preset: current_preset(ui)}
    return handler


def _enable_handler(binder: SessionBinder, tab: PipelineTab, uid: str):
    @guarded
    def handler(ui: UISession, enabled: bool, live: bool):
        touch(binder, ui)
        ui.session.pipeline.update_step(uid, enabled=bool(enabled))
        return {tab.status: pipeline_status(ui), tab.script: script_text(ui), tab.live_text: update_last_run(ui, live),
                tab.preset: current_preset(ui)}
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
