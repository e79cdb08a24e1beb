"""Which analysis cache the running actions use.

waifuc's action signatures have no ``cache=`` argument, so the cache is a context setting::

    with use_analysis_cache(AnalysisCache(workspace / "analysis")):
        source.attach(...).export(...)

Without a ``with`` block, actions use one process-wide cache in :func:`default_cache_dir`
(scripts get re-runs for free). ``use_analysis_cache(None)`` turns caching off. Context
variables do not cross threads: a worker thread must enter the block itself.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from .cache import AnalysisCache, NullAnalysisCache, default_cache_dir

_current: ContextVar[AnalysisCache | None] = ContextVar("waifuc_ui_analysis_cache", default=None)


@functools.lru_cache(maxsize=4)
def _default_for(directory: str) -> AnalysisCache:
    return AnalysisCache(directory)


def default_analysis_cache() -> AnalysisCache:
    """The process default: one cache object per default folder (see :func:`default_cache_dir`)."""
    return _default_for(str(default_cache_dir()))


def current_analysis_cache() -> AnalysisCache:
    """The cache set by the innermost :func:`use_analysis_cache`, else the process default."""
    cache = _current.get()
    return cache if cache is not None else default_analysis_cache()


@contextmanager
def use_analysis_cache(cache: AnalysisCache | str | os.PathLike | None) -> Iterator[AnalysisCache]:
    """Use ``cache`` (an :class:`AnalysisCache`, a folder, or None for no caching) in the block."""
    if cache is None:
        cache = NullAnalysisCache()
    elif not isinstance(cache, AnalysisCache):
        cache = AnalysisCache(cache)
    token = _current.set(cache)
    try:
        yield cache
    finally:
        _current.reset(token)
