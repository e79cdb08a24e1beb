"""Thread-safe memo of things read from model files (JSON, CSV, sessions), keyed by resolved path.

Keying by path (not by model name) means a different file (another snapshot, another cache) is never served
stale data, and nothing needs clearing between sessions.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any


def locked_cache(maxsize: int = 64) -> Callable:
    """``functools.lru_cache`` behind a lock of its own (imgutils' ``ts_lru_cache``): concurrent first calls
    compute once; loading one model does not block lookups of another function's cache."""
    def deco(func):
        cached = lru_cache(maxsize=maxsize)(func)
        lock = threading.RLock()

        def wrapper(*args):
            with lock:
                return cached(*args)
        wrapper.cache_clear = cached.cache_clear
        wrapper.__doc__, wrapper.__name__ = func.__doc__, func.__name__
        return wrapper
    return deco


@locked_cache()
def read_json(path: str) -> Any:
    with open(path, encoding='utf-8') as f:
        return json.load(f)


@locked_cache(maxsize=16)
def read_lines(path: str) -> tuple[str, ...]:
    with open(path, encoding='utf-8') as f:
        return tuple(line.strip() for line in f if line.strip())


def clear_caches() -> None:
    """Forget everything read and every session opened (tests; freeing memory)."""
    from .hub import FOUND
    from .runtime import SESSIONS
    for f in list(_REGISTERED):
        f.cache_clear()
    SESSIONS.clear()
    FOUND.forget()


_REGISTERED: list = [read_json, read_lines]


def register(cached_func) -> Callable:
    _REGISTERED.append(cached_func)
    return cached_func


def session_io(session) -> dict[str, Any]:
    """Names and shapes of a session's inputs and outputs (for messages and checks)."""
    return {'inputs': [(i.name, i.shape) for i in session.get_inputs()],
            'outputs': [(o.name, o.shape) for o in session.get_outputs()]}
