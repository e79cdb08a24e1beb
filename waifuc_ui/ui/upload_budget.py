"""A bound on gradio's upload folder: its upload route takes files from anyone, before any session handler runs.

Per-session quotas (session/quota.py) count what a session ingests; a client can also post files to
``/gradio_api/upload`` and never ingest them (gradio keeps them for hours). :class:`UploadBudgetMiddleware` answers
507 to an upload once the folder holds ``max_bytes`` (its size is re-measured at most every ``refresh_s`` seconds,
plus what was accepted since).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..session.workspace import folder_bytes
from .file_guard import fully_decoded, send_text

UPLOAD_ROUTES = ("/gradio_api/upload", "/upload")


class UploadBudget:
    """The upload folder's size against ``max_bytes`` (thread-safe; one per app)."""

    def __init__(self, folder: str, max_bytes: int, refresh_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic):
        self.folder, self.max_bytes, self.refresh_s, self._clock = folder, int(max_bytes), refresh_s, clock
        self._lock = threading.Lock()
        self._measured_at: float | None = None
        self._used = 0

    def admit(self, incoming: int) -> bool:
        """True (and counted) when ``incoming`` more bytes fit; False when the folder is full."""
        with self._lock:
            now = self._clock()
            if self._measured_at is None or now - self._measured_at >= self.refresh_s:
                self._used, self._measured_at = folder_bytes(self.folder), now
            if self._used + max(incoming, 0) > self.max_bytes:
                return False
            self._used += max(incoming, 0)
            return True


def is_upload(scope) -> bool:
    path = fully_decoded(scope.get("path", "") or "").rstrip("/")
    return scope.get("method") == "POST" and path.endswith(UPLOAD_ROUTES)


class UploadBudgetMiddleware:
    """ASGI middleware: 507 for uploads once gradio's upload folder is full (public mode)."""

    def __init__(self, app, budget: UploadBudget):
        self.app = app
        self.budget = budget

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "http" and is_upload(scope):
            length = 0
            for name, value in scope.get("headers") or []:
                if name == b"content-length":
                    length = int(value) if value.isdigit() else 0
            if not self.budget.admit(length):
                await send_text(send, 507, b"The server's upload space is full right now (uploads are kept a few "
                                           b"hours). Try again later, or run waifuc_ui on your own machine.")
                return
        await self.app(scope, receive, send)
