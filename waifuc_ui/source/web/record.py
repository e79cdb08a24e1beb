"""The resume record of a crawl: which posts were seen, which files were downloaded.

Kept in a workspace folder given by the caller::

    {workspace}/{group}.crawl.jsonl      one JSON object per line, appended as the crawl goes
    {workspace}/{group}/{filename}       the downloaded bytes, exactly as the site sent them

A line is ``{"id", "url", "file", "meta"}`` for a download or ``{"id", "url", "skipped"}`` for a
post refused for a lasting reason (no file URL, a video, not an image). Network failures are not
recorded, so a resumed crawl tries those posts again. Files are written to a temporary name and
renamed before their line is appended, so a crawl killed at any point leaves no half file behind a
line; a half-written last line is ignored on load. Credentials are never part of a record.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from ...core.files import write_bytes_atomic
from ...core.jsondata import json_safe

logger = logging.getLogger("waifuc_ui.source.web")


class CrawlRecord:
    def __init__(self, workspace: str | os.PathLike, group: str):
        self.root = Path(workspace)
        self.group = group
        self.path = self.root / f"{group}.crawl.jsonl"
        self.files = self.root / group
        self._entries: dict[str, dict[str, Any]] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        with open(self.path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                try:
                    entry = json.loads(line)
                    self._entries[str(entry["id"])] = entry
                except (ValueError, KeyError, TypeError):
                    logger.warning("ignoring unreadable line %d of %s", number, self.path)

    def __len__(self) -> int:
        return len(self._entries)

    def lookup(self, post_id: Any, url: str | None) -> dict[str, Any] | None:
        """The entry of ``post_id`` if it was made for the same ``url`` (the same variant) and,
        for a download, its file is still there."""
        entry = self._entries.get(str(post_id))
        if entry is None or entry.get("url") != url:
            return None
        if "file" in entry and not (self.root / entry["file"]).is_file():
            return None
        return entry

    def read_file(self, entry: dict[str, Any]) -> bytes:
        return (self.root / entry["file"]).read_bytes()

    def add_download(self, post_id: Any, url: str, filename: str, data: bytes, meta: dict[str, Any]) -> None:
        target = self.files / os.path.basename(filename)
        write_bytes_atomic(target, data)
        self._append({"id": post_id, "url": url, "file": target.relative_to(self.root).as_posix(), "meta": meta})

    def add_skip(self, post_id: Any, url: str | None, reason: str) -> None:
        self._append({"id": post_id, "url": url, "skipped": reason})

    def _append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(json_safe(entry), ensure_ascii=False)
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")
        self._entries[str(entry["id"])] = entry
