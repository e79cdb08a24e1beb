"""The catalog the app's Source tab builds its form from."""

import pytest

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.source import (
    AnimePicturesSource,
    DanbooruSource,
    DerpibooruSource,
    GelbooruSource,
    PixivRankingSource,
    PixivSearchSource,
    SankakuSource,
    WallHavenSource,
    ZerochanSource,
)
from waifuc_ui.source.web.catalog import KINDS, WEB_SOURCES, find_source


def test_every_source_starts_with_what_to_search_and_has_known_kinds():
    names = [spec.name for spec in WEB_SOURCES]
    assert names == ["danbooru", "safebooru", "gelbooru", "yande", "konachan", "e621", "zerochan", "atfbooru",
                     "lolibooru", "3dbooru", "rule34", "hypnohub", "realbooru", "xbooru", "safebooru_org", "tbib",
                     "paheal",
                     "sankaku", "anime_pictures", "pixiv_search", "pixiv_user", "pixiv_ranking", "wallhaven",
                     "derpibooru", "furbooru", "duitang"]
    for spec in WEB_SOURCES:
        assert spec.fields[0].kind in ("tags", "text", "choice")
        assert all(f.kind in KINDS for f in spec.fields)
        for f in spec.fields:  # the form's field names are the class's parameter names
            assert f.name in spec.cls.__init__.__code__.co_varnames


def test_credential_fields_are_secret():
    secret = {spec.name: [f.name for f in spec.fields if f.secret] for spec in WEB_SOURCES}
    assert secret["danbooru"] == ["username", "api_key"]
    assert secret["gelbooru"] == ["user_id", "api_key"]
    assert secret["zerochan"] == ["username", "password"]
    assert secret["yande"] == []
    assert secret["sankaku"] == ["username", "password", "access_token"]
    assert secret["anime_pictures"] == ["username", "password"]
    assert secret["pixiv_search"] == secret["pixiv_user"] == secret["pixiv_ranking"] == ["refresh_token"]
    assert secret["wallhaven"] == ["api_key"] and secret["derpibooru"] == ["key"]
    assert secret["paheal"] == ["user_id", "api_key"] and secret["duitang"] == []


def test_build_turns_form_values_into_a_source(tmp_path):
    source = find_source("danbooru").build({"tags": " surtr_(arknights)  solo ", "min_size": "600",
                                            "username": "", "api_key": ""}, workspace=tmp_path)
    assert isinstance(source, DanbooruSource)
    assert source.tags == ["surtr_(arknights)", "solo"] and source.min_size == 600
    assert source.username is None and source.workspace == str(tmp_path)
    gel = find_source("gelbooru").build({"tags": "a", "user_id": "12", "api_key": "k-e-y-1"})
    assert isinstance(gel, GelbooruSource) and gel.api_key.reveal() == "k-e-y-1" and gel.min_size == 800
    zero = find_source("zerochan").build({"word": "Hatsune Miku, Flower", "sort": "id"})
    assert isinstance(zero, ZerochanSource) and zero.word == ["Hatsune Miku", "Flower"] and zero.sort == "id"


def test_bad_form_values_are_named():
    with pytest.raises(InvalidOptionError, match="invalid source: 'pixiv'.*'danbooru'"):
        find_source("pixiv")
    with pytest.raises(InvalidOptionError, match="invalid min_size: 'big'"):
        find_source("danbooru").build({"tags": "a", "min_size": "big"})
    with pytest.raises(InvalidOptionError, match="invalid field: 'colour'"):
        find_source("danbooru").build({"tags": "a", "colour": "red"})
    with pytest.raises(InvalidOptionError, match="invalid sort: 'best'"):
        find_source("zerochan").build({"word": "a", "sort": "best"})


def test_advanced_fields_reach_the_source():
    from waifuc_ui.source.web.catalog import ADVANCED_FIELDS
    assert [f.name for f in ADVANCED_FIELDS] == ["requests_per_second", "max_pages", "timeout"]
    source = find_source("yande").build({"tags": "a", "requests_per_second": "0.5", "max_pages": "3"})
    assert source.max_pages == 3 and source.timeout == 10.0
    assert source._limiter.interval == 2.0
    with pytest.raises(InvalidOptionError, match="Requests per second must be at least 0.01"):
        find_source("yande").build({"tags": "a", "requests_per_second": "0"})


def test_build_the_added_sources_from_form_values():
    pixiv = find_source("pixiv_search").build({"word": " 初音ミク ", "sort": "popular_desc",
                                               "refresh_token": "tok-12345"})
    assert isinstance(pixiv, PixivSearchSource) and pixiv.word == "初音ミク" and pixiv.sort == "popular_desc"
    assert pixiv.refresh_token.reveal() == "tok-12345" and pixiv.select == "large" and pixiv.no_ai is False
    ranking = find_source("pixiv_ranking").build({"mode": "week", "date": ""})
    assert isinstance(ranking, PixivRankingSource) and ranking.date is None and ranking.mode == "week"
    ap = find_source("anime_pictures").build({"tags": "hatsune miku, long hair", "denied_tags": "comic"})
    assert isinstance(ap, AnimePicturesSource) and ap.tags == ["hatsune miku", "long hair"]
    assert ap.denied_tags == ["comic"] and ap.extra_params == {}
    sankaku = find_source("sankaku").build({"tags": "1girl solo", "username": "", "password": ""})
    assert isinstance(sankaku, SankakuSource) and sankaku.tags == ["1girl", "solo"] and sankaku.password is None
    wall = find_source("wallhaven").build({"query": "miku", "api_key": "k-1234"})
    assert isinstance(wall, WallHavenSource) and wall.no_ai is True and wall.api_key.reveal() == "k-1234"
    derpi = find_source("derpibooru").build({"tags": "safe, solo"})
    assert isinstance(derpi, DerpibooruSource) and derpi.query == "safe, solo"
    with pytest.raises(InvalidOptionError, match=r"invalid word: '  '\. Fix: Search words is needed"):
        find_source("pixiv_search").build({"word": "  "})
    with pytest.raises(InvalidOptionError, match="invalid mode: 'yearly'"):
        find_source("pixiv_ranking").build({"mode": "yearly"})
