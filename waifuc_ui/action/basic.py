"""ModeConvertAction: flatten transparency and convert the colour mode (waifuc's first step)."""

from __future__ import annotations

from PIL import Image

from ..core.imaging import Color, load_image
from ..core.item import ImageItem
from .base import ProcessAction


def first_frame(image: Image.Image) -> Image.Image:
    """The first frame of an animated image as a plain one-frame image; other images unchanged."""
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
        return image.copy()
    return image


class ModeConvertAction(ProcessAction):
    """Composite alpha over ``force_background`` (when the image has any), then convert to ``mode``.

    Same as waifuc (imgutils' ``load_image``). Animated images become their first frame, always
    (waifuc kept whichever frame the image was left at, and could keep the animation when no
    conversion was needed). ``force_background=None`` keeps the alpha channel as it is.
    """

    per_item = True

    def __init__(self, mode: str = "RGB", force_background: Color | None = "white"):
        self.mode = mode
        self.force_background = force_background

    def process(self, item: ImageItem) -> ImageItem:
        image = load_image(first_frame(item.image), mode=self.mode, force_background=self.force_background)
        return item.with_image(image)

    def __repr__(self) -> str:
        return f"ModeConvertAction(mode={self.mode!r}, force_background={self.force_background!r})"
