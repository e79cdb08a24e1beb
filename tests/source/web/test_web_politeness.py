"""Politeness on a fake clock: request spacing, User-Agent, and credentials that never leak."""

import copy
import logging
import pickle
from collections import Counter

import pytest
from web_board import Reply, danbooru_pages, danbooru_post

from waifuc_ui import __version__
from waifuc_ui.core.report import collect_report
from waifuc_ui.core.settings import current_settings
from waifuc_ui.source import DanbooruSource, GelbooruSource, ZerochanSource
from waifuc_ui.source.web import AuthenticationError, RateLimiter, ServerError

SECRET = "s3cret-api-key-987"


def per_second(times):
    return Counter(int(t) for t in times)


def test_at_most_one_request_per_second_by_default(board, clock, web_options):
    danbooru_pages(board, [[danbooru_post(board.url, i) for i in range(1, 7)]])
    items = list(DanbooruSource(["a"], **web_options))
    assert len(items) == 6
    times = [r.time for r in board.log]
    assert len(times) == 8  # 2 listing pages + 6 images
    assert max(per_second(times).values()) == 1
    assert all(b - a >= 1.0 - 1e-9 for a, b in zip(times, times[1:]))
    assert times[-1] - times[0] == pytest.approx(7.0)  # no more waiting than needed


def test_rate_is_configurable(board, clock, web_options):
    danbooru_pages(board, [[danbooru_post(board.url, i) for i in range(1, 9)]])
    list(DanbooruSource(["a"], requests_per_second=4, **web_options))
    counts = per_second(r.time for r in board.log)
    assert len(board.log) == 10 and max(counts.values()) == 4


def test_rate_limiter_waits_only_the_remaining_time(clock):
    limiter = RateLimiter(2.0, clock, clock.sleep)
    limiter.acquire()
    clock.now += 0.2
    limiter.acquire()
    clock.now += 1.0
    limiter.acquire()
    assert clock.sleeps == [pytest.approx(0.3)]
    with pytest.raises(ValueError, match="requests_per_second must be > 0"):
        RateLimiter(0)


def test_honest_user_agent_on_every_request(board, web_options):
    danbooru_pages(board, [[danbooru_post(board.url, 1)]])
    list(DanbooruSource(["a"], **web_options))
    agents = {r.headers["User-Agent"] for r in board.log}
    assert len(agents) == 1
    (agent,) = agents
    assert agent == current_settings().user_agent and agent.startswith(f"waifuc_ui/{__version__} (LoRA dataset tool")


def test_credentials_never_reach_logs_reprs_reports_or_errors(board, web_options, caplog, tmp_path):
    board.route("/index.php", [Reply(500, "down"), Reply(200, {"@attributes": {"count": 1}, "post": [{
        "id": 5, "tags": "a", "file_url": f"{board.url}/img/5.png", "width": 50, "height": 50}]}),
        Reply(403, "denied")])
    board.route("/img/5.png", Reply(200, "<html>nope</html>", {"Content-Type": "text/html"}))
    source = GelbooruSource(["a"], user_id="424242", api_key=SECRET, workspace=tmp_path, **web_options)
    with caplog.at_level(logging.DEBUG), collect_report() as report:
        assert list(source) == []
    # the site did receive them, as query parameters of API calls only
    api = board.requests("/index.php")
    assert api[0].query["api_key"] == SECRET and api[0].query["user_id"] == "424242"
    assert "api_key" not in board.requests("/img/")[0].query
    # nothing else shows them
    shown = [caplog.text, repr(source), str(source), repr(report), repr(vars(source)), repr(copy.deepcopy(source))]
    shown += [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    for text in shown:
        assert SECRET not in text and "424242" not in text
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(source)


def test_error_messages_never_show_credentials(board, web_options, caplog):
    board.route("/index.php", Reply(403, "denied for api_key=" + SECRET))
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as err:
        list(GelbooruSource(["a"], user_id="424242", api_key=SECRET, **web_options))
    assert SECRET not in str(err.value) and "424242" not in str(err.value)
    assert "api_key" not in err.value.url  # added on the wire only, below httpx's logging
    board.route("/posts.json", Reply(500, "oops"))
    with caplog.at_level(logging.DEBUG), pytest.raises(ServerError) as err:
        list(DanbooruSource(["a"], username="bobby", api_key=SECRET, max_retries=1, **web_options))
    assert SECRET not in str(err.value) and "bobby" not in str(err.value)
    assert SECRET not in caplog.text and "bobby" not in caplog.text


def test_zerochan_password_stays_out_of_logs(board, web_options, caplog):
    board.route("/login", Reply(303, "", {"Location": "/"}))
    board.route("/Hatsune+Miku", Reply(200, {"items": []}))
    with caplog.at_level(logging.DEBUG):
        assert list(ZerochanSource("Hatsune Miku", username="mikufan", password=SECRET, **web_options)) == []
    assert b"password=" + SECRET.encode() in board.requests("/login")[0].body
    assert SECRET not in caplog.text


def test_redact_url_masks_credential_parameters():
    from waifuc_ui.source.web.credentials import Secret, redact, redact_url
    assert redact_url("https://x/index.php?tags=a&api_key=abc&user_id=42") == \
        "https://x/index.php?tags=a&api_key=***&user_id=***"
    assert redact("login failed for hunter22", [Secret("hunter22"), None]) == "login failed for ***"


def test_a_shared_rate_limiter_keeps_the_rate_across_sources(board, clock, web_options):
    from web_board import danbooru_pages, danbooru_post
    danbooru_pages(board, [[danbooru_post(board.url, i) for i in range(1, 4)]])
    shared = RateLimiter(1.0, clock, clock.sleep)
    options = {k: v for k, v in web_options.items() if k not in ("clock", "sleep")}
    a = DanbooruSource(["a"], rate_limiter=shared, **options)
    b = DanbooruSource(["b"], rate_limiter=shared, **options)
    assert len(list(a | b)) == 6
    assert len(board.log) == 10 and max(per_second(r.time for r in board.log).values()) == 1


def test_secret_parameters_do_not_follow_a_redirect_to_another_host(board, web_options):
    other = board.url.replace("127.0.0.1", "localhost")
    board.route("/index.php", Reply(302, "", {"Location": f"{other}/moved.php"}))
    board.route("/moved.php", Reply(200, {"@attributes": {"count": 0}}))
    assert list(GelbooruSource(["a"], user_id="424242", api_key=SECRET, **web_options)) == []
    first, moved = board.log
    assert first.query["api_key"] == SECRET and first.headers["Host"].startswith("127.0.0.1")
    assert moved.path == "/moved.php" and moved.headers["Host"].startswith("localhost")
    assert "api_key" not in moved.query and "user_id" not in moved.query

