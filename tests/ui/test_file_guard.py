import asyncio
import os

from waifuc_ui.ui.file_guard import COOKIE_PREFIX, FileGuard, FileGuardMiddleware, cookie_script


def test_only_the_owner_cookie_opens_workspace_files(tmp_path):
    guard = FileGuard(str(tmp_path))
    token = guard.issue("abcdefghijklmnop")
    inside = str(tmp_path / "abcdefghijklmnop" / "thumbs" / "x.webp")
    assert guard.workspace_of(inside) == "abcdefghijklmnop"
    assert guard.allows(inside, {COOKIE_PREFIX + "abcdefghijklmnop": token})
    assert not guard.allows(inside, {})
    assert not guard.allows(inside, {COOKIE_PREFIX + "abcdefghijklmnop": "guess"})
    assert not guard.allows(str(tmp_path / "other" / "x.webp"), {COOKIE_PREFIX + "abcdefghijklmnop": token})
    assert not guard.allows(str(tmp_path / "abcdefghijklmnop" / ".." / "other" / "a"), {})
    assert guard.allows("/usr/share/somewhere.png", {})  # not ours: gradio's own rules decide
    guard.revoke("abcdefghijklmnop")
    assert not guard.allows(inside, {COOKIE_PREFIX + "abcdefghijklmnop": token})


def _call(middleware, path, cookie=None):
    sent = []

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def send(message):
        sent.append(message)

    headers = [(b"cookie", cookie.encode())] if cookie else []
    mw = FileGuardMiddleware(inner, middleware)
    asyncio.run(mw({"type": "http", "path": path, "headers": headers}, None, send))
    return sent[0]["status"]


def test_middleware_answers_403_without_the_cookie(tmp_path):
    guard = FileGuard(str(tmp_path))
    token = guard.issue("ws0123456789abcdef")
    path = "/gradio_api/file=" + os.path.join(str(tmp_path), "ws0123456789abcdef", "thumbs", "a.webp")
    assert _call(guard, path) == 403
    assert _call(guard, path, f"{COOKIE_PREFIX}ws0123456789abcdef={token}; other=1") == 200
    assert _call(guard, path, "garbage;;==") == 403
    assert _call(guard, "/gradio_api/info") == 200
    assert "max-age=60" in cookie_script(60) and COOKIE_PREFIX in cookie_script(60)


def test_binder_issues_and_revokes_tokens(binder):
    ui = binder.open("tab")
    thumb = ui.session.thumb(ui.session.inputs.ids[0])
    cookies = {COOKIE_PREFIX + ui.session.id: ui.token}
    assert binder.guard.allows(thumb, cookies)
    binder.close(ui)
    assert not binder.guard.allows(thumb, cookies)
