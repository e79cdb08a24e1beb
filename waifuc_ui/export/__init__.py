"""waifuc-compatible exporters (``from waifuc_ui.export import ...``)."""

from .base import BaseExporter, LocalDirectoryExporter

__all__ = [
    "BaseExporter",
    "LocalDirectoryExporter",
]
