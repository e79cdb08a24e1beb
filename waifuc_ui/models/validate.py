"""imgutils validators on the generic classifier: monochrome, image class, rating."""

from __future__ import annotations

from typing import Dict, List, Sequence, Tuple


def get_monochrome_score(image, model_name: str = 'mobilenetv3_large_100_dist_safe2') -> float:
    raise NotImplementedError


def get_monochrome_score_batch(images: Sequence, model_name: str = 'mobilenetv3_large_100_dist_safe2',
                               batch_size: int = 16) -> List[float]:
    raise NotImplementedError


def is_monochrome(image, threshold: float = 0.5, model_name: str = 'mobilenetv3_large_100_dist_safe2') -> bool:
    raise NotImplementedError


def anime_classify_score(image, model_name: str = 'mobilenetv3_v1.5_dist') -> Dict[str, float]:
    raise NotImplementedError


def anime_classify_score_batch(images: Sequence, model_name: str = 'mobilenetv3_v1.5_dist',
                               batch_size: int = 16) -> List[Dict[str, float]]:
    raise NotImplementedError


def anime_classify(image, model_name: str = 'mobilenetv3_v1.5_dist') -> Tuple[str, float]:
    raise NotImplementedError


def anime_rating_score(image, model_name: str = 'mobilenetv3_v1_pruned_ls0.1') -> Dict[str, float]:
    raise NotImplementedError


def anime_rating_score_batch(images: Sequence, model_name: str = 'mobilenetv3_v1_pruned_ls0.1',
                             batch_size: int = 16) -> List[Dict[str, float]]:
    raise NotImplementedError


def anime_rating(image, model_name: str = 'mobilenetv3_v1_pruned_ls0.1') -> Tuple[str, float]:
    raise NotImplementedError
