"""CCIP features as cached analyses: their cache key (shared by CCIPAction and the character review) and the
batched extraction."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import inference as models
from ..inference.specs import CCIP_DEFAULT

DEFAULT_CCIP_MODEL = CCIP_DEFAULT


def ccip_feature_files(model: str = DEFAULT_CCIP_MODEL) -> list[Any]:
    """The feature model's files (the metric model is not part of a feature's identity)."""
    return [f for f in models.required_files("ccip_batch_extract_features", model=model)
            if f.filename.endswith("model_feat.onnx")]


def ccip_feature_key(model: str = DEFAULT_CCIP_MODEL, size: int = 384) -> dict[str, Any]:
    """The analysis key of CCIP features (shared by CCIPAction and the review functions)."""
    return {"func": "ccip_batch_extract_features", "model": model, "size": size,
            "files": [models.file_fingerprint(f) for f in ccip_feature_files(model)]}


def ccip_features(images, model: str, batch_kwargs: dict[str, Any]) -> list[np.ndarray]:
    """float32 CCIP features of ``images`` (batched model calls)."""
    feats = models.ccip_batch_extract_features(list(images), model=model, **batch_kwargs)
    return [np.asarray(f, dtype=np.float32) for f in feats]
