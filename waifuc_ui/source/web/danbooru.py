"""Danbooru-software sites: DanbooruSource (danbooru.donmai.us) and SafebooruSource
(safebooru.donmai.us). API: ``GET /posts.json?limit=200&page=N&tags=...``, a JSON list of posts,
HTTP basic auth with the user name and API key."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ...core.errors import InvalidOptionError
from .base import VIDEO_EXTENSIONS, WebDataSource, WebPost, smallest_variant, split_tags
from .client import SiteClient
from .credentials import Secret
from .errors import QueryRuleError

TAG_DOMAINS = ("general", "character", "copyright", "artist", "meta")
ANONYMOUS_TAG_LIMIT = 2
ANONYMOUS_PAGE_LIMIT = 1000  # deeper pages answer an error to anonymous and Member users
# Danbooru's PostQuery::UNLIMITED_METATAGS: these do not count against the tag limit
FREE_METATAGS = frozenset({
    "status", "rating", "limit", "is", "id", "date", "age", "filesize", "filetype", "parent", "child", "md5",
    "width", "height", "duration", "mpixels", "ratio", "score", "upvote", "downvotes", "favcount", "embedded",
    "tagcount", "pixiv_id", "pixiv",
})


def normalise_tags(tags: str | Sequence[str]) -> list[str]:
    """A query as a list of tags: a string is split on whitespace."""
    if isinstance(tags, str):
        return split_tags(tags)
    return [str(tag) for tag in tags if str(tag).strip()]


def counted_tags(tags: Iterable[str]) -> list[str]:
    """The tags that count against Danbooru's tag limit (free metatags such as rating: do not)."""
    counted = []
    for tag in tags:
        name = tag.lstrip("-~")
        if ":" in name and name.split(":", 1)[0].lower() in FREE_METATAGS:
            continue
        counted.append(tag)
    return counted


class DanbooruSource(WebDataSource):
    """Posts of a Danbooru tag query, with waifuc's parameters in waifuc's order
    (``download_silent`` is accepted and ignored: there are no per-file progress bars).

    ``tag_domains`` keeps only those tag categories (of :data:`TAG_DOMAINS`); None keeps all.
    Anonymous queries may hold at most two tags (free metatags like ``rating:g`` excepted): a
    longer one raises :class:`QueryRuleError` before any request.
    """

    site = "danbooru"
    default_base_url = "https://danbooru.donmai.us"

    def __init__(self, tags: str | Sequence[str], min_size: int | None = 800,
                 download_silent: bool = True, username: str | None = None,
                 api_key: str | Secret | None = None, group_name: str | None = None,
                 tag_domains: Iterable[str] | None = None, **options: Any):
        super().__init__(group_name=group_name, **options)
        self.tags = normalise_tags(tags)
        self.min_size = min_size
        self.username = Secret.of(username)
        self.api_key = Secret.of(api_key)
        if tag_domains is not None:
            tag_domains = tuple(tag_domains)
            for domain in tag_domains:
                if domain not in TAG_DOMAINS:
                    raise InvalidOptionError("tag_domains", domain, TAG_DOMAINS,
                                             "Pick tag categories among the choices, or None for all")
        self.tag_domains = tag_domains

    @property
    def logged_in(self) -> bool:
        return self.username is not None and self.api_key is not None

    def _args_repr(self) -> str:
        args = [repr(self.tags)]
        if self.min_size != 800:
            args.append(f"min_size={self.min_size!r}")
        if self.logged_in:
            args.append("username=***, api_key=***")
        if self.tag_domains is not None:
            args.append(f"tag_domains={list(self.tag_domains)!r}")
        return ", ".join(args)

    def _secrets(self) -> list[Secret | None]:
        return [self.username, self.api_key]

    def _client_options(self) -> dict[str, Any]:
        if self.username is None or self.api_key is None:
            return {}
        return {"auth": (self.username.reveal(), self.api_key)}

    enforce_danbooru_limits = True  # Danbooru's own 2-tag and 1000-page rules for anonymous users

    def _check_query(self) -> None:
        counted = counted_tags(self.tags)
        if self.enforce_danbooru_limits and not self.logged_in and len(counted) > ANONYMOUS_TAG_LIMIT:
            raise QueryRuleError(
                self.site, f"an anonymous search may hold {ANONYMOUS_TAG_LIMIT} tags, this one holds "
                f"{len(counted)} ({' '.join(counted)})",
                "Log in (username and api_key of a Gold account or higher; Member accounts have the same "
                f"limit) or reduce the query to {ANONYMOUS_TAG_LIMIT} tags and filter the rest locally; "
                "metatags such as rating: and status: do not count")

    def _raise_for_answer(self, status: int, text: str, url: str) -> None:
        if status == 422 and ("TagLimitError" in text or "more than" in text):
            raise QueryRuleError(self.site, f"the site refused the query: {' '.join(text.split())[:200]}",
                                 "Reduce the number of tags, or log in with an account of a higher level",
                                 url=url, status=status)
        super()._raise_for_answer(status, text, url)

    # -- listing -------------------------------------------------------------------------------
    def _page_posts(self, raw: Any) -> list[dict[str, Any]] | None:
        return raw if isinstance(raw, list) else None

    page_size = 200

    def _past_page_limit(self, page: int) -> bool:
        return self.enforce_danbooru_limits and page > ANONYMOUS_PAGE_LIMIT and not self.logged_in

    def _fetch_page(self, client: SiteClient, page: int) -> list[dict[str, Any]] | None:
        if self._past_page_limit(page):
            return None
        raw = self._get_json(client, f"{self.base_url}/posts.json",
                             {"limit": str(self.page_size), "page": str(page), "tags": " ".join(self.tags)})
        return self._page_posts(raw)

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        for raw in self._paginate(lambda page: self._fetch_page(client, page)):
            if isinstance(raw, dict) and "id" in raw:
                yield self._to_post(raw)

    def _to_post(self, raw: dict[str, Any]) -> WebPost:
        url = self._select_url(raw)
        ext = "." + str(raw.get("file_ext", "")).lower()
        reason = None
        if ext in VIDEO_EXTENSIONS:
            reason = f"video or animation post ({ext}) is not supported"
        elif not url:
            reason = "the post has no file URL (restricted to logged-in or higher-level accounts, or deleted)"
        return self._post(raw["id"], url, raw, self._tags(raw), reason)

    def _select_url(self, raw: dict[str, Any]) -> str | None:
        variants = (raw.get("media_asset") or {}).get("variants") or []
        candidates = [(v.get("url"), v.get("width"), v.get("height")) for v in variants if isinstance(v, dict)]
        candidates.append((raw.get("file_url"), raw.get("image_width"), raw.get("image_height")))
        return smallest_variant(candidates, self.min_size) or raw.get("file_url")

    def _tags(self, raw: dict[str, Any]) -> list[str]:
        if self.tag_domains is None:
            return split_tags(raw.get("tag_string"))
        return [tag for domain in self.tag_domains for tag in split_tags(raw.get(f"tag_string_{domain}"))]


class SafebooruSource(DanbooruSource):
    """Danbooru's safe-only mirror (safebooru.donmai.us); same API and parameters."""

    site = "safebooru"
    default_base_url = "https://safebooru.donmai.us"


class ATFBooruSource(DanbooruSource):
    """ATFBooru (booru.allthefallen.moe), a Danbooru-software site; waifuc's parameters.

    As in waifuc, the raw post sits under ``meta['danbooru']``; file names and group ids start with
    ``atfbooru_`` (waifuc uses ``danbooru_``, which collides with Danbooru's own posts in one dataset;
    pass ``group_name='danbooru'`` for waifuc's names). The site's own tag and page limits for
    anonymous users are not published, so none is checked before asking: the site's answer is reported.
    """

    site = "atfbooru"
    meta_key = "danbooru"
    default_base_url = "https://booru.allthefallen.moe"
    enforce_danbooru_limits = False
