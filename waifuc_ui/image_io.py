"""Safe image reading: every bad file becomes a :class:`BadImageError` with a short reason.

``open_image_file`` and ``open_image_bytes`` return a fully decoded PIL image:

* the pixel limit is checked on the size read from the header, *before* any decoding;
  the default, :data:`DEFAULT_MAX_PIXELS` = 178,956,970 (about 13,377 x 13,377), is the
  size at which Pillow itself refuses an image with its default settings, so a default
  call never meets a Pillow refusal first. Pillow's global ``Image.MAX_IMAGE_PIXELS`` is
  never changed;
* truncated or corrupt data is an error, never a half image (all frames are decoded once);
* the EXIF orientation is applied (single-frame images; the image keeps its ``format``);
* the mode is kept as stored (16-bit ``I;16``, ``CMYK``, ``P`` with transparency, ...) and
  animated images keep their frames: ``n_frames`` and ``seek`` work on the result.

A source catches :class:`BadImageError`, records ``err.reason`` with ``report_skip`` and goes on.
"""

from __future__ import annotations

import io
import os
import re
from typing import Optional, Union

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import WaifucUIError

#: Default pixel limit per frame (Pillow's own decompression-bomb error threshold, 2 x 89,478,485).
DEFAULT_MAX_PIXELS = 178_956_970
#: Default limit on the number of frames of an animated image.
DEFAULT_MAX_FRAMES = 10_000

PathLike = Union[str, "os.PathLike[str]"]


class BadImageError(WaifucUIError):
    """A file or byte string that cannot be used as an image; ``reason`` says why in a few words."""

    def __init__(self, name: str, reason: str):
        self.name, self.reason = name, reason
        super().__init__(f"{name}: {reason}" if name else reason)


def open_image_file(path: PathLike, max_pixels: Optional[int] = DEFAULT_MAX_PIXELS,
                    max_frames: int = DEFAULT_MAX_FRAMES) -> Image.Image:
    """Open and fully decode the image at ``path`` (see the module doc); raise BadImageError."""
    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
    except OSError as err:
        raise BadImageError(name, f"cannot read file: {err.strerror or err}") from err
    if os.path.isdir(name):
        raise BadImageError(name, "is a folder, not a file")
    if size == 0:
        raise BadImageError(name, "zero-byte file")
    try:
        image = Image.open(name)
    except UnidentifiedImageError as err:
        raise BadImageError(name, "not an image (unrecognised format)") from err
    except OSError as err:
        if err.errno is not None:  # the file system refused, not the decoder
            raise BadImageError(name, f"cannot read file: {err.strerror or err}") from err
        raise BadImageError(name, _reason_from(err)) from err
    except Exception as err:  # Pillow raises many types on malformed headers
        raise BadImageError(name, _reason_from(err)) from err
    if _frame_count(image, name) > 1:
        # keep animated images in memory so seeking later needs no open file handle
        image.close()
        with open(name, "rb") as f:
            return open_image_bytes(f.read(), name, max_pixels, max_frames)
    return _finish(image, name, max_pixels, max_frames)


def open_image_bytes(data: bytes, name: str = "", max_pixels: Optional[int] = DEFAULT_MAX_PIXELS,
                     max_frames: int = DEFAULT_MAX_FRAMES) -> Image.Image:
    """Like :func:`open_image_file` for bytes in memory; ``name`` only labels errors."""
    if not data:
        raise BadImageError(name, "zero-byte file")
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as err:
        raise BadImageError(name, "not an image (unrecognised format)") from err
    except Exception as err:
        raise BadImageError(name, _reason_from(err)) from err
    return _finish(image, name, max_pixels, max_frames)


def _frame_count(image: Image.Image, name: str) -> int:
    try:
        return int(getattr(image, "n_frames", 1))
    except Exception as err:  # counting frames reads the whole file for GIF
        raise BadImageError(name, _reason_from(err)) from err


def _finish(image: Image.Image, name: str, max_pixels: Optional[int], max_frames: int) -> Image.Image:
    """Check limits from the header, decode every frame, apply EXIF orientation."""
    width, height = image.size
    if width <= 0 or height <= 0:
        image.close()
        raise BadImageError(name, f"invalid image size {width}x{height}")
    if max_pixels is not None and width * height > max_pixels:
        image.close()
        raise BadImageError(name, f"image of {width * height} pixels exceeds the limit of {max_pixels} pixels")
    n_frames = _frame_count(image, name)
    if n_frames > max_frames:
        image.close()
        raise BadImageError(name, f"animated image of {n_frames} frames exceeds the limit of {max_frames} frames")
    try:
        for index in range(1, n_frames):  # decode the later frames once, to refuse truncated ones
            image.seek(index)
            if max_pixels is not None and image.width * image.height > max_pixels:
                raise BadImageError(name, f"frame {index} of {image.width * image.height} pixels exceeds "
                                          f"the limit of {max_pixels} pixels")
            image.load()
        if n_frames > 1:
            image.seek(0)
        image.load()
    except BadImageError:
        image.close()
        raise
    except Exception as err:
        image.close()
        raise BadImageError(name, _reason_from(err)) from err
    if n_frames == 1:
        try:
            ImageOps.exif_transpose(image, in_place=True)
        except Exception:  # a broken EXIF block is not worth refusing the pixels for
            pass
    return image


def _reason_from(err: Exception) -> str:
    """A short human reason for a Pillow decoding error."""
    if isinstance(err, Image.DecompressionBombError):
        found = re.search(r"\((\d+) pixels\) exceeds limit of (\d+)", str(err))
        if found:
            return f"image of {found.group(1)} pixels exceeds the limit of {found.group(2)} pixels"
        return f"image too large (decompression bomb): {err}"
    text = str(err)
    if "truncated" in text.lower():
        return "truncated image data"
    if isinstance(err, (OSError, SyntaxError, ValueError, EOFError)):
        return f"corrupt image data: {text or type(err).__name__}"
    return f"cannot decode image: {type(err).__name__}: {text}"
