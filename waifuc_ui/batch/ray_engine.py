"""The Ray engine: the same plan as the local engine, on Ray Data, giving the same files.

* Inputs are listed here as file paths; workers decode them (images differ in size, so rows hold paths).
* Runs of per-item steps (filters, converters, splitters, taggers) become one ``map_batches`` stage; when a step
  of the run calls models, over an actor class: each actor keeps its copies of the actions, so ONNX sessions open
  once per actor (``concurrency`` actors per stage, ``gpus_per_actor`` GPUs each when onnxruntime-gpu is there);
  model-free runs are plain tasks on Ray's pooled workers (no actor start-up).
* A step that needs the whole stream (CCIP, LPIPS and hash dedup, first n, random names, Reviewed choices, tag
  edits) is a barrier: its model analyses are computed first by actors into the shared analysis cache, then this
  process runs the real action over the records in stream order, as lazy items whose analyses come from the cache
  (pixels are decoded here only by steps that look at them, e.g. hash dedup). The stream then continues.
* Rows are small (:class:`~waifuc_ui.batch.records.ItemRef`: meta, pixel hash, where the pixels are); changed
  images go to the shared work folder, named by their hash. Ray restarts a killed actor and retries its batch; a
  batch's rows exist only once it completed and its files are content-named, so nothing is lost or duplicated.
* The export runs here, in stream order (names made unique in order, as the local stream does).

Ray is imported only inside :func:`run_ray`: the app and the Space do not need it (``pip install waifuc_ui[ray]``).
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..action.analyzed import AnalyzedAction
from ..action.base import BaseAction
from ..action.reviewed import RenameAction, Reviewed, SetTagsAction
from ..analysis.cache import default_cache_dir
from ..analysis.context import use_analysis_cache
from ..core.errors import InvalidOptionError
from ..core.report import DropRecord, SkippedFile, collect_report
from .inputs import InputSet
from .output import PLACEHOLDER, rename_folder
from .plan import BatchPlan, PlannedStep
from .records import ItemRef, Outcome, run_actions, to_item
from .result import BatchResult, Progress, written_files

#: Environment variables a worker needs to find the same models and settings as this process. Tokens stay here:
#: the models are fetched before the run, workers only read the cache (a runtime_env is stored by the cluster).
_ENV_PREFIXES = ("HF_", "HUGGINGFACE_", "WAIFUC_UI_")
_SECRETS = ("TOKEN", "KEY", "SECRET", "PASSWORD")
ITEM, DROP, SKIP, FAILED, COUNT = "item", "drop", "skip", "failed", "count"


@dataclass
class RayOptions:
    address: str | None = None
    batch_size: int = 16
    concurrency: int | None = None
    gpus_per_actor: float = 0.0


Row = dict[str, Any]


def _row(key: str, kind: str, value: Any) -> Row:
    return {"key": key, "kind": kind, "data": pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)}


def outcome_rows(keys: Sequence[str], outcome: Outcome, first_step: int, fresh_keys: bool) -> list[Row]:
    """Rows of a stage's outcome. Outputs of input ``n`` get ``keys[n] + '.00000'``, ``'.00001'`` ... (stream order
    is key order) or, with ``fresh_keys``, their position; drops sort right after their input's outputs."""
    rows: list[Row] = []
    per_parent: dict[int | None, int] = {}
    for position, (parent, ref) in enumerate(outcome.outputs):
        if fresh_keys:
            key = f"{position:09d}"
        else:
            k = per_parent.get(parent, 0)
            per_parent[parent] = k + 1
            key = f"{keys[parent] if parent is not None else ''}.{k:05d}"
        rows.append(_row(key, ITEM, ref))
    for parent, record in outcome.drops:
        rows.append(_row(f"{keys[parent] if parent is not None else ''}~", DROP, record))
    rows += [_row("", SKIP, s) for s in outcome.skipped] + [_row("", FAILED, s) for s in outcome.export_failed]
    rows.append(_row("", COUNT, (first_step, outcome.counts)))
    return rows


def run_segment(batch: dict[str, Any], templates: list[BaseAction], first_step: int, store_dir: str,
                cache_dir: str, hashed: bool) -> dict[str, list[Any]]:
    """Run per-item steps over a batch of rows (rows that are not items pass through); ``hashed``: records carry
    pixel hashes (a later step needs them)."""
    keys, refs, passing = [], [], []
    for key, kind, data in zip(batch["key"], batch["kind"], batch["data"]):
        if kind == ITEM:
            keys.append(str(key))
            refs.append(pickle.loads(data))
        else:
            passing.append({"key": key, "kind": kind, "data": data})
    with use_analysis_cache(cache_dir):
        outcome = run_actions(templates, refs, store_dir, lazy=False, hashed=hashed)
    rows = passing + outcome_rows(keys, outcome, first_step, fresh_keys=False)
    return {name: [r[name] for r in rows] for name in ("key", "kind", "data")}


class StepActor:
    """A Ray Data actor for per-item steps that call models: its action copies keep their ONNX sessions open
    (the inference layer's opened handles live as long as the actor's process)."""

    def __init__(self, templates: list[BaseAction], first_step: int, store_dir: str, cache_dir: str, hashed: bool):
        self.args = (templates, first_step, store_dir, cache_dir, hashed)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        return run_segment(batch, *self.args)


def needs_models(actions: Iterable[BaseAction]) -> bool:
    return any(getattr(a, "required_files", None) is not None for a in actions)


def uses_pixel_hashes(action: BaseAction) -> bool:
    """True for whole-stream steps that look items up by pixel hash (cached analyses, review keys): the records
    before them carry hashes, computed by the workers rather than by this process."""
    return isinstance(action, (AnalyzedAction, Reviewed, SetTagsAction, RenameAction))


class AnalysisActor:
    """Fills the shared analysis cache for a barrier's model step (its decisions are made in stream order)."""

    def __init__(self, template: AnalyzedAction, cache_dir: str):
        self.template, self.cache_dir = template, cache_dir

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        import copy

        refs = [pickle.loads(d) for k, d in zip(batch["kind"], batch["data"]) if k == ITEM]
        if refs:
            action = copy.deepcopy(self.template)
            action.reset()
            with use_analysis_cache(self.cache_dir):
                action.analyses_for([to_item(r, lazy=False) for r in refs])
        return {"n": [len(refs)]}


def analysed_action(action: BaseAction) -> AnalyzedAction | None:
    """The model step a barrier runs, when its analyses can be computed ahead by workers."""
    if isinstance(action, Reviewed):
        if action.select is not None or action.reject is not None:
            return None  # the choice replaces the step: its model does not run
        action = action.inner  # type: ignore[assignment]
    return action if isinstance(action, AnalyzedAction) else None


def segments(steps: Sequence[PlannedStep]) -> list[tuple[bool, int, list[PlannedStep]]]:
    """(per item?, index of the first step, steps): runs of per-item steps together, each barrier alone; the
    first stage always runs on workers (it reads the inputs)."""
    out: list[tuple[bool, int, list[PlannedStep]]] = []
    for n, step in enumerate(steps):
        if step.per_item and out and out[-1][0]:
            out[-1][2].append(step)
        else:
            out.append((step.per_item, n, [step]))
    if not out or not out[0][0]:
        out.insert(0, (True, 0, []))
    return out


def worker_env() -> dict[str, str]:
    """Environment for the workers: this package on the path, the Hub cache and the app's settings."""
    import waifuc_ui

    root = os.path.dirname(os.path.dirname(os.path.abspath(waifuc_ui.__file__)))
    env = {k: v for k, v in os.environ.items()
           if k.startswith(_ENV_PREFIXES) and not any(word in k.upper() for word in _SECRETS)}
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


class _Collected:
    def __init__(self) -> None:
        self.items: list[tuple[str, ItemRef]] = []
        self.drops: list[tuple[str, DropRecord]] = []
        self.skipped: list[SkippedFile] = []
        self.failed: list[SkippedFile] = []


def _collect(rows: Iterable[Row], bars: Progress) -> _Collected:
    got = _Collected()
    for row in rows:
        kind, value = row["kind"], pickle.loads(row["data"])
        if kind == ITEM:
            got.items.append((row["key"], value))
        elif kind == DROP:
            got.drops.append((row["key"], value))
        elif kind == SKIP:
            got.skipped.append(value)
        elif kind == FAILED:
            got.failed.append(value)
        elif kind == COUNT:
            first, counts = value
            for i, n in enumerate(counts):
                bars.add(first + i, n)
    got.items.sort(key=lambda pair: pair[0])
    return got


def run_ray(plan: BatchPlan, inputs: InputSet, output: str, *, work_dir: str, cache_dir: str | None = None,
            options: RayOptions | None = None, progress: bool = True) -> BatchResult:
    """Run ``plan`` over ``inputs`` on Ray into ``output``; joins ``options.address`` or the running cluster, else
    starts one on this machine. ``work_dir`` and ``cache_dir`` must be readable by every worker."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise InvalidOptionError("--engine", "ray", ["local", "ray"], "install Ray: pip install 'waifuc_ui[ray]'"
                                 ) from None
    options = options or RayOptions()
    started = time.perf_counter()
    if not ray.is_initialized():
        ray.init(address=options.address, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    cache = os.path.abspath(cache_dir or str(default_cache_dir()))
    store = os.path.join(os.path.abspath(work_dir), "images")
    os.makedirs(store, exist_ok=True)
    actors = options.concurrency or max(1, int(ray.available_resources().get("CPU", 1)))
    remote: dict[str, Any] = {"runtime_env": {"env_vars": worker_env()}, "batch_size": options.batch_size,
                              "compute": ray.data.ActorPoolStrategy(size=actors)}
    tasks = {k: v for k, v in remote.items() if k != "compute"} | {"compute": ray.data.TaskPoolStrategy(size=actors)}
    if options.gpus_per_actor:
        remote["num_gpus"] = options.gpus_per_actor
    bars = Progress([s.label for s in plan.steps], enabled=progress, total=len(inputs.files))
    drops: list[tuple[str, DropRecord]] = []
    skipped: list[SkippedFile] = list(inputs.refused)
    failed: list[SkippedFile] = []
    rows: list[Row] = [_row(f"{n:09d}", ITEM, ItemRef(entry=entry)) for n, entry in enumerate(inputs.files)]
    try:
        ds: Any = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows), 64)))
        for per_item, first, steps in segments(plan.steps):
            hashed = any(uses_pixel_hashes(s.action) for s in plan.steps[first + len(steps):])
            if per_item:
                args = ([s.action for s in steps], first, store, cache, hashed)
                if needs_models(args[0]):  # actors: models open once per actor
                    ds = ds.map_batches(StepActor, fn_constructor_args=args, batch_format="numpy", **remote)
                else:  # model-free: tasks on Ray's pooled worker processes (no actor start-up per run)
                    ds = ds.map_batches(run_segment, fn_args=args, batch_format="numpy", **tasks)
                continue
            got = _collect(ds.iter_rows(), bars)
            drops += got.drops
            skipped += got.skipped
            failed += got.failed
            rows = _barrier(ray, plan.steps[first], first, got.items, store, cache, remote, hashed)
            ds = ray.data.from_items(rows, override_num_blocks=max(1, min(len(rows), 64)))
        got = _collect(ds.iter_rows(), bars)
        drops += got.drops
        skipped += got.skipped
        failed += got.failed
        exported = _export(plan, [ref for _, ref in got.items], output, bars, failed)
    finally:
        bars.close()
    drops.sort(key=lambda pair: pair[0])
    return BatchResult("ray", output, written_files(output), exported, [d for _, d in drops], skipped, failed,
                       time.perf_counter() - started, len(inputs.files))


def _barrier(ray: Any, step: PlannedStep, index: int, items: list[tuple[str, ItemRef]], store: str, cache: str,
             remote: dict[str, Any], hashed: bool) -> list[Row]:
    """Run one whole-stream step here over ``items`` (in key order); rows of its outcome with fresh keys."""
    model = analysed_action(step.action)
    if model is not None and items:
        ahead = ray.data.from_items([_row(k, ITEM, r) for k, r in items],
                                    override_num_blocks=max(1, min(len(items), 64)))
        ahead.map_batches(AnalysisActor, fn_constructor_args=(model, cache), batch_format="numpy",
                          **remote).materialize()
    with use_analysis_cache(cache):
        outcome = run_actions([step.action], [r for _, r in items], store, lazy=True, hashed=hashed)
    return outcome_rows([k for k, _ in items], outcome, index, fresh_keys=True)


def _export(plan: BatchPlan, refs: list[ItemRef], output: str, bars: Progress, failed: list[SkippedFile]) -> int:
    kohya = callable(plan.export.folder)
    exporter = plan.export.make(output, PLACEHOLDER if kohya else plan.export.folder_for(0))
    exporter.reset()
    with collect_report() as report:
        items = (to_item(ref, lazy=True) for ref in refs)
        exporter.export_from(bars.counted(len(plan.steps), items), report=report)
    failed += report.export_failed
    if kohya:
        rename_folder(output, PLACEHOLDER, plan.export.folder_for(report.exported))
    return report.exported
