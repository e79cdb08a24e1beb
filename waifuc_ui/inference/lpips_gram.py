"""Exact LPIPS distances of many pairs in one pass over embeddings spilled to disk.

The embeddings ``u`` (:func:`.lpips_linear.embed`, about 5.6 MB each) of a run's images go to a
:class:`VectorSpill`. :func:`gram_pass` reads the spill once, by column slabs of every row, and sums the slabs'
float64 Gram products (BLAS syrk/gemm): ``d_ij = n_i + n_j - 2 G_ij`` for every pair at once, with peak memory
of one slab and the Gram matrix, whatever the embedding length.

The reference is :func:`exact_distances`, the float64 sum of squared differences of the stored float32 values.
A Gram value errs from it by at most :func:`gram_margin` (a few 1e-10 of the norms); the rare pair that close to
a threshold is given the reference form by :func:`settle`, so every decision equals the reference's.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence

import numpy as np

from ..core.errors import InvalidArgumentError

#: bytes of one column slab (float32 read + float64 copy of every row's columns)
SLAB_BYTES = 96 << 20
#: largest Gram matrix held at once (float64); more rows are done in row blocks, each re-reading the spill
GRAM_BYTES = 256 << 20
_U64 = 2.0 ** -53  # unit roundoff of float64

Columns = Callable[[np.ndarray, int, int], np.ndarray]


class VectorSpill:
    """Append-only float32 vectors of one length in a temporary file; reads copy the requested rows or columns."""

    def __init__(self) -> None:
        self.directory = tempfile.mkdtemp(prefix="waifuc_ui_lpips_")
        self._file = open(os.path.join(self.directory, "vectors.f32"), "w+b")
        self._length: int | None = None
        self._norms: list[float] = []
        self.count = 0

    def append(self, vector: np.ndarray) -> int:
        data = np.ascontiguousarray(vector, dtype=np.float32).reshape(-1)
        if self._length is None:
            self._length = data.size
        if data.size != self._length:
            raise InvalidArgumentError(f"vector of {data.size} values in a store of {self._length}",
                                       "use one store per model")
        self._file.seek(0, os.SEEK_END)
        self._file.write(data.tobytes())
        self._norms.append(float(np.einsum("i,i->", data, data, dtype=np.float64)))  # float64 products and sum
        self.count += 1
        return self.count - 1

    @property
    def length(self) -> int:
        return self._length or 0

    def norms(self, rows: np.ndarray) -> np.ndarray:
        """Squared norms of the rows (float64 sums of the stored values' squares)."""
        return np.asarray(self._norms, np.float64)[np.asarray(rows, np.int64)]

    def get(self, rows: Sequence[int]) -> np.ndarray:
        """float32 [len(rows), length]."""
        return self.columns(np.asarray(rows, dtype=np.int64), 0, self.length)

    def columns(self, rows: np.ndarray, start: int, stop: int) -> np.ndarray:
        """float32 [len(rows), stop - start]: values ``start:stop`` of each row."""
        self._file.flush()
        out = np.empty((len(rows), max(0, stop - start)), np.float32)
        size, width = self.length * 4, out.shape[1] * 4
        for k, row in enumerate(np.asarray(rows).tolist()):
            got = os.preadv(self._file.fileno(), [memoryview(out[k]).cast("B")], int(row) * size + start * 4)
            if got != width:
                raise OSError(f"short read of the LPIPS vector store ({got} of {width} bytes)")
        return out

    def close(self) -> None:
        try:
            self._file.close()
        except OSError:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)

    def __del__(self) -> None:
        self.close()


def slab_width(rows: int, length: int) -> int:
    """Columns per slab: ``rows`` float32 reads and float64 copies fit SLAB_BYTES."""
    return int(min(max(1, length), max(256, SLAB_BYTES // (12 * max(1, rows)))))


def gram_pass(columns: Columns, rows: np.ndarray, firsts: np.ndarray | None, length: int) -> np.ndarray:
    """float64 ``G[i, j] = u_{rows[firsts[i]]} . u_{rows[j]}`` (``firsts`` None: every row, by syrk), summed over
    column slabs of ``rows`` read once each by ``columns(rows, start, stop)``."""
    gram = np.zeros((len(rows) if firsts is None else len(firsts), len(rows)), np.float64)
    width = slab_width(len(rows), length)
    for start in range(0, length, width):
        slab = columns(rows, start, min(length, start + width)).astype(np.float64)
        if firsts is None:
            gram += slab @ slab.T  # numpy calls syrk for a @ a.T
        else:
            gram += slab[firsts] @ slab.T
    return gram


def gram_margin(length: int, norms_a: np.ndarray, norms_b: np.ndarray) -> np.ndarray:
    """How far ``n_a + n_b - 2 G`` (float64 Gram over ``length`` values, float64 norms) can be from
    :func:`exact_distances`: each float64 dot product errs by at most ``gamma_length sqrt(n_a n_b)`` (Cauchy-Schwarz),
    the norms by ``gamma_length n``, the sum by 3 roundings, and the reference form by ``gamma_length d``."""
    gamma = (length + 64) * _U64 / (1 - (length + 64) * _U64)
    return 2 * gamma * np.sqrt(norms_a * norms_b) + (3 * gamma + 8 * _U64) * (norms_a + norms_b) + 1e-300


def exact_distances(x: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """``||x - y_j||^2`` of float32 vectors as float64 differences summed in float64: the reference form."""
    out = np.zeros(len(ys), np.float64)
    x64 = np.asarray(x, dtype=np.float64)
    for k, y in enumerate(ys):
        diff = y.astype(np.float64)
        diff -= x64
        out[k] = float(np.dot(diff, diff))
    return out


def pair_distances(columns: Columns, rows: np.ndarray, norms: np.ndarray, pairs_a: np.ndarray,
                   pairs_b: np.ndarray, length: int, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Distances of the pairs ``(rows[pairs_a[k]], rows[pairs_b[k]])`` (indices into ``rows``; ``norms``: their
    squared norms), from Gram passes over ``rows``: one syrk when every row comes first in some pair, else the
    rows of ``pairs_a`` against all (in row blocks when the Gram would pass GRAM_BYTES). Returns
    ``(distances, settled)``: pairs within the Gram margin of ``threshold`` got the reference form (``settled``
    True), so every decision ``d <= threshold`` equals the reference's."""
    n = len(rows)
    dots = np.empty(len(pairs_a), np.float64)
    firsts = np.unique(pairs_a)
    block = max(1, GRAM_BYTES // (8 * max(1, n)))
    if len(firsts) * 2 > n and block >= n:  # most rows come first: the symmetric product costs half
        dots[:] = gram_pass(columns, rows, None, length)[pairs_a, pairs_b]
    else:
        for lo in range(0, len(firsts), block):
            part = firsts[lo:lo + block]
            sel = np.flatnonzero((pairs_a >= part[0]) & (pairs_a <= part[-1]))
            gram = gram_pass(columns, rows, part, length)
            dots[sel] = gram[np.searchsorted(part, pairs_a[sel]), pairs_b[sel]]
            del gram
    na, nb = norms[pairs_a], norms[pairs_b]
    d = na + nb - 2 * dots
    settled = np.abs(d - threshold) <= gram_margin(length, na, nb)
    return settle(columns, rows, pairs_a, pairs_b, d, settled, length), settled


def settle(columns: Columns, rows: np.ndarray, pairs_a: np.ndarray, pairs_b: np.ndarray, d: np.ndarray,
           which: np.ndarray, length: int) -> np.ndarray:
    """``d`` with the reference form for the pairs ``which`` (grouped by first image: one read each)."""
    d = d.copy()
    for i in np.unique(pairs_a[which]).tolist():
        ks = np.flatnonzero(which & (pairs_a == i))
        x = columns(rows[[i]], 0, length)[0]
        d[ks] = exact_distances(x, columns(rows[pairs_b[ks]], 0, length))
    return d
