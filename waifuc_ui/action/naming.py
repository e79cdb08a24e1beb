"""Renaming actions: random names, a new extension, numbering in arrival order."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from typing import Any

from PIL import Image

from ..core.errors import InvalidArgumentError
from ..core.item import ImageItem
from .base import BaseAction


def normalise_ext(ext: str | None) -> str | None:
    """``'png'`` -> ``'.png'``; ``None`` and ``''`` -> None."""
    if not ext:
        return None
    return ext if ext.startswith(".") else "." + ext


def image_ext(image: Image.Image | None, default: str = ".png") -> str:
    """The usual extension of the image's own format (``.jpg`` for JPEG), else ``default``."""
    fmt = getattr(image, "format", None) if image is not None else None
    if fmt:
        for ext, name in Image.registered_extensions().items():
            if name == fmt and ext in (".jpg", ".png", ".gif", ".webp", ".bmp", ".tiff"):
                return ext
        exts = [e for e, n in Image.registered_extensions().items() if n == fmt]
        if exts:
            return exts[0]
    return default


def _old_ext(item: ImageItem) -> str | None:
    filename = item.meta.get("filename")
    return os.path.splitext(filename)[1] or None if filename else None


class BaseRandomAction(BaseAction):
    """An action with its own ``random.Random(seed)``, re-seeded on every ``reset()``."""

    per_item = False  # one random generator runs through the whole stream

    def __init__(self, seed=None):
        self.seed = seed
        self.random = random.Random(seed)

    def reset(self) -> None:
        self.random = random.Random(self.seed)


class RandomFilenameAction(BaseRandomAction):
    """Rename to a random 40-hex-digit (SHA1-sized) name plus ``ext``, keeping any sub-folder.

    Fixes: ``ext=None`` keeps the old extension (waifuc used the old file *body* as the
    extension), and an item without a filename gets its image format's extension (else ``.png``)
    instead of a NameError. An extension without a dot (``'png'``) gets one.
    """

    per_item = False  # the n-th name depends on the n-1 names drawn before

    def __init__(self, ext: str | None = ".png", seed=None):
        super().__init__(seed)
        self.ext = normalise_ext(ext)

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        ext = self.ext or _old_ext(item) or image_ext(item.image)
        folder = os.path.dirname(item.meta.get("filename") or "")
        name = f"{self.random.getrandbits(160):040x}{ext}"
        yield item.with_meta(filename=os.path.join(folder, name) if folder else name)

    def __repr__(self) -> str:
        return f"RandomFilenameAction(ext={self.ext!r}, seed={self.seed!r})"


class FileExtAction(BaseAction):
    """Change the extension to ``ext`` (unnamed items become ``untitled_{n}{ext}``, n from 1).

    ``quality`` is stored in ``meta['save_cfg']`` for the exporter. The exporters choose the file
    format from the extension, so the file content matches its new name. An extension without
    a dot gets one (waifuc wrote ``bodypng``).
    """

    per_item = False  # unnamed items are numbered untitled_1, untitled_2, ... in arrival order

    def __init__(self, ext: str, quality: int | None = None):
        normalised = normalise_ext(ext)
        if normalised is None:
            raise InvalidArgumentError(f"FileExtAction needs an extension, got {ext!r}",
                                       "give an extension such as '.png' or '.jpg'")
        self.ext: str = normalised
        self.quality = quality
        self.untitles = 0

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        filename = item.meta.get("filename")
        if filename:
            filename = os.path.splitext(filename)[0] + self.ext
        else:
            self.untitles += 1
            filename = f"untitled_{self.untitles}{self.ext}"
        updates: dict[str, Any] = {"filename": filename}
        if self.quality is not None:
            updates["save_cfg"] = {**(item.meta.get("save_cfg") or {}), "quality": self.quality}
        yield item.with_meta(**updates)

    def reset(self) -> None:
        self.untitles = 0

    def __repr__(self) -> str:
        return f"FileExtAction({self.ext!r}, quality={self.quality!r})"


class FileOrderAction(BaseAction):
    """Rename to ``1{ext}``, ``2{ext}``, ... in arrival order (sub-folders are dropped, as in waifuc).

    ``ext=None`` keeps each file's extension; an unnamed item then gets its image format's
    extension (else ``.png``) instead of waifuc's ValueError.
    """

    per_item = False  # names are arrival positions

    def __init__(self, ext: str | None = ".png"):
        self.ext = normalise_ext(ext)
        self._current = 0

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        self._current += 1
        ext = self.ext or _old_ext(item) or image_ext(item.image)
        yield item.with_meta(filename=f"{self._current}{ext}")

    def reset(self) -> None:
        self._current = 0

    def __repr__(self) -> str:
        return f"FileOrderAction(ext={self.ext!r})"
