"""waifuc's SafetyAction: images the safety check calls 'polluted' (adversarial noise, e.g. Mist/Glaze) are
denoised; 'safe' ones pass unchanged.

The check (``mf666/shit-checker``, cached per image) averages random 384x384 crops; here the crops are drawn from
``random.Random(0)`` per image so that a cached answer is the answer (waifuc draws from the global random).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import inference as models
from ..core.errors import InvalidOptionError
from ..core.item import ImageItem
from .analyzed import AnalyzedProcessAction

CROP_SEED = 0
_SAFE_CHECK_OPTIONS = ("model_name", "max_batch_size")


class SafetyAction(AnalyzedProcessAction):
    """``cfg_safe_check``: options of ``safe_check`` (model_name, max_batch_size); ``cfg_adversarial``: options of
    ``remove_adversarial_noise`` (diameter_min, ..., b_iters, g_iters)."""

    per_item = True

    def __init__(self, cfg_adversarial: Mapping[str, Any] | None = None,
                 cfg_safe_check: Mapping[str, Any] | None = None):
        self.cfg_adversarial = dict(cfg_adversarial or {})
        self.cfg_safe_check = dict(cfg_safe_check or {})
        unknown = sorted(set(self.cfg_safe_check) - set(_SAFE_CHECK_OPTIONS))
        if unknown:
            raise InvalidOptionError("SafetyAction cfg_safe_check", unknown, list(_SAFE_CHECK_OPTIONS),
                                     fix="Pass only options of safe_check.")

    def required_files(self) -> list[Any]:
        return models.required_files("safe_check", **self.cfg_safe_check)

    def analysis_key(self) -> dict[str, Any]:
        return {"func": "safe_check_score", "seed": CROP_SEED, **self.cfg_safe_check, "files": self.model_files_key()}

    def analyze(self, images) -> list[dict[str, float]]:
        from ..inference.safety import safe_check_score_batch

        return safe_check_score_batch(list(images), seed=CROP_SEED, **self.cfg_safe_check)

    def transform(self, item: ImageItem, analysis: dict[str, float]) -> ImageItem:
        from ..inference.safety import safe_label
        from .denoise import remove_adversarial_noise

        label, _ = safe_label(analysis)
        if label == "safe":
            return item  # unchanged, so its original bytes can be exported
        return item.with_image(remove_adversarial_noise(item.image, **self.cfg_adversarial))

    def __repr__(self) -> str:
        return f"SafetyAction(cfg_adversarial={self.cfg_adversarial!r}, cfg_safe_check={self.cfg_safe_check!r})"
