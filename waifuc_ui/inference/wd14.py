"""WD14 taggers (SmilingWolf models as re-exported with embeddings by deepghs), imgutils 0.19.0 contract.

Preprocess: paste on a white square canvas (side max(W, H), floor offsets) using the image itself as mask (so
RGBA/LA alpha composites on white, L uses its own luminance, RGB/P/CMYK paste plainly), BICUBIC to the ONNX input
side (448), float32 0-255, RGB->BGR, NHWC. Output 0: probabilities; output 1: embedding.
Post-process: ratings all; general/character strictly above their thresholds, CSV order; MCut optional.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image

from .inputs import prepared_batches, to_pil
from .loaders import locked_cache, register
from .registry import register_model
from .resolve import resolve_file
from .runtime import ModelSession, open_session
from .specs import WD14
from .tag_filters import drop_overlap_tags, remove_underline

_FMT = ('rating', 'general', 'character')
_DEFAULT = WD14.default_model


@dataclass(frozen=True)
class TagLabels:
    names: tuple[str, ...]
    rating: tuple[int, ...]
    general: tuple[int, ...]
    character: tuple[int, ...]


@register
@locked_cache(maxsize=16)
def _read_labels(csv_path: str, no_underline: bool) -> TagLabels:
    import pandas as pd
    df = pd.read_csv(csv_path)
    names = df['name']
    if no_underline:
        names = names.map(remove_underline)
    cat = df['category']
    return TagLabels(tuple(names.tolist()), *(tuple(int(i) for i in np.where(cat == c)[0]) for c in (9, 0, 4)))


def load_labels(model_name: str = _DEFAULT, no_underline: bool = False) -> TagLabels:
    """Tag names and category indexes from ``selected_tags.csv`` of the SmilingWolf repo."""
    _, csv_file = WD14.model_files(model_name)
    return _read_labels(resolve_file(csv_file, f'WD14 tagger {model_name!r}'), bool(no_underline))


def open_model(model_name: str = _DEFAULT) -> ModelSession:
    model_file, _ = WD14.model_files(model_name)
    return open_session(resolve_file(model_file, f'WD14 tagger {model_name!r}'))


def prepare_image(image, target_size: int) -> np.ndarray:
    """The [H, W, 3] BGR float32 0-255 array imgutils feeds for ``image`` (no batch axis)."""
    image = to_pil(image)
    max_dim = max(image.size)
    pad_left, pad_top = (max_dim - image.size[0]) // 2, (max_dim - image.size[1]) // 2
    canvas = Image.new('RGB', (max_dim, max_dim), (255, 255, 255))
    try:
        canvas.paste(image, (pad_left, pad_top), mask=image)
    except ValueError:
        canvas.paste(image, (pad_left, pad_top))
    if max_dim != target_size:
        canvas = canvas.resize((target_size, target_size), Image.Resampling.BICUBIC)
    return np.asarray(canvas, dtype=np.float32)[:, :, ::-1]


@register_model(WD14)
def wd14_predict_batch(images: Sequence, model_name: str = _DEFAULT, batch_size: int = 16,
                       with_embeddings: bool = False):
    """Raw tag probabilities [N, n_tags] float32 (and embeddings [N, D] when ``with_embeddings``)."""
    session = open_model(model_name)
    inp = session.get_inputs()[0]
    batch, target_size = inp.shape[0], inp.shape[1]
    outputs = session.get_outputs()
    names = [outputs[0].name] + ([outputs[1].name] if with_embeddings else [])
    size = 1 if isinstance(batch, int) and batch == 1 else batch_size
    preds, embs = [], []
    for _, arrays in prepared_batches(images, size, lambda im: prepare_image(im, target_size)):
        result = session.run(names, {inp.name: np.stack(arrays)})
        preds.append(result[0])
        if with_embeddings:
            embs.append(result[1])
    n_tags = outputs[0].shape[-1] if isinstance(outputs[0].shape[-1], int) else 0
    pred = np.concatenate(preds) if preds else np.zeros((0, n_tags), np.float32)
    if not with_embeddings:
        return pred
    return pred, (np.concatenate(embs) if embs else np.zeros((0, 0), np.float32))


def mcut_threshold(probs: np.ndarray) -> float:
    """MCut: midpoint of the largest gap between neighbours of the descending probabilities."""
    sorted_probs = probs[probs.argsort()[::-1]]
    difs = sorted_probs[:-1] - sorted_probs[1:]
    t = difs.argmax()
    return (sorted_probs[t] + sorted_probs[t + 1]) / 2


def vreplace(fmt: Any, mapping: dict) -> Any:
    """Replace every hashable leaf of ``fmt`` (str, tuple, list, dict values) found in ``mapping``."""
    if isinstance(fmt, (list, tuple)):
        return type(fmt)(vreplace(v, mapping) for v in fmt)
    if isinstance(fmt, dict):
        return {k: vreplace(v, mapping) for k, v in fmt.items()}
    try:
        return mapping.get(fmt, fmt)
    except TypeError:
        return fmt


@register_model(WD14)
def wd14_decode(prediction_row: np.ndarray, model_name: str = _DEFAULT, general_threshold: float = 0.35,
                general_mcut_enabled: bool = False, character_threshold: float = 0.85,
                character_mcut_enabled: bool = False, no_underline: bool = False, drop_overlap: bool = False,
                fmt=_FMT, embedding: np.ndarray | None = None):
    """What :func:`get_wd14_tags` returns, from one row of :func:`wd14_predict_batch`."""
    labels = load_labels(model_name, no_underline)
    pred = np.asarray(prediction_row)
    probs = pred.astype(float)
    rating = {labels.names[i]: probs[i].item() for i in labels.rating}

    general = [(labels.names[i], probs[i]) for i in labels.general]
    if general_mcut_enabled:
        general_threshold = mcut_threshold(np.array([p for _, p in general]))
    general_res = {n: p.item() for n, p in general if p > general_threshold}
    if drop_overlap:
        general_res = drop_overlap_tags(general_res)

    character = [(labels.names[i], probs[i]) for i in labels.character]
    if character_mcut_enabled:
        character_threshold = max(0.15, mcut_threshold(np.array([p for _, p in character])))
    character_res = {n: p.item() for n, p in character if p > character_threshold}

    values = {'rating': rating, 'general': general_res, 'character': character_res,
              'tag': {**general_res, **character_res}, 'prediction': pred.astype(np.float32)}
    if embedding is not None:
        values['embedding'] = np.asarray(embedding).astype(np.float32)
    elif 'embedding' in _leaves(fmt):
        raise ValueError("fmt asks for 'embedding' but no embedding was given to wd14_decode")
    return vreplace(fmt, values)


def _leaves(fmt) -> list:
    if isinstance(fmt, (list, tuple)):
        return [x for v in fmt for x in _leaves(v)]
    if isinstance(fmt, dict):
        return [x for v in fmt.values() for x in _leaves(v)]
    return [fmt]


@register_model(WD14)
def get_wd14_tags_batch(images: Sequence, model_name: str = _DEFAULT, general_threshold: float = 0.35,
                        general_mcut_enabled: bool = False, character_threshold: float = 0.85,
                        character_mcut_enabled: bool = False, no_underline: bool = False,
                        drop_overlap: bool = False, fmt=_FMT, batch_size: int = 16) -> list:
    """:func:`get_wd14_tags` for many images, one ONNX call per batch."""
    want_emb = 'embedding' in _leaves(fmt)
    result = wd14_predict_batch(images, model_name, batch_size, with_embeddings=want_emb)
    preds, embs = result if want_emb else (result, [None] * len(result))
    return [wd14_decode(p, model_name, general_threshold, general_mcut_enabled, character_threshold,
                        character_mcut_enabled, no_underline, drop_overlap, fmt, embedding=e)
            for p, e in zip(preds, embs)]


@register_model(WD14)
def get_wd14_tags(image, model_name: str = _DEFAULT, general_threshold: float = 0.35,
                  general_mcut_enabled: bool = False, character_threshold: float = 0.85,
                  character_mcut_enabled: bool = False, no_underline: bool = False, drop_overlap: bool = False,
                  fmt=_FMT):
    """imgutils ``get_wd14_tags``: by default ``(rating, general, character)`` dicts of tag -> probability."""
    return get_wd14_tags_batch([image], model_name, general_threshold, general_mcut_enabled, character_threshold,
                               character_mcut_enabled, no_underline, drop_overlap, fmt)[0]
