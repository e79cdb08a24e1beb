"""Sources: iterables of ImageItem that compose like waifuc's.

Every ``iter(source)`` builds a fresh chain. ``attach`` returns a new source, ``s[:n]``
and other slices select, ``a + b`` concatenates, ``a | b`` interleaves at random, and
``export`` drives the chain into an exporter.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..core.errors import ArgumentTypeError, InvalidArgumentError
from ..core.item import ImageItem
from ..core.report import RunReport, collect_report, current_report

if TYPE_CHECKING:
    from ..action.base import BaseAction
    from ..export.base import BaseExporter


class BaseDataSource:
    def _iter(self) -> Iterator[ImageItem]:
        raise NotImplementedError

    def __iter__(self) -> Iterator[ImageItem]:
        yield from self._iter()

    def attach(self, *actions: BaseAction) -> AttachedDataSource:
        return AttachedDataSource(self, *actions)

    def __getitem__(self, item: slice) -> AttachedDataSource:
        from ..action.select import FirstNSelectAction, SliceSelectAction

        if not isinstance(item, slice):
            raise ArgumentTypeError(f"sources support only slices like [:n] or [a:b:c], not {item!r}",
                                    "take the first n items with source[:n]")
        for name in ("start", "stop", "step"):
            value = getattr(item, name)
            if value is not None and value < 0:
                raise InvalidArgumentError(f"negative slice {name} {value} is not supported: a source has no known "
                                           "length", "count from the start, e.g. source[:100] or source[10:100]")
        if item.start is None and item.step is None and item.stop is not None:
            return self.attach(FirstNSelectAction(item.stop))
        return self.attach(SliceSelectAction(item.start, item.stop, item.step))

    def __add__(self, other: BaseDataSource) -> ComposedDataSource:
        return ComposedDataSource(self, other)

    def __or__(self, other: BaseDataSource) -> ParallelDataSource:
        return ParallelDataSource(self, other)

    def export(self, exporter: BaseExporter | str, name: str | None = None) -> RunReport:
        """Run the chain into ``exporter`` (a path means ``SaveExporter(path, no_meta=True)``).

        Returns the run report: counts, skipped inputs and dropped items with reasons.
        """
        from ..export.base import BaseExporter

        if isinstance(exporter, str):
            from ..export import SaveExporter

            exporter = SaveExporter(exporter, no_meta=True)
        if not isinstance(exporter, BaseExporter):
            raise ArgumentTypeError(f"export needs an exporter or a folder path, got {type(exporter).__name__}",
                                    "pass a folder path or an exporter such as SaveExporter('out')")
        exporter = copy.deepcopy(exporter)
        exporter.reset()
        with collect_report(current_report()) as report:
            exporter.export_from(iter(self), report=report, name=name)
        return report


class NamedDataSource(BaseDataSource):
    """A source with a readable ``str()``, e.g. ``LocalSource('raw')``."""

    def _args_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._args_repr()})"


class AttachedDataSource(BaseDataSource):
    source: BaseDataSource
    actions: tuple[BaseAction, ...]

    def __init__(self, source: BaseDataSource, *actions: BaseAction):
        # nested attaches flatten into one
        if isinstance(source, AttachedDataSource):
            self.source, self.actions = source.source, tuple(source.actions) + tuple(actions)
        else:
            self.source, self.actions = source, tuple(actions)

    def _iter(self) -> Iterator[ImageItem]:
        stream: Iterator[ImageItem] = iter(self.source)
        for template in self.actions:
            action = copy.deepcopy(template)
            action.reset()
            stream = action.iter_from(stream)
        yield from stream

    def __repr__(self) -> str:
        return f"{self.source!r}.attach({', '.join(map(repr, self.actions))})"


class ComposedDataSource(BaseDataSource):
    """``a + b``: all of a, then all of b."""

    sources: list[BaseDataSource]

    def __init__(self, *sources: BaseDataSource):
        flat: list[BaseDataSource] = []
        for s in sources:
            flat.extend(s.sources if isinstance(s, ComposedDataSource) else [s])
        self.sources = flat

    def _iter(self) -> Iterator[ImageItem]:
        for s in self.sources:
            yield from s

    def __repr__(self) -> str:
        return " + ".join(map(repr, self.sources))


class ParallelDataSource(BaseDataSource):
    """``a | b``: each item comes from a uniformly random source that still has items."""

    sources: list[BaseDataSource]

    def __init__(self, *sources: BaseDataSource, seed: int | None = None):
        flat: list[BaseDataSource] = []
        for s in sources:
            flat.extend(s.sources if isinstance(s, ParallelDataSource) else [s])
        self.sources = flat
        self.seed = seed

    def _iter(self) -> Iterator[ImageItem]:
        rng = random.Random(self.seed)
        live = [iter(s) for s in self.sources]
        while live:
            it = rng.choice(live)
            try:
                yield next(it)
            except StopIteration:
                live.remove(it)

    def __repr__(self) -> str:
        return " | ".join(map(repr, self.sources))
