"""Online sources: image boards crawled politely (rate limit, honest User-Agent, retries),
resumably (a record in a workspace folder) and with errors that say what to do.

    DanbooruSource, SafebooruSource      Danbooru API (username + api_key optional)
    E621Source, E926Source               e621 API (username + api_key optional)
    GelbooruSource                       Gelbooru API (user_id + api_key)
    YandeSource, KonachanSource, KonachanNetSource   Moebooru API
    ZerochanSource                       Zerochan API (username + password optional)

Every source also takes the keyword options of :class:`WebDataSource` (workspace,
requests_per_second, timeout, max_retries, max_pages, ...). :mod:`.catalog` describes them
for forms.
"""

from .base import WebDataSource, WebPost
from .client import RateLimiter
from .credentials import Secret
from .danbooru import DanbooruSource, SafebooruSource
from .e621 import E621Source, E926Source
from .errors import (
                     AuthenticationError,
                     BadResponseError,
                     ChallengeError,
                     NetworkError,
                     QueryRuleError,
                     RateLimitError,
                     RequestTimeoutError,
                     ServerError,
                     WebSourceError,
)
from .gelbooru import GelbooruSource
from .moebooru import KonachanNetSource, KonachanSource, MoebooruSource, YandeSource
from .record import CrawlRecord
from .zerochan import ZerochanSource

__all__ = [
    "AuthenticationError", "BadResponseError", "ChallengeError", "CrawlRecord", "DanbooruSource", "E621Source",
    "E926Source", "GelbooruSource", "KonachanNetSource", "KonachanSource", "MoebooruSource", "NetworkError",
    "QueryRuleError", "RateLimitError", "RateLimiter", "RequestTimeoutError", "SafebooruSource", "Secret",
    "ServerError", "WebDataSource", "WebPost", "WebSourceError", "YandeSource", "ZerochanSource",
]
