"""Random sampling and progress bars: RandomChoiceAction, ArrivalAction, ProgressBarAction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tqdm.auto import tqdm

from ..core.errors import InvalidArgumentError
from ..core.item import ImageItem
from .base import BaseAction
from .naming import BaseRandomAction


class RandomChoiceAction(BaseRandomAction):
    """Keep each item with probability ``p`` (seeded by ``seed``; same picks on every run).

    Fix: the test is ``rand < p`` (waifuc: ``<=``), so ``p=0`` keeps nothing and ``p=1`` keeps all.
    Dropped items are recorded with the reason "not sampled".
    """

    per_item = False  # the n-th draw depends on the n-1 draws before

    def __init__(self, p: float = 0.5, seed=None):
        if not 0.0 <= p <= 1.0:
            raise InvalidArgumentError(f"p must be a probability between 0 and 1, got {p!r}",
                                       "give e.g. 0.5 to keep about half of the images")
        super().__init__(seed)
        self.p = p

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        if self.random.random() < self.p:
            yield item
        else:
            self.drop(item, f"not sampled (p={self.p})")

    def __repr__(self) -> str:
        return f"RandomChoiceAction(p={self.p!r}, seed={self.seed!r})"


class ProgressBarAction(BaseAction):
    """Pass every item through, counting them on a tqdm progress bar of ``total`` items."""

    per_item = True  # passes items through unchanged

    def __init__(self, total: int | None = None):
        self.total = total

    def _desc(self) -> str:
        return "Progress"

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        yield item

    def iter_from(self, iter_: Iterable[ImageItem]) -> Iterator[ImageItem]:
        with tqdm(total=self.total, desc=self._desc(), leave=False) as bar:
            for item in iter_:
                bar.update(1)
                yield item

    def __repr__(self) -> str:
        return f"{type(self).__name__}(total={self.total!r})"


class ArrivalAction(ProgressBarAction):
    """A pass-through with a progress bar named ``name``: shows how many items reach this point."""

    per_item = True  # passes items through unchanged

    def __init__(self, name: str, total: int | None = None):
        super().__init__(total)
        self.title = name

    def _desc(self) -> str:
        return str(self.title)

    def __repr__(self) -> str:
        return f"ArrivalAction({self.title!r}, total={self.total!r})"
