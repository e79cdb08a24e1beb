"""Model-backed actions: an expensive, cached *analysis* and a cheap *decision*.

The analysis runs on the engine of :mod:`waifuc_ui.analysis.engine` (cache per image content and model identity,
batches, retries of a bad image alone); an :class:`AnalyzedAction` adds what to do with one item given its
analysis (:meth:`decide`).

``iter_from`` works in windows: it pulls up to ``window_size`` items (4, then 8, 16, ... up to
``window_size``, so a short run does not over-pull), gets their analyses in one engine call, then decides item by
item in arrival order. Stateful actions (CCIP) therefore see items in the same order as in waifuc.

Over-pull bound: when a later step stops the stream (``[:n]``, :class:`ActionStop`), each
analysed step has pulled at most ``window_size - 1`` items beyond the one that ended it.

Before pulling the first item, ``iter_from`` checks that every required model file is available, so a missing
model fails the step at once. An image the model cannot take is dropped with the reason; the run goes on.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, ClassVar

from ..analysis.engine import AnalysisFailed, Analyzer, RunState
from ..core.errors import UnusableImageError, WaifucUIError
from ..core.item import ImageItem
from .base import ActionStop, BaseAction, FilterAction, ProcessAction, Verdict

__all__ = ["AnalysisFailed", "AnalyzedAction", "AnalyzedFilterAction", "AnalyzedProcessAction", "RunState"]

FIRST_WINDOW = 4


class AnalyzedAction(Analyzer, BaseAction):
    """Base of the model-backed actions: the engine's hooks plus :meth:`decide`."""

    #: most items analysed together (1 = waifuc's one image at a time)
    window_size: int = 32
    passthrough_errors: ClassVar[tuple[type[BaseException], ...]] = (WaifucUIError, ActionStop)

    #: per-run attributes a deep copy (a template being attached) starts without
    _run_attrs: tuple = ("_run",)

    def decide(self, item: ImageItem, analysis: Any) -> Iterator[ImageItem]:
        """Yield what leaves this step for ``item``; record drops with :meth:`drop`."""
        raise NotImplementedError

    def begin_window(self, items: Sequence[ImageItem], analyses: Sequence[Any]) -> None:
        """Called with each window's analyses before its decisions (e.g. to batch comparisons)."""

    def end_window(self) -> None:
        """Called after the decisions of a window."""

    def finish(self) -> Iterator[ImageItem]:
        """Called when the upstream is exhausted: yield or drop what is still held back."""
        return iter(())

    _batch_kwargs = Analyzer.batch_kwargs  # the name the actions use

    def __deepcopy__(self, memo):
        clone = copy.copy(self)
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            setattr(clone, name, None if name in self._run_attrs else copy.deepcopy(value, memo))
        return clone

    def _decide_checked(self, item: ImageItem, analysis: Any) -> Iterator[ImageItem]:
        if isinstance(analysis, AnalysisFailed):
            self.drop(item, analysis.reason)
            return iter(())
        return self.decide(item, analysis)

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        """One item at a time (waifuc's way; also used by direct calls)."""
        analyses = self.analyses_for([item])
        self.begin_window([item], analyses)
        yield from self._decide_checked(item, analyses[0])
        self.end_window()

    def iter_from(self, iter_: Iterable[ImageItem]) -> Iterator[ImageItem]:
        self.begin()  # fail on a missing model before pulling anything
        upstream = iter(iter_)
        size = min(FIRST_WINDOW, max(1, self.window_size))
        try:
            while True:
                window = list(islice(upstream, size))
                if not window:
                    break
                analyses = self.analyses_for(window)
                self.begin_window(window, analyses)
                for item, analysis in zip(window, analyses):
                    yield from self._decide_checked(item, analysis)
                self.end_window()
                size = min(size * 2, max(1, self.window_size))
            yield from self.finish()
        except ActionStop:
            return


class AnalyzedFilterAction(AnalyzedAction, FilterAction):
    """A filter whose decision is a :class:`Verdict` from the cached analysis."""

    def verdict(self, item: ImageItem, analysis: Any) -> Verdict:
        raise NotImplementedError

    def decide(self, item: ImageItem, analysis: Any) -> Iterator[ImageItem]:
        v = self.verdict(item, analysis)
        if v:
            yield item
        else:
            self.drop(item, v.reason or f"rejected by {self.name}", score=v.score, threshold=v.threshold)

    def check(self, item: ImageItem) -> Verdict:
        (analysis,) = self.analyses_for([item])
        if isinstance(analysis, AnalysisFailed):
            return Verdict(False, analysis.reason)
        return self.verdict(item, analysis)

    iter = AnalyzedAction.iter
    iter_from = AnalyzedAction.iter_from


class AnalyzedProcessAction(AnalyzedAction, ProcessAction):
    """A 1 -> 1 action whose new item comes from the cached analysis."""

    def transform(self, item: ImageItem, analysis: Any) -> ImageItem:
        raise NotImplementedError

    def decide(self, item: ImageItem, analysis: Any) -> Iterator[ImageItem]:
        yield self.transform(item, analysis)

    def process(self, item: ImageItem) -> ImageItem:
        (analysis,) = self.analyses_for([item])
        if isinstance(analysis, AnalysisFailed):
            raise UnusableImageError(analysis.reason, "in a pipeline it is skipped and reported; convert or replace it")
        return self.transform(item, analysis)

    iter = AnalyzedAction.iter
    iter_from = AnalyzedAction.iter_from
