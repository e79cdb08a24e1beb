"""Gelbooru (gelbooru.com). API: ``GET /index.php?page=dapi&s=post&q=index&json=1&limit=100&pid=N``
(pid counts from 0) answering ``{"@attributes": {"limit", "offset", "count"}, "post": [...]}``;
the ``post`` key is missing past the last page. Gelbooru now asks for ``user_id`` and
``api_key`` (account options page); they travel as query parameters and are never logged."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from typing import Any

from .base import WebDataSource, WebPost, smallest_variant, split_tags
from .client import SiteClient
from .credentials import Secret
from .danbooru import normalise_tags

PAGE_SIZE = 100
MAX_OFFSET = 20000  # Gelbooru refuses pid * limit beyond this


class GelbooruSource(WebDataSource):
    """Posts of a Gelbooru tag query. waifuc's parameters in waifuc's order (download_silent is
    ignored), then the credentials waifuc lacks: ``user_id`` and ``api_key``."""

    site = "gelbooru"
    default_base_url = "https://gelbooru.com"
    credential_names = "user_id and api_key (Gelbooru account options page)"
    max_offset: int | None = MAX_OFFSET

    def __init__(self, tags: str | Sequence[str], min_size: int | None = 800,
                 group_name: str | None = None, download_silent: bool = True,
                 user_id: str | int | None = None, api_key: str | Secret | None = None,
                 **options: Any):
        super().__init__(group_name=group_name, **options)
        self.tags = normalise_tags(tags)
        self.min_size = min_size
        self.user_id = Secret.of(user_id)
        self.api_key = Secret.of(api_key)
        self._total: int | None = None

    def _args_repr(self) -> str:
        args = [repr(self.tags)]
        if self.min_size != 800:
            args.append(f"min_size={self.min_size!r}")
        if self.api_key is not None:
            args.append("user_id=***, api_key=***")
        return ", ".join(args)

    def _secrets(self) -> list[Secret | None]:
        return [self.user_id, self.api_key]

    def _client_options(self) -> dict[str, Any]:
        params = {name: value for name, value in (("user_id", self.user_id), ("api_key", self.api_key)) if value}
        return {"secret_params": params}

    def _fetch_page(self, client: SiteClient, pid: int) -> list[dict[str, Any]] | None:
        offset = pid * PAGE_SIZE
        if (self.max_offset is not None and offset >= self.max_offset) or \
                (self._total is not None and offset >= self._total):
            return None
        raw = self._get_json(client, f"{self.base_url}/index.php",
                             {"page": "dapi", "s": "post", "q": "index", "json": "1", "limit": str(PAGE_SIZE),
                              "pid": str(pid), "tags": " ".join(self.tags)})
        if isinstance(raw, list):  # older Gelbooru 0.2 answers a bare list
            return raw
        if not isinstance(raw, dict):
            return None
        count = (raw.get("@attributes") or {}).get("count")
        self._total = int(count) if isinstance(count, (int, str)) and str(count).isdigit() else None
        posts = raw.get("post")
        return [posts] if isinstance(posts, dict) else posts

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        self._total = None
        for raw in self._paginate(lambda pid: self._fetch_page(client, pid), first_page=0):
            if isinstance(raw, dict) and "id" in raw:
                url = self._post_url(client, raw)
                tags = [html.unescape(tag) for tag in split_tags(raw.get("tags"))]
                yield self._post(raw["id"], url, raw, tags, None if url else "the post has no file URL")

    def _post_url(self, client: SiteClient, raw: dict[str, Any]) -> str | None:
        return self._select_url(raw)

    def _select_url(self, raw: dict[str, Any]) -> str | None:
        candidates = [(raw.get("preview_url"), raw.get("preview_width"), raw.get("preview_height")),
                      (raw.get("file_url"), raw.get("width"), raw.get("height"))]
        if raw.get("sample_url"):
            candidates.append((raw.get("sample_url"), raw.get("sample_width"), raw.get("sample_height")))
        return smallest_variant(candidates, self.min_size) or raw.get("file_url") or None
