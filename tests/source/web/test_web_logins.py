"""Sankaku and Anime-Pictures against the local board: logins, tokens kept to the API, query
building, page parsing."""

import datetime
import json
import logging

import pytest
from site_cases import anime_pictures, anime_pictures_page, sankaku
from web_board import Reply, image_bytes

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.core.report import collect_report
from waifuc_ui.source import AnimePicturesSource, FileType, PostOrder, Rating, SankakuSource
from waifuc_ui.source.web import AuthenticationError

PASSWORD = "hunter2-sankaku-pass"
TOKEN = "sankaku-access-0042"


def test_sankaku_login_sends_the_token_to_the_api_only(board, web_options, caplog):
    sankaku(board)
    board.route("/auth/token", Reply(200, {"token_type": "Bearer", "access_token": TOKEN}))
    source = SankakuSource(["1girl"], username="fan", password=PASSWORD, **web_options)
    with caplog.at_level(logging.DEBUG):
        (item,) = list(source)
    login = board.requests("/auth/token")[0]
    assert login.method == "POST" and json.loads(login.body) == {"login": "fan", "password": PASSWORD}
    assert board.requests("/posts")[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in board.requests("/img/")[0].headers
    assert item.meta["tags"] == {"1girl": 1.0} and item.meta["sankaku"]["id"] == 12
    for text in (caplog.text, repr(source), repr(vars(source))):
        assert PASSWORD not in text and TOKEN not in text


def test_sankaku_access_token_skips_the_login(board, web_options):
    sankaku(board)
    assert len(list(SankakuSource(["a"], access_token=TOKEN, **web_options))) == 1
    assert board.requests("/auth/token") == []
    assert board.requests("/posts")[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_sankaku_wrong_password_is_explained(board, web_options):
    board.route("/auth/token", Reply(401, {"success": False, "code": "invalid login"}))
    with pytest.raises(AuthenticationError, match="HTTP 401.*Check the Sankaku username and password"):
        list(SankakuSource(["a"], username="fan", password=PASSWORD, **web_options))
    assert board.requests("/posts") == []


def test_sankaku_keyword_options_become_metatags(board, web_options):
    sankaku(board)
    start, end = datetime.datetime(2024, 1, 2, 3, 4), datetime.datetime(2024, 2, 3, 4, 5)
    source = SankakuSource(["1girl"], PostOrder.POPULARITY, Rating.SAFE, FileType.IMAGE, (start, end),
                           threshold=3, added_by=["alice"], **web_options)
    assert source.tags == ["1girl", "order:popularity", "rating:s", "threshold:3",
                           "date:2024-01-02T03:04..2024-02-03T04:05", "user:alice"]
    list(source)
    assert board.requests("/posts")[0].query == {"lang": "en", "page": "1", "limit": "100",
                                                 "tags": " ".join(source.tags)}
    assert SankakuSource(["a"], order="date", file_type="video").tags == ["a", "order:date", "file_type:video"]
    with pytest.raises(InvalidOptionError, match="invalid rating: 'x'"):
        SankakuSource(["a"], rating="x")


def test_sankaku_picks_the_smallest_large_enough_variant(board, web_options):
    post = {"id": 3, "tags": [], "file_url": f"{board.url}/img/s/3.png", "width": 3000, "height": 2000,
            "sample_url": f"{board.url}/img/s/3_s.jpg", "sample_width": 1200, "sample_height": 800,
            "preview_url": f"{board.url}/img/s/3_p.jpg", "preview_width": 300, "preview_height": 200}
    board.route("/posts", lambda r: Reply(200, [post] if r.query["page"] == "1" else []))
    assert [i.meta["url"] for i in SankakuSource(["a"], **web_options)] == [f"{board.url}/img/s/3_s.jpg"]
    assert [i.meta["url"] for i in SankakuSource(["a"], min_size=None, **web_options)] == [post["file_url"]]


def test_anime_pictures_lists_from_page_0_and_reads_the_post_page(board, web_options):
    anime_pictures(board)
    source = AnimePicturesSource(["hatsune miku", "long hair"], denied_tags=["comic", "text"], res_x="1024",
                                 **web_options)
    (item,) = list(source)
    assert item.meta["filename"] == "anime_pictures_13.png" and item.meta["url"] == f"{board.url}/img/ap/13.png"
    assert item.meta["tags"] == {"hatsune_miku": 1.0, "long_hair": 1.0}
    assert item.meta["anime_pictures"] == {"id": 13, "md5": "abcdef"}
    first = board.requests("/api/v3/posts")[0]
    assert first.query == {"order_by": "rating", "ldate": "0", "lang": "en", "page": "0",
                           "search_tag": "hatsune miku&&long hair", "denied_tags": "comic||text", "res_x": "1024"}
    assert [r.query["page"] for r in board.requests("/api/v3/posts")] == ["0", "1"]
    assert board.requests("/posts/13")[0].query == {"lang": "en"}


def test_anime_pictures_previews_come_from_the_md5(board, web_options):
    anime_pictures(board)
    for name in ("abcdef_bp.jpg", "abcdef_cp.jpg"):
        board.route(f"/abc/{name}", Reply(200, image_bytes(".jpg"), {"Content-Type": "image/jpeg"}))
    (thumb,) = list(AnimePicturesSource(["a"], select="thumbnail", **web_options))
    assert thumb.meta["url"] == f"{board.url}/abc/abcdef_bp.jpg" and thumb.meta["filename"] == "anime_pictures_13.jpg"
    (preview,) = list(AnimePicturesSource(["a"], select="preview", **web_options))
    assert preview.meta["url"] == f"{board.url}/abc/abcdef_cp.jpg"
    assert preview.meta["tags"] == {"hatsune_miku": 1.0, "long_hair": 1.0}


def test_anime_pictures_page_without_a_download_link_is_skipped(board, web_options):
    anime_pictures(board)
    board.route("/posts/13", Reply(200, "<html><ul class='tags'><li><a>x</a></li></ul></html>",
                                   {"Content-Type": "text/html"}))
    with collect_report() as report:
        assert list(AnimePicturesSource(["a"], **web_options)) == []
    assert report.skipped[0].reason.startswith("the post's page has no download link")


def test_anime_pictures_login(board, web_options):
    anime_pictures(board)
    board.route("/api/v3/auth", Reply(200, {"success": True, "token": "ap-token-991"},
                                      {"Set-Cookie": "anime_pictures_token=ap-token-991; Path=/"}))
    assert len(list(AnimePicturesSource(["a"], username="fan", password=PASSWORD, **web_options))) == 1
    assert json.loads(board.requests("/api/v3/auth")[0].body) == {"login": "fan", "password": PASSWORD}
    assert "anime_pictures_token=ap-token-991" in board.requests("/posts/13")[0].headers.get("Cookie", "")
    board.route("/api/v3/auth", Reply(200, {"success": False}))
    with pytest.raises(AuthenticationError, match="Check the Anime-Pictures username and password"):
        list(AnimePicturesSource(["a"], username="fan", password="wrong-pass", **web_options))


def test_anime_pictures_options_are_checked():
    with pytest.raises(InvalidOptionError, match="invalid order_by: 'best'"):
        AnimePicturesSource(["a"], order_by="best")
    with pytest.raises(InvalidOptionError, match="invalid tag_mode: 'xor'"):
        AnimePicturesSource(["a"], tag_mode="xor")
    source = AnimePicturesSource(["a"], order_by="date", period="1", requests_per_second=0.5)
    assert (source.order_by, source.period, source.extra_params) == ("date", "1", {})
    assert source._limiter.interval == 2.0
    assert anime_pictures_page("x", 1).count("icon_download") == 1


def test_sankaku_resumes_although_its_signed_urls_change(board, web_options, tmp_path):
    signature = iter(range(100))

    def listing(request):
        if request.query["page"] != "1":
            return Reply(200, [])
        return Reply(200, [{"id": 5, "tags": [], "file_url": f"{board.url}/img/s/5.png?e=1&m={next(signature)}",
                            "width": 900, "height": 900}])

    board.route("/posts", listing)
    (first,) = list(SankakuSource(["a"], workspace=tmp_path, **web_options))
    board.log.clear()
    (again,) = list(SankakuSource(["a"], workspace=tmp_path, **web_options))
    assert board.requests("/img/") == [] and first.meta["url"].endswith("m=0")
    assert again.meta["url"] == first.meta["url"]  # the recorded meta, as downloaded
