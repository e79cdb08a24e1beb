"""Pixiv through its app API (app-api.pixiv.net), as waifuc does with pixivpy: PixivSearchSource,
PixivUserSource, PixivRankingSource.

Authentication is OAuth with a refresh token: ``POST oauth.secure.pixiv.net/auth/token``
(grant_type=refresh_token, the app's public client id, an ``x-client-hash`` of the time) answers an
access token, sent as ``Authorization: Bearer`` to the API host only. The refresh token and the
access token are secrets: never logged, shown or written (get a refresh token with a tool such as
gppt or pixivpy's ``pixiv_auth.py``). Listings: ``/v1/search/illust``, ``/v1/user/illusts``,
``/v1/illust/ranking`` with ``offset``, answering ``{"illusts": [...], "next_url": ...}``;
animations (ugoira) come from ``/v1/ugoira/metadata`` as a zip of frames turned into a GIF. Files
on i.pximg.net need the app's Referer, which is sent.

Pixiv does not document this API; it is followed from waifuc's and pixivpy's code.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

from PIL import Image

from ...core.errors import InvalidOptionError
from ...core.image_io import BadImageError, open_image_bytes
from .base import WebDataSource, WebPost, url_extension
from .client import SiteClient
from .credentials import Secret
from .errors import AuthenticationError, BadResponseError

logger = logging.getLogger("waifuc_ui.source.web")

API_URL = "https://app-api.pixiv.net"
AUTH_URL = "https://oauth.secure.pixiv.net"
# the Pixiv app's public OAuth client, as pixivpy sends it
_CLIENT_ID = "MOBrBDS8blbauoSck0ZfDbtuzpyT"
_CLIENT_SECRET = "lsACyCD94FhDUtGTXi3QzcFE2uU1hqtDaKeqrdwj"
_HASH_SECRET = "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c"

SELECTS = ("square_medium", "medium", "large", "original")
FILTERS = ("for_ios", "")
SEARCH_TARGETS = ("partial_match_for_tags", "exact_match_for_tags", "title_and_caption", "keyword", "")
SORTS = ("date_desc", "date_asc", "popular_desc", "")
DURATIONS = ("within_last_day", "within_last_week", "within_last_month", "", None)
TYPES = ("illust", "manga", "")
MODES = ("day", "week", "month", "day_male", "day_female", "week_original", "week_rookie", "day_manga", "day_r18",
         "day_male_r18", "day_female_r18", "week_r18", "week_r18g", "")
MAX_UGOIRA_FRAMES = 1000
MAX_UGOIRA_BYTES = 256 * 1024 * 1024


def _check(name: str, value: Any, choices: tuple[Any, ...]) -> Any:
    if value not in choices:
        raise InvalidOptionError(name, value, [c for c in choices if c], f"Pick one of Pixiv's {name} values")
    return value


def ugoira_gif(data: bytes, frames: list[dict[str, Any]], name: str) -> Image.Image:
    """The GIF of an ugoira zip ``data`` with its ``frames`` metadata ({file, delay}); BadImageError if
    the zip or a frame is unreadable, or the animation is too large."""
    if not frames or len(frames) > MAX_UGOIRA_FRAMES:
        raise BadImageError(name, f"ugoira with {len(frames)} frames (1 to {MAX_UGOIRA_FRAMES} are read)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UGOIRA_BYTES:
                raise BadImageError(name, "ugoira frames exceed the size limit")
            images = [open_image_bytes(archive.read(str(frame["file"])), name=f"{name}:{frame['file']}")
                      for frame in frames]
    except (zipfile.BadZipFile, KeyError) as err:
        raise BadImageError(name, f"ugoira archive unreadable ({err})") from None
    buffer = io.BytesIO()
    images[0].save(buffer, format="GIF", save_all=True, append_images=images[1:],
                   duration=[int(frame.get("delay") or 100) for frame in frames], loop=0)
    return open_image_bytes(buffer.getvalue(), name=name)


class BasePixivSource(WebDataSource):
    """The illustrations of a Pixiv listing (subclasses say which), with waifuc's common
    parameters ``group_name='pixiv', select='large', no_ai=False, refresh_token=None``.

    Each page of a work is one item: ``filename`` '{group}_{id}_{page}{ext}', ``group_id``
    '{group}_{id}', ``instance_id`` '{group}_{id}_{page}', the work under ``meta['pixiv']``; an
    ugoira is one GIF '{group}_{id}.gif' with ``meta['ugoira']``. Items carry no tags, as in waifuc.
    ``no_ai`` skips works Pixiv marks as AI-generated. ``req_auth=True`` (waifuc's default) needs the
    refresh token. ``auth_url`` replaces the OAuth host (tests; it follows ``base_url`` when given).
    Unconfirmed API: Pixiv does not document its app API; it is followed from waifuc's and pixivpy's code.
    """

    site = "pixiv"
    default_base_url = API_URL
    credential_names = "Pixiv refresh token (get a new one with gppt or pixivpy's pixiv_auth.py)"
    req_auth = True

    def __init__(self, group_name: str | None = "pixiv", select: str = "large", no_ai: bool = False,
                 refresh_token: str | Secret | None = None, download_silent: bool = True, *,
                 auth_url: str | None = None, **options: Any):
        super().__init__(group_name=group_name, **options)
        self.select = _check("select", select, SELECTS)
        self.no_ai = bool(no_ai)
        self.refresh_token = Secret.of(refresh_token)
        self.auth_url = (auth_url or options.get("base_url") or AUTH_URL).rstrip("/")

    def _secrets(self) -> list[Secret | None]:
        return [self.refresh_token]

    def _client_options(self) -> dict[str, Any]:
        return {"headers": {"Referer": "https://app-api.pixiv.net/"}}

    def _check_query(self) -> None:
        if self.req_auth and self.refresh_token is None:
            raise AuthenticationError(self.site, "Pixiv's app API needs a login for this listing",
                                      "Give refresh_token= (get one with gppt or pixivpy's pixiv_auth.py), "
                                      "or pass req_auth=False to try without")

    def _before_crawl(self, client: SiteClient) -> None:
        if self.refresh_token is None:
            return
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        answer = client.post_form(f"{self.auth_url}/auth/token", {
            "get_secure_url": "1", "client_id": _CLIENT_ID, "client_secret": _CLIENT_SECRET,
            "grant_type": "refresh_token", "refresh_token": self.refresh_token.reveal(),
        }, headers={"x-client-time": now, "x-client-hash": hashlib.md5((now + _HASH_SECRET).encode()).hexdigest()})
        try:
            data = json.loads(answer.content) if answer.status // 100 == 2 else None
        except ValueError:
            data = None
        token = data.get("response", data) if isinstance(data, dict) else None
        if not isinstance(token, dict) or not token.get("access_token"):
            raise AuthenticationError(self.site, f"Pixiv refused the refresh token (HTTP {answer.status})",
                                      "Get a new refresh token (gppt or pixivpy's pixiv_auth.py) and pass it as "
                                      "refresh_token=", url=answer.url, status=answer.status)
        client.add_secret_header("Authorization", Secret(f"Bearer {token['access_token']}"))
        client.add_secret(Secret(str(token["access_token"])))
        if token.get("refresh_token"):
            client.add_secret(Secret(str(token["refresh_token"])))

    def _api_json(self, client: SiteClient, path: str, params: dict[str, str]) -> Any:
        """An API answer; an access token that expired (an hour) is refreshed once and the call repeated."""
        try:
            return self._get_json(client, f"{self.base_url}{path}", params, send_credentials=self.req_auth)
        except BadResponseError as err:
            if not (err.status == 400 and "oauth" in err.problem.lower() and self.refresh_token is not None):
                raise
        logger.info("pixiv: the access token expired, refreshing it")
        self._before_crawl(client)
        return self._get_json(client, f"{self.base_url}{path}", params, send_credentials=self.req_auth)

    # -- listing -------------------------------------------------------------------------------
    def _listing(self) -> tuple[str, dict[str, str]]:
        raise NotImplementedError

    def _fetch_page(self, client: SiteClient, state: dict[str, Any], _: int) -> list[Any] | None:
        if state.get("done"):
            return None
        path, params = self._listing()
        params = {k: v for k, v in params.items() if v not in (None, "")}
        if state["offset"]:
            params["offset"] = str(state["offset"])
        try:
            raw = self._api_json(client, path, params)
        except BadResponseError as err:
            if err.status == 400 and state["offset"]:
                # Pixiv refuses offsets past its result window (about 5000 for a search)
                self.stop_reason = (f"Pixiv refused offset {state['offset']} ({err.problem}); narrow the listing, "
                                    "e.g. with start_date and end_date")
                return None
            raise
        illusts = raw.get("illusts") if isinstance(raw, dict) else None
        if not isinstance(illusts, list):
            return None
        state["offset"] += len(illusts)
        state["done"] = not raw.get("next_url")
        return illusts

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        state: dict[str, Any] = {"offset": 0}
        for illust in self._paginate(lambda page: self._fetch_page(client, state, page)):
            if isinstance(illust, dict) and "id" in illust:
                yield from self._work_posts(client, illust)

    def _work_posts(self, client: SiteClient, illust: dict[str, Any]) -> Iterator[WebPost]:
        work_id, group = illust["id"], f"{self.group_name}_{illust['id']}"

        def post(key: str, url: str | None, extra: dict[str, Any], skip: str | None = None,
                 filename: Callable[[str], str] | None = None) -> WebPost:
            ext = url_extension(url) if url else ""
            meta = {"pixiv": illust, "group_id": group, "instance_id": f"{self.group_name}_{key}",
                    "filename": filename(ext) if filename else f"{self.group_name}_{key}{ext}", **extra}
            return WebPost(key, url, meta, skip)

        if self.no_ai and illust.get("illust_ai_type") == 2:
            yield post(str(work_id), None, {}, "AI-generated work (no_ai=True)")
        elif illust.get("type") in ("illust", "manga"):
            pages = illust.get("meta_pages") or []
            if illust.get("page_count") == 1 or not pages:
                single = illust.get("meta_single_page") or {}
                urls = [single.get("original_image_url") if self.select == "original"
                        else (illust.get("image_urls") or {}).get(self.select)]
            else:
                urls = [(page.get("image_urls") or {}).get(self.select) for page in pages]
            for index, url in enumerate(urls):
                yield post(f"{work_id}_{index}", url, {}, None if url else f"no '{self.select}' image for this page")
        elif illust.get("type") == "ugoira":
            yield self._ugoira_post(client, illust, post)
        else:
            yield post(str(work_id), None, {}, f"a {illust.get('type')!r} work is not an image")

    def _ugoira_post(self, client: SiteClient, illust: dict[str, Any], post: Callable[..., WebPost]) -> WebPost:
        work_id = str(illust["id"])
        raw = self._api_json(client, "/v1/ugoira/metadata", {"illust_id": work_id})
        metadata = raw.get("ugoira_metadata") if isinstance(raw, dict) else None
        zip_urls = (metadata or {}).get("zip_urls") or {}
        zip_url = next((zip_urls[s] for s in (self.select, "original", "large", "medium") if zip_urls.get(s)), None)
        if not isinstance(metadata, dict) or not zip_url:
            return post(work_id, None, {}, "the ugoira's metadata has no zip of frames")
        ugoira = post(work_id, zip_url, {"ugoira": metadata, "url": zip_url},
                      filename=lambda _: f"{self.group_name}_{work_id}.gif")
        ugoira.record_name = f"{self.group_name}_{work_id}.zip"  # the record keeps the frames as sent
        return ugoira

    def _open_image(self, post: WebPost, data: bytes, name: str) -> Image.Image:
        if "ugoira" in post.meta:
            return ugoira_gif(data, list(post.meta["ugoira"].get("frames") or []), name)
        return super()._open_image(post, data, name)


class PixivSearchSource(BasePixivSource):
    """Works found by a Pixiv search: waifuc's ``PixivSearchSource(word, search_target=
    'partial_match_for_tags', sort='date_desc', duration=None, start_date=None, end_date=None,
    filter='for_ios', req_auth=True, group_name='pixiv', select='large', no_ai=False,
    refresh_token=None, download_silent=True)``."""

    def __init__(self, word: str, search_target: str = "partial_match_for_tags", sort: str = "date_desc",
                 duration: str | None = None, start_date: str | None = None, end_date: str | None = None,
                 filter: str = "for_ios", req_auth: bool = True, group_name: str | None = "pixiv",
                 select: str = "large", no_ai: bool = False, refresh_token: str | Secret | None = None,
                 download_silent: bool = True, **options: Any):
        super().__init__(group_name, select, no_ai, refresh_token, download_silent, **options)
        self.word = str(word)
        self.search_target = _check("search_target", search_target, SEARCH_TARGETS)
        self.sort = _check("sort", sort, SORTS)
        self.duration = _check("duration", duration, DURATIONS)
        self.start_date, self.end_date = start_date, end_date
        self.filter, self.req_auth = _check("filter", filter, FILTERS), bool(req_auth)

    def _args_repr(self) -> str:
        return repr(self.word)

    def _listing(self) -> tuple[str, dict[str, str]]:
        return "/v1/search/illust", {
            "word": self.word, "search_target": self.search_target, "sort": self.sort, "filter": self.filter,
            "duration": self.duration or "", "start_date": self.start_date or "", "end_date": self.end_date or "",
            "search_ai_type": "0" if self.no_ai else "1"}


class PixivUserSource(BasePixivSource):
    """Works of one Pixiv user: waifuc's ``PixivUserSource(user_id, type='illust', filter='for_ios',
    req_auth=True, group_name='pixiv', select='large', no_ai=False, refresh_token=None, ...)``."""

    def __init__(self, user_id: int | str, type: str = "illust", filter: str = "for_ios", req_auth: bool = True,
                 group_name: str | None = "pixiv", select: str = "large", no_ai: bool = False,
                 refresh_token: str | Secret | None = None, download_silent: bool = True, **options: Any):
        super().__init__(group_name, select, no_ai, refresh_token, download_silent, **options)
        self.user_id, self.type = user_id, _check("type", type, TYPES)
        self.filter, self.req_auth = _check("filter", filter, FILTERS), bool(req_auth)

    def _args_repr(self) -> str:
        return repr(self.user_id)

    def _listing(self) -> tuple[str, dict[str, str]]:
        return "/v1/user/illusts", {"user_id": str(self.user_id), "filter": self.filter, "type": self.type}


class PixivRankingSource(BasePixivSource):
    """Works of a Pixiv ranking: waifuc's ``PixivRankingSource(mode='day', filter='for_ios', date=None,
    req_auth=True, group_name='pixiv', select='large', no_ai=False, refresh_token=None, ...)``;
    ``date`` is 'YYYY-MM-DD'."""

    def __init__(self, mode: str = "day", filter: str = "for_ios", date: str | None = None, req_auth: bool = True,
                 group_name: str | None = "pixiv", select: str = "large", no_ai: bool = False,
                 refresh_token: str | Secret | None = None, download_silent: bool = True, **options: Any):
        super().__init__(group_name, select, no_ai, refresh_token, download_silent, **options)
        self.mode, self.date = _check("mode", mode, MODES), date
        self.filter, self.req_auth = _check("filter", filter, FILTERS), bool(req_auth)

    def _args_repr(self) -> str:
        return repr(self.mode)

    def _listing(self) -> tuple[str, dict[str, str]]:
        return "/v1/illust/ranking", {"mode": self.mode, "filter": self.filter, "date": self.date or ""}
