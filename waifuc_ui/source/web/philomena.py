"""Philomena sites: DerpibooruSource (derpibooru.org) and FurbooruSource (furbooru.org).

API (documented at derpibooru.org/pages/api): ``GET /api/v1/json/search/images?q=...&page=N&per_page=50``
answering ``{"images": [...], "total": N}``; each image has ``representations`` (thumb_tiny ... full)
and ``tags`` as a list of names with spaces. An API ``key`` (account settings) is optional; it
travels as a query parameter and is never logged.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ...core.errors import InvalidOptionError
from .base import WebDataSource, WebPost
from .client import SiteClient
from .credentials import Secret

SELECTS = ("thumb", "small", "medium", "large", "full")
PER_PAGE = 50  # the documented maximum


class DerpibooruLikeSource(WebDataSource):
    """Images of a Philomena search, with waifuc's parameters:
    ``DerpibooruSource(tags, key=None, select='large', download_silent=True, group_name='derpibooru')``.

    A list of tags means all of them: they are joined with commas, Philomena's AND (waifuc joins
    with spaces, which Philomena reads as one tag name). A string is sent as the query as it is.
    ``select`` picks the representation, ``full`` when the image lacks it."""

    credential_names = "API key (account settings page)"

    def __init__(self, tags: str | Sequence[str], key: str | Secret | None = None, select: str = "large",
                 download_silent: bool = True, group_name: str | None = None, **options: Any):
        super().__init__(group_name=group_name, **options)
        self.tags = [tags] if isinstance(tags, str) else [str(t) for t in tags if str(t).strip()]
        if select not in SELECTS:
            raise InvalidOptionError("select", select, SELECTS, "Pick the representation to download")
        self.select = select
        self.key = Secret.of(key)

    @property
    def query(self) -> str:
        return ", ".join(self.tags)

    def _args_repr(self) -> str:
        return repr(self.tags) + (", key=***" if self.key is not None else "")

    def _secrets(self) -> list[Secret | None]:
        return [self.key]

    def _client_options(self) -> dict[str, Any]:
        return {"secret_params": {"key": self.key} if self.key is not None else {}}

    def _fetch_page(self, client: SiteClient, page: int) -> list[Any] | None:
        raw = self._get_json(client, f"{self.base_url}/api/v1/json/search/images",
                             {"q": self.query or "*", "page": str(page), "per_page": str(PER_PAGE)})
        images = raw.get("images") if isinstance(raw, dict) else None
        return images if isinstance(images, list) else None

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        for raw in self._paginate(lambda page: self._fetch_page(client, page)):
            if isinstance(raw, dict) and "id" in raw:
                representations = raw.get("representations") or {}
                url = representations.get(self.select) or representations.get("full")
                tags = [str(tag).replace(" ", "_") for tag in raw.get("tags") or []]
                yield self._post(raw["id"], url, raw, tags, None if url else "the image has no file URL")


class DerpibooruSource(DerpibooruLikeSource):
    site = "derpibooru"
    default_base_url = "https://derpibooru.org"


class FurbooruSource(DerpibooruLikeSource):
    """furbooru.org (waifuc names furbooru.com; the site and its API are at furbooru.org)."""

    site = "furbooru"
    default_base_url = "https://furbooru.org"
