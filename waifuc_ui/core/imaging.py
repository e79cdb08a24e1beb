"""Shared image helpers with the reference library's semantics."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageColor

Color = str | tuple[int, ...]


def has_alpha(image: Image.Image) -> bool:
    """True for RGBA/LA/PA images and for images with a ``transparency`` entry (P, L, RGB)."""
    return image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info


def min_alpha(image: Image.Image) -> int:
    """The lowest alpha value of an image with an ``A`` band (255: every pixel is opaque)."""
    low, _high = image.getchannel("A").getextrema()
    return int(low)  # type: ignore[arg-type]  # an 8-bit band's extrema are two ints


HIGH_DEPTH_MODES = ("I;16", "I;16B", "I;16L", "I;16N", "I", "F")


def to_8bit(image: Image.Image) -> Image.Image:
    """A 16-bit, 32-bit or float greyscale image as mode L, scaled (not clipped) to 0..255: the one 16-to-8-bit
    rule of the package (thumbnails, model inputs, exports, pixel hashes).

    I;16 keeps its high byte (``>> 8``), as Pillow's own decoder does for 16-bit RGB files, so a 16-bit grey
    image and its RGB twin agree; an 8-bit image widened to 16 bits (``v * 257``) comes back exactly. I likewise
    when it holds values above 255 (else it is already 8-bit); F in 0..1 is multiplied by 255 and rounded.
    """
    arr: np.ndarray
    if image.mode.startswith("I;16"):
        arr = np.asarray(image).astype(np.uint32) >> 8
    elif image.mode == "I":
        arr = np.clip(np.asarray(image), 0, 65535)
        arr = arr >> 8 if arr.max(initial=0) > 255 else arr
    elif image.mode == "F":
        floats = np.asarray(image, dtype=np.float64)
        floats = floats * 255.0 if floats.max(initial=0.0) <= 1.0 else floats
        arr = np.clip(np.rint(floats), 0, 255)
    else:
        return image.convert("L")
    return Image.fromarray(arr.astype(np.uint8))


def load_image(image: Image.Image, mode: str | None = "RGB",
               force_background: Color | None = "white") -> Image.Image:
    """imgutils' ``load_image`` for a PIL image: composite alpha over ``force_background``
    (RGB = bg*(1-a) + img*a), then convert to ``mode``. Only the current frame is used.

    Deviation: 16-bit, 32-bit and float greyscale images are first scaled to 8 bits; the reference's
    plain ``convert`` clips them, which turns a 16-bit image white."""
    if image.mode in HIGH_DEPTH_MODES and mode not in (None, image.mode):
        image = to_8bit(image)
    if force_background is not None and has_alpha(image):
        rgba = image.convert("RGBA")
        bg = Image.new("RGBA", rgba.size, ImageColor.getrgb(force_background) if isinstance(force_background, str)
                       else tuple(force_background))
        bg.alpha_composite(rgba)  # alpha composite over an opaque background == paste with alpha mask
        image = bg
    if mode is not None and image.mode != mode:
        image = image.convert(mode)
    return image
