"""Sankaku Complex (chan.sankakucomplex.com). API: ``GET capi-v2.sankakucomplex.com/posts?lang=en
&page=N&limit=100&tags=...`` answering a JSON list of posts (``file_url``/``width``/``height``,
``sample_*``, ``preview_*``, ``tags: [{"name": ...}]``). Logging in: ``POST
login.sankakucomplex.com/auth/token`` with ``{"login", "password"}`` answering ``token_type`` and
``access_token``, sent back as the ``Authorization`` header of API requests only; or give the
``access_token`` directly. Neither the password nor the token is ever logged or shown.

Sankaku does not document this API publicly; it is followed from waifuc's code. Its file URLs
are signed and expire: the resume record compares them without their query.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator, Sequence
from enum import Enum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ...core.errors import InvalidOptionError
from .base import WebDataSource, WebPost, smallest_variant
from .client import SiteClient
from .credentials import Secret
from .danbooru import normalise_tags
from .errors import AuthenticationError

API_URL = "https://capi-v2.sankakucomplex.com"
LOGIN_URL = "https://login.sankakucomplex.com"
_VARIANTS = (("sample_url", "sample_width", "sample_height"), ("preview_url", "preview_width", "preview_height"),
             ("file_url", "width", "height"))


class Rating(str, Enum):
    SAFE = "s"
    QUESTIONABLE = "q"
    EXPLICIT = "e"


class PostOrder(Enum):
    POPULARITY = "popularity"
    DATE = "date"
    QUALITY = "quality"
    RANDOM = "random"
    RECENTLY_FAVORITED = "recently_favorited"
    RECENTLY_VOTED = "recently_voted"


class FileType(Enum):
    IMAGE = "image"
    GIF = "animated_gif"
    VIDEO = "video"


def _enum(cls: type[Enum], name: str, value: Any) -> Enum | None:
    if value is None or isinstance(value, cls):
        return value
    try:
        return cls(value)
    except ValueError:
        raise InvalidOptionError(name, value, [m.value for m in cls], f"Pick one {name}") from None


def query_tags(order: Any = None, rating: Any = None, file_type: Any = None,
               date: tuple[datetime.datetime, datetime.datetime] | None = None, threshold: int | None = None,
               recommended_for: str | None = None, voted: str | None = None,
               added_by: Sequence[str] | None = None) -> list[str]:
    """The metatags waifuc adds for its keyword options (``file_type`` IMAGE adds none)."""
    tags = []
    for name, cls, value in (("order", PostOrder, order), ("rating", Rating, rating),
                             ("file_type", FileType, file_type)):
        member = _enum(cls, name, value)
        if member is not None and member is not FileType.IMAGE:
            tags.append(f"{name}:{member.value}")
    for name, plain in (("threshold", threshold), ("recommended_for", recommended_for), ("voted", voted)):
        if plain is not None:
            tags.append(f"{name}:{plain}")
    if date is not None:
        start, end = date
        tags.append(f"date:{start:%Y-%m-%dT%H:%M}..{end:%Y-%m-%dT%H:%M}")
    tags.extend(f"user:{user}" for user in added_by or ())
    return tags


class SankakuSource(WebDataSource):
    """Posts of a Sankaku tag query: waifuc's ``SankakuSource(tags, order=None, rating=None,
    file_type=None, date=None, username=None, password=None, access_token=None, min_size=800,
    download_silent=True, group_name='sankaku', threshold=, recommended_for=, voted=, added_by=)``.
    Unconfirmed API: Sankaku does not document it; it is followed from waifuc's code."""

    site = "sankaku"
    default_base_url = API_URL
    credential_names = "Sankaku username and password (or access_token)"

    def __init__(self, tags: str | Sequence[str], order: Any = None, rating: Any = None, file_type: Any = None,
                 date: tuple[datetime.datetime, datetime.datetime] | None = None, username: str | None = None,
                 password: str | Secret | None = None, access_token: str | Secret | None = None,
                 min_size: int | None = 800, download_silent: bool = True, group_name: str | None = None, *,
                 threshold: int | None = None, recommended_for: str | None = None, voted: str | None = None,
                 added_by: Sequence[str] | None = None, login_url: str | None = None, **options: Any):
        super().__init__(group_name=group_name, **options)
        self.tags = normalise_tags(tags) + query_tags(order, rating, file_type, date, threshold, recommended_for,
                                                       voted, added_by)
        self.min_size = min_size
        self.username, self.password = Secret.of(username), Secret.of(password)
        self.access_token = Secret.of(access_token)
        given = options.get("base_url")
        self.login_url = (login_url or given or LOGIN_URL).rstrip("/")

    def _args_repr(self) -> str:
        logged = self.access_token is not None or self.password is not None
        return repr(self.tags) + (", <logged in>" if logged else "")

    def _secrets(self) -> list[Secret | None]:
        return [self.username, self.password, self.access_token]

    def _before_crawl(self, client: SiteClient) -> None:
        token = self.access_token
        if token is not None:
            client.add_secret_header("Authorization", Secret(f"Bearer {token.reveal()}"))
            return
        if self.username is None or self.password is None:
            return
        answer = client.post_json(f"{self.login_url}/auth/token",
                                  {"login": self.username.reveal(), "password": self.password.reveal()})
        data = self._json_or_none(answer.content) if answer.status // 100 == 2 else None
        if not isinstance(data, dict) or not data.get("access_token"):
            raise AuthenticationError(self.site, f"login failed (HTTP {answer.status})",
                                      "Check the Sankaku username and password, or give access_token",
                                      url=answer.url, status=answer.status)
        bearer = Secret(f"{data.get('token_type') or 'Bearer'} {data['access_token']}")
        client.add_secret_header("Authorization", bearer)
        client.add_secret(Secret(str(data["access_token"])))

    @staticmethod
    def _json_or_none(content: bytes) -> Any:
        try:
            return json.loads(content)
        except ValueError:
            return None

    def _fetch_page(self, client: SiteClient, page: int) -> list[Any] | None:
        raw = self._get_json(client, f"{self.base_url}/posts",
                             {"lang": "en", "page": str(page), "limit": "100", "tags": " ".join(self.tags)})
        if isinstance(raw, dict) and isinstance(raw.get("data"), list):
            return raw["data"]
        return raw if isinstance(raw, list) else None

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        for raw in self._paginate(lambda page: self._fetch_page(client, page)):
            if isinstance(raw, dict) and "id" in raw:
                url = self._select_url(raw)
                tags = [t["name"] for t in raw.get("tags") or [] if isinstance(t, dict) and t.get("name")]
                yield self._post(raw["id"], url, raw, tags,
                                 None if url else "the post has no file URL (log in to see it, or deleted)")

    def _record_url(self, url: str | None) -> str | None:
        return urlunsplit(urlsplit(url)._replace(query="", fragment="")) if url else url

    def _select_url(self, raw: dict[str, Any]) -> str | None:
        candidates = [(raw.get(u), raw.get(w), raw.get(h)) for u, w, h in _VARIANTS]
        return smallest_variant(candidates, self.min_size) or raw.get("file_url") or None
