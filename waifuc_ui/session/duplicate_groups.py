"""Pure parts of the duplicate review: pairwise hash distances, groups split by hand ("not a duplicate"), the
default keeper's order and why a keeper was chosen. No session state here (see review.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

#: Perceptual-hash bits at or below which two images are duplicates when no HashDedupAction step says otherwise.
#: Measured on the demo set: resized, re-encoded (JPEG q30..q60, WebP) and noisy copies differ by at most 4 pHash
#: bits, distinct drawings by 8 or more (aoi_01/aoi_04: 10, beni_01/beni_02: 8); 6 is in the middle of the gap.
#: dHash has no such gap (copies up to 9 bits, distinct drawings from 6). See bench/demo_hash_distances.py.
DEFAULT_HASH_BITS = 6


def lpips_pair_count(sizes: Sequence[tuple], rtol: float = 5e-2, atol: float = 2e-2) -> int:
    """How many pairs LPIPS would compare: images whose aspect ratios h/w are close (FilterSimilarAction's rule)."""
    if len(sizes) < 2:
        return 0
    ratios = np.array([h / w for w, h in sizes], dtype=float)
    close = np.isclose(ratios[:, None], ratios[None, :], rtol=rtol, atol=atol)
    return int(np.triu(close, k=1).sum())


def hamming_matrix(hashes: Sequence[int]) -> np.ndarray:
    """Pairwise Hamming distances of 64-bit hashes."""
    h = np.array([int(x) & ((1 << 64) - 1) for x in hashes], dtype=np.uint64)
    x = h[:, None] ^ h[None, :]
    bytes_ = x.view(np.uint8).reshape(len(h), len(h), 8)
    return np.unpackbits(bytes_, axis=-1).sum(axis=-1).astype(np.int32)


@dataclass(frozen=True)
class Candidate:
    """What the default keeper rule looks at: the picture's size and the file it came from (for a converted
    image, the input file it was made from)."""

    id: str
    width: int
    height: int
    source_file: str
    file_bytes: int = 0

    @property
    def area(self) -> int:
        return self.width * self.height


def keeper_order(candidates: Sequence[Candidate]) -> list[int]:
    """Indices, best keeper first (:func:`waifuc_ui.analysis.originality_rank`): the larger picture (areas within
    2 % count as equal); at the same size the original: lossless over lossy, not re-encoded from a JPEG, the
    higher JPEG quality, the sharper, the larger lossy file, then the input order."""
    from ..analysis.originality import originality_rank

    return originality_rank([c.source_file for c in candidates], [(c.width, c.height) for c in candidates])


def keeper_reason(best: Candidate, others: Sequence[Candidate]) -> str:
    """Why ``best`` leads ``others`` under :func:`keeper_order`, in a few words: "largest picture", or at about
    the same size what its file says ("PNG, not re-encoded, at the same size")."""
    from ..analysis.originality import AREA_TOLERANCE, originality_reason

    if not others:
        return "the only image"
    if all(o.area < best.area * (1 - AREA_TOLERANCE) for o in others):
        return "largest picture"
    return f"{originality_reason(best.source_file)}, at the same size"


@dataclass
class Split:
    """"Not a duplicate": the images ``apart`` (keys) left a group whose other members were ``rest``; each of them
    stands alone (no group with the rest, nor with each other)."""

    apart: list[str]
    rest: list[str]

    def pairs(self) -> Iterable[frozenset[str]]:
        for n, a in enumerate(self.apart):
            for b in self.rest:
                yield frozenset((a, b))
            for b in self.apart[n + 1:]:
                yield frozenset((a, b))

    def to_dict(self) -> dict[str, list[str]]:
        return {"apart": sorted(self.apart), "rest": sorted(self.rest)}


@dataclass
class CannotLink:
    """Pairs of keys that must not share a group (from every split made by hand)."""

    pairs: set[frozenset[str]] = field(default_factory=set)

    @classmethod
    def of(cls, splits: Iterable[Split]) -> CannotLink:
        return cls({p for s in splits for p in s.pairs()})

    def apart(self, a: str, b: str) -> bool:
        return frozenset((a, b)) in self.pairs

    def split(self, keys: Sequence[str]) -> list[list[int]]:
        """Partition a group (``keys`` in keeper order) so no part holds a pair set apart by hand. Members without
        such a pair stay together (the group); the others join the first part they may join, else stand alone.
        Returns lists of positions into ``keys``."""
        constrained = {n for n, k in enumerate(keys) if any(self.apart(k, o) for o in keys if o != k)}
        parts = [[n for n in range(len(keys)) if n not in constrained]]
        for n in sorted(constrained):
            for part in parts:
                if not any(self.apart(keys[n], keys[m]) for m in part):
                    part.append(n)
                    break
            else:
                parts.append([n])
        return [sorted(p) for p in parts if p]
