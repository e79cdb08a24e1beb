"""waifuc-compatible exporters (``from waifuc_ui.export import ...``).

Exports are exact: one output per item with a name unique in the export, captions and sidecars included
(:mod:`.naming`); an image no step changed leaves with its original bytes, a changed JPEG/WebP at quality 95, an
animation as a PNG still for trainers (:mod:`.policy`); export files carry no path of this machine (:mod:`.privacy`).
"""

from .base import BaseExporter, LocalDirectoryExporter
from .folder import ExportLog
from .huggingface import HuggingFaceExporter
from .naming import ExportNames
from .save import SaveExporter
from .textual_inversion import TextualInversionExporter
from .zip import ZipExporter

__all__ = [
    "SaveExporter",
    "TextualInversionExporter",
    "ZipExporter",
    "HuggingFaceExporter",
    "BaseExporter",
    "LocalDirectoryExporter",
    "ExportLog",
    "ExportNames",
]
