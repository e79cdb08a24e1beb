"""The command line: ``waifuc-ui`` (installed) or ``python -m waifuc_ui``.

    waifuc-ui run --preset "model-free clean-up" --input raw/ --output dataset.zip
    waifuc-ui run --recipe recipe.json --project surtr.waifuc_ui.json --input raw/ --output out/ --engine ray
    waifuc-ui models download --preset "character LoRA" [--print]
    waifuc-ui serve

Exit codes: 0 done, 1 failed (the message says why), 2 bad arguments (the message says the fix).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..core.errors import InvalidOptionError, WaifucUIError, error_text

EXIT_DONE, EXIT_FAILED, EXIT_BAD_ARGUMENTS = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):
        self.print_usage(sys.stderr)
        raise _BadArguments(f"{self.prog}: {message}")


class _BadArguments(Exception):
    pass


def _recipe_arguments(p: argparse.ArgumentParser, required: bool = True) -> argparse._MutuallyExclusiveGroup:
    which = p.add_mutually_exclusive_group(required=required)
    which.add_argument("--preset", help='a preset of the app: "character LoRA" or "model-free clean-up"')
    which.add_argument("--recipe", help="a recipe JSON saved from the app's Pipeline tab")
    return which


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="waifuc-ui", description="Turn anime images into a LoRA training dataset with a recipe "
                     "made in the waifuc_ui app.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="run a recipe over folders, zips or globs into a zip or folder")
    _recipe_arguments(run, required=False)
    run.add_argument("--project", help="a project file downloaded from the app: its recipe and the choices made in "
                     "review (instead of --preset / --recipe)")
    run.add_argument("--input", nargs="+", required=True, metavar="PATH",
                     help="folders, .zip files or quoted glob patterns ('raw/**/*.png')")
    run.add_argument("--output", required=True, help="a new OUT.zip, or a new or empty folder")
    run.add_argument("--layout", default="txt", choices=["txt", "json", "kohya"],
                     help="txt: image + .txt caption; json: image + JSON sidecar; kohya: captions in a "
                          "<repeats>_<name> folder")
    run.add_argument("--kohya-name", default="", help="put the files in a kohya <repeats>_<name> folder (any layout; "
                     "--layout kohya defaults it to the trigger word)")
    run.add_argument("--repeats", type=int, help="kohya repeats (default: about 200 steps per epoch)")
    run.add_argument("--trigger-word", help="written first in every caption (default: the project's)")
    run.add_argument("--engine", default="local", choices=["local", "ray"])
    run.add_argument("--ray-address", help="a Ray cluster to join (default: start one on this machine)")
    run.add_argument("--batch-size", type=int, default=16, help="images per Ray task (ray engine)")
    run.add_argument("--concurrency", type=int, help="actors per per-item stage (ray engine; default: CPUs)")
    run.add_argument("--gpus-per-actor", type=float, default=0.0, help="GPUs per model actor (ray engine)")
    run.add_argument("--cache-dir", help="the analysis cache folder (shared by the workers; default: "
                     "$WAIFUC_UI_CACHE_DIR or ~/.cache/waifuc_ui/analysis)")
    run.add_argument("--work-dir", help="a scratch folder every worker can read (default: next to the output)")
    run.add_argument("--report", help="write the JSON report here (default: <output>.report.json)")
    run.add_argument("--no-download", action="store_true", help="fail instead of downloading missing models")
    run.add_argument("--quiet", action="store_true", help="no progress bars")

    models = commands.add_parser("models", help="model files a recipe needs")
    model_commands = models.add_subparsers(dest="models_command", required=True, parser_class=_Parser)
    download = model_commands.add_parser("download", help="download the files of a recipe, with progress")
    _recipe_arguments(download).add_argument("--project", help="a project file downloaded from the app (its recipe)")
    download.add_argument("--print", action="store_true", dest="print_only",
                          help="print the `hf download` commands instead (for an air-gapped machine)")

    serve = commands.add_parser("serve", help="start the app (the same as `python app.py`)")
    serve.add_argument("--host", help="address to listen on (default: gradio's, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: gradio's, 7860)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except _BadArguments as err:
        print(err, file=sys.stderr)
        return EXIT_BAD_ARGUMENTS
    try:
        if args.command == "run":
            from .run import run_command

            return run_command(args)
        if args.command == "models":
            from .models import download_command

            return download_command(args)
        from .serve import serve_command

        return serve_command(args)
    except InvalidOptionError as err:
        print(f"waifuc-ui {args.command}: {error_text(err)}", file=sys.stderr)
        return EXIT_BAD_ARGUMENTS
    except WaifucUIError as err:
        print(f"waifuc-ui {args.command} failed: {error_text(err)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"waifuc-ui {args.command}: interrupted", file=sys.stderr)
        return EXIT_FAILED
    except Exception as err:  # a worker's error on Ray, a full disk...: a shell script sees 1, the user the cause
        print(f"waifuc-ui {args.command} failed: {type(err).__name__}: {error_text(err)}", file=sys.stderr)
        return EXIT_FAILED
