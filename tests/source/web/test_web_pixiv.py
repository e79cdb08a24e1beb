"""Pixiv's app API against the local board: the refresh-token login, listings by offset, pages of
a work, ugoira as a GIF, and the token kept to the API host."""

import hashlib
import io
import zipfile

import pytest
from site_cases import ACCESS_TOKEN, REFRESH_TOKEN, pixiv, pixiv_work
from web_board import Reply, image_bytes

from waifuc_ui.core.errors import InvalidOptionError
from waifuc_ui.core.report import collect_report
from waifuc_ui.source import PixivRankingSource, PixivSearchSource, PixivUserSource
from waifuc_ui.source.web import AuthenticationError


def test_refresh_token_login_then_bearer_to_the_api_only(board, web_options):
    pixiv(board)
    items = list(PixivSearchSource("初音ミク", refresh_token=REFRESH_TOKEN, **web_options))
    assert len(items) == 1
    login = board.requests("/auth/token")[0]
    assert login.method == "POST"
    form = dict(pair.split("=", 1) for pair in login.body.decode().split("&"))
    assert form["grant_type"] == "refresh_token" and form["refresh_token"] == REFRESH_TOKEN
    assert form["client_id"] == "MOBrBDS8blbauoSck0ZfDbtuzpyT"
    client_time = login.headers["x-client-time"]
    assert login.headers["x-client-hash"] == hashlib.md5(
        (client_time + "28c1fdd170a5204386cb1313c7077b34f83e4aaf4aa829ce78c231e05b0bae2c").encode()).hexdigest()
    listing = board.requests("/v1/search/illust")[0]
    assert listing.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert listing.query == {"word": "初音ミク", "search_target": "partial_match_for_tags", "sort": "date_desc",
                             "filter": "for_ios", "search_ai_type": "1"}
    image = board.requests("/img/")[0]
    assert "Authorization" not in image.headers and image.headers["Referer"] == "https://app-api.pixiv.net/"


def test_waifuc_meta_for_every_page_of_a_work(board, web_options):
    pixiv(board)
    work = pixiv_work(board.url, 40, pages=3)
    board.route("/v1/user/illusts", Reply(200, {"illusts": [work], "next_url": None}))
    items = list(PixivUserSource(77, refresh_token=REFRESH_TOKEN, select="original", **web_options))
    assert [i.meta["filename"] for i in items] == ["pixiv_40_0.png", "pixiv_40_1.png", "pixiv_40_2.png"]
    assert {i.meta["group_id"] for i in items} == {"pixiv_40"}
    assert [i.meta["instance_id"] for i in items] == ["pixiv_40_0", "pixiv_40_1", "pixiv_40_2"]
    assert items[1].meta["pixiv"] == work and items[1].meta["url"] == f"{board.url}/img/p/40_p1.png"
    assert "tags" not in items[0].meta  # as in waifuc
    assert board.requests("/v1/user/illusts")[0].query == {"user_id": "77", "filter": "for_ios", "type": "illust"}


def test_listing_pages_by_offset_until_next_url_is_empty(board, web_options):
    pixiv(board)

    def ranking(request):
        offset = int(request.query.get("offset", "0"))
        works = [pixiv_work(board.url, offset + i) for i in (1, 2)]
        return Reply(200, {"illusts": works, "next_url": None if offset >= 2 else "https://app-api/next"})

    board.route("/v1/illust/ranking", ranking)
    source = PixivRankingSource("week", date="2024-05-01", refresh_token=REFRESH_TOKEN, **web_options)
    assert [i.meta["group_id"] for i in source] == ["pixiv_1", "pixiv_2", "pixiv_3", "pixiv_4"]
    listing = board.requests("/v1/illust/ranking")
    assert [r.query.get("offset") for r in listing] == [None, "2"]
    assert listing[0].query == {"mode": "week", "filter": "for_ios", "date": "2024-05-01"}


def test_no_ai_skips_ai_works_with_a_reason_and_asks_the_search_to_hide_them(board, web_options):
    pixiv(board)
    board.route("/v1/search/illust", Reply(200, {"illusts": [pixiv_work(board.url, 5, ai=2),
                                                             pixiv_work(board.url, 6)], "next_url": None}))
    with collect_report() as report:
        items = list(PixivSearchSource("x", no_ai=True, refresh_token=REFRESH_TOKEN, **web_options))
    assert [i.meta["group_id"] for i in items] == ["pixiv_6"]
    assert [s.reason for s in report.skipped] == ["AI-generated work (no_ai=True)"]
    assert board.requests("/v1/search/illust")[0].query["search_ai_type"] == "0"


def ugoira_zip(frames):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, color in frames:
            archive.writestr(name, image_bytes(".jpg", (32, 24), color))
    return buffer.getvalue()


def test_ugoira_becomes_a_gif_with_the_frame_delays(board, web_options, tmp_path):
    pixiv(board)
    board.route("/v1/search/illust", Reply(200, {"illusts": [pixiv_work(board.url, 9, kind="ugoira")],
                                                 "next_url": None}))
    frames = [{"file": "000000.jpg", "delay": 80}, {"file": "000001.jpg", "delay": 120}]
    board.route("/v1/ugoira/metadata", Reply(200, {"ugoira_metadata": {
        "frames": frames, "zip_urls": {"medium": f"{board.url}/ugoira/9_600x600.zip"}}}))
    board.route("/ugoira/9_600x600.zip", Reply(200, ugoira_zip([("000000.jpg", (250, 0, 0)),
                                                                ("000001.jpg", (0, 0, 250))]),
                                               {"Content-Type": "application/zip"}))
    (item,) = list(PixivSearchSource("x", refresh_token=REFRESH_TOKEN, workspace=tmp_path, **web_options))
    assert item.meta["filename"] == "pixiv_9.gif" and item.meta["instance_id"] == "pixiv_9"
    assert item.meta["ugoira"]["frames"] == frames and item.meta["url"] == f"{board.url}/ugoira/9_600x600.zip"
    assert item.image.format == "GIF" and item.image.n_frames == 2 and item.image.size == (32, 24)
    item.image.seek(1)
    assert item.image.info["duration"] == 120
    assert board.requests("/v1/ugoira/metadata")[0].query == {"illust_id": "9"}
    # resumed from the record (which keeps the zip as sent): the same GIF without downloading it again
    assert sorted(p.name for p in (tmp_path / "pixiv").iterdir()) == ["pixiv_9.zip"]
    board.log.clear()
    (again,) = list(PixivSearchSource("x", refresh_token=REFRESH_TOKEN, workspace=tmp_path, **web_options))
    assert board.requests("/ugoira/") == [] and again.image.n_frames == 2


def test_a_broken_ugoira_zip_is_skipped_with_the_reason(board, web_options):
    pixiv(board)
    board.route("/v1/search/illust", Reply(200, {"illusts": [pixiv_work(board.url, 9, kind="ugoira")],
                                                 "next_url": None}))
    board.route("/v1/ugoira/metadata", Reply(200, {"ugoira_metadata": {
        "frames": [{"file": "missing.jpg", "delay": 50}], "zip_urls": {"medium": f"{board.url}/u/9.zip"}}}))
    board.route("/u/9.zip", Reply(200, ugoira_zip([("000000.jpg", (1, 2, 3))]), {"Content-Type": "application/zip"}))
    with collect_report() as report:
        assert list(PixivSearchSource("x", refresh_token=REFRESH_TOKEN, **web_options)) == []
    assert "ugoira archive unreadable" in report.skipped[0].reason


def test_without_a_refresh_token_the_error_comes_before_any_request(board, web_options):
    with pytest.raises(AuthenticationError, match="needs a login.*refresh_token=.*req_auth=False"):
        list(PixivSearchSource("x", **web_options))
    assert board.log == []
    board.route("/v1/illust/ranking", Reply(200, {"illusts": [], "next_url": None}))
    assert list(PixivRankingSource(req_auth=False, **web_options)) == []
    assert "Authorization" not in board.requests("/v1/illust/ranking")[0].headers


def test_a_refused_refresh_token_says_how_to_get_a_new_one(board, web_options):
    board.route("/auth/token", Reply(400, {"has_error": True, "errors": {"system": {"message": "invalid_grant"}}}))
    with pytest.raises(AuthenticationError) as err:
        list(PixivSearchSource("x", refresh_token=REFRESH_TOKEN, **web_options))
    assert "refused the refresh token (HTTP 400)" in str(err.value) and "gppt" in str(err.value)
    assert REFRESH_TOKEN not in str(err.value) and board.requests("/v1/") == []


def test_waifuc_parameters_and_bad_choices():
    search = PixivSearchSource("w", "exact_match_for_tags", "popular_desc", "within_last_week", "2024-01-01",
                               "2024-02-01", "for_ios", False, "pg", "original", True, "tok-1234")
    assert (search.search_target, search.sort, search.duration, search.group_name, search.select) == \
        ("exact_match_for_tags", "popular_desc", "within_last_week", "pg", "original")
    assert (search.req_auth, search.no_ai, search.refresh_token.reveal()) == (False, True, "tok-1234")
    assert repr(search) == "PixivSearchSource('w')" and "tok-1234" not in repr(vars(search))
    user = PixivUserSource("12", "manga", "for_ios", True, "pu", "medium")
    assert (user.type, user.group_name, user.select) == ("manga", "pu", "medium")
    with pytest.raises(InvalidOptionError, match="invalid mode: 'yearly'"):
        PixivRankingSource("yearly")
    with pytest.raises(InvalidOptionError, match="invalid select: 'huge'"):
        PixivUserSource(1, select="huge")


def test_an_expired_access_token_is_refreshed_once(board, web_options):
    pixiv(board)
    listing = board.routes["/v1/search/illust"]
    board.route("/v1/search/illust", [Reply(400, {"error": {"message": "Error occurred at the OAuth process. "
                                                                       "Please check your Access Token"}}),
                                      *listing])
    assert len(list(PixivSearchSource("x", refresh_token=REFRESH_TOKEN, **web_options))) == 1
    assert len(board.requests("/auth/token")) == 2 and len(board.requests("/v1/search/illust")) == 2


def test_pixiv_refusing_a_deep_offset_ends_the_listing_with_the_reason(board, web_options):
    pixiv(board)
    board.route("/v1/search/illust", lambda r: Reply(200, {"illusts": [pixiv_work(board.url, 1)],
                                                           "next_url": "https://next"})
                if "offset" not in r.query else Reply(400, {"error": {"message": "offset must be <= 5000"}}))
    source = PixivSearchSource("x", refresh_token=REFRESH_TOKEN, **web_options)
    assert len(list(source)) == 1
    assert source.stop_reason.startswith("Pixiv refused offset 1") and "start_date" in source.stop_reason
