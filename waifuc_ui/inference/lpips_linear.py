"""Exact LPIPS without one model call per pair: the difference model as a weighted Euclidean distance.

The LPIPS difference model is a linear head over normalised features::

    d(x, y) = sum_l 1/(H_l W_l) sum_hw sum_c w_lc (x̂ - ŷ)^2,   x̂ = φ / (||φ||_c + 1e-10) per position, w >= 0

so ``d = ||u_x - u_y||^2`` with ``u = concat_l sqrt(w_lc / (H_l W_l)) x̂_l`` (:func:`embed`): every pair comes from
one Gram matrix, channels with zero weight drop out, and sums of ``u`` over spatial blocks divided by
``sqrt(block size)`` (:func:`pool`) give a lower bound on ``d`` (Jensen), a certified way to skip pairs.

``w`` is read from the difference model's graph (the 1x1 convolutions), else probed from the model; then the
fast path is checked against the model on sample pairs. A model of another structure fails that check and
:func:`linear_head` says so (``head.exact`` False): callers then use the model pair by pair, never a wrong answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .loaders import locked_cache, register
from .resolve import resolve_file
from .runtime import open_session
from .specs import LPIPS_DIFF

NORM_EPS = 1e-10
#: largest |fast - model| accepted on the check pairs
TOLERANCE = 1e-5
#: spatial grid of the lower bound (8 x 8 blocks per map: ~1,000 x 64 values per image; a coarser grid
#: loses most of the distance of unrelated images, a finer one costs memory)
BOUND_GRID = 8
_U32 = 2.0 ** -24  # unit roundoff of float32
_X = [f'feat_x_{i}' for i in range(5)]
_Y = [f'feat_y_{i}' for i in range(5)]


@dataclass(frozen=True)
class LinearHead:
    """The head's channel weights per layer (``exact``: checked against the model) or why there are none."""

    weights: tuple[np.ndarray, ...]
    exact: bool
    source: str  # 'graph', 'probe' or '' (not usable)
    reason: str = ''

    def kept(self, layer: int) -> np.ndarray:
        """Indices of the channels with non-zero weight."""
        return np.flatnonzero(self.weights[layer] > 0)


def _session():
    return open_session(resolve_file(LPIPS_DIFF, 'LPIPS difference model'))


def read_graph_weights(path: str) -> list[np.ndarray] | None:
    """The 1x1 convolution weights ``[1, C, 1, 1]`` fed (through any ops) by ``feat_x_l``/``feat_y_l`` only,
    one per layer, all >= 0; None when the graph has no such structure (or onnx is not installed)."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        return None
    graph = onnx.load(path).graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    producer = {out: node for node in graph.node for out in node.output}
    inputs = {i.name for i in graph.input}

    def feeding_inputs(name: str) -> set[str]:
        seen, todo, found = set(), [name], set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            if n in inputs:
                found.add(n)
            elif n in producer:
                todo.extend(producer[n].input)
        return found

    weights: dict[int, np.ndarray] = {}
    for node in graph.node:
        if node.op_type != 'Conv' or len(node.input) < 2 or node.input[1] not in inits:
            continue
        w = inits[node.input[1]]
        if w.ndim != 4 or w.shape[0] != 1 or w.shape[2:] != (1, 1) or (len(node.input) > 2 and node.input[2]):
            continue
        fed = feeding_inputs(node.input[0])
        layers = {int(n.rsplit('_', 1)[1]) for n in fed if n in _X or n in _Y}
        if len(layers) != 1 or len(fed) != 2 or (layer := layers.pop()) in weights:
            return None
        weights[layer] = w.reshape(-1).astype(np.float64)
    if sorted(weights) != list(range(5)) or any((w < 0).any() for w in weights.values()):
        return None
    return [weights[i] for i in range(5)]


def _input_shapes(session, fallback_spatial: int = 7) -> list[tuple[int, int, int]] | None:
    """(C, H, W) per layer from the model's inputs; symbolic spatial sizes become ``fallback_spatial``."""
    by_name = {i.name: i.shape for i in session.get_inputs()}
    shapes = []
    for name in _X:
        shape = by_name.get(name)
        if shape is None or len(shape) != 4 or not isinstance(shape[1], int):
            return None
        h, w = (s if isinstance(s, int) else fallback_spatial for s in shape[2:])
        shapes.append((shape[1], h, w))
    return shapes


def _run(session, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> np.ndarray:
    feed = {**dict(zip(_X, xs)), **dict(zip(_Y, ys))}
    return np.asarray(session.run(['output'], feed)[0], dtype=np.float64).reshape(-1)


def probe_weights(session, shapes: Sequence[tuple[int, int, int]], batch: int = 16) -> list[np.ndarray] | None:
    """``w`` measured from the model: x = channel c everywhere, y = 0 gives ``w_lc``. A model whose output
    does not ignore the features' scale or is not 0 for equal inputs is not this head: None (3 calls)."""
    rng = np.random.default_rng(0)
    x = [np.maximum(rng.standard_normal((1, *s)), 0).astype(np.float32) for s in shapes]
    y = [np.maximum(rng.standard_normal((1, *s)), 0).astype(np.float32) for s in shapes]
    d = _run(session, x, y)[0]
    if abs(_run(session, [a * 2.5 for a in x], y)[0] - d) > TOLERANCE * max(1.0, abs(d)) \
            or abs(_run(session, x, x)[0]) > TOLERANCE:
        return None
    weights = []
    for layer, (c, _, _) in enumerate(shapes):
        values = []
        for start in range(0, c, batch):
            channels = range(start, min(c, start + batch))
            xs = [np.zeros((len(channels), *s), np.float32) for s in shapes]
            ys = [np.zeros((len(channels), *s), np.float32) for s in shapes]
            for k, ch in enumerate(channels):
                xs[layer][k, ch] = 1.0
            values.append(_run(session, xs, ys))
        weights.append(np.maximum(np.concatenate(values), 0.0))
    return weights


def _check_pairs(shapes: Sequence[tuple[int, int, int]]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Sample pairs: unrelated, near (small noise), scaled copy, and ones with all-zero positions."""
    rng = np.random.default_rng(1)
    xs, ys = [], []
    for c, h, w in shapes:
        a = np.maximum(rng.standard_normal((4, c, h, w)), 0).astype(np.float32)
        b = np.maximum(rng.standard_normal((4, c, h, w)), 0).astype(np.float32)
        b[1] = np.maximum(a[1] + 0.05 * rng.standard_normal((c, h, w)), 0)
        b[2] = a[2] * 3.0
        a[3, :, : max(1, h // 3)] = 0.0
        xs.append(a)
        ys.append(b)
    return xs, ys


def head_distances(head: LinearHead, xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> np.ndarray:
    """The fast path's d for pairs (xs[:, i], ys[:, i]) (feature tuples with a batch axis), float64 [N]."""
    ux, uy = embed(xs, head).astype(np.float64), embed(ys, head).astype(np.float64)
    return ((ux - uy) ** 2).sum(axis=1)


def verify(head: LinearHead, session, shapes: Sequence[tuple[int, int, int]]) -> str:
    """'' when the fast path equals the model on the sample pairs (within TOLERANCE), else what differs."""
    xs, ys = _check_pairs(shapes)
    model = _run(session, xs, ys)
    fast = head_distances(head, xs, ys)
    worst = float(np.max(np.abs(model - fast)))
    return '' if worst <= TOLERANCE else f'differs from the difference model by {worst:.3g} on sample pairs'


@register
@locked_cache(maxsize=4)
def _head_for(path: str) -> LinearHead:
    session = open_session(path)
    shapes = _input_shapes(session)
    if shapes is None:
        return LinearHead((), False, '', 'the difference model has no fixed channel counts')
    weights, source = read_graph_weights(path), 'graph'
    if weights is None or [len(w) for w in weights] != [s[0] for s in shapes]:
        weights, source = probe_weights(session, shapes), 'probe'
    if weights is None:
        return LinearHead((), False, '', 'the difference model is not a linear head over normalised features')
    head = LinearHead(tuple(weights), True, source)
    problem = verify(head, session, shapes)
    return head if not problem else LinearHead(head.weights, False, source, problem)


def linear_head() -> LinearHead:
    """The current difference model's head, checked once per model file (``exact`` False: use the model)."""
    return _head_for(resolve_file(LPIPS_DIFF, 'LPIPS difference model'))


# -------------------------------------------------------------------------------------------- the embedding
def embed(feats: Sequence[np.ndarray], head: LinearHead) -> np.ndarray:
    """``u`` of each image: float32 [N, D] from feature maps [N, C_l, H_l, W_l] (zero-weight channels dropped).
    float32 arithmetic (channel norms summed in float64): each value is within a few float32 roundings of the
    exact one."""
    n = feats[0].shape[0]
    sizes = [len(head.kept(layer)) * f.shape[2] * f.shape[3] for layer, f in enumerate(feats)]
    out = np.empty((n, sum(sizes)), np.float32)
    offset = 0
    for layer, phi in enumerate(feats):
        keep = head.kept(layer)
        phi = np.asarray(phi, dtype=np.float32)
        _, c, h, w = phi.shape
        norm = np.sqrt(np.add.reduce(np.square(phi), axis=1, dtype=np.float64)).astype(np.float32)[:, None]
        norm += np.float32(NORM_EPS)
        scale = np.sqrt(head.weights[layer][keep] / (h * w)).astype(np.float32)[None, :, None, None]
        part = out[:, offset:offset + sizes[layer]].reshape(n, len(keep), h, w)
        np.divide(phi if len(keep) == c else phi[:, keep], norm, out=part)
        part *= scale
        offset += sizes[layer]
    return out


def layout(head: LinearHead, shapes: Sequence[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """(offset, kept channels, H, W) of each layer inside ``u``; ``shapes`` = (H, W) per layer."""
    out, offset = [], 0
    for layer, (h, w) in enumerate(shapes):
        c = len(head.kept(layer))
        out.append((offset, c, h, w))
        offset += c * h * w
    return out


def _block_edges(size: int, grid: int) -> np.ndarray:
    return np.unique(np.linspace(0, size, min(grid, size) + 1).round().astype(int))[:-1]


def pool(u: np.ndarray, parts: Sequence[tuple[int, int, int, int]], grid: int) -> np.ndarray:
    """Per image, the sums of ``u`` over ``grid x grid`` spatial blocks divided by sqrt(block size):
    ``||pool(u_x) - pool(u_y)||^2 <= ||u_x - u_y||^2`` (float64 [N, sum C_l * blocks])."""
    out = []
    for offset, c, h, w in parts:
        maps = u[:, offset:offset + c * h * w].reshape(len(u), c, h, w).astype(np.float64)
        rows, cols = _indicator(h, grid), _indicator(w, grid)  # [blocks, size] 0/1: sums as matrix products
        sums = np.matmul(np.matmul(rows, maps), cols.T)
        sizes = np.outer(rows.sum(axis=1), cols.sum(axis=1))
        out.append((sums / np.sqrt(sizes)).reshape(len(u), -1))
    return np.concatenate(out, axis=1)


def _indicator(size: int, grid: int) -> np.ndarray:
    edges = np.append(_block_edges(size, grid), size)
    out = np.zeros((len(edges) - 1, size))
    for k in range(len(edges) - 1):
        out[k, edges[k]:edges[k + 1]] = 1.0
    return out


def bound_margin(length: int, norms_a: np.ndarray, norms_b: np.ndarray) -> np.ndarray:
    """How far a float32 Gram-form bound ``na + nb - 2 a.b`` over ``length`` values (of float32-stored vectors)
    can exceed the true one, whatever the summation order: ``(2 gamma_length + 16 u) (na + nb)``, u = 2^-24."""
    gamma = length * _U32 / (1 - length * _U32)
    return (2 * gamma + 16 * _U32) * (norms_a + norms_b) + 1e-9


def gram_distances(a: np.ndarray, b: np.ndarray | None = None, chunk: int = 1 << 16) -> np.ndarray:
    """``||a_i - b_j||^2`` for all rows (float64 [len(a), len(b)]), from Gram blocks accumulated in float64."""
    b = a if b is None else b
    gram = np.zeros((len(a), len(b)), np.float64)
    na, nb = np.zeros(len(a)), np.zeros(len(b))
    for start in range(0, a.shape[1], chunk):
        ca = a[:, start:start + chunk].astype(np.float64)
        cb = ca if b is a else b[:, start:start + chunk].astype(np.float64)
        gram += ca @ cb.T
        na += (ca ** 2).sum(axis=1)
        nb += (cb ** 2).sum(axis=1)
    return np.maximum(na[:, None] + nb[None, :] - 2 * gram, 0.0)
