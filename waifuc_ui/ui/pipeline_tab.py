"""Pipeline tab: presets, steps (on/off, parameters, order), model availability, recipe JSON and the Python script.

The step list is drawn with ``gr.render`` (:mod:`.pipeline_step_list`) and redrawn only when the structure changes
(preset, add, remove, move, load); parameter edits update the recipe in place without redrawing. What the controls
do lives in :mod:`.pipeline_edits`, the model notes in :mod:`.pipeline_model_notes`, the recipe files in
:mod:`.recipe_files`.
"""

from __future__ import annotations

import gradio as gr

from ..pipeline.presets import CUSTOM, preset_names, preset_purpose
from .common import guarded, guarded_file
from .pipeline_components import PipelineTab
from .pipeline_edits import AT_END, DEFAULT_PRESET, add_step, apply_preset
from .pipeline_step_list import draw_step_list
from .recipe_files import load_recipe, save_recipe, script_text
from .state import SessionBinder, UISession, touch
from .uploads import consumable_upload

#: What other modules (and the other tabs' tests) take from here: the tab and the two actions every test needs.
__all__ = ["DEFAULT_PRESET", "PipelineTab", "add_step", "apply_preset", "build_pipeline_tab"]


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
        draw_step_list(binder, state, structure, tab, ui)  # tab: assigned below, before any page is served

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

    @guarded_file
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
