"""``waifuc-ui models download``: the model files a recipe needs, fetched with progress before any run (or the
``hf download`` commands that fetch them on a machine with internet, for an air-gapped one)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..core.errors import ModelUnavailableError
from ..inference.download import Downloader, DownloadProgress
from ..inference.hub import HubFile, download_commands, is_local
from ..inference.registry import companion_files
from ..pipeline.catalog import action_catalog
from ..pipeline.recipe import PipelineRecipe, build_action
from .recipes import load_recipe


def recipe_files(recipe: PipelineRecipe) -> list[HubFile]:
    """The Hub files the enabled steps of ``recipe`` need, each once, in step order."""
    catalog = action_catalog()
    found: list[HubFile] = []
    for step in recipe.enabled_steps():
        required = getattr(build_action(step, catalog), "required_files", None)
        if required is not None:
            found += [f for f in required() if f not in found]
    return found


def fetch_files(files: list[HubFile], progress: bool = True) -> list[str]:
    """Download the files not on this machine (and their optional companions); the errors, one line each."""
    bar: Any = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(desc="model files", unit="B", unit_scale=True, dynamic_ncols=True)

    def report(p: DownloadProgress) -> None:
        if bar is not None:
            bar.set_postfix_str(f"{p.index}/{p.count} {p.file}", refresh=False)
            if p.batch_total:
                bar.total = p.batch_total
            bar.n = p.batch_done
            bar.refresh()

    try:
        outcome = Downloader().fetch_all(files, progress=report, optional=companion_files(files))
    finally:
        if bar is not None:
            bar.close()
    return [f"{f.repo_id}/{f.filename}: {err}" for f, err in outcome.items() if err is not None and f in files]


def download_command(args: argparse.Namespace) -> int:
    if args.project is not None:
        from ..session.project import read_project

        recipe = read_project(args.project).recipe
    else:
        recipe = load_recipe(args.preset, args.recipe)
    files = recipe_files(recipe)
    if args.print_only:
        for line in download_commands(files):
            print(line)
        if files:
            print("# then copy the Hugging Face cache (HF_HUB_CACHE) to the machine that runs the recipe")
        return 0
    missing = [f for f in files if not is_local(f)]
    print(f"{len(files)} model file(s) needed, {len(missing)} to download", file=sys.stderr)
    errors = fetch_files(files, progress=True)
    if errors:
        raise ModelUnavailableError("; ".join(errors))
    return 0
