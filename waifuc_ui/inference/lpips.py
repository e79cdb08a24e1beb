"""LPIPS image similarity (``deepghs/imgutils-models`` lpips/*), imgutils 0.19.0 contract.

Features: RGB on white, BILINEAR stretch to 400x400, /255, NCHW -> ``lpips_feature.onnx`` (5 maps). Differences:
``lpips_diff.onnx`` on pairs of feature tuples (``feat_x_i``, ``feat_y_i``), one scalar per pair; the distance
matrix (and so ``lpips_clustering``) comes from the exact fast path when it applies: embeddings
(:mod:`.lpips_linear`) spilled to disk batch by batch and one Gram pass over them (:mod:`.lpips_gram`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from PIL import Image

from .clustering import cluster_precomputed
from .inputs import load_rgb, prepared_batches, rgb_encode
from .lpips_gram import VectorSpill, pair_distances
from .lpips_linear import LinearHead, embed, linear_head
from .registry import register_model
from .resolve import resolve_file
from .runtime import ModelSession, open_session
from .specs import LPIPS, LPIPS_DIFF, LPIPS_FEATURE

Features = tuple[np.ndarray, ...]
_FEATS = ['feat_0', 'feat_1', 'feat_2', 'feat_3', 'feat_4']
_X = ['feat_x_0', 'feat_x_1', 'feat_x_2', 'feat_x_3', 'feat_x_4']
_Y = ['feat_y_0', 'feat_y_1', 'feat_y_2', 'feat_y_3', 'feat_y_4']


def _feature_session() -> ModelSession:
    return open_session(resolve_file(LPIPS_FEATURE, 'LPIPS feature model'))


def _diff_session() -> ModelSession:
    return open_session(resolve_file(LPIPS_DIFF, 'LPIPS difference model'))


def preprocess(image) -> np.ndarray:
    """The [3, 400, 400] float32 tensor imgutils feeds for ``image``."""
    return rgb_encode(load_rgb(image).resize((400, 400), resample=Image.Resampling.BILINEAR))


def _is_single(image) -> bool:
    return not isinstance(image, (list, tuple))


@register_model(LPIPS)
def lpips_extract_feature(image, batch_size: int = 16) -> Features:
    """5 feature maps with a batch axis: [1, ...] for one image, [N, ...] for a list (one call per batch)."""
    images = [image] if _is_single(image) else list(image)
    session = _feature_session()
    parts = [session.run(_FEATS, {'input': np.stack(tensors)})
             for _, tensors in prepared_batches(images, batch_size, preprocess)]
    if not parts:
        raise ValueError('lpips_extract_feature needs at least one image')
    if len(parts) == 1:
        return tuple(parts[0])
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(5))


@register_model(LPIPS)
def lpips_batch_differences(feats_x: Features, feats_y: Features, batch_size: int = 64) -> np.ndarray:
    """LPIPS difference of pair i = (feats_x[:, i], feats_y[:, i]) for every i: float32 [N]."""
    session = _diff_session()
    n = feats_x[0].shape[0]
    out = []
    for start in range(0, n, batch_size):
        sl = slice(start, start + batch_size)
        feed = {**{k: v[sl] for k, v in zip(_X, feats_x)}, **{k: v[sl] for k, v in zip(_Y, feats_y)}}
        out.append(session.run(['output'], feed)[0].reshape(-1))
    return np.concatenate(out) if out else np.zeros((0,), np.float32)


def _auto_feat(x) -> Features:
    return tuple(x) if isinstance(x, (tuple, list)) else lpips_extract_feature(x)


@register_model(LPIPS)
def lpips_difference(img1, img2) -> float:
    """LPIPS difference of two images or feature tuples; below 0.45 usually means similar."""
    return lpips_batch_differences(_auto_feat(img1), _auto_feat(img2))[0].item()


def lpips_distance_matrix(feats: Features, batch_size: int = 64, threshold: float | None = None) -> np.ndarray:
    """Symmetric [N, N] LPIPS matrix. The exact fast path (embeddings spilled, one Gram pass; pairs within its error
    bound of ``threshold`` get the reference form) when the difference model is the LPIPS linear head, else the
    model over pairs i <= j."""
    n = feats[0].shape[0]
    head = linear_head()
    if head.exact:
        return _spilled_matrix((tuple(f[s:s + 16] for f in feats) for s in range(0, n, 16)), head, threshold)
    ii, jj = np.triu_indices(n)
    d = np.zeros((n, n), np.float64)
    for start in range(0, len(ii), batch_size):
        a, b = ii[start:start + batch_size], jj[start:start + batch_size]
        vals = lpips_batch_differences(tuple(f[a] for f in feats), tuple(f[b] for f in feats), batch_size)
        d[a, b] = vals
        d[b, a] = vals
    return d


def _spilled_matrix(batches: Iterable[Features], head: LinearHead, threshold: float | None) -> np.ndarray:
    spill = VectorSpill()
    try:
        for batch in batches:
            for u in embed(batch, head):
                spill.append(u)
        n = spill.count
        ii, jj = np.triu_indices(n, k=1)
        d = np.zeros((n, n), np.float64)
        if len(ii):
            limit = np.inf if threshold is None else threshold
            rows = np.arange(n)
            d[ii, jj], _ = pair_distances(spill.columns, rows, spill.norms(rows), ii, jj, spill.length, limit)
            d[jj, ii] = d[ii, jj]
        return d
    finally:
        spill.close()


@register_model(LPIPS)
def lpips_clustering(images: Sequence, threshold: float = 0.45) -> list[int]:
    """DBSCAN(eps=threshold, min_samples=2) on LPIPS differences; -1 = noise. Images or feature tuples."""
    items = list(images)
    if not items:
        return []
    head = linear_head()
    if head.exact:  # features batch by batch, never all in memory
        batches = (_stacked([_auto_feat(x) for x in items[s:s + 16]]) if any(isinstance(x, (tuple, list))
                   for x in items[s:s + 16]) else lpips_extract_feature(items[s:s + 16])
                   for s in range(0, len(items), 16))
        return cluster_precomputed(_spilled_matrix(batches, head, threshold), 'dbscan', threshold, 2)
    feats = [_auto_feat(x) for x in items]
    return cluster_precomputed(lpips_distance_matrix(_stacked(feats)), 'dbscan', threshold, 2)


def _stacked(feats: Sequence[Features]) -> Features:
    return tuple(np.concatenate([f[k] for f in feats]) for k in range(5))
