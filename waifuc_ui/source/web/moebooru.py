"""Moebooru sites: YandeSource (yande.re), KonachanSource (konachan.com), KonachanNetSource
(konachan.net), LolibooruSource (lolibooru.moe), ThreeDBooruSource (behoimi.org).
API: ``GET /post.json?limit=100&page=N&tags=...``, a JSON list of posts with
``file_url``/``width``/``height``, ``jpeg_*``, ``sample_*``, ``preview_*`` and space-separated ``tags``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from .base import WebDataSource, WebPost, smallest_variant, split_tags
from .client import SiteClient
from .danbooru import normalise_tags

_VARIANTS = (("preview_url", "actual_preview_width", "actual_preview_height"),
             ("sample_url", "sample_width", "sample_height"),
             ("jpeg_url", "jpeg_width", "jpeg_height"),
             ("file_url", "width", "height"))


class MoebooruSource(WebDataSource):
    """Posts of a Moebooru tag query, with waifuc's parameters in waifuc's order
    (``YandeSource(tags, min_size=800, group_name, download_silent)``; download_silent is ignored)."""

    listing_path = "/post.json"
    referer: str | None = None  # a Referer the site's files ask for

    def __init__(self, tags: str | Sequence[str], min_size: int | None = 800,
                 group_name: str | None = None, download_silent: bool = True, **options: Any):
        super().__init__(group_name=group_name, **options)
        self.tags = normalise_tags(tags)
        self.min_size = min_size

    def _args_repr(self) -> str:
        return repr(self.tags) + (f", min_size={self.min_size!r}" if self.min_size != 800 else "")

    def _client_options(self) -> dict[str, Any]:
        return {"headers": {"Referer": self.referer}} if self.referer else {}

    def _fetch_page(self, client: SiteClient, page: int):
        raw = self._get_json(client, f"{self.base_url}{self.listing_path}",
                             {"limit": "100", "page": str(page), "tags": " ".join(self.tags)})
        return raw if isinstance(raw, list) else None

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        for raw in self._paginate(lambda page: self._fetch_page(client, page)):
            if isinstance(raw, dict) and "id" in raw:
                url = self._select_url(raw)
                yield self._post(raw["id"], url, raw, split_tags(raw.get("tags")),
                                 None if url else "the post has no file URL (deleted or hidden)")

    def _select_url(self, raw: dict[str, Any]) -> str | None:
        candidates = [(raw.get(u), raw.get(w), raw.get(h)) for u, w, h in _VARIANTS]
        return smallest_variant(candidates, self.min_size) or raw.get("file_url")


class YandeSource(MoebooruSource):
    site = "yande"
    default_base_url = "https://yande.re"


class KonachanSource(MoebooruSource):
    site = "konachan"
    default_base_url = "https://konachan.com"


class KonachanNetSource(MoebooruSource):
    site = "konachan_net"
    default_base_url = "https://konachan.net"


class LolibooruSource(MoebooruSource):
    """lolibooru.moe (Moebooru software; listing at /post/index.json as in waifuc).
    Unconfirmed API: that path is not publicly documented, it is followed from waifuc's code."""

    site = "lolibooru"
    default_base_url = "https://lolibooru.moe"
    listing_path = "/post/index.json"


class ThreeDBooruSource(MoebooruSource):
    """3dbooru (behoimi.org, Moebooru-like; listing at /post/index.json). Its files answer only with
    the site's Referer, which is sent as waifuc does. The site serves plain http, as in waifuc.
    Its API is not publicly documented: it is followed from waifuc's code."""

    site = "3dbooru"
    default_base_url = "http://behoimi.org"
    listing_path = "/post/index.json"
    referer = "http://behoimi.org/"
