"""Selection actions that end the stream: first n, and range-style slices."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..core.errors import ArgumentTypeError, InvalidArgumentError
from ..core.item import ImageItem
from .base import ActionStop, BaseAction


class FirstNSelectAction(BaseAction):
    """Pass the first ``n`` items, then stop the stream.

    Unlike waifuc, the stream stops right after item n, so upstream does not
    process one extra item.
    """

    per_item = False  # keeps by arrival position

    def __init__(self, n: int):
        if n < 0:
            raise InvalidArgumentError(f"n must be >= 0, got {n}", "give 0 or more items to keep")
        self.n = n
        self._passed = 0

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        if self._passed >= self.n:
            raise ActionStop
        self._passed += 1
        yield item

    def iter_from(self, iter_: Iterable[ImageItem]) -> Iterator[ImageItem]:
        if self.n == 0:
            return
        for item in super().iter_from(iter_):
            yield item
            if self._passed >= self.n:
                return

    def reset(self) -> None:
        self._passed = 0

    def __repr__(self) -> str:
        return f"FirstNSelectAction({self.n})"


class SliceSelectAction(BaseAction):
    """``range(start, stop, step)`` semantics over arrival order; ``stop=None`` means no end."""

    per_item = False  # keeps by arrival position

    def __init__(self, *args: int | None):
        if len(args) > 3:
            raise ArgumentTypeError(f"SliceSelectAction takes at most 3 arguments, got {len(args)}",
                                    "give (stop), (start, stop) or (start, stop, step), as range() takes")
        if len(args) == 1:
            start, stop, step = None, args[0], None
        else:
            start, stop, step = (tuple(args) + (None, None, None))[:3]
        self.start = 0 if start is None else start
        self.stop = stop
        self.step = 1 if step is None else step
        for name, value in (("start", self.start), ("stop", self.stop), ("step", self.step)):
            if value is not None and value < 0:
                raise InvalidArgumentError(f"SliceSelectAction {name} must be >= 0, got {value}",
                                           "count from the start: a stream has no known length")
        if self.step == 0:
            raise InvalidArgumentError("SliceSelectAction step must not be 0",
                                       "give 1 to keep every item, 2 for every other")
        self._index = 0

    def _wanted(self, i: int) -> bool:
        return i >= self.start and (i - self.start) % self.step == 0

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        i = self._index
        if self.stop is not None and i >= self.stop:
            raise ActionStop
        self._index += 1
        if self._wanted(i):
            yield item

    def iter_from(self, iter_: Iterable[ImageItem]) -> Iterator[ImageItem]:
        # stops without pulling the item at index ``stop`` from upstream
        if self.stop is not None and self.stop <= self.start:
            return
        for item in iter_:
            i = self._index
            self._index += 1
            if self._wanted(i):
                yield item
            if self.stop is not None and self._index >= self.stop:
                return

    def reset(self) -> None:
        self._index = 0

    def __repr__(self) -> str:
        return f"SliceSelectAction({self.start}, {self.stop}, {self.step})"
