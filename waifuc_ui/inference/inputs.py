"""Turning what callers pass (PIL image, path, bytes, ImageItem) into PIL images, and shared encoders."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator, Sequence
from typing import TypeVar

import numpy as np
from PIL import Image

from waifuc_ui.core.imaging import load_image

T = TypeVar('T')


def to_pil(image) -> Image.Image:
    """A PIL image from a PIL image, a path, bytes or an object with an ``image`` attribute (ImageItem)."""
    if isinstance(image, Image.Image):
        return image
    if isinstance(image, (str, os.PathLike)):
        with Image.open(image) as img:
            img.load()
            return img
    if isinstance(image, (bytes, bytearray)):
        img = Image.open(io.BytesIO(image))
        img.load()
        return img
    inner = getattr(image, 'image', None)
    if isinstance(inner, Image.Image):
        return inner
    raise TypeError(f'expected a PIL image, a path, bytes or an ImageItem, got {type(image).__name__}')


def load_rgb(image) -> Image.Image:
    """imgutils ``load_image(image, mode='RGB', force_background='white')``."""
    return load_image(to_pil(image), mode='RGB', force_background='white')


def rgb_encode(image: Image.Image) -> np.ndarray:
    """imgutils ``rgb_encode``: RGB float32 in [0, 1], CHW (through a lookup table, bit-identical)."""
    return encode_with_lut(image, RGB_ENCODE_LUT)


def batched(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive chunks of at most ``size`` items (``size`` < 1 means one chunk)."""
    items = list(items)
    size = size if size and size > 0 else max(len(items), 1)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def channel_lut(formula) -> np.ndarray:
    """[3, 256] float32 table of ``formula(x)`` for every uint8 value of each channel, where ``x`` is a
    [3, 1, 256] uint8 array (channel-first, like the CHW tensors the formulas are written for). Because the
    formula runs element-wise on the same dtypes, ``lut[c][v]`` is bit-identical to the per-pixel result."""
    values = np.broadcast_to(np.arange(256, dtype=np.uint8), (3, 1, 256))
    return np.ascontiguousarray(np.asarray(formula(values), dtype=np.float32).reshape(3, 256))


def encode_with_lut(image: Image.Image, lut: np.ndarray) -> np.ndarray:
    """CHW float32 tensor of an RGB image through a :func:`channel_lut` table (a gather, no arithmetic)."""
    arr = np.asarray(image.convert('RGB') if image.mode != 'RGB' else image)
    return np.stack([np.take(lut[c], arr[..., c]) for c in range(3)])


RGB_ENCODE_LUT = channel_lut(lambda x: x.astype(np.float32) / 255)


def prepared_batches(items: Sequence[T], size: int, prepare, workers: int = 2):
    """Yield ``(chunk, [prepare(x) for x in chunk])`` batch by batch, preparing the NEXT batch in background
    threads while the caller runs the model on the current one (Pillow and numpy release the GIL).
    Results are in order and identical to a plain loop; an exception surfaces on its own batch."""
    from concurrent.futures import ThreadPoolExecutor
    chunks = list(batched(items, size))
    if not chunks:
        return
    if len(chunks) == 1 and len(chunks[0]) == 1:  # a single image: nothing to overlap, no threads
        yield chunks[0], [prepare(chunks[0][0])]
        return
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        pending = [pool.submit(prepare, x) for x in chunks[0]]
        for i, chunk in enumerate(chunks):
            ready = [f.result() for f in pending]
            pending = [pool.submit(prepare, x) for x in chunks[i + 1]] if i + 1 < len(chunks) else []
            yield chunk, ready
