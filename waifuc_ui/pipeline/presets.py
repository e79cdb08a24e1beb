"""Ready-made recipes, each with one line saying what it is for, and :func:`matching_preset` (which preset a
recipe still equals; the UI shows "custom" otherwise).

"character LoRA" follows deepghs/cyberharem's crawl recipe (``cyberharem/dataset/crawler.py``,
``get_main_source``) where it fits a person reviewing the result: colour mode, no monochrome, illustration and
anime-screenshot classes only, dedup, one face, one crop per person, one face per crop, a size floor, CCIP (main
character), LPIPS dedup of the crops, tagging without character tags (the trigger word stands for the character),
tag overlap and blacklist drops, and file renaming. Differences: a cheap size floor on the whole images before any
model (uploads hold thumbnails; the reference crawls full-size posts), a floor of 256 px on the crops instead of
180 (kohya's 512-px buckets start at 256: smaller crops are upscaled more than 2x), waifuc's default detector
levels (the reference takes the faster 'n'), stable ordered names instead of random ones (a re-run gives the same
files), and no AlignMaxArea/Safety/Restore steps (not offered by the app).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core.errors import InvalidOptionError
from .catalog import ActionSpec
from .recipe import PipelineRecipe, PipelineStep, normalize_params

PresetSteps = list[tuple[str, dict[str, Any]]]

#: What the Preset dropdown shows once the steps differ from every preset.
CUSTOM = "custom"

PRESETS: dict[str, PresetSteps] = {
    "character LoRA": [
        ("ModeConvertAction", {"mode": "RGB"}),
        ("MinSizeFilterAction", {"min_size": 320}),  # whole images: thumbnails never give a usable crop
        ("NoMonochromeAction", {}),
        ("ClassFilterAction", {"classes": ["illustration", "bangumi"]}),
        ("FaceCountAction", {"counts": [1]}),
        ("PersonSplitAction", {}),
        ("FaceCountAction", {"counts": [1]}),
        ("MinSizeFilterAction", {"min_size": 256}),  # crops
        ("CCIPAction", {"min_val_count": 15}),
        ("FilterSimilarAction", {"mode": "all"}),
        ("HashDedupAction", {}),  # exact copies LPIPS may miss after shrinking; dedup after CCIP keeps its sample
        ("TaggingAction", {"character_threshold": 1.01}),
        ("TagOverlapDropAction", {}),
        ("BlacklistedTagDropAction", {}),
        ("AlignMinSizeAction", {"min_size": 800}),
        ("FileOrderAction", {"ext": ".png"}),
    ],
    "model-free clean-up": [
        ("ModeConvertAction", {"mode": "RGB"}),
        ("MinSizeFilterAction", {"min_size": 256}),
        ("HashDedupAction", {}),
        ("AlignMinSizeAction", {"min_size": 800}),
    ],
}

#: One line per preset: what it is for.
PRESET_PURPOSE: dict[str, str] = {
    "character LoRA": "one character from crawled or mixed images: crops each person, keeps the main character "
                      "(CCIP), tags without character names (downloads models on the first run)",
    "model-free clean-up": "any dataset, no model needed: RGB, drops images under 256 px and duplicates, shrinks "
                           "to 800 px",
}


def preset_names() -> list[str]:
    return list(PRESETS)


def preset_purpose(name: str) -> str:
    """``**name**: what it is for`` (Markdown), or a hint for ``custom``/unknown names."""
    if name in PRESET_PURPOSE:
        return f"**{name}**: {PRESET_PURPOSE[name]}"
    return "**custom**: your own steps (pick a preset and press *Use preset* to start over from it)"


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


def _shape(recipe: PipelineRecipe) -> list[tuple[str, bool, Any]]:
    return [(s.action, s.enabled, sorted(s.params.items(), key=lambda kv: kv[0])) for s in recipe.steps]


def matching_preset(recipe: PipelineRecipe, catalog: Mapping[str, ActionSpec]) -> str:
    """The preset ``recipe`` equals (same actions in the same order, all enabled, same parameters), else
    :data:`CUSTOM`."""
    shape = _shape(recipe)
    for name in PRESETS:
        try:
            if _shape(preset_recipe(name, catalog)) == shape:
                return name
        except InvalidOptionError:
            continue
    return CUSTOM
