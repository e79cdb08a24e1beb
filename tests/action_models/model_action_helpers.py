"""Helpers for model-backed action tests: a counting list source and solid-colour items."""

from PIL import Image

from waifuc_ui.model import ImageItem
from waifuc_ui.source.base import BaseDataSource

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)
LIGHT, DARK = (200, 200, 200), (20, 20, 20)


class CountingSource(BaseDataSource):
    """Yields fresh items over (image, meta) pairs and counts how many were pulled."""

    def __init__(self, items):
        self.items = list(items)
        self.pulled = 0

    def _iter(self):
        for image, meta in self.items:
            self.pulled += 1
            yield ImageItem(image, dict(meta))


def solid(colour, size=(64, 48), mode="RGB"):
    return Image.new(mode, size, colour)


def items_of(*colours, size=(64, 48)):
    """(image, meta) pairs named c0.png, c1.png, ... in order."""
    return [(solid(c, size), {"filename": f"c{i}.png"}) for i, c in enumerate(colours)]


def names(items):
    return [it.meta.get("filename") for it in items]
