"""Writing waifuc's ``.{body}_meta.json`` sidecars as plain JSON (never pickles).

Values JSON cannot hold are converted: numpy arrays and tuples/sets become lists, numpy
scalars become numbers, NaN/inf become null, non-string keys become strings. Anything else
(an image, an object) is left out and named in the returned list, so a reader always gets
what a writer could express, and nothing in the file is executable.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .imagefile import atomic_write

_LEFT_OUT = object()


def sidecar_path(image_path: str) -> str:
    """``dir/body.ext`` -> ``dir/.body_meta.json`` (hidden, next to the image)."""
    folder, name = os.path.split(image_path)
    return os.path.join(folder, f".{os.path.splitext(name)[0]}_meta.json")


def to_json_value(value: Any, where: str = "", left_out: list[str] | None = None) -> Any:
    """A JSON-compatible copy of ``value``; unconvertible parts are omitted and their key paths
    appended to ``left_out``."""
    left_out = left_out if left_out is not None else []
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.generic):
        return to_json_value(value.item(), where, left_out)
    if isinstance(value, np.ndarray):
        return to_json_value(value.tolist(), where, left_out)
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            here = f"{where}.{key}" if where else str(key)
            converted = to_json_value(item, here, left_out)
            if converted is not _LEFT_OUT:
                result[str(key)] = converted
        return result
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
        converted_items = [to_json_value(v, f"{where}[{i}]", left_out) for i, v in enumerate(items)]
        return [v for v in converted_items if v is not _LEFT_OUT]
    left_out.append(f"{where} ({type(value).__name__})")
    return _LEFT_OUT


def meta_to_json(meta: Mapping[str, Any]) -> tuple[str, list[str]]:
    """(JSON text, key paths left out) for an item's meta."""
    left_out: list[str] = []
    data = to_json_value(meta, "", left_out)
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False), left_out


def write_sidecar(image_path: str, meta: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Write the sidecar of ``image_path``; returns (sidecar path, key paths left out)."""
    text, left_out = meta_to_json(meta)
    path = sidecar_path(image_path)
    write_text_file(path, text)
    return path, left_out


def write_text_file(path: str, text: str) -> None:
    """Write UTF-8 text atomically (see :func:`waifuc_ui.export.imagefile.atomic_write`)."""
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))
