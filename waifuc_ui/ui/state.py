"""Per-browser-session state of the app: the session layer's Session plus what the UI remembers about it.

A :class:`UISession` lives in a ``gr.State`` (never in a module global). :class:`SessionBinder` creates one per
page load and deletes its workspace when the tab closes (``demo.unload``), when the state expires, or when the
registry finds it idle.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ..session.session import Session, SessionRegistry
from .file_guard import FileGuard
from .settings import AppSettings


@dataclass
class UISession:
    """One visitor's app state. ``cancel`` stops the running pipeline; ``page_ids`` remembers which item ids a
    gallery shows on its current page (gallery name -> ids), so a click index maps back to an item."""

    session: Session
    browser_id: str = ""
    token: str = ""
    cancel: threading.Event = field(default_factory=threading.Event)
    page_ids: Dict[str, List[str]] = field(default_factory=dict)
    current_step: Optional[str] = None
    selected_dropped: Optional[str] = None
    selected_kept: Optional[str] = None
    tag_selection: List[str] = field(default_factory=list)
    export_key: Optional[int] = None  # dataset_key() of the dataset the last zip was built from

    def __deepcopy__(self, memo):  # gradio deep-copies State defaults; a live session is never copied
        return self

    def id_at(self, gallery: str, index: Optional[int]) -> Optional[str]:
        """The item id shown at ``index`` of ``gallery``'s current page, or None."""
        ids = self.page_ids.get(gallery, [])
        if index is None or not 0 <= int(index) < len(ids):
            return None
        return ids[int(index)]


class SessionBinder:
    """Creates and closes sessions for browser tabs. Owned by one app instance (not module-level)."""

    def __init__(self, settings: AppSettings, registry: Optional[SessionRegistry] = None):
        self.settings = settings
        self.registry = registry or SessionRegistry(str(settings.workspace_root), ttl_seconds=settings.session_ttl,
                                                    public_mode=settings.public, quotas=settings.quotas)
        self.guard = FileGuard(self.registry.workspaces.root)
        self._by_browser: Dict[str, str] = {}
        self._lock = threading.Lock()

    def open(self, browser_id: str = "", load_demo: bool = True) -> UISession:
        """A new session (new workspace) for a browser tab, opened on the demo dataset. Idle sessions of other
        tabs expire first."""
        self.expire_idle()
        session = self.registry.create()
        with self._lock:
            old = self._by_browser.pop(browser_id, None) if browser_id else None
            if browser_id:
                self._by_browser[browser_id] = session.id
        if old:
            self._close_id(old)
        if load_demo and self.settings.demo_dir.is_dir():
            session.load_demo(str(self.settings.demo_dir))
        return UISession(session=session, browser_id=browser_id, token=self.guard.issue(session.id))

    def _close_id(self, session_id: str) -> bool:
        self.guard.revoke(session_id)
        return self.registry.close(session_id)

    def close_browser(self, browser_id: str) -> bool:
        """The tab ``browser_id`` went away: delete its workspace. True when there was one."""
        with self._lock:
            session_id = self._by_browser.pop(browser_id, None)
        return bool(session_id) and self._close_id(session_id)

    def close(self, ui: Optional[UISession]) -> None:
        """Delete the workspace of ``ui`` (the gr.State delete_callback)."""
        if ui is None:
            return
        ui.cancel.set()
        with self._lock:
            if self._by_browser.get(ui.browser_id) == ui.session.id:
                self._by_browser.pop(ui.browser_id, None)
        self._close_id(ui.session.id)

    def expire_idle(self) -> List[str]:
        """Delete workspaces idle longer than the TTL, and folders a previous process left behind."""
        self.registry.workspaces.remove_orphans()
        gone = self.registry.expire_idle()
        for session_id in gone:
            self.guard.revoke(session_id)
        if gone:
            with self._lock:
                for key in [k for k, v in self._by_browser.items() if v in gone]:
                    self._by_browser.pop(key, None)
        return gone

    def live_count(self) -> int:
        return len(self.registry.workspaces.live_ids())


def touch(binder: SessionBinder, ui: Optional[UISession]) -> None:
    """Mark ``ui``'s session as used now (so the idle expiry spares it)."""
    if ui is not None:
        binder.registry.workspaces.touch(ui.session.id)
