"""Image hashes for duplicate detection: an exact pixel hash and 64-bit perceptual hashes.

Pure functions (numpy + Pillow), no state:

* :func:`pixel_hash`: identical for images with the same pixels, whatever the file format,
  palette or an all-opaque alpha channel (the image is brought to RGB, or RGBA when it has
  any transparency, first).
* :func:`phash` (DCT of a 32x32 greyscale, the 8x8 low frequencies against their median) and
  :func:`dhash` (sign of horizontal gradients on a 9x8 greyscale): 64-bit ints; near-identical
  images differ in few bits, measured with :func:`hamming`.
* :class:`BKTree`: all stored hashes within a Hamming distance of a query, exactly, without
  comparing against every one of them.
"""

from __future__ import annotations

import hashlib
from typing import Callable, Dict, Generic, List, Optional, Tuple, TypeVar

import numpy as np
from PIL import Image

from ..export.imagefile import to_8bit
from ..imaging import has_alpha, load_image

HASH_BITS = 64
V = TypeVar("V")


def canonical_pixels(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when some pixel is not fully opaque; the current frame only."""
    if has_alpha(image):
        rgba = image.convert("RGBA")
        if rgba.getchannel("A").getextrema()[0] < 255:
            return rgba
        return rgba.convert("RGB")
    if image.mode.startswith("I") or image.mode == "F":
        return to_8bit(image).convert("RGB")
    return image if image.mode == "RGB" else image.convert("RGB")


def pixel_hash(image: Image.Image) -> str:
    """blake2b-128 hex of mode, size and pixel bytes after :func:`canonical_pixels`.

    Animated images include their frame count, so two animations that share a first frame differ.
    """
    canon = canonical_pixels(image)
    h = hashlib.blake2b(digest_size=16)
    h.update(f"{canon.mode}|{canon.width}x{canon.height}|{getattr(image, 'n_frames', 1)}|".encode())
    h.update(canon.tobytes())
    return h.hexdigest()


def _grey(image: Image.Image, size: Tuple[int, int]) -> np.ndarray:
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


HASHERS: Dict[str, Callable[[Image.Image], int]] = {"phash": phash, "dhash": dhash}


def hamming(a: int, b: int) -> int:
    """Number of differing bits."""
    return (a ^ b).bit_count()


class BKTree(Generic[V]):
    """A Burkhard-Keller tree over 64-bit hashes with the Hamming metric.

    ``add(hash, value)`` stores a value; ``nearest(hash, max_distance)`` returns the closest
    stored (distance, value), earliest added first on ties, or None; the search is exact.
    """

    __slots__ = ("_root", "_size")

    def __init__(self) -> None:
        # node = [hash, value, order, {distance: child}]
        self._root: Optional[list] = None
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, key: int, value: V) -> None:
        node = [key, value, self._size, {}]
        self._size += 1
        if self._root is None:
            self._root = node
            return
        current = self._root
        while True:
            d = hamming(key, current[0])
            child = current[3].get(d)
            if child is None:
                current[3][d] = node
                return
            current = child

    def within(self, key: int, max_distance: int) -> List[Tuple[int, int, V]]:
        """Every stored (distance, order, value) with distance <= max_distance."""
        found: List[Tuple[int, int, V]] = []
        stack = [self._root] if self._root is not None else []
        while stack:
            node = stack.pop()
            d = hamming(key, node[0])
            if d <= max_distance:
                found.append((d, node[2], node[1]))
            for edge, child in node[3].items():
                if d - max_distance <= edge <= d + max_distance:
                    stack.append(child)
        return found

    def nearest(self, key: int, max_distance: int) -> Optional[Tuple[int, V]]:
        found = self.within(key, max_distance)
        if not found:
            return None
        d, _, value = min(found, key=lambda f: (f[0], f[1]))
        return d, value
