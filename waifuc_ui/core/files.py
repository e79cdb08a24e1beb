"""Atomic file writes: the one way the package writes a file a reader may open at the same time.

The data goes to a hidden temporary file next to the destination (``.<name>.<random>.tmp``, same folder, so the same
file system), which then replaces the destination with ``os.replace``: a reader sees the old file or the new one,
never half of one, and a failed write leaves the destination as it was and no temporary file behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from collections.abc import Callable
from typing import IO, Any

PathLike = str | os.PathLike[str]


def atomic_write(path: PathLike, write: Callable[[IO[bytes]], Any], *, mode: int = 0o666,
                 durable: bool = False) -> None:
    """Call ``write(binary file)`` on a new temporary file next to ``path``, then move it onto ``path``.

    The folder is created when missing. The file gets ``mode`` less the umask (``0o600`` for private state).
    ``durable=True`` flushes the data to disk before the move, so a power cut leaves the old or the new version.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    tmp = os.path.join(folder, f".{os.path.basename(path)[:64]}.{uuid.uuid4().hex}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(tmp, flags, mode)
    except FileNotFoundError:  # first file of its folder (or the folder was deleted meanwhile)
        os.makedirs(folder, exist_ok=True)
        fd = os.open(tmp, flags, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def write_bytes_atomic(path: PathLike, data: bytes, *, mode: int = 0o666, durable: bool = False) -> None:
    """``data`` into ``path`` atomically (see :func:`atomic_write`)."""
    atomic_write(path, lambda f: f.write(data), mode=mode, durable=durable)


def write_text_atomic(path: PathLike, text: str, *, mode: int = 0o666, durable: bool = False) -> None:
    """UTF-8 ``text`` into ``path`` atomically (see :func:`atomic_write`)."""
    write_bytes_atomic(path, text.encode("utf-8"), mode=mode, durable=durable)


def write_json_atomic(path: PathLike, data: Any, *, mode: int = 0o666, durable: bool = False) -> str:
    """``data`` as compact UTF-8 JSON into ``path`` atomically; returns the text written. ``data`` must already
    be JSON (see :func:`waifuc_ui.core.jsondata.to_json_value` for values that may not be)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    write_text_atomic(path, text, mode=mode, durable=durable)
    return text
