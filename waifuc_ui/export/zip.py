"""ZipExporter: one zip archive of either exporter layout, for a download button."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable
from typing import Any

from ..core.errors import ExportError, InternalError, InvalidOptionError
from ..core.files import atomic_write
from ..core.item import ImageItem
from .base import StagedExporter
from .folder import ExportLog, FolderExporter
from .safety import input_paths, safe_relative_name, same_file
from .save import SaveExporter
from .textual_inversion import TextualInversionExporter

LAYOUTS = {"textual_inversion": TextualInversionExporter, "save": SaveExporter}
#: Already-compressed files are stored, text is deflated.
_STORED_EXTS = {".png", ".jpg", ".jpeg", ".webp", ".gif", ".zip"}


class ZipExporter(StagedExporter):
    """Export with the ``layout`` exporter into a temporary folder next to ``archive_path``, then
    pack that folder into ``archive_path`` (entries sorted, ``/`` separated, hidden sidecars
    included) and remove the folder. ``post_export`` returns the archive path.

    ``layout``: ``'textual_inversion'`` (image + ``.txt``) or ``'save'`` (image + sidecar json);
    ``options`` go to that exporter (e.g. ``trigger_word``, ``use_spaces``, ``no_meta``, ``flatten``,
    ``quality``, ``trainer_formats``), so names, bytes and formats follow the same rules as in a folder
    (see :mod:`waifuc_ui.export.folder`). ``folder`` puts every entry under that folder of the archive
    (e.g. kohya's ``10_name``). The archive appears only when complete, and is never written onto an
    input file. :attr:`log` is the inner exporter's :class:`~waifuc_ui.export.folder.ExportLog`.
    """

    def __init__(self, archive_path: str, layout: str = "textual_inversion",
                 ignore_error_when_export: bool = False, folder: str = "", **options: Any):
        super().__init__(ignore_error_when_export)
        if layout not in LAYOUTS:
            raise InvalidOptionError("layout", layout, list(LAYOUTS), "Use 'textual_inversion' for image + .txt "
                                     "captions or 'save' for image + meta json")
        for fixed in ("output_dir", "clear"):
            if fixed in options:
                raise InvalidOptionError(fixed, options[fixed], None,
                                         f"ZipExporter builds its own folder; remove {fixed}= from the options")
        LAYOUTS[layout](os.devnull, **options)  # bad option names fail here, before any run
        self.archive_path = str(archive_path)
        self.folder = safe_relative_name(folder) or ""
        self.layout = layout
        self.options = options
        self._inner: FolderExporter | None = None
        self._workdir: str | None = None
        self._archive_is_input = False

    def reset(self) -> None:
        self._inner, self._workdir, self._archive_is_input = None, None, False

    def pre_export(self) -> None:
        parent = os.path.dirname(os.path.abspath(self.archive_path))
        os.makedirs(parent, exist_ok=True)
        self._workdir = tempfile.mkdtemp(prefix=".zip_build_", dir=parent)
        self._inner = LAYOUTS[self.layout](os.path.join(self._workdir, self.folder), **self.options)
        self._inner.reset()
        self._inner.pre_export()

    def export_item(self, item: ImageItem) -> None:
        if any(same_file(source, self.archive_path) for source in input_paths(item)):
            self._archive_is_input = True
        self._building().export_item(item)

    @property
    def log(self) -> ExportLog:
        return self._inner.log if self._inner is not None else ExportLog()

    def _building(self) -> FolderExporter:
        if self._inner is None:
            raise InternalError(f"{type(self).__name__} got an item before pre_export()")
        return self._inner

    def post_export(self) -> str:
        self._building().post_export()
        if self._archive_is_input:
            raise ExportError(f"refusing to write {self.archive_path!r}: it is an input file of this run",
                              "choose another archive path")
        atomic_write(self.archive_path, self._write_zip)
        return self.archive_path

    def _write_zip(self, f) -> None:
        workdir = self._workdir
        if workdir is None:
            raise InternalError(f"{type(self).__name__} wrote its archive before pre_export()")
        with zipfile.ZipFile(f, "w") as archive:
            for rel in sorted(_files_under(workdir)):
                compress = zipfile.ZIP_STORED if os.path.splitext(rel)[1].lower() in _STORED_EXTS \
                    else zipfile.ZIP_DEFLATED
                archive.write(os.path.join(workdir, rel), rel.replace(os.sep, "/"), compress_type=compress)

    def __repr__(self) -> str:
        return f"ZipExporter({self.archive_path!r}, layout={self.layout!r})"


def _files_under(folder: str) -> Iterable[str]:
    for root, _dirs, files in os.walk(folder):
        for f in files:
            yield os.path.relpath(os.path.join(root, f), folder)
