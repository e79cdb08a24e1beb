"""ImageItem: an image plus its metadata, the unit that flows through a pipeline."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Dict, Optional, TypedDict

from PIL import Image


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
    tags: Dict[str, float]
    url: str
    group_id: Optional[str]
    path: str
    crop: CropInfo
    save_cfg: Dict[str, Any]
    ccip_feature: Any
    frame_id: int
    item_id: str


@dataclass
class ImageItem:
    image: Image.Image
    meta: ItemMeta = field(default_factory=dict)  # type: ignore[assignment]

    @property
    def filename(self) -> Optional[str]:
        return self.meta.get("filename")

    @property
    def tags(self) -> Dict[str, float]:
        return self.meta.get("tags") or {}

    def with_image(self, image: Image.Image, **meta_updates: Any) -> "ImageItem":
        """A new item with another image and a copy of this meta, updated."""
        meta = copy.deepcopy(dict(self.meta))
        meta.update(meta_updates)
        return ImageItem(image, meta)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        im = self.image
        return f"<ImageItem {self.filename!r} {im.mode} {im.width}x{im.height}>"
