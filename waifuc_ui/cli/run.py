"""``waifuc-ui run``: a recipe (a preset, a recipe JSON or a project file with its review choices) over folders,
zips or globs, into a zip or folder, on this machine or on a Ray cluster; a JSON report of what happened."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import Callable

from ..batch.inputs import InputSet, resolve_inputs
from ..batch.output import check_output
from ..batch.plan import BatchPlan, ExportSpec, layout_of, plan_steps
from ..batch.result import BatchResult
from ..core.errors import InvalidOptionError, ModelUnavailableError, WaifucUIError
from ..pipeline.catalog import action_catalog
from ..pipeline.recipe import PipelineRecipe
from ..pipeline.script import DatasetChoices
from .models import fetch_files, recipe_files
from .recipes import load_recipe


def run_command(args: argparse.Namespace) -> int:
    given = [name for name, value in (("--preset", args.preset), ("--recipe", args.recipe),
                                      ("--project", args.project)) if value is not None]
    if len(given) != 1:
        raise InvalidOptionError("recipe", " and ".join(given) or "none",
                                 fix="give exactly one of --preset, --recipe or --project (a project carries its "
                                     "recipe)")
    if args.batch_size < 1 or (args.concurrency is not None and args.concurrency < 1):
        raise InvalidOptionError("--batch-size/--concurrency", (args.batch_size, args.concurrency),
                                 fix="give whole numbers of 1 or more")
    output = check_output(args.output)
    layout = layout_of(args.layout)
    own_work_dir = args.work_dir is None
    work_dir = os.path.abspath(args.work_dir or os.path.join(os.path.dirname(output),
                                                              f".{os.path.basename(output)}.work"))
    try:
        result = _run(args, output, layout, work_dir)
    finally:
        if own_work_dir:
            shutil.rmtree(work_dir, ignore_errors=True)
    report_path = args.report or output.rstrip("/\\") + ".report.json"
    result.write_json(report_path)
    print(result.summary(), file=sys.stderr)
    print(f"report: {report_path}", file=sys.stderr)
    if result.export_failed:
        print(f"{len(result.export_failed)} image(s) could not be written, e.g. {result.export_failed[0].path}: "
              f"{result.export_failed[0].reason}", file=sys.stderr)
        return 1
    return 0


def _run(args: argparse.Namespace, output: str, layout: str, work_dir: str) -> BatchResult:
    inputs = resolve_inputs(args.input, os.path.join(work_dir, "inputs"))
    if not inputs.files:
        raise InvalidOptionError("--input", " ".join(args.input), fix="no image file was found there")
    cache_dir = os.path.abspath(args.cache_dir) if args.cache_dir else None
    trigger: str | None = args.trigger_word
    choices: DatasetChoices | None = None
    if args.project is not None:
        recipe, choices, trigger = project_choices(args.project, inputs, layout, trigger, work_dir, cache_dir)
    else:
        recipe = load_recipe(args.preset, args.recipe)
    if not args.no_download:
        errors = fetch_files(recipe_files(recipe), progress=not args.quiet)
        if errors:
            raise ModelUnavailableError(missing_models_message(errors, args))
    kohya = args.layout == "kohya" or bool(args.kohya_name)
    plan = BatchPlan(plan_steps(recipe, action_catalog(), choices),
                     ExportSpec(layout, trigger or "", _kohya_folder(args, trigger) if kohya else ""))
    if args.engine == "local":
        from ..batch.local import run_local

        return run_local(plan, inputs, output, cache_dir=cache_dir, progress=not args.quiet)
    from ..batch.ray_engine import RayOptions, run_ray

    if args.quiet:
        logging.getLogger("ray").setLevel(logging.WARNING)  # Ray Data's per-dataset INFO lines
    options = RayOptions(address=args.ray_address, batch_size=args.batch_size, concurrency=args.concurrency,
                         gpus_per_actor=args.gpus_per_actor)
    return run_ray(plan, inputs, output, work_dir=os.path.join(work_dir, "ray"), cache_dir=cache_dir,
                   options=options, progress=not args.quiet)


def missing_models_message(errors: list[str], args: argparse.Namespace) -> str:
    """One model error in full (with its fix), then only the names of the other missing files and one command
    that fetches them all: the full text of each repeated the same fix for every file."""
    which = (f'--project "{args.project}"' if args.project is not None
             else f'--recipe "{args.recipe}"' if args.recipe is not None else f'--preset "{args.preset}"')
    others = [e.split(": ", 1)[0] for e in errors[1:]]
    return (f"{len(errors)} model file(s) missing. {errors[0]}"
            + (f" Also missing: {', '.join(others)}." if others else "")
            + f" Fetch them all with `waifuc-ui models download {which}` where the Hub can be reached (add --print "
            "for the `hf download` commands to run on a machine with internet).")


def _kohya_folder(args: argparse.Namespace, trigger: str | None) -> Callable[[int], str]:
    from ..session.exporting import kohya_folder_name

    name = (args.kohya_name or trigger or "").strip()
    if not name:
        raise InvalidOptionError("--kohya-name", "", fix="the kohya layout needs a concept name: give --kohya-name "
                                 "or --trigger-word")
    if args.repeats is not None:
        if args.repeats < 1:
            raise InvalidOptionError("--repeats", args.repeats, fix="give 1 or more")
        clean = kohya_folder_name(name, 1).split("_", 1)[1]
        return lambda _n: f"{args.repeats}_{clean}"
    return lambda n: kohya_folder_name(name, n)


def project_choices(path: str, inputs: InputSet, layout: str, trigger: str | None, work_dir: str,
                    cache_dir: str | None) -> tuple[PipelineRecipe, DatasetChoices, str]:
    """The project's recipe, its choices as keys a stream finds (the generated script's data) and trigger word.

    A project names images by the app's item ids; the keys (``'<file name>@<pixel hash>'``) of the items each
    decision is about are known once the recipe has run over these inputs, so this runs the app's session here
    once (models and analyses go to the cache, so the batch run after it reuses them)."""
    from ..session import SessionRegistry
    from ..session.scripting import dataset_choices

    registry = SessionRegistry(os.path.join(work_dir, "session"), ttl_seconds=7 * 24 * 3600, cache_dir=cache_dir)
    try:
        session = registry.create()
        session.inputs.add_source(inputs.source())
        match = session.load_project(path)
        if match.missing:
            print(f"project: {match.summary()}", file=sys.stderr)
        if trigger is not None:
            session.tags.set_trigger_word(trigger)
        run = session.runs.start()
        if run.status != "done":
            raise WaifucUIError(f"the project's recipe did not run: {run.message}")
        return session.pipeline.recipe, dataset_choices(session, layout), session.tags.edits.trigger_word
    finally:
        registry.close_all()
