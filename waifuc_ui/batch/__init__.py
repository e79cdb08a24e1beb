"""Batch runs of a recipe without the app: one plan (the recipe's steps, the hand choices a project carries, the
app's exporter call) run by the local engine (one stream in this process, the generated script's) or by the Ray
engine (``ray_engine``, imported on use: Ray is an optional extra), giving the same files.

    from waifuc_ui.batch import BatchPlan, ExportSpec, plan_steps, resolve_inputs, run_local
    plan = BatchPlan(plan_steps(preset_recipe("model-free clean-up", action_catalog())), ExportSpec())
    result = run_local(plan, resolve_inputs(["raw/"], "work"), "dataset.zip")
"""

from .inputs import InputFile, InputSet, resolve_inputs
from .local import run_local
from .plan import BatchPlan, ExportSpec, PlannedStep, plan_steps
from .result import BatchResult

__all__ = ["BatchPlan", "BatchResult", "ExportSpec", "InputFile", "InputSet", "PlannedStep", "plan_steps",
           "resolve_inputs", "run_local"]
