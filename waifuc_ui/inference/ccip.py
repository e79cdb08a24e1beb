"""CCIP character similarity (``deepghs/ccip_onnx``), imgutils 0.19.0 contract.

Features: RGB on white, BILINEAR stretch to size x size, /255, CLIP mean/std, NCHW -> ``model_feat.onnx`` [N, 768].
Differences: ``model_metrics.onnx`` turns stacked features into the [N, N] matrix (never a guessed formula).
Threshold from ``metrics.json``, clustering parameters from ``cluster.json``. Any ``np.ndarray`` argument is a
feature, anything else an image.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image

from waifuc_ui.core.errors import InvalidOptionError

from .clustering import cluster_precomputed
from .hub import HubFile
from .inputs import channel_lut, encode_with_lut, load_rgb, prepared_batches
from .loaders import read_json
from .registry import register_model
from .resolve import check_model_name, resolve_file
from .runtime import open_session
from .specs import CCIP, Options

CCIP_DEFAULT = CCIP.default_model
_MEAN = np.asarray((0.48145466, 0.4578275, 0.40821073))
_STD = np.asarray((0.26862954, 0.26130258, 0.27577711))


def _path(model: str, kind: str) -> str:
    files = CCIP.model_files(model)
    check_model_name('CCIP', CCIP.repo_id, model, CCIP.known_models, files['model_feat.onnx'])
    return resolve_file(files[kind], f'CCIP model {model!r}')


def _clip_normalise(x: np.ndarray) -> np.ndarray:
    """The reference formula on uint8 CHW values: /255 (float32), CLIP mean/std in float64, then float32."""
    data = x.astype(np.float32) / 255.0
    return ((data - _MEAN[:, None, None]) / _STD[:, None, None]).astype(np.float32)


_CLIP_LUT = channel_lut(_clip_normalise)


def _with_threshold(options: Options) -> list[HubFile]:
    return CCIP.files(options) + CCIP.files_with(options, 'metrics.json')


def _threshold_only(options: Options) -> list[HubFile]:
    return CCIP.files_with(options, 'metrics.json')


def _clustering(options: Options) -> list[HubFile]:
    return CCIP.files(options) + CCIP.clustering_files(options)


def preprocess(image, size: int = 384) -> np.ndarray:
    """The [3, size, size] float32 tensor imgutils feeds for ``image``."""
    return encode_with_lut(load_rgb(image).resize((size, size), resample=Image.Resampling.BILINEAR), _CLIP_LUT)


@register_model(CCIP)
def ccip_batch_extract_features(images: Sequence, size: int = 384, model: str = CCIP_DEFAULT,
                                batch_size: int = 16) -> np.ndarray:
    """Features [N, 768] float32, one ONNX call per batch."""
    session = open_session(_path(model, 'model_feat.onnx'))
    outs = [session.run(['output'], {'input': np.stack(tensors)})[0]
            for _, tensors in prepared_batches(images, batch_size, lambda im: preprocess(im, size))]
    return np.concatenate(outs) if outs else np.zeros((0, 768), np.float32)


@register_model(CCIP)
def ccip_extract_feature(image, size: int = 384, model: str = CCIP_DEFAULT) -> np.ndarray:
    return ccip_batch_extract_features([image], size, model)[0]


def _features(items: Sequence, size: int, model: str) -> np.ndarray:
    """Stack features; images are extracted one by one (batch 1), exactly as the reference does here.
    Pass features from :func:`ccip_batch_extract_features` to batch the expensive part."""
    return np.stack([x if isinstance(x, np.ndarray) else ccip_extract_feature(x, size, model)
                     for x in items]).astype(np.float32)


@register_model(CCIP, _threshold_only)
def ccip_default_threshold(model: str = CCIP_DEFAULT) -> float:
    """``metrics.json["threshold"]`` of the model (0.17847511429108218 for the default)."""
    return read_json(_path(model, 'metrics.json'))['threshold']


@register_model(CCIP)
def ccip_batch_differences(images: Sequence, size: int = 384, model: str = CCIP_DEFAULT) -> np.ndarray:
    """The [N, N] difference matrix from ``model_metrics.onnx`` (images or features)."""
    feats = _features(images, size, model)
    return open_session(_path(model, 'model_metrics.onnx')).run(['output'], {'input': feats})[0]


@register_model(CCIP)
def ccip_difference(x, y, size: int = 384, model: str = CCIP_DEFAULT) -> float:
    return ccip_batch_differences([x, y], size, model)[0, 1].item()


@register_model(CCIP, _with_threshold)
def ccip_same(x, y, threshold: float | None = None, size: int = 384, model: str = CCIP_DEFAULT) -> bool:
    """difference <= threshold (default: the model's threshold)."""
    diff = ccip_difference(x, y, size, model)
    return diff <= (threshold if threshold is not None else ccip_default_threshold(model))


@register_model(CCIP, _with_threshold)
def ccip_batch_same(images: Sequence, threshold: float | None = None, size: int = 384,
                    model: str = CCIP_DEFAULT) -> np.ndarray:
    diffs = ccip_batch_differences(images, size, model)
    return diffs <= (threshold if threshold is not None else ccip_default_threshold(model))


@register_model(CCIP, CCIP.clustering_files)
def ccip_default_clustering_params(model: str = CCIP_DEFAULT, method: str = 'optics') -> tuple[float, int]:
    """(eps, min_samples): dbscan -> (threshold, 2); optics -> (0.5, 5); others from ``cluster.json``."""
    if method not in CCIP.methods:
        raise InvalidOptionError('CCIP clustering method', method, CCIP.methods, fix='Use one of these methods.')
    if method == 'dbscan':
        return ccip_default_threshold(model), 2
    if method == 'optics':
        return 0.5, 5
    info = read_json(_path(model, 'cluster.json'))['optics' if method == 'optics_best' else method]
    return info['eps'], info['min_samples']


@register_model(CCIP, _clustering)
def ccip_clustering(images: Sequence, method: str = 'optics', eps: float | None = None,
                    min_samples: int | None = None, size: int = 384, model: str = CCIP_DEFAULT) -> list[int]:
    """Cluster labels (-1 = noise) with DBSCAN / OPTICS on the metric model's difference matrix.
    As in imgutils, ``eps or default``: an explicit 0 means the default."""
    default_eps, default_min = ccip_default_clustering_params(model, method)
    eps, min_samples = eps or default_eps, min_samples or default_min
    diffs = ccip_batch_differences(images, size, model)
    return cluster_precomputed(diffs, 'dbscan' if 'dbscan' in method else 'optics', eps, min_samples)


@register_model(CCIP)
def ccip_merge(images: Sequence, size: int = 384, model: str = CCIP_DEFAULT) -> np.ndarray:
    """Mean of L2-normalised features, renormalised to the mean original length."""
    embs = _features(images, size, model)
    lengths = np.linalg.norm(embs, axis=-1)
    embs = embs / lengths.reshape(-1, 1)
    merged = embs.mean(axis=0)
    return merged / np.linalg.norm(merged) * lengths.mean()
