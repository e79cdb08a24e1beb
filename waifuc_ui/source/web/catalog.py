"""A plain description of the online sources for forms (the app's Source tab builds its form
from it; nothing here imports gradio).

    for spec in WEB_SOURCES: spec.name, spec.title, spec.fields (FieldSpec: name, kind, label,
    default, secret, choices, help)
    source = find_source('danbooru').build({'tags': 'surtr_(arknights) solo', 'min_size': 800},
                                           workspace=session_folder)

Fields marked ``secret`` are credentials: show them as password inputs, never store or echo them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...core.errors import InvalidOptionError
from . import anime_pictures, philomena, pixiv, wallhaven
from .anime_pictures import AnimePicturesSource
from .base import WebDataSource
from .danbooru import ATFBooruSource, DanbooruSource, SafebooruSource
from .duitang import DuitangSource
from .e621 import E621Source
from .gelbooru import GelbooruSource
from .gelbooru_like import HypnoHubSource, RealbooruSource, Rule34Source, SafebooruOrgSource, TBIBSource, XbooruSource
from .moebooru import KonachanSource, LolibooruSource, ThreeDBooruSource, YandeSource
from .paheal import PahealSource
from .philomena import DerpibooruSource, FurbooruSource
from .pixiv import PixivRankingSource, PixivSearchSource, PixivUserSource
from .sankaku import SankakuSource
from .wallhaven import WallHavenSource
from .zerochan import DIMENSIONS, SELECTS, SORTS, ZerochanSource

KINDS = ("tags", "int", "float", "choice", "bool", "text", "secret")


@dataclass(frozen=True)
class FieldSpec:
    """One form field. ``kind`` is one of :data:`KINDS`; ``separator`` splits a 'tags' text."""

    name: str
    kind: str
    label: str
    default: Any = None
    secret: bool = False
    choices: tuple[Any, ...] = ()
    separator: str = " "
    help: str = ""
    minimum: Any = None
    required: bool = False


@dataclass(frozen=True)
class SourceSpec:
    name: str
    title: str
    cls: type[WebDataSource]
    fields: tuple[FieldSpec, ...]
    notes: str = ""

    def build(self, values: Mapping[str, Any], **options: Any) -> WebDataSource:
        """The source for the form ``values`` of :attr:`fields` and :data:`ADVANCED_FIELDS`
        (missing ones take the defaults; empty text is None); ``options`` go to
        :class:`WebDataSource` as they are (workspace, rate_limiter, ...)."""
        fields = self.fields + ADVANCED_FIELDS
        unknown = set(values) - {f.name for f in fields}
        if unknown:
            raise InvalidOptionError("field", sorted(unknown)[0], [f.name for f in fields],
                                     f"{self.title} takes only these fields")
        kwargs: dict[str, Any] = {}
        for field in fields:
            kwargs[field.name] = _convert(field, values.get(field.name, field.default))
        kwargs.update(options)
        return self.cls(**kwargs)


def _convert(field: FieldSpec, value: Any) -> Any:
    if field.required and (value is None or str(value).strip() == ""):
        raise InvalidOptionError(field.name, value, None, f"{field.label} is needed")
    if isinstance(value, str):
        value = value.strip()
        if value == "" and field.kind != "tags":
            return None if field.default is None or field.secret else field.default
    if field.kind == "tags":
        if isinstance(value, str):
            return [part.strip() for part in value.split(field.separator or None) if part.strip()]
        return list(value or [])
    if field.kind in ("int", "float") and value is not None:
        try:
            number = int(value) if field.kind == "int" else float(value)
        except (TypeError, ValueError):
            raise InvalidOptionError(field.name, value, None, f"{field.label} must be a "
                                     f"{'whole ' if field.kind == 'int' else ''}number") from None
        if field.minimum is not None and number < field.minimum:
            raise InvalidOptionError(field.name, value, None, f"{field.label} must be at least {field.minimum}")
        return number
    if field.kind == "choice" and value is not None and value not in field.choices:
        raise InvalidOptionError(field.name, value, field.choices, f"Pick one {field.label}")
    if field.kind == "bool":
        return bool(value)
    return value


# options every online source takes; a form may tuck them under "advanced"
ADVANCED_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("requests_per_second", "float", "Requests per second", 1.0, minimum=0.01,
              help="Politeness: at most this many requests a second to the site"),
    FieldSpec("max_pages", "int", "Page limit", 1000, minimum=1, help="Stop after this many result pages"),
    FieldSpec("timeout", "float", "Timeout (s)", 10.0, minimum=0.1, help="Seconds to wait for each answer"),
)

_TAGS = FieldSpec("tags", "tags", "Tags", "", help="Site tags separated by spaces, e.g. surtr_(arknights) solo")
_MIN_SIZE = FieldSpec("min_size", "int", "Minimum size (px)", 800,
                      help="Download the smallest variant whose width and height both reach this")


def _account(user: str, user_label: str, key: str, key_label: str) -> tuple[FieldSpec, FieldSpec]:
    return (FieldSpec(user, "text", user_label, None, secret=True),
            FieldSpec(key, "secret", key_label, None, secret=True))


_PIXIV: tuple[FieldSpec, ...] = (
    FieldSpec("select", "choice", "Variant", "large", choices=pixiv.SELECTS),
    FieldSpec("no_ai", "bool", "Skip AI-generated works", False),
    FieldSpec("refresh_token", "secret", "Refresh token", None, secret=True,
              help="Pixiv's app API needs one: get it with gppt or pixivpy's pixiv_auth.py"),
)
_PIXIV_NOTE = "Pixiv's app API is not publicly documented; it needs a refresh token."
_PHILOMENA: tuple[FieldSpec, ...] = (
    FieldSpec("tags", "tags", "Tags", "", separator=",", help="Tags separated by commas, e.g. safe, solo"),
    FieldSpec("select", "choice", "Variant", "large", choices=philomena.SELECTS),
    FieldSpec("key", "secret", "API key", None, secret=True),
)

WEB_SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec("danbooru", "Danbooru", DanbooruSource,
               (_TAGS, _MIN_SIZE, *_account("username", "User name", "api_key", "API key")),
               "Anonymous searches may hold 2 tags (metatags such as rating: do not count)."),
    SourceSpec("safebooru", "Safebooru (Danbooru)", SafebooruSource,
               (_TAGS, _MIN_SIZE, *_account("username", "User name", "api_key", "API key")),
               "Danbooru's safe-only mirror; same 2-tag rule."),
    SourceSpec("gelbooru", "Gelbooru", GelbooruSource,
               (_TAGS, _MIN_SIZE, *_account("user_id", "User id", "api_key", "API key")),
               "Gelbooru asks for the user id and API key from its account options page."),
    SourceSpec("yande", "yande.re", YandeSource, (_TAGS, _MIN_SIZE)),
    SourceSpec("konachan", "Konachan", KonachanSource, (_TAGS, _MIN_SIZE)),
    SourceSpec("e621", "e621", E621Source,
               (_TAGS, _MIN_SIZE, *_account("username", "User name", "api_key", "API key"))),
    SourceSpec("zerochan", "Zerochan", ZerochanSource, (
        FieldSpec("word", "tags", "Tags", "", separator=",",
                  help="Zerochan tag names separated by commas, e.g. Hatsune Miku"),
        FieldSpec("sort", "choice", "Sort", "fav", choices=SORTS),
        FieldSpec("dimension", "choice", "Dimension", None, choices=DIMENSIONS),
        FieldSpec("strict", "bool", "Strict (primary tag only)", False),
        FieldSpec("select", "choice", "Variant", "large", choices=SELECTS),
        *_account("username", "User name", "password", "Password"),
    ), "Log in to see members-only and multi-person images."),
    SourceSpec("atfbooru", "ATFBooru", ATFBooruSource,
               (_TAGS, _MIN_SIZE, *_account("username", "User name", "api_key", "API key"))),
    SourceSpec("lolibooru", "Lolibooru", LolibooruSource, (_TAGS, _MIN_SIZE)),
    SourceSpec("3dbooru", "3dbooru (behoimi.org)", ThreeDBooruSource, (_TAGS, _MIN_SIZE)),
    SourceSpec("rule34", "Rule34", Rule34Source,
               (_TAGS, _MIN_SIZE, *_account("user_id", "User id", "api_key", "API key"))),
    SourceSpec("hypnohub", "HypnoHub", HypnoHubSource, (_TAGS, _MIN_SIZE)),
    SourceSpec("realbooru", "Realbooru", RealbooruSource, (_TAGS, _MIN_SIZE)),
    SourceSpec("xbooru", "Xbooru", XbooruSource, (_TAGS, _MIN_SIZE)),
    SourceSpec("safebooru_org", "Safebooru.org", SafebooruOrgSource, (_TAGS, _MIN_SIZE)),
    SourceSpec("tbib", "TBIB", TBIBSource, (_TAGS, _MIN_SIZE)),
    SourceSpec("paheal", "Paheal", PahealSource,
               (_TAGS, _MIN_SIZE, *_account("user_id", "User id", "api_key", "API key"))),
    SourceSpec("sankaku", "Sankaku Complex", SankakuSource, (
        _TAGS, _MIN_SIZE, *_account("username", "User name", "password", "Password"),
        FieldSpec("access_token", "secret", "Access token (instead of the password)", None, secret=True),
    ), "Sankaku's API is not publicly documented; a login shows more posts."),
    SourceSpec("anime_pictures", "Anime-Pictures", AnimePicturesSource, (
        FieldSpec("tags", "tags", "Tags", "", separator=",", help="Tags separated by commas, e.g. hatsune miku"),
        FieldSpec("denied_tags", "tags", "Excluded tags", "", separator=",", help="Tags separated by commas"),
        FieldSpec("order_by", "choice", "Order", "rating", choices=tuple(o.value for o in anime_pictures.OrderBy)),
        FieldSpec("select", "choice", "Variant", "original", choices=anime_pictures.SELECTS),
        *_account("username", "User name", "password", "Password"),
    )),
    SourceSpec("pixiv_search", "Pixiv search", PixivSearchSource, (
        FieldSpec("word", "text", "Search words", "", required=True, help="Pixiv tags or words, e.g. 初音ミク"),
        FieldSpec("search_target", "choice", "Match", "partial_match_for_tags",
                  choices=tuple(c for c in pixiv.SEARCH_TARGETS if c)),
        FieldSpec("sort", "choice", "Sort", "date_desc", choices=tuple(c for c in pixiv.SORTS if c)),
        *_PIXIV,
    ), _PIXIV_NOTE),
    SourceSpec("pixiv_user", "Pixiv user", PixivUserSource, (
        FieldSpec("user_id", "text", "User id", "", required=True,
                  help="The number in the artist's address, pixiv.net/users/…"),
        FieldSpec("type", "choice", "Works", "illust", choices=("illust", "manga")),
        *_PIXIV,
    ), _PIXIV_NOTE),
    SourceSpec("pixiv_ranking", "Pixiv ranking", PixivRankingSource, (
        FieldSpec("mode", "choice", "Ranking", "day", choices=tuple(c for c in pixiv.MODES if c)),
        FieldSpec("date", "text", "Date (YYYY-MM-DD)", None, help="Empty for the latest ranking"),
        *_PIXIV,
    ), _PIXIV_NOTE),
    SourceSpec("wallhaven", "Wallhaven", WallHavenSource, (
        FieldSpec("query", "text", "Search", "", required=True, help="Words or tags, e.g. hatsune miku"),
        FieldSpec("sorting", "choice", "Sort", "relevance", choices=wallhaven.SORTINGS),
        FieldSpec("no_ai", "bool", "Hide AI art", True),
        FieldSpec("select", "choice", "Variant", "original", choices=wallhaven.SELECTS),
        FieldSpec("api_key", "secret", "API key", None, secret=True, help="Needed for NSFW results"),
    )),
    SourceSpec("derpibooru", "Derpibooru", DerpibooruSource, _PHILOMENA),
    SourceSpec("furbooru", "Furbooru", FurbooruSource, _PHILOMENA),
    SourceSpec("duitang", "Duitang", DuitangSource, (
        FieldSpec("keyword", "text", "Keyword", "", required=True, help="Search words, e.g. 初音未来"),
        FieldSpec("strict", "bool", "Title must hold every word", True),
    ), "Duitang's API is not publicly documented."),
)


def find_source(name: str) -> SourceSpec:
    """The spec named ``name`` (e.g. 'danbooru')."""
    for spec in WEB_SOURCES:
        if spec.name == name:
            return spec
    raise InvalidOptionError("source", name, [s.name for s in WEB_SOURCES], "Pick one of the online sources")
