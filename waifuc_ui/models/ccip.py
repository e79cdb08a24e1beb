"""CCIP character similarity (deepghs/ccip_onnx)."""

from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np

_DEFAULT = 'ccip-caformer-24-randaug-pruned'


def ccip_extract_feature(image, size: int = 384, model: str = _DEFAULT) -> np.ndarray:
    raise NotImplementedError


def ccip_batch_extract_features(images, size: int = 384, model: str = _DEFAULT, batch_size: int = 16) -> np.ndarray:
    raise NotImplementedError


def ccip_default_threshold(model: str = _DEFAULT) -> float:
    raise NotImplementedError


def ccip_default_clustering_params(model: str = _DEFAULT, method: str = 'optics') -> Tuple[float, int]:
    raise NotImplementedError


def ccip_difference(x, y, size: int = 384, model: str = _DEFAULT) -> float:
    raise NotImplementedError


def ccip_same(x, y, threshold: Optional[float] = None, size: int = 384, model: str = _DEFAULT) -> bool:
    raise NotImplementedError


def ccip_batch_differences(images, size: int = 384, model: str = _DEFAULT) -> np.ndarray:
    raise NotImplementedError


def ccip_batch_same(images, threshold: Optional[float] = None, size: int = 384, model: str = _DEFAULT) -> np.ndarray:
    raise NotImplementedError


def ccip_clustering(images, method: str = 'optics', eps: Optional[float] = None, min_samples: Optional[int] = None,
                    size: int = 384, model: str = _DEFAULT) -> List[int]:
    raise NotImplementedError


def ccip_merge(images, size: int = 384, model: str = _DEFAULT) -> np.ndarray:
    raise NotImplementedError
