"""Zerochan (www.zerochan.net). Listing: ``GET /{Tag}?json&p=N&l=200&s=fav&t=0`` answering
``{"items": [{"id", "width", "height", "tag", "tags", ...}]}``; one more request per post,
``GET /{id}?json``, gives the ``small``/``medium``/``large``/``full`` URLs. The site asks for a
User-Agent naming the project and the Zerochan user name, and at most 60 requests a minute.
Logging in (optional) shows members-only and multi-person images."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import quote_plus, urljoin, urlsplit, urlunsplit

from ...core.errors import InvalidOptionError
from ...core.settings import current_settings
from .base import WebDataSource, WebPost
from .client import SiteClient
from .credentials import Secret
from .errors import AuthenticationError, BadResponseError

SORTS = ("id", "fav")
TIMES = ("0", "1", "2")
DIMENSIONS = ("large", "huge", "landscape", "portrait", "square")
SELECTS = ("full", "large", "medium", "small")  # largest first
MAX_REDIRECTS = 5


def _choice(name: str, value: Any, choices: Sequence[str], fix: str) -> str:
    value = getattr(value, "value", value)  # waifuc's enums carry their value
    if str(value) not in choices:
        raise InvalidOptionError(name, value, choices, fix)
    return str(value)


class ZerochanSource(WebDataSource):
    """Posts of a Zerochan tag (or several: a list means all of them): waifuc's
    ``ZerochanSource(word, sort='fav', time='0', dimension=None, color=None, strict=False,
    select='large', group_name, download_silent, user_agent, username=None, password=None)``
    (download_silent is ignored). ``select`` picks the variant; when a post lacks it, the next
    larger one, else the next smaller one. ``user_agent`` replaces the project's User-Agent."""

    site = "zerochan"
    default_base_url = "https://www.zerochan.net"
    credential_names = "Zerochan username and password"

    def __init__(self, word: str | Sequence[str], sort: str = "fav", time: str = "0",
                 dimension: str | None = None, color: str | None = None, strict: bool = False,
                 select: str = "large", group_name: str | None = None, download_silent: bool = True,
                 user_agent: str | None = None, username: str | None = None,
                 password: str | Secret | None = None, **options: Any):
        super().__init__(group_name=group_name, **options)
        self.user_agent = user_agent
        self.word = [word] if isinstance(word, str) else list(word)
        self.sort = _choice("sort", sort, SORTS, "Use 'fav' (popular first) or 'id' (newest first)")
        self.time = _choice("time", time, TIMES, "0 = all time, 1 = last 7000 entries, 2 = last 15000")
        self.dimension = None if dimension is None else _choice("dimension", dimension, DIMENSIONS,
                                                                "Leave it None for every size")
        self.color, self.strict = color, bool(strict)
        self.select = _choice("select", select, SELECTS, "Pick the image variant to download")
        self.username = Secret.of(username)
        self.password = Secret.of(password)

    def _args_repr(self) -> str:
        args = [repr(self.word[0] if len(self.word) == 1 else self.word)]
        if self.strict:
            args.append("strict=True")
        if self.username is not None:
            args.append("username=***, password=***")
        return ", ".join(args)

    def _secrets(self) -> list[Secret | None]:
        return [self.username, self.password]

    def _client_options(self) -> dict[str, Any]:
        # the site asks to name the project and the account in the User-Agent; it goes to Zerochan only
        agent = self.user_agent or current_settings().user_agent
        return {"user_agent": f"{agent} - {self.username.reveal()}" if self.username else agent}

    def _before_crawl(self, client: SiteClient) -> None:
        if self.username is None or self.password is None:
            return
        answer = client.post_form(f"{self.base_url}/login", {
            "ref": "/", "name": self.username.reveal(), "password": self.password.reveal(), "login": "Login"})
        if answer.status != 303:
            raise AuthenticationError(self.site, f"login failed (HTTP {answer.status}, expected a 303 redirect)",
                                      "Check the Zerochan username and password", url=answer.url,
                                      status=answer.status)

    def _params(self, page: int) -> dict[str, str]:
        params = {"json": "1", "p": str(page), "l": "200", "s": self.sort, "t": self.time}
        if self.dimension:
            params["d"] = self.dimension
        if self.color:
            params["c"] = self.color
        if self.strict:
            params["strict"] = "1"
        return params

    def _fetch_page(self, client: SiteClient, state: dict[str, str], page: int) -> list[dict[str, Any]] | None:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                answer = client.get(state["url"], self._params(page), send_credentials=True, follow_redirects=False)
            except AuthenticationError:
                if page == 1:
                    raise
                # guests only see the first pages of a tag
                self.stop_reason = f"the site refused page {page}" + ("" if self.username else ": log in to see more")
                return None
            if answer.status // 100 == 3 and answer.headers.get("location"):
                # a tag renamed to its canonical name: keep our query, take the new path
                target = urlsplit(urljoin(state["url"], answer.headers["location"]))
                state["url"] = urlunsplit(target._replace(query="", fragment=""))
                continue
            if answer.status == 404:
                return None
            if answer.status // 100 != 2:
                self._raise_for_answer(answer.status, answer.text(), answer.url)
            try:
                raw = json.loads(answer.content) if answer.content.strip() else {}
            except ValueError:
                raise BadResponseError(self.site, "the listing is not JSON (the tag may not exist)",
                                       "Check the tag's exact name on zerochan.net", url=answer.url) from None
            items = raw.get("items") if isinstance(raw, dict) else None
            return items if isinstance(items, list) else None
        raise BadResponseError(self.site, "too many redirects for the tag", "Check the tag's name on zerochan.net",
                               url=client.redact(state["url"]))

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        state = {"url": f"{self.base_url}/{','.join(quote_plus(w) for w in self.word)}"}
        for item in self._paginate(lambda page: self._fetch_page(client, state, page)):
            if not isinstance(item, dict) or "id" not in item:
                continue
            try:
                entry = self._get_json(client, f"{self.base_url}/{item['id']}", {"json": "1"}) or {}
            except BadResponseError as err:  # the per-post API sometimes answers garbage: skip that post
                yield self._post(item["id"], None, item, item.get("tags") or [], f"post details unreadable: "
                                 f"{err.problem}")
                continue
            url = self._select_url(entry)
            raw = {**item, **entry, "url": url}
            yield self._post(item["id"], url, raw, entry.get("tags") or item.get("tags") or [],
                             None if url else "the post has no image URL")

    def _select_url(self, entry: dict[str, Any]) -> str | None:
        index = SELECTS.index(self.select)
        order = [self.select, *reversed(SELECTS[:index]), *SELECTS[index + 1:]]
        for name in order:
            if entry.get(name):
                return entry[name]
        return None
