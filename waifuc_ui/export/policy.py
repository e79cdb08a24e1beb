"""How one image leaves: its original bytes, or encoded in a format that holds it.

* **Original bytes.** An image no step changed is written as the file it was read from, byte for byte, when the
  output format is that file's format. "No step changed it" means the item still holds the decoded image of that
  file: PIL's ``filename`` and ``format`` are set (a new image from ``crop``, ``convert``, ``copy`` ... has
  neither), its size and mode are the file's, the file has no EXIF rotation and one frame. Every built-in action
  returns a new image when it changes pixels; an action that draws into ``item.image`` in place should do the same.
  Save options (``quality`` ...) do not apply to a copied file; ``keep_original=False`` re-encodes everything.
* **Format.** ``save_kwargs['format']`` when given (always respected); else the name's extension; else the image's
  own format; else PNG (see :func:`~waifuc_ui.export.imagefile.resolve_format`). Then, unless the format was given:
  a format that cannot hold the image (real transparency into JPEG or BMP, 16-bit or float pixels into an 8-bit
  format) becomes PNG; with ``trainer_formats`` a format trainers skip (anything but JPEG, PNG, WebP, BMP: GIF,
  TIFF, ...) becomes PNG. The name's extension follows the format (``x.gif`` -> ``x.png``).
* **Animations.** With ``trainer_formats`` an animated image is written as its first frame, PNG (trainers read one
  frame; FrameSplitAction makes one item per frame when every frame is wanted); without it the frames are kept
  where the format holds them.
* **Quality.** A JPEG or WebP that is encoded (not copied) gets ``quality`` (95 by default) unless ``save_cfg`` or
  ``save_params`` give one.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from ..core.files import atomic_write
from ..core.imaging import HIGH_DEPTH_MODES, min_alpha
from .imagefile import resolve_format, save_image

TRAINER_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "BMP"})
_NO_ALPHA = frozenset({"JPEG", "BMP"})
_HOLDS_HIGH_DEPTH = frozenset({"PNG", "TIFF"})
_LOSSY = frozenset({"JPEG", "WEBP"})
_ORIENTATION = 0x0112
DEFAULT_QUALITY = 95


@dataclass
class ImagePlan:
    """``name``: the relative output name (final extension); ``fmt``: PIL format; ``source``: copy this file's
    bytes when set; ``still``: an animated image written as its first frame; ``kwargs``: save options."""

    name: str
    fmt: str
    source: str | None = None
    still: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)


def original_file(image: Image.Image) -> str | None:
    """The file ``image`` is still the unchanged decoding of (see the module doc), else None."""
    path = getattr(image, "filename", None)
    if not isinstance(path, str) or not path or not image.format or getattr(image, "n_frames", 1) > 1:
        return None
    try:
        with Image.open(path) as probe:
            if (probe.format, probe.size, probe.mode) != (image.format, image.size, image.mode):
                return None
            if getattr(probe, "n_frames", 1) > 1 or probe.getexif().get(_ORIENTATION, 1) not in (0, 1):
                return None
    except Exception:  # gone, unreadable: encode from the pixels instead
        return None
    return path


def has_transparency(image: Image.Image) -> bool:
    """True when some pixel is not fully opaque (a colour-key ``transparency`` counts)."""
    if "transparency" in image.info:
        return True
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return min_alpha(image) < 255
    return False


def plan_image(image: Image.Image, name: str, save_kwargs: dict[str, Any], *, trainer_formats: bool,
               quality: int = DEFAULT_QUALITY, keep_original: bool = True) -> ImagePlan:
    """Decide format, final name and whether the original bytes go out (see the module doc)."""
    kwargs = dict(save_kwargs)
    explicit = kwargs.pop("format", None)
    fmt, name = resolve_format(name, image, explicit)
    animated = getattr(image, "n_frames", 1) > 1
    still = animated and trainer_formats
    if not explicit:
        if (still or (trainer_formats and fmt not in TRAINER_FORMATS)
                or (fmt in _NO_ALPHA and has_transparency(image))
                or (image.mode in HIGH_DEPTH_MODES and fmt not in _HOLDS_HIGH_DEPTH)):
            fmt, name = "PNG", os.path.splitext(name)[0] + ".png"
    plan = ImagePlan(name, fmt, still=still, kwargs=kwargs)
    if keep_original and not animated:
        source = original_file(image)
        if source is not None and image.format == fmt:
            plan.source = source
            return plan
    if fmt in _LOSSY and "quality" not in kwargs:
        plan.kwargs["quality"] = quality
    return plan


def write_planned(image: Image.Image, plan: ImagePlan, path: str) -> str:
    """Write ``image`` to ``path`` as ``plan`` says; returns the path written."""
    if plan.source is not None:
        def copy(f):
            with open(plan.source, "rb") as src:
                shutil.copyfileobj(src, f, 1 << 20)
        atomic_write(path, copy)
        return path
    if plan.still:
        image.seek(0)
        image = image.copy()
    return save_image(image, path, format=plan.fmt, **plan.kwargs)
