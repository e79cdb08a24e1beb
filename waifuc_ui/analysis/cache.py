"""The analysis cache: (content hash, analysis key) -> model output, on disk and in memory.

Layout: ``<directory>/<key id>/<hash[:2]>/<hash>.bin`` with ``<key id>/key.json`` describing
the key. Entries are written to a temporary file and renamed, so a reader never sees half an
entry; an unreadable entry is a miss. The folder can be deleted at any time. Disk use is kept
under ``max_bytes`` by deleting the least recently used entries (mtime, refreshed on reads);
a small LRU in memory avoids re-reading hot entries.

Which cache an action uses is a context setting, see :mod:`waifuc_ui.analysis.context`.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import InvalidArgumentError
from ..core.files import write_bytes_atomic
from ..core.settings import current_settings
from .codec import CorruptEntry, decode, encode, value_nbytes

DEFAULT_MAX_BYTES = 4 * 1024 ** 3
DEFAULT_MEMORY_BYTES = 256 * 1024 ** 2

AnalysisKey = Mapping[str, Any]


def default_cache_dir() -> Path:
    """``$WAIFUC_UI_CACHE_DIR``, else ``~/.cache/waifuc_ui/analysis`` (see :mod:`waifuc_ui.core.settings`)."""
    return current_settings().cache_dir


def key_id(key: AnalysisKey) -> str:
    """A short stable id of an analysis key (a JSON-able mapping), used as folder name."""
    canonical = json.dumps(key, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(canonical.encode(), digest_size=8).hexdigest()


@dataclass
class CacheStats:
    memory_hits: int = 0
    disk_hits: int = 0
    misses: int = 0
    writes: int = 0
    corrupt: int = 0
    evicted: int = 0

    @property
    def hits(self) -> int:
        return self.memory_hits + self.disk_hits


class AnalysisCache:
    """Per (content hash, analysis key) results: JSON-able values or numpy arrays.

    Values handed out are shared with the memory LRU: treat them as read-only.
    ``max_bytes`` bounds the disk, ``memory_bytes`` the in-memory LRU.
    """

    def __init__(self, directory: str | os.PathLike | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 memory_bytes: int = DEFAULT_MEMORY_BYTES):
        self.directory = Path(directory) if directory is not None else default_cache_dir()
        self.max_bytes = int(max_bytes)
        self.memory_bytes = int(memory_bytes)
        self.stats = CacheStats()
        self._lock = threading.Lock()
        self._memory: OrderedDict[tuple[str, str], tuple[Any, int]] = OrderedDict()
        self._memory_used = 0
        self._disk_used: int | None = None  # measured on the first write
        self._described: set = set()

    def __repr__(self) -> str:
        return f"AnalysisCache({str(self.directory)!r}, max_bytes={self.max_bytes})"

    # -- paths -------------------------------------------------------------------------------
    def _path(self, kid: str, content_hash: str) -> Path:
        return self.directory / kid / content_hash[:2] / f"{content_hash}.bin"

    def _describe(self, kid: str, key: AnalysisKey) -> None:
        if kid in self._described:
            return
        info = self.directory / kid / "key.json"
        if not info.exists():
            self._atomic_write(info, json.dumps(key, sort_keys=True, indent=1, default=str).encode())
        self._described.add(kid)

    @staticmethod
    def _atomic_write(path: Path, data: bytes) -> None:
        write_bytes_atomic(path, data)

    # -- memory LRU --------------------------------------------------------------------------
    def _remember(self, mkey: tuple[str, str], value: Any) -> None:
        size = value_nbytes(value)
        if size > self.memory_bytes // 4:
            return  # too big to be worth holding
        old = self._memory.pop(mkey, None)
        if old is not None:
            self._memory_used -= old[1]
        self._memory[mkey] = (value, size)
        self._memory_used += size
        while self._memory_used > self.memory_bytes and self._memory:
            _, (_, s) = self._memory.popitem(last=False)
            self._memory_used -= s

    # -- public API --------------------------------------------------------------------------
    def get(self, content_hash: str, key: AnalysisKey, default: Any = None) -> Any:
        """The cached value, or ``default`` on a miss (absent, unreadable or corrupt)."""
        kid = key_id(key)
        return self._get(kid, content_hash, default)

    def _get(self, kid: str, content_hash: str, default: Any) -> Any:
        mkey = (kid, content_hash)
        with self._lock:
            hit = self._memory.get(mkey)
            if hit is not None:
                self._memory.move_to_end(mkey)
                self.stats.memory_hits += 1
                return hit[0]
        path = self._path(kid, content_hash)
        try:
            data = path.read_bytes()
            value = decode(data)
        except OSError:
            with self._lock:
                self.stats.misses += 1
            return default
        except CorruptEntry:
            with self._lock:
                self.stats.corrupt += 1
                self.stats.misses += 1
            try:
                path.unlink()
            except OSError:
                pass
            return default
        try:
            os.utime(path)  # least-recently-used eviction reads mtime
        except OSError:
            pass
        with self._lock:
            self.stats.disk_hits += 1
            self._remember(mkey, value)
        return value

    def get_many(self, content_hashes: Iterable[str], key: AnalysisKey) -> dict[str, Any]:
        """``{hash: value}`` for the hashes that are cached under ``key``."""
        kid = key_id(key)
        missing = object()
        out = {}
        for h in content_hashes:
            value = self._get(kid, h, missing)
            if value is not missing:
                out[h] = value
        return out

    def put(self, content_hash: str, key: AnalysisKey, value: Any) -> None:
        """Store ``value``; a write failure (disk full, folder deleted meanwhile) is not an error."""
        if value is None:
            raise InvalidArgumentError("None cannot be cached (it means a miss)",
                                       "store another value, e.g. an empty list")
        kid = key_id(key)
        data = encode(value)
        with self._lock:
            self._remember((kid, content_hash), value)
            self.stats.writes += 1
        try:
            self._describe(kid, key)
            path = self._path(kid, content_hash)
            try:
                old_size = path.stat().st_size
            except OSError:
                old_size = 0
            self._atomic_write(path, data)
        except OSError:
            self._described.discard(kid)
            return
        with self._lock:
            if self._disk_used is None:
                self._disk_used = self._measure_disk()
            else:
                self._disk_used += len(data) - old_size
            over = self._disk_used > self.max_bytes
        if over:
            self.evict()

    def _scan(self):
        entries = []
        if not self.directory.is_dir():
            return entries
        for kdir in os.scandir(self.directory):
            if not kdir.is_dir():
                continue
            for shard in os.scandir(kdir.path):
                if not shard.is_dir():
                    continue
                for f in os.scandir(shard.path):
                    if f.name.endswith(".bin"):
                        try:
                            st = f.stat()
                        except OSError:
                            continue
                        entries.append((st.st_mtime, st.st_size, f.path))
        return entries

    def _measure_disk(self) -> int:
        return sum(size for _, size, _ in self._scan())

    def disk_bytes(self) -> int:
        """Bytes the entries take on disk now (a scan)."""
        return self._measure_disk()

    def evict(self, target_bytes: int | None = None) -> int:
        """Delete least recently used entries until at most ``target_bytes`` (default 80 % of
        ``max_bytes``) remain. Returns the number of entries deleted."""
        target = int(self.max_bytes * 0.8) if target_bytes is None else target_bytes
        entries = sorted(self._scan())
        total = sum(size for _, size, _ in entries)
        deleted = 0
        for _, size, path in entries:
            if total <= target:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
            deleted += 1
        with self._lock:
            self._disk_used = total
            self.stats.evicted += deleted
        return deleted

    def clear_memory(self) -> None:
        """Forget the in-memory copies (the disk stays)."""
        with self._lock:
            self._memory.clear()
            self._memory_used = 0


class NullAnalysisCache(AnalysisCache):
    """A cache that stores nothing: every lookup misses (used to measure uncached runs)."""

    def __init__(self):
        super().__init__(directory=os.devnull, max_bytes=0, memory_bytes=0)

    def __repr__(self) -> str:
        return "NullAnalysisCache()"

    def _get(self, kid: str, content_hash: str, default: Any) -> Any:
        self.stats.misses += 1
        return default

    def put(self, content_hash: str, key: AnalysisKey, value: Any) -> None:
        return None
