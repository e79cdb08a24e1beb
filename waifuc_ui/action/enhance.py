"""waifuc's CharacterEnhanceAction: ``repeats`` copies of a character, rotated, cut around a detected head,
half body or person and placed on other backgrounds.

Per copy (as waifuc): rotate by a random degree in ``degree_range`` (expand, BILINEAR), squeeze to the opaque part
(imgutils ``squeeze_with_transparency``: alpha > 0.7, 5x5 median), detect with the modes in random order
(detect_heads / detect_halfbody / detect_person with imgutils' defaults) and take the first box found, grown by the
mode's ratio x U(0.98, 1.10); pick a background, resize it so the box fits and it is at most 1.8x the box, and
paste the whole rotated image so the box lands at a random position. Meta ``enhance`` = {degree, position_x,
position_y, mode}; filenames get ``_e{i}``.

Differences, each on purpose: an RGB image is made RGBA before rotating (waifuc pastes its black rotation corners
onto the background); ``body_ratio`` applies to the 'person' mode (waifuc compares the mode with 'body', so its
body_ratio never applies); a copy without any detection is skipped and an image with none at all is dropped with
the reason (waifuc raises and ends the run); backgrounds are ``backgrounds`` (images, paths or a folder) instead of
imgutils' deepghs/anime-bg set, which needs a dataset download; without them, random two-colour gradients are used.
``seed`` makes the copies reproducible.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from PIL import Image

from .. import inference as models
from ..core.errors import InvalidOptionError
from ..core.item import ImageItem
from ..inference.inputs import load_rgb
from .base import BaseAction

ENHANCE_MODES = ("person", "halfbody", "head")
DEFAULT_MODES = ("halfbody", "head")
_DETECTORS = {"head": "detect_heads", "halfbody": "detect_halfbody", "person": "detect_person"}
_IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp", ".bmp")


def squeeze_with_transparency(image: Image.Image, threshold: float = 0.7, median_filter: int | None = 5) -> Image.Image:
    """imgutils' crop to the pixels with alpha > threshold (median-filtered), max row/column excluded as there."""
    from scipy import ndimage

    mask = (np.asarray(image.convert("RGBA"))[:, :, 3].astype(np.float32) / 255.0 > threshold).astype(int)
    if median_filter:
        mask = ndimage.median_filter(mask, size=median_filter)
    rows, cols = np.where(mask.sum(axis=1) > 0)[0], np.where(mask.sum(axis=0) > 0)[0]
    if not len(rows):
        return image
    return image.crop((int(cols.min()), int(rows.min()), int(cols.max()), int(rows.max())))


def _gradient(size: tuple[int, int], rng: random.Random) -> Image.Image:
    top = np.array([rng.randint(0, 255) for _ in range(3)], np.float32)
    bottom = np.array([rng.randint(0, 255) for _ in range(3)], np.float32)
    t = np.linspace(0.0, 1.0, size[1], dtype=np.float32)[:, None, None]
    arr = np.broadcast_to(top * (1 - t) + bottom * t, (size[1], size[0], 3))
    return Image.fromarray(arr.astype(np.uint8), "RGB")


class CharacterEnhanceAction(BaseAction):
    """Yields ``repeats`` augmented copies of each image (the original is not yielded)."""

    per_item = False  # random draws carry from one item to the next

    def __init__(self, repeats: int = 10, modes: Sequence[str] | None = None, head_ratio: float = 1.2,
                 body_ratio: float = 1.05, halfbody_ratio: float = 1.1,
                 degree_range: tuple[float, float] | None = (-30, 30), backgrounds: Any = None,
                 seed: int | None = None):
        self.repeats = int(repeats)
        self.modes = list(modes or DEFAULT_MODES)  # None or empty: waifuc's default ['halfbody', 'head']
        bad = [m for m in self.modes if m not in ENHANCE_MODES]
        if bad:
            raise InvalidOptionError("CharacterEnhanceAction modes", bad, list(ENHANCE_MODES),
                                     fix="Use one or more of these detection modes.")
        self.head_ratio, self.body_ratio, self.halfbody_ratio = head_ratio, body_ratio, halfbody_ratio
        self.degree_range = degree_range
        self.backgrounds = backgrounds
        self.seed = seed
        self.random = random.Random(seed)

    def reset(self) -> None:
        self.random = random.Random(self.seed)

    def required_files(self) -> list[Any]:
        files: list[Any] = []
        for mode in self.modes:
            files += models.required_files(_DETECTORS[mode])
        return files

    def _background_pool(self) -> list[Any]:
        bgs = self.backgrounds
        if bgs is None:
            return []
        if isinstance(bgs, (str, os.PathLike)) and os.path.isdir(bgs):
            return sorted(os.path.join(bgs, n) for n in os.listdir(bgs) if n.lower().endswith(_IMAGE_EXTS))
        return list(bgs) if isinstance(bgs, (list, tuple)) else [bgs]

    def _background(self, crop_size: tuple[int, int]) -> Image.Image:
        pool = self._background_pool()
        if not pool:
            u = 1.0 + self.random.random() * 0.8
            return _gradient((max(1, int(crop_size[0] * u)), max(1, int(crop_size[1] * u))), self.random)
        choice = pool[self.random.randrange(len(pool))]
        if isinstance(choice, Image.Image):
            return choice.convert("RGB")
        with Image.open(choice) as im:
            return im.convert("RGB")

    def _ratio(self, mode: str) -> float:
        return {"head": self.head_ratio, "person": self.body_ratio, "halfbody": self.halfbody_ratio}[mode]

    def _compose(self, rotated: Image.Image, box, mode: str):
        x0, y0, x1, y1 = box
        cx, cy, wx, wy = (x0 + x1) / 2, (y0 + y1) / 2, abs(x1 - x0), abs(y1 - y0)
        r = self._ratio(mode) * (self.random.random() * 0.12 + 0.98)
        dx0, dy0 = int(cx - wx * r / 2), int(cy - wy * r / 2)
        dx1, dy1 = int(cx + wx * r / 2), int(cy + wy * r / 2)
        cw, ch = max(1, dx1 - dx0), max(1, dy1 - dy0)
        bg = self._background((cw, ch))
        if bg.width < cw or bg.height < ch:
            rx = max(cw / bg.width, ch / bg.height)
            bg = bg.resize((int(bg.width * rx), int(bg.height * rx)))
        max_w, max_h = cw * 1.8, ch * 1.8
        if bg.width >= max_w and bg.height >= max_h:
            rx = max(max_w / bg.width, max_h / bg.height)
            bg = bg.resize((int(bg.width * rx), int(bg.height * rx)))
        px0 = self.random.randint(0, max(bg.width - cw, 1))
        py0 = self.random.randint(0, max(bg.height - ch, 1))
        out = bg.convert("RGBA")
        out.paste(rotated, (px0 - dx0, py0 - dy0), mask=rotated)
        return out, px0, py0

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        base = item.image.convert("RGBA")
        rotated, degrees = [], []
        for _ in range(self.repeats):
            degree = None
            image = base
            if self.degree_range:
                lo, hi = self.degree_range
                degree = self.random.random() * (hi - lo) + lo
                image = squeeze_with_transparency(base.rotate(degree, expand=True, resample=Image.Resampling.BILINEAR))
            rotated.append(image)
            degrees.append(degree)
        on_white = [load_rgb(im) for im in rotated]
        found = {mode: getattr(models, _DETECTORS[mode] + "_batch")(on_white) for mode in self.modes}
        made = 0
        for i, (image, degree) in enumerate(zip(rotated, degrees)):
            order = list(self.modes)
            self.random.shuffle(order)
            mode = next((m for m in order if found[m][i]), None)
            if mode is None:
                continue
            out, px0, py0 = self._compose(image, found[mode][i][0][0], mode)
            enhance = {"degree": degree, "position_x": px0, "position_y": py0, "mode": mode}
            new = item.with_image(out, enhance=enhance)
            if "filename" in new.meta:
                body, ext = os.path.splitext(new.meta["filename"])
                new.meta["filename"] = f"{body}_e{i}{ext}"
            made += 1
            yield new
        if not made and self.repeats > 0:
            self.drop(item, f"no {' / '.join(self.modes)} detected in any copy")

    def __repr__(self) -> str:
        return f"CharacterEnhanceAction(repeats={self.repeats!r}, modes={self.modes!r}, seed={self.seed!r})"
