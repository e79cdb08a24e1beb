"""SaveExporter: images plus waifuc's ``.{body}_meta.json`` sidecars (plain JSON)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from ..model import ImageItem
from ..report import logger
from .folder import FolderExporter
from .sidecar import write_sidecar


class SaveExporter(FolderExporter):
    """Write each image under ``meta['filename']`` and, unless ``no_meta``, its meta as a sidecar.

    Save options are ``{**meta['save_cfg'], **save_params}``. ``skip_when_image_exist`` skips
    only the image; the sidecar is still written (as in waifuc). Sidecars are plain JSON: values
    JSON cannot hold are converted or left out (see :mod:`waifuc_ui.export.sidecar`), never
    pickled. LocalSource reads such a folder back with its tags and meta. For naming, ``clear``
    and input protection see :mod:`waifuc_ui.export.folder`.
    """

    def __init__(self, output_dir: str, clear: bool = False, no_meta: bool = False,
                 skip_when_image_exist: bool = False, ignore_error_when_export: bool = False,
                 save_params: Optional[Dict[str, Any]] = None):
        super().__init__(output_dir, clear=clear, skip_when_image_exist=skip_when_image_exist,
                         ignore_error_when_export=ignore_error_when_export, save_params=save_params)
        self.no_meta = no_meta

    def export_item(self, item: ImageItem) -> None:
        save_kwargs = {**(item.meta.get("save_cfg") or {}), **self.save_params}
        path = self.write_image(item, save_kwargs)
        if not self.no_meta and item.meta:
            sidecar, left_out = write_sidecar(path, item.meta)
            self.mark_written(sidecar)
            if left_out:
                logger.warning("sidecar %s: left out values JSON cannot hold: %s", sidecar, ", ".join(left_out))

    def __repr__(self) -> str:
        return f"SaveExporter({self.output_dir!r})"
