"""The local engine: the plan as one waifuc_ui stream in this process, exactly what the generated script runs
(``source.attach(*actions).export(exporter)``), with a progress bar per step."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from contextlib import nullcontext

from ..analysis.context import use_analysis_cache
from ..core.item import ImageItem
from ..core.report import collect_report
from .inputs import InputSet
from .output import PLACEHOLDER, rename_folder
from .plan import BatchPlan
from .result import BatchResult, Progress, written_files


def run_local(plan: BatchPlan, inputs: InputSet, output: str, *, cache_dir: str | None = None,
              progress: bool = True) -> BatchResult:
    """Run ``plan`` over ``inputs`` into ``output`` (a new .zip or an empty folder)."""
    started = time.perf_counter()
    kohya = callable(plan.export.folder)
    folder = PLACEHOLDER if kohya else plan.export.folder_for(0)
    exporter = plan.export.make(output, folder)
    bars = Progress([s.label for s in plan.steps], enabled=progress, total=len(inputs.files))
    try:
        with use_analysis_cache(cache_dir) if cache_dir else nullcontext(), collect_report() as report:
            stream: Iterator[ImageItem] = iter(inputs.source())
            for n, template in enumerate(plan.actions()):
                action = copy.deepcopy(template)
                action.reset()
                stream = bars.counted(n, action.iter_from(stream))
            exporter.reset()
            exporter.export_from(bars.counted(len(plan.steps), stream), report=report)
    finally:
        bars.close()
    if kohya:
        rename_folder(output, PLACEHOLDER, plan.export.folder_for(report.exported))
    return BatchResult("local", output, written_files(output), report.exported, list(report.dropped),
                       list(inputs.refused) + list(report.skipped), list(report.export_failed),
                       time.perf_counter() - started, len(inputs.files))
