"""A recipe named on the command line: a preset of the app or a recipe JSON file."""

from __future__ import annotations

import os

from ..core.errors import InvalidOptionError
from ..pipeline.catalog import action_catalog
from ..pipeline.presets import preset_recipe
from ..pipeline.recipe import PipelineRecipe


def load_recipe(preset: str | None, recipe_path: str | None) -> PipelineRecipe:
    """The preset's recipe, or the recipe in ``recipe_path``; InvalidOptionError naming the fix otherwise."""
    catalog = action_catalog()
    if preset is not None:
        return preset_recipe(preset, catalog)
    path = os.path.expanduser(str(recipe_path))
    if not os.path.isfile(path):
        raise InvalidOptionError("--recipe", recipe_path, fix="the file does not exist; give a recipe JSON saved "
                                 "from the app's Pipeline tab, or --preset")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    if '"waifuc_ui.project"' in text[:200]:
        raise InvalidOptionError("--recipe", recipe_path, fix="this is a project file: give it with --project")
    return PipelineRecipe.from_json(text, catalog)
