"""Pipeline recipes for the app: the action catalog with UI parameter specs, recipes to/from JSON, presets,
and the equivalent Python script. No gradio, no session state."""

from .catalog import ActionSpec, ModelStatus, action_catalog, get_action_spec, model_status
from .params import PARAM_KINDS, ParamSpec
from .presets import PRESETS, preset_names, preset_recipe
from .recipe import PipelineRecipe, PipelineStep, build_action, normalize_params
from .script import recipe_to_script

__all__ = [
    "ActionSpec", "ModelStatus", "PARAM_KINDS", "PRESETS", "ParamSpec", "PipelineRecipe", "PipelineStep",
    "action_catalog", "build_action", "get_action_spec", "model_status", "normalize_params", "preset_names",
    "preset_recipe", "recipe_to_script",
]
