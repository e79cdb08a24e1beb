"""A corpus for the re-encode check: originals and their JPEG copies as a PNG saved from them would hold, on and off
the 8-pixel grid, at every quality, with halved and with full-resolution colour, and resized (used by
tests/analysis/test_originality_corpus.py and bench/bench_originality.py)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from waifuc_ui.core.imaging import load_image

DEMO = Path(__file__).resolve().parents[2] / "assets" / "demo"
LOSSLESS_SUFFIXES = (".png", ".gif", ".webp")
_FILTERS = (Image.Resampling.LANCZOS, Image.Resampling.BICUBIC, Image.Resampling.BILINEAR)


def demo_originals() -> list[Image.Image]:
    """Every readable lossless demo image (lossless WebP only) as RGB."""
    out = []
    for path in sorted(DEMO.rglob("*")):
        if path.suffix.lower() not in LOSSLESS_SUFFIXES:
            continue
        try:
            with Image.open(path) as image:
                if path.suffix.lower() == ".webp" and b"VP8L" not in path.read_bytes()[:64]:
                    continue  # a lossy WebP is no original
                image.load()
                out.append(load_image(image, "RGB"))
        except (OSError, ValueError):
            continue  # the demo's refused files
    return out


def through_jpeg(image: Image.Image, quality: int, subsampling: int = -1) -> Image.Image:
    """``image`` saved as a JPEG (``subsampling``: -1 Pillow's default 4:2:0, 0 full colour) and decoded."""
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, subsampling=subsampling)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def off_grid(image: Image.Image, seed: int) -> Image.Image:
    """``image`` cropped by 1..7 pixels on the left and top (varied with ``seed``), off any 8-pixel grid."""
    dx, dy = 1 + seed % 7, 1 + (3 * seed + 2) % 7
    return image.crop((dx, dy, image.width, image.height))


def resized(image: Image.Image, scale: float, seed: int) -> Image.Image:
    """``image`` resized by ``scale`` with a filter varied with ``seed`` (Lanczos, bicubic, bilinear)."""
    size = (max(8, round(image.width * scale)), max(8, round(image.height * scale)))
    return image.resize(size, _FILTERS[seed % len(_FILTERS)])


def disguise(quality: int, subsampling: int = -1, crop: bool = False, scale: float = 1.0
             ) -> Callable[[Image.Image, int], Image.Image]:
    """A maker of one kind of copy: through a JPEG, then cropped off the grid and/or resized."""
    def make(image: Image.Image, seed: int) -> Image.Image:
        out = through_jpeg(image, quality, subsampling)
        out = off_grid(out, seed) if crop else out
        return resized(out, scale, seed) if scale != 1.0 else out
    return make


def _original(image: Image.Image, seed: int) -> Image.Image:
    return image


#: originals and originals cropped or resized (never re-encoded: must never be flagged)
ORIGINAL_KINDS: dict[str, Callable[[Image.Image, int], Image.Image]] = {
    "original": _original,
    "original, cropped": lambda im, seed: off_grid(im, seed),
    "original, x0.75": lambda im, seed: resized(im, 0.75, seed),
    "original, x1.5": lambda im, seed: resized(im, 1.5, seed),
}
#: copies the check must flag: on and off the grid, q50..q100 with halved colour, q50..q97 with full colour
DETECTABLE_KINDS = {
    **{f"q{q} 4:2:0": disguise(q) for q in (50, 75, 90, 95, 97, 98, 99, 100)},
    **{f"q{q} 4:4:4": disguise(q, 0) for q in (50, 75, 90, 95, 97)},
    **{f"q{q} 4:2:0 off-grid": disguise(q, crop=True) for q in (50, 90, 100)},
    **{f"q{q} 4:4:4 off-grid": disguise(q, 0, crop=True) for q in (50, 75, 90, 95, 97)},
}
#: copies the check cannot see (the lattice and the colour pattern are gone or below the rounding noise)
UNDETECTABLE_KINDS = {
    **{f"q{q} 4:4:4": disguise(q, 0) for q in (98, 100)},
    **{f"q90 4:2:0 x{s}": disguise(90, scale=s) for s in (0.5, 0.75, 0.9, 1.1, 1.25, 1.5)},
    "q95 4:4:4 x1.25": disguise(95, 0, scale=1.25),
    "q90 4:2:0 x1.005": disguise(90, scale=1.005),
    "q98 4:4:4 x0.99": disguise(98, 0, scale=0.99),
    "q90 4:2:0 x0.5, back up": lambda im, seed: disguise(90, scale=0.5)(im, seed).resize(im.size, _FILTERS[1]),
}
#: undetectable copies within 2 % of the original's area: the keeper rule must still prefer the original
SAME_SIZE_KINDS = ["q98 4:4:4", "q100 4:4:4", "q90 4:2:0 x1.005", "q98 4:4:4 x0.99", "q90 4:2:0 x0.5, back up"]
KINDS = {**ORIGINAL_KINDS, **DETECTABLE_KINDS, **UNDETECTABLE_KINDS}
