"""The two hashes of an image, for two different questions.

* :func:`image_hash` (the *content hash*): "would every step see the same input?". blake2b of the mode, size,
  palette, colour-key transparency and pixel bytes. An RGB image and its opaque RGBA copy differ here, because
  steps treat them differently (a mode conversion, an exporter writing the original bytes, a format that keeps
  the alpha channel). It keys the analysis cache, tells an unchanged image from a changed one, and is stored in
  session state and project files.
* :func:`pixel_hash` (the *pixel-equality hash*): "is this the same picture?". SHA-256 of the pixels brought to RGB,
  or RGBA when some pixel is not fully opaque (:func:`canonical_pixels`), so file format, palette, greyscale-as-RGB
  and an all-opaque alpha channel do not matter. Exact-duplicate detection uses it. It is never stored.

Both are 32 hex digits. :func:`content_hash` is :func:`image_hash` of an item, remembered on the item.
"""

from __future__ import annotations

import hashlib

from PIL import Image

from .imaging import has_alpha, min_alpha, to_8bit
from .item import ImageItem


def image_hash(image: Image.Image) -> str:
    """The content hash: blake2b (128 bit, hex) of the mode, size, palette and pixel bytes of ``image``.

    Two images with the same hash give the same model inputs; file format, metadata and
    compression do not matter, only what the pixels are.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{image.mode}|{image.width}x{image.height}|".encode())
    if image.mode in ("P", "PA"):
        h.update(bytes(image.getpalette() or []))
        if "transparency" in image.info:
            h.update(repr(image.info["transparency"]).encode())
    elif "transparency" in image.info:  # L/RGB colour-key transparency changes load_image's result
        h.update(repr(image.info["transparency"]).encode())
    h.update(image.tobytes())
    return h.hexdigest()


def content_hash(item: ImageItem) -> str:
    """The item's :func:`image_hash`, reusing and setting ``item.content_hash``.

    When the hash is already known the pixels are not loaded (a session passes lazy items).
    """
    if item.content_hash is None:
        item.content_hash = image_hash(item.image)
    return item.content_hash


def canonical_pixels(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when some pixel is not fully opaque; high-depth greyscale scaled to 8 bits; current frame."""
    if has_alpha(image):
        rgba = image.convert("RGBA")
        if min_alpha(rgba) < 255:
            return rgba
        return rgba.convert("RGB")
    if image.mode.startswith("I") or image.mode == "F":
        return to_8bit(image).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def pixel_hash(image: Image.Image) -> str:
    """The pixel-equality hash: SHA-256 (first 128 bits, hex) of mode, size and pixel bytes after
    :func:`canonical_pixels`.

    Animated images include their frame count, so two animations that share a first frame differ.
    """
    canon = canonical_pixels(image)
    h = hashlib.sha256()
    h.update(f"{canon.mode}|{canon.width}x{canon.height}|{getattr(image, 'n_frames', 1)}|".encode())
    h.update(canon.tobytes())
    return h.hexdigest()[:32]
