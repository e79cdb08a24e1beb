"""Metadata files next to images: waifuc's ``.{body}_meta.json`` sidecars and ``{body}.txt`` captions.

Sidecars are read as plain JSON and nothing in them is ever unpickled. waifuc writes values
JSON cannot hold as ``{"__type": "module.Class", "base64": <pickle>}``; such an entry is left
out of the meta and named in the result's ``refused`` list, so the caller can record it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from ..core.tags import parse_tag_text

#: Sidecars and captions larger than this are refused (a real one is a few kilobytes).
MAX_METADATA_FILE_BYTES = 16 * 1024 * 1024

_PICKLE_TYPE_KEY = "__type"
_PICKLE_DATA_KEY = "base64"


def sidecar_path(image_path: str) -> str:
    """waifuc's sidecar of ``dir/body.ext``: ``dir/.body_meta.json``."""
    directory, filename = os.path.split(image_path)
    body, _ = os.path.splitext(filename)
    return os.path.join(directory, f".{body}_meta.json")


def caption_path(image_path: str) -> str:
    """The textual-inversion caption of ``dir/body.ext``: ``dir/body.txt`` (same folder)."""
    body, _ = os.path.splitext(image_path)
    return body + ".txt"


def is_metadata_file(filename: str) -> bool:
    """True for files that accompany images (``.json``, ``.txt``): sources pass them over silently."""
    return os.path.splitext(filename)[1].lower() in (".json", ".txt")


@dataclass
class SidecarResult:
    """``meta`` as JSON holds it; ``refused`` = (key path, reason) of entries left out;
    ``error`` = why the whole file could not be used (then ``meta`` is None)."""

    meta: dict[str, Any] | None = None
    refused: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


def read_sidecar(path: str) -> SidecarResult:
    """Read a sidecar as plain JSON; pickled entries are dropped and listed in ``refused``."""
    text, error = _read_text(path)
    if error:
        return SidecarResult(error=error)
    try:
        data = json.loads(text)
    except ValueError as err:
        return SidecarResult(error=f"sidecar is not valid JSON: {err}")
    if not isinstance(data, dict):
        return SidecarResult(error=f"sidecar holds a JSON {type(data).__name__}, not an object")
    if _is_pickled(data):
        return SidecarResult(error=_pickle_reason(data))
    result = SidecarResult()
    result.meta = _strip_pickles(data, "", result.refused)
    return result


def read_caption(path: str) -> tuple[dict[str, float] | None, str | None]:
    """Tags of a caption file ``tag_a, tag_b, skadi_\\(arknights\\)`` -> ({tag: 1.0, ...}, None).

    Splits on commas and newlines, undoes ``\\(`` ``\\)`` ``\\\\`` escapes and reads ``(tag:0.9)``
    scores (see :func:`waifuc_ui.core.tags.parse_tag_text`). Returns (None, reason) when unreadable.
    """
    text, error = _read_text(path)
    if error:
        return None, error
    return parse_tag_text(text.lstrip("\ufeff")), None


def _read_text(path: str) -> tuple[str, str | None]:
    try:
        size = os.path.getsize(path)
        if size > MAX_METADATA_FILE_BYTES:
            return "", f"metadata file of {size} bytes exceeds the limit of {MAX_METADATA_FILE_BYTES} bytes"
        with open(path, encoding="utf-8") as f:
            return f.read(), None
    except UnicodeDecodeError as err:
        return "", f"metadata file is not UTF-8 text ({err.reason} at byte {err.start})"
    except OSError as err:
        return "", f"cannot read metadata file: {err.strerror or err}"


def _is_pickled(value: Any) -> bool:
    return isinstance(value, dict) and _PICKLE_TYPE_KEY in value


def _pickle_reason(value: dict[str, Any]) -> str:
    return (f"pickled {value.get(_PICKLE_TYPE_KEY)!s} value not loaded "
            f"(sidecars are read as plain JSON, pickles are never unpickled)")


def _strip_pickles(value: Any, where: str, refused: list[tuple[str, str]]) -> Any:
    """A copy of ``value`` without waifuc pickle entries; each one left out is added to ``refused``."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            here = f"{where}.{key}" if where else str(key)
            if _is_pickled(item):
                refused.append((here, _pickle_reason(item)))
            else:
                kept[key] = _strip_pickles(item, here, refused)
        return kept
    if isinstance(value, list):
        kept_items = []
        for index, item in enumerate(value):
            here = f"{where}[{index}]"
            if _is_pickled(item):
                refused.append((here, _pickle_reason(item)))
            else:
                kept_items.append(_strip_pickles(item, here, refused))
        return kept_items
    return value
