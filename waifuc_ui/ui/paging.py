"""Pages of thumbnails for galleries: a large step never sends more than one page to the browser."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

#: Thumbnails per gallery page (keeps a 2,000-image step responsive).
PAGE_SIZE = 48


def page_count(total: int, page_size: int = PAGE_SIZE) -> int:
    """Number of pages for ``total`` entries (at least 1, so an empty gallery still has page 1)."""
    return max(1, -(-total // page_size))


def clamp_page(page: int | float | None, total: int, page_size: int = PAGE_SIZE) -> int:
    """The 1-based page number nearest to ``page`` that exists."""
    wanted = int(page or 1)
    return min(max(1, wanted), page_count(total, page_size))


def page_slice(entries: Sequence[T], page: int | float | None, page_size: int = PAGE_SIZE) -> tuple[list[T], int]:
    """The entries on ``page`` (1-based, clamped) and the clamped page number."""
    number = clamp_page(page, len(entries), page_size)
    start = (number - 1) * page_size
    return list(entries[start : start + page_size]), number


def page_label(page: int, total: int, page_size: int = PAGE_SIZE) -> str:
    """Human text such as ``"page 2 of 5 · 200 images"``."""
    return f"page {page} of {page_count(total, page_size)} · {total} image{'s' if total != 1 else ''}"
