"""Bringing images into a session: the demo dataset, uploads, a local folder, any source.

Every function returns an :class:`IngestResult`: the new records (in source order) and the refused inputs with
their reasons (from the sources' ``report_skip``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import InvalidOptionError, SourceError, WaifucUIError
from ..core.report import SkippedFile, collect_report
from .store import ItemRecord, ItemStore

if TYPE_CHECKING:
    from .quota import QuotaLedger


@dataclass
class IngestResult:
    """``records``: items that came in; ``refused``: inputs that did not, each with its reason;
    ``cancelled``: the ingest stopped early on request; ``limited``: it stopped at ``max_items``;
    ``error``: why the source stopped early (e.g. a site refused the crawl), the items before it are kept."""

    records: list[ItemRecord] = field(default_factory=list)
    refused: list[SkippedFile] = field(default_factory=list)
    cancelled: bool = False
    limited: bool = False
    error: str = ""

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.records]

    def summary(self) -> str:
        text = f"{len(self.records)} images came in, {len(self.refused)} files refused"
        if self.limited:
            text += " (stopped at the item limit)"
        if self.cancelled:
            text += " (stopped)"
        if self.error:
            text += f"; the source stopped: {self.error}"
        return text


def default_demo_dir() -> str:
    """``assets/demo`` of the repository (the bundled demo dataset)."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "assets", "demo")


def ingest_source(store: ItemStore, source: Iterable, *, max_items: int | None = None,
                  cancel: threading.Event | None = None,
                  progress: Callable[[int], None] | None = None) -> IngestResult:
    """Store every item of ``source`` (an iterable of ImageItem, e.g. any waifuc_ui source) in ``store``.

    An item's file is kept as is only when the source says it read exactly that file (``item.source_file``);
    ``meta['path']`` is never opened (it may come from a visitor's sidecar)."""
    result = IngestResult()
    with collect_report() as report:
        try:
            for item in source:
                if cancel is not None and cancel.is_set():
                    result.cancelled = True
                    break
                source_file = getattr(item, "source_file", None)
                result.records.append(store.add_input(item.image, dict(item.meta), source_file))
                if progress is not None:
                    progress(len(result.records))
                if max_items is not None and len(result.records) >= max_items:
                    result.limited = True
                    break
        except WaifucUIError as err:
            if not result.records and not report.skipped:
                raise  # nothing came in: the caller shows the error itself
            result.error = str(err)
    result.refused = list(report.skipped)
    return result


def reads_server_folders(source: object) -> bool:
    """True when ``source`` is, or is built from (attach, ``+``, ``|``), a source that reads folders of this
    machine (LocalSource and its kin, subclasses included). Public mode refuses such sources."""
    from ..source.base import AttachedDataSource, ComposedDataSource, ParallelDataSource
    from ..source.local import FolderSource

    if isinstance(source, FolderSource):
        return True
    if isinstance(source, AttachedDataSource):
        return reads_server_folders(source.source)
    if isinstance(source, (ComposedDataSource, ParallelDataSource)):
        return any(reads_server_folders(s) for s in source.sources)
    return False


def ingest_folder(store: ItemStore, directory: str, *, public_mode: bool, recursive: bool = True,
                  max_items: int | None = None, cancel: threading.Event | None = None) -> IngestResult:
    """Images of a server folder (LocalDatasetSource: sidecars and ``.txt`` captions). Refused in public mode: a
    visitor never names server folders."""
    if public_mode:
        raise InvalidOptionError("local folder", directory,
                                 fix="reading server folders is disabled in public mode (on a Space); upload "
                                     "images or a zip instead")
    from ..source import LocalDatasetSource

    if not os.path.isdir(directory):
        raise SourceError(f"folder {directory!r} does not exist or is not a folder; give the path of a folder "
                          "of images on this machine")
    return ingest_source(store, LocalDatasetSource(directory, recursive=recursive), max_items=max_items,
                         cancel=cancel)


def ingest_demo(store: ItemStore, demo_dir: str | None = None) -> IngestResult:
    """The bundled demo dataset (``assets/demo``, read like a folder: sidecars and ``.txt`` captions); its corrupt
    files show up in ``refused`` on purpose."""
    from ..source import LocalDatasetSource

    directory = demo_dir or default_demo_dir()
    if not os.path.isdir(directory):
        raise SourceError(f"demo dataset folder {directory!r} is missing; run `python assets/make_demo.py`")
    return ingest_source(store, LocalDatasetSource(directory))


def ingest_uploads(store: ItemStore, paths: Iterable[str], *, max_items: int | None = None,
                   cancel: threading.Event | None = None, quota: QuotaLedger | None = None,
                   **upload_options) -> IngestResult:
    """Uploaded images and zip archives (unpacked safely into the workspace's ``uploads`` folder). With ``quota``
    (the session's ledger) the upload is held to what is left of the session's quotas and charged for what it
    used; ``upload_options`` override single UploadSource options."""
    from ..source.upload import UploadSource

    limits: AbstractContextManager[dict[str, Any]] = quota.upload() if quota is not None else nullcontext({})
    with limits as quota_options:
        source = UploadSource(list(paths), store.workspace.subdir("uploads"), **{**quota_options, **upload_options})
        return ingest_source(store, source, max_items=max_items, cancel=cancel)
