"""Local folders: ``LocalSource`` and ``LocalTISource`` with waifuc's semantics, its bugs fixed, and
``LocalDatasetSource``, which reads captions the way the app does for every input.

* Files are visited in sorted order (folders too) unless ``shuffle=True``; ``seed`` makes a
  shuffle repeatable.
* Every file is opened with :func:`waifuc_ui.core.image_io.open_image_file`: an unreadable one is
  recorded with ``report_skip(path, reason)`` and the run goes on. ``.json`` / ``.txt`` files
  (sidecars, captions) and OS clutter (``.DS_Store``, ``Thumbs.db``, ``desktop.ini``) are passed
  over silently.
* A folder that does not exist raises :class:`~waifuc_ui.core.errors.SourceError` when iterated.
* ``meta['path']`` is text: the file an item was read from is ``item.source_file`` (set here),
  never a path a sidecar names.

Caption precedence (:func:`dataset_meta`, used by ``LocalDatasetSource``, uploads and the demo):
the waifuc sidecar is the meta when there is one (waifuc's rule); its ``tags`` win when it has
any, otherwise the tags of the ``{body}.txt`` caption (escapes undone, ``(tag:0.9)`` scores read)
are added. Without a sidecar the meta is ``{path, group_id, filename}`` plus the caption's tags.
An image with neither has no ``tags`` key (so a tagger step tags it).
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

from PIL import Image

from ..core.errors import SourceError
from ..core.image_io import DEFAULT_MAX_PIXELS, BadImageError, open_image_file
from ..core.imaging import load_image
from ..core.item import ImageItem
from ..core.report import report_skip
from .base import NamedDataSource
from .sidecar import caption_path, is_metadata_file, read_caption, read_sidecar, sidecar_path

#: Files operating systems leave in folders; never images, never worth a report line.
OS_CLUTTER = frozenset({".ds_store", "thumbs.db", "desktop.ini"})


def group_name(directory: str) -> str:
    """waifuc's ``group_id`` of a folder: runs of non-word characters and ``_`` become one ``_``."""
    return re.sub(r"[\W_]+", "_", directory).strip("_")


def is_passed_over(filename: str) -> bool:
    """True for files a folder source skips without a report: sidecars, captions, OS clutter."""
    return is_metadata_file(filename) or filename.lower() in OS_CLUTTER


def list_folder(directory: str, recursive: bool = True) -> list[tuple[str, str]]:
    """(path, group_id) of the candidate image files under ``directory``, in sorted order."""
    found: list[tuple[str, str]] = []
    if recursive:
        for folder, subfolders, files in os.walk(directory):
            subfolders.sort()
            group = group_name(folder)
            found.extend((os.path.join(folder, f), group) for f in sorted(files) if not is_passed_over(f))
    else:
        group = group_name(directory)
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if not is_passed_over(name) and not os.path.isdir(path):
                found.append((path, group))
    return found


def default_meta(path: str, group: str) -> dict[str, Any]:
    """waifuc's meta for a file without sidecar: absolute ``path``, ``group_id``, base ``filename``."""
    return {"path": os.path.abspath(path), "group_id": group, "filename": os.path.basename(path)}


def sidecar_meta(image_path: str, source: str = "",
                 shown: Callable[[str], str] = str) -> dict[str, Any] | None:
    """The meta of the image's waifuc sidecar, or None when there is none (or it is unusable or
    empty). Unusable sidecars and pickled entries left out are recorded with ``report_skip``
    under ``shown(sidecar path)``."""
    path = sidecar_path(image_path)
    if not os.path.isfile(path):
        return None
    result = read_sidecar(path)
    if result.error:
        report_skip(shown(path), f"{result.error}; the image is read with default meta", source)
        return None
    for where, reason in result.refused:
        report_skip(shown(path), f"entry {where!r}: {reason}", source)
    return result.meta or None


def dataset_meta(image_path: str, group: str, source: str = "",
                 shown: Callable[[str], str] = str, read_captions: bool = True) -> dict[str, Any]:
    """The meta of one image of a dataset folder, sidecar and caption read with the precedence in the
    module doc (``read_captions=False``: LocalSource's waifuc meta)."""
    meta = sidecar_meta(image_path, source, shown) or default_meta(image_path, group)
    if read_captions and not meta.get("tags"):
        tags = caption_tags(image_path, source, shown)
        if tags:
            meta["tags"] = tags
    return meta


def caption_tags(image_path: str, source: str = "",
                 shown: Callable[[str], str] = str) -> dict[str, float] | None:
    """Tags of the image's ``{body}.txt`` caption, or None when there is none (or it is unreadable,
    which is recorded under ``shown(caption path)``)."""
    path = caption_path(image_path)
    if not os.path.isfile(path):
        return None
    tags, error = read_caption(path)
    if error:
        report_skip(shown(path), f"{error}; the image is read without tags", source)
    return tags


class FolderSource(NamedDataSource):
    """Base of the sources that read a folder of this machine (public mode refuses them all)."""

    def __init__(self, directory: str, recursive: bool = True, shuffle: bool = False, *,
                 seed: int | None = None, max_pixels: int | None = DEFAULT_MAX_PIXELS):
        self.directory = os.fspath(directory)
        self.recursive = recursive
        self.shuffle = shuffle
        self.seed = seed
        self.max_pixels = max_pixels

    def _args_repr(self) -> str:
        return repr(self.directory)

    def _files(self) -> list[tuple[str, str]]:
        if not os.path.isdir(self.directory):
            what = "is a file, not a folder" if os.path.exists(self.directory) else "does not exist"
            raise SourceError(f"{type(self).__name__}: {self.directory!r} {what} "
                              f"(absolute: {os.path.abspath(self.directory)!r}); give the path of a folder of images")
        files = list_folder(self.directory, self.recursive)
        if self.shuffle:
            random.Random(self.seed).shuffle(files)
        return files

    def _open(self, path: str) -> Image.Image | None:
        try:
            return open_image_file(path, max_pixels=self.max_pixels)
        except BadImageError as err:
            report_skip(path, err.reason, repr(self))
            return None


class LocalSource(FolderSource):
    """Every image under ``directory``. meta = the waifuc sidecar ``.{body}_meta.json`` exactly
    when there is one (read as plain JSON), else ``{path, group_id, filename}``. Images keep
    their stored mode and all their frames. ``{body}.txt`` captions are not read (as in waifuc):
    :class:`LocalDatasetSource` reads them too."""

    #: read ``{body}.txt`` captions (see the module doc for the precedence)
    read_captions = False

    def _iter(self) -> Iterator[ImageItem]:
        for path, group in self._files():
            image = self._open(path)
            if image is None:
                continue
            meta = dataset_meta(path, group, repr(self), read_captions=self.read_captions)
            yield ImageItem(image, meta, source_file=os.path.abspath(path))


class LocalDatasetSource(LocalSource):
    """A dataset folder as the app reads it: :class:`LocalSource` plus the tags of each image's
    ``{body}.txt`` caption when its sidecar has no tags (precedence in the module doc). The same
    rule applies to uploads and the demo dataset, so a folder, a zip of it and loose files give
    the same tags."""

    read_captions = True


class LocalTISource(FolderSource):
    """A textual-inversion folder: images flattened on white as RGB (first frame), tags from the
    ``{body}.txt`` next to each image (escapes undone, 1.0 each unless written ``(tag:0.9)``).
    meta = ``{path, group_id, filename, tags}``; ``tags`` is ``{}`` without a caption."""

    def _iter(self) -> Iterator[ImageItem]:
        for path, group in self._files():
            image = self._open(path)
            if image is None:
                continue
            meta = default_meta(path, group)
            meta["tags"] = caption_tags(path, repr(self)) or {}
            yield ImageItem(load_image(image, mode="RGB", force_background="white"), meta)
