"""Turning what callers pass (PIL image, path, bytes, ImageItem) into PIL images, and shared encoders."""

from __future__ import annotations

import io
import os
from typing import Iterator, List, Sequence, TypeVar

import numpy as np
from PIL import Image

from waifuc_ui.imaging import load_image

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
    """imgutils ``rgb_encode``: RGB float32 in [0, 1], CHW."""
    return (np.asarray(image.convert('RGB')).astype(np.float32) / 255).transpose(2, 0, 1)


def batched(items: Sequence[T], size: int) -> Iterator[List[T]]:
    """Consecutive chunks of at most ``size`` items (``size`` < 1 means one chunk)."""
    items = list(items)
    size = size if size and size > 0 else max(len(items), 1)
    for i in range(0, len(items), size):
        yield items[i:i + size]
