"""Values as JSON: the one conversion the package uses before writing meta, state or records as JSON.

numpy arrays, tuples, sets and frozensets become lists (sets sorted, so the text is stable), numpy scalars become
numbers, NaN and infinities become null (strict JSON: every reader takes it), mapping keys become strings. Anything
else is *unknown*: ``unknown="repr"`` keeps its ``repr`` as text (session state, crawl records: nothing is lost
silently), ``unknown="omit"`` leaves it out and names its key path in ``left_out`` (sidecars: a reader gets only what
a writer could express). Nothing produced here is executable (no pickles).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

Unknown = Literal["repr", "omit"]
_LEFT_OUT = object()


def to_json_value(value: Any, where: str = "", left_out: list[str] | None = None, *,
                  unknown: Unknown = "omit") -> Any:
    """A JSON-compatible copy of ``value`` (see the module doc); with ``unknown="omit"`` the key paths left out are
    appended to ``left_out``."""
    left_out = left_out if left_out is not None else []
    converted = _convert(value, where, left_out, unknown)
    return None if converted is _LEFT_OUT else converted


def json_safe(value: Any) -> Any:
    """A JSON-compatible copy of ``value``; unknown objects become their ``repr``."""
    return to_json_value(value, unknown="repr")


def stable_json(value: Any) -> str:
    """JSON text with sorted keys, for comparing and digesting values: equal values give equal text.

    The same conversions as :func:`json_safe`, done inside ``json.dumps`` (C speed: the session compares its state
    after every click); NaN is written as ``NaN`` here. Keys JSON cannot sort fall back to :func:`json_safe`.
    """
    try:
        return json.dumps(value, sort_keys=True, default=_default)
    except (TypeError, ValueError):
        return json.dumps(json_safe(value), sort_keys=True)


def _default(value: Any) -> Any:
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    return repr(value)


def _convert(value: Any, where: str, left_out: list[str], unknown: Unknown) -> Any:
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (np.generic, np.ndarray)):
        return _convert(value.tolist(), where, left_out, unknown)
    if isinstance(value, Mapping):
        result = {}
        for key, entry in value.items():
            here = f"{where}.{key}" if where else str(key)
            converted = _convert(entry, here, left_out, unknown)
            if converted is not _LEFT_OUT:
                result[str(key)] = converted
        return result
    if isinstance(value, (list, tuple, set, frozenset)):
        entries = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        converted_entries = [_convert(v, f"{where}[{i}]", left_out, unknown) for i, v in enumerate(entries)]
        return [v for v in converted_entries if v is not _LEFT_OUT]
    if unknown == "repr":
        return repr(value)
    left_out.append(f"{where} ({type(value).__name__})")
    return _LEFT_OUT
