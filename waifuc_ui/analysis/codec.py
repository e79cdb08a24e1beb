"""Bytes for cached analyses: JSON for the structure, raw little-endian buffers for numpy arrays.

No pickle: a cache folder is data, and reading it must never run code. Tuples come back as
lists and numpy scalars as Python numbers; arrays come back read-only with dtype and shape.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

from ..core.errors import ArgumentTypeError

MAGIC = b"WUIA1\n"
_ARRAY = "__ndarray__"


class CorruptEntry(ValueError):
    """The bytes are not a complete entry written by :func:`encode`."""


def _flatten(value: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(value, np.ndarray):
        arrays.append(np.ascontiguousarray(value))
        return {_ARRAY: len(arrays) - 1}
    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_flatten(v, arrays) for v in value]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ArgumentTypeError(f"cached dict keys must be str, got {type(k).__name__} {k!r}", "use str keys")
            out[k] = _flatten(v, arrays)
        return out
    raise ArgumentTypeError(f"cannot cache a {type(value).__name__}", "use JSON types or numpy arrays")


def encode(value: Any) -> bytes:
    """Serialise ``value`` (JSON types, tuples, numpy arrays and scalars, nested)."""
    arrays: list[np.ndarray] = []
    structure = _flatten(value, arrays)
    specs = [[a.dtype.newbyteorder("<").str, list(a.shape)] for a in arrays]
    header = json.dumps({"v": structure, "a": specs}, separators=(",", ":")).encode()
    parts = [MAGIC, struct.pack("<Q", len(header)), header]
    for a in arrays:
        parts.append(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())
    return b"".join(parts)


def _restore(value: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(value, list):
        return [_restore(v, arrays) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and _ARRAY in value:
            return arrays[value[_ARRAY]]
        return {k: _restore(v, arrays) for k, v in value.items()}
    return value


def decode(data: bytes) -> Any:
    """Inverse of :func:`encode`; raises :class:`CorruptEntry` on truncated or foreign bytes."""
    try:
        if not data.startswith(MAGIC):
            raise CorruptEntry("bad magic")
        pos = len(MAGIC)
        (n,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        head = json.loads(data[pos:pos + n])
        pos += n
        arrays = []
        for dtype_str, shape in head["a"]:
            dtype = np.dtype(dtype_str)
            count = int(np.prod(shape, dtype=np.int64))
            size = count * dtype.itemsize
            if pos + size > len(data):
                raise CorruptEntry("truncated array")
            arrays.append(np.frombuffer(data, dtype=dtype, count=count, offset=pos).reshape(shape))
            pos += size
        if pos != len(data):
            raise CorruptEntry("trailing bytes")
        return _restore(head["v"], arrays)
    except CorruptEntry:
        raise
    except (ValueError, KeyError, TypeError, struct.error) as e:
        raise CorruptEntry(str(e)) from e


def value_nbytes(value: Any) -> int:
    """A rough in-memory size of a decoded value, for the memory LRU."""
    if isinstance(value, np.ndarray):
        return value.nbytes + 96
    if isinstance(value, (list, tuple)):
        return 56 + sum(value_nbytes(v) for v in value)
    if isinstance(value, dict):
        return 64 + sum(len(k) + 50 + value_nbytes(v) for k, v in value.items())
    if isinstance(value, str):
        return 50 + len(value)
    return 32
