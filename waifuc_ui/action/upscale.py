"""UpscaleAction (not in waifuc): small images, typically person or head crops, upscaled with imgutils' CDC model.

Only images whose shorter side is below ``min_size`` are touched; they grow by the model's factor (x4 for the
default HGSR-MHR-anime-aug_X4_320). The upscaled pixels are the cached analysis, so moving ``min_size`` re-runs
the model only for images not upscaled before. CDC is slow on CPU (imgutils measured ~70 s for 1024x1024 on a
GPU), which is why it is meant for small crops and is never part of a preset.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from PIL import Image

from .. import inference as models
from ..core.errors import InvalidOptionError
from ..core.item import ImageItem
from ..inference.specs_extra import CDC_DEFAULT
from .analyzed import AnalyzedAction


class UpscaleAction(AnalyzedAction):
    """Upscale images whose shorter side is below ``min_size`` pixels (others pass unchanged)."""

    per_item = True
    batch_size = 1  # tiles per ONNX call (imgutils' default)

    def __init__(self, min_size: int = 512, model: str = CDC_DEFAULT, tile_size: int = 512, tile_overlap: int = 64):
        if int(min_size) < 1:
            raise InvalidOptionError("UpscaleAction min_size", min_size, ["an integer >= 1"],
                                     fix="Give the shorter side, in pixels, below which images are upscaled.")
        if int(tile_size) < 1 or int(tile_overlap) < 0:
            raise InvalidOptionError("UpscaleAction tile_size/tile_overlap", (tile_size, tile_overlap),
                                     ["tile_size >= 1 and tile_overlap >= 0"], fix="Use imgutils' 512 and 64.")
        self.min_size, self.model = int(min_size), model
        self.tile_size, self.tile_overlap = int(tile_size), int(tile_overlap)

    def required_files(self) -> list[Any]:
        return models.required_files("upscale_with_cdc", model=self.model)

    def analysis_key(self) -> dict[str, Any]:
        return {"func": "upscale_with_cdc", "model": self.model, "tile_size": self.tile_size,
                "tile_overlap": self.tile_overlap, "files": self.model_files_key()}

    def needs_analysis(self, item: ImageItem) -> bool:
        return min(item.image.size) < self.min_size

    def analyze(self, images) -> list[np.ndarray]:
        out = models.upscale_with_cdc_batch(list(images), self.model, self.tile_size, self.tile_overlap,
                                            **self._batch_kwargs())
        return [np.asarray(im) for im in out]

    def decide(self, item: ImageItem, analysis: Any) -> Iterator[ImageItem]:
        if analysis is None or not self.needs_analysis(item):
            yield item
            return
        arr = np.asarray(analysis, np.uint8)
        upscale = {"model": self.model, "from": list(item.image.size), "to": [arr.shape[1], arr.shape[0]]}
        yield item.with_image(Image.fromarray(arr, "RGBA" if arr.shape[2] == 4 else "RGB"), upscale=upscale)

    def __repr__(self) -> str:
        return f"UpscaleAction(min_size={self.min_size!r}, model={self.model!r})"
