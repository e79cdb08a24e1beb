"""LPIPS image similarity (deepghs/imgutils-models lpips/*)."""

from __future__ import annotations

from typing import List, Tuple

import numpy as np


def lpips_extract_feature(image, batch_size: int = 16) -> Tuple[np.ndarray, ...]:
    raise NotImplementedError


def lpips_batch_differences(feats_x, feats_y, batch_size: int = 64) -> np.ndarray:
    raise NotImplementedError


def lpips_difference(img1, img2) -> float:
    raise NotImplementedError


def lpips_clustering(images, threshold: float = 0.45) -> List[int]:
    raise NotImplementedError
