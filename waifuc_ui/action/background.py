"""waifuc's BackgroundRemovalAction: the character kept, the background made transparent (isnetis).

The analysis (cached per image) is the layer's alpha, uint8 [H, W], exactly what imgutils'
``segment_rgba_with_isnetis`` derives from the model's mask; the decision composes the RGBA image.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import inference as models
from ..core.item import ImageItem
from .analyzed import AnalyzedProcessAction


class BackgroundRemovalAction(AnalyzedProcessAction):
    """Each image becomes RGBA with its background transparent (skytnt/anime-seg isnetis, scale 1024)."""

    per_item = True
    batch_size = 2  # 1024x1024 inputs

    def required_files(self) -> list[Any]:
        return models.required_files("segment_rgba_with_isnetis")

    def analysis_key(self) -> dict[str, Any]:
        return {"func": "isnetis_alpha", "scale": 1024, "files": self.model_files_key()}

    def analyze(self, images) -> list[np.ndarray]:
        from ..inference.segment import get_isnetis_mask_batch, isnetis_alpha

        return [isnetis_alpha(m) for m in get_isnetis_mask_batch(list(images), **self._batch_kwargs())]

    def transform(self, item: ImageItem, analysis: np.ndarray) -> ImageItem:
        from ..inference.segment import rgba_with_alpha

        return item.with_image(rgba_with_alpha(item.image, np.asarray(analysis, np.uint8)))

    def __repr__(self) -> str:
        return "BackgroundRemovalAction()"
