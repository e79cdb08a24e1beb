"""Writing waifuc's ``.{body}_meta.json`` sidecars as plain JSON (never pickles).

Values JSON cannot hold are converted by :func:`waifuc_ui.core.jsondata.to_json_value`: numpy
arrays and tuples/sets become lists, numpy scalars become numbers, NaN/inf become null, non-string
keys become strings. Anything else (an image, an object) is left out and named in the returned
list, so a reader always gets what a writer could express, and nothing in the file is executable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from ..core.files import write_text_atomic
from ..core.jsondata import to_json_value


def sidecar_path(image_path: str) -> str:
    """``dir/body.ext`` -> ``dir/.body_meta.json`` (hidden, next to the image)."""
    folder, name = os.path.split(image_path)
    return os.path.join(folder, f".{os.path.splitext(name)[0]}_meta.json")


def meta_to_json(meta: Mapping[str, Any]) -> tuple[str, list[str]]:
    """(JSON text, key paths left out) for an item's meta."""
    left_out: list[str] = []
    data = to_json_value(meta, "", left_out, unknown="omit")
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False), left_out


def write_sidecar(image_path: str, meta: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Write the sidecar of ``image_path``; returns (sidecar path, key paths left out)."""
    text, left_out = meta_to_json(meta)
    path = sidecar_path(image_path)
    write_text_atomic(path, text)
    return path, left_out
