"""imgutils validators on the generic classifier: monochrome, image class, rating (same names and defaults)."""

from __future__ import annotations

from collections.abc import Sequence

from .classify import predict_labels, predict_scores
from .registry import register_model
from .specs import ANIME_CLASSIFY, ANIME_RATING, MONOCHROME

_MONO = MONOCHROME.default_model
_CLS = ANIME_CLASSIFY.default_model
_RATING = ANIME_RATING.default_model


@register_model(MONOCHROME)
def get_monochrome_score(image, model_name: str = _MONO) -> float:
    """Probability of the 'monochrome' label (deepghs/monochrome_detect)."""
    return get_monochrome_score_batch([image], model_name)[0]


@register_model(MONOCHROME)
def get_monochrome_score_batch(images: Sequence, model_name: str = _MONO, batch_size: int = 16) -> list[float]:
    return [s['monochrome'] for s in predict_scores(MONOCHROME, images, model_name, batch_size)]


@register_model(MONOCHROME)
def is_monochrome(image, threshold: float = 0.5, model_name: str = _MONO) -> bool:
    """imgutils 0.19.0 quirk kept: ``threshold`` is ignored, the answer is argmax label == 'monochrome'."""
    _ = threshold
    return predict_labels(MONOCHROME, [image], model_name)[0][0] == 'monochrome'


@register_model(ANIME_CLASSIFY)
def anime_classify_score(image, model_name: str = _CLS) -> dict[str, float]:
    """Scores of 3d / bangumi / comic / illustration (/ not_painting), highest first."""
    return anime_classify_score_batch([image], model_name)[0]


@register_model(ANIME_CLASSIFY)
def anime_classify_score_batch(images: Sequence, model_name: str = _CLS,
                               batch_size: int = 16) -> list[dict[str, float]]:
    return predict_scores(ANIME_CLASSIFY, images, model_name, batch_size)


@register_model(ANIME_CLASSIFY)
def anime_classify(image, model_name: str = _CLS) -> tuple[str, float]:
    return predict_labels(ANIME_CLASSIFY, [image], model_name)[0]


@register_model(ANIME_RATING)
def anime_rating_score(image, model_name: str = _RATING) -> dict[str, float]:
    """Scores of safe / r15 / r18, highest first."""
    return anime_rating_score_batch([image], model_name)[0]


@register_model(ANIME_RATING)
def anime_rating_score_batch(images: Sequence, model_name: str = _RATING,
                             batch_size: int = 16) -> list[dict[str, float]]:
    return predict_scores(ANIME_RATING, images, model_name, batch_size)


@register_model(ANIME_RATING)
def anime_rating(image, model_name: str = _RATING) -> tuple[str, float]:
    return predict_labels(ANIME_RATING, [image], model_name)[0]
