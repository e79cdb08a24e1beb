"""Exporters: pre_export -> export_item for each item -> post_export, as in waifuc."""

from __future__ import annotations

import os
import shutil
from typing import Any, Iterable, Optional

from tqdm.auto import tqdm

from ..model import ImageItem
from ..report import RunReport, SkippedFile, collect_report, current_report


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

    def export_from(self, items: Iterable[ImageItem], report: Optional[RunReport] = None,
                    name: Optional[str] = None) -> Any:
        """Export every item; errors inside ``export_item`` are recorded, not raised,
        when ``ignore_error_when_export`` is set."""
        with collect_report(report or current_report()) as report:
            self.pre_export()
            for item in tqdm(items, desc=name or type(self).__name__, leave=False):
                try:
                    self.export_item(item)
                except Exception as err:
                    if not self.ignore_error_when_export:
                        raise
                    report.export_failed.append(SkippedFile(str(item.meta.get("filename")), repr(err)))
                else:
                    report.exported += 1
            return self.post_export()


class LocalDirectoryExporter(BaseExporter):
    """An exporter that writes into ``output_dir``; ``clear=True`` empties it first
    (refused when it holds the inputs; see ``waifuc_ui.export.safety``)."""

    def __init__(self, output_dir: str, clear: bool = False, ignore_error_when_export: bool = False):
        super().__init__(ignore_error_when_export)
        self.output_dir = str(output_dir)
        self.clear = clear

    def pre_export(self) -> None:
        if self.clear and os.path.exists(self.output_dir):
            shutil.rmtree(self.output_dir)
        os.makedirs(self.output_dir, exist_ok=True)
