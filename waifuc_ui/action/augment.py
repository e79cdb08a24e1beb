"""MirrorAction: yield the image and its horizontal mirror."""

from __future__ import annotations

import os
from collections.abc import Iterator

from PIL import ImageOps

from ..core.item import ImageItem
from .base import BaseAction


class MirrorAction(BaseAction):
    """Yield the original as ``{body}_{names[0]}{ext}`` then the left-right flip as ``{body}_{names[1]}{ext}``.

    Unnamed items are yielded twice without a filename (the exporter numbers them), as in waifuc.
    """

    per_item = True

    def __init__(self, names: tuple[str, str] = ("origin", "mirror")):
        self.origin_name, self.mirror_name = names

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        mirrored = ImageOps.mirror(item.image)
        filename = item.meta.get("filename")
        if filename:
            body, ext = os.path.splitext(filename)
            yield item.with_meta(filename=f"{body}_{self.origin_name}{ext}")
            yield item.with_image(mirrored, filename=f"{body}_{self.mirror_name}{ext}")
        else:
            yield item.with_meta()
            yield item.with_image(mirrored)

    def __repr__(self) -> str:
        return f"MirrorAction(names=({self.origin_name!r}, {self.mirror_name!r}))"
