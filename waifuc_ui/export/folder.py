"""The shared part of SaveExporter and TextualInversionExporter: naming, safe writes, a safe ``clear``.

Naming: ``meta['filename']`` (sub-folders allowed, kept inside the output folder), else
``untitled_{n}.png`` with n counted from 1 (waifuc wrote ``untited_``).

``clear=True`` is LocalDirectoryExporter's checked, deferred clear. A write onto an item's own
input file is always refused.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Optional

from ..model import ImageItem
from .base import LocalDirectoryExporter
from .imagefile import format_of_ext, resolve_format, save_image
from .safety import refuse_input_overwrite, safe_relative_name


class FolderExporter(LocalDirectoryExporter):
    def __init__(self, output_dir: str, clear: bool = False, skip_when_image_exist: bool = False,
                 ignore_error_when_export: bool = False, save_params: Optional[Dict[str, Any]] = None):
        super().__init__(output_dir, clear=clear, ignore_error_when_export=ignore_error_when_export)
        self.skip_when_image_exist = skip_when_image_exist
        self.save_params = dict(save_params or {})
        self.untitles = 0

    def reset(self) -> None:
        super().reset()
        self.untitles = 0

    # -- helpers for subclasses ----------------------------------------------------------------
    def item_filename(self, item: ImageItem) -> str:
        """The item's output name relative to the folder (see the module doc)."""
        name = safe_relative_name(item.meta.get("filename"))
        if name is None:
            self.untitles += 1
            name = f"untitled_{self.untitles}.png"
        return name

    def write_image(self, item: ImageItem, save_kwargs: Dict[str, Any]) -> str:
        """Write the item's image under its name; returns the absolute path (written or skipped)."""
        target = os.path.join(self.output_dir, self.item_filename(item))
        explicit = save_kwargs.get("format")
        if explicit or format_of_ext(os.path.splitext(target)[1]) is None:
            target = resolve_format(target, item.image, explicit)[1]
        if self.skip_when_image_exist and os.path.exists(target) and not self._is_stale(target):
            return target
        refuse_input_overwrite(target, item)
        path = save_image(item.image, target, **save_kwargs)
        self.mark_written(path)
        return path
