"""SaveExporter: images plus waifuc's ``.{body}_meta.json`` sidecars (plain JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..core.item import ImageItem
from ..core.report import logger
from .folder import FolderExporter
from .policy import DEFAULT_QUALITY
from .privacy import public_meta
from .sidecar import write_sidecar


class SaveExporter(FolderExporter):
    """Write each image under ``meta['filename']`` and, unless ``no_meta``, its meta as a sidecar.

    Save options are ``{**meta['save_cfg'], **save_params}``. ``skip_when_image_exist`` skips
    only the image; the sidecar is still written (as in waifuc). Sidecars are plain JSON: values
    JSON cannot hold are converted or left out (see :mod:`waifuc_ui.export.sidecar`), never
    pickled. The sidecar's ``filename`` is the name written; it carries no ``path`` or other path of
    this machine (:mod:`waifuc_ui.export.privacy`). LocalSource reads such a folder back with its
    tags and meta. Names, bytes and formats: see :mod:`waifuc_ui.export.folder` (``trainer_formats``
    is off here: formats and frames are kept as named).
    """

    def __init__(self, output_dir: str, clear: bool = False, no_meta: bool = False,
                 skip_when_image_exist: bool = False, ignore_error_when_export: bool = False,
                 save_params: dict[str, Any] | None = None, quality: int = DEFAULT_QUALITY,
                 keep_original: bool = True, trainer_formats: bool = False, flatten: bool = False,
                 hide_paths: Iterable[str] = ()):
        super().__init__(output_dir, clear=clear, skip_when_image_exist=skip_when_image_exist,
                         ignore_error_when_export=ignore_error_when_export, save_params=save_params,
                         quality=quality, keep_original=keep_original, trainer_formats=trainer_formats,
                         flatten=flatten, hide_paths=hide_paths)
        self.no_meta = no_meta

    def export_item(self, item: ImageItem) -> None:
        self.export_with(item, lambda path, name: self._sidecar(item, path, name))

    def _sidecar(self, item: ImageItem, path: str, name: str):
        if self.no_meta or not item.meta:
            return []
        meta = public_meta({**item.meta, "filename": name}, self.scrubber)
        sidecar, left_out = write_sidecar(path, meta)
        if left_out:
            logger.warning("sidecar %s: left out values JSON cannot hold: %s", sidecar, ", ".join(left_out))
        return [sidecar]

    def __repr__(self) -> str:
        return f"SaveExporter({self.output_dir!r})"
