"""One polite HTTP client per crawl: honest User-Agent, a per-site rate limit, a timeout on
every request, retries with exponential back-off on 429/5xx/timeouts honouring Retry-After,
and each failure turned into the exception of :mod:`.errors` that says what to do.

The clock and the sleep function are injected, so tests count requests on a fake clock.
Retries are driven by tenacity (its ``sleep`` is injectable); the rate limit is a minimum
interval between request starts (see :class:`RateLimiter` for why not a library).
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import httpx
import tenacity

from ...core.errors import InvalidArgumentError
from ...core.settings import current_settings
from .credentials import Secret, redact, redact_url
from .errors import AuthenticationError, ChallengeError, NetworkError, RateLimitError, RequestTimeoutError, ServerError

logger = logging.getLogger("waifuc_ui.source.web")

MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024
_AUTH_EXTENSION = "waifuc_ui_send_credentials"
_CHALLENGE_MARKERS = ("just a moment...", "cf-chl", "challenge-platform", "cf_chl_opt",
                      "attention required! | cloudflare", "checking your browser")


class RateLimiter:
    """At most ``requests_per_second`` request starts per second, spaced evenly.

    A minimum interval is all a sequential crawler needs; pyrate-limiter (what waifuc uses)
    sleeps with ``time.sleep`` inside the library, so a fake clock could not drive it.
    """

    def __init__(self, requests_per_second: float = 1.0, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        if not requests_per_second or requests_per_second <= 0:
            raise InvalidArgumentError(f"requests_per_second must be > 0, got {requests_per_second!r}",
                                       "give a positive rate such as 1 (one request a second) or 0.5")
        self.interval = 1.0 / float(requests_per_second)
        self.clock, self.sleep = clock, sleep
        self._last: float | None = None

    def acquire(self) -> None:
        """Wait until the next request may start, then mark it started."""
        if self._last is not None:
            wait = self._last + self.interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()


@dataclass(frozen=True)
class Answer:
    """A fully read HTTP answer."""

    status: int
    headers: httpx.Headers
    content: bytes
    url: str  # redacted

    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


class DownloadRefused(Exception):
    """One file cannot be downloaded (HTTP 404, too large, cut short): skip it with ``reason``."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


class _Transient(Exception):
    """A failure worth retrying: 429, 5xx, timeout, connection trouble, a cut body."""

    def __init__(self, kind: str, detail: str, url: str, status: int | None = None,
                 retry_after: float | None = None):
        self.kind, self.detail, self.url, self.status, self.retry_after = kind, detail, url, status, retry_after
        super().__init__(detail)


class _SecretParamsTransport(httpx.BaseTransport):
    """Adds credential query parameters and headers (a bearer token) on the way out, so the URL
    and headers httpx logs and keeps never have them."""

    def __init__(self, inner: httpx.BaseTransport, params: Mapping[str, Secret]):
        self.inner, self.params = inner, dict(params)
        self.headers: dict[str, Secret] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if (self.params or self.headers) and request.extensions.get(_AUTH_EXTENSION) == request.url.host:
            url = request.url.copy_merge_params({k: v.reveal() for k, v in self.params.items()})
            headers = request.headers.copy()
            headers.update({k: v.reveal() for k, v in self.headers.items()})
            request = httpx.Request(request.method, url, headers=headers, stream=request.stream,
                                    extensions=request.extensions)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now())


def is_challenge(status: int, headers: httpx.Headers, body: bytes) -> bool:
    """True for a Cloudflare challenge: ``cf-mitigated: challenge`` or a challenge HTML page."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    if status in (403, 429, 503) and "html" in headers.get("content-type", "").lower():
        text = body[:65536].decode("utf-8", "ignore").lower()
        return any(marker in text for marker in _CHALLENGE_MARKERS)
    return False


#: Seconds to open a connection: an offline machine or an unreachable site fails within this, once (a refused or
#: timed-out connection is not retried; answers that are slow or failing are).
CONNECT_TIMEOUT = 2.5


class SiteClient:
    """HTTP for one crawl of one site. Credentials go only to API requests (``send_credentials``)."""

    def __init__(self, site: str, limiter: RateLimiter, *, timeout: float = 10.0, max_retries: int = 4,
                 backoff: float = 1.0, max_backoff: float = 60.0, max_retry_after: float = 300.0,
                 sleep: Callable[[float], None] = time.sleep, user_agent: str | None = None,
                 auth: tuple[str, Secret] | None = None, secret_params: Mapping[str, Secret] | None = None,
                 secrets: Iterable[Secret | None] = (), transport: httpx.BaseTransport | None = None,
                 max_bytes: int = MAX_DOWNLOAD_BYTES, credential_names: str = "user name and API key",
                 headers: Mapping[str, str] | None = None):
        self.site, self.limiter, self.sleep = site, limiter, sleep
        self.credential_names = credential_names
        self.max_retries, self.backoff, self.max_backoff = max_retries, backoff, max_backoff
        self.max_retry_after, self.max_bytes = max_retry_after, max_bytes
        self._auth = auth
        self._secrets = [s for s in secrets if s is not None]
        if auth is not None:
            self._secrets.append(auth[1])
        self._secrets.extend((secret_params or {}).values())
        inner = transport if transport is not None else httpx.HTTPTransport()
        agent = user_agent or current_settings().user_agent  # WAIFUC_UI_CONTACT is read when first needed
        self._transport = _SecretParamsTransport(inner, secret_params or {})
        self._http = httpx.Client(transport=self._transport,
                                  timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
                                  headers={"User-Agent": agent, **(headers or {})}, follow_redirects=True)

    # -- public -------------------------------------------------------------------------------
    def get(self, url: str, params: dict[str, str] | None = None, *, send_credentials: bool = False,
            download: bool = False, follow_redirects: bool = True) -> Answer:
        """GET with rate limit and retries. Raises the :mod:`.errors` type of a failure that
        persists; returns other answers (2xx, 3xx when not followed, 404, 4xx) for the caller to judge."""
        return self._with_retries("GET", url, params=params, send_credentials=send_credentials, download=download,
                                  follow_redirects=follow_redirects)

    def post_form(self, url: str, data: dict[str, str], *, follow_redirects: bool = False,
                  headers: Mapping[str, str] | None = None) -> Answer:
        """A form POST (a login), rate limited, not retried."""
        return self._attempt("POST", url, data=data, send_credentials=True, follow_redirects=follow_redirects,
                             headers=headers)

    def post_json(self, url: str, payload: Mapping[str, str]) -> Answer:
        """A JSON POST (a login), rate limited, not retried."""
        return self._attempt("POST", url, json=dict(payload), send_credentials=True)

    def head_status(self, url: str) -> int:
        """The HTTP status of a HEAD request (rate limited, retried on 429/5xx like a GET)."""
        return self._with_retries("HEAD", url, download=True).status

    def add_secret_header(self, name: str, value: Secret) -> None:
        """Send header ``name`` with credentialed requests to their own host only; never logged."""
        self._transport.headers[name] = value
        self.add_secret(value)

    def add_secret(self, value: Secret) -> None:
        """A credential learnt during the crawl (a token): removed from every message from now on."""
        self._secrets.append(value)

    def download(self, url: str) -> bytes:
        """The complete bytes of ``url``; :class:`DownloadRefused` if the file is missing, too large
        or arrives cut short even after retries."""
        try:
            answer = self.get(url, download=True)
        except NetworkError as err:
            raise DownloadRefused(f"download failed: {err.problem}") from None
        if answer.status // 100 != 2:
            raise DownloadRefused(f"HTTP {answer.status} for the image")
        return answer.content

    def redact(self, text: str) -> str:
        return redact(redact_url(text), self._secrets)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SiteClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- retries -----------------------------------------------------------------------------
    def _with_retries(self, method: str, url: str, **kwargs) -> Answer:
        retrying = tenacity.Retrying(
            sleep=self.sleep, stop=tenacity.stop_after_attempt(self.max_retries + 1), wait=self._wait,
            retry=tenacity.retry_if_exception_type(_Transient), before_sleep=self._log_retry, reraise=True)
        try:
            return retrying(self._attempt, method, url, **kwargs)
        except _Transient as err:
            raise self._final_error(err) from None

    def _wait(self, state: tenacity.RetryCallState) -> float:
        err = state.outcome.exception() if state.outcome else None
        if isinstance(err, _Transient) and err.retry_after is not None:
            return err.retry_after
        return min(self.max_backoff, self.backoff * 2 ** (state.attempt_number - 1))

    def _log_retry(self, state: tenacity.RetryCallState) -> None:
        err = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0.0
        logger.info("%s: %s at %s; retry %d of %d in %.1f s", self.site, getattr(err, "detail", err),
                    getattr(err, "url", "?"), state.attempt_number, self.max_retries, wait)

    def _final_error(self, err: _Transient):
        tries = f"after {self.max_retries + 1} attempts"
        if err.kind == "rate":
            hint = f"the site asks to wait {err.retry_after:.0f} s; " if err.retry_after is not None else ""
            return RateLimitError(self.site, f"rate limited (HTTP 429) {tries}",
                                  f"Wait, {hint}then run again, and lower requests_per_second", url=err.url,
                                  status=429, retry_after=err.retry_after)
        if err.kind == "server":
            return ServerError(self.site, f"server error HTTP {err.status} {tries}",
                               "The site is failing or overloaded: try again later", url=err.url, status=err.status)
        if err.kind == "timeout":
            return RequestTimeoutError(self.site, f"no answer within the timeout {tries}",
                                       "The site is slow or unreachable: check the connection, raise timeout=, "
                                       "or try again later", url=err.url)
        return NetworkError(self.site, f"{err.detail} {tries}",
                            "Check the internet connection and the site's address, then run again", url=err.url)

    # -- one attempt -------------------------------------------------------------------------
    def _attempt(self, method: str, url: str, *, params=None, data=None, json=None, headers=None,
                 send_credentials: bool = False, download: bool = False, follow_redirects: bool = True) -> Answer:
        request = self._http.build_request(method, url, params=params, data=data, json=json, headers=headers)
        # credentials go to this host only, not to where a redirect may lead
        request.extensions[_AUTH_EXTENSION] = request.url.host if send_credentials else None
        shown = self.redact(str(request.url))
        self.limiter.acquire()
        logger.debug("%s: %s %s", self.site, method, shown)
        try:
            response = self._http.send(request, stream=True, follow_redirects=follow_redirects,
                                       auth=self._basic_auth() if send_credentials else None)
        except (httpx.ConnectError, httpx.ConnectTimeout) as err:  # offline or unreachable: say so at once
            detail = self.redact(str(err)) or type(err).__name__
            raise NetworkError(self.site, f"connection failed ({detail}); the site cannot be reached",
                               "Check the internet connection and the site's address, then run again",
                               url=shown) from None
        except httpx.TimeoutException:
            raise _Transient("timeout", "timed out", shown) from None
        except httpx.TransportError as err:
            raise _Transient("network", f"connection failed ({self.redact(str(err)) or type(err).__name__})",
                             shown) from None
        try:
            if response.status_code >= 400:
                return self._judge_error(response, shown, download)
            if method == "HEAD":
                return Answer(response.status_code, response.headers, b"", shown)
            return Answer(response.status_code, response.headers, self._read_body(response, shown, download), shown)
        finally:
            response.close()

    def _basic_auth(self) -> tuple[str, str] | None:
        return (self._auth[0], self._auth[1].reveal()) if self._auth else None

    def _read_body(self, response: httpx.Response, shown: str, download: bool) -> bytes:
        declared = response.headers.get("content-length")
        limit = self.max_bytes if download else 32 * 1024 * 1024
        if declared and declared.isdigit() and int(declared) > limit:
            raise DownloadRefused(f"file of {int(declared)} bytes exceeds the limit of {limit} bytes")
        chunks, size = [], 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise DownloadRefused(f"file exceeds the limit of {limit} bytes")
                chunks.append(chunk)
        except httpx.TimeoutException:
            raise _Transient("timeout", "timed out while reading", shown) from None
        except httpx.TransportError as err:
            raise _Transient("network", f"incomplete answer ({self.redact(str(err))})", shown) from None
        body = b"".join(chunks)
        if declared and declared.isdigit() and "content-encoding" not in response.headers \
                and len(body) != int(declared):
            raise _Transient("network", f"incomplete answer: got {len(body)} of {declared} bytes", shown)
        return body

    def _judge_error(self, response: httpx.Response, shown: str, download: bool) -> Answer:
        status = response.status_code
        try:
            body = response.read()[:65536]
        except httpx.HTTPError:
            body = b""
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        if is_challenge(status, response.headers, body):
            raise ChallengeError(
                self.site, f"HTTP {status}: a Cloudflare challenge page answered instead of the API",
                "The site is blocking automated clients right now: wait and retry later with a lower "
                "requests_per_second, log in (API key) if the site offers it, or use another source",
                url=shown, status=status)
        if status == 429:
            if retry_after is not None and retry_after > self.max_retry_after:
                raise RateLimitError(self.site, f"rate limited (HTTP 429), Retry-After {retry_after:.0f} s",
                                     f"Wait {retry_after:.0f} s, then run again with a lower requests_per_second",
                                     url=shown, status=429, retry_after=retry_after)
            raise _Transient("rate", "rate limited (HTTP 429)", shown, 429, retry_after)
        if status >= 500:
            raise _Transient("server", f"server error HTTP {status}", shown, status,
                             retry_after if retry_after is not None and retry_after <= self.max_retry_after else None)
        if status in (401, 403) and not download:  # a refused image is skipped, not the whole crawl
            if self._auth or self._secrets:
                problem = f"HTTP {status}: the site refused the credentials"
                fix = f"Check the {self.credential_names}, and that the account level allows this query"
            else:
                problem = f"HTTP {status}: the site refused anonymous access"
                fix = f"This site or query needs an account: give the {self.credential_names}"
            raise AuthenticationError(self.site, problem, fix, url=shown, status=status)
        return Answer(status, response.headers, body, shown)
