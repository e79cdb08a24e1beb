"""Writing one image file: the format from the name, a mode the format can hold, frames kept.

* Format: ``save_kwargs['format']``, else the filename extension, else the image's own format,
  else PNG. (waifuc put the image's own format before the extension, so a JPEG renamed to
  ``.png`` by FileExtAction was written as JPEG bytes under a ``.png`` name.) A name without a
  known extension gets the format's extension appended.
* Mode: converted only when the format cannot hold it: alpha is composited on white for
  JPEG/BMP, 16-bit and float images are scaled to 8 bits (not clipped), CMYK becomes RGB for
  PNG/GIF/BMP/WebP, palette images become RGB(A) for JPEG/WebP.
* Animated images are saved with ``save_all=True`` when the format holds frames (Pillow
  converts the frames); otherwise, or if that fails, their first frame is saved.
* The file is written next to its destination and moved into place, so a failed write never
  leaves a half file.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
from PIL import Image

from ..core.errors import InvalidOptionError
from ..core.files import atomic_write
from ..core.imaging import HIGH_DEPTH_MODES, has_alpha, load_image, to_8bit

#: Modes each format writes as they are.
FORMAT_MODES = {
    "JPEG": {"1", "L", "RGB", "CMYK"},
    "PNG": {"1", "L", "LA", "P", "RGB", "RGBA", "I;16"},
    "WEBP": {"RGB", "RGBA"},
    "GIF": {"1", "L", "P", "RGB", "RGBA"},
    "BMP": {"1", "L", "P", "RGB", "RGBA"},
    "TIFF": {"1", "L", "LA", "P", "RGB", "RGBA", "CMYK", "I;16", "I", "F"},
}
ALPHA_FORMATS = {"PNG", "WEBP", "GIF", "TIFF"}
MULTI_FRAME_FORMATS = {"GIF", "WEBP", "PNG", "TIFF"}
_PREFERRED_EXT = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif", "BMP": ".bmp", "TIFF": ".tiff"}


def writable_formats() -> tuple[str, ...]:
    """The formats Pillow can write here (``JPEG``, ``PNG``, ``WEBP``, ...)."""
    Image.init()
    return tuple(sorted(Image.SAVE))


def format_of_ext(ext: str) -> str | None:
    """PIL's format name for an extension Pillow can write (``.jpg`` -> ``JPEG``), else None."""
    fmt = Image.registered_extensions().get(ext.lower()) if ext else None
    return fmt if fmt in Image.SAVE else None


def ext_of_format(fmt: str) -> str:
    for ext, name in Image.registered_extensions().items():
        if name == fmt:
            return _PREFERRED_EXT.get(fmt, ext)
    return "." + fmt.lower()


def resolve_format(filename: str, image: Image.Image, explicit: str | None = None) -> tuple[str, str]:
    """(format, filename): see the module doc. The filename gains an extension only when it has no
    writable one (``x.psd`` -> ``x.psd.png``); a format Pillow cannot write falls back to PNG."""
    ext_format = format_of_ext(os.path.splitext(filename)[1])
    if explicit:
        fmt = "JPEG" if explicit.upper() == "JPG" else explicit.upper()
        if fmt not in writable_formats():
            raise InvalidOptionError("format", explicit, writable_formats(),
                                     "Give a format Pillow can write, e.g. 'PNG', 'JPEG' or 'WEBP'")
    else:
        own = image.format if image.format in Image.SAVE else None
        fmt = ext_format or own or "PNG"
    if ext_format is None and not explicit:
        filename += ext_of_format(fmt)
    return fmt, filename


def prepare_for_format(image: Image.Image, fmt: str) -> Image.Image:
    """``image`` itself when ``fmt`` holds its mode, else a converted copy (see the module doc)."""
    holds = FORMAT_MODES.get(fmt)
    if holds is None or image.mode in holds:
        return image
    if image.mode in HIGH_DEPTH_MODES:
        if "I;16" in holds:
            arr = np.asarray(image)
            if image.mode == "F" and arr.max(initial=0.0) <= 1.0:
                arr = arr * 65535.0
            return Image.fromarray(np.clip(arr, 0, 65535).astype(np.uint16))
        image = to_8bit(image)
        return image if image.mode in holds else image.convert("RGB")
    if has_alpha(image):
        if fmt in ALPHA_FORMATS and "RGBA" in holds:
            return image.convert("RGBA")
        grey = image.mode in ("LA", "La") and "L" in holds
        return load_image(image, mode="L" if grey else "RGB", force_background="white")
    return image.convert("RGB")


def save_image(image: Image.Image, path: str, **save_kwargs: Any) -> str:
    """Write ``image`` to ``path`` (see the module doc) and return the path actually written."""
    kwargs: dict[str, Any] = dict(save_kwargs)
    fmt, path = resolve_format(path, image, kwargs.pop("format", None))
    if getattr(image, "n_frames", 1) > 1 and fmt in MULTI_FRAME_FORMATS:
        try:
            atomic_write(path, lambda f: image.save(f, format=fmt, **{"save_all": True, **kwargs}))
            return path
        except (OSError, ValueError):  # frames the format cannot take: fall back to the first frame
            pass
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    still = prepare_for_format(image, fmt)
    atomic_write(path, lambda f: still.save(f, format=fmt, **kwargs))
    return path
