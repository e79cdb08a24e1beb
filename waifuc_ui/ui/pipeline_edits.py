"""What the Pipeline tab's controls do to the session's recipe: presets, add a step at a place, move it, set a
parameter, and re-run the last run after an edit (the "live update")."""

from __future__ import annotations

from typing import Any

from ..core.errors import InvalidOptionError
from ..pipeline.presets import CUSTOM, matching_preset, preset_names
from .param_widgets import ui_to_param
from .run_tab import run_pipeline
from .state import UISession

DEFAULT_PRESET = "model-free clean-up"

#: The "Add step" position that appends.
AT_END = -1


def apply_preset(ui: UISession, name: str) -> None:
    if name == CUSTOM:
        raise InvalidOptionError("preset", name, preset_names(), "pick one of the presets to start over from it")
    ui.session.pipeline.load_preset(name)


def current_preset(ui: UISession) -> str:
    """The preset the recipe still equals, else "custom"."""
    return matching_preset(ui.session.pipeline.recipe, ui.session.catalog)


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
