"""Anime-like test pictures made with Pillow and numpy: a gradient sky, flat-coloured shapes with dark outlines, soft
shading, hatching and a little grain, at sizes that are not multiples of 8 and positions off any 8-pixel grid."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFilter


def _gradient(size: tuple[int, int], top: np.ndarray, bottom: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    w, h = size
    angle = rng.uniform(0, np.pi)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    t = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    return top[None, None, :] * (1 - t[..., None]) + bottom[None, None, :] * t[..., None]


def anime_picture(seed: int, size: tuple[int, int] = (517, 389), grain: float = 0.0) -> Image.Image:
    """A reproducible flat-colour picture: gradient background, outlined shapes, soft shading, lines."""
    rng = np.random.default_rng(seed)
    w, h = size
    colours = rng.integers(30, 250, (12, 3))
    background = _gradient(size, colours[0].astype(np.float32), colours[1].astype(np.float32), rng)
    image = Image.fromarray(np.clip(background, 0, 255).astype(np.uint8), "RGB")
    draw = ImageDraw.Draw(image)
    for k in range(int(rng.integers(4, 9))):  # flat shapes with dark outlines
        x0, y0 = rng.uniform(-0.1, 0.8) * w, rng.uniform(-0.1, 0.8) * h
        x1, y1 = x0 + rng.uniform(0.15, 0.5) * w, y0 + rng.uniform(0.15, 0.5) * h
        fill = tuple(int(v) for v in colours[2 + k % 10])
        outline = tuple(int(v) for v in rng.integers(0, 60, 3))
        width = int(rng.integers(2, 5))
        if k % 3 == 0:
            draw.ellipse((x0, y0, x1, y1), fill=fill, outline=outline, width=width)
        elif k % 3 == 1:
            pts = [(float(x0 + rng.uniform(0, x1 - x0)), float(y0 + rng.uniform(0, y1 - y0))) for _ in range(5)]
            draw.polygon(pts, fill=fill, outline=outline, width=width)
        else:
            draw.rounded_rectangle((x0, y0, x1, y1), radius=float(rng.uniform(3, 30)), fill=fill, outline=outline,
                                   width=width)
    shade = Image.new("L", size, 0)  # soft cel shading
    sd = ImageDraw.Draw(shade)
    for _ in range(3):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.1, 0.3) * min(w, h)
        sd.ellipse((cx - r, cy - r, cx + r, cy + r), fill=int(rng.integers(40, 110)))
    shade = shade.filter(ImageFilter.GaussianBlur(float(rng.uniform(4, 12))))
    image = Image.composite(Image.new("RGB", size, (20, 10, 40)), image, shade)
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(6, 16))):  # hair strands and hatching
        pts = [(float(rng.uniform(0, w)), float(rng.uniform(0, h))) for _ in range(3)]
        draw.line(pts, fill=tuple(int(v) for v in rng.integers(0, 80, 3)), width=int(rng.integers(1, 4)))
    image = image.filter(ImageFilter.SMOOTH) if seed % 2 else image  # anti-aliased look for half of them
    if grain:
        arr = np.asarray(image, dtype=np.float32) + rng.normal(0, grain, (h, w, 3))
        image = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB")
    return image


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def through_jpeg(image: Image.Image, quality: int) -> Image.Image:
    """``image`` as a JPEG of ``quality`` decodes it: what a PNG saved from that JPEG holds."""
    return Image.open(io.BytesIO(encoded(image, "JPEG", quality=quality))).convert("RGB")


def varied_originals(count: int = 24) -> list[Image.Image]:
    """``count`` different originals: sizes from 200 to 900 pixels a side, some with grain, some smoothed."""
    rng = np.random.default_rng(2024)
    out = []
    for i in range(count):
        size = (int(rng.integers(200, 900)), int(rng.integers(200, 900)))
        out.append(anime_picture(100 + i, size, grain=float(rng.choice([0.0, 0.0, 1.5, 4.0]))))
    return out
