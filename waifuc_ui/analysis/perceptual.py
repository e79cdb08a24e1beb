"""Perceptual image hashes for near-duplicate detection (exact duplicates: :func:`waifuc_ui.core.hashing.pixel_hash`),
cached per image content in the analysis cache.

* :func:`phash` (DCT of a 32x32 greyscale, the 8x8 low frequencies against their median) and
  :func:`dhash` (sign of horizontal gradients on a 9x8 greyscale): 64-bit ints; near-identical
  images differ in few bits, measured with :func:`hamming`. Pure functions (numpy + Pillow).
* :func:`image_hashes`: an item's pixel-equality hash and perceptual hash, from the analysis cache
  (keyed by content hash and method, like the LPIPS features) or computed once and stored there, so a
  new session or process on the same images decodes none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PIL import Image

from ..core.errors import InvalidOptionError
from ..core.hashing import content_hash, pixel_hash
from ..core.imaging import load_image
from ..core.item import ImageItem
from .cache import AnalysisCache
from .context import current_analysis_cache

HASH_BITS = 64


def _grey(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    small = load_image(image, mode="L", force_background="white")
    small = small.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    return np.asarray(small, dtype=np.float64)


def _dct_matrix(n: int) -> np.ndarray:
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    return np.cos(np.pi * (2 * i + 1) * k / (2 * n))


_DCT32 = _dct_matrix(32)
_BIT_WEIGHTS = [1 << (HASH_BITS - 1 - i) for i in range(HASH_BITS)]


def _bits_to_int(bits: np.ndarray) -> int:
    return sum(w for w, b in zip(_BIT_WEIGHTS, bits.ravel().tolist()) if b)


def phash(image: Image.Image) -> int:
    """64-bit DCT perceptual hash: bit set where an 8x8 low-frequency coefficient exceeds their median."""
    pixels = _grey(image, (32, 32))
    low = (_DCT32 @ pixels @ _DCT32.T)[:8, :8]
    return _bits_to_int(low > np.median(low))


def dhash(image: Image.Image) -> int:
    """64-bit difference hash: bit set where a pixel of a 9x8 greyscale is brighter than its left neighbour."""
    pixels = _grey(image, (9, 8))
    return _bits_to_int(pixels[:, 1:] > pixels[:, :-1])


HASHERS: dict[str, Callable[[Image.Image], int]] = {"phash": phash, "dhash": dhash}


def hamming(a: int, b: int) -> int:
    """Number of differing bits."""
    return (a ^ b).bit_count()


def hash_key(method: str) -> dict[str, Any]:
    """The analysis-cache key of ``method``'s entries: ``{"pixel": <pixel hash>, "perceptual": <int>}``."""
    if method not in HASHERS:
        raise InvalidOptionError("perceptual hash method", method, list(HASHERS),
                                 "use 'phash' (robust) or 'dhash' (faster)")
    return {"analysis": "image-hashes", "method": method, "version": 1}


def image_hashes(item: ImageItem, method: str = "phash", cache: AnalysisCache | None = None) -> tuple[str, int]:
    """(pixel-equality hash, ``method``'s perceptual hash) of ``item``: from ``cache`` (default: the current
    analysis cache) when known, else computed from the pixels (decoded once) and stored."""
    return images_hashes([item], method, cache)[0]


def images_hashes(items: Sequence[ImageItem], method: str = "phash", cache: AnalysisCache | None = None
                  ) -> list[tuple[str, int]]:
    """:func:`image_hashes` of each item (one cache lookup per distinct content)."""
    key = hash_key(method)
    cache = cache if cache is not None else current_analysis_cache()
    hashes = [content_hash(it) for it in items]
    known = cache.get_many(dict.fromkeys(hashes), key)
    out = []
    for item, h in zip(items, hashes):
        entry = known.get(h)
        if not (isinstance(entry, dict) and isinstance(entry.get("pixel"), str)
                and isinstance(entry.get("perceptual"), int)):
            image = item.image
            entry = {"pixel": pixel_hash(image), "perceptual": int(HASHERS[method](image))}
            cache.put(h, key, entry)
            known[h] = entry
        out.append((str(entry["pixel"]), int(entry["perceptual"])))
    return out
