"""Per-session access to workspace files: a file URL works only in the browser that owns the workspace.

Workspace ids are unguessable already; on top of that, each session gets a secret token that the page stores in
a cookie named ``wfui_<workspace id>``. :class:`FileGuardMiddleware` answers 403 to any ``file=`` request for a
path inside the workspace root without the matching cookie, so a leaked or guessed URL shows nothing to anyone
else, and a closed session's files are gone for everyone.
"""

from __future__ import annotations

import os
import secrets
import threading
from http.cookies import SimpleCookie
from typing import Dict, Optional

COOKIE_PREFIX = "wfui_"


class FileGuard:
    """Tokens of the live workspaces under ``root`` (one app instance; not module-level)."""

    def __init__(self, root: str):
        self.root = os.path.realpath(root)
        self._tokens: Dict[str, str] = {}
        self._lock = threading.Lock()

    def issue(self, workspace_id: str) -> str:
        """A new secret for ``workspace_id`` (the page puts it in its cookie)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[workspace_id] = token
        return token

    def revoke(self, workspace_id: str) -> None:
        with self._lock:
            self._tokens.pop(workspace_id, None)

    def workspace_of(self, path: str) -> Optional[str]:
        """The workspace id owning ``path``, or None when the path is not inside the root."""
        real = os.path.realpath(path)
        if not real.startswith(self.root + os.sep):
            return None
        return os.path.relpath(real, self.root).split(os.sep, 1)[0]

    def allows(self, path: str, cookies: Dict[str, str]) -> bool:
        """True for paths outside the root (gradio's own rules apply) and for workspace files whose owner's
        cookie is present; False for every other workspace file."""
        workspace_id = self.workspace_of(path)
        if workspace_id is None:
            return True
        with self._lock:
            token = self._tokens.get(workspace_id)
        given = cookies.get(COOKIE_PREFIX + workspace_id, "")
        return token is not None and secrets.compare_digest(given, token)


def cookie_script(max_age: int) -> str:
    """Browser-side function (for an event's ``js=``) storing ``[workspace_id, token]`` in the session cookie."""
    return ("(pair) => { if (pair) { const [id, token] = JSON.parse(pair); document.cookie = "
            f"'{COOKIE_PREFIX}' + id + '=' + token + '; path=/; max-age={int(max_age)}; SameSite=Strict'; }} "
            "return pair; }")


def _cookies(scope) -> Dict[str, str]:
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header gives no access, never a crash
                return {}
            return {k: m.value for k, m in jar.items()}
    return {}


class FileGuardMiddleware:
    """ASGI middleware: 403 for ``.../file=<workspace path>`` requests without the owner's cookie."""

    def __init__(self, app, guard: FileGuard):
        self.app = app
        self.guard = guard

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "http":
            path = scope.get("path", "")
            marker = path.find("/file=")
            if marker != -1 and not self.guard.allows(path[marker + len("/file="):], _cookies(scope)):
                body = b"File not allowed: this file belongs to another session."
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
