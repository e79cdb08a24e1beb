"""Wallhaven, Derpibooru/Furbooru (Philomena), Paheal (Shimmie XML) and Duitang against the local board."""

import logging

import pytest
from site_cases import duitang, paheal, philomena, wallhaven
from web_board import Reply

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.source import DerpibooruSource, DuitangSource, FurbooruSource, PahealSource, WallHavenSource
from waifuc_ui.source.web.wallhaven import Category, Purity

KEY = "wallhaven-key-31337"


def test_wallhaven_query_key_header_and_last_page(board, web_options, caplog):
    wallhaven(board)
    source = WallHavenSource("hatsune miku", Category.ANIME, Purity.ALL, "relavance", False, (1920, 1080),
                             api_key=KEY, **web_options)
    with caplog.at_level(logging.DEBUG):
        (item,) = list(source)
    assert item.meta["filename"] == "wallhaven_abc14.png" and "tags" not in item.meta
    assert item.meta["wallhaven"]["id"] == "abc14"
    listing = board.requests("/api/v1/search")
    assert len(listing) == 2  # meta.last_page = 2: page 3 is not asked for
    assert listing[0].query == {"q": "hatsune miku", "categories": "010", "purity": "111", "sorting": "relevance",
                                "ai_art_filter": "0", "atleast": "1920x1080", "page": "1"}
    assert listing[0].headers["X-API-Key"] == KEY and "X-API-Key" not in board.requests("/img/")[0].headers
    assert KEY not in caplog.text and KEY not in repr(source) and repr(source) == "WallHavenSource('hatsune miku', " \
                                                                                  "api_key=***)"


def test_wallhaven_defaults_thumbnail_and_bad_options(board, web_options):
    wallhaven(board)
    (thumb,) = list(WallHavenSource("miku", select="thumbnail", **web_options))
    assert thumb.meta["url"] == f"{board.url}/img/w/th-abc14.jpg" and thumb.meta["filename"] == "wallhaven_abc14.jpg"
    first = board.requests("/api/v1/search")[0].query
    assert (first["categories"], first["purity"], first["ai_art_filter"], first["atleast"]) == ("110", "110", "1",
                                                                                                  "1x1")
    assert WallHavenSource("x", category="001").category == "001"
    with pytest.raises(InvalidOptionError, match="invalid sorting: 'newest'"):
        WallHavenSource("x", sorting="newest")
    with pytest.raises(InvalidOptionError, match="invalid purity: 'all'"):
        WallHavenSource("x", purity="all")


@pytest.mark.parametrize("cls, site", [(DerpibooruSource, "derpibooru"), (FurbooruSource, "furbooru")])
def test_philomena_joins_tags_with_commas_and_sends_the_key(board, web_options, cls, site, caplog):
    philomena(board)
    source = cls(["twilight sparkle", "safe"], key="philo-key-777", **web_options)
    with caplog.at_level(logging.DEBUG):
        (item,) = list(source)
    assert item.meta["filename"] == f"{site}_15.png" and item.meta["url"] == f"{board.url}/img/ph/15_l.png"
    assert item.meta["tags"] == {"safe": 1.0, "twilight_sparkle": 1.0} and item.meta[site]["id"] == 15
    first = board.requests("/api/v1/json/search/images")[0]
    assert first.query == {"q": "twilight sparkle, safe", "page": "1", "per_page": "50", "key": "philo-key-777"}
    assert "philo-key-777" not in caplog.text and "key=***" in repr(source)
    assert "key" not in board.requests("/img/")[0].query


def test_philomena_falls_back_to_full_and_checks_select(board, web_options):
    philomena(board)
    (item,) = list(DerpibooruSource(["safe"], select="medium", **web_options))
    assert item.meta["url"] == f"{board.url}/img/ph/15.png"
    with pytest.raises(InvalidOptionError, match="invalid select: 'huge'"):
        DerpibooruSource(["a"], select="huge")
    assert DerpibooruSource("safe, solo").query == "safe, solo"  # a string is the query as it is


def test_paheal_reads_the_xml_and_picks_variants(board, web_options):
    paheal(board)
    (item,) = list(PahealSource(["a", "b"], user_id="5", api_key="paheal-key-1", **web_options))
    assert item.meta["filename"] == "paheal_16.png" and item.meta["tags"] == {"a": 1.0, "b": 1.0}
    assert item.meta["paheal"]["file_name"] == "16.png" and item.meta["paheal"]["id"] == "16"
    first = board.requests("/api/danbooru/find_posts/index.xml")[0]
    assert first.query == {"tags": "a b", "limit": "100", "page": "1", "user_id": "5", "api_key": "paheal-key-1"}
    assert len(board.requests("/api/danbooru/find_posts/index.xml")) == 2  # the empty <posts/> ends it
    (small,) = list(PahealSource(["a"], min_size=100, **web_options))
    assert small.meta["url"] == f"{board.url}/img/pa/thumb_16.jpg"


def test_paheal_404_past_the_first_page_ends_the_listing(board, web_options):
    paheal(board)
    xml_page = board.routes["/api/danbooru/find_posts/index.xml"]
    board.route("/api/danbooru/find_posts/index.xml",
                lambda r: xml_page(r) if r.query["page"] == "1" else Reply(404, "No posts"))
    assert [i.meta["filename"] for i in PahealSource(["a"], **web_options)] == ["paheal_16.png"]


def test_duitang_offsets_and_strict_titles(board, web_options):
    duitang(board)

    def listing(request):
        start = int(request.query["start"])
        posts = [{"id": start + 1, "msg": "初音ミク Hatsune Miku", "photo": {"path": f"{board.url}/img/du/a.jpg"}},
                 {"id": start + 2, "msg": "only miku here", "photo": {"path": f"{board.url}/img/du/b.jpg"}}]
        return Reply(200, {"status": 1, "data": {"object_list": posts if start < 4 else []}})

    board.route("/napi/blog/list/by_search/", listing)
    strict = list(DuitangSource("hatsune miku", page_size=2, **web_options))
    assert [i.meta["filename"] for i in strict] == ["duitang_1.jpg", "duitang_3.jpg"]
    assert "tags" not in strict[0].meta and strict[0].meta["duitang"]["msg"] == "初音ミク Hatsune Miku"
    assert [r.query["start"] for r in board.requests("/napi/")] == ["0", "2", "4"]
    assert board.requests("/napi/")[0].query == {"kw": "hatsune miku", "start": "0", "limit": "2"}
    loose = list(DuitangSource("hatsune miku", strict=False, page_size=2, **web_options))
    assert [i.meta["group_id"] for i in loose] == ["duitang_1", "duitang_2", "duitang_3", "duitang_4"]
