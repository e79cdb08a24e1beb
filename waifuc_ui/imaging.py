"""Shared image helpers with the reference library's semantics."""

from __future__ import annotations

from typing import Optional, Tuple, Union

from PIL import Image, ImageColor

Color = Union[str, Tuple[int, ...]]


def has_alpha(image: Image.Image) -> bool:
    """True for RGBA/LA/PA images and for images with a ``transparency`` entry (P, L, RGB)."""
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def load_image(image: Image.Image, mode: Optional[str] = "RGB",
               force_background: Optional[Color] = "white") -> Image.Image:
    """imgutils' ``load_image`` for a PIL image: composite alpha over ``force_background``
    (RGB = bg*(1-a) + img*a), then convert to ``mode``. Only the current frame is used."""
    if force_background is not None and has_alpha(image):
        rgba = image.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, ImageColor.getrgb(force_background) if isinstance(force_background, str)
                       else tuple(force_background))
        bg.alpha_composite(rgba)  # alpha composite over an opaque background == paste with alpha mask
        image = bg
    if mode is not None and image.mode != mode:
        image = image.convert(mode)
    return image
