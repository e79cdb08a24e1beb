"""Make any PIL image something the models can take, or say why not."""

from __future__ import annotations

from PIL import Image

from ..core.errors import UnusableImageError
from ..core.imaging import HIGH_DEPTH_MODES, to_8bit

#: modes the model runtime handles itself (alpha on white, then RGB, as imgutils)
NATIVE_MODES = frozenset({"1", "L", "LA", "P", "PA", "RGB", "RGBA"})


def model_ready_image(image: Image.Image) -> Image.Image:
    """``image`` itself when its mode is a usual one; otherwise a converted copy.

    16-bit and 32-bit greyscale (``I;16*``, ``I``, ``F``) become 8-bit ``L`` by
    :func:`waifuc_ui.core.imaging.to_8bit`; other modes (CMYK, YCbCr, LAB, ...) become RGB.
    Raises ValueError, with the reason, for an empty image or a mode that cannot be converted.
    """
    if image.width < 1 or image.height < 1:
        raise UnusableImageError(f"empty image ({image.width}x{image.height} pixels)", "replace the file")
    if image.mode in NATIVE_MODES:
        return image
    if image.mode in HIGH_DEPTH_MODES:
        return to_8bit(image)
    try:
        return image.convert("RGB")
    except (ValueError, OSError) as e:
        raise UnusableImageError(f"image mode {image.mode!r} cannot be converted to RGB: {e}",
                                 "save it as RGB (PNG or JPEG)") from e
