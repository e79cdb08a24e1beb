"""Duitang (www.duitang.com). Listing: ``GET /napi/blog/list/by_search/?kw=...&start=N&limit=100``
answering ``{"status": 1, "data": {"object_list": [{"id", "msg", "photo": {"path", ...}}], ...}}``.

This API is not publicly documented; it is followed from waifuc's code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .base import WebDataSource, WebPost


def keyword_words(text: str) -> set[str]:
    """The words of ``text``, case-folded (split on anything that is not a letter or digit)."""
    return {word.casefold() for word in re.split(r"[\W_]+", text or "") if word}


class DuitangSource(WebDataSource):
    """Images of a Duitang keyword search: waifuc's ``DuitangSource(keyword, strict=True,
    page_size=100, group_name='duitang', download_silent=True)``. ``strict`` keeps only posts whose
    title holds every word of the keyword, ignoring case (waifuc compares case). Items carry no tags
    (as in waifuc). Unconfirmed API: not publicly documented, followed from waifuc's code."""

    site = "duitang"
    default_base_url = "https://www.duitang.com"

    def __init__(self, keyword: str, strict: bool = True, page_size: int = 100, group_name: str | None = None,
                 download_silent: bool = True, **options: Any):
        super().__init__(group_name=group_name, **options)
        self.keyword, self.strict, self.page_size = str(keyword), bool(strict), int(page_size)
        self.words = keyword_words(self.keyword)

    def _args_repr(self) -> str:
        return repr(self.keyword) + ("" if self.strict else ", strict=False")

    def _fetch_page(self, client, page: int) -> list[Any] | None:
        raw = self._get_json(client, f"{self.base_url}/napi/blog/list/by_search/",
                             {"kw": self.keyword, "start": str(page * self.page_size), "limit": str(self.page_size)})
        data = raw.get("data") if isinstance(raw, dict) else None
        posts = data.get("object_list") if isinstance(data, dict) else None
        return posts if isinstance(posts, list) else None

    def _iter_posts(self, client) -> Iterator[WebPost]:
        for raw in self._paginate(lambda page: self._fetch_page(client, page), first_page=0):
            if not isinstance(raw, dict) or "id" not in raw:
                continue
            if self.strict and not self.words <= keyword_words(str(raw.get("msg") or "")):
                continue
            url = (raw.get("photo") or {}).get("path")
            yield self._post(raw["id"], url, raw, None, None if url else "the post has no photo")
