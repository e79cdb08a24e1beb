"""Ready-made recipes: "character LoRA" (the waifuc README chain plus review-friendly dedup and tagging) and a
"model-free clean-up" that runs without any Hub model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.errors import InvalidOptionError
from .catalog import ActionSpec
from .recipe import PipelineRecipe, PipelineStep, normalize_params

PresetSteps = list[tuple[str, dict[str, Any]]]

PRESETS: dict[str, PresetSteps] = {
    "character LoRA": [
        ("ModeConvertAction", {"mode": "RGB"}),
        ("NoMonochromeAction", {}),
        ("ClassFilterAction", {"classes": ["illustration", "bangumi"]}),
        ("FaceCountAction", {"counts": [1]}),
        ("PersonSplitAction", {}),
        ("FaceCountAction", {"counts": [1]}),
        ("CCIPAction", {}),
        ("FilterSimilarAction", {}),
        ("HashDedupAction", {}),
        ("TaggingAction", {}),
        ("AlignMinSizeAction", {"min_size": 800}),
    ],
    "model-free clean-up": [
        ("ModeConvertAction", {"mode": "RGB"}),
        ("MinSizeFilterAction", {"min_size": 256}),
        ("HashDedupAction", {}),
        ("AlignMinSizeAction", {"min_size": 800}),
    ],
}


def preset_names() -> list[str]:
    return list(PRESETS)


def preset_recipe(name: str, catalog: Mapping[str, ActionSpec]) -> PipelineRecipe:
    """A fresh recipe (new step uids) for preset ``name``. Raises InvalidOptionError for an unknown name or
    when an action of the preset is not available in ``catalog``."""
    if name not in PRESETS:
        raise InvalidOptionError("preset", name, list(PRESETS), "choose one of the presets")
    missing = [a for a, _ in PRESETS[name] if a not in catalog]
    if missing:
        raise InvalidOptionError(f"action of preset {name!r}", missing[0], list(catalog),
                                 "this version of waifuc_ui lacks the action; use another preset")
    return PipelineRecipe([PipelineStep(a, normalize_params(catalog[a], p)) for a, p in PRESETS[name]])
