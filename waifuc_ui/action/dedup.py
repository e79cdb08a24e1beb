"""Hash-based dedup (waifuc has none): exact pixel duplicates and perceptual near duplicates.

:class:`DuplicateIndex` holds the kept items of one bucket and decides for a new one; the
action, :func:`find_duplicates` and :func:`duplicate_groups` all use it, so a script and the
app agree on what is a duplicate of what. Memory per kept item: one 16-byte digest, one 64-bit
hash and its label; each new item is compared with every kept hash at once (numpy, exact).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from ..core.errors import InvalidOptionError
from ..core.hashing import pixel_hash
from ..core.item import ImageItem
from .base import BaseAction
from .image_hashes import HASH_BITS, HASHERS, HashIndex, image_hashes

MODES = ("all", "group")


@dataclass(frozen=True)
class Match:
    """``key`` duplicates ``kept`` at Hamming ``distance`` (0 with ``exact`` for identical pixels)."""

    key: Hashable
    kept: Hashable
    distance: int
    exact: bool


class DuplicateIndex:
    """First-seen wins: ``check`` returns the Match against the kept items, or None (then call ``add``).

    An identical pixel hash is an exact duplicate; else the nearest kept perceptual hash within
    ``max_distance`` bits (ties: the earliest kept) is a near duplicate. ``max_distance=0``
    means exact duplicates only.
    """

    def __init__(self, max_distance: int = 0):
        self.max_distance = max_distance
        self._exact: dict[bytes, Hashable] = {}
        self._near: HashIndex[Hashable] = HashIndex()

    def __len__(self) -> int:
        return len(self._exact)

    def check(self, key: Hashable, exact: str, perceptual: int | None) -> Match | None:
        kept = self._exact.get(bytes.fromhex(exact))
        if kept is not None:
            return Match(key, kept, 0, True)
        if self.max_distance > 0 and perceptual is not None:
            nearest = self._near.nearest(perceptual, self.max_distance)
            if nearest is not None:
                return Match(key, nearest[1], nearest[0], False)
        return None

    def add(self, key: Hashable, exact: str, perceptual: int | None) -> None:
        self._exact.setdefault(bytes.fromhex(exact), key)
        if perceptual is not None:
            self._near.add(perceptual, key)


Entry = tuple[Hashable, str, int | None]  # (key, pixel hash, perceptual hash)


def hash_entry(key: Hashable, image, method: str = "phash") -> Entry:
    """The (key, pixel hash, perceptual hash) entry of one image, for :func:`duplicate_groups`."""
    return key, pixel_hash(image), HASHERS[method](image)


def find_duplicates(entries: Iterable[Entry], max_distance: int = 0) -> list[Match]:
    """What :class:`HashDedupAction` drops for these entries in this order (one bucket)."""
    index, matches = DuplicateIndex(max_distance), []
    for key, exact, perceptual in entries:
        match = index.check(key, exact, perceptual)
        if match is None:
            index.add(key, exact, perceptual)
        else:
            matches.append(match)
    return matches


def duplicate_groups(entries: Sequence[Entry], max_distance: int = 0) -> list[list[Hashable]]:
    """Groups of two or more keys: the kept item first, then the items dropped as its duplicates,
    in input order; groups ordered by their kept item's position."""
    order = {key: i for i, (key, _, _) in enumerate(entries)}
    groups: dict[Hashable, list[Hashable]] = {}
    for match in find_duplicates(entries, max_distance):
        groups.setdefault(match.kept, [match.kept]).append(match.key)
    return [groups[k] for k in sorted(groups, key=order.__getitem__)]


class HashDedupAction(BaseAction):
    """Drop exact duplicates (same pixels) and, with ``max_distance > 0``, near duplicates whose
    perceptual hash (``method``: ``'phash'`` or ``'dhash'``, 64 bits) is within ``max_distance``
    bits of a kept item's. The first item seen is kept; each later one is compared with every
    kept item of its bucket (``mode='all'``: one bucket; ``'group'``: one per ``meta['group_id']``).
    The drop record names the kept item's file in the reason and in ``duplicate_of`` (an item without a file
    name: "image #<n>", its place in the stream), and the distance as ``score``.

    Typical pHash distances: re-encoded or resized copies 0-2 (up to 6 for strong changes), a 5%
    crop 4-16, different drawings of one character 8-14, unrelated images around 32. The default
    4 drops clear copies only; raise it to catch edits, at the risk of dropping look-alikes. On the demo set
    resized and re-encoded copies differ by at most 4 pHash bits and distinct drawings by 8 or more; dHash is
    less robust (copies up to 9 bits, distinct drawings from 6: bench/demo_hash_distances.py).
    ``max_distance=0`` drops exact duplicates only.
    """

    per_item = False  # compares each item with the items kept before it

    def __init__(self, mode: str = "all", max_distance: int | float = 4, method: str = "phash"):
        if mode not in MODES:
            raise InvalidOptionError("mode", mode, MODES, "Use 'all' to compare with every kept image, "
                                     "'group' to compare only within the same meta['group_id']")
        if method not in HASHERS:
            raise InvalidOptionError("method", method, list(HASHERS), "Use 'phash' (robust) or 'dhash' (faster)")
        if isinstance(max_distance, float) and max_distance.is_integer():
            max_distance = int(max_distance)
        if isinstance(max_distance, bool) or not isinstance(max_distance, int) or not 0 <= max_distance <= HASH_BITS:
            raise InvalidOptionError("max_distance", max_distance, None,
                                     f"Give a whole number of differing bits from 0 (exact only) to {HASH_BITS}")
        self.mode, self.max_distance, self.method = mode, max_distance, method
        self._buckets: dict[Hashable, DuplicateIndex] = {}
        self._arrived = 0

    def reset(self) -> None:
        self._buckets, self._arrived = {}, 0

    def _label(self, item: ImageItem) -> str:
        """How drop reasons name the kept image: its file name, else its place in the stream (never an id)."""
        return item.meta.get("filename") or f"image #{self._arrived}"

    def iter(self, item: ImageItem) -> Iterator[ImageItem]:
        self._arrived += 1
        bucket_key = item.meta.get("group_id") if self.mode == "group" else None
        index = self._buckets.setdefault(bucket_key, DuplicateIndex(self.max_distance))
        exact, phash_ = image_hashes(item, self.method)  # from the analysis cache: a re-run decodes nothing
        perceptual = phash_ if self.max_distance > 0 else None
        label = self._label(item)
        match = index.check(label, exact, perceptual)
        if match is None:
            index.add(label, exact, perceptual)
            yield item
        elif match.exact:
            self.drop(item, f"exact duplicate of {match.kept}", score=0.0, duplicate_of=str(match.kept))
        else:
            self.drop(item, f"near duplicate of {match.kept} ({match.distance} of {HASH_BITS} bits differ)",
                      score=float(match.distance), threshold=float(self.max_distance),
                      duplicate_of=str(match.kept))

    def __repr__(self) -> str:
        return f"HashDedupAction(mode={self.mode!r}, max_distance={self.max_distance}, method={self.method!r})"
