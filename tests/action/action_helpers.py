"""Test helpers for actions: a list source and deterministic textured images."""

import numpy as np
from PIL import Image

from waifuc_ui.model import ImageItem
from waifuc_ui.source.base import BaseDataSource


class ListSource(BaseDataSource):
    """Yields fresh items over the given images and metas (so a chain can run twice)."""

    def __init__(self, items):
        self.items = list(items)

    def _iter(self):
        for item in self.items:
            yield ImageItem(item.image, dict(item.meta))


def noise_image(seed, size=(64, 48), mode="RGB"):
    """A deterministic textured image (random 8x6 blocks, smoothly resized)."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(6, 8, 3), dtype=np.uint8)
    return Image.fromarray(small).resize(size, Image.Resampling.BILINEAR).convert(mode)
