"""The three kinds of action, as in waifuc.

``BaseAction.iter(item)`` yields 0..n items; ``iter_from(items)`` drives it over a stream and
ends cleanly on :class:`ActionStop`. ``ProcessAction.process`` is 1 -> 1, ``FilterAction.check``
is 1 -> 0/1. Actions are templates: a source deep-copies and ``reset()``s each one per run.

Every action class says whether it is ``per_item`` (see :class:`BaseAction`); the interactive
session memoises per item only the classes that declare it themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..core.item import ImageItem
from ..core.report import DropRecord, report_drop


class ActionStop(Exception):
    """Raised by an action to end the whole stream (e.g. after the first n items)."""


@dataclass(frozen=True)
class Verdict:
    """A filter decision with its evidence; truthy when the item is kept.

    ``check`` may return a plain bool (waifuc style) or a Verdict, which lets the
    run report say why an item was dropped.
    """

    keep: bool
    reason: str = ""
    score: float | None = None
    threshold: float | None = None

    def __bool__(self) -> bool:
        return self.keep


class BaseAction:
    #: label used in drop records; the session layer may set a per-step label.
    step_name: str | None = None
    #: True when what the action yields for an item depends only on that item and the action's parameters,
    #: never on the stream (order, counts, random state, earlier items): a session may then run it on one item
    #: at a time and memoise the result per item. A class declares it in its own body; a class that does not
    #: (a user's subclass too, even of a per-item action) is stream-dependent (False): the safe answer, since an
    #: override may count, sample or compare.
    per_item: bool = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "per_item" not in cls.__dict__:
            cls.per_item = False

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        raise NotImplementedError

    def iter_from(self, iter_: Iterable[ImageItem]) -> Iterator[ImageItem]:
        for item in iter_:
            try:
                yield from self.iter(item)
            except ActionStop:
                break

    def reset(self) -> None:
        """Clear per-run state. Stateless actions need not override it."""

    @property
    def name(self) -> str:
        return self.step_name or type(self).__name__

    def drop(self, item: ImageItem, reason: str, *, score: float | None = None,
             threshold: float | None = None, duplicate_of: str | None = None) -> None:
        """Record that ``item`` leaves the stream here (call it, then do not yield the item)."""
        report_drop(DropRecord(step=self.name, filename=item.meta.get("filename"), reason=reason,
                               score=score, threshold=threshold, duplicate_of=duplicate_of,
                               item_id=item.meta.get("item_id"), path=item.meta.get("path")))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def is_per_item(action: object) -> bool:
    """True when ``action`` (an instance or class) declares itself per-item; any other object (e.g. an
    action from waifuc itself) counts as stream-dependent."""
    return getattr(action, "per_item", False) is True


class ProcessAction(BaseAction):
    def process(self, item: ImageItem) -> ImageItem:
        raise NotImplementedError

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        yield self.process(item)

    def __call__(self, item: ImageItem) -> ImageItem:
        return self.process(item)


class FilterAction(BaseAction):
    def check(self, item: ImageItem) -> bool | Verdict:
        raise NotImplementedError

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        verdict = self.check(item)
        if verdict:
            yield item
        elif isinstance(verdict, Verdict):
            self.drop(item, verdict.reason or f"rejected by {self.name}",
                      score=verdict.score, threshold=verdict.threshold)
        else:
            self.drop(item, f"rejected by {self.name}")

    def __call__(self, item: ImageItem) -> bool:
        return bool(self.check(item))
