"""Safe image reading: every bad file becomes a :class:`BadImageError` with a short reason.

``open_image_file`` and ``open_image_bytes`` return a fully decoded PIL image:

* the pixel limit is checked on the size read from the header, *before* any decoding;
  the default, :data:`DEFAULT_MAX_PIXELS` = 178,956,970 (about 13,377 x 13,377), is the
  size at which Pillow itself refuses an image with its default settings, so a default
  call never meets a Pillow refusal first. Pillow's global ``Image.MAX_IMAGE_PIXELS`` is
  never changed;
* with ``reduce=True`` a JPEG over the pixel limit is decoded at 1/2, 1/4 or 1/8 scale (Pillow's
  ``draft``, so the full image is never in memory) instead of refused; the result's
  ``info["reduced_from"]`` holds the size in the file;
* the frame limit is checked while counting, so a 2,000-frame GIF is refused after ``max_frames``
  frames, not after reading them all;
* truncated or corrupt data is an error, never a half image (all frames are decoded once);
* the EXIF orientation is applied (single-frame images; the image keeps its ``format``);
* the mode is kept as stored (16-bit ``I;16``, ``CMYK``, ``P`` with transparency, ...) and
  animated images keep their frames: ``n_frames`` and ``seek`` work on the result.

A source catches :class:`BadImageError`, records ``err.reason`` with ``report_skip`` and goes on.

:class:`DecodeSlots` bounds how many large images are decoded at once; one object per app, passed down.
"""

from __future__ import annotations

import io
import math
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Union

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import BadImageError, InvalidArgumentError

#: Default pixel limit per frame (Pillow's own decompression-bomb error threshold, 2 x 89,478,485).
DEFAULT_MAX_PIXELS = 178_956_970
#: Default limit on the number of frames of an animated image.
DEFAULT_MAX_FRAMES = 10_000

#: Scales Pillow's JPEG decoder can reduce by while decoding.
_DRAFT_SCALES = (2, 4, 8)

PathLike = Union[str, "os.PathLike[str]"]


class DecodeSlots:
    """At most ``count`` decodes of images over ``heavy_pixels`` (width x height x frames) at once, so several
    visitors cannot stack large decodes. Owned by the app (the session registry) and passed down; never global."""

    def __init__(self, count: int = 2, heavy_pixels: int = 4_000_000):
        if count < 1:
            raise InvalidArgumentError(f"decode slots must be at least 1, got {count}", "give 1 or more (default 2)")
        self.count, self.heavy_pixels = count, heavy_pixels
        self._slots = threading.BoundedSemaphore(count)
        self._lock = threading.Lock()
        self._busy = self.peak = 0

    def is_heavy(self, pixels: int) -> bool:
        return pixels > self.heavy_pixels

    @contextmanager
    def hold(self, pixels: int) -> Iterator[None]:
        """Wait for a slot when ``pixels`` is heavy; small images pass at once."""
        if not self.is_heavy(pixels):
            yield
            return
        with self._slots:
            with self._lock:
                self._busy += 1
                self.peak = max(self.peak, self._busy)
            try:
                yield
            finally:
                with self._lock:
                    self._busy -= 1


def header_size(path: PathLike) -> tuple[int, int] | None:
    """(width, height) read from the file's header without decoding, or None when it is not an image."""
    try:
        with Image.open(os.fspath(path)) as image:
            return image.size
    except Exception:
        return None


def open_image_file(path: PathLike, max_pixels: int | None = DEFAULT_MAX_PIXELS,
                    max_frames: int = DEFAULT_MAX_FRAMES, reduce: bool = False) -> Image.Image:
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
    if _frame_count(image, name, max_frames) > 1:
        # keep animated images in memory so seeking later needs no open file handle
        image.close()
        with open(name, "rb") as f:
            return open_image_bytes(f.read(), name, max_pixels, max_frames, reduce)
    return _finish(image, name, max_pixels, max_frames, reduce)


def open_image_bytes(data: bytes, name: str = "", max_pixels: int | None = DEFAULT_MAX_PIXELS,
                     max_frames: int = DEFAULT_MAX_FRAMES, reduce: bool = False) -> Image.Image:
    """Like :func:`open_image_file` for bytes in memory; ``name`` only labels errors."""
    if not data:
        raise BadImageError(name, "zero-byte file")
    try:
        image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as err:
        raise BadImageError(name, "not an image (unrecognised format)") from err
    except Exception as err:
        raise BadImageError(name, _reason_from(err)) from err
    return _finish(image, name, max_pixels, max_frames, reduce)


def _frame_count(image: Image.Image, name: str, max_frames: int = DEFAULT_MAX_FRAMES) -> int:
    """The number of frames, or ``max_frames + 2`` when there are more than ``max_frames + 1`` (GIF frames are
    counted by walking the file, so a huge animation is not read to its end just to learn it is too long)."""
    try:
        if image.format != "GIF" or not getattr(image, "is_animated", False):
            return int(getattr(image, "n_frames", 1))
        count = 1
        try:
            while count <= max_frames + 1:
                image.seek(count)
                count += 1
        except EOFError:
            pass
        image.seek(0)
        return count
    except Exception as err:
        raise BadImageError(name, _reason_from(err)) from err


def _reduce_in_decoder(image: Image.Image, max_pixels: int) -> bool:
    """Ask the JPEG decoder for the smallest power-of-two reduction that fits ``max_pixels``; False when none."""
    if image.format != "JPEG":
        return False
    width, height = image.size
    for scale in _DRAFT_SCALES:
        if math.ceil(width / scale) * math.ceil(height / scale) <= max_pixels:
            image.draft(image.mode, (width // scale, height // scale))
            if image.width * image.height <= max_pixels:
                image.info["reduced_from"] = (width, height)
                return True
            return False
    return False


def _finish(image: Image.Image, name: str, max_pixels: int | None, max_frames: int,
            reduce: bool = False) -> Image.Image:
    """Check limits from the header, decode every frame, apply EXIF orientation."""
    width, height = image.size
    if width <= 0 or height <= 0:
        image.close()
        raise BadImageError(name, f"invalid image size {width}x{height}")
    if max_pixels is not None and width * height > max_pixels:
        if not (reduce and _reduce_in_decoder(image, max_pixels)):
            image.close()
            raise BadImageError(name, f"image of {width * height} pixels exceeds the limit of {max_pixels} pixels")
    n_frames = _frame_count(image, name, max_frames)
    if n_frames > max_frames:
        image.close()
        count = f"more than {max_frames + 1}" if image.format == "GIF" and n_frames > max_frames + 1 else n_frames
        raise BadImageError(name, f"animated image of {count} frames exceeds the limit of {max_frames} frames")
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
