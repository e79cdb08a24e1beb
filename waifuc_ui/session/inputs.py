"""The session's inputs: the images brought in (demo, uploads, a folder, any source), the refused files and where
each batch came from. Bringing images in or clearing them makes the last run obsolete (``on_change``)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..core.errors import InvalidOptionError
from ..core.report import SkippedFile
from . import ingest
from .quota import QuotaLedger
from .store import ItemStore


class Inputs:
    """``ids``: the input item ids in order; ``refused``: files that did not come in, with their reasons; ``log``:
    one entry per batch (kind, detail, images, refused, replace)."""

    def __init__(self, store: ItemStore, quota: QuotaLedger, *, public_mode: bool, on_change: Callable[[], None]):
        self._store = store
        self._quota = quota
        self._public_mode = public_mode
        self._on_change = on_change
        self.ids: list[str] = []
        self.refused: list[SkippedFile] = []
        self.log: list[dict[str, Any]] = []

    def _take(self, result: ingest.IngestResult, replace: bool, kind: str, detail: str = "") -> ingest.IngestResult:
        if replace:
            self.ids, self.refused, self.log = [], [], []
        self.ids.extend(result.ids)
        self.refused.extend(result.refused)
        self.log.append({"kind": kind, "detail": detail, "images": len(result.records),
                         "refused": len(result.refused), "replace": bool(replace)})
        self._on_change()
        return result

    def load_demo(self, demo_dir: str | None = None, replace: bool = True) -> ingest.IngestResult:
        return self._take(ingest.ingest_demo(self._store, demo_dir), replace, "demo")

    def add_uploads(self, paths: list[str], replace: bool = False, **options: Any) -> ingest.IngestResult:
        names = [os.path.basename(str(p)) for p in paths]
        return self._take(ingest.ingest_uploads(self._store, paths, quota=self._quota, **options), replace, "upload",
                          ", ".join(names[:5]) + (f" (+{len(names) - 5} more)" if len(names) > 5 else ""))

    def add_folder(self, directory: str, replace: bool = False, **options: Any) -> ingest.IngestResult:
        return self._take(ingest.ingest_folder(self._store, directory, public_mode=self._public_mode, **options),
                          replace, "folder", directory)

    def add_source(self, source: Any, replace: bool = False, **options: Any) -> ingest.IngestResult:
        """Any waifuc_ui source (e.g. a web source); ``max_items``, ``cancel``, ``progress`` as in ingest_source.
        In public mode, sources that read server folders are refused."""
        if self._public_mode and ingest.reads_server_folders(source):
            raise InvalidOptionError("source", type(source).__name__,
                                     fix="reading server folders is disabled in public mode; upload images instead")
        return self._take(ingest.ingest_source(self._store, source, **options), replace, "source",
                          type(source).__name__)

    def clear(self) -> None:
        self.ids, self.refused, self.log = [], [], []
        self._on_change()

    def metas(self) -> dict[str, dict[str, Any]]:
        """Input id -> the item's meta as it came in."""
        return {i: self._store.get(i).meta for i in self.ids}

    # -- persistence ----------------------------------------------------------------------------------------------
    def load_state(self, ids: list[str], refused: list[SkippedFile], log: list[dict[str, Any]]) -> None:
        """Restore saved inputs (no ``on_change``: the saved run stays)."""
        self.ids, self.refused, self.log = list(ids), list(refused), list(log)
