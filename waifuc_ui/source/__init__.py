"""waifuc-compatible sources (``from waifuc_ui.source import ...``)."""

from .base import (AttachedDataSource, BaseDataSource, ComposedDataSource, NamedDataSource,
                   ParallelDataSource)
from .archive import ArchiveLimits
from .local import LocalSource, LocalTISource
from .upload import UploadInspection, UploadSource, inspect_upload

__all__ = [
    "ArchiveLimits",
    "AttachedDataSource",
    "BaseDataSource",
    "ComposedDataSource",
    "LocalSource",
    "LocalTISource",
    "NamedDataSource",
    "ParallelDataSource",
    "UploadInspection",
    "UploadSource",
    "inspect_upload",
]
