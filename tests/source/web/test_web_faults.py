"""Every failure the crawler meets, played by the local board: the right exception, the right
message, retries on the fake clock, partial downloads never yielded."""

import logging
import threading

import pytest
from web_board import Reply, danbooru_pages, danbooru_post, image_bytes

from waifuc_ui.core.errors import SourceError
from waifuc_ui.core.report import collect_report
from waifuc_ui.source import DanbooruSource, GelbooruSource
from waifuc_ui.source.web import (
    AuthenticationError,
    BadResponseError,
    ChallengeError,
    NetworkError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)

CHALLENGE_HTML = ("<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
                  "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script></body></html>")


def test_cloudflare_challenge_header_is_named_and_not_retried(board, web_options):
    board.route("/posts.json", Reply(403, "<html>blocked</html>", {"cf-mitigated": "challenge",
                                                                   "Content-Type": "text/html"}))
    with pytest.raises(ChallengeError) as err:
        list(DanbooruSource(["a"], **web_options))
    assert len(board.log) == 1
    message = str(err.value)
    assert "Cloudflare challenge" in message and "HTTP 403" in message and "lower requests_per_second" in message
    assert isinstance(err.value, SourceError) and err.value.status == 403


def test_cloudflare_challenge_page_without_header_is_recognised(board, web_options):
    board.route("/posts.json", Reply(503, CHALLENGE_HTML, {"Content-Type": "text/html; charset=UTF-8"}))
    with pytest.raises(ChallengeError, match="HTTP 503"):
        list(DanbooruSource(["a"], **web_options))
    assert len(board.log) == 1


def test_403_without_challenge_blames_the_credentials(board, web_options):
    board.route("/posts.json", Reply(403, {"success": False, "message": "Access denied"}))
    with pytest.raises(AuthenticationError) as err:
        list(DanbooruSource(["a"], username="bob", api_key="wrong-api-key", **web_options))
    assert "refused the credentials" in str(err.value) and "Check the user name and API key" in str(err.value)


def test_401_for_an_anonymous_gelbooru_asks_for_user_id_and_api_key(board, web_options):
    board.route("/index.php", Reply(401, "Unauthorized", {"Content-Type": "text/plain"}))
    with pytest.raises(AuthenticationError) as err:
        list(GelbooruSource(["a"], **web_options))
    assert "refused anonymous access" in str(err.value)
    assert "user_id and api_key" in str(err.value)


def test_429_waits_retry_after_then_succeeds(board, clock, web_options):
    page = [danbooru_post(board.url, 1)]
    board.route("/posts.json", [Reply(429, "slow down", {"Retry-After": "7"}), Reply(200, page), Reply(200, [])])
    items = list(DanbooruSource(["a"], **web_options))
    assert [i.meta["filename"] for i in items] == ["danbooru_1.png"]
    listing = board.requests("/posts.json")
    assert listing[1].time - listing[0].time == pytest.approx(7.0)
    assert 7.0 in clock.sleeps


def test_429_that_persists_raises_rate_limit_error_with_the_wait(board, clock, web_options):
    board.route("/posts.json", Reply(429, "slow down", {"Retry-After": "30"}))
    with pytest.raises(RateLimitError) as err:
        list(DanbooruSource(["a"], max_retries=2, **web_options))
    assert len(board.log) == 3
    assert err.value.retry_after == 30
    assert "rate limited (HTTP 429) after 3 attempts" in str(err.value)
    assert "wait 30 s" in str(err.value) and "lower requests_per_second" in str(err.value)


def test_429_asking_for_a_very_long_wait_stops_at_once(board, web_options):
    board.route("/posts.json", Reply(429, "", {"Retry-After": "3600"}))
    with pytest.raises(RateLimitError, match="Wait 3600 s"):
        list(DanbooruSource(["a"], **web_options))
    assert len(board.log) == 1


def test_500_then_success_backs_off_exponentially(board, clock, web_options):
    page = [danbooru_post(board.url, 1)]
    board.route("/posts.json", [Reply(500, "oops"), Reply(502, "oops"), Reply(503, "oops"), Reply(200, page),
                                Reply(200, [])])
    items = list(DanbooruSource(["a"], **web_options))
    assert len(items) == 1
    assert clock.sleeps[:3] == [1.0, 2.0, 4.0]
    assert len(board.requests("/posts.json")) == 5


def test_500_that_persists_raises_server_error(board, web_options):
    board.route("/posts.json", Reply(500, "oops"))
    with pytest.raises(ServerError) as err:
        list(DanbooruSource(["a"], max_retries=3, **web_options))
    assert len(board.log) == 4
    assert "server error HTTP 500 after 4 attempts" in str(err.value) and "try again later" in str(err.value)


def test_truncated_download_is_retried_then_skipped_never_yielded(board, web_options):
    danbooru_pages(board, [[danbooru_post(board.url, 1), danbooru_post(board.url, 2)]])
    whole = image_bytes(".png", (64, 64))
    board.route("/img/original/1.png", Reply(200, whole, {"Content-Type": "image/png"}, truncate_to=len(whole) // 2))
    with collect_report() as report:
        items = list(DanbooruSource(["a"], max_retries=1, **web_options))
    assert [i.meta["filename"] for i in items] == ["danbooru_2.png"]
    assert len(board.requests("/img/original/1.png")) == 2
    (skip,) = report.skipped
    assert skip.path == f"{board.url}/img/original/1.png"
    assert skip.reason.startswith("download failed:") and "incomplete" in skip.reason


def test_short_image_with_honest_length_is_skipped_by_the_decoder(board, web_options):
    danbooru_pages(board, [[danbooru_post(board.url, 1)]])
    whole = image_bytes(".png", (64, 64), noise=True)
    board.route("/img/original/1.png", Reply(200, whole[: len(whole) // 2], {"Content-Type": "image/png"}))
    with collect_report() as report:
        assert list(DanbooruSource(["a"], **web_options)) == []
    assert report.skipped[0].reason == "truncated image data"


def test_html_instead_of_an_image_is_skipped_with_a_reason(board, web_options):
    board.route("/img/original/1.png", Reply(200, "<html>login first</html>", {"Content-Type": "text/html"}))
    board.route("/img/original/2.png", Reply(404, "gone", {"Content-Type": "text/plain"}))
    board.route("/img/original/3.png", Reply(403, "hotlinking denied", {"Content-Type": "text/plain"}))
    danbooru_pages(board, [[danbooru_post(board.url, i) for i in (1, 2, 3, 4)]])
    with collect_report() as report:
        items = list(DanbooruSource(["a"], **web_options))
    assert [i.meta["filename"] for i in items] == ["danbooru_4.png"]
    reasons = [s.reason for s in report.skipped]
    assert reasons[0].startswith("not an image")
    assert reasons[1:] == ["HTTP 404 for the image", "HTTP 403 for the image"]


def test_timeout_is_retried_then_explained(board, web_options):
    release = threading.Event()
    board.route("/posts.json", Reply(200, [], block=release))
    try:
        with pytest.raises(RequestTimeoutError) as err:
            list(DanbooruSource(["a"], **{**web_options, "timeout": 0.05, "max_retries": 1}))
    finally:
        release.set()
    assert len(board.log) == 2
    assert "no answer within the timeout after 2 attempts" in str(err.value) and "raise timeout=" in str(err.value)


def test_unreachable_site_is_a_network_error(web_options, clock):
    options = {**web_options, "base_url": "http://127.0.0.1:9", "max_retries": 1}
    with pytest.raises(NetworkError, match="connection failed"):
        list(DanbooruSource(["a"], **options))


def test_non_json_api_answer_is_a_bad_response(board, web_options):
    board.route("/posts.json", Reply(200, "<html>maintenance</html>", {"Content-Type": "text/html"}))
    with pytest.raises(BadResponseError, match="not JSON"):
        list(DanbooruSource(["a"], **web_options))


def test_endless_pagination_stops_at_the_page_limit(board, web_options, caplog):
    board.route("/posts.json", lambda r: Reply(200, [danbooru_post(board.url, 100 + int(r.query["page"]))]))
    source = DanbooruSource(["a"], min_size=100, max_pages=3, **web_options)
    with caplog.at_level(logging.WARNING, logger="waifuc_ui.source.web"):
        items = list(source)
    assert [i.meta["group_id"] for i in items] == ["danbooru_101", "danbooru_102", "danbooru_103"]
    assert len(board.requests("/posts.json")) == 3
    assert source.stop_reason == "page limit reached (max_pages=3)"
    assert "stopped after 3 pages" in caplog.text


def test_a_site_repeating_its_last_page_stops(board, web_options):
    board.route("/posts.json", lambda r: Reply(200, [danbooru_post(board.url, 1), danbooru_post(board.url, 2)]))
    source = DanbooruSource(["a"], min_size=100, **web_options)
    assert [i.meta["group_id"] for i in source] == ["danbooru_1", "danbooru_2"]
    assert len(board.requests("/posts.json")) == 2
    assert source.stop_reason == "the site repeated a page of posts already seen"


def test_many_failed_downloads_in_a_row_end_the_crawl(board, web_options):
    danbooru_pages(board, [[danbooru_post(board.url, i) for i in range(1, 8)]])
    for i in range(1, 8):
        board.route(f"/img/original/{i}.png", Reply(500, "down"))
    with pytest.raises(ServerError):
        list(DanbooruSource(["a"], max_retries=0, max_failures=3, **web_options))
    assert len(board.requests("/img/")) == 3
