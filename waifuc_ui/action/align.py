"""Resize and pad actions (waifuc/action/align.py), with exact integer sizes.

waifuc divides by a float ratio and truncates, so a side meant to be 800 px often comes out
799 (e.g. 1013x500 with max_size=800). Here the aligned side is exactly the target and the other
side is computed with integer arithmetic: ``other * target // side``, at least 1 px. Resampling
is PIL's default for ``resize`` (bicubic; nearest for P and 1 images), as in waifuc.
"""

from __future__ import annotations

from math import isqrt

from PIL import Image, ImageColor

from ..core.errors import InvalidArgumentError
from ..core.imaging import Color, load_image
from ..core.item import ImageItem
from .base import ProcessAction


def _scaled(width: int, height: int, side: int, target: int) -> tuple[int, int]:
    """(width, height) scaled so that ``side`` (one of them) becomes ``target`` exactly."""
    if side == width:
        return target, max(1, height * target // width)
    return max(1, width * target // height), target


def max_size_shape(width: int, height: int, max_size: int) -> tuple[int, int]:
    """The size AlignMaxSizeAction gives: long side shrunk to ``max_size`` if longer."""
    long_side = max(width, height)
    return _scaled(width, height, long_side, max_size) if long_side > max_size else (width, height)


def min_size_shape(width: int, height: int, min_size: int) -> tuple[int, int]:
    """The size AlignMinSizeAction gives: short side shrunk to ``min_size`` if longer (never grows)."""
    short_side = min(width, height)
    return _scaled(width, height, short_side, min_size) if short_side > min_size else (width, height)


def _ceil_side(side: int, other: int, size: int) -> int:
    """ceil(side / r) with r = sqrt(side*other)/size, i.e. the least c with c*c*other >= side*size*size."""
    need = side * size * size
    c = max(1, isqrt(need // other))
    while c * c * other < need:
        c += 1
    while c > 1 and (c - 1) * (c - 1) * other >= need:
        c -= 1
    return c


def max_area_shape(width: int, height: int, size: int) -> tuple[int, int]:
    """The size AlignMaxAreaAction gives: if w*h > size**2, both sides divided by sqrt(w*h)/size, rounded up."""
    if width * height <= size * size:
        return width, height
    return _ceil_side(width, height, size), _ceil_side(height, width, size)


def fit_shape(width: int, height: int, box_width: int, box_height: int) -> tuple[int, int]:
    """The largest size with the image's aspect ratio inside the box (may grow the image)."""
    if box_width * height <= box_height * width:  # width is the limit
        return box_width, max(1, height * box_width // width)
    return max(1, width * box_height // height), box_height


def _check_size(name: str, value: int | float) -> int:
    """A positive whole number of pixels; whole floats such as 800.0 (from a UI) are accepted."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise InvalidArgumentError(f"{name} must be a positive whole number of pixels, got {value!r}",
                                   "give a size such as 512 or 1024")
    return value


class _ResizeAction(ProcessAction):
    def _shape(self, width: int, height: int) -> tuple[int, int]:
        raise NotImplementedError

    def process(self, item: ImageItem) -> ImageItem:
        image = item.image
        shape = self._shape(image.width, image.height)
        if shape == image.size:
            return item
        return item.with_image(image.resize(shape))


class AlignMaxSizeAction(_ResizeAction):
    """If the long side exceeds ``max_size``, scale down so that it equals ``max_size`` exactly."""

    per_item = True

    def __init__(self, max_size: int):
        self.max_size = _check_size("max_size", max_size)

    def _shape(self, width: int, height: int) -> tuple[int, int]:
        return max_size_shape(width, height, self.max_size)

    def __repr__(self) -> str:
        return f"AlignMaxSizeAction({self.max_size})"


class AlignMinSizeAction(_ResizeAction):
    """If the *short* side exceeds ``min_size``, scale down so that it equals ``min_size``. Never upscales."""

    per_item = True

    def __init__(self, min_size: int):
        self.min_size = _check_size("min_size", min_size)

    def _shape(self, width: int, height: int) -> tuple[int, int]:
        return min_size_shape(width, height, self.min_size)

    def __repr__(self) -> str:
        return f"AlignMinSizeAction({self.min_size})"


class AlignMaxAreaAction(_ResizeAction):
    """If w*h > size**2, divide both sides by sqrt(w*h)/size, rounding up (waifuc's rule, exact)."""

    per_item = True

    def __init__(self, size: int):
        self.size = _check_size("size", size)

    def _shape(self, width: int, height: int) -> tuple[int, int]:
        return max_area_shape(width, height, self.size)

    def __repr__(self) -> str:
        return f"AlignMaxAreaAction({self.size})"


#: Modes a padded RGBA canvas converts back to faithfully; others become RGB or RGBA.
_RESTORABLE_MODES = ("RGB", "RGBA", "L", "LA", "CMYK")


def _rgba(color: Color) -> tuple[int, ...]:
    """A colour name as its RGBA tuple; a tuple as given."""
    if not isinstance(color, str):
        return tuple(color)
    rgba = ImageColor.getcolor(color, "RGBA")
    return rgba if isinstance(rgba, tuple) else (rgba,)  # getcolor gives an int only for one-band modes


class PaddingAlignAction(ProcessAction):
    """Fit the image inside ``size=(w, h)`` (this may upscale), centred on a ``color`` canvas.
    A single number means a square box.

    As in waifuc the image is pasted through its alpha channel and the result is converted back
    to the original mode. Fixes: the fitted side is exactly the box side (waifuc's float ratio
    could leave a 1 px stripe), and P/1/16-bit images come back as RGB (RGBA when the canvas
    colour is transparent) instead of a lossy re-palette or a failed conversion.
    """

    per_item = True

    def __init__(self, size: tuple[int, int], color: Color = "white"):
        width, height = (size, size) if isinstance(size, (int, float)) else size
        self.width, self.height = _check_size("width", width), _check_size("height", height)
        self.color = color
        self._rgba = _rgba(color)

    def process(self, item: ImageItem) -> ImageItem:
        original_mode = item.image.mode
        image = load_image(item.image, mode="RGBA", force_background=None)
        resized = image.resize(fit_shape(image.width, image.height, self.width, self.height))
        canvas = Image.new("RGBA", (self.width, self.height), self._rgba)
        left, top = (self.width - resized.width) // 2, (self.height - resized.height) // 2
        canvas.paste(resized, (left, top), resized)
        if original_mode in _RESTORABLE_MODES:
            result = canvas.convert(original_mode)
        else:
            opaque = len(self._rgba) < 4 or self._rgba[3] == 255
            result = canvas.convert("RGB") if opaque else canvas
        return item.with_image(result)

    def __repr__(self) -> str:
        return f"PaddingAlignAction(size=({self.width}, {self.height}), color={self.color!r})"
