"""The session's item records: one per distinct image state, with its file, thumbnail and pixel hash.

Items are handed to actions as lazy :class:`ImageItem` s (``loader`` + known ``content_hash``), so steps whose
results are memoised or cached never decode pixels.
"""

from __future__ import annotations

import copy
import hashlib
import os
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from ..core.errors import InvalidArgumentError
from ..core.hashing import image_hash
from ..core.image_io import open_image_file
from ..core.imaging import has_alpha, load_image
from ..core.item import ImageItem
from ..core.jsondata import json_safe, stable_json
from ..core.report import logger
from .workspace import Workspace

THUMB_SIZE = 256
#: Modes PNG stores losslessly; others (CMYK, F, YCbCr, ...) are stored as TIFF.
_PNG_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}


@dataclass
class ItemRecord:
    """One image state. ``origin`` is 'input' or the uid of the step that made it; ``parent_id`` the item it
    was derived from. ``meta`` is the meta the item had when created (steps may change meta without a new
    record, e.g. tagging: see the step results)."""

    id: str
    file: str
    thumb: str
    width: int
    height: int
    mode: str
    content_hash: str
    meta: dict[str, Any] = field(default_factory=dict)
    parent_id: str | None = None
    origin: str = "input"
    file_bytes: int = 0
    n_frames: int = 1

    @property
    def size(self) -> tuple:
        return self.width, self.height

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["meta"] = json_safe(self.meta)
        return d


def meta_key(meta: dict[str, Any]) -> str:
    """A short stable digest of a meta dict (item_id excluded)."""
    clean = {k: v for k, v in meta.items() if k != "item_id"}
    text = stable_json(clean)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def open_file(path: str) -> Image.Image:
    """A stored file as the source showed it (EXIF rotation applied, fully loaded)."""
    return open_image_file(path)


def make_thumbnail(image: Image.Image, path: str, size: int = THUMB_SIZE) -> None:
    """A WebP thumbnail (long side ``size``) of the current frame; 16-bit images are scaled to 8 bits.
    An image Pillow cannot render gets a grey placeholder (the item itself stays usable)."""
    try:
        _render_thumbnail(image, path, size)
    except (OSError, ValueError) as err:
        logger.warning("thumbnail of a %s image failed (%s): placeholder used", image.mode, err)
        Image.new("RGB", (size, size), (128, 128, 128)).save(path, format="WEBP", quality=80)


def _render_thumbnail(image: Image.Image, path: str, size: int) -> None:
    im = load_image(image, mode="RGBA" if has_alpha(image) else "RGB", force_background=None)  # 16 bit: to_8bit
    im = im.copy()
    im.thumbnail((size, size))
    im.save(path, format="WEBP", quality=80)


class ItemStore:
    """All records of one workspace, by id. Thread-safe for adding; records are never removed."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self._records: dict[str, ItemRecord] = {}
        self._lock = threading.Lock()
        self._counter = 0

    def __contains__(self, item_id: str) -> bool:
        return item_id in self._records

    def __len__(self) -> int:
        return len(self._records)

    def get(self, item_id: str) -> ItemRecord:
        try:
            return self._records[item_id]
        except KeyError:
            raise KeyError(f"unknown item id {item_id!r}") from None

    def records(self, ids: Iterable[str] | None = None) -> list[ItemRecord]:
        if ids is None:
            return list(self._records.values())
        return [self._records[i] for i in ids]

    @property
    def counter(self) -> int:
        """How many input ids were handed out (the next is ``in{counter + 1:05d}``)."""
        return self._counter

    def snapshot(self) -> list[ItemRecord]:
        """Every record, in the order they were added (for the session's state file)."""
        with self._lock:
            return list(self._records.values())

    def restore(self, records: Iterable[ItemRecord], counter: int) -> None:
        """Replace all records (a session reopened from its state file, or re-keyed by a project file)."""
        with self._lock:
            self._records = {r.id: r for r in records}
            self._counter = int(counter)

    def next_input_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"in{self._counter:05d}"

    def add_input(self, image: Image.Image, meta: dict[str, Any], source_file: str | None = None) -> ItemRecord:
        """Store an ingested image: a copy of ``source_file`` when given (keeps format and frames), else the image
        saved losslessly; plus its thumbnail. ``source_file`` must be the file the source itself read (its
        ``ImageItem.source_file``), never a path from meta: a sidecar's ``path`` is a visitor's text."""
        item_id = self.next_input_id()
        if source_file and os.path.isfile(source_file) and self.workspace.contains(source_file):
            dest = os.path.realpath(source_file)  # already a private copy (an unpacked upload)
        elif source_file and os.path.isfile(source_file):
            ext = os.path.splitext(source_file)[1].lower()[:10] or ".bin"
            dest = self.workspace.path("inputs", item_id + ext)
            with open(source_file, "rb") as src, open(dest, "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        else:
            dest = self._save_image(image, "inputs", item_id)
        record = self._record(item_id, image, dest, meta, None, "input")
        return record

    def add_derived(self, item_id: str, image: Image.Image | None, meta: dict[str, Any], parent_id: str | None,
                    origin: str, content_hash: str | None = None, share_file_of: str | None = None
                    ) -> ItemRecord:
        """Store an image a step made (or reuse ``share_file_of``'s file and thumb when the pixels are the same)."""
        if item_id in self._records:
            return self._records[item_id]
        if share_file_of is not None:
            base = self.get(share_file_of)
            record = ItemRecord(item_id, base.file, base.thumb, base.width, base.height, base.mode, base.content_hash,
                                copy.deepcopy(meta), parent_id, origin, base.file_bytes, base.n_frames)
            with self._lock:
                self._records[item_id] = record
            return record
        if image is None:
            raise InvalidArgumentError(f"derived item {item_id} has no image",
                                       "give its image or the item whose file it shares")
        dest = self._save_image(image, "derived", item_id)
        return self._record(item_id, image, dest, meta, parent_id, origin, content_hash)

    def _save_image(self, image: Image.Image, kind: str, item_id: str) -> str:
        if image.mode in _PNG_MODES:
            dest = self.workspace.path(kind, item_id + ".png")
            image.save(dest, format="PNG", compress_level=1)
        else:
            dest = self.workspace.path(kind, item_id + ".tiff")
            image.save(dest, format="TIFF")
        return dest

    def _record(self, item_id: str, image: Image.Image, file: str, meta: dict[str, Any], parent_id: str | None,
                origin: str, content_hash: str | None = None) -> ItemRecord:
        # served by URL: a random part, so one thumbnail's URL tells nothing about any other file's
        thumb = self.workspace.path("thumbs", f"{item_id}_{secrets.token_urlsafe(12)}.webp")
        make_thumbnail(image, thumb)
        record = ItemRecord(item_id, file, thumb, image.width, image.height, image.mode,
                            content_hash or image_hash(image), copy.deepcopy(meta), parent_id, origin,
                            os.path.getsize(file), getattr(image, "n_frames", 1) or 1)
        with self._lock:
            self._records[item_id] = record
        return record

    def item(self, item_id: str, meta: dict[str, Any] | None = None) -> ImageItem:
        """A lazy ImageItem of the record (pixels read on first use) with ``meta['item_id']`` set."""
        rec = self.get(item_id)
        m = copy.deepcopy(meta if meta is not None else rec.meta)
        m["item_id"] = item_id
        derived = rec.origin != "input"
        path = rec.file

        def loader() -> Image.Image:
            im = open_file(path)
            if derived:
                im.format = None  # as if made in memory: exporters pick the format from the file name
            return im

        return ImageItem(meta=m, loader=loader, content_hash=rec.content_hash)
