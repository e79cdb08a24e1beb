"""Shared pieces of the model-backed actions: detector analyses at a confidence floor,
counting rules, classifier labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image

#: detections are cached as the model's pre-NMS candidates above this confidence (or the user's, when
#: lower); the decision filters them by the user's confidence and runs NMS with the user's IoU, which
#: gives exactly what a run at those thresholds gives (see waifuc_ui.inference.yolo).
DETECTION_CONF_FLOOR = 0.05

Box = tuple[int, int, int, int]
Detection = tuple[Box, str, float]

def conf_floor(conf_threshold: float) -> float:
    return min(float(conf_threshold), DETECTION_CONF_FLOOR)


def detector_analyses(detector: str, images: Sequence[Image.Image], floor: float, model_kwargs: dict[str, Any],
                      batch_kwargs: dict[str, Any]) -> list[dict[str, Any]]:
    """Cacheable pre-NMS candidates of ``detector`` (e.g. 'detect_faces') per image, one batched call."""
    from ..inference import model_spec
    from ..inference.detect import detect_candidates_batch

    cands = detect_candidates_batch(model_spec(detector).kind, list(images), floor=floor, **model_kwargs,
                                    **batch_kwargs)
    return [{"rows": np.asarray(c.rows, dtype=np.float32), "layout": c.layout, "labels": list(c.labels),
             "old_size": list(c.old_size), "new_size": [float(v) for v in c.new_size], "floor": float(c.floor)}
            for c in cands]


def decode_detections(analysis: dict[str, Any], conf_threshold: float, iou_threshold: float) -> list[Detection]:
    """The detections a run at ``conf_threshold`` / ``iou_threshold`` gives, highest score first."""
    from ..inference.yolo import Candidates, decode_candidates

    rows = np.asarray(analysis["rows"], dtype=np.float32)
    if rows.ndim != 2:
        rows = rows.reshape(0, 6 if analysis["layout"] == "e2e" else 4 + len(analysis["labels"]))
    cand = Candidates(rows, analysis["layout"], tuple(analysis["labels"]), tuple(analysis["old_size"]),
                      tuple(analysis["new_size"]), analysis["floor"])
    return decode_candidates(cand, conf_threshold, iou_threshold)


def detector_model_kwargs(conf: dict[str, Any]) -> dict[str, Any]:
    """The options of a detect_* keyword dict that change the model run (not the thresholds)."""
    return {k: conf[k] for k in ("level", "version", "model_name", "allow_dynamic") if k in conf}


def count_rule(counts: Sequence[int], min_count: int | None, max_count: int | None) -> str:
    parts = []
    if counts:
        parts.append(f"in {sorted(set(counts))}")
    if min_count is not None:
        parts.append(f">= {min_count}")
    if max_count is not None:
        parts.append(f"<= {max_count}")
    return " and ".join(parts) or "any"


def count_ok(n: int, counts: Sequence[int], min_count: int | None, max_count: int | None) -> bool:
    """waifuc's rule: ``min <= n <= max`` and, when counts are given, ``n in counts``."""
    return (min_count is None or n >= min_count) and (max_count is None or n <= max_count) \
        and (not counts or n in counts)


def top_label(scores: dict[str, float]) -> tuple[str, float]:
    """argmax of a label -> score dict kept in label order or sorted stably by score: the
    first of equal maxima wins, as numpy's argmax over the label order."""
    best = max(scores.items(), key=lambda kv: kv[1])
    return best[0], best[1]


def classifier_labels(func_name: str, model_name: str) -> tuple[str, ...]:
    """The labels a classifier ships in its ``meta.json`` (opens the model once)."""
    from ..inference import classify, model_spec

    return tuple(classify.open_classifier(model_spec(func_name), model_name).labels["default"])


def classifier_scores(func_name: str, images: Sequence[Image.Image], model_name: str,
                      batch_kwargs: dict[str, Any]) -> list[dict[str, float]]:
    """Full label -> probability dicts, one batched call (monochrome included, not only its score)."""
    from ..inference import classify, model_spec

    return classify.predict_scores(model_spec(func_name), list(images), model_name, topk=None, **batch_kwargs)
