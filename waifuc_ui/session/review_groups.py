"""Finding the groups of a duplicate view: link the pool's images (LPIPS from the cached features, or perceptual
hashes from the analysis cache), split what a person set apart, order each group best keeper first and mark the
member the deciding step keeps. Exact copies (same pixels) always share a group.

The keeper order reads each member's file (format, JPEG quality, re-encoding, sharpness): it is a function of the
files' bytes, sizes and order, so it is kept in the analysis cache under a digest of those (with the reason shown),
and a new session on the same images reads no file again."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from ..action.reviewed import stream_keys
from ..analysis.originality import RULES_VERSION
from .duplicate_groups import Candidate, CannotLink, Split, hamming_matrix, keeper_order, keeper_reason
from .review_models import ReviewModels
from .review_view import DuplicateGroup, DuplicateView
from .runs import CacheScope, Runs
from .store import ItemStore

ORDER_KEY = {"analysis": "duplicate-keeper-order", "version": 1, "rules": RULES_VERSION}
REASON_KEY = {"analysis": "duplicate-keeper-reason", "version": 1, "rules": RULES_VERSION}


class GroupFinder:
    """Fills a :class:`DuplicateView` with its groups; remembers each set's keeper order (the files are read once)."""

    def __init__(self, store: ItemStore, runs: Runs, cache_scope: CacheScope):
        self._store = store
        self._runs = runs
        self._cache_scope = cache_scope
        self._ranks: dict[tuple[str, ...], list[str]] = {}  # a set of ids -> best keeper first
        self._reasons: dict[tuple[str, ...], str] = {}  # a group (keeper first) -> why the keeper
        self._digests: dict[tuple[str, int, int], str] = {}  # (file, size, mtime) -> digest of its bytes

    # -- names and keys ------------------------------------------------------------------------------------------
    def name(self, item_id: str) -> str:
        """The image's file name (a converted image: its source's), never an internal id."""
        metas = self._runs.last.output_metas() if self._runs.last is not None else {}
        rec = self._store.get(item_id)
        name, walker = (metas.get(item_id) or rec.meta).get("filename"), rec
        while not name and walker.parent_id:
            walker = self._store.get(walker.parent_id)
            name = walker.meta.get("filename")
        return str(name or os.path.basename(rec.file))

    def keys(self, ids: Sequence[str]) -> dict[str, str]:
        """Id -> image key (``'<file name>@<pixel hash>'``, as scripts key images)."""
        metas = self._runs.result().output_metas()
        pairs = [((metas.get(i) or self._store.get(i).meta).get("filename"), self._store.get(i).content_hash)
                 for i in ids]
        return dict(zip(ids, stream_keys(pairs)))

    def _candidate(self, item_id: str) -> Candidate:
        rec = walker = self._store.get(item_id)
        while walker.origin != "input" and walker.parent_id:  # a converted image: judge the file it came from
            walker = self._store.get(walker.parent_id)
        return Candidate(item_id, rec.width, rec.height, walker.file, walker.file_bytes)

    # -- linking -------------------------------------------------------------------------------------------------
    def _perceptual(self, ids: Sequence[str], hasher: str) -> list[int]:
        """``hasher``'s hash of each image, from the analysis cache (on disk: a new session on the same images
        decodes none of them), computed and stored there when missing."""
        from ..analysis.perceptual import images_hashes

        with self._cache_scope():
            return [p for _, p in images_hashes(self._runs.items(list(ids)), hasher)]

    def _link(self, ids: list[str], view: DuplicateView, models: ReviewModels) -> list[list[int]]:
        """Groups of positions into ``ids`` (one image per pixel content) linked at the view's threshold."""
        if view.method == "lpips":
            with self._cache_scope():
                raw = models.lpips_groups(self._runs.items(ids), threshold=view.threshold)
            return [[int(x) for x in g] for g in raw]
        matrix = hamming_matrix(self._perceptual(ids, view.hasher))
        a, b = np.nonzero(np.triu(matrix <= view.threshold, k=1))
        from ..analysis import link_groups

        return link_groups(len(ids), list(zip(a.tolist(), b.tolist())))

    def fill(self, view: DuplicateView, models: ReviewModels, keepers: Mapping[str, str], splits: Sequence[Split]
             ) -> None:
        """Set the view's ``groups``, ``exact_groups``, ``removed`` and ``apart`` from its pool (LPIPS groups from
        ``models``), the keepers chosen by hand (key -> keeper key) and the "not a duplicate" splits."""
        pool, reaching = view.pool, view.reaching
        records = [self._store.get(i) for i in pool]
        by_hash: dict[str, list[int]] = {}
        for n, r in enumerate(records):
            by_hash.setdefault(r.content_hash, []).append(n)
        reps = [g[0] for g in by_hash.values()]  # one per distinct pixel content
        linked = self._link([pool[k] for k in reps], view, models)
        grouped = {k for g in linked for k in g}
        linked += [[k] for k in range(len(reps)) if k not in grouped]  # exact copies of an image linked to none
        keys = self.keys(pool)
        cannot = CannotLink.of(splits)
        for g in linked:
            members = [pool[n] for k in g for n in by_hash[records[reps[k]].content_hash]]
            if len(members) < 2:
                continue
            ordered = self._ordered(members)
            for part in cannot.split([keys[i] for i in ordered]):
                ids = [ordered[n] for n in part]
                if len(ids) > 1:
                    view.groups.append(self._group(ids, keys, reaching, keepers))
        view.groups.sort(key=lambda grp: (-len(grp.ids), pool.index(grp.ids[0])))
        view.exact_groups = [self._group(self._ordered([pool[n] for n in g]), keys, reaching, keepers)
                             for g in by_hash.values() if len(g) > 1]
        reach = set(reaching)
        view.removed = {i: g.kept for g in view.groups if g.kept is not None
                        for i in g.ids if i != g.kept and i in reach}
        apart = {k for s in splits for k in s.apart}
        view.apart = [i for i in pool if keys[i] in apart]

    # -- one group -----------------------------------------------------------------------------------------------
    def _file_digest(self, path: str) -> str:
        try:
            st = os.stat(path)
        except OSError:
            return "missing"
        key = (path, st.st_size, st.st_mtime_ns)
        if key not in self._digests:
            with open(path, "rb") as fh:
                self._digests[key] = hashlib.file_digest(fh, "blake2b").hexdigest()[:32]
        return self._digests[key]

    def _cached(self, cands: Sequence[Candidate], key: Mapping[str, Any], compute: Callable[[], Any],
                valid: Callable[[Any], bool]) -> Any:
        """``compute()`` for these files, sizes and order, through the analysis cache."""
        from ..analysis import current_analysis_cache

        h = hashlib.blake2b(digest_size=16)
        for c in cands:
            h.update(f"{self._file_digest(c.source_file)}|{c.width}x{c.height};".encode())
        digest = h.hexdigest()
        with self._cache_scope():
            cache = current_analysis_cache()
            value = cache.get(digest, key)
            if not valid(value):
                value = compute()
                cache.put(digest, key, value)
        return value

    def _ordered(self, ids: Sequence[str]) -> list[str]:
        """``ids`` best keeper first (the files are read once per set of images: the order is remembered)."""
        key = tuple(sorted(ids))
        if key not in self._ranks:
            if len(self._ranks) > 20_000:
                self._ranks.clear()
            cands = [self._candidate(i) for i in key]
            order = self._cached(cands, ORDER_KEY, lambda: [int(n) for n in keeper_order(cands)],
                                 lambda v: isinstance(v, list) and sorted(v) == list(range(len(cands))))
            self._ranks[key] = [key[n] for n in order]
        return list(self._ranks[key])

    def _why(self, ids: Sequence[str]) -> str:
        key = tuple(ids)
        if key not in self._reasons:
            if len(self._reasons) > 20_000:
                self._reasons.clear()
            cands = [self._candidate(i) for i in ids]
            self._reasons[key] = str(self._cached(cands, REASON_KEY, lambda: keeper_reason(cands[0], cands[1:]),
                                                  lambda v: isinstance(v, str)))
        return self._reasons[key]

    def _group(self, ids: list[str], keys: dict[str, str], reaching: Sequence[str], keepers: Mapping[str, str]
               ) -> DuplicateGroup:
        members = {keys[i]: i for i in ids}
        chosen = [members[keepers[keys[i]]] for i in ids if keepers.get(keys[i]) in members]
        keeper = chosen[0] if chosen else ids[0]
        why = "chosen by you" if chosen else self._why(ids)
        reach = set(reaching)
        kept = keeper if keeper in reach else next((i for i in ids if i in reach), None)
        first = self._store.get(ids[0]).content_hash
        return DuplicateGroup(ids, keeper, all(self._store.get(i).content_hash == first for i in ids), kept, why)
