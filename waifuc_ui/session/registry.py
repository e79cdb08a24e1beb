"""The sessions of one app process: created, reopened by their secret (also after a restart), expired.

The registry owns what its sessions share: the analysis cache object, the decode slots, the model downloader.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from typing import Any

from ..core.errors import CapacityError, WaifucUIError
from ..core.report import logger
from ..pipeline.catalog import ActionSpec
from . import persistence
from .quota import QuotaLedger, Quotas
from .review_models import ReviewModels
from .session import Session
from .workspace import Workspace, WorkspaceRegistry


class SessionRegistry:
    """Sessions of one app process by id, with idle expiry (``expire_idle``) deleting their workspaces. ``quotas``
    (default: public or local by ``public_mode``) bound each session; the registry owns the decode slots all its
    sessions share, and the model downloader. ``review_models`` (tests) replaces the review's model calls.

    ``create(secret)`` makes a session whose state is saved in its workspace; ``reopen(id, secret)`` gives it back,
    from memory or, after a restart on the same root, from its state file, but only to the holder of its secret."""

    def __init__(self, root: str | None = None, ttl_seconds: float = 3600.0, cache_dir: str | None = None,
                 public_mode: bool = False, catalog: Mapping[str, ActionSpec] | None = None,
                 quotas: Quotas | None = None, downloader: Any = None, review_models: ReviewModels | None = None,
                 **registry_kw: Any):
        from ..inference.download import Downloader

        self.workspaces = WorkspaceRegistry(root, ttl_seconds, cache_dir, **registry_kw)
        self.downloader = downloader or Downloader()  # one per app: a file downloads once for all sessions
        self.public_mode = public_mode
        self.quotas = quotas or (Quotas.public() if public_mode else Quotas.local())
        self.decode_slots = self.quotas.decode_slots()
        self._catalog = dict(catalog) if catalog is not None else None
        self._review_models = review_models  # the review's model calls for every session (tests: without models)
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self._reopen_lock = threading.Lock()
        self._analysis_cache: Any = None

    def _shared_cache(self, ws: Workspace) -> Any:
        """One analysis cache object for all sessions of the process (thread-safe, bounded memory LRU; holds
        model outputs keyed by pixel hash, never images)."""
        with self._lock:
            if self._analysis_cache is None:
                from ..analysis import AnalysisCache

                self._analysis_cache = AnalysisCache(ws.cache_dir)
            return self._analysis_cache

    def _options(self, ws: Workspace) -> dict[str, Any]:
        return {"catalog": self._catalog, "public_mode": self.public_mode, "analysis_cache": self._shared_cache(ws),
                "quota": QuotaLedger(self.quotas, self.decode_slots), "downloader": self.downloader,
                "review_models": self._review_models}

    def create(self, secret: str | None = None) -> Session:
        """A new session in a new workspace, its state saved at once. ``secret`` (kept by the caller, e.g. the
        browser) is what reopens it later; only its hash is stored. Raises CapacityError when the server already
        keeps ``quotas.max_sessions`` sessions."""
        cap = self.quotas.max_sessions
        if cap is not None and self.workspaces.count_on_disk() >= cap:
            raise CapacityError(f"this server keeps {cap} sessions already (each is deleted after "
                                f"{self.workspaces.ttl_seconds / 3600:g} h without use); try again later, or run "
                                "waifuc_ui on your own machine")
        ws = self.workspaces.create()
        session = Session(ws, secret_hash=persistence.hash_secret(secret) if secret else None, **self._options(ws))
        session.save()
        with self._lock:
            self._sessions[ws.id] = session
        return session

    def get(self, session_id: str) -> Session | None:
        if self.workspaces.get(session_id) is None:
            return None
        with self._lock:
            return self._sessions.get(session_id)

    def reopen(self, session_id: Any, secret: Any) -> Session | None:
        """The session ``session_id`` if ``secret`` is its own: the live one, or the one saved in its workspace
        under this registry's root (a restarted server). None for an unknown id, a wrong secret, an expired
        session or an unreadable state file (the caller starts a new session; nothing is deleted)."""
        if not persistence.valid_session_id(session_id) or not isinstance(secret, str) or not secret:
            return None
        live = self.get(session_id)
        if live is not None:
            return live if persistence.secret_matches(secret, live.secret_hash) else None
        folder = os.path.join(os.path.realpath(self.workspaces.root), session_id)
        state_file = os.path.join(folder, persistence.STATE_FILE)
        if not os.path.isfile(state_file):
            return None
        if time.time() - persistence.last_used(folder) > self.workspaces.ttl_seconds:
            return None  # expired: the orphan sweep deletes it
        try:
            stored = persistence.read_json(state_file, "state").get("secret_sha256")
        except persistence.StateError:
            return None
        if not persistence.secret_matches(secret, stored):
            return None
        try:  # a folder the app did not create is refused by Workspace (never written into)
            ws = Workspace(self.workspaces.root, workspace_id=session_id, cache_dir=self.workspaces.cache_dir)
        except (OSError, ValueError) as err:
            logger.warning("session %s could not be reopened: %s", session_id, err)
            return None
        options = self._options(ws)
        with self._reopen_lock:  # two tabs reopening one session at once get one Session object
            with self._lock:
                if session_id in self._sessions:
                    return self._sessions[session_id]
            try:
                session = Session.load(ws, **options)
            except (persistence.StateError, KeyError, TypeError, ValueError, WaifucUIError) as err:
                logger.warning("session %s could not be reopened: %s", session_id, err)
                return None
            with self._lock:
                self._sessions[session_id] = session
        self.workspaces.adopt(ws)
        persistence.mark_used(ws.dir)
        return session

    def touch(self, session_id: str) -> None:
        """Mark the session used now, in memory and on disk (its idle lifetime restarts, also across restarts)."""
        self.workspaces.touch(session_id)
        with self._lock:
            session = self._sessions.get(session_id)
        if session is not None and not session.workspace.closed:
            persistence.mark_used(session.workspace.dir)

    def close(self, session_id: str) -> bool:
        with self._lock:
            self._sessions.pop(session_id, None)
        return self.workspaces.close(session_id)

    def expire_idle(self) -> list[str]:
        gone = self.workspaces.expire_idle()
        with self._lock:
            for i in gone:
                self._sessions.pop(i, None)
        return gone

    def close_all(self) -> None:
        for i in self.workspaces.live_ids():
            self.close(i)

    def release_all(self) -> None:
        """Forget every session of this process WITHOUT deleting workspaces (a server stopping: a new process on the
        same root reopens them)."""
        with self._lock:
            self._sessions.clear()
