"""What a batch run does: the recipe's steps as configured actions (with the hand decisions a project carries,
wrapped exactly as the generated script wraps them) and the exporter call of the app's Export tab.

Both engines run the same :class:`BatchPlan`, so ``--engine local`` and ``--engine ray`` give the same files, and
both equal the generated script (:func:`waifuc_ui.pipeline.recipe_to_script`) for the same recipe and choices.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..action.base import BaseAction, is_per_item
from ..action.reviewed import SELECT_REASON, Reviewed, SetTagsAction
from ..core.errors import InvalidOptionError
from ..pipeline.catalog import ActionSpec, action_catalog
from ..pipeline.recipe import PipelineRecipe, build_action
from ..pipeline.script import DatasetChoices, StepChoices

#: Actions whose items may leave in another order than they came: the app shows (and exports) them in input order,
#: and its script wraps them in ``Reviewed`` for that; a plan without choices does the same.
REORDERING = frozenset({"CCIPAction"})
#: ``--layout`` names of the command line -> the exporter layout (kohya: captions in a ``<repeats>_<name>`` folder).
LAYOUTS = {"txt": "textual_inversion", "json": "save", "kohya": "textual_inversion"}
DEFAULT_QUALITY = 95


@dataclass
class PlannedStep:
    """One step of the run: ``label`` ('2. MinSizeFilterAction'), the action template, whether it is per item
    (may run on any part of the stream) or needs the whole stream in order (a barrier on Ray)."""

    label: str
    action: BaseAction

    @property
    def per_item(self) -> bool:
        return is_per_item(self.action)


@dataclass
class ExportSpec:
    """The exporter call of the app's export (see :mod:`waifuc_ui.session.exporting`): ``layout`` is the exporter's
    ('textual_inversion' or 'save'), ``trigger_word`` goes first in captions, ``folder`` is the kohya folder (or a
    callable giving it from the number of images, known once the run is over)."""

    layout: str = "textual_inversion"
    trigger_word: str = ""
    folder: str | Callable[[int], str] = ""
    quality: int = DEFAULT_QUALITY

    def options(self, folder: str) -> dict[str, Any]:
        """The exporter's keyword arguments besides the path (the app's ``exporter_options``)."""
        out: dict[str, Any] = {"layout": self.layout, "folder": folder, "ignore_error_when_export": True,
                               "flatten": True, "trainer_formats": True, "quality": self.quality}
        if self.layout == "textual_inversion":
            out["score_descend"] = False
            out["trigger_word"] = self.trigger_word or None
        return out

    def folder_for(self, n_images: int) -> str:
        return self.folder(n_images) if callable(self.folder) else self.folder

    def make(self, output: str, folder: str) -> Any:
        """The exporter writing ``output`` (a ``.zip`` path or a folder) with the kohya ``folder``."""
        from ..export import ZipExporter
        from ..export.save import SaveExporter
        from ..export.textual_inversion import TextualInversionExporter

        kwargs = self.options(folder)
        if output.lower().endswith(".zip"):
            return ZipExporter(output, **kwargs)
        del kwargs["layout"], kwargs["folder"]
        target = os.path.join(output, folder) if folder else output
        cls = TextualInversionExporter if self.layout == "textual_inversion" else SaveExporter
        return cls(target, **kwargs)


@dataclass
class BatchPlan:
    steps: list[PlannedStep] = field(default_factory=list)
    export: ExportSpec = field(default_factory=ExportSpec)

    def actions(self) -> list[BaseAction]:
        return [s.action for s in self.steps]


def _reviewed(action: BaseAction | None, choices: StepChoices) -> Reviewed:
    return Reviewed(action, select=choices.select, reject=choices.reject, keep=choices.keep, drop=choices.drop,
                    reason=choices.reason or SELECT_REASON)


def plan_steps(recipe: PipelineRecipe, catalog: Mapping[str, ActionSpec] | None = None,
               choices: DatasetChoices | None = None) -> list[PlannedStep]:
    """The enabled steps of ``recipe`` as actions, as :func:`~waifuc_ui.pipeline.recipe_to_script` writes them:
    a step with decisions (or one that reorders items) wrapped in ``Reviewed``, then the final drops and the tag
    edits. Without ``choices`` the reordering steps are still wrapped (the app's order)."""
    catalog = catalog if catalog is not None else action_catalog()
    steps: list[PlannedStep] = []
    for n, step in enumerate(recipe.enabled_steps(), start=1):
        label = f"{n}. {step.action}"
        action = build_action(step, catalog)
        action.step_name = label
        step_choices = choices.steps.get(step.uid) if choices is not None else None
        if step_choices is None and choices is None and step.action in REORDERING:
            step_choices = StepChoices(wrap=True)
        if step_choices is not None and (step_choices.wrap or not step_choices.empty):
            action = _reviewed(action, step_choices)
            action.step_name = label
        steps.append(PlannedStep(label, action))
    if choices is not None:
        n = len(steps) + 1
        if choices.final_drop:
            steps.append(PlannedStep(f"{n}. dropped in the review", _reviewed(None, StepChoices(
                drop=list(choices.final_drop)))))
            n += 1
        if choices.tags or choices.trigger_word:
            steps.append(PlannedStep(f"{n}. tags edited in the app",
                                     SetTagsAction(choices.tags or None, trigger_word=choices.trigger_word or None)))
    return steps


def layout_of(name: str) -> str:
    """The exporter layout of a ``--layout`` name (``txt``, ``json``, ``kohya``)."""
    if name not in LAYOUTS:
        raise InvalidOptionError("layout", name, list(LAYOUTS), "use txt (image + .txt caption), json (image + "
                                 "JSON sidecar) or kohya (captions in a <repeats>_<name> folder)")
    return LAYOUTS[name]
