"""Content hashes: the identity under which model outputs are cached."""

from __future__ import annotations

import hashlib

from PIL import Image

from ..core.item import ImageItem


def image_hash(image: Image.Image) -> str:
    """blake2b (128 bit, hex) of the mode, size, palette and pixel bytes of ``image``.

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
