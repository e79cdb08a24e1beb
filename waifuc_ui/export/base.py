"""Exporters: pre_export -> export_item for each item -> post_export, as in waifuc."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable, Iterator
from typing import Any

from tqdm.auto import tqdm

from ..core.errors import ExportError, error_text
from ..core.item import ImageItem
from ..core.report import RunReport, SkippedFile, collect_report, current_report


class BaseExporter:
    def __init__(self, ignore_error_when_export: bool = False):
        self.ignore_error_when_export = ignore_error_when_export

    def pre_export(self) -> None:
        pass

    def export_item(self, item: ImageItem) -> None:
        raise NotImplementedError

    def post_export(self) -> Any:
        return None

    def reset(self) -> None:
        pass

    def export_from(self, items: Iterable[ImageItem], report: RunReport | None = None,
                    name: str | None = None) -> Any:
        """Export every item; errors inside ``export_item`` are recorded, not raised,
        when ``ignore_error_when_export`` is set."""
        with collect_report(report or current_report()) as report:
            self.pre_export()
            for n, item in enumerate(tqdm(items, desc=name or type(self).__name__, leave=False), 1):
                try:
                    self.export_item(item)
                except Exception as err:
                    if not self.ignore_error_when_export:
                        raise
                    reason = f"{type(err).__name__}: {error_text(err)}"  # an OS error's path is left out
                    report.export_failed.append(SkippedFile(item_label(item, n), reason))
                else:
                    report.exported += 1
            return self.post_export()


class StagedExporter(BaseExporter):
    """An exporter that writes into a temporary staging folder (``_workdir``, made by ``pre_export``) before
    packing or pushing it; the folder is removed when the export ends, whether it succeeded or not."""

    _workdir: str | None = None

    def export_from(self, items: Iterable[ImageItem], report: RunReport | None = None,
                    name: str | None = None) -> Any:
        try:
            return super().export_from(items, report=report, name=name)
        finally:
            if self._workdir and os.path.isdir(self._workdir):
                shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None


def item_label(item: ImageItem, n: int) -> str:
    """How a report names an item: its filename, else its file's name, else its place in the stream."""
    name = item.meta.get("filename") or os.path.basename(str(item.meta.get("path") or ""))
    return str(name) if name else f"item {n} (no file name)"


class LocalDirectoryExporter(BaseExporter):
    """An exporter that writes into ``output_dir``.

    ``clear=True`` never deletes before it knows the run is safe: the files already in the folder
    are listed at the start and, at the end, those the run did not write (see ``mark_written``;
    files modified during the run count as written) are deleted, with folders left empty. If an
    item read from inside the output folder arrives, or the run skipped or dropped such an input,
    ExportError is raised and nothing is deleted.
    """

    def __init__(self, output_dir: str, clear: bool = False, ignore_error_when_export: bool = False):
        super().__init__(ignore_error_when_export)
        self.output_dir = str(output_dir)
        self.clear = clear
        self._stale: set[str] | None = None
        self._started_ns = 0

    def reset(self) -> None:
        self._stale = None

    def pre_export(self) -> None:
        if os.path.exists(self.output_dir) and not os.path.isdir(self.output_dir):
            raise ExportError(f"output folder {self.output_dir!r} is a file", "give a folder path")
        os.makedirs(self.output_dir, exist_ok=True)
        self._started_ns = time.time_ns()
        self._stale = set(self._existing_files()) if self.clear else None

    def export_from(self, items: Iterable[ImageItem], report: RunReport | None = None,
                    name: str | None = None) -> Any:
        return super().export_from(self._guarded(items), report=report, name=name)

    def _guarded(self, items: Iterable[ImageItem]) -> Iterator[ImageItem]:
        from .safety import refuse_clear_over_input

        for item in items:
            if self.clear:
                refuse_clear_over_input(self.output_dir, item)
            yield item

    def post_export(self) -> Any:
        if self._stale:
            from .safety import refuse_clear_over_reported_inputs

            refuse_clear_over_reported_inputs(self.output_dir, self._stale, current_report())
            for rel in sorted(self._stale):
                path = os.path.join(self.output_dir, rel)
                if os.path.lexists(path) and os.lstat(path).st_mtime_ns < self._started_ns:
                    os.remove(path)
            self._remove_empty_folders()
        self._stale = None
        return None

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
        for root, _dirs, _files in os.walk(self.output_dir, topdown=False):
            if root != self.output_dir and not os.listdir(root):
                os.rmdir(root)
