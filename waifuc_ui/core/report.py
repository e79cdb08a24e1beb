"""What a run refused and dropped, and why.

A source that cannot read a file calls :func:`report_skip`; an action that drops an item
calls :func:`report_drop` (through ``BaseAction.drop``). Records go to the report that is
active in the current context::

    with collect_report() as report:
        for item in source: ...
    report.skipped, report.dropped

``source.export(...)`` opens one itself and returns it. Without an active report the
records only go to the ``waifuc_ui`` logger. Context variables do not cross threads:
code that prefetches in a worker thread must record from the consuming thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

logger = logging.getLogger("waifuc_ui")


@dataclass(frozen=True)
class SkippedFile:
    """An input that never became an item: unreadable, refused, too large."""

    path: str
    reason: str
    source: str = ""


@dataclass(frozen=True)
class DropRecord:
    """An item an action dropped, with the evidence."""

    step: str
    filename: str | None
    reason: str
    score: float | None = None
    threshold: float | None = None
    duplicate_of: str | None = None
    item_id: str | None = None
    path: str | None = None  # the input file the item was read from, when known


@dataclass
class RunReport:
    skipped: list[SkippedFile] = field(default_factory=list)
    dropped: list[DropRecord] = field(default_factory=list)
    exported: int = 0
    export_failed: list[SkippedFile] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.exported} exported, {len(self.dropped)} dropped, "
                f"{len(self.skipped)} inputs skipped, {len(self.export_failed)} failed to export")


_current: ContextVar[RunReport | None] = ContextVar("waifuc_ui_report", default=None)


def current_report() -> RunReport | None:
    return _current.get()


@contextmanager
def collect_report(report: RunReport | None = None) -> Iterator[RunReport]:
    """Make ``report`` (or a new one) the active report for the duration of the block."""
    report = report if report is not None else RunReport()
    token = _current.set(report)
    try:
        yield report
    finally:
        _current.reset(token)


def report_skip(path: str, reason: str, source: str = "") -> None:
    logger.warning("skipped %s: %s", path, reason)
    report = _current.get()
    if report is not None:
        report.skipped.append(SkippedFile(str(path), reason, source))


def report_drop(record: DropRecord) -> None:
    logger.debug("dropped %s at %s: %s", record.filename, record.step, record.reason)
    report = _current.get()
    if report is not None:
        report.dropped.append(record)
