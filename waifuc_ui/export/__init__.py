"""waifuc-compatible exporters (``from waifuc_ui.export import ...``)."""

from .base import BaseExporter, LocalDirectoryExporter
from .save import SaveExporter
from .textual_inversion import TextualInversionExporter
from .zip import ZipExporter

__all__ = [
    "SaveExporter",
    "TextualInversionExporter",
    "ZipExporter",
    "BaseExporter",
    "LocalDirectoryExporter",
]
