"""The file guard's reading of request paths (the HTTP tests in test_file_routes.py drive the launched app)."""

from __future__ import annotations

import asyncio
import os

from waifuc_ui.ui.file_guard import COOKIE_PREFIX, MAX_PATH_CHARS, FileGuard, FileGuardMiddleware, fully_decoded

WS = "ws0123456789abcdef"


def run(guard, scope):
    sent = []

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def send(message):
        sent.append(message)

    asyncio.run(FileGuardMiddleware(inner, guard)({"headers": [], **scope}, None, send))
    return sent[0]


def test_paths_are_decoded_until_stable():
    assert fully_decoded("/a%25252Fb") == "/a/b"
    assert fully_decoded("%2e%2e%2F") == "../"


def test_every_suffix_is_read_as_a_path(tmp_path, monkeypatch):
    guard = FileGuard(str(tmp_path / "root"))
    token = guard.issue(WS)
    thumb = os.path.join(guard.root, WS, "thumbs", "a.webp")
    monkeypatch.chdir(tmp_path)
    cookies = {COOKIE_PREFIX + WS: token}
    for url in (f"/x/file={thumb}", f"/anything/at/all{thumb}", f"/x/file=root/{WS}/thumbs/a.webp",
                f"/x/file=./root/../root/{WS}/thumbs/a.webp", "/x/file=" + thumb.replace("/", "%252F")):
        assert guard.named_workspaces(url) == {WS}, url
        assert guard.request_allowed(url, cookies) and not guard.request_allowed(url, {}), url
    inputs = os.path.join(guard.root, WS, "inputs", "in00001.png")
    assert not guard.request_allowed(f"/file={inputs}", cookies)  # only thumbs/ and exports/ are served
    assert not guard.request_allowed(f"/file={guard.root}", cookies)
    assert guard.request_allowed("/gradio_api/queue/data", {})
    assert guard.request_allowed(f"/file={tmp_path}/elsewhere.png", {})  # not ours: gradio's rules apply


def test_unreadable_or_huge_paths_and_websockets_are_refused(tmp_path):
    guard = FileGuard(str(tmp_path))
    guard.issue(WS)
    thumb = os.path.join(guard.root, WS, "thumbs", "a.webp")
    assert run(guard, {"type": "http", "path": "/file=" + "a/" * MAX_PATH_CHARS})["status"] == 403
    assert run(guard, {"type": "http", "path": "/file=/x%00" + thumb})["status"] == 403
    assert run(guard, {"type": "http", "path": "/ok", "raw_path": f"/gradio_api/file={thumb}".encode()})[
        "status"] == 403  # the raw spelling counts even when the decoded one looks harmless
    assert run(guard, {"type": "websocket", "path": f"/file={thumb}"}) == {"type": "websocket.close", "code": 1008}
    assert run(guard, {"type": "http", "path": "/gradio_api/info"})["status"] == 200
