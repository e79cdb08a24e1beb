"""The Pipeline tab's fixed components, and what a change of the step list or of one step updates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.blocks import Block

from .pipeline_edits import AT_END, current_preset, position_choices
from .pipeline_model_notes import pipeline_status
from .recipe_files import script_text
from .state import UISession


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
