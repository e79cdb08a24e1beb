"""waifuc-compatible sources (``from waifuc_ui.source import ...``)."""

from .base import (AttachedDataSource, BaseDataSource, ComposedDataSource, NamedDataSource,
                   ParallelDataSource)
from .local import LocalSource, LocalTISource

__all__ = [
    "AttachedDataSource",
    "BaseDataSource",
    "ComposedDataSource",
    "LocalSource",
    "LocalTISource",
    "NamedDataSource",
    "ParallelDataSource",
]
