"""Per-session access to workspace files: a file URL works only in the browser that owns the workspace.

Workspace ids are unguessable already; on top of that, each session gets a secret token that the page stores in
a cookie named ``wfui_<workspace id>``. :class:`FileGuardMiddleware` answers 403 to any request whose path names
a place inside the workspace root without the matching cookie, so a leaked or guessed URL shows nothing to anyone
else, and a closed session's files are gone for everyone.

Gradio serves files on several routes (``/gradio_api/file=``, ``/gradio_api/file/``, ``/file=``, ...) and a path
can be spelled many ways (``%2F``, ``%252F``, ``..``, ``//``, relative to the working folder). So the guard does
not look for one route: it decodes the raw path until it stops changing and checks every path that any suffix of
it could name, as Gradio would resolve it.
"""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from http.cookies import SimpleCookie
from urllib.parse import unquote

from ..session.workspace import MARKER_NAME

COOKIE_PREFIX = "wfui_"
#: The only workspace folders whose files the page shows or downloads.
SERVED_SUBDIRS = ("thumbs", "exports")
#: Request paths longer than this are refused outright (gradio's own never come near it).
MAX_PATH_CHARS = 4096
MAX_REMEMBERED_FOLDERS = 4096


class FileGuard:
    """Tokens of the live workspaces under ``root`` (one app instance; not module-level)."""

    def __init__(self, root: str):
        self.root = os.path.realpath(root)
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        self._folders: dict[str, str] = {}  # folder -> its realpath (requests name the same few folders)

    def _real_folder(self, folder: str) -> str:
        """``os.path.realpath`` of a folder, remembered (the app never turns a folder into a symlink)."""
        real = self._folders.get(folder)
        if real is None:
            real = os.path.realpath(folder)
            if len(self._folders) >= MAX_REMEMBERED_FOLDERS:
                self._folders.clear()
            self._folders[folder] = real
        return real

    def issue(self, workspace_id: str) -> str:
        """A new secret for ``workspace_id`` (the page puts it in its cookie)."""
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[workspace_id] = token
        return token

    def revoke(self, workspace_id: str) -> None:
        with self._lock:
            self._tokens.pop(workspace_id, None)

    def workspace_of(self, path: str) -> str | None:
        """The workspace id owning ``path``; "" (served to nobody) for the root itself and any path outside a
        workspace's ``thumbs``/``exports`` folders; None when the path is not inside the root."""
        folder, name = os.path.split(os.path.abspath(path))
        real = os.path.join(self._real_folder(folder), name)
        if os.path.islink(real):
            real = os.path.realpath(real)
        if real == self.root:
            return ""
        if not real.startswith(self.root + os.sep):
            return None
        parts = os.path.relpath(real, self.root).split(os.sep)
        if len(parts) < 3 or parts[1] not in SERVED_SUBDIRS or MARKER_NAME in parts:
            return ""  # the app serves only thumbnails and exports: inputs, uploads, markers are for nobody
        return parts[0]

    def named_workspaces(self, url_path: str) -> set[str] | None:
        """The workspaces (ids; "" = the root itself) a request path names in any spelling; None when the path
        is too long or otherwise unreadable (refuse it)."""
        if len(url_path) > MAX_PATH_CHARS:
            return None
        found: set[str] = set()
        try:
            for candidate in _candidate_paths(fully_decoded(url_path)):
                owner = self.workspace_of(candidate)
                if owner is not None:
                    found.add(owner)
        except (ValueError, OSError):  # e.g. a NUL byte: gradio could not open it either; refuse
            return None
        return found

    def request_allowed(self, url_path: str, cookies: dict[str, str]) -> bool:
        """True unless ``url_path`` names a place inside the workspace root whose owner's cookie is missing."""
        owners = self.named_workspaces(url_path)
        if owners is None:
            return False
        return all(owner and self._cookie_matches(owner, cookies) for owner in owners)

    def _cookie_matches(self, workspace_id: str, cookies: dict[str, str]) -> bool:
        with self._lock:
            token = self._tokens.get(workspace_id)
        given = cookies.get(COOKIE_PREFIX + workspace_id, "")
        return token is not None and secrets.compare_digest(given, token)

    def allows(self, path: str, cookies: dict[str, str]) -> bool:
        """True for paths outside the root (gradio's own rules apply) and for workspace files whose owner's
        cookie is present; False for every other workspace file."""
        workspace_id = self.workspace_of(path)
        if workspace_id is None:
            return True
        return bool(workspace_id) and self._cookie_matches(workspace_id, cookies)


def fully_decoded(text: str, rounds: int = 8) -> str:
    """``text`` percent-decoded until it stops changing (``%252F`` -> ``%2F`` -> ``/``)."""
    for _ in range(rounds):
        decoded = unquote(text, errors="surrogateescape")
        if decoded == text:
            break
        text = decoded
    return text


def _candidate_paths(path: str) -> Iterator[str]:
    """Every file path a suffix of ``path`` could be read as by a route like ``/file=<p>`` or ``/file/<p>``:
    the text after each ``/`` or ``=``, absolute or relative to the working folder (as gradio resolves it)."""
    cwd = os.getcwd()
    for i, char in enumerate(path):
        if char in "/=\\":
            for rest in (path[i + 1:], path[i:]):
                if rest:
                    yield rest if rest.startswith("/") else os.path.join(cwd, rest)


def cookie_script(max_age: int) -> str:
    """Browser-side function (for an event's ``js=``) storing ``[workspace_id, token]`` in the session cookie."""
    return ("(pair) => { if (pair) { const [id, token] = JSON.parse(pair); document.cookie = "
            f"'{COOKIE_PREFIX}' + id + '=' + token + '; path=/; max-age={int(max_age)}; SameSite=Strict'; }} "
            "return pair; }")


def _cookies(scope) -> dict[str, str]:
    for name, value in scope.get("headers") or []:
        if name == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header gives no access, never a crash
                return {}
            return {k: m.value for k, m in jar.items()}
    return {}


def _request_paths(scope) -> Iterator[str]:
    """The request path as sent (raw) and as the server decoded it."""
    raw = scope.get("raw_path")
    if isinstance(raw, (bytes, bytearray)):
        yield bytes(raw).split(b"?", 1)[0].decode("latin-1")
    yield scope.get("path", "") or ""


async def send_text(send, status: int, body: bytes) -> None:
    """Answer an ASGI HTTP request with ``status`` and a plain-text ``body``."""
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class FileGuardMiddleware:
    """ASGI middleware: 403 for any request (any route, any spelling) naming a file or folder inside the
    workspace root without the owning session's cookie."""

    def __init__(self, app, guard: FileGuard):
        self.app = app
        self.guard = guard

    async def __call__(self, scope, receive, send):
        kind = scope.get("type")
        if kind in ("http", "websocket"):
            cookies = _cookies(scope)
            if not all(self.guard.request_allowed(p, cookies) for p in _request_paths(scope)):
                if kind == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                await send_text(send, 403, b"File not allowed: this file belongs to another session (or to none).")
                return
        await self.app(scope, receive, send)
