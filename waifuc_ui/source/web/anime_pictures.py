"""Anime-Pictures (anime-pictures.net). Listing: ``GET api.anime-pictures.net/api/v3/posts?page=N
&search_tag=a&&b&order_by=rating&ldate=0&lang=en`` (pages from 0) answering ``{"posts": [{"id",
"md5", ...}]}``; then, as in waifuc, each post's page ``anime-pictures.net/posts/{id}?lang=en`` gives
the tags (``ul.tags li > a``) and the original file's link (``a.icon_download``). Thumbnails and
previews are at ``opreviews.anime-pictures.net/{md5[:3]}/{md5}_bp.jpg`` / ``_cp.jpg``.

The site does not document its API; the listing and pages are followed from waifuc's code. waifuc
has no login; the optional one here (``POST /api/v3/auth`` with ``{"login", "password"}``, the
session kept in cookies) is taken from other public clients and could not be confirmed.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator, Sequence
from enum import Enum
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from ...core.errors import InvalidOptionError
from .base import WebDataSource, WebPost
from .client import SiteClient
from .credentials import Secret
from .errors import AuthenticationError

API_URL = "https://api.anime-pictures.net"
PAGE_URL = "https://anime-pictures.net"
PREVIEW_URL = "https://opreviews.anime-pictures.net"
SELECTS = ("thumbnail", "preview", "original")
_OPTION_NAMES = frozenset(inspect.signature(WebDataSource.__init__).parameters) - {"self"}


class OrderBy(str, Enum):
    STAR_DATE = "stars_date"
    DATE = "date"
    DATE_REVERS = "date_r"
    RATING = "rating"
    DOWNLOADS = "views"
    SIZE = "size"
    TAG_COUNT = "tag_num"


class Period(str, Enum):
    ANYTIME = "0"
    PAST_DAY = "3"
    PAST_WEEK = "1"
    PAST_MONTH = "2"
    PAST_6_MONTHS = "4"
    PAST_YEAR = "5"
    PAST_2_YEARS = "6"
    PAST_3_YEARS = "7"


class PostPage(HTMLParser):
    """Reads a post page: ``tags`` (texts of links in ``ul.tags``) and ``download`` (the href of
    the first link whose class is icon_download or icon-download)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.download: str | None = None
        self._ul_depth = 0  # >0 inside ul.tags
        self._text: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "ul" and (self._ul_depth or "tags" in classes):
            self._ul_depth += 1
        elif tag == "a":
            if self.download is None and {"icon_download", "icon-download"} & set(classes):
                self.download = dict(attrs).get("href")
            if self._ul_depth:
                self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self._ul_depth:
            self._ul_depth -= 1
        elif tag == "a" and self._text is not None:
            name = " ".join("".join(self._text).split())
            if name:
                self.tags.append(name.replace(" ", "_"))
            self._text = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def _enum_value(cls: type[Enum], name: str, value: Any) -> str:
    try:
        return str(cls(getattr(value, "value", value)).value)
    except ValueError:
        raise InvalidOptionError(name, value, [m.value for m in cls], f"Pick one {name}") from None


class AnimePicturesSource(WebDataSource):
    """Posts of an Anime-Pictures search: waifuc's ``AnimePicturesSource(tags, tag_mode='and',
    denied_tags=None, denied_tag_mode='or', order_by=OrderBy.RATING, period=Period.ANYTIME,
    select='original', group_name='anime_pictures', download_silent=True, **kwargs)``; extra
    keywords that are not options of every online source go to the listing's query, as in waifuc.
    ``username``/``password`` log in (optional).
    Unconfirmed API: the listing and pages follow waifuc's code; the login follows other public
    clients (waifuc has none) and could not be confirmed."""

    site = "anime_pictures"
    default_base_url = API_URL
    credential_names = "Anime-Pictures username and password"

    def __init__(self, tags: str | Sequence[str], tag_mode: str = "and", denied_tags: Sequence[str] | None = None,
                 denied_tag_mode: str = "or", order_by: Any = OrderBy.RATING, period: Any = Period.ANYTIME,
                 select: str = "original", group_name: str | None = None, download_silent: bool = True, *,
                 username: str | None = None, password: str | Secret | None = None, page_url: str | None = None,
                 **kwargs: Any):
        options = {k: v for k, v in kwargs.items() if k in _OPTION_NAMES}
        super().__init__(group_name=group_name, **options)
        self.extra_params = {k: str(v) for k, v in kwargs.items() if k not in _OPTION_NAMES}
        self.tags = [tags] if isinstance(tags, str) else [str(t) for t in tags]
        self.denied_tags = list(denied_tags or [])
        for name, mode in (("tag_mode", tag_mode), ("denied_tag_mode", denied_tag_mode)):
            if mode not in ("and", "or"):
                raise InvalidOptionError(name, mode, ("and", "or"), "Pick how the tags combine")
        self.tag_mode, self.denied_tag_mode = tag_mode, denied_tag_mode
        self.order_by = _enum_value(OrderBy, "order_by", order_by)
        self.period = _enum_value(Period, "period", period)
        if select not in SELECTS:
            raise InvalidOptionError("select", select, SELECTS, "Pick the image variant to download")
        self.select = select
        self.username, self.password = Secret.of(username), Secret.of(password)
        given = options.get("base_url")
        self.page_url = (page_url or given or PAGE_URL).rstrip("/")
        self.preview_url = (given or PREVIEW_URL).rstrip("/")

    def _args_repr(self) -> str:
        return repr(self.tags) + (f", denied_tags={self.denied_tags!r}" if self.denied_tags else "")

    def _secrets(self) -> list[Secret | None]:
        return [self.username, self.password]

    def _params(self, page: int) -> dict[str, str]:
        params = {"order_by": self.order_by, "ldate": self.period, "lang": "en", "page": str(page),
                  "search_tag": ("&&" if self.tag_mode == "and" else "||").join(self.tags)}
        if self.denied_tags:
            params["denied_tags"] = ("&&" if self.denied_tag_mode == "and" else "||").join(self.denied_tags)
        return {**params, **self.extra_params}

    def _before_crawl(self, client: SiteClient) -> None:
        if self.username is None or self.password is None:
            return
        answer = client.post_json(f"{self.base_url}/api/v3/auth",
                                  {"login": self.username.reveal(), "password": self.password.reveal()})
        try:
            data = json.loads(answer.content) if answer.status // 100 == 2 else None
        except ValueError:
            data = None
        if not isinstance(data, dict) or data.get("success") is False:
            raise AuthenticationError(self.site, f"login failed (HTTP {answer.status})",
                                      "Check the Anime-Pictures username and password", url=answer.url,
                                      status=answer.status)
        if data.get("token"):
            client.add_secret(Secret(str(data["token"])))

    def _fetch_page(self, client: SiteClient, page: int) -> list[Any] | None:
        raw = self._get_json(client, f"{self.base_url}/api/v3/posts", self._params(page))
        posts = raw.get("posts") if isinstance(raw, dict) else None
        return posts if isinstance(posts, list) else None

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        for raw in self._paginate(lambda page: self._fetch_page(client, page), first_page=0):
            if not isinstance(raw, dict) or "id" not in raw:
                continue
            page_url = f"{self.page_url}/posts/{raw['id']}"
            answer = client.get(page_url, {"lang": "en"}, send_credentials=True)
            if answer.status // 100 != 2:
                yield self._post(raw["id"], None, raw, [], f"the post's page answered HTTP {answer.status}")
                continue
            page = PostPage()
            page.feed(answer.text())
            url = self._select_url(raw, page, answer.url)
            yield self._post(raw["id"], url, raw, page.tags,
                             None if url else "the post's page has no download link (log in, or the page changed)")

    def _select_url(self, raw: dict[str, Any], page: PostPage, page_url: str) -> str | None:
        md5 = str(raw.get("md5") or "")
        if self.select != "original":
            suffix = "_bp" if self.select == "thumbnail" else "_cp"
            return f"{self.preview_url}/{md5[:3]}/{md5}{suffix}.jpg" if md5 else None
        return urljoin(page_url, page.download) if page.download else None
