"""Wallhaven (wallhaven.cc). API (documented at wallhaven.cc/help/api):
``GET /api/v1/search?q=...&categories=110&purity=110&sorting=...&atleast=WxH&page=N`` answering
``{"data": [{"id", "path", "thumbs": {...}, ...}], "meta": {"current_page", "last_page", ...}}``.
An API key (account settings) is needed for NSFW results; it goes in the ``X-API-Key`` header of
API requests only and is never logged. The site allows 45 API calls a minute.
``ai_art_filter`` is sent as waifuc does; it is not in the public documentation.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import IntFlag
from typing import Any

from ...core.errors import InvalidOptionError
from .base import WebDataSource, WebPost
from .client import SiteClient
from .credentials import Secret

SORTINGS = ("date_added", "relevance", "random", "views", "favorites", "toplist")
SELECTS = ("original", "thumbnail")


class Category(IntFlag):
    """Wallhaven categories, as waifuc's flags (``Category.GENERAL | Category.ANIME``)."""

    GENERAL = 0x4
    ANIME = 0x2
    PEOPLE = 0x1
    DEFAULT = GENERAL | ANIME
    ALL = GENERAL | ANIME | PEOPLE

    @property
    def mark(self) -> str:
        return _mark(int(self))


class Purity(IntFlag):
    """Wallhaven purities, as waifuc's flags (``Purity.SFW | Purity.SKETCHY``)."""

    SFW = 0x4
    SKETCHY = 0x2
    NSFW = 0x1
    DEFAULT = SFW | SKETCHY
    ALL = SFW | SKETCHY | NSFW

    @property
    def mark(self) -> str:
        return _mark(int(self))


def _mark(value: int) -> str:
    return "".join("1" if value & bit else "0" for bit in (4, 2, 1))


def _as_mark(name: str, value: Any) -> str:
    """A flag, an int 0-7 or a '110'-style string as the API's three-digit mark."""
    if isinstance(value, str) and len(value) == 3 and set(value) <= {"0", "1"}:
        return value
    if isinstance(value, int) and 0 < int(value) <= 7:
        return _mark(int(value))
    raise InvalidOptionError(name, value, None, f"Give {name} as flags (e.g. {name.title()}.DEFAULT) or a mark like "
                             "'110'")


class WallHavenSource(WebDataSource):
    """Wallpapers of a Wallhaven search: waifuc's ``WallHavenSource(query, category=Category.DEFAULT,
    purity=Purity.DEFAULT, sorting='relevance', no_ai=True, min_size=(1, 1), select='original',
    api_key=None, group_name='wallhaven', download_silent=True)``. waifuc's default sorting is
    spelled 'relavance'; that spelling is read as 'relevance'. Items carry no tags (as in waifuc).
    The API is documented (wallhaven.cc/help/api) except ``ai_art_filter``, sent as waifuc does."""

    site = "wallhaven"
    default_base_url = "https://wallhaven.cc"
    credential_names = "Wallhaven API key (account settings; needed for NSFW)"

    def __init__(self, query: str, category: Any = Category.DEFAULT, purity: Any = Purity.DEFAULT,
                 sorting: str = "relevance", no_ai: bool = True, min_size: tuple[int, int] = (1, 1),
                 select: str = "original", api_key: str | Secret | None = None, group_name: str | None = None,
                 download_silent: bool = True, **options: Any):
        super().__init__(group_name=group_name, **options)
        self.query = str(query)
        self.category, self.purity = _as_mark("category", category), _as_mark("purity", purity)
        sorting = "relevance" if sorting == "relavance" else sorting
        if sorting not in SORTINGS:
            raise InvalidOptionError("sorting", sorting, SORTINGS, "Pick one of Wallhaven's sort orders")
        if select not in SELECTS:
            raise InvalidOptionError("select", select, SELECTS, "Pick the original file or its thumbnail")
        width, height = (min_size, min_size) if isinstance(min_size, int) else tuple(min_size)
        self.sorting, self.no_ai, self.min_size, self.select = sorting, bool(no_ai), (int(width), int(height)), select
        self.api_key = Secret.of(api_key)

    def _args_repr(self) -> str:
        return repr(self.query) + (", api_key=***" if self.api_key is not None else "")

    def _secrets(self) -> list[Secret | None]:
        return [self.api_key]

    def _before_crawl(self, client: SiteClient) -> None:
        if self.api_key is not None:
            client.add_secret_header("X-API-Key", self.api_key)

    def _fetch_page(self, client: SiteClient, state: dict[str, int], page: int) -> list[Any] | None:
        if "last_page" in state and page > state["last_page"]:
            return None  # the answer's meta said the previous page was the last
        raw = self._get_json(client, f"{self.base_url}/api/v1/search", {
            "q": self.query, "categories": self.category, "purity": self.purity, "sorting": self.sorting,
            "ai_art_filter": "1" if self.no_ai else "0", "atleast": f"{self.min_size[0]}x{self.min_size[1]}",
            "page": str(page)}, send_credentials=True)
        if not isinstance(raw, dict) or not isinstance(raw.get("data"), list):
            return None
        last = (raw.get("meta") or {}).get("last_page")
        if isinstance(last, int):
            state["last_page"] = last
        return raw["data"]

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        state: dict[str, int] = {}
        for raw in self._paginate(lambda page: self._fetch_page(client, state, page)):
            if isinstance(raw, dict) and "id" in raw:
                url = raw.get("path") if self.select == "original" else (raw.get("thumbs") or {}).get("original")
                yield self._post(raw["id"], url, raw, None, None if url else "the wallpaper has no file URL")
