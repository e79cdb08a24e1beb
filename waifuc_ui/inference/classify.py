"""The deepghs generic classifier contract (imgutils ``ClassifyModel``), batched.

Preprocess: RGB on white; ``{model}/preprocess.json`` stages when shipped, else a BILINEAR stretch to the ONNX
input size (384x384 when not static), /255, (x-0.5)/0.5, NCHW float32. Output ``output`` is already a probability.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from waifuc_ui.core.errors import ModelRunError

from .inputs import channel_lut, encode_with_lut, load_rgb, prepared_batches
from .loaders import locked_cache, read_json, register
from .resolve import check_model_name, resolve_file
from .runtime import ModelSession, open_session
from .specs import ClassifierSpec
from .transforms import build_pipeline


@dataclass(frozen=True)
class Classifier:
    """An opened classifier: session, label groups, preprocessing, whether batches >1 are allowed."""
    name: str
    session: ModelSession
    labels: dict[str, tuple[str, ...]]
    preprocess: Callable | None
    size: tuple[int, int]  # (width, height) for the fallback stretch
    batchable: bool


def _pm1(x: np.ndarray) -> np.ndarray:
    """The reference formula on uint8 CHW values: /255 (float32), then (x - 0.5) / 0.5 in float64, float32."""
    data = x.astype(np.float32) / 255
    mean, std = np.asarray([0.5]).reshape(-1, 1, 1), np.asarray([0.5]).reshape(-1, 1, 1)
    return ((data - mean) / std).astype(np.float32)


_PM1_LUT = channel_lut(_pm1)


def _fallback_encode(image: Image.Image, size: tuple[int, int]) -> np.ndarray:
    return encode_with_lut(image.resize(size, Image.Resampling.BILINEAR), _PM1_LUT)


@register
@locked_cache(maxsize=32)
def _open(model_path: str, meta_path: str, preprocess_path: str | None, name: str) -> Classifier:
    session = open_session(model_path)
    batch, channels, height, width = session.get_inputs()[0].shape
    if channels != 3:
        raise ModelRunError(f'classifier {name!r} expects {channels} channels, not 3',
                            'use a deepghs classifier model (3-channel input)', path=model_path)
    size = (width, height) if isinstance(height, int) and isinstance(width, int) else (384, 384)
    meta = read_json(meta_path)
    groups = {**(meta.get('other_labels') or {}), 'default': meta['labels']}
    preprocess = build_pipeline(read_json(preprocess_path)['stages']) if preprocess_path else None
    return Classifier(name, session, {k: tuple(v) for k, v in groups.items()}, preprocess, size,
                      batchable=not (isinstance(batch, int) and batch == 1))


def open_classifier(spec: ClassifierSpec, model_name: str) -> Classifier:
    """Resolve the files of ``spec``/``model_name`` and open (once) the classifier."""
    check_model_name('classifier', spec.repo_id, model_name, spec.known_models, spec.model_file(model_name))
    what = f'classifier model {model_name!r}'
    model_path = resolve_file(spec.model_file(model_name), what)
    meta_path = resolve_file(spec.meta_file(model_name), what)
    preprocess_path = resolve_file(spec.preprocess_file(model_name), what, optional=True)
    return _open(model_path, meta_path, preprocess_path, model_name)


def encode(clf: Classifier, image) -> np.ndarray:
    """The CHW float32 tensor imgutils feeds for ``image``."""
    img = load_rgb(image)
    if clf.preprocess is not None:
        return np.asarray(clf.preprocess(img))
    return _fallback_encode(img, clf.size)


def _outputs(clf: Classifier, images: Sequence, batch_size: int) -> np.ndarray:
    size = batch_size if clf.batchable else 1
    rows: list[np.ndarray] = []
    for _, tensors in prepared_batches(images, size, lambda im: encode(clf, im)):
        rows.append(clf.session.run(['output'], {'input': np.stack(tensors)})[0])
    n_labels = len(clf.labels['default'])
    return np.concatenate(rows) if rows else np.zeros((0, n_labels), np.float32)


def predict_outputs(spec: ClassifierSpec, images: Sequence, model_name: str, batch_size: int = 16) -> np.ndarray:
    """``output`` probabilities [N, C], one ONNX call per batch."""
    return _outputs(open_classifier(spec, model_name), images, batch_size)


def labels_scores_topk(labels: Sequence[str], scores: np.ndarray, topk: int | None = 20) -> dict[str, float]:
    """Labels -> scores sorted by descending score (stable); only the top k when k < number of labels."""
    labels_arr = np.asarray(labels)
    if topk and topk < labels_arr.shape[-1]:
        idx = np.argpartition(scores, -topk)[-topk:]
        idx = idx[np.argsort(-scores[idx], kind='mergesort')]
    else:
        idx = np.argsort(-scores, kind='mergesort')
    return dict(zip(labels_arr[idx].tolist(), scores[idx].tolist()))


def predict_scores(spec: ClassifierSpec, images: Sequence, model_name: str, batch_size: int = 16,
                   topk: int | None = 20, label_group: str = 'default') -> list[dict[str, float]]:
    clf = open_classifier(spec, model_name)
    labels = clf.labels[label_group]
    return [labels_scores_topk(labels, row, topk) for row in _outputs(clf, images, batch_size)]


def predict_labels(spec: ClassifierSpec, images: Sequence, model_name: str, batch_size: int = 16,
                   label_group: str = 'default') -> list[tuple[str, float]]:
    clf = open_classifier(spec, model_name)
    labels = clf.labels[label_group]
    out = []
    for row in _outputs(clf, images, batch_size):
        i = int(np.argmax(row))
        out.append((labels[i], row[i].item()))
    return out
