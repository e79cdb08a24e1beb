"""Per-browser-session workspaces and the registry that expires idle ones.

A :class:`Workspace` is one folder ``<root>/<id>`` with a random, unguessable id (128 bits, URL-safe):

    .waifuc_ui_workspace   the marker: JSON naming the app and the id, written at creation. The root may be a
                           folder the user also keeps other things in: the app deletes only folders holding
                           their own marker, and never adopts (writes into) an existing folder without one.
    inputs/    copies of the ingested files (never the visitor's originals)
    derived/   images steps produced (crops, resized, converted)
    thumbs/    small WebP thumbnails (256 px long side), made once per image
    uploads/   extracted uploads
    exports/   zips built for download
    crawl/     crawl records of web sources (resume state; never credentials)

Model outputs are NOT kept here: they go to the process-wide analysis cache (``cache_dir``, default
``$WAIFUC_UI_CACHE_DIR`` or ``~/.cache/waifuc_ui/analysis``), keyed by content hash + model identity. It holds no
images, so sharing it between sessions leaks nothing visible and lets every visitor reuse the demo's analysis.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable

from ..core.errors import InvalidArgumentError
from ..core.settings import current_settings

SUBDIRS = ("inputs", "derived", "thumbs", "uploads", "exports", "crawl")
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
#: Name of the file marking a folder as a workspace this app created (see :func:`is_workspace_folder`).
MARKER_NAME = ".waifuc_ui_workspace"
_MARKER_APP = "waifuc_ui"
_MARKER_KIND = "session workspace"


class NotAWorkspaceError(ValueError):
    """An existing folder is not a workspace of this app (no marker): it is never written into or deleted."""


def read_marker(folder: str) -> dict | None:
    """The marker of ``folder`` when it is a workspace this app created (marker naming the app and the folder's
    own name), else None. Symlinked folders or markers are never trusted."""
    marker = os.path.join(folder, MARKER_NAME)
    if os.path.islink(folder) or os.path.islink(marker) or not os.path.isfile(marker):
        return None
    try:
        with open(marker, encoding="utf-8") as f:
            data = json.loads(f.read(4096))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("app") != _MARKER_APP or data.get("kind") != _MARKER_KIND \
            or data.get("id") != os.path.basename(os.path.normpath(folder)) or not data.get("secret"):
        return None
    return data


def is_workspace_folder(folder: str) -> bool:
    """True when ``folder`` was created by this app as a workspace (it holds its marker)."""
    return read_marker(folder) is not None


def _write_marker(folder: str, workspace_id: str) -> dict:
    data = {"app": _MARKER_APP, "kind": _MARKER_KIND, "id": workspace_id, "secret": secrets.token_urlsafe(32),
            "note": "created by waifuc_ui; deleted with this folder when the session ends"}
    path = os.path.join(folder, MARKER_NAME)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f)
    return data


def remove_workspace_folder(folder: str) -> bool:
    """Delete ``folder`` if (and only if) it is a workspace of this app; the marker goes last, so a deletion
    cut short leaves a folder the orphan sweep still recognises. True when it was deleted."""
    if not is_workspace_folder(folder):
        return False
    for name in os.listdir(folder):
        if name == MARKER_NAME:
            continue
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            try:
                os.remove(path)
            except OSError:
                pass
    try:
        os.remove(os.path.join(folder, MARKER_NAME))
        os.rmdir(folder)
    except OSError:
        return False
    return True


def default_root() -> str:
    """``$WAIFUC_UI_WORKSPACE_ROOT`` or ``<system temp>/waifuc_ui_workspaces`` (see :mod:`waifuc_ui.core.settings`)."""
    return str(current_settings().workspace_root)


def default_cache_dir() -> str:
    """The shared analysis cache folder (``$WAIFUC_UI_CACHE_DIR`` or ``~/.cache/waifuc_ui/analysis``)."""
    return str(current_settings().cache_dir)


def folder_bytes(folder: str) -> int:
    """Bytes of the files under ``folder`` (files that vanish while counting count 0)."""
    total = 0
    for parent, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(parent, name))
            except OSError:
                pass
    return total


class Workspace:
    """One session's folder. ``path(kind, name)`` gives a file path inside; ``private_path(kind, name)`` one under
    a folder named by a per-file secret (for files served by URL); ``contains(path)`` tells whether a path lies
    inside (for serving files); ``close()`` deletes everything.

    ``Workspace(root, workspace_id)`` reopens the workspace ``workspace_id`` when its folder exists (it must hold
    the app's marker, else :class:`NotAWorkspaceError`), or creates it."""

    def __init__(self, root: str | None = None, workspace_id: str | None = None,
                 cache_dir: str | None = None):
        self.id = workspace_id or secrets.token_urlsafe(16)
        if not _ID_RE.match(self.id):
            raise InvalidArgumentError(f"bad workspace id {self.id!r}", "use 16-64 characters of [A-Za-z0-9_-]")
        self.root = os.path.realpath(root or default_root())
        self.dir = os.path.join(self.root, self.id)
        self.cache_dir = cache_dir or default_cache_dir()
        os.makedirs(self.root, exist_ok=True)
        marker: dict | None
        try:
            os.mkdir(self.dir, 0o700)
            marker = _write_marker(self.dir, self.id)
        except FileExistsError:
            marker = read_marker(self.dir)
            if marker is None:
                raise NotAWorkspaceError(
                    f"{self.dir} exists and is not a waifuc_ui workspace (no {MARKER_NAME} marker): it is left "
                    "alone; choose another workspace id or another WAIFUC_UI_WORKSPACE_ROOT") from None
        self._secret = str(marker["secret"]).encode()
        for sub in SUBDIRS:
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.closed = False

    def subdir(self, kind: str) -> str:
        if kind not in SUBDIRS:
            raise InvalidArgumentError(f"unknown workspace folder {kind!r}", f"use one of {', '.join(SUBDIRS)}")
        return os.path.join(self.dir, kind)

    def path(self, kind: str, name: str) -> str:
        """``<workspace>/<kind>/<name>``; refuses names that would leave the folder."""
        base = self.subdir(kind)
        full = os.path.realpath(os.path.join(base, name))
        if not full.startswith(base + os.sep):
            raise InvalidArgumentError(f"file name {name!r} leaves the workspace folder {kind!r}",
                                       "give a plain file name")
        return full

    def private_path(self, kind: str, name: str) -> str:
        """``<workspace>/<kind>/<token>/<name>``, the token derived from a secret of this workspace and ``name``:
        the same name gives the same path (rewriting replaces the file), yet one file's URL tells nothing about
        any other file's path. The folder is created."""
        token = hmac.new(self._secret, f"{kind}/{name}".encode(), hashlib.sha256).hexdigest()[:32]
        path = self.path(kind, f"{token}/{name}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        return path

    def contains(self, path: str) -> bool:
        real = os.path.realpath(path)
        return real.startswith(self.dir + os.sep)

    def size_bytes(self) -> int:
        return folder_bytes(self.dir)

    def close(self) -> None:
        """Delete the workspace folder (idempotent; only a folder holding this app's marker)."""
        self.closed = True
        remove_workspace_folder(self.dir)

    def __repr__(self) -> str:
        return f"Workspace({self.dir!r})"


class WorkspaceRegistry:
    """Live workspaces of one app process, each with a last-use time; ``expire_idle()`` closes those idle longer
    than ``ttl_seconds``. Thread-safe. ``clock`` is injectable for tests."""

    def __init__(self, root: str | None = None, ttl_seconds: float = 3600.0, cache_dir: str | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.root = root or default_root()
        self.ttl_seconds = ttl_seconds
        self.cache_dir = cache_dir
        self._clock = clock
        self._lock = threading.Lock()
        self._live: dict[str, Workspace] = {}
        self._last_used: dict[str, float] = {}

    def create(self) -> Workspace:
        ws = Workspace(self.root, cache_dir=self.cache_dir)
        with self._lock:
            self._live[ws.id] = ws
            self._last_used[ws.id] = self._clock()
        return ws

    def adopt(self, ws: Workspace) -> None:
        """Make an existing workspace (reopened from disk by a new process) live, used now."""
        with self._lock:
            self._live[ws.id] = ws
            self._last_used[ws.id] = self._clock()

    def get(self, workspace_id: str) -> Workspace | None:
        """The live workspace (and mark it used), or None when unknown, closed or expired."""
        with self._lock:
            ws = self._live.get(workspace_id)
            if ws is not None:
                self._last_used[workspace_id] = self._clock()
            return ws

    def touch(self, workspace_id: str) -> None:
        with self._lock:
            if workspace_id in self._live:
                self._last_used[workspace_id] = self._clock()

    def close(self, workspace_id: str) -> bool:
        with self._lock:
            ws = self._live.pop(workspace_id, None)
            self._last_used.pop(workspace_id, None)
        if ws is not None:
            ws.close()
        return ws is not None

    def expire_idle(self) -> list[str]:
        """Close workspaces idle for more than ``ttl_seconds``; returns their ids."""
        now = self._clock()
        with self._lock:
            old = [i for i, t in self._last_used.items() if now - t > self.ttl_seconds]
        for i in old:
            self.close(i)
        return old

    def remove_orphans(self, min_age_seconds: float | None = None) -> list[str]:
        """Delete workspace folders under ``root`` that no live session owns (left by a crashed or restarted
        process) and whose last change is older than ``min_age_seconds`` (default ``ttl_seconds``; wall clock).
        Only folders this app created (named like a workspace id, holding the app's marker naming that id) are
        touched: anything else in the root belongs to someone else. Returns the removed ids."""
        age = self.ttl_seconds if min_age_seconds is None else min_age_seconds
        if not os.path.isdir(self.root):
            return []
        with self._lock:
            live = set(self._live)
        removed = []
        for name in sorted(os.listdir(self.root)):
            path = os.path.join(self.root, name)
            if name in live or not _ID_RE.match(name) or os.path.islink(path) or not os.path.isdir(path):
                continue
            if time.time() - os.path.getmtime(path) >= age and remove_workspace_folder(path):
                removed.append(name)
        return removed

    def count_on_disk(self) -> int:
        """Workspaces under ``root`` that this app made (live, or waiting on disk to be reopened)."""
        if not os.path.isdir(self.root):
            return 0
        return sum(1 for name in os.listdir(self.root)
                   if _ID_RE.match(name) and is_workspace_folder(os.path.join(self.root, name)))

    def live_ids(self) -> list[str]:
        with self._lock:
            return list(self._live)

    def close_all(self) -> None:
        for i in self.live_ids():
            self.close(i)
