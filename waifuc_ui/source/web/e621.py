"""e621 and e926 (its safe-only twin). API: ``GET /posts.json?limit=320&page=N&tags=...`` answering
``{"posts": [...]}``; each post has ``file``/``sample``/``preview`` objects with url, width, height
and ``tags`` as lists per category. HTTP basic auth with the user name and API key."""

from __future__ import annotations

from typing import Any

from .base import VIDEO_EXTENSIONS, WebPost, smallest_variant
from .danbooru import DanbooruSource

PAGE_LIMIT = 750  # e621 refuses numbered pages beyond this


class E621Source(DanbooruSource):
    """Posts of an e621 tag query (waifuc's ``E621Source(tags, min_size=800, username, api_key)``).

    ``tag_domains`` keeps only those categories (general, species, character, copyright, artist,
    meta, lore, invalid, contributor); None keeps all. The site allows 40 tags per query."""

    site = "e621"
    default_base_url = "https://e621.net"
    tag_limit = 40

    def __init__(self, tags, min_size: int | None = 800, download_silent: bool = True,
                 username: str | None = None, api_key: str | None = None, group_name: str | None = None,
                 tag_domains=None, **options: Any):
        # the categories differ from Danbooru's: they are not checked against Danbooru's list
        super().__init__(tags, min_size, download_silent, username, api_key, group_name, None, **options)
        self.tag_domains = tuple(tag_domains) if tag_domains is not None else None

    def _check_query(self) -> None:
        """e621 has no two-tag rule; its 40-tag limit is left to the site to report."""

    def _page_posts(self, raw: Any) -> list[dict[str, Any]] | None:
        return raw.get("posts") if isinstance(raw, dict) else None

    page_size = 320

    def _past_page_limit(self, page: int) -> bool:
        return page > PAGE_LIMIT

    def _to_post(self, raw: dict[str, Any]) -> WebPost:
        file = raw.get("file") or {}
        url = self._select_url(raw)
        ext = "." + str(file.get("ext", "")).lower()
        reason = None
        if ext in VIDEO_EXTENSIONS:
            reason = f"video or animation post ({ext}) is not supported"
        elif not url:
            reason = "the post has no file URL (hidden from anonymous users: log in, or deleted)"
        return self._post(raw["id"], url, raw, self._tags(raw), reason)

    def _select_url(self, raw: dict[str, Any]) -> str | None:
        file, sample, preview = raw.get("file") or {}, raw.get("sample") or {}, raw.get("preview") or {}
        candidates = [(file.get("url"), file.get("width"), file.get("height")),
                      (preview.get("url"), preview.get("width"), preview.get("height"))]
        if sample.get("has"):
            candidates.append((sample.get("url"), sample.get("width"), sample.get("height")))
        return smallest_variant(candidates, self.min_size) or file.get("url")

    def _tags(self, raw: dict[str, Any]) -> list[str]:
        groups = raw.get("tags") or {}
        domains = self.tag_domains if self.tag_domains is not None else list(groups)
        return [tag for domain in domains for tag in (groups.get(domain) or [])]


class E926Source(E621Source):
    """e621's safe-only twin (e926.net); same API and parameters."""

    site = "e926"
    default_base_url = "https://e926.net"
