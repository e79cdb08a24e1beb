"""Pairwise differences among a growing set of vectors, computed in blocks.

CCIP's metric model maps N features to an N x N matrix and each entry depends only on its
two features, so the differences of a window of new features with each other and with
everything stored come from ONE call on ``[*new, *stored]``. The table keeps the matrix of
the stored features (growing with capacity doubling) and the block of the last staged window.
Memory: 4 bytes x stored^2 (1,000 stored features: 4 MB).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence

import numpy as np

DifferenceFn = Callable[[list[np.ndarray]], np.ndarray]


class DifferenceTable:
    """Stored ids with their difference matrix, plus a staged block for the current window."""

    def __init__(self, differences: DifferenceFn):
        self.differences = differences
        self.ids: list[Hashable] = []
        self._pos: dict[Hashable, int] = {}
        self._vectors: dict[Hashable, np.ndarray] = {}
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._block = np.zeros((0, 0), dtype=np.float32)
        self._block_pos: dict[Hashable, int] = {}
        self.calls = 0

    def __len__(self) -> int:
        return len(self.ids)

    def stage(self, new: Sequence[tuple]) -> None:
        """``new`` = [(id, vector)]: compute their differences with each other and with all stored."""
        new = [(i, v) for i, v in new if i not in self._pos]
        if not new:
            return
        cols = [i for i, _ in new] + self.ids
        vectors = [np.asarray(v, dtype=np.float32) for _, v in new] + [self._vectors[i] for i in self.ids]
        self._block = np.asarray(self.differences(vectors), dtype=np.float32)
        self.calls += 1
        self._block_pos = {i: k for k, i in enumerate(cols)}
        for i, v in new:
            self._vectors[i] = np.asarray(v, dtype=np.float32)

    def diff(self, a: Hashable, b: Hashable) -> float:
        if a in self._pos and b in self._pos:
            return float(self._matrix[self._pos[a], self._pos[b]])
        return float(self._block[self._block_pos[a], self._block_pos[b]])

    def row(self, a: Hashable, others: Sequence[Hashable]) -> np.ndarray:
        """Differences of ``a`` with ``others`` (all stored or in the staged block)."""
        if a in self._pos and all(o in self._pos for o in others):
            return self._matrix[self._pos[a], [self._pos[o] for o in others]]
        if a in self._block_pos and all(o in self._block_pos for o in others):
            return self._block[self._block_pos[a], [self._block_pos[o] for o in others]]
        return np.array([self.diff(a, o) for o in others], dtype=np.float32)

    def store(self, a: Hashable) -> None:
        """Add a staged id to the stored set (its differences come from the staged block)."""
        if a in self._pos:
            return
        n = len(self.ids)
        if n + 1 > self._matrix.shape[0]:
            grown = np.zeros((max(8, 2 * (n + 1)),) * 2, dtype=np.float32)
            grown[:n, :n] = self._matrix[:n, :n]
            self._matrix = grown
        k = self._block_pos[a]
        cols = [self._block_pos[i] for i in self.ids]
        row = self._block[k, cols] if cols else np.zeros(0, np.float32)
        col = self._block[cols, k] if cols else np.zeros(0, np.float32)
        self._matrix[n, :n] = row
        self._matrix[:n, n] = col
        self._matrix[n, n] = self._block[k, k]
        self.ids.append(a)
        self._pos[a] = n

    def matrix(self, ids: Sequence[Hashable] | None = None) -> np.ndarray:
        """The stored matrix (or its ``ids`` rows and columns)."""
        if ids is None:
            n = len(self.ids)
            return self._matrix[:n, :n]
        idx = [self._pos[i] for i in ids]
        return self._matrix[np.ix_(idx, idx)]

    def restrict(self, keep: Sequence[Hashable]) -> None:
        """Keep only the stored ids in ``keep`` (in that order)."""
        sub = self.matrix(keep).copy()
        dropped = set(self.ids) - set(keep)
        self.ids = list(keep)
        self._pos = {i: k for k, i in enumerate(self.ids)}
        self._matrix = sub
        for i in dropped:
            self._vectors.pop(i, None)

    def forget_unstored(self) -> None:
        """Drop vectors that were staged but never stored (call after a window is decided)."""
        for i in list(self._vectors):
            if i not in self._pos:
                del self._vectors[i]
        self._block = np.zeros((0, 0), dtype=np.float32)
        self._block_pos = {}
