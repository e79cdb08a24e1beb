"""Make any PIL image something the models can take, or say why not."""

from __future__ import annotations

import numpy as np
from PIL import Image

#: modes the model runtime handles itself (alpha on white, then RGB, as imgutils)
NATIVE_MODES = frozenset({"1", "L", "LA", "P", "PA", "RGB", "RGBA"})


def model_ready_image(image: Image.Image) -> Image.Image:
    """``image`` itself when its mode is a usual one; otherwise a converted copy.

    16-bit and 32-bit greyscale (``I;16*``, ``I``, ``F``) become 8-bit ``L`` (values above 255
    are taken as 16-bit and divided by 257); other modes (CMYK, YCbCr, LAB, ...) become RGB.
    Raises ValueError, with the reason, for an empty image or a mode that cannot be converted.
    """
    if image.width < 1 or image.height < 1:
        raise ValueError(f"empty image ({image.width}x{image.height} pixels)")
    if image.mode in NATIVE_MODES:
        return image
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        values = np.asarray(image, dtype=np.float64)
        if image.mode.startswith("I;16") or (values.size and values.max() > 255):
            values = values / 257.0
        return Image.fromarray(np.clip(np.rint(values), 0, 255).astype(np.uint8), "L")
    try:
        return image.convert("RGB")
    except (ValueError, OSError) as e:
        raise ValueError(f"image mode {image.mode!r} cannot be converted to RGB: {e}") from e
