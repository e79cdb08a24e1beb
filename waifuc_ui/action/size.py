"""Size filters: drop images whose short side or area is below a minimum."""

from __future__ import annotations

from math import sqrt

from ..core.errors import InvalidArgumentError
from ..core.item import ImageItem
from .base import FilterAction, Verdict


def _check_min(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise InvalidArgumentError(f"min_size must be a number of pixels >= 0, got {value!r}",
                                   "give a size such as 256, or 0 to keep every image")
    return value


class MinSizeFilterAction(FilterAction):
    """Keep an item when ``min(width, height) >= min_size``; the drop record carries the short side."""

    per_item = True

    def __init__(self, min_size: int):
        self.min_size = _check_min(min_size)

    def check(self, item: ImageItem) -> Verdict:
        width, height = item.image.size
        short_side = min(width, height)
        return Verdict(short_side >= self.min_size,
                       reason=f"short side {short_side} px < {self.min_size} px ({width}x{height})",
                       score=float(short_side), threshold=float(self.min_size))

    def __repr__(self) -> str:
        return f"MinSizeFilterAction({self.min_size})"


class MinAreaFilterAction(FilterAction):
    """Keep an item when ``sqrt(width * height) >= min_size``; the drop record carries that value."""

    per_item = True

    def __init__(self, min_size: int):
        self.min_size = _check_min(min_size)

    def check(self, item: ImageItem) -> Verdict:
        width, height = item.image.size
        side = sqrt(width * height)
        return Verdict(side >= self.min_size,
                       reason=f"sqrt(area) {side:.1f} px < {self.min_size} px ({width}x{height})",
                       score=side, threshold=float(self.min_size))

    def __repr__(self) -> str:
        return f"MinAreaFilterAction({self.min_size})"
