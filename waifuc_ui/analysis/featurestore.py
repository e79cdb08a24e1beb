"""A disk-backed store of fixed-shape float32 feature tuples (LPIPS: 5 maps, 6.4 MB per image).

Appends go to one temporary file per tensor; reads map the files (``np.memmap``) and copy the
requested rows, so memory stays bounded by what a caller asks for at once, whatever the count.
Values are kept exactly (float32). ``close()`` (or garbage collection) deletes the files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence

import numpy as np

from ..core.errors import InvalidArgumentError

Features = tuple[np.ndarray, ...]


class FeatureSpill:
    """Append-only rows of feature tuples; ``get(indices)`` returns batched copies."""

    def __init__(self, directory: str | None = None):
        self._dir = tempfile.mkdtemp(prefix="waifuc_ui_features_", dir=directory)
        self._shapes: list[tuple[int, ...]] | None = None
        self._files: list = []
        self.count = 0

    def append(self, features: Sequence[np.ndarray]) -> int:
        """Store one feature tuple (arrays without a batch axis); returns its row index."""
        arrays = [np.ascontiguousarray(np.asarray(a, dtype=np.float32)) for a in features]
        if self._shapes is None:
            self._shapes = [a.shape for a in arrays]
            self._files = [open(os.path.join(self._dir, f"t{k}.f32"), "w+b") for k in range(len(arrays))]
        if [a.shape for a in arrays] != self._shapes:
            shapes = [a.shape for a in arrays]
            raise InvalidArgumentError(f"feature shapes {shapes} differ from the store's {self._shapes}",
                                       "use one store per model")
        for f, a in zip(self._files, arrays):
            f.write(a.tobytes())
        self.count += 1
        return self.count - 1

    def get(self, indices: Sequence[int]) -> Features:
        """Arrays [len(indices), ...] for the given rows (copies)."""
        if self._shapes is None:
            raise IndexError("the feature store is empty")
        out = []
        for f, shape in zip(self._files, self._shapes):
            f.flush()
            mm = np.memmap(f.name, dtype=np.float32, mode="r", shape=(self.count, *shape))
            out.append(np.array(mm[list(indices)]))
            del mm
        return tuple(out)

    @property
    def directory(self) -> str:
        """The temporary folder holding the files."""
        return self._dir

    def close(self) -> None:
        for f in self._files:
            try:
                f.close()
            except OSError:
                pass
        self._files = []
        shutil.rmtree(self._dir, ignore_errors=True)

    def __del__(self):
        self.close()
