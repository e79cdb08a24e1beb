"""Why a crawl failed, one exception type per cause, each saying what to do next.

    SourceError (waifuc_ui.core.errors)
    └── WebSourceError            a site answered badly or not at all
        ├── QueryRuleError        (also ValueError) the query breaks a site rule; raised before any request
        ├── AuthenticationError   401/403: credentials missing, wrong or without the needed level
        ├── ChallengeError        403/503 Cloudflare challenge page: the site blocks automated clients
        ├── RateLimitError        429 still after the retries (or a Retry-After too long to wait)
        ├── ServerError           5xx still after the retries
        ├── RequestTimeoutError   no answer within the timeout, after the retries
        ├── NetworkError          connection refused, DNS failure, connection cut, after the retries
        └── BadResponseError      an answer that is not the documented API format

Messages never contain credentials: URLs are shown with secret query values removed.
A single image that fails to download is not an exception: it is skipped with a reason.
"""

from __future__ import annotations

from ...core.errors import SourceError


class WebSourceError(SourceError):
    """A site failed; ``site``, ``url`` (redacted), ``status`` and ``fix`` say how and what to do."""

    def __init__(self, site: str, problem: str, fix: str, url: str = "", status: int | None = None):
        where = f" ({url})" if url else ""
        super().__init__(f"{site}: {problem}{where}", fix)
        self.site, self.problem, self.url, self.status = site, problem, url, status  # problem without the site


class QueryRuleError(WebSourceError, ValueError):
    """The query breaks a site rule; detected before sending it."""


class AuthenticationError(WebSourceError):
    """The site refused the credentials (or asks for some)."""


class ChallengeError(WebSourceError):
    """A Cloudflare (or similar) challenge page answered instead of the API."""


class RateLimitError(WebSourceError):
    """Still rate limited after the retries; ``retry_after`` is the site's hint in seconds, if any."""

    def __init__(self, *args, retry_after: float | None = None, **kwargs):
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ServerError(WebSourceError):
    """The site kept answering 5xx."""


class RequestTimeoutError(WebSourceError):
    """The site did not answer within the timeout."""


class NetworkError(WebSourceError):
    """The connection failed (refused, DNS, cut mid-answer)."""


class BadResponseError(WebSourceError):
    """The answer is not in the site's documented format."""
