"""Export names: one output per item, never overwritten. Every exporter here (and the app's zip) uses this rule.

The wanted name is ``meta['filename']`` made safe (:func:`~waifuc_ui.export.safety.safe_relative_name`; with
``flatten`` only its last part), else ``untitled_{n}.png`` with n counted from 1. The writer may still change the
extension (a format the file cannot hold, an animation written as a still PNG) before the name is claimed.

Two items collide when their names are equal **without the extension, ignoring case**: the image, its ``.txt``
caption and its ``.{body}_meta.json`` sidecar all derive from that part, so ``a.png`` and ``a.jpg`` would share
``a.txt``, and ``A.png`` and ``a.png`` are one file on Windows and macOS. The first item keeps its name (an export
without collisions is named exactly as waifuc names it). A later colliding item is renamed, in this order:

1. ``{folder}_{name}`` when the item was read from a file (``meta['path']``) whose folder has another name than
   the folder of the item holding the name: ``sub1/dup.png``, ``sub2/dup.png`` -> ``dup.png``, ``sub2_dup.png``;
2. else, or when that is taken too, ``{body}_{k}{ext}`` with the smallest free k from 1: ``a.png``, ``a.jpg`` ->
   ``a.png`` + ``a.txt``, ``a_1.jpg`` + ``a_1.txt``.

Sub-folders of ``meta['filename']`` stay in front of the renamed part (``s/a.png`` -> ``s/a_1.png``). Only the
folder's own name is used, never a longer path, so no server path reaches a file name.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Mapping
from typing import Any

from .safety import safe_relative_name

_UNSAFE_IN_PART = re.compile(r"[\x00-\x1f/\\:*?\"<>|]+")


def name_key(name: str) -> str:
    """What two names must not share: the relative path without extension, lower-cased, '/' separated."""
    return os.path.splitext(name.replace("\\", "/"))[0].lower()


def source_folder(meta: Mapping[str, Any]) -> str:
    """The name of the folder the item was read from (``meta['path']``), '' when unknown."""
    path = meta.get("path")
    if not isinstance(path, str) or not path:
        return ""
    folder = os.path.basename(os.path.dirname(path.replace("\\", "/").rstrip("/")))
    return _UNSAFE_IN_PART.sub("_", folder).strip(" ._")


class ExportNames:
    """The names one export has handed out (see the module doc). ``reset()`` before each export."""

    def __init__(self, flatten: bool = False):
        self.flatten = flatten
        self._holders: dict[str, str] = {}  # name_key -> source folder of the item holding it
        self._untitled = 0

    def reset(self) -> None:
        self._holders.clear()
        self._untitled = 0

    def wanted(self, meta: Mapping[str, Any]) -> str:
        """The name the item asks for: its safe ``meta['filename']`` or the next free ``untitled_{n}.png``."""
        name = safe_relative_name(meta.get("filename"))
        if name is not None and self.flatten:
            name = os.path.basename(name)
        if name is not None:
            return name
        while True:
            self._untitled += 1
            name = f"untitled_{self._untitled}.png"
            if name_key(name) not in self._holders:
                return name

    def is_free(self, name: str) -> bool:
        return name_key(name) not in self._holders

    def claim(self, name: str, meta: Mapping[str, Any] | None = None) -> str:
        """``name`` when free, else the renamed form (see the module doc); the result is now taken."""
        folder = source_folder(meta or {})
        key = name_key(name)
        if key in self._holders:
            name = self._renamed(name, folder, self._holders[key])
        self._holders[name_key(name)] = folder
        return name

    def release(self, name: str) -> None:
        """Give a claimed name back (its item could not be written)."""
        self._holders.pop(name_key(name), None)

    def _renamed(self, name: str, folder: str, holder_folder: str) -> str:
        parent, base = os.path.split(name)
        body, ext = os.path.splitext(base)
        if folder and folder.lower() != holder_folder.lower():
            candidate = os.path.join(parent, f"{folder}_{body}{ext}")
            if self.is_free(candidate):
                return candidate
        for k in itertools.count(1):
            candidate = os.path.join(parent, f"{body}_{k}{ext}")
            if self.is_free(candidate):
                return candidate
        raise AssertionError("unreachable")
