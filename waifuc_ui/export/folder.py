"""The shared part of SaveExporter and TextualInversionExporter: names, image writing, a safe ``clear``.

Naming: :mod:`waifuc_ui.export.naming` (``meta['filename']``, sub-folders kept inside the output folder unless
``flatten``; unique within the export, captions and sidecars included). Image bytes and formats:
:mod:`waifuc_ui.export.policy` (original bytes when no step changed the image; ``quality``; ``trainer_formats``).
Export files carry no server path: :mod:`waifuc_ui.export.privacy` (``hide_paths`` adds private roots).

An item is written whole or not at all: when its caption or sidecar fails, its image is removed again, so the
run report's ``exported`` equals the images on disk. :attr:`FolderExporter.log` says what each export did.

``clear=True`` is LocalDirectoryExporter's checked, deferred clear. A write onto an item's own input file is
always refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..core.item import ImageItem
from ..core.report import logger
from .base import LocalDirectoryExporter
from .naming import ExportNames
from .policy import DEFAULT_QUALITY, plan_image, write_planned
from .privacy import PathScrubber
from .safety import refuse_input_overwrite


@dataclass
class ExportLog:
    """What one export wrote: ``images`` (relative names, in order), ``renamed`` (wanted, written) pairs for
    names taken by an earlier item, ``reformatted`` (wanted, written) pairs whose format changed, ``originals``
    (images copied byte for byte), ``encoded`` (images encoded from pixels), ``stills`` (animated images written
    as their first frame)."""

    images: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    reformatted: list[tuple[str, str]] = field(default_factory=list)
    originals: int = 0
    encoded: int = 0
    stills: list[str] = field(default_factory=list)


class FolderExporter(LocalDirectoryExporter):
    def __init__(self, output_dir: str, clear: bool = False, skip_when_image_exist: bool = False,
                 ignore_error_when_export: bool = False, save_params: dict[str, Any] | None = None,
                 quality: int = DEFAULT_QUALITY, keep_original: bool = True, trainer_formats: bool = False,
                 flatten: bool = False, hide_paths: Iterable[str] = ()):
        super().__init__(output_dir, clear=clear, ignore_error_when_export=ignore_error_when_export)
        self.skip_when_image_exist = skip_when_image_exist
        self.save_params = dict(save_params or {})
        self.quality = int(quality)
        self.keep_original = keep_original
        self.trainer_formats = trainer_formats
        self.names = ExportNames(flatten=flatten)
        self.hide_paths = tuple(hide_paths)
        self.scrubber = PathScrubber(self.hide_paths)
        self.log = ExportLog()

    def reset(self) -> None:
        super().reset()
        self.names.reset()
        self.log = ExportLog()

    def pre_export(self) -> None:
        super().pre_export()
        self.names.reset()
        self.log = ExportLog()

    def post_export(self) -> Any:
        log = self.log
        if log.renamed or log.stills or log.reformatted:
            logger.info("%s: %d image(s) written (%d original bytes); %d renamed to stay unique (%s); %d animated "
                        "written as a still PNG; %d changed format", self, len(log.images), log.originals,
                        len(log.renamed), ", ".join(f"{a} -> {b}" for a, b in log.renamed[:5]), len(log.stills),
                        len(log.reformatted))
        return super().post_export()

    # -- helpers for subclasses ----------------------------------------------------------------
    def export_with(self, item: ImageItem, companions: Callable[[str, str], list[str]]) -> str:
        """Write the item's image under a unique name, then ``companions(image path, relative name)`` (which
        writes the caption or sidecar and returns their paths). On any error nothing of the item stays."""
        save_kwargs = {**(item.meta.get("save_cfg") or {}), **self.save_params}
        wanted = self.names.wanted(item.meta)
        plan = plan_image(item.image, wanted, save_kwargs, trainer_formats=self.trainer_formats,
                          quality=self.quality, keep_original=self.keep_original)
        name = self.names.claim(plan.name, item.meta)
        target = os.path.join(self.output_dir, name)
        written: list[str] = []
        try:
            if self.skip_when_image_exist and os.path.exists(target) and not self._is_stale(target):
                skipped = True
            else:
                skipped = False
                refuse_input_overwrite(target, item)
                target = write_planned(item.image, plan, target)
                written.append(target)
            written.extend(companions(target, os.path.relpath(target, self.output_dir).replace(os.sep, "/")))
        except BaseException:
            self.names.release(name)
            for path in written:
                if os.path.exists(path):
                    os.remove(path)
            raise
        for path in [target, *written]:
            self.mark_written(path)
        self._note(wanted, plan, name, skipped)
        return target

    def _note(self, wanted: str, plan, name: str, skipped: bool) -> None:
        log = self.log
        log.images.append(name.replace(os.sep, "/"))
        if plan.name != wanted:
            log.reformatted.append((wanted, plan.name))
        if name != plan.name:
            log.renamed.append((plan.name.replace(os.sep, "/"), name.replace(os.sep, "/")))
        if plan.still:
            log.stills.append(name.replace(os.sep, "/"))
        if not skipped:
            if plan.source is not None:
                log.originals += 1
            else:
                log.encoded += 1
