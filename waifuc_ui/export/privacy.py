"""What an exported file may say about the machine that wrote it: nothing.

:func:`public_meta` is the meta a sidecar carries:

* ``path`` (the file the item was read from) is left out: it is a path of the writing machine, it goes stale as
  soon as the folder is copied, and a reader must never open what a sidecar names (waifuc wrote it);
* ``group_id`` that LocalSource made from an absolute folder (``tmp_data_sub1``) becomes the folder's own name
  (``sub1``); one made from a relative folder is kept;
* any other text value that is an absolute path of this machine (one that exists, or one under a private root)
  becomes its last part, and a private root inside longer text (an error message) is cut to the file's name.

Private roots: the temporary folder, the home folder, the working folder, plus ``extra_roots`` (the app passes
its workspace root). Keys are never changed; tags are keys, so a tag that looks like a path stays as it is.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from typing import Any


def _group_name(directory: str) -> str:  # LocalSource's group_id rule (kept here: export never imports sources)
    return re.sub(r"[\W_]+", "_", directory).strip("_")


def private_roots(extra_roots: Iterable[str] = ()) -> list[str]:
    """Absolute folders whose paths never appear in an export, longest first."""
    roots = {tempfile.gettempdir(), os.path.expanduser("~"), os.getcwd(), *extra_roots}
    out = set()
    for root in roots:
        if root and os.path.isabs(root):
            out.add(os.path.normpath(root))
            out.add(os.path.realpath(root))
    return sorted((r for r in out if r not in ("/", "\\") and len(r) > 3), key=len, reverse=True)


class PathScrubber:
    """Turns server paths inside meta values into file names (see the module doc)."""

    def __init__(self, extra_roots: Iterable[str] = ()):
        self.roots = private_roots(extra_roots)
        self._inside = [re.compile(re.escape(r) + r"(?:[/\\][^\s'\"<>|,;]*)?") for r in self.roots]

    def text(self, value: str) -> str:
        if _looks_absolute(value) and (os.path.exists(value) or self._under_root(value)):
            return _last_part(value)
        for pattern in self._inside:
            value = pattern.sub(lambda m: _last_part(m.group(0)), value)
        return value

    def _under_root(self, value: str) -> bool:
        norm = os.path.normpath(value)
        return any(norm == r or norm.startswith(r.rstrip("/\\") + os.sep) for r in self.roots)

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.value(v) for v in value) if isinstance(value, list) else \
                tuple(self.value(v) for v in value)
        return value

    def group_id(self, group: Any, path: Any) -> Any:
        if not isinstance(group, str) or not isinstance(path, str) or not path:
            return self.value(group)
        folder = os.path.dirname(os.path.abspath(path))
        if group == _group_name(folder):
            return _group_name(os.path.basename(folder))
        for root in self.roots:
            prefix = _group_name(root)
            if prefix and group.startswith(prefix + "_"):
                return group[len(prefix) + 1:]
        return group


def public_meta(meta: Mapping[str, Any], scrubber: PathScrubber) -> dict:
    """A copy of ``meta`` that carries no path of this machine (see the module doc)."""
    out = {k: scrubber.value(v) for k, v in meta.items() if k not in ("path", "group_id")}
    if "group_id" in meta:
        out["group_id"] = scrubber.group_id(meta["group_id"], meta.get("path"))
    return dict(_ordered(meta, out))


def _ordered(original: Mapping[str, Any], cleaned: Mapping[str, Any]) -> Iterable[tuple[str, Any]]:
    for key in original:
        if key in cleaned:
            yield key, cleaned[key]


def _looks_absolute(value: str) -> bool:
    if "\n" in value or len(value) < 2:
        return False
    return value.startswith(("/", "\\\\")) or bool(re.match(r"^[A-Za-z]:[\\/]", value))


def _last_part(path: str) -> str:
    return os.path.basename(path.replace("\\", "/").rstrip("/")) or ""
