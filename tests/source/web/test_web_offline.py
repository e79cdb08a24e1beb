"""An offline machine or an unreachable site fails at once with what to do (issue 15): the connection has its
own short timeout and a refused connection is not retried with back-off."""

import socket

import pytest

from waifuc_ui.source.web.client import CONNECT_TIMEOUT, RateLimiter, SiteClient
from waifuc_ui.source.web.errors import NetworkError


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when the block ends: nothing listens there


def test_a_closed_port_fails_once_with_the_fix():
    sleeps = []
    limiter = RateLimiter(100.0)
    with SiteClient("Danbooru", limiter, timeout=10.0, max_retries=4, sleep=sleeps.append) as client:
        assert client._http.timeout.connect == CONNECT_TIMEOUT < 3
        assert client._http.timeout.read == 10.0  # a slow answer still gets the full timeout
        with pytest.raises(NetworkError) as err:
            client.get(f"http://127.0.0.1:{closed_port()}/posts.json")
    assert sleeps == []  # not retried: no back-off wait
    text = str(err.value)
    assert text.startswith("Danbooru: connection failed (") and "the site cannot be reached" in text
    assert text.endswith("Check the internet connection and the site's address, then run again")


def test_a_short_timeout_is_not_raised_to_the_connect_limit():
    with SiteClient("x", RateLimiter(100.0), timeout=0.5) as client:
        assert client._http.timeout.connect == 0.5
