"""The two model calls of the review, as one object a session is given (tests give functions without models)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.item import ImageItem


def ccip_labels(items: Sequence[ImageItem], *, threshold: float | None, eps: float | None,
                min_samples: int | None, method: str) -> list[int]:
    """One CCIP cluster label per item (-1: noise), from the features the CCIP step cached."""
    from ..analysis import ccip_review

    # waifuc's view (no threshold) reproduces imgutils exactly; a slider move links
    # images by their true differences, which is also ~50x faster on 1,000 images
    result = ccip_review(items, threshold=threshold, eps=eps, min_samples=min_samples, method=method,
                         imgutils_exact=threshold is None)
    return [int(x) for x in result.labels]


def lpips_groups(items: Sequence[ImageItem], *, threshold: float) -> list[list[int]]:
    """Groups of indices into ``items`` linked by LPIPS distance <= ``threshold``."""
    from ..analysis import lpips_duplicate_groups

    return lpips_duplicate_groups(items, threshold=threshold)


@dataclass(frozen=True)
class ReviewModels:
    """``ccip_labels(items, threshold=, eps=, min_samples=, method=)`` -> one label per item;
    ``lpips_groups(items, threshold=)`` -> groups (lists of indices into ``items``). Called inside the session's
    analysis cache."""

    ccip_labels: Callable[..., Sequence[Any]] = ccip_labels
    lpips_groups: Callable[..., Sequence[Sequence[int]]] = lpips_groups
