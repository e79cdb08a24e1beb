"""Perceptual image hashes for near-duplicate detection (exact duplicates: :func:`waifuc_ui.core.hashing.pixel_hash`).

Pure functions (numpy + Pillow), no state:

* :func:`phash` (DCT of a 32x32 greyscale, the 8x8 low frequencies against their median) and
  :func:`dhash` (sign of horizontal gradients on a 9x8 greyscale): 64-bit ints; near-identical
  images differ in few bits, measured with :func:`hamming`.
* :class:`HashIndex`: the nearest stored hash to a query, compared against every stored one
  (vectorised, exact).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import numpy as np
from PIL import Image

from ..core.imaging import load_image

HASH_BITS = 64
V = TypeVar("V")


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


class HashIndex(Generic[V]):
    """Stored 64-bit hashes with their values; ``nearest(hash, max_distance)`` compares the query
    with every stored hash at once (numpy XOR + popcount: about 10 microseconds for 20,000) and
    returns the closest (distance, value), the earliest stored on ties, or None beyond the limit.
    Memory: 8 bytes per hash plus the value."""

    __slots__ = ("_hashes", "_values")

    def __init__(self) -> None:
        self._hashes = np.zeros(64, dtype=np.uint64)
        self._values: list[V] = []

    def __len__(self) -> int:
        return len(self._values)

    def add(self, key: int, value: V) -> None:
        n = len(self._values)
        if n == len(self._hashes):
            self._hashes = np.concatenate([self._hashes, np.zeros(n, dtype=np.uint64)])
        self._hashes[n] = np.uint64(key)
        self._values.append(value)

    def distances(self, key: int) -> np.ndarray:
        """Hamming distance from ``key`` to every stored hash, in storing order."""
        return np.bitwise_count(self._hashes[: len(self._values)] ^ np.uint64(key))

    def nearest(self, key: int, max_distance: int) -> tuple[int, V] | None:
        if not self._values:
            return None
        d = self.distances(key)
        i = int(d.argmin())
        return (int(d[i]), self._values[i]) if d[i] <= max_distance else None
