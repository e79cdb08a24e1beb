"""Per-browser-session workspaces and the registry that expires idle ones.

A :class:`Workspace` is one folder ``<root>/<id>`` with a random, unguessable id (128 bits, URL-safe):

    inputs/    copies of the ingested files (never the visitor's originals)
    derived/   images steps produced (crops, resized, converted)
    thumbs/    small WebP thumbnails (256 px long side), made once per image
    uploads/   extracted uploads
    exports/   zips built for download
    crawl/     crawl records of web sources (resume state; never credentials)

Model outputs are NOT kept here: they go to the process-wide analysis cache (``cache_dir``, default
``$WAIFUC_UI_CACHE_DIR`` or ``~/.cache/waifuc_ui/analysis``), keyed by pixel hash + model identity. It holds no
images, so sharing it between sessions leaks nothing visible and lets every visitor reuse the demo's analysis.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from typing import Callable, Dict, List, Optional

SUBDIRS = ("inputs", "derived", "thumbs", "uploads", "exports", "crawl")
_ID_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def default_root() -> str:
    """``$WAIFUC_UI_WORKSPACE_ROOT`` or ``<system temp>/waifuc_ui_sessions``."""
    return os.environ.get("WAIFUC_UI_WORKSPACE_ROOT") or os.path.join(tempfile.gettempdir(), "waifuc_ui_sessions")


def default_cache_dir() -> str:
    """The shared analysis cache folder (``$WAIFUC_UI_CACHE_DIR`` or ``~/.cache/waifuc_ui/analysis``)."""
    return os.environ.get("WAIFUC_UI_CACHE_DIR") or os.path.join(os.path.expanduser("~"), ".cache", "waifuc_ui",
                                                                  "analysis")


class Workspace:
    """One session's folder. ``path(kind, name)`` gives a file path inside; ``contains(path)`` tells whether a path
    lies inside (for serving files); ``close()`` deletes everything."""

    def __init__(self, root: Optional[str] = None, workspace_id: Optional[str] = None,
                 cache_dir: Optional[str] = None):
        self.id = workspace_id or secrets.token_urlsafe(16)
        if not _ID_RE.match(self.id):
            raise ValueError(f"bad workspace id {self.id!r}: use 16-64 characters of [A-Za-z0-9_-]")
        self.root = os.path.realpath(root or default_root())
        self.dir = os.path.join(self.root, self.id)
        self.cache_dir = cache_dir or default_cache_dir()
        for sub in SUBDIRS:
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.closed = False

    def subdir(self, kind: str) -> str:
        if kind not in SUBDIRS:
            raise ValueError(f"unknown workspace folder {kind!r}; valid: {', '.join(SUBDIRS)}")
        return os.path.join(self.dir, kind)

    def path(self, kind: str, name: str) -> str:
        """``<workspace>/<kind>/<name>``; refuses names that would leave the folder."""
        base = self.subdir(kind)
        full = os.path.realpath(os.path.join(base, name))
        if not full.startswith(base + os.sep):
            raise ValueError(f"file name {name!r} leaves the workspace folder {kind!r}")
        return full

    def contains(self, path: str) -> bool:
        real = os.path.realpath(path)
        return real.startswith(self.dir + os.sep)

    def size_bytes(self) -> int:
        total = 0
        for folder, _, files in os.walk(self.dir):
            for f in files:
                try:
                    total += os.path.getsize(os.path.join(folder, f))
                except OSError:
                    pass
        return total

    def close(self) -> None:
        """Delete the workspace folder (idempotent)."""
        self.closed = True
        shutil.rmtree(self.dir, ignore_errors=True)

    def __repr__(self) -> str:
        return f"Workspace({self.dir!r})"


class WorkspaceRegistry:
    """Live workspaces of one app process, each with a last-use time; ``expire_idle()`` closes those idle longer
    than ``ttl_seconds``. Thread-safe. ``clock`` is injectable for tests."""

    def __init__(self, root: Optional[str] = None, ttl_seconds: float = 3600.0, cache_dir: Optional[str] = None,
                 clock: Callable[[], float] = time.monotonic):
        self.root = root or default_root()
        self.ttl_seconds = ttl_seconds
        self.cache_dir = cache_dir
        self._clock = clock
        self._lock = threading.Lock()
        self._live: Dict[str, Workspace] = {}
        self._last_used: Dict[str, float] = {}

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

    def get(self, workspace_id: str) -> Optional[Workspace]:
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

    def expire_idle(self) -> List[str]:
        """Close workspaces idle for more than ``ttl_seconds``; returns their ids."""
        now = self._clock()
        with self._lock:
            old = [i for i, t in self._last_used.items() if now - t > self.ttl_seconds]
        for i in old:
            self.close(i)
        return old

    def remove_orphans(self, min_age_seconds: Optional[float] = None) -> List[str]:
        """Delete workspace folders under ``root`` that no live session owns (left by a crashed or restarted
        process) and whose last change is older than ``min_age_seconds`` (default ``ttl_seconds``; wall clock).
        Only folders named like workspace ids are touched. Returns the removed ids."""
        age = self.ttl_seconds if min_age_seconds is None else min_age_seconds
        if not os.path.isdir(self.root):
            return []
        with self._lock:
            live = set(self._live)
        removed = []
        for name in sorted(os.listdir(self.root)):
            path = os.path.join(self.root, name)
            if name in live or not _ID_RE.match(name) or not os.path.isdir(path):
                continue
            if time.time() - os.path.getmtime(path) >= age:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(name)
        return removed

    def live_ids(self) -> List[str]:
        with self._lock:
            return list(self._live)

    def close_all(self) -> None:
        for i in self.live_ids():
            self.close(i)
