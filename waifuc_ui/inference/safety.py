"""Adversarial-noise check (``mf666/shit-checker`` ``{model_name}.onnx``), imgutils 0.19.0 ``safe_check``.

Per image: ``n = max(min(ceil(W * H / 384**2) + 1, max_batch_size), 1)`` random 384x384 crops (x0 from
``randint(0, max(0, W - 384))``, y0 alike, clipped to the image), each RGB (on white) resized to 384x384 BILINEAR,
``(x / 255 - 0.5) / 0.5`` CHW float32 -> input ``input``, output ``output`` [n, 2] = (polluted, safe), averaged
over the crops. The label is the argmax. imgutils draws the crops from the global ``random``; with ``seed`` each
image draws from its own ``random.Random(seed)``, so a result does not depend on the batch (and can be cached).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

import numpy as np
from PIL import Image

from .inputs import channel_lut, encode_with_lut, load_rgb
from .registry import register_model
from .resolve import resolve_file
from .runtime import open_session
from .specs_extra import SAFE_CHECK, SAFE_CHECK_DEFAULT, safe_check_file

SAFE_LABELS = ('polluted', 'safe')
CROP = 384
_LUT = channel_lut(lambda x: ((x / 255.0).astype(np.float32) - 0.5) / 0.5)


def crop_boxes(width: int, height: int, max_batch_size: int, rng) -> list[tuple[int, int, int, int]]:
    """The random crops imgutils takes of a ``width`` x ``height`` image (same calls on ``rng``)."""
    n = int(max(min(math.ceil(width * height / (CROP * CROP)) + 1, max_batch_size), 1))
    boxes = []
    for _ in range(n):
        x0 = rng.randint(0, max(0, width - CROP))
        y0 = rng.randint(0, max(0, height - CROP))
        boxes.append((x0, y0, min(x0 + CROP, width), min(y0 + CROP, height)))
    return boxes


def safe_input(crop: Image.Image) -> np.ndarray:
    return encode_with_lut(crop.convert('RGB').resize((CROP, CROP), Image.Resampling.BILINEAR), _LUT)


def safe_check_score_batch(images: Sequence, model_name: str = SAFE_CHECK_DEFAULT, max_batch_size: int = 8,
                           seed: int | None = None, batch_size: int = 16) -> list[dict[str, float]]:
    """``{'polluted': p, 'safe': s}`` per image; the crops of several images share ONNX calls."""
    path = resolve_file(safe_check_file(model_name), f'safety check model {model_name!r}')
    session = open_session(path)
    tensors, owners = [], []
    for k, image in enumerate(images):
        rgb = load_rgb(image)
        rng = random if seed is None else random.Random(seed)
        for box in crop_boxes(rgb.width, rgb.height, max_batch_size, rng):
            tensors.append(safe_input(rgb.crop(box)))
            owners.append(k)
    outputs = []
    for start in range(0, len(tensors), max(1, batch_size)):
        outputs.append(session.run(['output'], {'input': np.stack(tensors[start:start + batch_size])})[0])
    scores = np.concatenate(outputs) if outputs else np.zeros((0, 2), np.float32)
    owner = np.asarray(owners)
    result = []
    for k in range(len(images)):
        mean = scores[owner == k].mean(axis=0)
        result.append({label: float(v) for label, v in zip(SAFE_LABELS, mean)})
    return result


@register_model(SAFE_CHECK)
def safe_check_score(image, model_name: str = SAFE_CHECK_DEFAULT, max_batch_size: int = 8,
                     seed: int | None = None) -> dict[str, float]:
    return safe_check_score_batch([image], model_name, max_batch_size, seed)[0]


def safe_label(scores: dict[str, float]) -> tuple[str, float]:
    """imgutils' argmax (the first label wins a tie)."""
    values = [scores[label] for label in SAFE_LABELS]
    i = int(np.argmax(values))
    return SAFE_LABELS[i], values[i]


@register_model(SAFE_CHECK)
def safe_check(image, model_name: str = SAFE_CHECK_DEFAULT, max_batch_size: int = 8,
               seed: int | None = None) -> tuple[str, float]:
    """('safe' or 'polluted', its score)."""
    return safe_label(safe_check_score(image, model_name, max_batch_size, seed))
