"""The recipe as files: save it as JSON (the download button), load an uploaded JSON, and the Python script."""

from __future__ import annotations

from typing import Any

from ..core.errors import InvalidOptionError
from .state import UISession


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
