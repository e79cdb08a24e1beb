"""Model-backed actions: an expensive, cached *analysis* and a cheap *decision*.

An :class:`AnalyzedAction` says which model files it needs (:meth:`required_files`), what
identifies its model output (:meth:`analysis_key`: model fingerprints and every parameter that
changes the output, never a threshold applied afterwards), how to run the model on a batch
(:meth:`analyze`) and what to do with one item given its analysis (:meth:`decide`).

``iter_from`` works in windows: it pulls up to ``window_size`` items (4, then 8, 16, ... up to
``window_size``, so a short run does not over-pull), hashes them, looks the analyses up in the
current cache (see :mod:`waifuc_ui.analysis.context`), runs the misses through the model in one batched call,
stores them, then decides item by item in arrival order. Stateful actions (CCIP) therefore see
items in the same order as in waifuc.

Over-pull bound: when a later step stops the stream (``[:n]``, :class:`ActionStop`), each
analysed step has pulled at most ``window_size - 1`` items beyond the one that ended it.

Before pulling the first item, ``iter_from`` checks that every required model file is
available (:func:`waifuc_ui.inference.ensure_available`), so a missing model fails the step at
once. An image the model cannot take is retried alone and, if it still fails, dropped with
the reason; the run goes on.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from PIL import Image

from ..analysis.cache import AnalysisCache
from ..analysis.context import current_analysis_cache
from ..analysis.hashing import content_hash
from ..analysis.images import model_ready_image
from ..core.errors import UnusableImageError, WaifucUIError
from ..core.item import ImageItem
from .base import ActionStop, BaseAction, FilterAction, ProcessAction, Verdict

FIRST_WINDOW = 4


class AnalysisFailed:
    """Stands for the analysis of an image the model could not take."""

    def __init__(self, reason: str):
        self.reason = reason

    def __repr__(self) -> str:
        return f"AnalysisFailed({self.reason!r})"


class RunState:
    """Per-run state of an analysed action (never deep-copied with the action template)."""

    def __init__(self, cache: AnalysisCache, key: dict[str, Any]):
        self.cache = cache
        self.key = key


class AnalyzedAction(BaseAction):
    """Base of the model-backed actions; subclasses fill in the four hooks below."""

    #: most items analysed together (1 = waifuc's one image at a time)
    window_size: int = 32
    #: images per ONNX call inside a window (8: on CPU, larger batches of big inputs get slower per image)
    batch_size: int | None = 8

    _run: RunState | None = None
    #: per-run attributes a deep copy (a template being attached) starts without
    _run_attrs: tuple = ("_run",)

    # -- hooks -------------------------------------------------------------------------------
    def required_files(self) -> list[Any]:
        """The :class:`waifuc_ui.inference.HubFile` objects the analysis needs."""
        return []

    def analysis_key(self) -> dict[str, Any]:
        """JSON-able identity of the model output (fingerprints + output-changing parameters)."""
        raise NotImplementedError

    def analyze(self, images: Sequence[Image.Image]) -> list[Any]:
        """One analysis per image (JSON-able values or numpy arrays), batched model calls."""
        raise NotImplementedError

    def decide(self, item: ImageItem, analysis: Any) -> Iterator[ImageItem]:
        """Yield what leaves this step for ``item``; record drops with :meth:`drop`."""
        raise NotImplementedError

    def needs_analysis(self, item: ImageItem) -> bool:
        """False when the decision does not need the model for this item (e.g. tags exist)."""
        return True

    def prepare(self) -> None:
        """Called once per run before the first item: check models, validate options."""

    def begin_window(self, items: Sequence[ImageItem], analyses: Sequence[Any]) -> None:
        """Called with each window's analyses before its decisions (e.g. to batch comparisons)."""

    def end_window(self) -> None:
        """Called after the decisions of a window."""

    def finish(self) -> Iterator[ImageItem]:
        """Called when the upstream is exhausted: yield or drop what is still held back."""
        return iter(())

    # -- helpers for subclasses --------------------------------------------------------------
    def model_files_key(self) -> list[str]:
        """Fingerprints of :meth:`required_files`, for :meth:`analysis_key`."""
        from .. import inference as models

        return [models.file_fingerprint(f) for f in self.required_files()]

    def _batch_kwargs(self) -> dict[str, Any]:
        return {} if self.batch_size is None else {"batch_size": self.batch_size}

    # -- the engine --------------------------------------------------------------------------
    def _begin(self) -> RunState:
        if self._run is None:
            from .. import inference as models

            files = self.required_files()
            if files:
                models.ensure_available(files)
            self.prepare()
            self._run = RunState(current_analysis_cache(), dict(self.analysis_key()))
        return self._run

    def reset(self) -> None:
        self._run = None

    def __deepcopy__(self, memo):
        clone = copy.copy(self)
        memo[id(self)] = clone
        for name, value in self.__dict__.items():
            setattr(clone, name, None if name in self._run_attrs else copy.deepcopy(value, memo))
        return clone

    def analyses_for(self, items: Sequence[ImageItem]) -> list[Any]:
        """The analysis of each item (cached, else computed in one batch and stored).

        Items whose analysis fails get an :class:`AnalysisFailed` with the reason; items
        that :meth:`needs_analysis` says need none get None.
        """
        run = self._begin()
        out: list[Any] = [None] * len(items)
        wanted: dict[str, list[int]] = {}
        for i, item in enumerate(items):
            if not self.needs_analysis(item):
                continue
            try:
                h = content_hash(item)
            except WaifucUIError:
                raise
            except Exception as e:  # an unreadable lazy image
                out[i] = AnalysisFailed(f"image could not be read: {e}")
                continue
            wanted.setdefault(h, []).append(i)
        if not wanted:
            return out
        found = run.cache.get_many(wanted, run.key)
        misses = [h for h in wanted if h not in found]
        if misses:
            found.update(self._compute(run, [items[wanted[h][0]] for h in misses], misses))
        for h, idxs in wanted.items():
            for i in idxs:
                out[i] = found[h]
        return out

    def _compute(self, run: RunState, items: list[ImageItem], hashes: list[str]) -> dict[str, Any]:
        results: dict[str, Any] = {}
        images, ok_hashes = [], []
        for item, h in zip(items, hashes):
            try:
                images.append(model_ready_image(item.image))
                ok_hashes.append(h)
            except ValueError as e:
                results[h] = AnalysisFailed(str(e))
        if not images:
            return results
        try:
            analyses = self.analyze(images)
        except (WaifucUIError, ActionStop):  # a missing model or a bad option is not a bad image
            raise
        except Exception:
            analyses = None
        if analyses is None:  # find the image(s) the model refuses, keep the others
            analyses = []
            for image in images:
                try:
                    analyses.append(self.analyze([image])[0])
                except (WaifucUIError, ActionStop):
                    raise
                except Exception as e:
                    analyses.append(AnalysisFailed(f"the model could not take this image: {type(e).__name__}: {e}"))
        for h, analysis in zip(ok_hashes, analyses):
            results[h] = analysis if isinstance(analysis, AnalysisFailed) else self.store_analysis(run, h, analysis)
        return results

    def store_analysis(self, run: RunState, content_hash: str, analysis: Any) -> Any:
        """Cache a fresh analysis; returns what :meth:`decide` gets (the same value by default)."""
        run.cache.put(content_hash, run.key, analysis)
        return analysis

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
        self._begin()  # fail on a missing model before pulling anything
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
