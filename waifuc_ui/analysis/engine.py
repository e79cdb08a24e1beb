"""The analysis engine: cached model outputs per image content, computed in batches, with retries.

An :class:`Analyzer` says which model files it needs (:meth:`~Analyzer.required_files`), what identifies its
output (:meth:`~Analyzer.analysis_key`: model fingerprints and every parameter that changes the output, never a
threshold applied afterwards) and how to run the model on a batch (:meth:`~Analyzer.analyze`).
:meth:`~Analyzer.analyses_for` hashes the items, looks their analyses up in the current cache (see
:mod:`waifuc_ui.analysis.context`), runs the misses through the model in one batched call and stores them.

The first call checks that every required model file is available
(:func:`waifuc_ui.inference.ensure_available`), so a missing model fails at once. An image the model cannot
take is retried alone and, if it still fails, gets an :class:`AnalysisFailed` with the reason; the others go on.
The model-backed actions (``waifuc_ui.action.analyzed``) and the review functions both run on this engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from PIL import Image

from ..core.errors import WaifucUIError
from ..core.item import ImageItem
from .cache import AnalysisCache
from .context import current_analysis_cache
from .hashing import content_hash
from .images import model_ready_image


class AnalysisFailed:
    """Stands for the analysis of an image the model could not take."""

    def __init__(self, reason: str):
        self.reason = reason

    def __repr__(self) -> str:
        return f"AnalysisFailed({self.reason!r})"


class RunState:
    """Per-run state of an analyzer: the cache in use and the analysis key (never deep-copied)."""

    def __init__(self, cache: AnalysisCache, key: dict[str, Any]):
        self.cache = cache
        self.key = key


class Analyzer:
    """Cached, batched model analyses of images; subclasses fill in the hooks."""

    #: images per ONNX call inside a window (8: on CPU, larger batches of big inputs get slower per image)
    batch_size: int | None = 8
    #: errors that are not about one image (a missing model, a bad option, a stopped stream): never retried
    passthrough_errors: ClassVar[tuple[type[BaseException], ...]] = (WaifucUIError,)

    _run: RunState | None = None

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

    def needs_analysis(self, item: ImageItem) -> bool:
        """False when no model output is needed for this item (e.g. its tags exist)."""
        return True

    def prepare(self) -> None:
        """Called once per run before the first analysis: check models, validate options."""

    def store_analysis(self, run: RunState, content_hash: str, analysis: Any) -> Any:
        """Cache a fresh analysis; returns what callers get (the same value by default)."""
        run.cache.put(content_hash, run.key, analysis)
        return analysis

    # -- helpers -----------------------------------------------------------------------------
    def model_files_key(self) -> list[str]:
        """Fingerprints of :meth:`required_files`, for :meth:`analysis_key`."""
        from .. import inference as models

        return [models.file_fingerprint(f) for f in self.required_files()]

    def batch_kwargs(self) -> dict[str, Any]:
        """``batch_size=`` for the model call, when one is set."""
        return {} if self.batch_size is None else {"batch_size": self.batch_size}

    # -- the engine --------------------------------------------------------------------------
    def begin(self) -> RunState:
        """The run's state; the first call checks the model files, runs :meth:`prepare` and picks the cache."""
        if self._run is None:
            from .. import inference as models

            files = self.required_files()
            if files:
                models.ensure_available(files)
            self.prepare()
            self._run = RunState(current_analysis_cache(), dict(self.analysis_key()))
        return self._run

    def reset(self) -> None:
        """Forget the run (the next call begins a new one)."""
        self._run = None

    @property
    def run_state(self) -> RunState | None:
        """The current run, or None before :meth:`begin`."""
        return self._run

    def analyses_for(self, items: Sequence[ImageItem]) -> list[Any]:
        """The analysis of each item (cached, else computed in one batch and stored).

        Items whose analysis fails get an :class:`AnalysisFailed` with the reason; items
        that :meth:`needs_analysis` says need none get None.
        """
        run = self.begin()
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
            except ValueError as e:  # UnusableImageError: the problem is the drop reason
                results[h] = AnalysisFailed(getattr(e, "problem", str(e)))
        if not images:
            return results
        try:
            analyses: list[Any] | None = self.analyze(images)
        except self.passthrough_errors:
            raise
        except Exception:
            analyses = None
        if analyses is None:  # find the image(s) the model refuses, keep the others
            analyses = []
            for image in images:
                try:
                    analyses.append(self.analyze([image])[0])
                except self.passthrough_errors:
                    raise
                except Exception as e:
                    analyses.append(AnalysisFailed(f"the model could not take this image: {type(e).__name__}: {e}"))
        for h, analysis in zip(ok_hashes, analyses):
            results[h] = analysis if isinstance(analysis, AnalysisFailed) else self.store_analysis(run, h, analysis)
        return results
