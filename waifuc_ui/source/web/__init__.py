"""Online sources: image boards crawled politely (rate limit, honest User-Agent, retries),
resumably (a record in a workspace folder) and with errors that say what to do.

    DanbooruSource, SafebooruSource      Danbooru API (username + api_key optional)
    E621Source, E926Source               e621 API (username + api_key optional)
    GelbooruSource                       Gelbooru API (user_id + api_key)
    YandeSource, KonachanSource, KonachanNetSource   Moebooru API
    ZerochanSource                       Zerochan API (username + password optional)
    ATFBooruSource                       Danbooru software
    LolibooruSource, ThreeDBooruSource   Moebooru software
    Rule34Source, HypnoHubSource, RealbooruSource, XbooruSource, SafebooruOrgSource, TBIBSource
                                         Gelbooru 0.2 software
    PixivSearchSource, PixivUserSource, PixivRankingSource   Pixiv app API (refresh token)
    SankakuSource                        Sankaku (username + password, or access_token)
    AnimePicturesSource                  Anime-Pictures (username + password optional)
    WallHavenSource                      Wallhaven API (API key optional)
    DerpibooruSource, FurbooruSource     Philomena API (key optional)
    PahealSource                         Shimmie XML (user_id + api_key optional)
    DuitangSource                        Duitang

Every source also takes the keyword options of :class:`WebDataSource` (workspace,
requests_per_second, timeout, max_retries, max_pages, ...). :mod:`.catalog` describes them
for forms.
"""

from .anime_pictures import AnimePicturesSource
from .base import WebDataSource, WebPost
from .client import RateLimiter
from .credentials import Secret
from .danbooru import ATFBooruSource, DanbooruSource, SafebooruSource
from .duitang import DuitangSource
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
from .gelbooru_like import (
                            HypnoHubSource,
                            RealbooruSource,
                            Rule34Source,
                            SafebooruOrgSource,
                            TBIBSource,
                            XbooruSource,
)
from .moebooru import (
                       KonachanNetSource,
                       KonachanSource,
                       LolibooruSource,
                       MoebooruSource,
                       ThreeDBooruSource,
                       YandeSource,
)
from .paheal import PahealSource
from .philomena import DerpibooruLikeSource, DerpibooruSource, FurbooruSource
from .pixiv import BasePixivSource, PixivRankingSource, PixivSearchSource, PixivUserSource
from .record import CrawlRecord
from .sankaku import FileType, PostOrder, Rating, SankakuSource
from .wallhaven import WallHavenSource
from .zerochan import ZerochanSource

__all__ = [
    "AuthenticationError", "BadResponseError", "ChallengeError", "CrawlRecord", "DanbooruSource", "E621Source",
    "E926Source", "GelbooruSource", "KonachanNetSource", "KonachanSource", "MoebooruSource", "NetworkError",
    "QueryRuleError", "RateLimitError", "RateLimiter", "RequestTimeoutError", "SafebooruSource", "Secret",
    "ServerError", "WebDataSource", "WebPost", "WebSourceError", "YandeSource", "ZerochanSource",
    "ATFBooruSource", "AnimePicturesSource", "BasePixivSource", "DerpibooruLikeSource", "DerpibooruSource",
    "DuitangSource", "FileType", "FurbooruSource", "HypnoHubSource", "LolibooruSource", "PahealSource",
    "PixivRankingSource", "PixivSearchSource", "PixivUserSource", "PostOrder", "Rating", "RealbooruSource",
    "Rule34Source", "SafebooruOrgSource", "SankakuSource", "TBIBSource", "ThreeDBooruSource", "WallHavenSource",
    "XbooruSource",
]
