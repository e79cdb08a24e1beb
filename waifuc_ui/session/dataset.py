"""The session's dataset: what leaves in the export. The items kept after the last step (review decisions apply at
their steps, a duplicate review without a dedup step at the end), or the inputs before any run."""

from __future__ import annotations

from typing import Any

from ..core.errors import InvalidOptionError
from .editing import PipelineEditor
from .inputs import Inputs
from .review import Duplicates
from .runs import Runs
from .store import ItemStore


class Dataset:
    def __init__(self, store: ItemStore, inputs: Inputs, runs: Runs, pipeline: PipelineEditor,
                 duplicates: Duplicates):
        self._store = store
        self._inputs = inputs
        self._runs = runs
        self._pipeline = pipeline
        self._duplicates = duplicates

    def ids(self) -> list[str]:
        """The final item ids, in order."""
        run = self._runs.last
        if run is None:
            return list(self._inputs.ids)
        excluded = self._duplicates.final_exclusions()
        return [i for i in run.output_ids() if i not in excluded]

    def metas(self) -> dict[str, dict[str, Any]]:
        """Final id -> the item's meta after the last step."""
        run = self._runs.last
        metas = run.output_metas() if run else self._inputs.metas()
        return {i: metas.get(i, self._store.get(i).meta) for i in self.ids()}

    def drop(self, ids: list[str]) -> int:
        """Drop these final images by hand at the last step (kept across re-runs; run again to see it). Returns
        how many were dropped. Needs a run with at least one step."""
        run = self._runs.last
        if run is None or not run.steps:
            raise InvalidOptionError("drop from dataset", "no run", fix="add a step in the Pipeline tab and run it "
                                     "first: images are dropped by hand at the last step")
        final = set(self.ids())
        chosen = [i for i in ids if i in final]
        for i in chosen:
            self._pipeline.drop_by_hand(run.steps[-1].uid, i)
        return len(chosen)
