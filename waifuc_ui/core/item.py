"""ImageItem: an image plus its metadata, the unit that flows through a pipeline."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, TypedDict, cast

from PIL import Image

from .errors import InvalidArgumentError


class CropInfo(TypedDict, total=False):
    type: str  # 'person', 'halfbody', 'head', 'eye'
    score: float


class ItemMeta(TypedDict, total=False):
    """The metadata keys waifuc_ui and waifuc scripts use. Any other key is allowed too.

    filename:  output name for exporters, may contain sub-folders ('a/b.png').
    tags:      tag -> score; site tags are 1.0, tagger tags are probabilities.
    url:       where the image was downloaded from.
    group_id:  '{site}_{id}' for web sources, the sanitised folder for local ones.
    path:      the file an item was read from (local sources).
    crop:      set by split actions.
    save_cfg:  keyword arguments for PIL's save (e.g. quality).
    ccip_feature: a cached CCIP feature vector (list of floats).
    frame_id:  index of a frame split from an animated image.
    item_id:   a stable identity the interactive session assigns.
    """

    filename: str
    tags: dict[str, float]
    url: str
    group_id: str | None
    path: str
    crop: CropInfo
    save_cfg: dict[str, Any]
    ccip_feature: Any
    frame_id: int
    item_id: str


class ImageItem:
    """``image`` (PIL) + ``meta`` (dict of :class:`ItemMeta` keys).

    The image may be given lazily with ``loader`` (a callable returning it), so a session can
    pass items through cached steps without decoding pixels. ``content_hash`` caches the
    pixel hash of the current image (see ``waifuc_ui.analysis``); replacing the image clears it.

    ``source_file`` is the file whose bytes are exactly this image, set only by the source that
    read it (never taken from ``meta['path']``, which may come from an untrusted sidecar and is
    inert text). ``with_meta`` keeps it; a new image (``with_image``, assigning ``image``) clears it.
    """

    def __init__(self, image: Image.Image | None = None, meta: ItemMeta | dict[str, Any] | None = None, *,
                 loader: Callable[[], Image.Image] | None = None, content_hash: str | None = None,
                 source_file: str | None = None):
        if image is None and loader is None:
            raise InvalidArgumentError("ImageItem needs an image or a loader",
                                       "pass a PIL image, or loader= a function returning one")
        self._image = image
        self._loader = loader
        self.meta: ItemMeta = cast(ItemMeta, meta if meta is not None else {})
        self.content_hash = content_hash
        self.source_file = source_file

    @property
    def image(self) -> Image.Image:
        if self._image is None:
            self._image = self._loader()  # type: ignore[misc]
        return self._image

    @image.setter
    def image(self, value: Image.Image) -> None:
        self._image, self._loader, self.content_hash, self.source_file = value, None, None, None

    @property
    def is_loaded(self) -> bool:
        return self._image is not None

    @property
    def filename(self) -> str | None:
        return self.meta.get("filename")

    @property
    def tags(self) -> dict[str, float]:
        return self.meta.get("tags") or {}

    def with_image(self, image: Image.Image, **meta_updates: Any) -> ImageItem:
        """A new item with another image and a deep copy of this meta, updated."""
        meta = copy.deepcopy(dict(self.meta))
        meta.update(meta_updates)
        return ImageItem(image, meta)

    def with_meta(self, **meta_updates: Any) -> ImageItem:
        """A new item sharing this image (and its hash) with an updated copy of the meta."""
        meta = copy.deepcopy(dict(self.meta))
        meta.update(meta_updates)
        return ImageItem(self._image, meta, loader=self._loader,
                         content_hash=self.content_hash, source_file=self.source_file)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ImageItem) and self.image == other.image and self.meta == other.meta

    def __repr__(self) -> str:
        if not self.is_loaded:
            return f"<ImageItem {self.filename!r} (not loaded)>"
        im = self.image
        return f"<ImageItem {self.filename!r} {im.mode} {im.width}x{im.height}>"
