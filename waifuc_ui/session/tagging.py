"""The session's tags: frequency table, batch edits, trigger word, character tags, per-image tags.

The tags of an item are the run's tags (``meta['tags']`` after the last step) with the session's
:class:`~waifuc_ui.session.tagedit.TagEdits` replayed on top; originals are never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .dataset import Dataset
from .store import ItemStore
from .tagedit import TagEdits, TagOp, character_tag_names, replay, tag_frequencies

TagsInput = Mapping[str, float] | Iterable[str] | str


def parse_tags(tags: TagsInput) -> dict[str, float]:
    """A dict as is; a list of names or comma-separated text -> score 1.0 each."""
    if isinstance(tags, Mapping):
        return {str(k).strip(): float(v) for k, v in tags.items() if str(k).strip()}
    if isinstance(tags, str):
        tags = tags.split(",")
    return {t.strip(): 1.0 for t in tags if t.strip()}


class Tags:
    """``edits``: the session's TagEdits (replaced whole when a session or project loads).

    Each item's edited tags are remembered while its run tags stay the same dict object (a run makes new ones) and
    the edit log only grows (a new edit is replayed on the remembered tags; an undo or a new log starts over): the
    Tags tab reads the whole dataset's tags several times per click."""

    def __init__(self, store: ItemStore, dataset: Dataset):
        self._store = store
        self._dataset = dataset
        self.edits = TagEdits()
        self._memo_ops: tuple[TagOp, ...] = ()
        self._memo: dict[str, tuple[Mapping[str, float], dict[str, float]]] = {}

    def _scope(self, ids: Iterable[str] | None) -> list[str]:
        final = self._dataset.ids()
        if ids is None:
            return final
        wanted = set(ids)
        return [i for i in final if i in wanted]

    @property
    def trigger_word(self) -> str:
        """The word written first in every caption at export ('' for none)."""
        return self.edits.trigger_word

    def set_trigger_word(self, word: str) -> None:
        self.edits.trigger_word = word.strip()

    def of(self, item_id: str) -> dict[str, float]:
        """One item's tags after edits, in caption order (the trigger word is not included: it is added at
        export)."""
        meta = self._dataset.metas().get(item_id) or self._store.get(item_id).meta
        return self.edits.apply(item_id, meta.get("tags") or {})

    def all(self, ids: Iterable[str] | None = None) -> dict[str, dict[str, float]]:
        """Final id -> its tags after edits (the dataset, or the selected ``ids``); fresh dicts, free to change."""
        return {i: dict(tags) for i, tags in self._edited(ids).items()}

    def _edited(self, ids: Iterable[str] | None = None) -> dict[str, dict[str, float]]:
        """As :meth:`all`, with the remembered dicts themselves (read them, never change them)."""
        self._follow_log()
        metas = self._dataset.metas()
        out = {}
        for i in self._scope(ids):
            run_tags = (metas.get(i) or {}).get("tags") or {}
            hit = self._memo.get(i)
            if hit is None or hit[0] is not run_tags:
                hit = self._memo[i] = (run_tags, self.edits.apply(i, run_tags))
            out[i] = hit[1]
        return out

    def _follow_log(self) -> None:
        """Bring the remembered tags up to the edit log: replay new edits, or forget them when the log changed."""
        ops, known = tuple(self.edits.ops), self._memo_ops
        if len(ops) == len(known) and all(a is b for a, b in zip(ops, known)):
            return
        if len(ops) > len(known) and all(a is b for a, b in zip(ops, known)):
            new = ops[len(known):]
            touched = None if any(op.ids is None for op in new) else set().union(*(op.ids or () for op in new))
            for i, (run_tags, tags) in self._memo.items():
                if touched is None or i in touched:
                    self._memo[i] = (run_tags, replay(i, tags, new))
        else:
            self._memo = {}
        self._memo_ops = ops

    def table(self, ids: Iterable[str] | None = None) -> list[tuple[str, int]]:
        """(tag, count) over the dataset or the selected ``ids``, most frequent first."""
        return tag_frequencies(self._edited(ids).values())

    def ids_with(self, include: Iterable[str] = (), exclude: Iterable[str] = ()) -> list[str]:
        """Dataset ids having every tag of ``include`` and none of ``exclude`` (to select images by tag)."""
        inc, exc = set(include), set(exclude)
        return [i for i, tags in self._edited().items() if inc <= tags.keys() and not exc & tags.keys()]

    def add(self, tag: str, ids: Iterable[str] | None = None) -> None:
        self.edits.add(tag, None if ids is None else self._scope(ids))

    def remove(self, tag: str, ids: Iterable[str] | None = None) -> None:
        self.edits.remove(tag, None if ids is None else self._scope(ids))

    def replace(self, old: str, new: str, ids: Iterable[str] | None = None) -> None:
        self.edits.replace(old, new, None if ids is None else self._scope(ids))

    def set_item(self, item_id: str, tags: TagsInput) -> None:
        """Replace one item's tags, in the order given (kept in captions). Tags given as names keep the score
        they had (a tagger's confidence), new ones get 1.0."""
        parsed = parse_tags(tags)
        if not isinstance(tags, Mapping):
            current = self.of(item_id)
            parsed = {t: current.get(t, s) for t, s in parsed.items()}
        self.edits.set_tags(item_id, parsed)

    def undo(self) -> bool:
        return self.edits.undo() is not None

    def drop_character_tags(self, ids: Iterable[str] | None = None, model_name: str = "SwinV2_v3",
                            names: Iterable[str] | None = None) -> list[str]:
        """Remove the tagger's character tags (read from the WD14 label file; ModelUnavailableError with the fix
        when it is missing: no silent guess). ``names`` overrides the list. Returns the tags removed (sorted)."""
        character = frozenset(names) if names is not None else character_tag_names(model_name)
        scope = self._scope(ids)
        present = sorted({t for tags in self.all(scope).values() for t in tags if t in character})
        if present:
            self.edits.drop_tags(present, None if ids is None else scope)
        return present
