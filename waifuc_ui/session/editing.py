"""The session's pipeline: the recipe (validated against the action catalog) and the decisions made by hand at its
steps (restores, hand drops, review selections; see decisions.py). Both persist across runs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..pipeline.catalog import ActionSpec, get_action_spec
from ..pipeline.presets import preset_recipe
from ..pipeline.recipe import PipelineRecipe, PipelineStep, normalize_params
from .decisions import Decisions


class PipelineEditor:
    """``recipe`` and ``decisions`` (both replaced whole by a preset, a recipe text or a loaded session: hold the
    editor, not them)."""

    def __init__(self, catalog: Mapping[str, ActionSpec]):
        self.catalog = catalog
        self.recipe = PipelineRecipe()
        self.decisions = Decisions()

    def set_recipe(self, recipe: PipelineRecipe | str | dict) -> PipelineRecipe:
        """Replace the recipe (an object, JSON text or dict); validated against the catalog."""
        if isinstance(recipe, str):
            recipe = PipelineRecipe.from_json(recipe, self.catalog)
        elif isinstance(recipe, dict):
            recipe = PipelineRecipe.from_dict(recipe, self.catalog)
        else:
            recipe = recipe.validated(self.catalog)
        self.recipe = recipe
        return recipe

    def load_preset(self, name: str) -> PipelineRecipe:
        self.recipe = preset_recipe(name, self.catalog)
        return self.recipe

    def recipe_json(self) -> str:
        return self.recipe.to_json()

    def add_step(self, action: str, params: dict[str, Any] | None = None, position: int | None = None) -> str:
        return self.recipe.add_step(action, self.catalog, params, position).uid

    def update_step(self, uid: str, params: dict[str, Any] | None = None, enabled: bool | None = None) -> None:
        """Change some parameters (validated, others kept) and/or the enabled flag of a step."""
        step = self.recipe.step_by_uid(uid)
        if params:
            spec = get_action_spec(step.action, self.catalog)
            step.params = normalize_params(spec, {**step.params, **params})
        if enabled is not None:
            step.enabled = bool(enabled)

    def move_step(self, uid: str, new_index: int) -> None:
        self.recipe.move_step(uid, new_index)

    def remove_step(self, uid: str) -> None:
        self.recipe.remove_step(uid)
        self.decisions.clear(uid)

    def first_step(self, actions: Sequence[str]) -> PipelineStep | None:
        """The first enabled step running one of ``actions``."""
        for s in self.recipe.enabled_steps():
            if s.action in actions:
                return s
        return None

    # -- decisions by hand ----------------------------------------------------------------------------------------
    def restore(self, uid: str, item_id: str) -> None:
        """Force-keep ``item_id`` at step ``uid`` (persists across runs; run again to propagate)."""
        self.recipe.step_by_uid(uid)
        self.decisions.force_keep(uid, item_id)

    def drop_by_hand(self, uid: str, item_id: str) -> None:
        """Drop ``item_id`` at step ``uid`` by hand (persists across runs; run again to propagate)."""
        self.recipe.step_by_uid(uid)
        self.decisions.force_drop(uid, item_id)

    def undo_decision(self, uid: str, item_id: str) -> None:
        self.decisions.clear(uid, item_id)
