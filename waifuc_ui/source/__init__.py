"""waifuc-compatible sources (``from waifuc_ui.source import ...``)."""

from .base import (AttachedDataSource, BaseDataSource, ComposedDataSource, NamedDataSource,
                   ParallelDataSource)

__all__ = [
    "AttachedDataSource",
    "BaseDataSource",
    "ComposedDataSource",
    "NamedDataSource",
    "ParallelDataSource",
]
