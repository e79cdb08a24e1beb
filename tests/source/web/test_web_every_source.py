"""Every source added for waifuc parity, against the local board: one item with waifuc's names,
the honest User-Agent and the rate limit on every request, back-off on 429/5xx, and a clear error
for HTML instead of the API, a refusal (403) and a Cloudflare challenge."""

import logging
from urllib.parse import urlsplit

import pytest
from site_cases import ACCESS_TOKEN, CASES, REFRESH_TOKEN
from web_board import Reply

import waifuc_ui.source as source_package
import waifuc_ui.source.web as web_package
from waifuc_ui.core.settings import current_settings
from waifuc_ui.source.web import AuthenticationError, BadResponseError, ChallengeError, ServerError

WAIFUC_NAMES = ["PixivSearchSource", "PixivUserSource", "PixivRankingSource", "SankakuSource", "AnimePicturesSource",
                "WallHavenSource", "ATFBooruSource", "LolibooruSource", "ThreeDBooruSource", "XbooruSource",
                "RealbooruSource", "HypnoHubSource", "PahealSource", "SafebooruOrgSource", "TBIBSource",
                "DerpibooruSource", "FurbooruSource", "DuitangSource", "Rule34Source"]
IDS = [case.name for case in CASES]
CHALLENGE = ("<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
             "<script src='/cdn-cgi/challenge-platform/h/b/orchestrate/chl_page/v1'></script></body></html>")


def test_waifuc_names_import_from_both_packages():
    for name in WAIFUC_NAMES:
        assert getattr(source_package, name) is getattr(web_package, name)
        assert name in source_package.__all__ and name in web_package.__all__
    # waifuc's Sankaku enums come along
    assert source_package.PostOrder.POPULARITY.value == "popularity" and source_package.Rating.SAFE.value == "s"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_one_item_with_waifuc_names_politely(board, web_options, case):
    case.install(board)
    items = list(case.build(**web_options))
    assert [item.meta["filename"] for item in items] == [case.filename]
    item = items[0]
    assert item.meta["group_id"] == case.filename.rsplit(".", 1)[0].removesuffix("_0")
    assert item.meta["url"].startswith(board.url) and item.image.size == (40, 30)
    assert {r.headers["User-Agent"] for r in board.log} == {current_settings().user_agent}
    times = [r.time for r in board.log]
    assert len(times) >= 2 and all(b - a >= 1.0 - 1e-9 for a, b in zip(times, times[1:]))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_html_instead_of_the_api_says_what_to_check(board, web_options, case):
    case.install(board)
    board.route(case.listing, Reply(200, "<html><body>Welcome! Please sign in</body></html>",
                                    {"Content-Type": "text/html"}))
    with pytest.raises(BadResponseError) as err:
        list(case.build(**web_options))
    assert err.value.site in case.filename and "base_url" in str(err.value)
    assert "not JSON" in err.value.problem or "not the API's XML" in err.value.problem


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_403_is_an_authentication_error_naming_the_credentials(board, web_options, case):
    case.install(board)
    board.route(case.listing, Reply(403, {"error": "forbidden"}))
    with pytest.raises(AuthenticationError) as err:
        list(case.build(**web_options))
    assert err.value.status == 403 and "HTTP 403" in str(err.value)
    assert "Check the" in err.value.fix or "give the" in err.value.fix


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_challenge_page_is_named_and_not_retried(board, web_options, case):
    case.install(board)
    board.route(case.listing, Reply(503, CHALLENGE, {"Content-Type": "text/html"}))
    with pytest.raises(ChallengeError, match="Cloudflare challenge.*lower requests_per_second"):
        list(case.build(**web_options))
    assert len(board.requests(case.listing)) == 1


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_429_and_5xx_back_off_then_succeed(board, clock, web_options, case):
    case.install(board)
    good = board.routes[case.listing]
    answers = iter([Reply(429, "slow down", {"Retry-After": "9"}), Reply(502, "bad gateway")])

    def flaky(request):
        reply = next(answers, None)
        return reply if reply is not None else (good(request) if callable(good) else good[0])

    board.route(case.listing, flaky)
    items = list(case.build(**web_options))
    assert [item.meta["filename"] for item in items] == [case.filename]
    listing = [r.time for r in board.requests(case.listing)]
    # Retry-After, then the second step of 1, 2, 4...
    assert [b - a for a, b in zip(listing, listing[1:])][:2] == [pytest.approx(9.0), pytest.approx(2.0)]
    assert 9.0 in clock.sleeps and 2.0 in clock.sleeps


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_5xx_that_persists_is_a_server_error(board, web_options, case):
    case.install(board)
    board.route(case.listing, Reply(500, "down"))
    with pytest.raises(ServerError, match="after 2 attempts.*try again later"):
        list(case.build(max_retries=1, **web_options))


@pytest.mark.parametrize("case", [c for c in CASES if c.name.startswith("pixiv")], ids=lambda c: c.name)
def test_pixiv_tokens_never_show(board, web_options, case, caplog):
    case.install(board)
    source = case.build(**web_options)
    with caplog.at_level(logging.DEBUG):
        assert len(list(source)) == 1
    board.route(case.listing, Reply(500, "token " + ACCESS_TOKEN))
    with caplog.at_level(logging.DEBUG), pytest.raises(ServerError) as err:
        list(case.build(max_retries=0, **web_options))
    for text in (caplog.text, repr(source), str(err.value), repr(vars(source))):
        assert REFRESH_TOKEN not in text and ACCESS_TOKEN not in text and "new-1234" not in text


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_a_second_crawl_takes_the_file_from_the_workspace(board, web_options, case, tmp_path):
    case.install(board)
    source = case.build(workspace=tmp_path, **web_options)
    (first,) = list(source)
    file_path = urlsplit(first.meta["url"]).path
    assert [r.method for r in board.log if r.path == file_path] in (["GET"], ["HEAD", "GET"])  # HEAD: Realbooru
    assert (tmp_path / f"{source.group_name}.crawl.jsonl").is_file()
    board.log.clear()
    (again,) = list(case.build(workspace=tmp_path, **web_options))
    assert [r.method for r in board.log if r.path == file_path] in ([], ["HEAD"])
    assert again.meta == first.meta and again.image.size == first.image.size
