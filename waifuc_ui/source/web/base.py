"""WebDataSource: the crawl loop shared by every site.

A site module only turns API pages into :class:`WebPost` records (id, chosen URL, meta); this
module pages politely, downloads each file once (or reuses it from the resume record), decodes
it completely, and skips with a recorded reason whatever is not a whole image.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import unquote, urlsplit

import httpx
from PIL import Image

from ...core.image_io import BadImageError, open_image_bytes
from ...core.item import ImageItem, ItemMeta
from ...core.report import report_skip
from ..base import NamedDataSource
from .client import DownloadRefused, RateLimiter, SiteClient
from .credentials import Secret
from .errors import BadResponseError, NetworkError, RequestTimeoutError, ServerError, WebSourceError
from .record import CrawlRecord

logger = logging.getLogger("waifuc_ui.source.web")

VIDEO_EXTENSIONS = frozenset({".mp4", ".webm", ".zip", ".swf", ".mkv", ".avi", ".mov", ".m4v", ".flv"})


@dataclass
class WebPost:
    """One post of a listing: ``url`` is the chosen file, ``skip_reason`` says why there is none."""

    id: Any
    url: str | None
    meta: dict[str, Any]
    skip_reason: str | None = None
    record_name: str | None = None  # the downloaded file's name in the resume record, when not meta's filename


def url_extension(url: str) -> str:
    """The lower-case extension of a URL's path ('' if none): 'https://x/a/b.JPG?1' -> '.jpg'."""
    return os.path.splitext(unquote(urlsplit(url).path))[1].lower()


def smallest_variant(candidates: Iterable[tuple[str | None, Any, Any]], min_size: int | None) -> str | None:
    """The URL of the smallest candidate (by area) whose width and height are both >= ``min_size``;
    None if ``min_size`` is None or no candidate is large enough. Candidates without a URL or
    size are ignored."""
    if min_size is None:
        return None
    best: tuple[int, str] | None = None
    for url, width, height in candidates:
        width, height = _as_int(width), _as_int(height)
        if not url or width is None or height is None:
            continue
        if width >= min_size and height >= min_size and (best is None or width * height < best[0]):
            best = (width * height, url)
    return best[1] if best else None


def _as_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def split_tags(text: str | None) -> list[str]:
    return [t for t in (text or "").split() if t]


class WebDataSource(NamedDataSource):
    """Base of the online sources. Options every site takes (keyword only):

    workspace            folder for the resume record and the downloaded files (None: keep nothing)
    requests_per_second  politeness: at most this many requests start per second (default 1.0)
    rate_limiter         a :class:`RateLimiter` to share between sources of the same site, so that
                         together they keep the rate (replaces requests_per_second, clock, sleep)
    timeout              seconds to wait for each request (default 10)
    max_retries          retries after a 429, a 5xx, a timeout or a cut connection (default 4),
                         waiting 1, 2, 4, 8... s or the site's Retry-After
    max_pages            stop after this many listing pages (default 1000)
    max_failures         give up after this many downloads in a row failed (default 5)
    base_url             another address of the same site software (a mirror, a test server)
    group_name           prefix of file names and group ids (default: the site name)
    clock, sleep         time functions (tests pass a fake clock); transport: an httpx transport
    """

    site: str = ""
    meta_key: str = ""  # the key of the raw post in meta when waifuc's differs from ``site``
    default_base_url: str = ""
    credential_names: str = "user name and API key"

    def __init__(self, *, group_name: str | None = None, workspace: str | None = None,
                 requests_per_second: float = 1.0, rate_limiter: RateLimiter | None = None,
                 timeout: float = 10.0, max_retries: int = 4,
                 max_pages: int = 1000, max_failures: int = 5, base_url: str | None = None,
                 clock: Callable[[], float] | None = None, sleep: Callable[[float], None] | None = None,
                 transport: httpx.BaseTransport | None = None):
        self.group_name = group_name or self.site
        self.workspace = os.fspath(workspace) if workspace is not None else None
        self.timeout, self.max_retries, self.max_pages = float(timeout), int(max_retries), int(max_pages)
        self.max_failures = int(max_failures)
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        if rate_limiter is not None:
            self._limiter, self._sleep = rate_limiter, rate_limiter.sleep
        else:
            self._sleep = sleep or time.sleep
            self._limiter = RateLimiter(requests_per_second, clock or time.monotonic, self._sleep)
        self._transport = transport
        self.stop_reason: str | None = None  # why the last crawl's pagination ended

    # -- for site modules --------------------------------------------------------------------
    def _secrets(self) -> list[Secret | None]:
        return []

    def _client_options(self) -> dict[str, Any]:
        """Extra :class:`SiteClient` options: ``auth``, ``secret_params``, ``user_agent``."""
        return {}

    def _check_query(self) -> None:
        """Raise :class:`QueryRuleError` before any request if the query breaks a site rule."""

    def _before_crawl(self, client: SiteClient) -> None:
        """Runs once per crawl before the first page (a login)."""

    def _iter_posts(self, client: SiteClient) -> Iterator[WebPost]:
        raise NotImplementedError

    def _post(self, post_id: Any, url: str | None, raw: dict[str, Any], tags: Iterable[str] | None,
              skip_reason: str | None = None) -> WebPost:
        """A WebPost with waifuc's meta: the raw post under the site name, ``group_id``,
        ``filename`` '{group}_{id}{ext}' and the site tags at 1.0 (no ``tags`` key when
        ``tags`` is None: sites whose waifuc source gives none)."""
        ext = url_extension(url) if url else ""
        if url and not skip_reason and ext in VIDEO_EXTENSIONS:
            skip_reason = f"video or animation file ({ext}) is not supported"
        meta: dict[str, Any] = {
            self.meta_key or self.site: raw,
            "group_id": f"{self.group_name}_{post_id}",
            "filename": f"{self.group_name}_{post_id}{ext}",
        }
        if tags is not None:
            meta["tags"] = {tag: 1.0 for tag in tags}
        return WebPost(post_id, url, meta, skip_reason)

    def _record_url(self, url: str | None) -> str | None:
        """The URL as the resume record compares it (a site with signed, expiring URLs drops the query)."""
        return url

    def _open_image(self, post: WebPost, data: bytes, name: str) -> Image.Image:
        """The image of downloaded ``data`` (a site with packed files, Pixiv's ugoira, overrides it)."""
        return open_image_bytes(data, name=name)

    def _get_json(self, client: SiteClient, url: str, params: dict[str, str] | None = None,
                  send_credentials: bool = True) -> Any:
        """The JSON of an API answer (None for an empty body); HTTP errors become :mod:`.errors` types."""
        try:
            answer = client.get(url, params, send_credentials=send_credentials)
        except DownloadRefused as err:
            raise BadResponseError(self.site, f"the API answer was refused: {err.reason}",
                                   "Check base_url points at the site's API", url=client.redact(url)) from None
        if answer.status // 100 != 2:
            self._raise_for_answer(answer.status, answer.text(), answer.url)
        if not answer.content.strip():
            return None
        try:
            return json.loads(answer.content)
        except ValueError:
            raise BadResponseError(self.site, "the answer is not JSON", "The API may have changed or the address "
                                   "is not this site's API: check base_url, or report it", url=answer.url) from None

    def _raise_for_answer(self, status: int, text: str, url: str) -> None:
        detail = " ".join(text.split())[:200]
        raise BadResponseError(self.site, f"HTTP {status}: {detail}" if detail else f"HTTP {status}",
                               "Check the query and the source's options", url=url, status=status)

    def _paginate(self, fetch_page: Callable[[int], list[Any] | None], first_page: int = 1,
                  key: Callable[[Any], Any] = lambda post: post["id"]) -> Iterator[Any]:
        """Posts of pages first_page, first_page+1, ... until an empty page, a page with no new
        post (the site repeats itself), ``fetch_page`` returning None, or ``max_pages`` pages."""
        seen: set[Any] = set()
        for index in range(self.max_pages):
            page = fetch_page(first_page + index)
            if not page:
                self.stop_reason = self.stop_reason or "end of results (empty page)"
                return
            fresh = [post for post in page if key(post) not in seen]
            if not fresh:
                self.stop_reason = "the site repeated a page of posts already seen"
                logger.info("%s: stopping, page %d repeats posts already seen", self.site, first_page + index)
                return
            seen.update(key(post) for post in fresh)
            yield from fresh
        self.stop_reason = f"page limit reached (max_pages={self.max_pages})"
        logger.warning("%s: stopped after %d pages (max_pages); raise max_pages to crawl further",
                       self.site, self.max_pages)

    # -- the crawl ---------------------------------------------------------------------------
    def _open_client(self) -> SiteClient:
        options: dict[str, Any] = dict(timeout=self.timeout, max_retries=self.max_retries, sleep=self._sleep,
                                       secrets=self._secrets(), transport=self._transport,
                                       credential_names=self.credential_names)
        options.update(self._client_options())
        return SiteClient(self.site, self._limiter, **options)

    def _iter(self) -> Iterator[ImageItem]:
        self._check_query()
        self.stop_reason = None
        record = CrawlRecord(self.workspace, self.group_name) if self.workspace else None
        with self._open_client() as client:
            self._before_crawl(client)
            failures = 0
            for post in self._iter_posts(client):
                try:
                    item = self._materialise(client, record, post)
                except (DownloadRefused, ServerError, RequestTimeoutError, NetworkError) as err:
                    failures += 1
                    if failures >= self.max_failures and isinstance(err, WebSourceError):
                        raise
                    reason = err.reason if isinstance(err, DownloadRefused) else f"download failed: {err.problem}"
                    report_skip(client.redact(post.url or ""), reason, source=repr(self))
                    continue
                failures = 0
                if item is not None:
                    yield item

    def _materialise(self, client: SiteClient, record: CrawlRecord | None, post: WebPost) -> ImageItem | None:
        where = client.redact(post.url) if post.url else post.meta["group_id"]
        entry = record.lookup(post.id, self._record_url(post.url)) if record is not None else None
        if entry is not None and "skipped" in entry:
            report_skip(where, entry["skipped"], source=repr(self))
            return None
        if entry is not None and record is not None:
            try:
                image = self._open_image(post, record.read_file(entry), entry["file"])
                return ImageItem(image, cast(ItemMeta, entry["meta"]))
            except BadImageError:
                logger.info("%s: the recorded file %s is unreadable, downloading again", self.site, entry["file"])
        if post.skip_reason or not post.url:
            self._skip(record, post, where, post.skip_reason or "the post has no file URL")
            return None
        data = client.download(post.url)
        try:
            image = self._open_image(post, data, post.meta["filename"])
        except BadImageError as err:
            self._skip(record, post, where, err.reason)
            return None
        meta = dict(post.meta, url=post.url)
        if record is not None:
            record.add_download(post.id, self._record_url(post.url) or post.url,
                                post.record_name or post.meta["filename"], data, meta)
        return ImageItem(image, cast(ItemMeta, meta))

    def _skip(self, record: CrawlRecord | None, post: WebPost, where: str, reason: str) -> None:
        report_skip(where, reason, source=repr(self))
        if record is not None:
            record.add_skip(post.id, self._record_url(post.url), reason)
