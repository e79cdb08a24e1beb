"""Per-browser-session state of the app: the session layer's Session plus what the UI remembers about it.

A :class:`UISession` lives in a ``gr.State`` (never in a module global). The browser keeps the session's key
(``{"id": workspace id, "secret": ...}``) in a ``gr.BrowserState`` (this app's localStorage entry):
:meth:`SessionBinder.open_key` reopens that session on a reload, in a tab opened later, or after a server restart
with the same workspace root; a missing, unknown or wrong key gets a new session. Closing a tab deletes nothing:
a session's workspace is deleted when it stays idle past the TTL (measured on disk too) or by "New session".
Every handler wrapped by ``guarded`` saves the session's state when it changed (:func:`persist`).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from ..core.report import logger
from ..session import Session, SessionRegistry
from ..session.tag_query import TagQuery
from .file_guard import FileGuard
from .settings import AppSettings


@dataclass
class UISession:
    """One visitor's app state. ``cancel`` stops the running pipeline; ``page_ids`` remembers which item ids a
    gallery shows on its current page (gallery name -> ids), so a click index maps back to an item."""

    session: Session
    browser_id: str = ""
    token: str = ""
    secret: str = ""  # the browser's half of the session key (only its hash is on disk)
    reopened: bool = False  # True when the page reopened a saved session (no demo loaded)
    cancel: threading.Event = field(default_factory=threading.Event)
    page_ids: dict[str, list[str]] = field(default_factory=dict)
    current_step: str | None = None
    selected_dropped: str | None = None
    selected_kept: str | None = None
    tag_selection: list[str] = field(default_factory=list)
    export_key: int | None = None  # dataset_key() of the dataset the last zip was built from
    tag_filter: TagQuery = field(default_factory=TagQuery)  # the Tags tab's gallery filter (and edit scope)

    def __deepcopy__(self, memo):  # gradio deep-copies State defaults; a live session is never copied
        return self

    @property
    def key(self) -> dict[str, str]:
        """What the browser stores to reopen this session."""
        return {"id": self.session.id, "secret": self.secret}

    def id_at(self, gallery: str, index: int | None) -> str | None:
        """The item id shown at ``index`` of ``gallery``'s current page, or None."""
        ids = self.page_ids.get(gallery, [])
        if index is None or not 0 <= int(index) < len(ids):
            return None
        return ids[int(index)]


class SessionBinder:
    """Creates, reopens and ends sessions for browser tabs. Owned by one app instance (not module-level)."""

    def __init__(self, settings: AppSettings, registry: SessionRegistry | None = None):
        self.settings = settings
        self.registry = registry or SessionRegistry(str(settings.workspace_root), ttl_seconds=settings.session_ttl,
                                                    public_mode=settings.public, quotas=settings.quotas)
        self.guard = FileGuard(self.registry.workspaces.root)

    def open(self, browser_id: str = "", load_demo: bool = True) -> UISession:
        """A new session (new workspace, new secret), opened on the demo dataset. Idle sessions expire first."""
        self.expire_idle()
        secret = secrets.token_urlsafe(32)
        session = self.registry.create(secret)
        if load_demo and self.settings.demo_dir.is_dir():
            session.inputs.load_demo(str(self.settings.demo_dir))
            session.save()
        return UISession(session=session, browser_id=browser_id, token=self.guard.issue(session.id), secret=secret)

    def open_key(self, key: Any, browser_id: str = "") -> tuple[UISession, bool]:
        """The session the browser's stored ``key`` opens (reopened: True), else a new one without the demo
        loaded (False). The file cookie is issued again either way, so the page's thumbnails load."""
        self.expire_idle()
        if isinstance(key, dict):
            session = self.registry.reopen(key.get("id"), key.get("secret"))
            if session is not None:
                return UISession(session=session, browser_id=browser_id, token=self.guard.issue(session.id),
                                 secret=str(key["secret"]), reopened=True), True
        return self.open(browser_id, load_demo=False), False

    def start_over(self, ui: UISession) -> UISession:
        """"New session": delete ``ui``'s workspace and open a fresh session (the browser gets the new key)."""
        self.close(ui)
        return self.open(ui.browser_id, load_demo=False)

    def close(self, ui: UISession | None) -> None:
        """Delete the workspace of ``ui`` (its images, choices and state file)."""
        if ui is None:
            return
        ui.cancel.set()
        self.guard.revoke(ui.session.id)
        self.registry.close(ui.session.id)

    def release(self, ui: UISession | None) -> None:
        """The tab's gr.State expired (gradio keeps it an hour after the tab closed): stop its run, keep the
        workspace (the browser's key reopens it until the idle lifetime ends)."""
        if ui is not None:
            ui.cancel.set()

    def expire_idle(self) -> list[str]:
        """Delete workspaces idle longer than the TTL, and folders a previous process left behind."""
        self.registry.workspaces.remove_orphans()
        gone = self.registry.expire_idle()
        for session_id in gone:
            self.guard.revoke(session_id)
        return gone

    def live_count(self) -> int:
        return len(self.registry.workspaces.live_ids())


def touch(binder: SessionBinder, ui: UISession | None) -> None:
    """Mark ``ui``'s session as used now, in memory and on disk (so the idle expiry spares it)."""
    if ui is not None:
        binder.registry.touch(ui.session.id)


def persist(ui: Any) -> None:
    """Save ``ui``'s session if it changed (called after every guarded handler). A failed write is logged and
    shown as a warning; the session in memory stays as it is."""
    session = getattr(ui, "session", None)
    if not isinstance(session, Session):
        return
    try:
        session.save()
    except OSError as err:
        logger.warning("session %s not saved: %s", session.id, err)
        gr.Warning(f"Your latest change could not be saved on the server ({err.strerror or err}); it is kept "
                   "while this page stays open. Download the project (Source tab) to keep it.")
