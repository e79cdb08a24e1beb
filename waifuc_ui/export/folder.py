"""The shared part of SaveExporter and TextualInversionExporter: naming, safe writes, a safe ``clear``.

Naming: ``meta['filename']`` (sub-folders allowed, kept inside the output folder), else
``untitled_{n}.png`` with n counted from 1 (waifuc wrote ``untited_``).

``clear=True`` never deletes before it knows the run is safe: the files already in the folder
are listed at the start, the run writes over them as needed, and at the end the listed files the
run did not write are deleted (with folders left empty). If an item read from inside the
output folder arrives, the run stops with ExportError before anything is deleted; if the run
skipped or dropped such an input (see the run report), nothing is deleted either. A write onto
an item's own input file is always refused.
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, Iterator, Optional, Set

from ..model import ImageItem
from ..errors import ExportError
from ..report import RunReport, current_report
from .base import LocalDirectoryExporter
from .imagefile import format_of_ext, resolve_format, save_image
from .safety import (refuse_clear_over_input, refuse_clear_over_reported_inputs, refuse_input_overwrite,
                     safe_relative_name)


class FolderExporter(LocalDirectoryExporter):
    def __init__(self, output_dir: str, clear: bool = False, skip_when_image_exist: bool = False,
                 ignore_error_when_export: bool = False, save_params: Optional[Dict[str, Any]] = None):
        super().__init__(output_dir, clear=clear, ignore_error_when_export=ignore_error_when_export)
        self.skip_when_image_exist = skip_when_image_exist
        self.save_params = dict(save_params or {})
        self.untitles = 0
        self._stale: Optional[Set[str]] = None

    def reset(self) -> None:
        self.untitles = 0
        self._stale = None

    # -- run -------------------------------------------------------------------------------
    def pre_export(self) -> None:
        if os.path.exists(self.output_dir) and not os.path.isdir(self.output_dir):
            raise ExportError(f"output folder {self.output_dir!r} is a file. Fix: give a folder path")
        os.makedirs(self.output_dir, exist_ok=True)
        self._stale = set(self._existing_files()) if self.clear else None

    def export_from(self, items: Iterable[ImageItem], report: Optional[RunReport] = None,
                    name: Optional[str] = None) -> Any:
        return super().export_from(self._guarded(items), report=report, name=name)

    def _guarded(self, items: Iterable[ImageItem]) -> Iterator[ImageItem]:
        for item in items:
            if self.clear:
                refuse_clear_over_input(self.output_dir, item)
            yield item

    def post_export(self) -> Any:
        if self._stale:
            refuse_clear_over_reported_inputs(self.output_dir, self._stale, current_report())
            for rel in sorted(self._stale):
                path = os.path.join(self.output_dir, rel)
                if os.path.lexists(path):
                    os.remove(path)
            self._remove_empty_folders()
        self._stale = None
        return None

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

    def mark_written(self, path: str) -> None:
        """Note that ``path`` belongs to this run, so ``clear`` keeps it."""
        if self._stale is not None:
            self._stale.discard(os.path.relpath(path, self.output_dir))

    def _is_stale(self, path: str) -> bool:
        return self._stale is not None and os.path.relpath(path, self.output_dir) in self._stale

    def _existing_files(self) -> Iterator[str]:
        for root, _dirs, files in os.walk(self.output_dir):
            for f in files:
                yield os.path.relpath(os.path.join(root, f), self.output_dir)

    def _remove_empty_folders(self) -> None:
        for root, dirs, files in os.walk(self.output_dir, topdown=False):
            if root != self.output_dir and not os.listdir(root):
                os.rmdir(root)
